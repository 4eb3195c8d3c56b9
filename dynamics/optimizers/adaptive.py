"""Per-coordinate adaptive methods: AdaGrad, RMSprop, Adadelta (torch.optim)."""

from __future__ import annotations

import numpy as np

from .base import (
    Array,
    Optimizer,
    Oracle,
    Param,
    State,
    flag,
    nonneg,
    register,
    table,
    unit_closed,
)


@register
class Adagrad(Optimizer):
    r"""torch.optim.Adagrad, exactly (plus the textbook eps placement).

    .. code-block:: text

        g_t   = grad + weight_decay * w_{t-1}
        lr_t  = lr / (1 + (t - 1) * lr_decay)
        s_t   = s_{t-1} + g_t^2,             s_0 = initial_accumulator_value
        w_t   = w_{t-1} - lr_t * g_t / (sqrt(s_t) + eps)          (torch)
        w_t   = w_{t-1} - lr_t * g_t / sqrt(s_t + eps)            (eps_inside_sqrt=True)

    ``eps_inside_sqrt=True`` with ``eps=1e-6`` is the Dive-into-Deep-Learning
    form of the AdaGrad article (seed 004). State: ``sum`` (``s_t``) and
    ``step_size`` = ``lr_t / (sqrt(s_t) + eps)``, the per-coordinate rate on
    ``g_t``. Reference: Duchi et al., 2011.

    Example:
        >>> from optiroll import dynamics as dyn
        >>> run = dyn.rollout(dyn.surface("elongated_bowl"), dyn.optimizer("adagrad", lr=0.4),
        ...                   (-5, -2), 100)
        >>> print(*(f"{v:.3f}" for v in run.state["step_size"][1]))  # lr / |g_1| per axis
        0.400 0.050
        >>> print(f"{run.final_loss:.3f}")
        0.016
    """

    name = "adagrad"
    params = table(
        lr=1e-2,
        lr_decay=Param(0.0, nonneg, "learning-rate decay: lr_t = lr / (1 + (t - 1) * lr_decay)"),
        weight_decay=0.0,
        initial_accumulator_value=Param(
            0.0, nonneg, "starting value s_0 of the sum of squared gradients"
        ),
        eps=1e-10,
        eps_inside_sqrt=False,
    )
    state_names = ("sum",)

    def init(self, params: Array) -> State:
        state = super().init(params)
        state["sum"] = state["sum"] + self.initial_accumulator_value
        return state

    def step(self, params: Array, grad: Array, state: State, t: int, lr: float,
             oracle: Oracle) -> tuple[Array, State]:
        g = grad + self.weight_decay * params if self.weight_decay else grad
        clr = lr / (1.0 + (t - 1) * self.lr_decay)
        s = state["sum"] + g * g
        std = np.sqrt(s + self.eps) if self.eps_inside_sqrt else np.sqrt(s) + self.eps
        step_size = clr / std
        return params - step_size * g, {"sum": s, "step_size": step_size}


@register
class RMSprop(Optimizer):
    r"""torch.optim.RMSprop, exactly.

    .. code-block:: text

        g_t  = grad + weight_decay * w_{t-1}
        v_t  = alpha * v_{t-1} + (1 - alpha) * g_t^2
        c_t  = alpha * c_{t-1} + (1 - alpha) * g_t                   (centered)
        a_t  = sqrt(v_t - c_t^2) + eps   if centered   else sqrt(v_t) + eps
        b_t  = momentum * b_{t-1} + g_t / a_t;  w_t = w_{t-1} - lr * b_t   (momentum > 0)
        w_t  = w_{t-1} - lr * g_t / a_t                              (momentum = 0)

    ``eps_inside_sqrt=True`` uses ``sqrt(v_t + eps)`` (Hinton's lecture form).
    State: ``square_avg`` (``v_t``), ``grad_avg`` (``c_t``, 0 unless centered),
    ``momentum_buffer`` (``b_t``, 0 without momentum) and ``step_size``: ``lr /
    a_t`` on ``g_t`` without momentum, ``lr`` on ``b_t`` with it.
    Reference: Hinton, Coursera lecture 6e, 2012; Graves, 2013 (centered).

    Example:
        >>> from optiroll import dynamics as dyn
        >>> run = dyn.rollout(dyn.surface("elongated_bowl"), dyn.optimizer("rmsprop", lr=0.05),
        ...                   (-5, -2), 100)
        >>> print(*(f"{v:.4f}" for v in run.state["step_size"][1]))  # lr / sqrt(0.01 g_1^2)
        0.5000 0.0625
        >>> print(f"{run.final_loss:.1e}")
        3.5e-04
    """

    name = "rmsprop"
    params = table(
        lr=1e-2,
        alpha=Param(0.99, unit_closed, "smoothing constant of the running average of g^2"),
        eps=1e-8,
        weight_decay=0.0,
        momentum=0.0,
        centered=Param(
            False, flag, "divide by an estimate of the gradient's variance, v - c^2, not by v"
        ),
        eps_inside_sqrt=False,
    )
    state_names = ("square_avg", "grad_avg", "momentum_buffer")

    def step(self, params: Array, grad: Array, state: State, t: int, lr: float,
             oracle: Oracle) -> tuple[Array, State]:
        g = grad + self.weight_decay * params if self.weight_decay else grad
        a = self.alpha
        v = a * state["square_avg"] + (1.0 - a) * g * g
        c = state["grad_avg"]
        if self.centered:
            c = c + (1.0 - a) * (g - c)
            var = v - c * c
        else:
            var = v
        avg = np.sqrt(var + self.eps) if self.eps_inside_sqrt else np.sqrt(var) + self.eps
        buf = state["momentum_buffer"]
        if self.momentum > 0:
            buf = self.momentum * buf + g / avg
            new = params - lr * buf
        else:
            new = params - lr * (g / avg)
        # step_size multiplies the direction: g / avg, or the buffer with momentum
        step_size = np.full_like(params, lr) if self.momentum > 0 else lr / avg
        new_state = {"square_avg": v, "grad_avg": c, "momentum_buffer": buf,
                     "step_size": step_size}
        return new, new_state


@register
class Adadelta(Optimizer):
    r"""torch.optim.Adadelta, exactly.

    .. code-block:: text

        g_t  = grad + weight_decay * w_{t-1}
        v_t  = rho * v_{t-1} + (1 - rho) * g_t^2
        d_t  = sqrt(u_{t-1} + eps) / sqrt(v_t + eps) * g_t
        u_t  = rho * u_{t-1} + (1 - rho) * d_t^2
        w_t  = w_{t-1} - lr * d_t

    State: ``square_avg`` (``v_t``), ``acc_delta`` (``u_t``) and ``step_size``
    = ``lr * sqrt(u_{t-1} + eps) / sqrt(v_t + eps)``, the per-coordinate rate
    on ``g_t``. Reference: Zeiler, 2012.

    Example:
        >>> from optiroll import dynamics as dyn
        >>> run = dyn.rollout(dyn.surface("elongated_bowl"), dyn.optimizer("adadelta"),
        ...                   (-5, -2), 100)
        >>> print(f"{run.final_loss:.2f}")  # from 9.0: its steps start near sqrt(eps)
        7.39
    """

    name = "adadelta"
    params = table(
        lr=1.0,
        rho=Param(0.9, unit_closed, "coefficient of the running averages of g^2 and of d^2"),
        eps=1e-6,
        weight_decay=0.0,
    )
    state_names = ("square_avg", "acc_delta")

    def step(self, params: Array, grad: Array, state: State, t: int, lr: float,
             oracle: Oracle) -> tuple[Array, State]:
        g = grad + self.weight_decay * params if self.weight_decay else grad
        rho = self.rho
        v = rho * state["square_avg"] + (1.0 - rho) * g * g
        ratio = np.sqrt(state["acc_delta"] + self.eps) / np.sqrt(v + self.eps)
        d = ratio * g
        u = rho * state["acc_delta"] + (1.0 - rho) * d * d
        return params - lr * d, {"square_avg": v, "acc_delta": u, "step_size": lr * ratio}
