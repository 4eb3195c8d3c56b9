"""The rollout example behind ``make demo``: the momentum lesson, in numbers.

``python -m optiroll.dynamics.demo`` runs heavy-ball momentum on the ravine
x^2/16 + 9y^2 from (-2.4, 0.2), lr 0.1, 50 iterations, for beta in
{0, 0.8, 0.9} (the momentum article, seed 000), then AdaGrad on
0.1x^2 + 2y^2 (the AdaGrad article, seed 004), and prints what each run
ends at. Every number is computed here, none is typed in.
"""

from __future__ import annotations

from optiroll import dynamics as dyn


def momentum_lesson() -> list[tuple[float, dyn.Rollout]]:
    ravine = dyn.surface("ravine")
    return [
        (beta, dyn.rollout(ravine, dyn.optimizer("momentum", lr=0.1, beta=beta), (-2.4, 0.2), 50))
        for beta in (0.0, 0.8, 0.9)
    ]


def adagrad_lesson() -> list[tuple[float, dyn.Rollout]]:
    bowl = dyn.surface("0.1*x**2 + 2*y**2")
    return [
        (lr, dyn.rollout(bowl, dyn.optimizer("adagrad", lr=lr, eps=1e-6, eps_inside_sqrt=True),
                         (-5.0, -2.0), 20))
        for lr in (0.4, 2.0)
    ]


def main() -> None:
    print("Momentum on x^2/16 + 9y^2 from (-2.4, 0.2), lr 0.1, 50 iterations")
    for beta, run in momentum_lesson():
        x, y = run.positions[-1]
        vx = abs(run.state["velocity"][1:, 0]).max()
        print(f"  beta = {beta:<3}  final loss {run.final_loss:.2e}  at ({x:+.4f}, {y:+.6f})"
              f"  peak |v_x| {vx:.3f}")
    print("AdaGrad on 0.1x^2 + 2y^2 from (-5, -2), 20 steps (eps = 1e-6 inside the sqrt)")
    for lr, run in adagrad_lesson():
        x, y = run.positions[-1]
        print(f"  lr = {lr:<3}  ends at ({x:.6f}, {y:.6f})")


if __name__ == "__main__":
    main()
