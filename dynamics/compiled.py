"""A formula's numeric functions, compiled from source kept on disk: once a formula
(a catalog surface's, or a user's) has been derived, later renders need no sympy.

:class:`~.surfaces.SymbolicSurface` gets its gradient and Hessian from sympy, and
``sympy.lambdify`` writes the four functions a surface evaluates (the loss; the loss
and gradient; the gradient; the Hessian's three entries) as Python source calling
numpy. Importing sympy takes about 0.2 s and deriving a formula another 30 ms, at
the start of every preview before anything can be drawn. So the source is kept,
with the Typst the formula is shown as, in the cache folder's ``surfaces/``
(:mod:`.disk_cache`) under a key of the formula's text, the versions of sympy and
numpy and the source of the modules that parse and derive it; the same text is
then compiled from that source with numpy alone. Either way the functions are the
code lambdify wrote, compiled the same way: the same numbers, bit for bit
(``tests/test_compiled.py``).

The catalog's formulas ship compiled (``catalog_code.json``, written by ``make
catalog-code`` from the same derivation): a first render of a catalog surface, with
nothing in the cache, needs no sympy either. They are used while ``formula.py`` and
this module are the ones they were written from (:func:`_code_hash`) and the sympy
installed is the one that wrote them (its version is read from its metadata, not
imported); a test derives every one again and compares the functions bit for bit.
They are package code, not a cache: used with ``OPTIROLL_CACHE=off`` too.

The source is kept only where every global name it uses is numpy's (``cos``,
``pi``) or a builtin; any other (none in the catalog) is compiled by sympy every
time. Entries are JSON; like every entry of the cache, they are read only from a
folder of their user's own (:func:`~.disk_cache.read`: they are code).
"""

from __future__ import annotations

import builtins
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import metadata
from pathlib import Path
from types import CodeType
from typing import Any

import numpy as np

from .disk_cache import cache_folder, read, source_hash, store

#: the functions of a surface, by the name :class:`~.surfaces.SymbolicSurface` keeps
FUNCTIONS = ("f", "fg", "g", "h")
#: the name lambdify gives the function it writes
GENERATED = "_lambdifygenerated"
#: entries kept before the less recently used half is removed (a few KB each)
MAX_ENTRIES = 2_000
FORMAT = 1
#: the catalog's formulas compiled (see the module's docstring)
SHIPPED = Path(__file__).with_name("catalog_code.json")


@dataclass(frozen=True)
class Compiled:
    """A formula's functions of ``(x, y)`` (arrays or floats) and its Typst as written:
    ``f`` the loss, ``fg`` ``[loss, dL/dx, dL/dy]``, ``g`` ``[dL/dx, dL/dy]``, ``h``
    ``[d2L/dx2, d2L/dxdy, d2L/dy2]`` (a constant entry is a Python number)."""

    f: Callable[..., Any]
    fg: Callable[..., Any]
    g: Callable[..., Any]
    h: Callable[..., Any]
    typst: str


@lru_cache(maxsize=256)
def compile_formula(text: str) -> Compiled:
    """The functions of the formula ``text`` (once a process): from the cache's source
    when it holds the formula, or the catalog's shipped source, else derived by sympy
    (and kept). A formula that does not parse raises :class:`~.errors.FormulaError`, as
    :func:`~.formula.parse_formula`."""
    folder = cache_folder("surfaces")
    entry = folder / f"{_key(text)}.json" if folder is not None else None
    if entry is not None:
        found = _load(entry)
        if found is not None:
            return found
    shipped = shipped_entries().get(text)
    if shipped is not None and (made := _compile(shipped)) is not None:
        return made
    made, kept = _derive(text)
    if entry is not None and kept is not None:
        store(entry, json.dumps(kept).encode(), MAX_ENTRIES)
    return made


def _derive(text: str) -> tuple[Compiled, dict[str, Any] | None]:
    """sympy's functions of ``text`` (exact derivatives, common subexpressions
    eliminated) and its Typst as written; with the entry that keeps them, or None
    where the source uses a name numpy and the builtins do not give.

    The second derivative of ``abs()`` or a step is a Dirac delta: zero wherever it is
    defined (numpy has no delta; the kink itself has no Hessian)."""
    import sympy as sp

    from .formula import X, Y, parse_formula, to_typst_as_written

    f = parse_formula(text)
    fx, fy = sp.diff(f, X), sp.diff(f, Y)
    hess = [sp.diff(fx, X), sp.diff(fx, Y), sp.diff(fy, Y)]
    hess = [h.replace(sp.DiracDelta, lambda *args: sp.Integer(0)) for h in hess]
    made = {"f": sp.lambdify((X, Y), f, "numpy"),
            "fg": sp.lambdify((X, Y), [f, fx, fy], "numpy", cse=True),
            "g": sp.lambdify((X, Y), [fx, fy], "numpy", cse=True),
            "h": sp.lambdify((X, Y), hess, "numpy", cse=True)}
    typst = to_typst_as_written(text, f)
    sources, names = {}, {}
    for name, fn in made.items():
        found = _globals_of(fn)
        if found is None:
            return Compiled(**made, typst=typst), None
        names.update(found)
        sources[name] = _source(fn)
    kept = {"sources": sources, "globals": names, "typst": typst}
    compiled = _compile(kept)  # the same code as lambdify's, compiled as a read entry is
    return compiled or Compiled(**made, typst=typst), kept if compiled else None


def _source(fn: Callable[..., Any]) -> str:
    """The source lambdify wrote for ``fn`` (it keeps it in ``linecache``)."""
    import inspect

    return inspect.getsource(fn)


def _globals_of(fn: Callable[..., Any]) -> dict[str, str] | None:
    """Where each global name ``fn``'s code reads comes from: ``"numpy"`` (the module
    itself), ``"numpy."`` (numpy's attribute of that name) or ``"builtins."``; None where
    a name is bound to anything else. A name the function's globals lack is an
    attribute read (``numpy.select``) or a builtin: either needs nothing."""
    out: dict[str, str] = {}
    for name in _names(fn.__code__):
        if name not in fn.__globals__:
            continue
        value = fn.__globals__[name]
        if value is np:
            out[name] = "numpy"
        elif getattr(np, name, _MISSING) is value:
            out[name] = "numpy."
        elif getattr(builtins, name, _MISSING) is value:
            out[name] = "builtins."
        else:
            return None
    return out


_MISSING = object()


def _names(code: CodeType) -> set[str]:
    """Every name ``code`` and the code nested in it (comprehensions) read."""
    out = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, CodeType):
            out |= _names(const)
    return out


def _compile(kept: dict[str, Any]) -> Compiled | None:
    """The functions of an entry (``sources``, ``globals``, ``typst``), or None where it
    is not one (damaged, from another format)."""
    try:
        namespace: dict[str, Any] = {"__builtins__": builtins}
        for name, where in kept["globals"].items():
            namespace[name] = _resolve(name, where)
        functions = {}
        for name in FUNCTIONS:
            scope = dict(namespace)
            exec(compile(kept["sources"][name], f"<optiroll {name}>", "exec"), scope)  # noqa: S102
            functions[name] = scope[GENERATED]
        typst = kept["typst"]
        if not isinstance(typst, str):
            return None
        return Compiled(**functions, typst=typst)
    except Exception:  # noqa: BLE001 - not an entry of ours: derive it again
        return None


def _resolve(name: str, where: str) -> Any:
    """The object a name of :func:`_globals_of`'s answer stands for."""
    if where == "numpy":
        return np
    return getattr({"numpy.": np, "builtins.": builtins}[where], name)


def _load(entry: Path) -> Compiled | None:
    """The entry's functions, or None where it is missing or cannot be used."""
    data = read(entry)
    if data is None:
        return None
    try:
        kept = json.loads(data)
    except ValueError:
        return None
    return _compile(kept) if isinstance(kept, dict) else None


@cache
def shipped_entries() -> dict[str, Any]:
    """The catalog's shipped entries by formula, or none where the file is missing,
    damaged or written from another ``formula.py`` or ``compiled.py`` than these, or by
    another sympy than the one installed."""
    try:
        shipped = json.loads(SHIPPED.read_bytes())
        if (shipped["format"] == FORMAT and shipped["code"] == _code_hash()
                and shipped["sympy"] == metadata.version("sympy")):
            return dict(shipped["formulas"])
    except (OSError, ValueError, KeyError, TypeError, metadata.PackageNotFoundError):
        pass
    return {}


def write_shipped(texts: list[str] | None = None, path: Path = SHIPPED) -> None:
    """Derive ``texts`` (by default the catalog's formulas) and write their entries to
    ``path`` (``make catalog-code``)."""
    if texts is None:
        from .catalog import CATALOG

        texts = sorted({e.formula for e in CATALOG.values()})
    formulas = {}
    for text in texts:
        kept = _derive(text)[1]
        if kept is None:
            raise ValueError(f"the formula {text!r} compiles to code that cannot be kept")
        formulas[text] = kept
    body = {"format": FORMAT, "code": _code_hash(), "sympy": metadata.version("sympy"),
            "formulas": formulas}
    path.write_text(json.dumps(body, indent=1, sort_keys=True) + "\n")


def _key(text: str) -> str:
    """The entry's name: a hash of the formula and of what its functions depend on."""
    h = hashlib.sha256(text.encode())
    h.update(_context().encode())
    return h.hexdigest()


@cache
def _context() -> str:
    """The format, the versions of sympy and numpy, and the source of the modules that
    parse and derive a formula (any change to them makes new entries)."""
    return f"{FORMAT}-{metadata.version('sympy')}-{np.__version__}-{_code_hash()}"


@cache
def _code_hash() -> str:
    """A hash of the source of the modules that parse and derive a formula."""
    here = Path(__file__).parent
    return source_hash(here / "formula.py", here / "compiled.py")
