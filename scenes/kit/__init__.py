"""Reusable Manim pieces. They take Rollout arrays and draw; no numerics here.

Names load on first use, so ``optiroll.scenes.kit.theme`` and ``optiroll.scenes.kit.colors``
(no manim) import quickly for the command line and the spec checker.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "Ball": "balls", "Trail": "balls", "VectorArrow": "balls", "nest": "balls",
    "nested_scale": "balls", "LayerCamera": "camera",
    "ContourMap": "contour", "PlotFrame": "frame", "IterationPlot": "plots",
    "Legend": "readouts", "LiveText": "readouts", "iteration_readout": "readouts",
    "format_value": "readouts", "Ball3D": "surface3d", "Camera": "camera3d",
    "SurfaceRenderer": "surface3d", "SurfaceView": "surface3d", "Timeline": "timeline",
    "at": "timeline", "SidePanel": "panel", "DataPanel": "data_panel",
    "ThemedScene": "scene", "CameraPath": "camera3d", "ColourGifWriter": "writer",
    "Fade": "motion", "Glide": "motion", "follows": "scene", "fitted_caption": "panel",
}

__all__ = sorted([*_WHERE, "theme"])


def __getattr__(name: str) -> Any:
    if name == "theme":
        return importlib.import_module(".theme", __name__)
    if name in _WHERE:
        return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
