"""`optiroll basins`: a basin map as a PNG, its shares printed, bad input refused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from optiroll import dynamics as dyn
from optiroll.dynamics.basins import basin_map, fit_view
from optiroll.scenes.basin_image import basin_rgb
from optiroll.scenes.cli import main
from optiroll.scenes.kit import theme
from optiroll.scenes.kit.colors import hex_to_rgb
from PIL import Image


def run(*args: str):
    return CliRunner().invoke(main, ["basins", *args], catch_exceptions=False)


def test_map_png_and_shares(tmp_path: Path) -> None:
    out = tmp_path / "wells.png"
    r = run("wells", "--set", "lr=0.05", "--set", "beta=0.9", "--size", "96x54", "--steps",
            "300", "-o", str(out))
    assert r.exit_code == 0, r.output
    img = np.asarray(Image.open(out).convert("RGB"))
    assert img.shape == (54, 96, 3)
    s = dyn.surface("wells")
    view = fit_view(s.view, 96, 54)
    labels = basin_map(s, dyn.optimizer("momentum", lr=0.05, beta=0.9), 96, 54, 300, view=view)
    assert np.array_equal(img, basin_rgb(labels, s, view))
    for i in range(3):  # each printed share is the map's own
        assert f": {np.mean(labels == i):.1%} of starts" in r.output
    assert "96x54 = 5,184 starts" in r.output and "wrote" in r.output
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_picture_colours_basins_by_minimum_and_marks_minima() -> None:
    s = dyn.surface("wells")
    labels = np.array([[0, 1, 2, -1, -2, 0]] * 4, dtype=np.int16)
    rgb = basin_rgb(labels, s, ((5.0, 9.0), (5.0, 9.0)))  # a view with no minimum in it
    for col, colour in ((0, theme.PALETTE[0]), (1, theme.PALETTE[1]), (2, theme.PALETTE[2])):
        hue = rgb[:, col] / 255.0
        ratio = hue / np.maximum(hex_to_rgb(colour), 1e-9)  # the palette colour, shaded
        assert np.allclose(ratio, ratio[:, :1], atol=0.02)
    assert np.array_equal(rgb[0, 4], np.round(hex_to_rgb(theme.BACKGROUND) * 255))
    big = basin_rgb(np.zeros((200, 200), np.int16), s, s.view)
    (x0, x1), (y0, y1) = s.view
    mx, my = s.minima[0]
    col, row = int((mx - x0) / (x1 - x0) * 200), int((y1 - my) / (y1 - y0) * 200)
    assert np.array_equal(big[row, col], np.round(hex_to_rgb(theme.WHITE) * 255))


@pytest.mark.parametrize(("args", "message"), [
    (["wellz"], "unknown surface 'wellz'. Did you mean 'wells'?"),
    (["wells", "--optimizer", "adamm"], "Did you mean 'adam'?"),
    (["wells", "--set", "lr=-1"], "lr must be in [0, inf)"),
    (["wells", "--set", "lr"], "--set lr: write NAME=VALUE"),
    (["wells", "--set", "lr=fast"], "'fast' is not a number"),
    (["wells", "--size", "big"], "--size big: write it as WxH"),
    (["wells", "--size", "0x10"], "width and height must be at least 1 pixel"),
    (["wells", "--steps", "0", "--size", "8x8"], "steps must be"),
    (["0.1*x**2 + y**2", "--size", "8x8"],
     "the formula '0.1*x**2 + y**2' lists no minima to colour basins by"),
    (["wells", "--size", "100000x100000"], "at most 16384 pixels a side"),
    (["wells", "-o", "/no/such/folder/map.png"], "folder /no/such/folder does not exist"),
    (["wells", "-o", "map.jpg"], "a basin map is a PNG"),
    (["wells", "-j", "2", "--scheduler", "tcp://127.0.0.1:9"], "leave out --jobs"),
    (["wells", "--size", "8x8", "-o", "folder.png"], "--out folder.png: cannot write it"),
])
def test_bad_input_one_line_exit_2(args: list[str], message: str, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "folder.png").mkdir()  # a folder where the PNG should go
    r = CliRunner().invoke(main, ["basins", *args])
    assert r.exit_code == 2, r.output
    assert message in r.output
    assert len(r.output.strip().splitlines()) == 1
    assert [p.name for p in tmp_path.rglob("*.png")] == ["folder.png"]
