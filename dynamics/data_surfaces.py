"""Loss surfaces over real (seeded, synthetic) data, from the source articles.

Mini-batch gradients sample real data points: :meth:`draw_sample` picks the
indices of one batch (without replacement) and every ball uses that batch at
that step, so optimizers compared side by side see the same data stream. The
batch gradient is the gradient of the same loss restricted to the batch (a
mean stays a mean, a sum stays a sum), as in the articles' code; so are the
batch loss and Hessian that line search and Newton use within a step
(``value(p, sample)``, ``hessian(p, sample)``). The recorded loss is always
the full-data loss.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .errors import OptirollError, check_int, check_number, check_range
from .surfaces import Array, DataSet, Surface


def _check_batch(batch_size: int | None, m: int) -> None:
    if batch_size is not None and not 1 <= batch_size <= m:
        raise OptirollError(
            f"batch_size must be between 1 and the number of data points ({m}), got {batch_size}"
        )


@dataclass(frozen=True, eq=False)
class DataSurface(Surface):
    """A loss over ``m`` data points (one target each) that supports mini-batches.

    A ``sample`` is an index array picking one batch of rows (None: all rows).
    ``value``, ``gradient`` and ``hessian`` with a sample are those of the same
    loss restricted to the batch, with the same reduction (a mean over the
    batch stays a mean, a sum a sum).
    """

    targets: Array = field(default_factory=lambda: np.zeros(1))
    has_data = True

    @property
    def n_points(self) -> int:
        """The number of data points ``m``."""
        return len(self.targets)

    def draw_sample(self, rng: np.random.Generator, batch_size: int | None, noise: float) -> Any:
        """The indices of one mini-batch, drawn without replacement.

        ``batch_size`` None or ``m`` is the full batch: returns None and draws
        nothing from ``rng``. ``noise`` is unused (a rollout rejects it).
        """
        m = self.n_points
        _check_batch(batch_size, m)
        if batch_size is None or batch_size == m:
            return None
        return rng.choice(m, size=batch_size, replace=False)


@dataclass(frozen=True, eq=False)
class LeastSquaresSurface(DataSurface):
    """``L(p) = c * sum_i (A_i . p - y_i)^2`` over data rows ``A_i``.

    ``c = 1/m`` (``reduction="mean"``) or ``1/2`` (``reduction="half_sum"``).
    Gradient ``2c A^T (A p - y)``; Hessian ``2c A^T A`` (constant). Over a
    mini-batch ``B``: the same with the rows of ``B`` and ``c = 1/|B|`` or ``1/2``.
    """

    A: Array = field(default_factory=lambda: np.zeros((1, 2)))
    reduction: str = "mean"
    #: True when the first column of ``A`` is the constant 1 (an intercept):
    #: then the data's input is the second column alone
    intercept: bool = False
    model: str = "w dot x"

    @property
    def data(self) -> DataSet:
        x = self.A[:, 1] if self.intercept else self.A
        return DataSet(x=x.copy(), y=self.targets.copy(), model=self.model)

    def predict(self, params: Array, x: Array) -> Array:
        """``p0 + p1 x`` with an intercept, else ``x . p``."""
        p = np.asarray(params, float)
        x = np.asarray(x, float)
        if self.intercept:
            return p[..., 0, None] + p[..., 1, None] * x
        return p @ x.T

    def _scale(self, m: int) -> float:
        return 1.0 / m if self.reduction == "mean" else 0.5

    # Elementwise products and sums along the data's axis, never a matrix product: BLAS
    # sums a batch of balls in another order than one ball (a last-bit difference that a
    # chaotic run grows), so a batch of starts would not equal its single runs.
    def _residual(self, p: Array, idx: Array | None) -> tuple[Array, Array]:
        A = self.A if idx is None else self.A[idx]
        t = self.targets if idx is None else self.targets[idx]
        p = np.asarray(p, float)
        return p[..., 0, None] * A[:, 0] + p[..., 1, None] * A[:, 1] - t, A

    def _grad(self, r: Array, A: Array) -> Array:
        """``2c A^T r``, one sum per parameter along the data."""
        c2 = 2.0 * self._scale(len(A))
        return c2 * np.stack([np.sum(r * A[:, 0], axis=-1), np.sum(r * A[:, 1], axis=-1)], -1)

    def value(self, p: Array, sample: Any = None) -> Array:
        """``c * |A p - y|^2`` over all rows, or over the batch ``sample``."""
        r, A = self._residual(p, sample)
        return self._scale(len(A)) * np.sum(r * r, axis=-1)

    def gradient(self, p: Array, sample: Any = None) -> Array:
        """``2c A^T (A p - y)`` over all rows, or over the batch ``sample``."""
        r, A = self._residual(p, sample)
        return self._grad(r, A)

    def value_and_gradient(self, p: Array, sample: Any = None) -> tuple[Array, Array]:
        if sample is not None:
            return self.value(p), self.gradient(p, sample)
        r, A = self._residual(p, None)
        return self._scale(len(A)) * np.sum(r * r, axis=-1), self._grad(r, A)

    def hessian(self, p: Array, sample: Any = None) -> Array:
        """``2c A^T A`` over all rows, or over the batch ``sample``."""
        p = np.asarray(p, float)
        A = self.A if sample is None else self.A[sample]
        H = 2.0 * self._scale(len(A)) * (A.T @ A)
        return np.broadcast_to(H, p.shape[:-1] + (2, 2)).copy()

    def least_squares_minimum(self) -> tuple[float, float]:
        sol, *_ = np.linalg.lstsq(self.A, self.targets, rcond=None)
        return float(sol[0]), float(sol[1])


def _sigmoid(z: Array) -> Array:
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # overflow-free logistic


@dataclass(frozen=True, eq=False)
class SigmoidSquaredLossSurface(DataSurface):
    """``L(w, b) = sum_i 1/2 (sigma(w x_i + b) - y_i)^2`` (article 003).

    With ``f_i = sigma(z_i)``, ``z_i = w x_i + b``:
    ``dL/dz_i = (f_i - y_i) f_i (1 - f_i)`` and
    ``d2L/dz_i^2 = f_i (1 - f_i) [f_i (1 - f_i) + (f_i - y_i)(1 - 2 f_i)]``;
    the gradient is ``sum_i dL/dz_i (x_i, 1)``, the Hessian
    ``sum_i d2L/dz_i^2 [[x_i^2, x_i], [x_i, 1]]``. Over a mini-batch the sums
    run over the batch's points.
    """

    xs: Array = field(default_factory=lambda: np.zeros(1))

    @property
    def data(self) -> DataSet:
        return DataSet(x=self.xs.copy(), y=self.targets.copy(), model="sigma(w x + b)")

    def predict(self, params: Array, x: Array) -> Array:
        """``sigma(w x + b)``."""
        p = np.asarray(params, float)
        return _sigmoid(p[..., 0, None] * np.asarray(x, float) + p[..., 1, None])

    def _parts(self, p: Array, idx: Array | None) -> tuple[Array, Array, Array]:
        p = np.asarray(p, float)
        xs = self.xs if idx is None else self.xs[idx]
        t = self.targets if idx is None else self.targets[idx]
        f = _sigmoid(p[..., 0, None] * xs + p[..., 1, None])
        return f, t, xs

    def value(self, p: Array, sample: Any = None) -> Array:
        """``sum_i 1/2 (f_i - y_i)^2`` over all points, or over the batch ``sample``."""
        f, t, _ = self._parts(p, sample)
        return 0.5 * np.sum((f - t) ** 2, axis=-1)

    def gradient(self, p: Array, sample: Any = None) -> Array:
        f, t, xs = self._parts(p, sample)
        dz = (f - t) * f * (1.0 - f)
        return np.stack([np.sum(dz * xs, -1), np.sum(dz, -1)], axis=-1)

    def hessian(self, p: Array, sample: Any = None) -> Array:
        f, t, xs = self._parts(p, sample)
        s = f * (1.0 - f)
        d2 = s * (s + (f - t) * (1.0 - 2.0 * f))
        hww, hwb, hbb = np.sum(d2 * xs**2, -1), np.sum(d2 * xs, -1), np.sum(d2, -1)
        return np.stack([np.stack([hww, hwb], -1), np.stack([hwb, hbb], -1)], -2)


#: the most data points a data surface holds (every point is drawn, and the loss over a
#: map's grid is a sum over all of them: 10^8 points had asked for 10 TiB)
MAX_POINTS = 10_000


def _check_data_params(
    n: object, pair_name: str, pair: object, noise_std: object, seed: object
) -> tuple[int, tuple[float, float], float, int]:
    """Checked ``(n, pair, noise_std, seed)`` of a synthetic least-squares data set.

    ``n`` an integer from 2 (two parameters need two points for one best fit) to
    :data:`MAX_POINTS`,
    ``pair`` two finite numbers (the true parameters), ``noise_std >= 0`` and
    ``seed`` an integer >= 0 (numpy's generator seed).
    """
    n = check_int("n", n, 2)
    if n > MAX_POINTS:
        raise OptirollError(f"n must be at most {MAX_POINTS:,} data points, got {n:,}")
    try:
        a, b = pair  # type: ignore[misc]
    except (TypeError, ValueError):
        raise OptirollError(
            f"{pair_name} must be a pair of numbers ({pair_name}_0, {pair_name}_1), got {pair!r}"
        ) from None
    pair = (check_number(f"{pair_name}[0]", a), check_number(f"{pair_name}[1]", b))
    noise_std = check_range("noise_std", noise_std, 0.0)
    seed = check_int("seed", seed, 0)
    return n, pair, noise_std, seed


def linear_regression(
    n: int = 10, theta: tuple[float, float] = (5.0, 2.0), noise_std: float = 0.2, seed: int = 0
) -> LeastSquaresSurface:
    """MSE of ``h(x) = theta0 + theta1 x`` on ``x = 1..n`` (article 001).

    ``y = theta0 + theta1 x + N(0, noise_std^2)``, seeded;
    ``L(theta0, theta1) = 1/m sum_i (theta0 + theta1 x_i - y_i)^2``.
    ``n >= 2`` (a line needs two points), ``noise_std >= 0``, ``seed >= 0``.
    """
    n, theta, noise_std, seed = _check_data_params(n, "theta", theta, noise_std, seed)
    rng = np.random.default_rng(seed)
    x = np.linspace(1.0, float(n), n)
    y = theta[0] + theta[1] * x + rng.normal(0.0, noise_std, n)
    s = LeastSquaresSurface(
        name="linear_regression",
        display_name="Linear regression (MSE)",
        typst="1/m sum_i (theta_0 + theta_1 x_i - y_i)^2",
        view=((0.0, 10.0), (0.0, 4.0)),
        axis_names=("theta_0", "theta_1"),
        spec={
            "name": "linear_regression",
            "n": n,
            "theta": list(theta),
            "noise_std": noise_std,
            "seed": seed,
        },
        A=np.stack([np.ones(n), x], axis=1),
        targets=y,
        reduction="mean",
        intercept=True,
        model="theta_0 + theta_1 x",
    )
    object.__setattr__(s, "minima", (s.least_squares_minimum(),))
    return s


def two_weight_linear(
    n: int = 100, w: tuple[float, float] = (3.0, -5.0), noise_std: float = 0.2, seed: int = 0
) -> LeastSquaresSurface:
    """``L(w1, w2) = 1/2 sum_i (w1 x1_i + w2 x2_i - y_i)^2`` (article 002).

    ``x ~ N(0, I)``, ``y = x . w + noise_std * N(0, 1)``, seeded.
    ``n >= 2`` (two weights need two points), ``noise_std >= 0``, ``seed >= 0``.
    """
    n, w, noise_std, seed = _check_data_params(n, "w", w, noise_std, seed)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 2))
    y = X @ np.asarray(w, float) + noise_std * rng.standard_normal(n)
    s = LeastSquaresSurface(
        name="two_weight_linear",
        display_name="Two-weight linear model",
        typst="1/2 sum_i (w_1 x_(1 i) + w_2 x_(2 i) - y_i)^2",
        view=((-10.0, 10.0), (-10.0, 10.0)),
        axis_names=("w_1", "w_2"),
        spec={"name": "two_weight_linear", "n": n, "w": list(w), "noise_std": noise_std,
              "seed": seed},
        A=X,
        targets=y,
        reduction="half_sum",
        model="w_1 x_1 + w_2 x_2",
    )
    object.__setattr__(s, "minima", (s.least_squares_minimum(),))
    return s


def sigmoid_regression(
    xs: tuple[float, ...] = (0.5, 2.5), ys: tuple[float, ...] = (0.2, 0.9)
) -> SigmoidSquaredLossSurface:
    """Squared error of a sigmoid neuron over ``(w, b)`` (article 003).

    Defaults are the article's two points; the minimum is where
    ``sigma(w x_i + b) = y_i`` for both points (zero loss).
    """
    try:
        xs_a, ys_a = np.asarray(xs, float), np.asarray(ys, float)
    except (TypeError, ValueError):
        raise OptirollError(
            f"sigmoid_regression needs xs and ys as lists of numbers, got xs={xs!r}, ys={ys!r}"
        ) from None
    if xs_a.shape != ys_a.shape or xs_a.ndim != 1 or len(xs_a) == 0:
        raise OptirollError("sigmoid_regression needs xs and ys of the same non-zero length")
    if len(xs_a) > MAX_POINTS:
        raise OptirollError(f"sigmoid_regression takes at most {MAX_POINTS:,} data points, "
                            f"got {len(xs_a):,}")
    if not np.all(np.isfinite(xs_a)):
        raise OptirollError(f"sigmoid_regression inputs xs must be finite, got {xs!r}")
    if np.any((ys_a <= 0) | (ys_a >= 1)):
        raise OptirollError("sigmoid_regression targets ys must lie in (0, 1)")
    minima: tuple[tuple[float, float], ...] = ()
    if len(xs_a) == 2 and xs_a[0] != xs_a[1]:
        logit = np.log(ys_a / (1 - ys_a))
        w = (logit[1] - logit[0]) / (xs_a[1] - xs_a[0])
        minima = ((float(w), float(logit[0] - w * xs_a[0])),)
    return SigmoidSquaredLossSurface(
        name="sigmoid_regression",
        display_name="Sigmoid neuron (squared error)",
        typst="sum_i 1/2 (sigma(w x_i + b) - y_i)^2",
        view=((-6.0, 6.0), (-6.0, 6.0)),
        minima=minima,
        axis_names=("w", "b"),
        spec={"name": "sigmoid_regression", "xs": xs_a.tolist(), "ys": ys_a.tolist()},
        xs=xs_a,
        targets=ys_a,
    )


DATA_SURFACES = {
    "linear_regression": linear_regression,
    "two_weight_linear": two_weight_linear,
    "sigmoid_regression": sigmoid_regression,
}
