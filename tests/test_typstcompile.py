"""Formulas compiled by one Typst compiler a process (kit/typstcompile.py): the SVG and
the errors of Typst's own compile, byte for byte."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import typst
from optiroll.scenes.kit import typeset, typstcompile
from optiroll.scenes.kit.typstcompile import compile_svg, typst_compile

TEMPLATE = "#set page(width: auto, height: auto, margin: 0pt, fill: none)\n" \
           "#set text(size: 10pt)\n{preamble}\n{body}\n"
FORMULAS = ["$ x $", "$ y $", "$ v_x $", "$ v_y $",  # same size, other text
            "$ L(x, y) = x^2 / 16 + 9 y^2 $",
            "$ v arrow.l beta v + nabla L(w) #h(1.2em) w arrow.l w - eta v $",
            "$ (sum_(i=1)^n a_i) / sqrt(2) $", "Plain *text*, 3.64×10#super[-5]"]


def written(folder: Path, name: str, body: str, preamble: str = "") -> Path:
    path = folder / name
    path.write_text(TEMPLATE.format(preamble=preamble, body=body), encoding="utf-8")
    return path


def test_manims_formulas_compile_to_typsts_own_svg(tmp_path: Path) -> None:
    typeset.install()
    assert typst.compile is compile_svg  # (where Manim calls it)
    for i, body in enumerate(FORMULAS * 2):
        path = written(tmp_path, f"{i}.typ", body)
        assert compile_svg(str(path), format="svg", font_paths=[]) == typst_compile(
            str(path), format="svg", font_paths=[])
    assert typstcompile._OWNER[0] == os.getpid()
    here = [k for k in typstcompile._COMPILERS if k[0] == str(tmp_path.resolve())]
    assert len(here) == 1  # one compiler for the folder: every formula after the first reused it
    assert len(list(tmp_path.glob(".optiroll-formula-*"))) == 1


def test_imports_resolve_in_the_formulas_folder(tmp_path: Path) -> None:
    (tmp_path / "lib.typ").write_text("#let sq(x) = $#x^2$\n", encoding="utf-8")
    path = written(tmp_path, "main.typ", "$ #sq($a$) + b $", '#import "lib.typ": sq')
    assert compile_svg(str(path), format="svg") == typst_compile(str(path), format="svg")


@pytest.mark.parametrize("name", ["bad.typ", "missing.typ"])
def test_an_error_is_typsts_own_and_the_compiler_goes_on(tmp_path: Path, name: str) -> None:
    """A formula that does not compile, or a file that is not there, fails as with
    Typst's own compile: the same error, naming the user's file."""
    good = written(tmp_path, "good.typ", "$ x + 1 $")
    compile_svg(str(good), format="svg")  # (the folder's compiler made)
    path = tmp_path / name
    if name == "bad.typ":
        written(tmp_path, name, "$ x^ $ #undefined_function(1)")
    with pytest.raises(Exception) as own:
        typst_compile(str(path), format="svg")
    with pytest.raises(type(own.value)) as ours:
        compile_svg(str(path), format="svg")
    assert str(ours.value) == str(own.value)
    assert getattr(ours.value, "diagnostic", None) == getattr(own.value, "diagnostic", None)
    assert ".optiroll" not in str(ours.value) + str(getattr(ours.value, "diagnostic", ""))
    assert compile_svg(str(good), format="svg") == typst_compile(str(good), format="svg")


def test_other_calls_go_to_typst(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    monkeypatch.setattr(typstcompile, "typst_compile",
                        lambda *a, **k: calls.append((a, k)) or b"typst's")
    path = written(tmp_path, "f.typ", "$ x $")
    for kwargs in ({"format": "png"}, {"format": "svg", "ppi": 144.0},
                   {"format": "svg", "output": str(tmp_path / "o.svg")}, {},
                   {"format": "svg", "font_paths": "fonts"}):  # (a string: Typst refuses it)
        assert compile_svg(str(path), **kwargs) == b"typst's"
    assert compile_svg(path.read_bytes(), format="svg") == b"typst's"  # not a file
    assert len(calls) == 6


def test_a_process_keeps_compilers_for_its_last_folders(tmp_path: Path) -> None:
    """A batch worker renders each job in a new folder: compilers (and their files) for
    the folders used longest ago are dropped."""
    folders = [tmp_path / f"job{i}" for i in range(typstcompile.KEPT + 2)]
    for folder in folders:
        folder.mkdir()
        path = written(folder, "f.typ", f"$ x_{folder.name[-1]} $")
        assert compile_svg(str(path), format="svg") == typst_compile(str(path), format="svg")
    assert len(typstcompile._COMPILERS) == typstcompile.KEPT
    assert [len(list(f.glob(".optiroll-formula-*"))) for f in folders] == [0, 0] + [1] * (
        typstcompile.KEPT)


def test_a_forked_copy_compiles_with_its_own_compiler(tmp_path: Path) -> None:
    first = written(tmp_path, "a.typ", "$ x $")
    compile_svg(str(first), format="svg")  # this process's compiler, made before the fork
    path = written(tmp_path, "b.typ", "$ a^2 + b^2 = c^2 $")
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the copy
        code = 1
        try:
            os.close(read)
            svg = compile_svg(str(path), format="svg")
            mine = typstcompile._OWNER[0] == os.getpid() and len(typstcompile._COMPILERS) == 1
            with os.fdopen(write, "wb") as out:
                out.write(svg if mine else b"no compiler of its own")
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read, "rb") as got:
        svg = got.read()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert svg == typst_compile(str(path), format="svg")


def test_each_process_removes_its_own_file(tmp_path: Path) -> None:
    path = written(tmp_path, "f.typ", "$ x $")
    code = ("import sys, pathlib; from optiroll.scenes.kit.typstcompile import compile_svg; "
            "compile_svg(sys.argv[1], format='svg'); "
            "print(len(list(pathlib.Path(sys.argv[1]).parent.glob('.optiroll-*'))))")
    r = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True,
                       check=True)
    assert r.stdout.strip() == "1"  # while it ran
    assert not list(tmp_path.glob(".optiroll-*"))  # gone when it exited
