"""Words and formulas for a lesson: run labels, optimizer names, update rules (Typst).

Display data only: nothing here computes a trajectory.
"""

from __future__ import annotations

import re
from typing import Any

from optiroll import dynamics as dyn

from ..text import short_number

DISPLAY = {
    "gd": "GD", "sgd": "SGD", "momentum": "Momentum", "nesterov": "Nesterov",
    "adagrad": "AdaGrad", "rmsprop": "RMSProp", "adadelta": "AdaDelta", "adam": "Adam",
    "adamw": "AdamW", "nadam": "NAdam", "radam": "RAdam", "adamax": "Adamax",
    "newton": "Newton", "line_search": "Line search",
}

#: the symbols the rule cards use for hyperparameters (a run's label names what differs)
SYMBOLS = {"beta": "β", "alpha": "α", "rho": "ρ", "betas": "β", "eps": "ε", "momentum": "μ",
           "weight_decay": "λ", "damping": "λ", "lr_decay": "δ", "dampening": "τ",
           "momentum_decay": "ψ", "shrink": "γ"}


def _fmt(v: Any) -> str:
    if isinstance(v, bool):
        return "on" if v else "off"
    if isinstance(v, tuple | list):
        return "(" + ", ".join(_fmt(x) for x in v) + ")"
    if isinstance(v, float | int):
        return short_number(v)
    return str(v)


def _setting(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return key.replace("_", " ") if value else f"no {key.replace('_', ' ')}"
    return f"{SYMBOLS.get(key, key.replace('_', ' '))} {_fmt(value)}"


def default_labels(runs: list[Any], starts: list[tuple[float, float]]) -> list[str]:
    """A label per run: the optimizer's name plus whatever tells it apart from the others.

    ``runs`` are :class:`~scenes.lesson.spec.RunSpec`; a hyperparameter is named
    when runs of the same optimizer differ in it, per-run settings (batch size,
    noise, schedule, start) when any two runs differ in them.
    """
    opts = [r.built_optimizer for r in runs]
    labels = []
    for i, (run, opt) in enumerate(zip(runs, opts, strict=True)):
        same = [o for o in opts if o.name == opt.name]
        parts = []
        for key, value in opt.hyperparams.items():
            if len({_fmt(o.hyperparams[key]) for o in same}) > 1:
                parts.append(_setting(key, value))
        if len({r.batch_size for r in runs}) > 1:
            parts.append("full batch" if run.batch_size is None else f"batch {run.batch_size}")
        if len({r.noise for r in runs}) > 1 and run.noise:
            parts.append(f"noise {short_number(run.noise)}")
        if len({r.schedule.kind if r.schedule else None for r in runs}) > 1 and run.schedule:
            parts.append(f"{run.schedule.kind} schedule")
        if len(set(starts)) > 1:
            parts.append(f"from ({short_number(starts[i][0])}, {short_number(starts[i][1])})")
        name = DISPLAY.get(opt.name, opt.name)
        labels.append(name + (", " + ", ".join(parts) if parts else ""))
    return labels


# -- update rules, as Typst math -----------------------------------------------------
_G = "g = nabla L(w)"
#: the symbols a rule may use without defining them, and their definitions (Typst)
_DEFINED = (
    ("hat(m)", "hat(m) = m / (1 - beta_1^t)"), ("sqrt(hat(v))", "hat(v) = v / (1 - beta_2^t)"),
    ("hat(v)_max", "hat(v)_max = v_max / (1 - beta_2^t)"),
    ("Armijo", "\"Armijo:\" L(w - s nabla L(w)) <= L(w) - c s norm(nabla L(w))^2"),
    # NAdam (Dozat, 2016, as torch.optim): the Nesterov mix of g and m, psi the momentum decay
    ("tilde(m)", "tilde(m) = (1 - mu_t) g / (1 - P_t) + mu_(t+1) m / (1 - P_t mu_(t+1))"),
    ("tilde(m)", "mu_t = beta_1 (1 - 0.96^(t psi) \\/ 2)"),
    ("tilde(m)", "P_t = product_(i <= t) mu_i"),
    # RAdam (Liu et al., 2020): the variance rectification, once rho_t > 5
    ("r_t", "r_t = sqrt(((rho_t - 4)(rho_t - 2) rho_infinity) / ((rho_infinity - 4)"
            "(rho_infinity - 2) rho_t))"),
    ("r_t", "rho_t = rho_infinity - 2 t beta_2^t / (1 - beta_2^t)"),
    ("r_t", "rho_infinity = 2 / (1 - beta_2) - 1"),
)


def update_rule(opt: dyn.Optimizer) -> str:
    """The update equations of ``opt`` in the textbooks' notation (Typst math).

    ``g`` is the gradient, ``eta`` the learning rate, ``t`` the step; the equations
    follow the optimizer's own options, as its ``step`` does (torch.optim's): weight
    decay added to the gradient (``g arrow.l g + lambda w``; SGD's rule writes the
    gradient out) or decoupled (``- eta lambda w``), Adam with or without bias
    correction and with AMSGrad, RMSProp centred or with momentum, SGD's dampening,
    AdaGrad's rate decay, Newton's damping, eps inside the square root.
    :func:`key_definitions` defines the symbols the rules leave undefined (``g``,
    ``hat(m)``, ``hat(v)``, ...).
    """
    rule = _rule(opt.name, opt.hyperparams)
    decoupled = opt.name == "adamw" or opt.hyperparams.get("decoupled_weight_decay", False)
    if opt.hyperparams.get("weight_decay", 0.0) and not decoupled and uses_g(rule):
        # torch adds lambda w to the gradient before the update: to the key's g, first
        rule = "g arrow.l g + lambda w #h(1.2em) " + rule
    return rule


def _rule(name: str, hp: dict[str, Any]) -> str:
    gap = " #h(1.2em) "
    if name == "gd":
        return "w arrow.l w - eta nabla L(w)"
    if name == "sgd":  # written with the gradient itself, weight decay added to it
        grad = "nabla L(w) + lambda w" if hp["weight_decay"] else "nabla L(w)"
        term = f"({grad})" if hp["weight_decay"] else grad
        if not hp["momentum"]:
            return f"w arrow.l w - eta {term}"
        g = f"(1 - tau) {term}" if hp["dampening"] else term
        d = f"({grad} + mu b)" if hp["nesterov"] else "b"
        first = f" #h(0.4em) (b_1 = {term})" if hp["dampening"] else ""  # torch: undamped
        return f"b arrow.l mu b + {g}{first}{gap}w arrow.l w - eta {d}"
    if name == "momentum":
        g = "(1 - beta) nabla L(w)" if hp["ema"] else "nabla L(w)"
        return f"v arrow.l beta v + {g}{gap}w arrow.l w - eta v"
    if name == "nesterov":
        return f"v arrow.l beta v + nabla L(w - eta beta v){gap}w arrow.l w - eta v"
    inside = hp.get("eps_inside_sqrt", False)
    if name == "adagrad":
        den = "sqrt(s + epsilon)" if inside else "(sqrt(s) + epsilon)"
        rate = "eta / ((1 + (t - 1) delta)" + den + ")" if hp["lr_decay"] else f"eta / {den}"
        s0 = hp["initial_accumulator_value"]
        start = f" #h(0.4em) (s_0 = {s0:g})" if s0 else ""
        return f"s arrow.l s + g^2{start}{gap}w arrow.l w - {rate} g"
    if name == "rmsprop":
        sq = "s - a^2" if hp["centered"] else "s"
        den = f"sqrt({sq} + epsilon)" if inside else f"(sqrt({sq}) + epsilon)"
        avg = f"{gap}a arrow.l alpha a + (1 - alpha) g" if hp["centered"] else ""
        head = f"s arrow.l alpha s + (1 - alpha) g^2{avg}{gap}"
        if hp["momentum"]:
            return head + f"b arrow.l mu b + g / {den}{gap}w arrow.l w - eta b"
        return head + f"w arrow.l w - eta / {den} g"
    if name == "adadelta":
        return (f"s arrow.l rho s + (1 - rho) g^2{gap}"
                f"Delta arrow.l sqrt(u + epsilon) / sqrt(s + epsilon) g{gap}"
                f"u arrow.l rho u + (1 - rho) Delta^2{gap}w arrow.l w - eta Delta")
    if name in ("adam", "adamw", "nadam", "radam"):
        decoupled = name == "adamw" or hp.get("decoupled_weight_decay", False)
        decay = " - eta lambda w" if decoupled and hp["weight_decay"] else ""
        moments = f"m arrow.l beta_1 m + (1 - beta_1) g{gap}v arrow.l beta_2 v + (1 - beta_2) g^2"
        amsgrad = hp.get("amsgrad", False)
        if amsgrad:  # the running maximum of v in the denominator
            moments += f"{gap}v_max arrow.l max(v_max, v)"
        if not hp.get("bias_correction", True):  # steps on the raw averages
            v = "v_max" if amsgrad else "v"
            return f"{moments}{gap}w arrow.l w - eta m / (sqrt({v}) + epsilon){decay}"
        if name == "radam":  # plain momentum until the variance can be rectified
            return (f"{moments}{gap}w arrow.l w{decay} - eta hat(m) cases(r_t "
                    "sqrt(1 - beta_2^t) \\/ (sqrt(v) + epsilon) & \"if\" rho_t > 5, "
                    "1 & \"otherwise\")")
        m_hat = "tilde(m)" if name == "nadam" else "hat(m)"
        v_hat = "hat(v)_max" if amsgrad else "hat(v)"
        return f"{moments}{gap}w arrow.l w - eta {m_hat} / (sqrt({v_hat}) + epsilon){decay}"
    if name == "adamax":
        return (f"m arrow.l beta_1 m + (1 - beta_1) g{gap}u arrow.l max(beta_2 u, |g| + "
                f"epsilon){gap}w arrow.l w - eta hat(m) / u")
    if name == "newton":
        hess = "(nabla^2 L(w) + lambda I)" if hp["damping"] else "(nabla^2 L(w))"
        return f"w arrow.l w - eta {hess}^(-1) nabla L(w)"
    if name == "line_search":
        return ("w arrow.l w - s nabla L(w), #h(0.4em) s = eta gamma^k, #h(0.4em) k "
                "\"the fewest shrinks that pass Armijo\"")
    return f"\"{name}\""


def key_definitions(rules: list[str]) -> list[str]:
    """The definitions of the symbols ``rules`` use without defining them (Typst): ``g =
    nabla L(w)`` where a rule steps on ``g`` without saying what it is, the
    bias-corrected averages ``hat(m)``, ``hat(v)``, NAdam's ``tilde(m)`` and RAdam's
    ``r_t``, each once."""
    key = []
    if any(uses_g(r) for r in rules):
        key.append(_G)
    key += [text for sym, text in _DEFINED if any(sym in r for r in rules)]
    return list(dict.fromkeys(key))


def key_lines(rules: list[str], per_line: int = 3) -> list[str]:
    """:func:`key_definitions` as Typst lines of ``per_line`` definitions (one line for
    Adam's three); empty when every symbol is defined in its rule."""
    key = key_definitions(rules)
    return [" #h(1.2em) ".join(key[i:i + per_line]) for i in range(0, len(key), per_line)]


def uses_g(rule: str) -> bool:
    """Whether ``rule`` writes the gradient as ``g`` (then a key ``g = nabla L(w)`` helps)."""
    return any(tok in rule for tok in (" g ", " g^", " g\n", "g)", " g/")) or rule.endswith(" g")


def rules(optimizers: list[dyn.Optimizer],
          labels: list[str] | None = None) -> list[tuple[str, str]]:
    """``(name, Typst rule)`` of each distinct rule among ``optimizers``, in order: named
    by the optimizer, or, where one optimizer has two rules (heavy-ball and EMA
    momentum), by the label of the first run using each (``labels``, one per optimizer)."""
    found: list[tuple[str, str, int]] = []
    for i, opt in enumerate(optimizers):
        rule = update_rule(opt)
        if getattr(opt, "schedule", None) is not None:  # the rate in force at step t
            rule = re.sub(r"(?<![A-Za-z_])eta(?![A-Za-z_])", "eta_t", rule)
        name = DISPLAY.get(opt.name, opt.name)
        same = [k for k, (_, r, _) in enumerate(found) if r == rule]
        if not same:
            found.append((name, rule, i))
        elif name not in found[same[0]][0].split(", "):  # GD and SGD: one rule, both names
            old, r, j = found[same[0]]
            found[same[0]] = (f"{old}, {name}", r, j)
    names = [name for name, _, _ in found]
    out = []
    for k, (name, rule, i) in enumerate(found):
        if names.count(name) > 1:
            name = labels[i] if labels else f"{name} ({names[:k + 1].count(name)})"
        out.append((name, rule))
    return out

