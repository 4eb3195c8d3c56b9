"""Surfaces compiled from source kept on disk (dynamics/compiled.py): the same numbers as
sympy's functions, no sympy import once kept, damaged entries derived again."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import installed_env
from optiroll import dynamics as dyn
from optiroll.dynamics import compiled
from optiroll.dynamics.catalog import CATALOG

#: user formulas between them using every function and constant the parser accepts
FORMULAS = ["sin(x) * cos(y) + tan(x / 4)", "exp(-x**2) + log(1 + y**2)",
            "sqrt(x**2 + y**2 + 1) + abs(x - y)", "tanh(x) + sinh(y / 2) * cosh(x / 3)",
            "atan(x * y) + arctan(y) + ln(2 + x**2)", "pi * x**2 + e**y", "x^2 + 3"]


def sympy_functions(text: str) -> dict[str, object]:
    """The four functions as sympy derives and lambdify writes them, for comparison."""
    import sympy as sp
    from optiroll.dynamics.formula import X, Y, parse_formula

    f = parse_formula(text)
    fx, fy = sp.diff(f, X), sp.diff(f, Y)
    hess = [sp.diff(fx, X), sp.diff(fx, Y), sp.diff(fy, Y)]
    hess = [h.replace(sp.DiracDelta, lambda *args: sp.Integer(0)) for h in hess]
    return {"f": sp.lambdify((X, Y), f, "numpy"),
            "fg": sp.lambdify((X, Y), [f, fx, fy], "numpy", cse=True),
            "g": sp.lambdify((X, Y), [fx, fy], "numpy", cse=True),
            "h": sp.lambdify((X, Y), hess, "numpy", cse=True)}


def values(fn: object, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        out = fn(x, y)
    return np.stack(np.broadcast_arrays(*(out if isinstance(out, list) else [out]), x))


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache folder, and no shipped entries (every formula derived)."""
    monkeypatch.setenv("OPTIROLL_CACHE", str(tmp_path))
    monkeypatch.setattr(compiled, "SHIPPED", tmp_path / "none.json")
    compiled.compile_formula.cache_clear()
    compiled.shipped_entries.cache_clear()
    yield tmp_path / "surfaces"
    compiled.compile_formula.cache_clear()
    compiled.shipped_entries.cache_clear()


def test_read_back_functions_give_sympys_numbers_bit_for_bit(cache: Path) -> None:
    rng = np.random.default_rng(3)
    x, y = rng.uniform(-3, 3, 400), rng.uniform(-3, 3, 400)
    texts = [e.formula for e in CATALOG.values()] + FORMULAS
    derived = {t: compiled.compile_formula(t) for t in texts}  # derived by sympy, kept
    assert len(list(cache.glob("*.json"))) == len(texts)
    compiled.compile_formula.cache_clear()
    for text in texts:
        read = compiled.compile_formula(text)
        reference = sympy_functions(text)
        assert read.typst == derived[text].typst
        for name in compiled.FUNCTIONS:
            want = values(reference[name], x, y)
            for c in (derived[text], read):
                got = values(getattr(c, name), x, y)
                np.testing.assert_array_equal(got, want, err_msg=f"{text} {name}")
                assert np.array_equal(np.signbit(got), np.signbit(want))


def test_a_kept_surface_is_built_without_importing_sympy(cache: Path) -> None:
    script = ("import sys; from optiroll import dynamics as dyn; "
              "s = dyn.surface('wells'); t = dyn.surface('x**2 + abs(y)'); "
              "print('sympy' in sys.modules, t.typst, s.minima[0])")
    env = {**installed_env(), "OPTIROLL_CACHE": str(cache.parent)}

    def run() -> list[str]:
        out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                             text=True, check=True)
        return out.stdout.split(" ", 1)

    first, second = run(), run()
    assert first[0] == "True" and second[0] == "False"  # derived, then read back
    assert first[1] == second[1]  # the same Typst, and the wells' minima refined alike


def test_the_shipped_catalog_is_current_and_gives_sympys_numbers(cache: Path) -> None:
    from importlib import metadata

    shipped = json.loads(compiled.Path(compiled.__file__).with_name("catalog_code.json")
                         .read_text())
    assert shipped["code"] == compiled._code_hash(), \
        "dynamics/catalog_code.json is out of date: run make catalog-code"
    if shipped["sympy"] != metadata.version("sympy"):  # not used here: nothing to compare
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(compiled, "SHIPPED", compiled.Path(compiled.__file__).with_name(
                "catalog_code.json"))
            compiled.shipped_entries.cache_clear()
            assert compiled.shipped_entries() == {}
        pytest.skip(f"dynamics/catalog_code.json was written by sympy {shipped['sympy']}, "
                    f"{metadata.version('sympy')} is installed: run make catalog-code")
    assert set(shipped["formulas"]) == {e.formula for e in CATALOG.values()}, \
        "the catalog changed: run make catalog-code"
    rng = np.random.default_rng(4)
    x, y = rng.uniform(-3, 3, 400), rng.uniform(-3, 3, 400)
    for text, kept in shipped["formulas"].items():
        read, reference = compiled._compile(kept), sympy_functions(text)
        assert read is not None and read.typst == compiled._derive(text)[0].typst
        for name in compiled.FUNCTIONS:
            want, got = values(reference[name], x, y), values(getattr(read, name), x, y)
            np.testing.assert_array_equal(got, want, err_msg=f"{text} {name}")
            assert np.array_equal(np.signbit(got), np.signbit(want))


def test_a_first_catalog_surface_needs_no_sympy(cache: Path) -> None:
    script = ("import sys; from optiroll import dynamics as dyn; s = dyn.surface('wells'); "
              "print('sympy' in sys.modules, s.minima[0])")
    env = {**installed_env(), "OPTIROLL_CACHE": str(cache.parent)}
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                         text=True, check=True).stdout.split(" ", 1)
    assert out[0] == "False"
    assert not cache.exists() or not list(cache.glob("*.json"))  # nothing derived to keep
    with pytest.MonkeyPatch.context() as mp:  # the same minima as derived by sympy
        mp.setattr(compiled, "SHIPPED", cache.parent / "none.json")
        compiled.shipped_entries.cache_clear()
        assert repr(dyn.catalog.catalog_surface.__wrapped__("wells").minima[0]) == \
            out[1].strip()


def test_shipped_entries_from_other_code_are_not_used(cache: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    text = "x**2/16 + 9*y**2"
    compiled.write_shipped([text], tmp_path / "shipped.json")
    monkeypatch.setattr(compiled, "SHIPPED", tmp_path / "shipped.json")
    assert set(compiled.shipped_entries()) == {text}
    assert compiled.compile_formula(text).typst and not cache.exists()  # used: none kept
    body = json.loads((tmp_path / "shipped.json").read_text())
    for stale in ({**body, "code": "0" * 64}, {**body, "format": 0},
                  {**body, "sympy": "0.1"}, "not json"):
        (tmp_path / "shipped.json").write_text(stale if isinstance(stale, str)
                                               else json.dumps(stale))
        compiled.shipped_entries.cache_clear()
        compiled.compile_formula.cache_clear()
        assert compiled.shipped_entries() == {}
        compiled.compile_formula(text)  # derived, and kept
        assert len(list(cache.glob("*.json"))) == 1


def test_a_damaged_or_foreign_entry_is_derived_again(cache: Path) -> None:
    text = "x**2 + 2*y**2"
    good = compiled.compile_formula(text)
    (entry,) = cache.glob("*.json")
    kept = json.loads(entry.read_text())
    for damage in ("not json", json.dumps({**kept, "globals": {"x0": "elsewhere"}}),
                   json.dumps({**kept, "sources": {}}), json.dumps([1, 2])):
        entry.write_text(damage)
        compiled.compile_formula.cache_clear()
        again = compiled.compile_formula(text)
        assert again.typst == good.typst
        np.testing.assert_array_equal(again.g(1.5, -2.0), good.g(1.5, -2.0))
        assert json.loads(entry.read_text()) == kept  # written anew


def test_code_that_uses_a_name_numpy_does_not_give_is_not_kept() -> None:
    import builtins

    source = "def fn(x, y):\n    return abs(x) + cos(y) + numpy.sin(x)\n"
    namespace = {"abs": builtins.abs, "cos": np.cos, "numpy": np}
    exec(source, namespace)  # noqa: S102
    # (sin is read as numpy's attribute: nothing to keep for it)
    assert compiled._globals_of(namespace["fn"]) == {"abs": "builtins.", "cos": "numpy.",
                                                       "numpy": "numpy"}
    namespace = {"abs": lambda v: v, "cos": np.cos, "numpy": np}  # a helper of its own
    exec(source, namespace)  # noqa: S102
    assert compiled._globals_of(namespace["fn"]) is None


def test_no_cache_and_bad_formulas_as_before(cache: Path, monkeypatch: pytest.MonkeyPatch
                                             ) -> None:
    monkeypatch.setenv("OPTIROLL_CACHE", "off")
    s = dyn.surface("x**2 + y**2", view=((-1, 1), (-1, 1)))
    assert float(s.value(np.array([1.0, 1.0]))) == 2.0 and s.view == ((-1.0, 1.0), (-1.0, 1.0))
    assert not cache.exists()
    with pytest.raises(dyn.FormulaError, match="position 7"):
        dyn.surface("x**2 +* y")
    with pytest.raises(dyn.UnknownNameError, match="rosenbrock"):
        dyn.surface("rosenbrok", view=((-1, 1), (-1, 1)))
