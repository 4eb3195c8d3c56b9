"""Stepping through skipped animations to the exact state drawing them leaves.

Used wherever a render draws only some of a scene's animations: ``--split``'s
ranges (:mod:`optiroll.scenes.split`), ``--act`` (:mod:`optiroll.scenes.jobs`) and
a lesson drawn in pieces on several cores (:mod:`optiroll.scenes.lesson.pieces`).
"""

from __future__ import annotations

from typing import Any


def replay_skipped(scene: Any) -> None:
    """Make ``scene`` play each skipped animation frame by frame, without drawing.

    Manim jumps a skipped animation to its end in one step; animations and
    updaters that move things a frame at a time (in place, without copies) then
    end a rounding error away from where drawing every frame leaves them, and the
    first drawn frame differs by a pixel's shade. Stepping through the same frame
    times (and the final ``update_mobjects(0)`` Manim runs after a drawn
    animation) leaves exactly the state a single process has.
    """
    progression = scene.get_time_progression
    play_internal = scene.play_internal

    def every_frame(run_time: float, description: Any, n_iterations: int | None = None,
                    override_skip_animations: bool = False) -> Any:
        return progression(run_time, description, n_iterations,
                           override_skip_animations or scene.renderer.skip_animations)

    def replay(skip_rendering: bool = False) -> None:
        skipping = scene.renderer.skip_animations
        play_internal(skip_rendering or skipping)
        if skipping:
            scene.update_mobjects(0)

    scene.get_time_progression = every_frame
    scene.play_internal = replay
