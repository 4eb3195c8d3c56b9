"""Regenerate tests/data/torch_reference.npz from torch.optim (float64).

Run with ``make reference`` (it installs the CPU build torch==2.13.0 into the
venv first). The surfaces are written here directly in torch and
differentiated by autograd, independently of optiroll's sympy path, so the
comparison checks both our gradients and our optimizer updates.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from torch_cases import STEPS, cases  # noqa: E402

CONDITIONING_LIMIT = 1e-11
OUT = Path(__file__).resolve().parent / "data" / "torch_reference.npz"


def torch_loss(name: str, p):  # p: (n, 2) tensor; rows are independent balls
    x, y = p[:, 0], p[:, 1]
    if name == "rosenbrock":
        return ((1 - x) ** 2 + 100 * (y - x**2) ** 2).sum()
    if name == "himmelblau":
        return ((x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2).sum()
    raise KeyError(name)


def run_case(case: dict, perturb: float = 0.0) -> np.ndarray:
    """Positions ``(n, STEPS + 1, 2)`` from torch.optim for one case.

    ``perturb`` scales every gradient by ``1 + perturb`` (conditioning check).
    """
    import torch

    torch.set_default_dtype(torch.float64)  # scalar state (NAdam's mu_product) too
    p = torch.tensor(case["starts"], dtype=torch.float64, requires_grad=True)
    opt = getattr(torch.optim, case["torch_class"])([p], **case["kwargs"])
    sched = None
    if case["torch_scheduler"]:
        cls, kwargs, min_factor = case["torch_scheduler"]
        kwargs = dict(kwargs)
        if min_factor is not None:
            kwargs["eta_min"] = min_factor * case["kwargs"]["lr"]
        sched = getattr(torch.optim.lr_scheduler, cls)(opt, **kwargs)
    out = [p.detach().clone().numpy()]
    for _ in range(STEPS):
        opt.zero_grad()
        torch_loss(case["surface"], p).backward()
        if perturb:
            p.grad.mul_(1.0 + perturb)
        opt.step()
        if sched is not None:
            sched.step()
        out.append(p.detach().clone().numpy())
    return np.stack(out, axis=1)


def main() -> None:
    import torch

    arrays = {}
    all_cases = cases()
    for case in all_cases:
        pos = run_case(case)
        if not np.all(np.isfinite(pos)):
            raise SystemExit(f"case {case['id']} diverged in torch; lower its lr")
        # A case is only a fair test at rtol 1e-10 if the run does not amplify
        # rounding: a 1e-14 relative change of every gradient must stay below it.
        sensitivity = np.max(np.abs(run_case(case, 1e-14) - pos) / np.maximum(np.abs(pos), 1e-12))
        if sensitivity > CONDITIONING_LIMIT:
            raise SystemExit(
                f"case {case['id']} amplifies rounding ({sensitivity:.1e}); "
                "choose a smaller lr or another start"
            )
        arrays[case["id"]] = pos
    arrays["_cases"] = np.array(json.dumps(all_cases))
    arrays["_torch_version"] = np.array(torch.__version__)
    OUT.parent.mkdir(exist_ok=True)
    np.savez_compressed(OUT, **arrays)
    print(f"wrote {len(all_cases)} cases x {STEPS} steps to {OUT} (torch {torch.__version__})")


if __name__ == "__main__":
    main()
