"""Typst formulas compiled by one Typst compiler a process, not a new one each.

Manim compiles each formula (``MathTypst``, ``Typst``) with ``typst.compile``, which
sets up a new Typst world every call: its fonts searched and loaded again, about 8 ms
of the 9 ms a small formula takes. A lesson's set-up compiles about eight (axis
names, the loss, the update rule, the plots' headings) before its render can fork
its pieces (``lesson/pieces.py``). A ``typst.Compiler`` keeps its world: it reads its
input file anew on each ``compile`` and lays out only what changed, in well under a
millisecond.

:func:`compile_svg` stands in for ``typst.compile`` where Manim calls it (``typst``'s
own function, replaced in the module: Manim imports it there each time): for the one
call Manim makes, a ``.typ`` file to SVG with font folders, the file's text is copied
into a file of this process's own beside it (so Typst's root folder, which relative
imports resolve against, is the same) and compiled by this process's compiler for
that folder and those fonts. The SVG is the same, byte for byte
(``tests/test_typstcompile.py``); so is an error. Any other call goes to
``typst.compile`` itself. A forked copy makes a compiler of its own (one made before
the fork is not used across it), and each process removes its file when it exits.
"""

from __future__ import annotations

import atexit
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typst

#: Typst's own compile, which :func:`compile_svg` stands in for
typst_compile: Callable[..., Any] = typst.compile
#: compilers by (process, folder, font folders): with the file each reads
_COMPILERS: dict[tuple[int, str, tuple[str, ...]], tuple[Path, Any]] = {}
_LOCK = threading.Lock()


def compile_svg(*args: Any, **kwargs: Any) -> Any:
    """``typst.compile``: Manim's call (a ``.typ`` file to SVG, maybe with font folders)
    by this process's compiler for the file's folder, any other by Typst's own."""
    if (len(args) != 1 or not isinstance(args[0], str | os.PathLike)
            or kwargs.get("format") != "svg" or set(kwargs) - {"format", "font_paths"}):
        return typst_compile(*args, **kwargs)
    source = Path(args[0])
    fonts = tuple(str(f) for f in kwargs.get("font_paths") or ())
    folder = source.resolve().parent
    with _LOCK:
        key = (os.getpid(), str(folder), fonts)
        kept = _COMPILERS.get(key)
        own = kept[0] if kept else folder / f".optiroll-formula-{os.getpid()}.typ"
        own.write_bytes(source.read_bytes())
        if kept is None:
            if not any(k[0] == key[0] for k in _COMPILERS):
                atexit.register(_remove_own_files, key[0])
            kept = _COMPILERS[key] = (own, typst.Compiler(str(own), font_paths=list(fonts)))
        return kept[1].compile(format="svg")


def _remove_own_files(pid: int) -> None:
    """Remove the files this process's compilers read (at its exit)."""
    if os.getpid() != pid:
        return
    for (owner, _, _), (own, _) in list(_COMPILERS.items()):
        if owner == pid:
            own.unlink(missing_ok=True)


def install() -> None:
    """Compile Manim's formulas with :func:`compile_svg` (idempotent)."""
    typst.compile = compile_svg
