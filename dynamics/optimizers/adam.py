"""The Adam family, exactly as torch.optim: Adam, AdamW, NAdam, RAdam, Adamax."""

from __future__ import annotations

import math

import numpy as np

from .base import (
    Array,
    Optimizer,
    Oracle,
    Param,
    State,
    betas_pair,
    flag,
    nonneg,
    register,
    table,
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


#: What the five Adam-family tables share (torch's defaults); each adds its differences.
_ADAM_BASE = table(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)


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
    ``bias_correction=False`` (not in torch, for teaching what the correction does)
    drops both ``1 - beta^t`` factors and steps on the raw moving averages, which
    start at zero::

        w_t  = w_{t-1} - lr * m_t / (sqrt(v_t) + eps)

    so the first step is ``lr (1 - beta1) / sqrt(1 - beta2)`` per coordinate (3.16 lr
    with the default betas: ``v`` starts further below its mean than ``m``) instead
    of ``lr``: the large initial steps Kingma & Ba's section 3 warns about.
    State: ``exp_avg`` (``m_t``), ``exp_avg_sq`` (``v_t``), ``max_exp_avg_sq``
    (``vmax_t``, only with ``amsgrad=True``, as in torch) and ``step_size`` =
    ``lr / (sqrt(v-hat) + eps)``, the per-coordinate rate on ``m-hat = m_t /
    (1 - beta1^t)`` (on ``m_t`` itself, ``lr / (sqrt(v_t) + eps)``, without bias
    correction). Reference: Kingma & Ba, 2015 (Algorithm 1 and section 3); Reddi et
    al., 2018 (AMSGrad).

    Example:
        >>> from optiroll import dynamics as dyn
        >>> opt = dyn.optimizer("adam", lr=0.4)
        >>> run = dyn.rollout(dyn.surface("elongated_bowl"), opt, (-5, -2), 100)
        >>> print(f"{run.final_loss:.1e}")
        2.1e-04
        >>> sorted(run.state)
        ['exp_avg', 'exp_avg_sq', 'step_size']
        >>> opt = dyn.optimizer("adam", lr=0.4, amsgrad=True)
        >>> sorted(dyn.rollout(dyn.surface("elongated_bowl"), opt, (-5, -2), 3).state)
        ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq', 'step_size']
        >>> for corrected in (True, False):  # the first step, per coordinate, over lr
        ...     opt = dyn.optimizer("adam", lr=0.4, bias_correction=corrected)
        ...     run = dyn.rollout(dyn.surface("elongated_bowl"), opt, (-5, -2), 1)
        ...     print(*(f"{abs(u) / 0.4:.3f}" for u in run.update[1]))
        1.000 1.000
        3.162 3.162
    """

    name = "adam"
    params = _ADAM_BASE | table(
        amsgrad=False,
        decoupled_weight_decay=False,
        bias_correction=Param(
            True, flag, "divide m_t by 1 - beta1^t and v_t by 1 - beta2^t, as Kingma & Ba "
            "and torch; False steps on the raw averages, which start at zero (not in torch)"),
    )
    state_names = ("exp_avg", "exp_avg_sq")

    def init(self, params: Array) -> State:
        state = super().init(params)
        if self.amsgrad:  # as torch, the running maximum exists only with amsgrad
            state["max_exp_avg_sq"] = np.zeros_like(state["exp_avg_sq"])
        return state

    def step(self, params: Array, grad: Array, state: State, t: int, lr: float,
             oracle: Oracle) -> tuple[Array, State]:
        b1, b2 = self.betas
        params, g = self._decay(params, grad, lr)
        m, v = _moments(state["exp_avg"], state["exp_avg_sq"], g, b1, b2)
        new_state = {"exp_avg": m, "exp_avg_sq": v}
        if self.amsgrad:
            vmax = np.maximum(state["max_exp_avg_sq"], v)
            new_state["max_exp_avg_sq"] = vmax
            denom = np.sqrt(vmax)
        else:
            denom = np.sqrt(v)
        # the bias corrections (AdamW and subclasses without the option always apply them)
        c1, c2 = ((1.0 - b1**t, 1.0 - b2**t) if self.hyperparams.get("bias_correction", True)
                  else (1.0, 1.0))
        step_size = lr / c1
        denom /= math.sqrt(c2)
        denom += self.eps
        per_coord = np.divide(step_size, denom, out=denom)
        # step_size multiplies the bias-corrected m-hat: lr / (sqrt(v-hat) + eps)
        new_state["step_size"] = per_coord * c1
        return params - per_coord * m, new_state


@register
class AdamW(Adam):
    r"""torch.optim.AdamW: Adam with decoupled weight decay (default 1e-2).

    .. code-block:: text

        w'  = w_{t-1} (1 - lr * weight_decay)
        w_t = w' - lr * m_hat_t / (sqrt(v_hat_t) + eps)      (m_hat, v_hat as in Adam)

    State and ``step_size`` (``lr / (sqrt(v_hat_t) + eps)``) as in Adam.
    Reference: Loshchilov & Hutter, "Decoupled Weight Decay Regularization", 2019.

    Example:
        >>> from optiroll import dynamics as dyn
        >>> opt = dyn.optimizer("adamw", lr=0.4)
        >>> opt.weight_decay
        0.01
        >>> run = dyn.rollout(dyn.surface("elongated_bowl"), opt, (-5, -2), 100)
        >>> print(f"{run.final_loss:.1e}")
        1.4e-04
    """

    name = "adamw"
    params = _ADAM_BASE | table(
        weight_decay=Param(
            1e-2, nonneg, "decoupled weight decay: w *= 1 - lr * weight_decay before each step"
        ),
        amsgrad=False,
    )

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

    State: ``exp_avg`` (``m_t``), ``exp_avg_sq`` (``v_t``), ``mu_product``
    (``P_t``, one per ball) and ``step_size`` = ``lr / denom``, the
    per-coordinate rate on the Nesterov direction ``(1 - mu_t) / (1 - P_t) g_t
    + mu_{t+1} / (1 - P_t mu_{t+1}) m_t``. Reference: Dozat, 2016.

    Example:
        >>> from optiroll import dynamics as dyn
        >>> opt = dyn.optimizer("nadam", lr=0.4)
        >>> run = dyn.rollout(dyn.surface("elongated_bowl"), opt, (-5, -2), 100)
        >>> print(f"{run.final_loss:.1e}")
        1.9e-10
    """

    name = "nadam"
    params = _ADAM_BASE | table(
        lr=2e-3,
        momentum_decay=Param(4e-3, nonneg, "decay psi of the momentum schedule mu_t"),
        decoupled_weight_decay=False,
    )
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

    State: ``exp_avg`` (``m_t``), ``exp_avg_sq`` (``v_t``) and ``step_size``,
    the per-coordinate rate on ``m-hat = m_t / (1 - beta1^t)``: ``lr * r_t *
    sqrt(1 - beta2^t) / (sqrt(v_t) + eps)`` once rectified, plain ``lr`` in the
    first steps (``rho_t <= 5``, SGD with momentum). Reference: Liu et al., 2020.

    Example:
        >>> from optiroll import dynamics as dyn
        >>> opt = dyn.optimizer("radam", lr=0.4)
        >>> run = dyn.rollout(dyn.surface("elongated_bowl"), opt, (-5, -2), 100)
        >>> print(*(f"{v:.2f}" for v in run.state["step_size"][1]))  # not yet adaptive
        0.40 0.40
        >>> print(f"{run.final_loss:.1e}")
        1.2e-03
    """

    name = "radam"
    params = _ADAM_BASE | table(decoupled_weight_decay=False)
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

    State: ``exp_avg`` (``m_t``), ``exp_inf`` (``u_t``) and ``step_size`` =
    ``lr / u_t``, the per-coordinate rate on ``m-hat = m_t / (1 - beta1^t)``.
    Reference: Kingma & Ba, 2015, section 7.1.

    Example:
        >>> from optiroll import dynamics as dyn
        >>> opt = dyn.optimizer("adamax", lr=0.4)
        >>> run = dyn.rollout(dyn.surface("elongated_bowl"), opt, (-5, -2), 100)
        >>> print(f"{run.final_loss:.1e}")
        3.2e-05
    """

    name = "adamax"
    params = _ADAM_BASE | table(
        lr=2e-3,
        betas=Param(
            (0.9, 0.999), betas_pair,
            "coefficients of the running average of the gradient (beta1) and of the decay "
            "of its running infinity norm u (beta2)",
        ),
    )
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
