"""The README's Python example runs exactly as written, and its tables cover the code."""

from __future__ import annotations

import re
from pathlib import Path

import dynamics as dyn

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_python_examples_run() -> None:
    blocks = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})


def test_catalog_table_lists_every_surface() -> None:
    for name in dyn.surface_names():
        assert f"| `{name}` |" in README, name


def test_every_optimizer_is_documented() -> None:
    for name in dyn.optimizer_names():
        assert f"{name}" in README, name


def test_demo_output_in_readme_is_current(capsys) -> None:
    from dynamics import demo

    demo.main()
    for line in capsys.readouterr().out.splitlines():
        assert line in README, line
