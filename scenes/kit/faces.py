"""Filling the 3-D view's faces: one cairo fill per face, in C where it was built.

The 3-D view paints its mesh back to front, each face one antialiased cairo fill
of its colour (:meth:`~.surface3d.SurfaceRenderer.render_surface`). In Python
the calls cost about 1.2 µs a face besides cairo's own work (the flagship's
2,368 faces: ~3 ms of a 480p frame). The compiled filler (``_faces.c``, built
by ``setup.py`` where a C compiler and cairo's headers are found) makes the
same calls with the same numbers in C, with Python's lock released: while the
faces fill, a helper thread computes the frame's contour and trail geometry, on
the core the encoder leaves idle. Both give the same pixels
(``tests/test_depth.py`` compares them).

The compiled filler is used only where it calls the very cairo library pycairo
calls (its ``cairo_create`` is pycairo's), never a second copy of it.
"""

from __future__ import annotations

import contextvars
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from types import ModuleType
from typing import TypeVar

import cairo
import numpy as np

T = TypeVar("T")


def fill_python(ctx: cairo.Context, rows: np.ndarray) -> None:
    """Fill each face of ``rows`` ``(n, 11)`` on ``ctx``, in order: its colour, its four
    corners (cairo's fill closes the path)."""
    set_rgb, move_to, line_to, fill = ctx.set_source_rgb, ctx.move_to, ctx.line_to, ctx.fill
    for r_, g_, b_, x0, y0, x1, y1, x2, y2, x3, y3 in rows.tolist():
        set_rgb(r_, g_, b_)
        move_to(x0, y0)
        line_to(x1, y1)
        line_to(x2, y2)
        line_to(x3, y3)
        fill()


def _load() -> ModuleType | None:
    """The compiled filler, or None where it was not built or calls another cairo than
    pycairo (the same version, and pycairo's own module resolves cairo_create to the
    filler's: one cairo library, which the two share a context of)."""
    try:
        from . import _faces
    except ImportError:
        return None
    pycairo = getattr(cairo, "_cairo", None)
    path = getattr(pycairo, "__file__", None)
    if (_faces.cairo_version() != cairo.cairo_version_string() or path is None
            or not _faces.same_cairo(path)):
        return None
    return _faces


#: the compiled filler (None: faces are filled in Python; tests set it to compare)
COMPILED = _load()
_pool: tuple[int, ThreadPoolExecutor] | None = None


def fill_while(ctx: cairo.Context, rows: np.ndarray, work: Callable[[], T]) -> T:
    """Fill the faces ``rows`` on ``ctx`` and return ``work()``, which must not use
    ``ctx``. With the compiled filler this thread fills the faces in C with Python's
    lock released, and a helper thread runs ``work`` meanwhile (it takes the lock as
    soon as the filler lets go of it: had the helper filled, it would have waited for
    this thread's Python to yield the lock, up to the interpreter's switch interval of
    5 ms at each end); else the faces are filled in Python, then ``work`` runs."""
    if COMPILED is None:
        fill_python(ctx, rows)
        return work()
    global _pool
    if _pool is None or _pool[0] != os.getpid():  # a forked worker has no thread of ours
        _pool = (os.getpid(), ThreadPoolExecutor(1, thread_name_prefix="optiroll-overlays"))
    rows = np.ascontiguousarray(rows, float)
    # (in this thread's context: numpy's error state, warnings filters)
    future = _pool[1].submit(contextvars.copy_context().run, work)
    try:
        COMPILED.fill_faces(ctx, rows)
    finally:
        value = future.result()  # (work's exception, if any, after the faces are done)
    return value
