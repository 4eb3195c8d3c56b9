"""The Adam family, exactly as torch.optim: Adam, AdamW, NAdam, RAdam, Adamax."""

from __future__ import annotations

import math

import numpy as np

from .base import (
    Array,
    Optimizer,
    Oracle,
    State,
    betas_pair,
    flag,
    nonneg,
    positive,
    register,
)


def _moments(m: Array, v: Array, g: Array, b1: float, b2: float) -> tuple[Array, Array]:
    """``m <- m + (1 - b1)(g - m)`` (torch's lerp) and ``v <- b2 v + (1 - b2) g^2``.

    Returns new arrays (the inputs are untouched); the in-place operators on
    those fresh arrays only save allocations in this hot path.
    """
    m_new = g - m
    m_new *= 1.0 - b1
    m_new += m
    v_new = v * b2
    gg = (1.0 - b2) * g
    gg *= g
    v_new += gg
    return m_new, v_new


class _WeightDecayMixin:
    """L2 (``g += wd * w``) or decoupled (``w *= 1 - lr * wd``) weight decay."""

    def _decay(self, params: Array, grad: Array, lr: float) -> tuple[Array, Array]:
        wd = self.weight_decay  # type: ignore[attr-defined]
        if not wd:
            return params, grad
        if self.hyperparams.get("decoupled_weight_decay", False):  # type: ignore[attr-defined]
            return params * (1.0 - lr * wd), grad
        return params, grad + wd * params


@register
class Adam(_WeightDecayMixin, Optimizer):
    r"""torch.optim.Adam, exactly.

    .. code-block:: text

        g_t  = grad + weight_decay * w_{t-1}       (or w_{t-1} *= 1 - lr*wd, decoupled)
        m_t  = beta1 * m_{t-1} + (1 - beta1) * g_t
        v_t  = beta2 * v_{t-1} + (1 - beta2) * g_t^2
        vmax_t = max(vmax_{t-1}, v_t)                       (amsgrad: max of v, not v-hat)
        w_t  = w_{t-1} - lr / (1 - beta1^t) * m_t / (sqrt(v_t) / sqrt(1 - beta2^t) + eps)

    With ``amsgrad=True`` ``vmax_t`` replaces ``v_t`` in the denominator.
    Reference: Kingma & Ba, 2015; Reddi et al., 2018 (AMSGrad).
    """

    name = "adam"
    params = {
        "lr": (1e-3, nonneg),
        "betas": ((0.9, 0.999), betas_pair),
        "eps": (1e-8, positive),
        "weight_decay": (0.0, nonneg),
        "amsgrad": (False, flag),
        "decoupled_weight_decay": (False, flag),
    }
    state_names = ("exp_avg", "exp_avg_sq", "max_exp_avg_sq")

    def step(self, params: Array, grad: Array, state: State, t: int, lr: float,
             oracle: Oracle) -> tuple[Array, State]:
        b1, b2 = self.betas
        params, g = self._decay(params, grad, lr)
        m, v = _moments(state["exp_avg"], state["exp_avg_sq"], g, b1, b2)
        vmax = np.maximum(state["max_exp_avg_sq"], v) if self.amsgrad else state["max_exp_avg_sq"]
        step_size = lr / (1.0 - b1**t)
        denom = np.sqrt(vmax if self.amsgrad else v)
        denom /= math.sqrt(1.0 - b2**t)
        denom += self.eps
        per_coord = np.divide(step_size, denom, out=denom)
        # step_size multiplies the bias-corrected m-hat: lr / (sqrt(v-hat) + eps)
        new_state = {"exp_avg": m, "exp_avg_sq": v, "max_exp_avg_sq": vmax,
                     "step_size": per_coord * (1.0 - b1**t)}
        return params - per_coord * m, new_state


@register
class AdamW(Adam):
    r"""torch.optim.AdamW: Adam with decoupled weight decay (default 1e-2).

    ``w_{t-1} *= 1 - lr * weight_decay`` before the Adam step.
    Reference: Loshchilov & Hutter, 2019.
    """

    name = "adamw"
    params = {
        "lr": (1e-3, nonneg),
        "betas": ((0.9, 0.999), betas_pair),
        "eps": (1e-8, positive),
        "weight_decay": (1e-2, nonneg),
        "amsgrad": (False, flag),
    }

    def _decay(self, params: Array, grad: Array, lr: float) -> tuple[Array, Array]:
        return (params * (1.0 - lr * self.weight_decay) if self.weight_decay else params), grad


@register
class NAdam(_WeightDecayMixin, Optimizer):
    r"""torch.optim.NAdam, exactly.

    .. code-block:: text

        mu_t   = beta1 * (1 - 0.5 * 0.96^(t * momentum_decay)),  P_t = prod_{i<=t} mu_i
        m_t, v_t as in Adam
        denom  = sqrt(v_t / (1 - beta2^t)) + eps
        w_t    = w_{t-1} - lr (1 - mu_t) / (1 - P_t) * g_t / denom
                         - lr mu_{t+1} / (1 - P_t mu_{t+1}) * m_t / denom

    Reference: Dozat, 2016.
    """

    name = "nadam"
    params = {
        "lr": (2e-3, nonneg),
        "betas": ((0.9, 0.999), betas_pair),
        "eps": (1e-8, positive),
        "weight_decay": (0.0, nonneg),
        "momentum_decay": (4e-3, nonneg),
        "decoupled_weight_decay": (False, flag),
    }
    state_names = ("exp_avg", "exp_avg_sq")

    def init(self, params: Array) -> State:
        state = super().init(params)
        state["mu_product"] = np.ones(params.shape[:-1] + (1,))
        return state

    def step(self, params: Array, grad: Array, state: State, t: int, lr: float,
             oracle: Oracle) -> tuple[Array, State]:
        b1, b2 = self.betas
        params, g = self._decay(params, grad, lr)
        mu = b1 * (1.0 - 0.5 * 0.96 ** (t * self.momentum_decay))
        mu_next = b1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * self.momentum_decay))
        mu_product = state["mu_product"] * mu
        m, v = _moments(state["exp_avg"], state["exp_avg_sq"], g, b1, b2)
        denom = np.sqrt(v / (1.0 - b2**t)) + self.eps
        c_grad = lr * (1.0 - mu) / (1.0 - mu_product)
        c_avg = lr * mu_next / (1.0 - mu_product * mu_next)
        new = params - c_grad * g / denom - c_avg * m / denom
        # step_size multiplies the Nesterov direction
        # (1 - mu_t) / (1 - P_t) g_t + mu_{t+1} / (1 - P_t mu_{t+1}) m_t
        new_state = {"exp_avg": m, "exp_avg_sq": v, "mu_product": mu_product,
                     "step_size": lr / denom}
        return new, new_state


@register
class RAdam(_WeightDecayMixin, Optimizer):
    r"""torch.optim.RAdam, exactly.

    .. code-block:: text

        m_t, v_t as in Adam;  rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t)
        if rho_t > 5:
            r_t = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
            w_t = w_{t-1} - lr * m_t / (1 - beta1^t) * r_t * sqrt(1 - beta2^t) / (sqrt(v_t) + eps)
        else:
            w_t = w_{t-1} - lr * m_t / (1 - beta1^t)

    Reference: Liu et al., 2020.
    """

    name = "radam"
    params = {
        "lr": (1e-3, nonneg),
        "betas": ((0.9, 0.999), betas_pair),
        "eps": (1e-8, positive),
        "weight_decay": (0.0, nonneg),
        "decoupled_weight_decay": (False, flag),
    }
    state_names = ("exp_avg", "exp_avg_sq")

    def step(self, params: Array, grad: Array, state: State, t: int, lr: float,
             oracle: Oracle) -> tuple[Array, State]:
        b1, b2 = self.betas
        params, g = self._decay(params, grad, lr)
        m, v = _moments(state["exp_avg"], state["exp_avg_sq"], g, b1, b2)
        bc1, bc2 = 1.0 - b1**t, 1.0 - b2**t
        rho_inf = 2.0 / (1.0 - b2) - 1.0
        rho_t = rho_inf - 2.0 * t * b2**t / bc2
        if rho_t > 5.0:
            rect = math.sqrt(
                (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
            )
            per_coord = lr * rect * math.sqrt(bc2) / (np.sqrt(v) + self.eps) / bc1
        else:
            per_coord = np.full_like(params, lr / bc1)
        # step_size multiplies m-hat = m_t / (1 - beta1^t)
        new_state = {"exp_avg": m, "exp_avg_sq": v, "step_size": per_coord * bc1}
        return params - m * per_coord, new_state


@register
class Adamax(_WeightDecayMixin, Optimizer):
    r"""torch.optim.Adamax, exactly.

    .. code-block:: text

        g_t = grad + weight_decay * w_{t-1}
        m_t = beta1 * m_{t-1} + (1 - beta1) * g_t
        u_t = max(beta2 * u_{t-1}, |g_t| + eps)
        w_t = w_{t-1} - lr / (1 - beta1^t) * m_t / u_t

    Reference: Kingma & Ba, 2015, section 7.1.
    """

    name = "adamax"
    params = {
        "lr": (2e-3, nonneg),
        "betas": ((0.9, 0.999), betas_pair),
        "eps": (1e-8, positive),
        "weight_decay": (0.0, nonneg),
    }
    state_names = ("exp_avg", "exp_inf")

    def step(self, params: Array, grad: Array, state: State, t: int, lr: float,
             oracle: Oracle) -> tuple[Array, State]:
        b1, b2 = self.betas
        params, g = self._decay(params, grad, lr)
        m = state["exp_avg"] + (1.0 - b1) * (g - state["exp_avg"])
        u = np.maximum(b2 * state["exp_inf"], np.abs(g) + self.eps)
        per_coord = lr / (1.0 - b1**t) / u
        # step_size multiplies m-hat = m_t / (1 - beta1^t): lr / u_t
        return params - per_coord * m, {"exp_avg": m, "exp_inf": u,
                                        "step_size": per_coord * (1.0 - b1**t)}
