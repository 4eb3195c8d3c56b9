"""The README's Python example runs exactly as written, and its tables cover the code."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from conftest import installed_env
from optiroll import dynamics as dyn

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_python_examples_run() -> None:
    blocks = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    assert blocks
    for block in blocks:  # as a script would run them (a main guard's body too)
        exec(compile(textwrap.dedent(block), "README.md", "exec"), {"__name__": "__main__"})


def section(readme: str, heading: str) -> str:
    """The text under a ``## heading``, up to the next heading of that level."""
    found = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", readme, flags=re.M | re.S)
    assert found, heading
    return found.group(1)


def catalog_names(readme: str) -> set[str]:
    """The surface names in the catalog table: each row's first cell, backticked."""
    return set(re.findall(r"^\| `([\w-]+)` \|", section(readme, "Surface catalog"),
                          flags=re.M))


def optimizer_names(readme: str) -> set[str]:
    """The optimizer names the Python API section lists in its **Optimizers** item: the
    words of its backticked lists of two or more bare names (``sgd adagrad ...``; a single
    backticked word there is a state or code name), each a whole word, so ``gd`` is not
    found inside ``adagrad``."""
    item = re.search(r"^- \*\*Optimizers\*\*(.*?)^- ", section(readme, "The Python API"),
                     flags=re.M | re.S)
    assert item, "the Python API section has no **Optimizers** item"
    groups = re.findall(r"`([a-z_\d]+(?:\s+[a-z_\d]+)+)`", item.group(1))
    return {word for group in groups for word in group.split()}


def test_catalog_table_lists_every_surface() -> None:
    assert catalog_names(README) == set(dyn.surface_names())


def test_every_optimizer_is_documented() -> None:
    assert optimizer_names(README) == set(dyn.optimizer_names())


def test_the_name_checks_match_whole_names() -> None:
    """A name missing from the README fails the checks even where a longer name contains
    it: without `gd`, `adagrad` does not count for it."""
    assert "adagrad" in optimizer_names(README)
    without_gd = re.sub(r"(?<=[` ])gd(?=[ `])", "", README)
    assert "adagrad" in without_gd and "gd" not in optimizer_names(without_gd)
    without_ravine = README.replace("| `ravine` |", "| ravine |")
    assert "ravine" in without_ravine and "ravine" not in catalog_names(without_ravine)


def test_demo_output_in_readme_is_current(capsys) -> None:
    from optiroll.dynamics import demo

    demo.main()
    for line in capsys.readouterr().out.splitlines():
        assert line in README, line


def scene_block(marker: str) -> str:
    return next(b for b in re.findall(r"```python\n(.*?)```", README, flags=re.S)
                if b.startswith(marker))


def test_the_write_your_own_scene_example_renders(tmp_path: Path) -> None:
    """The guide's scene renders with no prompt, and its panels stay inside the frame."""
    import subprocess
    import sys

    from manim import ValueTracker, config, tempconfig

    code = scene_block("# my_scene.py")
    (tmp_path / "my_scene.py").write_text(code)
    r = subprocess.run([sys.executable, "-m", "manim", "render", "-r", "320,180", "--fps", "5",
                        "--media_dir", str(tmp_path / "media"), "my_scene.py"], cwd=tmp_path,
                       env=installed_env(), capture_output=True,
                       text=True, stdin=subprocess.DEVNULL, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    import av
    from optiroll.scenes.kit import theme

    with av.open(str(next((tmp_path / "media").rglob("AdamTwoRates.mp4")))) as c:
        first = next(c.decode(video=0)).to_ndarray(format="rgb24")
    background = [int(theme.BACKGROUND[i:i + 2], 16) for i in (1, 3, 5)]
    assert abs(first[2, 2].astype(int) - background).max() <= 3  # no manim.cfg needed
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    with tempconfig({"pixel_width": 320, "pixel_height": 180, "save_last_frame": True,
                     "write_to_movie": False, "media_dir": str(tmp_path / "skip"),
                     "verbosity": "ERROR"}):
        scene = namespace["AdamTwoRates"]()
        scene.render()
        w, h = config.frame_width / 2, config.frame_height / 2
        for mob in scene.mobjects:
            if getattr(mob, "full_frame_layer", False) or isinstance(mob, ValueTracker):
                continue  # the 3-D layer is a frame-sized image; trackers are not drawn
            assert -w <= mob.get_left()[0] and mob.get_right()[0] <= w, mob
            assert -h <= mob.get_bottom()[1] and mob.get_top()[1] <= h, mob


def test_every_piece_in_the_kit_tables_imports_from_the_kit() -> None:
    """The README's kit tables say `from optiroll.scenes.kit import ...`: ModelEllipse,
    Swarm, BasinLayer and FunctionPlot had raised ImportError."""
    import optiroll.scenes.kit as kit

    kit_section = README[README.index("### The scene kit"):]
    tables = section(README, "Write your own scene") + kit_section[:kit_section.index("\n## ")]
    rows = re.findall(r"^\| ((?:`\w+`(?:, )?)+) \|", tables, flags=re.M)
    names = {n for row in rows for n in re.findall(r"`(\w+)`", row)} - {"piece"}
    assert {"ModelEllipse", "Swarm", "BasinLayer", "FunctionPlot", "ContourMap"} <= names
    assert sorted(n for n in names if not hasattr(kit, n)) == []
