"""The contour view: contour lines from contourpy inside a labelled frame."""

from __future__ import annotations

import contourpy
import numpy as np
from manim import VGroup, VMobject
from optiroll import dynamics as dyn

from . import theme
from .frame import PlotFrame
from .levels import LevelScale

#: grid samples along x of a contour map (y follows the box's aspect)
RESOLUTION = 240


def grid_shape(width: float, height: float, resolution: int = RESOLUTION) -> tuple[int, int]:
    """Samples ``(nx, ny)`` of the grid a ``width`` x ``height`` contour map contours."""
    return resolution, max(40, int(resolution * height / width))


class ContourMap(PlotFrame):
    """A surface's contour map over its view box.

    Parameters
    ----------
    surface : a dynamics Surface (its ``grid`` gives the sampled values).
    width, height : size in scene units (the axes may be scaled differently).
    n_levels : number of contour lines; spacing is chosen per surface
        (see :class:`LevelScale`).
    resolution : grid samples along x (y follows the box's aspect).
    """

    def __init__(self, surface: dyn.Surface, width: float, height: float, *,
                 view: dyn.surface.Box | None = None, n_levels: int = 14,
                 resolution: int = RESOLUTION, axis_labels: bool = True,
                 font_size: float = theme.SMALL_SIZE) -> None:
        (x0, x1), (y0, y1) = view or surface.view
        names = surface.axis_names
        super().__init__((x0, x1), (y0, y1), width, height,
                         x_label=f"${names[0]}$" if axis_labels else None,
                         y_label=f"${names[1]}$" if axis_labels else None,
                         font_size=font_size)
        self.surface = surface
        xs, ys, Z = surface.grid(*grid_shape(width, height, resolution),
                                 view=((x0, x1), (y0, y1)))
        self.grid = (xs, ys, Z)
        self.scale_ = LevelScale(Z, n_levels=n_levels)
        gen = contourpy.contour_generator(xs, ys, Z, line_type=contourpy.LineType.Separate)
        self.lines = VGroup()
        #: (points in data coordinates, level) of every contour line, for other views
        self.data_lines: list[tuple[np.ndarray, float]] = []
        for level in self.scale_.levels:
            color = theme.colormap_hex(float(self.scale_.fraction(level)))
            for seg in gen.lines(level):
                if len(seg) < 2:
                    continue
                self.data_lines.append((seg, float(level)))
                line = VMobject(stroke_color=color, stroke_width=2.2, stroke_opacity=0.9)
                line.set_points_as_corners(self.c2p_array(seg))
                self.lines.add(line)
        self.add_to_back(self.lines)
        self.add_to_back(self.box)
