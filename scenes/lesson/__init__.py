"""Lessons as data: a spec (TOML or Python) -> rollouts -> acts -> automatic layout -> a Scene.

This package's spec, loading and naming modules never import manim, so
``optiroll check`` and ``optiroll list`` start quickly; the Scene class lives
in :mod:`optiroll.scenes.lesson.scene`.
"""

from .loading import SpecError, load_spec, validate
from .spec import CameraKey, CameraSpec, LessonSpec, PacingSpec, PlotSpec, RunSpec, ShowSpec

__all__ = ["CameraKey", "CameraSpec", "LessonSpec", "PacingSpec", "PlotSpec", "RunSpec",
           "ShowSpec", "SpecError", "load_spec", "validate"]
