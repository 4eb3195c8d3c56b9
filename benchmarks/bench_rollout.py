"""Rollout speed, as ratios measured side by side in one run.

10,000 starts x 1,000 steps of Adam (lr 0.01) on Rosenbrock, recording
positions and loss, against
 (a) the floor: a minimal hand-vectorized numpy Adam that records nothing;
 (b) a torch.optim.Adam loop, one trajectory at a time (a subset of starts,
     extrapolated per trajectory), where torch is installed.
Medians over --repeats runs. Usage: python benchmarks/bench_rollout.py [--quick]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from optiroll import dynamics as dyn

#: The benchmark's learning rate (a choice, not a default: torch's Adam uses 1e-3).
LR = 0.01
#: The surface and optimizer benchmarked; the floor and the torch loop use the
#: same numbers, taken from them (Adam's default betas and eps, Rosenbrock's view).
SURFACE = dyn.surface("rosenbrock")
ADAM = dyn.optimizer("adam", lr=LR)
(B1, B2), EPS = ADAM.betas, ADAM.eps


def starts(n: int) -> np.ndarray:
    """``n`` seeded starts, uniform over the surface's view box."""
    rng = np.random.default_rng(0)
    (x0, x1), (y0, y1) = SURFACE.view
    return np.stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)], -1)


def floor_adam(p0: np.ndarray, steps: int) -> np.ndarray:
    """The floor: hand-written Rosenbrock gradient and Adam, nothing recorded.

    The gradient of ``(1 - x)^2 + 100 (y - x^2)^2`` is written out by hand on
    purpose (that is the floor); ``main`` checks it against the rollout first.
    """
    p = p0.copy()
    m = np.zeros_like(p)
    v = np.zeros_like(p)
    for t in range(1, steps + 1):
        x, y = p[:, 0], p[:, 1]
        r = y - x * x
        g = np.stack([-2 * (1 - x) - 400 * x * r, 200 * r], -1)
        m = B1 * m + (1 - B1) * g
        v = B2 * v + (1 - B2) * g * g
        p = p - LR / (1 - B1**t) * m / (np.sqrt(v) / np.sqrt(1 - B2**t) + EPS)
    return p


def ours(p0: np.ndarray, steps: int) -> dyn.Rollout:
    return dyn.rollout(SURFACE, ADAM, p0, steps, record=("loss",))


def torch_loop(p0: np.ndarray, steps: int) -> np.ndarray:
    import torch

    out = []
    for start in p0:
        p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
        opt = torch.optim.Adam([p], lr=LR)
        for _ in range(steps):
            opt.zero_grad()
            x, y = p[0], p[1]
            ((1 - x) ** 2 + 100 * (y - x**2) ** 2).backward()
            opt.step()
        out.append(p.detach().numpy().copy())
    return np.array(out)


def timed(fn, *args) -> float:
    t0 = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="1,000 starts x 200 steps")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--torch-starts", type=int, default=5)
    args = ap.parse_args()
    n, steps = (1000, 200) if args.quick else (10_000, 1000)
    p0 = starts(n)

    # Same numbers first (over 100 steps: longer runs amplify rounding in the valley).
    check = ours(p0, 100)
    np.testing.assert_allclose(check.positions[:, -1], floor_adam(p0, 100), rtol=1e-9)
    ours(p0, steps)  # warm-up: first touch of the output buffers
    t_ours, t_floor = [], []
    for _ in range(args.repeats):  # interleaved, so machine noise hits both alike
        t_ours.append(timed(ours, p0, steps))
        t_floor.append(timed(floor_adam, p0, steps))
    mo, mf = statistics.median(t_ours), statistics.median(t_floor)
    print(f"Adam on Rosenbrock, {n:,} starts x {steps:,} steps (median of {args.repeats})")
    print(f"  optiroll rollout (positions + loss): {mo:8.2f} s")
    print(f"  numpy floor (records nothing):       {mf:8.2f} s")
    print(f"  ratio rollout / floor:               {mo / mf:8.2f}x   (target: <= 2x)")
    try:
        import torch  # noqa: F401
    except ImportError:
        print("  torch not installed: skipping the torch.optim comparison (make test-torch)")
        return
    k = args.torch_starts
    t_torch = statistics.median(timed(torch_loop, p0[:k], steps) for _ in range(args.repeats))
    per_torch, per_ours = t_torch / k, mo / n
    print(f"  torch.optim loop, per trajectory:    {per_torch * 1e3:8.2f} ms ({k} starts)")
    print(f"  optiroll, per trajectory:            {per_ours * 1e3:8.4f} ms")
    print(f"  speed-up vs torch.optim:             {per_torch / per_ours:8.0f}x  (target: >= 100x)")


if __name__ == "__main__":
    main()
