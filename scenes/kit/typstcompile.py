"""Typst formulas compiled by one Typst compiler a process, not a new one each.

Manim compiles each formula (``MathTypst``, ``Typst``) with ``typst.compile``, which
sets up a new Typst world every call: its fonts searched and loaded again, about 8 ms
of the 9 ms a small formula takes. A lesson's set-up compiles about eight (axis
names, the loss, the update rule, the plots' headings) before its render can fork
its pieces (``lesson/pieces.py``). A ``typst.Compiler`` keeps its world: it reads its
input file anew on each ``compile`` (it tells a changed file by its contents) and
lays out only what changed, in well under a millisecond.

:func:`compile_svg` stands in for ``typst.compile`` where Manim calls it (``typst``'s
own function, replaced in the module: Manim imports it there each time): for the one
call Manim makes, a ``.typ`` file to SVG with a list of font folders, the file's text
is copied into a file of this process's own beside it (so Typst's root folder, which
relative imports resolve against, is the same) and compiled by this process's
compiler for that folder and those fonts. The SVG is the same, byte for byte
(``tests/test_typstcompile.py``). A formula that fails there is compiled again by
Typst's own ``compile``, so an error is Typst's own, naming the user's file. Any
other call goes to ``typst.compile`` itself.

A process keeps compilers for its last :data:`KEPT` folders (a batch worker renders
each job in a new one). Its file's name holds a random part (renders in other
containers may share a media folder, and their process numbers). A forked copy makes
compilers of its own: none made before the fork is used across it. A process removes
its files when it ends normally (a forked copy of a lesson's render writes into a
folder of its own, which the render removes).
"""

from __future__ import annotations

import atexit
import os
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typst

#: Typst's own compile, which :func:`compile_svg` stands in for
typst_compile: Callable[..., Any] = typst.compile
#: folders a process keeps a compiler for (the least recently used goes first)
KEPT = 4
#: this process's compilers by (folder, font folders), each with the file it reads
_COMPILERS: OrderedDict[tuple[str, tuple[str, ...]], tuple[Path, Any]] = OrderedDict()
#: the process they belong to, and the random part of its files' names
_OWNER: tuple[int, str] | None = None
#: compilers this process has made (numbering their files)
_MADE = 0
_LOCK = threading.Lock()


def compile_svg(*args: Any, **kwargs: Any) -> Any:
    """``typst.compile``: Manim's call (a ``.typ`` file to SVG, maybe with font folders)
    by this process's compiler for the file's folder, any other by Typst's own."""
    fonts = kwargs.get("font_paths") or []
    if (len(args) != 1 or not isinstance(args[0], str | os.PathLike)
            or kwargs.get("format") != "svg" or set(kwargs) - {"format", "font_paths"}
            or not isinstance(fonts, list | tuple)
            or not all(isinstance(f, str | os.PathLike) for f in fonts)):
        return typst_compile(*args, **kwargs)
    try:
        with _LOCK:
            return _compiled(Path(args[0]), tuple(os.path.abspath(f) for f in fonts))
    except Exception:  # noqa: BLE001 - Typst's own compile says what is wrong, and where
        return typst_compile(*args, **kwargs)


def _compiled(source: Path, fonts: tuple[str, ...]) -> bytes:
    """``source`` compiled to SVG by this process's compiler for its folder and
    ``fonts``."""
    global _OWNER, _MADE
    if _OWNER is None or _OWNER[0] != os.getpid():  # a new process, or a forked copy
        _OWNER = (os.getpid(), secrets.token_hex(4))
        _COMPILERS.clear()  # (a copy's inherited ones belong to the process it copied)
        atexit.register(_remove_own_files, _OWNER[0])
    folder = source.resolve().parent
    key = (str(folder), fonts)
    text = source.read_bytes()
    if key in _COMPILERS:
        _COMPILERS.move_to_end(key)
        own, compiler = _COMPILERS[key]
        own.write_bytes(text)
        return compiler.compile(format="svg")
    _MADE += 1
    own = folder / f".optiroll-formula-{_OWNER[0]}-{_OWNER[1]}-{_MADE}.typ"
    own.write_bytes(text)
    try:
        compiler = typst.Compiler(str(own), font_paths=list(fonts))
    except BaseException:
        own.unlink(missing_ok=True)
        raise
    _COMPILERS[key] = (own, compiler)
    while len(_COMPILERS) > KEPT:
        _COMPILERS.popitem(last=False)[1][0].unlink(missing_ok=True)
    return compiler.compile(format="svg")


def _remove_own_files(pid: int) -> None:
    """Remove the files this process's compilers read (at its exit)."""
    if _OWNER is None or _OWNER[0] != pid or os.getpid() != pid:
        return
    for own, _ in _COMPILERS.values():
        own.unlink(missing_ok=True)


def _new_lock() -> None:
    """In a forked copy: a lock of its own (another thread may have held the one it
    inherited as it was forked)."""
    global _LOCK
    _LOCK = threading.Lock()


def install() -> None:
    """Compile Manim's formulas with :func:`compile_svg` (idempotent)."""
    typst.compile = compile_svg


os.register_at_fork(after_in_child=_new_lock)
