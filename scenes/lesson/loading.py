"""Reading lesson specs from TOML, with errors that name the file, line and fix.

``load_spec(path)`` returns a validated :class:`~scenes.lesson.spec.LessonSpec`
or raises :class:`SpecError`, whose ``str()`` is one line per problem, e.g.::

    adaptive.toml:4: unknown key 'stpes'. Did you mean 'steps'? Valid keys here: ...
    adaptive.toml:9: runs[2].lr: lr must be in [0, inf), got -0.4
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from optiroll.dynamics.errors import closest
from pydantic import BaseModel, ValidationError

from .spec import CameraSpec, LessonSpec, PacingSpec, ShowSpec, SlidesSpec, did_you_mean


class SpecError(ValueError):
    """A lesson spec that cannot be used; ``problems`` holds one message per line."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


_TABLES: dict[str, type[BaseModel]] = {"show": ShowSpec, "pacing": PacingSpec,
                                       "camera": CameraSpec, "slides": SlidesSpec}


def load_spec(path: str | Path) -> LessonSpec:
    """Read and validate a ``.toml`` lesson spec."""
    path = Path(path)
    if not path.is_file():
        raise SpecError([f"{path}: no such file; write one with `optiroll new NAME`"])
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        line = path.read_bytes()[:err.start].count(b"\n") + 1
        raise SpecError([f"{path}:{line}: not UTF-8 text (byte {err.object[err.start]:#04x}); "
                         "save the spec as UTF-8 (any editor's \"Save with encoding\")"]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise SpecError([_toml_message(path, err)]) from None
    return validate(data, source=path, text=text)


def located(err: SpecError, path: Path) -> SpecError:
    """``err`` with each problem that starts at a key (``show.plots[0]: ...``,
    ``runs[1]: ...``) prefixed with the file and the line that key is on, as the
    problems found while validating are."""
    text = path.read_text(encoding="utf-8")
    out = []
    for problem in err.problems:
        m = _AT_KEY.match(problem)
        if m is None or problem.startswith(str(path)):
            out.append(problem)
            continue
        loc: list[Any] = [int(p) if p.isdigit() else p
                          for p in re.findall(r"[A-Za-z_]\w*|\d+", m.group(1))]
        line = locate(text, loc)
        out.append(f"{path}:{line}: {problem}" if line else f"{path}: {problem}")
    return SpecError(out)


#: a problem that names the key it is about: ``show.plots[0]: ...``
_AT_KEY = re.compile(r"([A-Za-z_]\w*(?:\[\d+\]|\.[A-Za-z_]\w*)*): ")


def validate(data: dict[str, Any], source: str | Path = "<spec>", text: str = "") -> LessonSpec:
    """Validate a spec given as data (what a TOML file parses to)."""
    try:
        return LessonSpec.model_validate(data)
    except ValidationError as err:
        raise SpecError(describe(err, source, text)) from None


def _toml_message(path: Path, err: tomllib.TOMLDecodeError) -> str:
    msg = str(err)
    m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
    if m:
        what = msg[:m.start()].strip()
        return (f"{path}:{m.group(1)}:{m.group(2)}: TOML syntax error: {what} "
                "(check quotes, brackets and `key = value` pairs on that line)")
    return f"{path}: TOML syntax error: {msg}"


# -- turning pydantic's errors into one line each ------------------------------------
def describe(err: ValidationError, source: str | Path, text: str = "") -> list[str]:
    """One line per problem: ``file:line: where: what, and the fix``."""
    out: list[str] = []
    lines: list[int] = []
    errors = err.errors(include_url=False)
    # a misspelt key is also a missing one ("stpes"): its "unknown key, did you mean
    # 'steps'?" says both, so the "missing 'steps'" is left out
    misspelt = set()
    for e in errors:
        if e["type"] == "extra_forbidden":
            loc = _clean(list(e["loc"]))
            guess = closest(str(loc[-1]), _valid_keys(loc[:-1]))
            if guess:
                misspelt.add((tuple(loc[:-1]), guess))
    for e in errors:
        loc = _clean(list(e["loc"]))
        ctx = e.get("ctx") or {}
        where = loc
        if e["type"] == "optiroll":
            loc = loc + list(ctx.get("at", []))
            where = loc
            msg = ctx["message"]
        elif e["type"] == "extra_forbidden":
            key = str(loc[-1])
            valid = _valid_keys(loc[:-1])
            where = loc[:-1]
            msg = (f"unknown key {key!r}.{did_you_mean(key, valid)} "
                   f"Valid keys here: {', '.join(valid)}.")
        elif e["type"] == "missing":
            if (tuple(loc[:-1]), loc[-1]) in misspelt:
                continue
            where = loc[:-1]
            missing = str(loc[-1])
            typo = _misspelt_as(missing, e.get("input"), _valid_keys(where))
            if typo:  # a table that takes free keys (a run's hyperparameters)
                loc = where = [*where, typo]
                msg = f"unknown key {typo!r}. Did you mean {missing!r}?"
            else:
                msg = (f"missing key {loc[-1]!r}: every lesson needs it (see `optiroll new`)"
                       if not where else f"missing key {loc[-1]!r}: this table needs it")
        elif e["type"] in _BOUNDS or e["type"] == "literal_error":
            msg = _bound_or_choice(e, loc)
        else:
            msg = e["msg"].removeprefix("Value error, ") + _shape_hint(loc)
        line = locate(text, loc) if text else None
        prefix = f"{source}:{line}:" if line else f"{source}:"
        entry = f"{prefix} {_dotted(where)}: {msg}" if where else f"{prefix} {msg}"
        if entry not in out:
            out.append(entry)
            lines.append(line or 0)
    # in the file's order (problems with no line of their own first)
    return [e for _, e in sorted(zip(lines, out, strict=True), key=lambda pair: pair[0])]


#: pydantic's bound errors: the word for the bound and its key in the error's context
_BOUNDS = {"greater_than_equal": ("at least", "ge"), "less_than_equal": ("at most", "le"),
           "greater_than": ("above", "gt"), "less_than": ("below", "lt")}


def _bound_or_choice(e: dict[str, Any], loc: list[Any]) -> str:
    """``steps must be at least 1, got 0`` and ``readout must be 'loss' or 'position',
    got 'pos'. Did you mean 'position'?`` in the words of the other messages (pydantic
    says "Input should be ...")."""
    name = next((str(p) for p in reversed(loc) if isinstance(p, str)), "the value")
    got = e.get("input")
    shown = repr(got) if isinstance(got, str) else f"{got}"
    ctx = e.get("ctx") or {}
    if e["type"] == "literal_error":
        expected = str(ctx.get("expected", ""))
        choices = re.findall(r"'([^']*)'", expected)
        guess = did_you_mean(str(got), choices) if isinstance(got, str) else ""
        return f"{name} must be {expected}, got {shown}" + (f".{guess}" if guess else "")
    word, key = _BOUNDS[e["type"]]
    return f"{name} must be {word} {ctx.get(key)}, got {shown}"


def _misspelt_as(key: str, table: Any, valid: list[str]) -> str | None:
    """The key of ``table`` (a parsed TOML table) that is no key of its own and most
    likely a misspelling of the missing ``key`` (``optimzer``), or None."""
    if not isinstance(table, dict):
        return None
    unknown = [str(k) for k in table if k not in valid]
    return next((k for k in unknown if closest(k, [key]) == key), None)


def _clean(loc: list[Any]) -> list[Any]:
    """Drop pydantic's internal location parts (union branches, validator names)."""
    return [p for p in loc if not (isinstance(p, str) and ("[" in p or p.startswith("function")
                                                          or p in ("str", "PlotSpec")))]


def _shape_hint(loc: list[Any]) -> str:
    key = next((p for p in reversed(loc) if isinstance(p, str)), "")
    if isinstance(loc[-1], int) if loc else False:
        return ""
    return {"start": " (write it as [x, y])", "view": " (write it as [[xmin, xmax], [ymin, ymax]])",
            "betas": " (write it as [beta1, beta2])",
            "runs": " (write each run as a [[runs]] table: double brackets)"}.get(key, "")


def _valid_keys(loc: list[Any]) -> list[str]:
    names = [p for p in loc if isinstance(p, str)]
    if not names:
        return list(LessonSpec.model_fields)
    model = _TABLES.get(names[0])
    if model is ShowSpec and "plots" in names:
        from .spec import PlotSpec
        return list(PlotSpec.model_fields)
    if model is CameraSpec and "path" in names:
        from .spec import CameraKey
        return list(CameraKey.model_fields)
    return list(model.model_fields) if model else []


def _dotted(loc: list[Any]) -> str:
    out = ""
    for p in loc:
        out += f"[{p}]" if isinstance(p, int) else (("." if out else "") + str(p))
    return out


_HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.]+)\s*\]\]?\s*(#.*)?$")


def locate(text: str, loc: list[Any]) -> int | None:
    """The 1-based line of the TOML text where ``loc`` (e.g. ``['runs', 1, 'lr']``) is set.

    Follows table headers (``[show]``, ``[[runs]]``) and finds ``key =`` inside
    the right table; returns the table's header line when the key is not
    written there (a missing key), or None when nothing matches.
    """
    lines = text.splitlines()
    table, index = "", -1
    counts: dict[str, int] = {}
    keys = [p for p in loc if isinstance(p, str)]
    want_table = ""
    want_index = -1
    key = keys[-1] if keys else None
    if loc and isinstance(loc[0], str) and (loc[0] in _TABLES or loc[0] == "runs") \
            and len(loc) > 1:
        want_table = loc[0]
        want_index = loc[1] if loc[0] == "runs" and len(loc) > 1 and isinstance(loc[1], int) \
            else -1
        key = next((p for p in loc[1:] if isinstance(p, str)), None)
    header_line = None
    for n, raw in enumerate(lines, 1):
        m = _HEADER.match(raw)
        if m:
            table = m.group(1)
            counts[table] = counts.get(table, -1) + 1
            index = counts[table]
            if table == want_table and (want_index < 0 or index == want_index):
                header_line = n
            continue
        in_place = table == want_table and (want_index < 0 or index == want_index)
        if key and in_place and re.match(rf"^\s*{re.escape(key)}\s*=", raw):
            return n
        if not want_table and table == "" and key and re.match(rf"^\s*{re.escape(key)}\s*=", raw):
            return n
        if want_table and table == "" and re.match(rf"^\s*{re.escape(want_table)}\s*=", raw):
            return n  # an inline table: show = {...}
    return header_line
