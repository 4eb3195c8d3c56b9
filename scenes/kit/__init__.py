"""Reusable Manim pieces. They take Rollout arrays and draw; no numerics here."""

from . import theme
from .balls import Ball, Trail, VectorArrow
from .camera import LayerCamera
from .contour import ContourMap
from .frame import PlotFrame
from .plots import IterationPlot
from .readouts import Legend, LiveText, format_value, iteration_readout
from .surface3d import Ball3D, Camera, SurfaceRenderer, SurfaceView
from .timeline import Timeline, at

__all__ = [
    "Ball", "Ball3D", "Camera", "ContourMap", "LayerCamera", "IterationPlot", "Legend", "LiveText",
    "PlotFrame", "SurfaceRenderer", "SurfaceView", "Timeline", "Trail", "VectorArrow", "at",
    "format_value", "iteration_readout", "theme",
]
