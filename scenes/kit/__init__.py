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
    "fit_target": "motion", "place": "motion", "fade_in": "motion", "fade_out": "motion",
    "MinimaMarkers": "motion", "ModelEllipse": "quadratic", "Swarm": "swarm",
    "BasinLayer": "swarm", "FunctionPlot": "plots",
}

#: modules named as pieces (``from optiroll.scenes.kit import theme``)
_MODULES = ("theme", "colors", "typeset")

__all__ = sorted([*_WHERE, *_MODULES])


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _WHERE:
        return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
