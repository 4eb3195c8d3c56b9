"""Golden frames: the contour map and the 3-D view, compared with stored PNGs.

Manim's own ``frames_comparison`` skips on Debian 12's cairo, so these tests
keep their own small references in ``tests/data/golden/`` (320x180 RGB). A
frame matches when

- the mean absolute difference over all pixels and channels is at most
  ``MEAN_TOLERANCE`` (0.25 of 255), and
- at most ``OUTLIER_SHARE`` (0.05 %, 29 pixels) of the pixels differ by more
  than ``PIXEL_TOLERANCE`` (24 of 255) in some channel

so antialiasing and rounding noise pass (the frames are deterministic on one
machine: the difference there is 0), while a ball moved by a tenth of an
iteration (0.09 % of the pixels off), a lost trail, another colour map or a
missing contour fails. On a mismatch the frame and a
difference image are written next to the test's temporary folder.

After a change that is meant to alter the picture, look at the new frames, then
regenerate the references with::

    OPTIROLL_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden_frames.py
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from manim import Scene, tempconfig
from optiroll import dynamics as dyn
from optiroll.scenes.kit import Ball, ContourMap, Timeline, Trail, theme
from optiroll.scenes.kit.surface3d import Ball3D, Camera, SurfaceRenderer
from PIL import Image

GOLDEN = Path(__file__).parent / "data" / "golden"
W, H = 320, 180
MEAN_TOLERANCE = 0.25
PIXEL_TOLERANCE = 24
OUTLIER_SHARE = 0.0005
UPDATE = os.environ.get("OPTIROLL_UPDATE_GOLDEN") == "1"
COLORS = (theme.VERMILLION, theme.SKY_BLUE, theme.BLUISH_GREEN)
ITERATION = 17.5


def runs() -> tuple[dyn.Surface, list[dyn.Rollout]]:
    """The flagship's race: heavy-ball momentum on the ravine for beta 0, 0.8, 0.9."""
    s = dyn.surface("ravine")
    return s, [dyn.rollout(s, dyn.optimizer("momentum", lr=0.1, beta=b), (-2.4, 0.2), 50)
               for b in (0.0, 0.8, 0.9)]


def contour_frame(tmp_path: Path, iteration: float = ITERATION) -> np.ndarray:
    """The 2-D map with three trails and balls at ``iteration`` (mid-step heads)."""
    s, rs = runs()
    with tempconfig({"pixel_width": W, "pixel_height": H, "frame_rate": 10,
                     "write_to_movie": False, "save_last_frame": False,
                     "media_dir": str(tmp_path), "background_color": theme.BACKGROUND}):
        scene = Scene()
        tl = Timeline(50)
        m = ContourMap(s, 12.0, 5.7)
        tl.set(iteration)
        scene.add(m, *[Trail(m, r.positions, tl, c) for r, c in zip(rs, COLORS, strict=True)],
                  *[Ball(m, r.positions, tl, c) for r, c in zip(rs, COLORS, strict=True)])
        scene.renderer.update_frame(scene)
        return scene.renderer.get_frame()[..., :3].copy()


def surface_frame(tmp_path: Path, iteration: float = ITERATION) -> np.ndarray:
    """The 3-D view from a tilted perspective camera at ``iteration``, balls and trails
    drawn, composited over the background as the scene shows it."""
    s, rs = runs()
    with tempconfig({"pixel_width": W, "pixel_height": H, "media_dir": str(tmp_path)}):
        m = ContourMap(s, 9.0, 4.3)
        r = SurfaceRenderer(m, mesh=32, height=1.2)
        img = r.render(W, H, Camera(-112, 44, 1.0, perspective=0.6), 1.0,
                       [Ball3D(run.positions, c) for run, c in zip(rs, COLORS, strict=True)],
                       iteration).astype(float)
    bg = np.array([int(theme.BACKGROUND.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4)], float)
    a = img[..., 3:] / 255.0
    return np.round(img[..., :3] * a + bg * (1 - a)).astype(np.uint8)


FRAMES: dict[str, Callable[..., np.ndarray]] = {
    "contour_map": contour_frame,
    "surface_3d": surface_frame,
}


def compare(got: np.ndarray, want: np.ndarray) -> tuple[float, float]:
    """Mean absolute difference (0-255) and the share of pixels off by more than
    ``PIXEL_TOLERANCE`` in some channel."""
    d = np.abs(got.astype(int) - want.astype(int))
    return float(d.mean()), float((d.max(axis=-1) > PIXEL_TOLERANCE).mean())


@pytest.mark.parametrize("name", sorted(FRAMES))
def test_frame_matches_its_golden_png(name: str, tmp_path: Path) -> None:
    got = FRAMES[name](tmp_path)
    assert got.shape == (H, W, 3) and got.dtype == np.uint8
    path = GOLDEN / f"{name}.png"
    if UPDATE:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        Image.fromarray(got).save(path, optimize=True)
    assert path.is_file(), f"no golden frame {path}: run with OPTIROLL_UPDATE_GOLDEN=1"
    want = np.asarray(Image.open(path).convert("RGB"))
    mean, outliers = compare(got, want)
    if mean > MEAN_TOLERANCE or outliers > OUTLIER_SHARE:
        Image.fromarray(got).save(tmp_path / f"{name}.got.png")
        diff = np.abs(got.astype(int) - want.astype(int)).max(axis=-1)
        Image.fromarray(np.clip(diff * 4, 0, 255).astype(np.uint8)).save(
            tmp_path / f"{name}.diff.png")
        pytest.fail(f"{name}: mean difference {mean:.2f} (limit {MEAN_TOLERANCE}), "
                    f"{outliers:.2%} of pixels off by more than {PIXEL_TOLERANCE} (limit "
                    f"{OUTLIER_SHARE:.2%}); frame and difference in {tmp_path}. If the change "
                    "is intended, look at them and regenerate with OPTIROLL_UPDATE_GOLDEN=1")


@pytest.mark.parametrize("name", sorted(FRAMES))
def test_the_comparison_catches_a_moved_ball(name: str, tmp_path: Path) -> None:
    """The tolerance is tight enough to fail a picture that tells a different story: the
    same frame with every ball's head a tenth of an iteration later."""
    want = np.asarray(Image.open(GOLDEN / f"{name}.png").convert("RGB"))
    mean, outliers = compare(FRAMES[name](tmp_path, ITERATION + 0.1), want)
    assert mean > MEAN_TOLERANCE or outliers > OUTLIER_SHARE, (mean, outliers)
