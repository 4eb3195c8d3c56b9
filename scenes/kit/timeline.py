"""One timeline: a single ``iteration`` tracker drives every view.

Views read :attr:`Timeline.iteration` in their updaters, so the contour map,
the 3-D surface, the plots and the readouts can never drift apart.
"""

from __future__ import annotations

import numpy as np
from manim import Animation, ValueTracker, linear, smooth
from manim.utils.rate_functions import RateFunction

#: how far below an integer a tracker may land and still count as there: an animated
#: tracker's value is ``start + alpha * (end - start)``, which can fall a rounding error
#: short of the iterate a frame shows
DRIFT = 1e-9


def reached(iteration: float) -> int:
    """The last whole iterate reached at a (fractional) ``iteration``: its floor,
    tolerant of float drift (``6.9999999999`` has reached iterate 7).

    Every view that draws "up to the current iterate" (the counter, the readouts, the
    plots, the 3-D trail) uses it, so none can show iterate 7 while another shows 6.
    """
    return int(np.floor(iteration + DRIFT))


class Timeline:
    """The shared ``iteration`` tracker and the pacing of the lesson.

    Parameters
    ----------
    steps : the last iteration.
    iterations_per_second : playback speed of :meth:`play_to`.
    """

    def __init__(self, steps: int, iterations_per_second: float = 4.0) -> None:
        if iterations_per_second <= 0:
            raise ValueError("iterations_per_second must be > 0")
        self.steps = steps
        self.iterations_per_second = iterations_per_second
        self.tracker = ValueTracker(0.0)

    @property
    def iteration(self) -> float:
        return float(self.tracker.get_value())

    @property
    def reached(self) -> int:
        """The last whole iterate reached (see :func:`reached`)."""
        return reached(self.iteration)

    def set(self, k: float) -> None:
        self.tracker.set_value(float(np.clip(k, 0, self.steps)))

    def seconds_to(self, k: float | None = None,
                   iterations_per_second: float | None = None) -> float:
        """How long :meth:`play_to` takes to reach ``k`` from the current iteration."""
        k = self.steps if k is None else float(np.clip(k, 0, self.steps))
        return self.seconds_for(k - self.iteration, iterations_per_second)

    def seconds_for(self, iterations: float, iterations_per_second: float | None = None) -> float:
        """How long :meth:`play_to` takes to cover ``iterations`` at that speed."""
        ips = iterations_per_second or self.iterations_per_second
        return max(abs(iterations) / ips, 1e-3)

    def play_to(self, k: float | None = None, *, iterations_per_second: float | None = None,
                rate_func: RateFunction = linear) -> Animation:
        """Animation that moves the iteration to ``k`` (default: the end)."""
        run_time = self.seconds_to(k, iterations_per_second)
        k = self.steps if k is None else float(np.clip(k, 0, self.steps))
        return self.tracker.animate(run_time=run_time, rate_func=rate_func).set_value(k)

    def rewind(self, run_time: float) -> Animation:
        """Animation that runs the iteration back to 0 in ``run_time`` seconds (smoothly:
        balls retrace their paths and trails shrink back, before a replay)."""
        return self.tracker.animate(run_time=run_time, rate_func=smooth).set_value(0.0)


def at(values: np.ndarray, iteration: float) -> np.ndarray:
    """``values`` (one row per iteration) linearly interpolated at ``iteration``.

    Where the next row is not finite (the ball diverged there), the last finite
    row is held; before a row that is itself not finite the result is NaN.
    """
    values = np.asarray(values, float)
    n = len(values) - 1
    it = float(np.clip(iteration, 0, n))
    k = int(np.floor(it))
    f = it - k
    a = values[k]
    if f == 0 or k == n:
        return a.copy() if np.ndim(a) else np.asarray(a)
    b = values[k + 1]
    if not np.all(np.isfinite(b)):
        return a.copy() if np.ndim(a) else np.asarray(a)
    return a + (b - a) * f
