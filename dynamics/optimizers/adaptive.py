"""Per-coordinate adaptive methods: AdaGrad, RMSprop, Adadelta (torch.optim)."""

from __future__ import annotations

import numpy as np

from .base import (
    Array,
    Optimizer,
    Oracle,
    State,
    flag,
    nonneg,
    positive,
    register,
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
    form of the AdaGrad article (seed 004). Reference: Duchi et al., 2011.
    """

    name = "adagrad"
    params = {
        "lr": (1e-2, nonneg),
        "lr_decay": (0.0, nonneg),
        "weight_decay": (0.0, nonneg),
        "initial_accumulator_value": (0.0, nonneg),
        "eps": (1e-10, positive),
        "eps_inside_sqrt": (False, flag),
    }
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
    Reference: Hinton, Coursera lecture 6e, 2012; Graves, 2013 (centered).
    """

    name = "rmsprop"
    params = {
        "lr": (1e-2, nonneg),
        "alpha": (0.99, unit_closed),
        "eps": (1e-8, positive),
        "weight_decay": (0.0, nonneg),
        "momentum": (0.0, nonneg),
        "centered": (False, flag),
        "eps_inside_sqrt": (False, flag),
    }
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

    Reference: Zeiler, 2012.
    """

    name = "adadelta"
    params = {
        "lr": (1.0, nonneg),
        "rho": (0.9, unit_closed),
        "eps": (1e-6, positive),
        "weight_decay": (0.0, nonneg),
    }
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
