"""``optiroll render LESSON --watch``: render again each time the lesson's file changes.

A lecturer edits a lesson and previews it a dozen times. Each ``optiroll render``
starts Python, imports Manim and optiroll and pays a first render's set-up (fonts,
the Typst compiler, the face filler's helper thread); a watching command pays them
once and then renders in its warm process whenever the file is saved: about 1 s of
the flagship's 10-s preview (``benchmarks/bench_preview.py``). A render that
fails (a typo in the spec, an error in a scene file) prints its message and the
watch goes on; Ctrl-C stops it.

The loop (:func:`watch`) polls the files' modification times and sizes: no
dependency, and a file an editor replaces (write to a new file, rename over) is seen
like one written in place. A change is rendered once it has stood still for one poll
(an editor saving in several writes is rendered once, whole).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path

#: seconds between two looks at the files: a save is seen within one and rendered once it
#: stood still for another (0.15 s on average; an editor's save in several writes takes
#: milliseconds, and a look is one ``stat`` a file)
POLL = 0.1

Stamp = tuple[tuple[str, float, int] | None, ...]


def stamp(files: Iterable[Path]) -> Stamp:
    """Each file's path, modification time and size (None: missing)."""
    out = []
    for path in files:
        try:
            st = path.stat()
        except OSError:
            out.append(None)
        else:
            out.append((str(path), st.st_mtime, st.st_size))
    return tuple(out)


def watch(files: list[Path], render: Callable[[], None], say: Callable[[str], None],
          poll: float = POLL, keep_going: Callable[[], bool] = lambda: True,
          sleep: Callable[[float], None] = time.sleep) -> None:
    """Call ``render()`` now and again after each change of ``files`` (a change that
    stood still for ``poll`` seconds), while ``keep_going()``. ``render`` reports its
    own outcome and must not raise for a failed render."""
    seen = stamp(files)  # before the render: a save made during it is rendered next
    render()
    names = ", ".join(str(f) for f in files)
    say(f"watching {names}: save it to render again (Ctrl-C to stop)")
    while keep_going():
        sleep(poll)
        now = stamp(files)
        if now == seen:
            continue
        sleep(poll)  # let a save in several writes finish
        if stamp(files) != now:
            continue  # still being written: look again next poll
        seen = now
        render()
        say(f"watching {names} (Ctrl-C to stop)")
