"""The torch.optim comparison cases, shared by the reference script and the tests.

Each case: an optimizer with non-default hyperparameters, optionally a
schedule, run on one surface from three starts for ``STEPS`` steps.
"""

from __future__ import annotations

STEPS = 150

SURFACE_STARTS = {
    "rosenbrock": [(-1.5, 2.0), (0.5, -0.5), (1.2, 1.5)],
    "himmelblau": [(0.0, 0.0), (-1.0, 2.0), (1.0, -3.0)],
}

# name -> (torch class, our kwargs, torch kwargs, lr per surface)
OPTIMIZERS = {
    "sgd": ("SGD", {"momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01}),
    "sgd_nesterov": ("SGD", {"momentum": 0.8, "nesterov": True, "weight_decay": 0.001}),
    "adagrad": (
        "Adagrad",
        {"lr_decay": 0.01, "weight_decay": 0.001, "initial_accumulator_value": 0.1, "eps": 1e-8},
    ),
    "rmsprop": (
        "RMSprop",
        {"alpha": 0.9, "eps": 1e-6, "weight_decay": 0.001, "momentum": 0.5, "centered": True},
    ),
    "rmsprop_plain": ("RMSprop", {"alpha": 0.95}),
    "adadelta": ("Adadelta", {"rho": 0.8, "eps": 1e-5, "weight_decay": 0.001}),
    "adam": (
        "Adam",
        {"betas": (0.8, 0.99), "eps": 1e-7, "weight_decay": 0.001, "amsgrad": True},
    ),
    "adam_plain": ("Adam", {}),
    "adamw": ("AdamW", {"betas": (0.85, 0.995), "weight_decay": 0.05, "amsgrad": True}),
    "nadam": (
        "NAdam",
        {"betas": (0.85, 0.99), "momentum_decay": 0.005, "weight_decay": 0.001},
    ),
    "radam": ("RAdam", {"betas": (0.8, 0.99), "weight_decay": 0.001}),
    "adamax": ("Adamax", {"betas": (0.8, 0.99), "eps": 1e-7, "weight_decay": 0.001}),
}

LR = {
    "rosenbrock": {
        "sgd": 2e-4, "sgd_nesterov": 2e-4, "adagrad": 0.1, "rmsprop": 1e-4,
        "rmsprop_plain": 3e-4, "adadelta": 3e-3, "adam": 0.02, "adam_plain": 0.05,
        "adamw": 0.02, "nadam": 0.02, "radam": 2e-4, "adamax": 0.05,
    },
    "himmelblau": {
        "sgd": 2e-3, "sgd_nesterov": 2e-3, "adagrad": 0.3, "rmsprop": 3e-3,
        "rmsprop_plain": 1e-2, "adadelta": 1.0, "adam": 0.05, "adam_plain": 0.1,
        "adamw": 0.05, "nadam": 0.05, "radam": 5e-3, "adamax": 0.1,
    },
}

# schedules: (case, our schedule kwargs, torch scheduler class and kwargs)
SCHEDULES = {
    "adam_cosine": ("adam_plain", {"kind": "cosine", "T_max": 100, "min_factor": 0.1},
                    ("CosineAnnealingLR", {"T_max": 100}, 0.1)),
    "sgd_step": ("sgd", {"kind": "step", "step_size": 30, "gamma": 0.5},
                 ("StepLR", {"step_size": 30, "gamma": 0.5}, None)),
    "rmsprop_exp": ("rmsprop_plain", {"kind": "exponential", "gamma": 0.98},
                    ("ExponentialLR", {"gamma": 0.98}, None)),
    "adagrad_warmup": ("adagrad", {"kind": "warmup", "start_factor": 0.2, "total_iters": 20},
                       ("LinearLR", {"start_factor": 0.2, "total_iters": 20}, None)),
}


def cases() -> list[dict]:
    """Every (surface, optimizer[, schedule]) case as plain data."""
    out = []
    for surface, starts in SURFACE_STARTS.items():
        for key, (cls, kwargs) in OPTIMIZERS.items():
            out.append({"id": f"{surface}/{key}", "surface": surface, "starts": starts,
                        "torch_class": cls, "kwargs": dict(kwargs, lr=LR[surface][key]),
                        "schedule": None, "torch_scheduler": None})
        for key, (base, sched, torch_sched) in SCHEDULES.items():
            cls, kwargs = OPTIMIZERS[base]
            out.append({"id": f"{surface}/{key}", "surface": surface, "starts": starts,
                        "torch_class": cls, "kwargs": dict(kwargs, lr=LR[surface][base]),
                        "schedule": sched, "torch_scheduler": torch_sched})
    return out


def our_name(case: dict) -> str:
    return case["torch_class"].lower()
