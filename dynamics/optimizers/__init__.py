"""Optimizer specs. Importing this package registers every optimizer."""

from . import adam, adaptive, second_order, sgd  # noqa: F401
from .base import REGISTRY, Optimizer, Oracle, make_optimizer

__all__ = ["REGISTRY", "Optimizer", "Oracle", "make_optimizer"]
