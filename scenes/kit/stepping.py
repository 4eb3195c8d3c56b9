"""Stepping through skipped animations to the exact state drawing them leaves.

Used wherever a render draws only some of a scene's animations: ``--split``'s
ranges (:mod:`optiroll.scenes.split`), ``--act`` (:mod:`optiroll.scenes.jobs`) and
a lesson drawn in pieces on several cores (:mod:`optiroll.scenes.lesson.pieces`).
"""

from __future__ import annotations

from typing import Any

#: the attribute holding the updaters a mobject declared to set it afresh from the
#: scene's state at that moment (the timeline, the frame it is drawn in), never from its
#: own earlier state (a trail, a plot's curves): see :func:`updates_from_state`
FROM_STATE = "updates_from_state"


def updates_from_state(mob: Any) -> Any:
    """Declare that ``mob``'s updaters, as they are now, set it from the scene's state
    alone; returns ``mob``. A skipped animation (:func:`replay_skipped`) then updates it
    once, after its last frame, instead of on every frame, while its updaters are still
    exactly these (an updater added later, or one that takes ``dt``, and it is updated
    every frame again) and its submobjects have none of their own.

    The promise the mark makes: nothing reads the mobject during an animation (no other
    updater, animation or ``wait_until`` condition), and nothing suspends its updating
    meanwhile. A lesson that reads a trail's points frame by frame clears the mark
    (``setattr(trail, FROM_STATE, None)``)."""
    setattr(mob, FROM_STATE, tuple(mob.updaters))
    return mob


def replay_skipped(scene: Any) -> None:
    """Make ``scene`` play each skipped animation frame by frame, without drawing.

    Manim jumps a skipped animation to its end in one step; animations and
    updaters that move things a frame at a time (in place, without copies) then
    end a rounding error away from where drawing every frame leaves them, and the
    first drawn frame differs by a pixel's shade. Stepping through the same frame
    times (and the final ``update_mobjects(0)`` Manim runs after a drawn
    animation) leaves exactly the state a single process has.

    Mobjects updated from the scene's state alone (:func:`updates_from_state`) are
    held still meanwhile and updated once, by that final ``update_mobjects(0)``: what
    their updaters set depends only on the state then, which is the one drawing leaves
    (a trail redrawn on every one of the race's frames was a quarter of a lesson's
    stepping). What :func:`updates_from_state` declares is held: nothing reads it in
    between.
    """
    progression = scene.get_time_progression
    play_internal = scene.play_internal

    def every_frame(run_time: float, description: Any, n_iterations: int | None = None,
                    override_skip_animations: bool = False) -> Any:
        return progression(run_time, description, n_iterations,
                           override_skip_animations or scene.renderer.skip_animations)

    def replay(skip_rendering: bool = False) -> None:
        skipping = scene.renderer.skip_animations
        held = _hold(scene) if skipping else []
        try:
            play_internal(skip_rendering or skipping)
        finally:
            for mob in held:
                mob.updating_suspended = False
        if skipping:
            scene.update_mobjects(0)

    scene.get_time_progression = every_frame
    scene.play_internal = replay


def _hold(scene: Any) -> list[Any]:
    """Suspend the updating of every mobject in ``scene`` updated from its state alone
    (:func:`updates_from_state`: its updaters the declared ones, none taking ``dt``, none
    on its submobjects), not suspended already; returns them."""
    held = []
    for mob in scene.get_mobject_family_members():
        declared = getattr(mob, FROM_STATE, None)
        if (declared and tuple(mob.updaters) == declared and not mob.updating_suspended
                and not mob.has_time_based_updater()
                and not any(m.updaters for m in mob.get_family()[1:])):
            mob.updating_suspended = True
            held.append(mob)
    return held
