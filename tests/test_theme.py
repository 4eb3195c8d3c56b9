"""Run colours and the loss map are chosen together: every run colour stays visible over
every colour of the map, for normal vision and the three dichromacies."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from optiroll.scenes.kit import theme
from optiroll.scenes.kit.colors import VISIONS, delta_e, hex_to_rgb, lab, min_contrast, simulate

#: CIEDE2000 units between every run colour and every colour of the map (20 is a
#: clearly different colour; 2 is the smallest difference most people notice)
RUN_VS_MAP = 20.0
#: between two run colours, for normal vision
RUN_VS_RUN = 13.0
#: between two run colours seen with a dichromacy (Okabe-Ito's own vermillion and orange
#: are 6.5 apart for a deuteranope)
RUN_VS_RUN_DICHROMAT = 6.0
MAP = theme.colormap(np.linspace(0.0, 1.0, 256))


def test_ciede2000_matches_sharma_reference_pairs() -> None:
    """Sharma, Wu & Dalal (2005), Table 1, pairs 1, 3, 7 and 25."""
    pairs = [([50, 2.6772, -79.7751], [50, 0, -82.7485], 2.0425),
             ([50, 2.8361, -74.0200], [50, 0, -82.7485], 3.4412),
             ([50, 0, 0], [50, -1, 2], 2.3669),
             ([60.2574, -34.0099, 36.2677], [60.4626, -34.1751, 39.4387], 1.2644)]
    for a, b, expected in pairs:
        assert float(delta_e(np.array(a), np.array(b))) == pytest.approx(expected, abs=1e-4)


@pytest.mark.parametrize("vision", VISIONS)
@pytest.mark.parametrize("color", theme.PALETTE)
def test_every_run_colour_stands_out_from_the_whole_map(color: str, vision: str) -> None:
    assert min_contrast(color, MAP, vision) >= RUN_VS_MAP


def test_the_old_map_failed_this_test() -> None:
    """cividis' low end is the yellow Adam's ball used to vanish into."""
    cividis_low_end = np.array([[0.996, 0.910, 0.220]])
    assert min_contrast(theme.YELLOW, cividis_low_end) < 5


def test_run_colours_differ_from_each_other() -> None:
    labs = {c: lab(hex_to_rgb(c)) for c in theme.PALETTE}
    for a, b in itertools.combinations(theme.PALETTE, 2):
        assert float(delta_e(labs[a], labs[b])) >= RUN_VS_RUN, (a, b)


@pytest.mark.parametrize("vision", [v for v in VISIONS if v != "normal"])
def test_run_colours_differ_from_each_other_for_dichromats(vision: str) -> None:
    labs = {c: lab(simulate(hex_to_rgb(c), vision)) for c in theme.PALETTE}
    for a, b in itertools.combinations(theme.PALETTE, 2):
        assert float(delta_e(labs[a], labs[b])) >= RUN_VS_RUN_DICHROMAT, (vision, a, b)


def test_the_old_eighth_colour_failed_the_dichromat_test() -> None:
    """Line search's light blue beside momentum's sky blue, as a deuteranope sees them."""
    old, sky = (lab(simulate(hex_to_rgb(c), "deuteranopia")) for c in ("#7E9DF2",
                                                                         theme.SKY_BLUE))
    assert float(delta_e(old, sky)) < RUN_VS_RUN_DICHROMAT


def test_run_colours_are_brighter_than_the_map() -> None:
    """Every ball is lighter than every part of the map (CIELAB L*), whatever the hue."""
    darkest_run = min(float(lab(hex_to_rgb(c))[0]) for c in theme.PALETTE)
    assert darkest_run > float(lab(MAP)[:, 0].max()) + 15


def test_dichromat_simulation_keeps_grey_grey() -> None:
    grey = np.array([0.5, 0.5, 0.5])
    for vision in VISIONS:
        np.testing.assert_allclose(simulate(grey, vision), grey, atol=2e-3)


def test_an_optimizers_own_colour_goes_to_it_whatever_the_order() -> None:
    """Three gradient descent runs before a momentum run: momentum keeps its sky blue (the
    second GD run had taken it), the GD runs take the free colours after it."""
    cols = theme.series_colors(["gd", "gd", "gd", "momentum"])
    assert cols[0] == theme.VERMILLION and cols[3] == theme.SKY_BLUE
    assert len(set(cols)) == 4
    # a repeated optimizer listed before the owner of the colour it would take
    cols = theme.series_colors(["momentum", "momentum", "gd"])
    assert cols == [theme.SKY_BLUE, theme.BLUISH_GREEN, theme.VERMILLION]


def test_series_colors_honour_fixed_colours() -> None:
    cols = theme.series_colors(["momentum", "momentum", "momentum"],
                               [theme.VERMILLION, None, None])
    assert cols[0] == theme.VERMILLION and len(set(cols)) == 3
    assert cols[1] == theme.SKY_BLUE
