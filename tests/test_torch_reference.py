"""Exact agreement with torch.optim in float64 (rtol 1e-10).

The committed reference (tests/data/torch_reference.npz, made by
tests/make_torch_reference.py) runs without torch; the live comparison runs
where torch is installed (`make test-torch`) and skips elsewhere.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from optiroll import dynamics as dyn
from torch_cases import STEPS, cases, our_name

REF = Path(__file__).parent / "data" / "torch_reference.npz"
RTOL, ATOL = 1e-10, 1e-12


def ours(case: dict) -> np.ndarray:
    kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in case["kwargs"].items()}
    if case["schedule"]:
        sched = dict(case["schedule"])
        kwargs["schedule"] = dyn.schedule(sched.pop("kind"), **sched)
    opt = dyn.optimizer(our_name(case), **kwargs)
    run = dyn.rollout(dyn.surface(case["surface"]), opt, np.array(case["starts"]), STEPS)
    return run.positions


@pytest.fixture(scope="module")
def reference() -> dict:
    with np.load(REF) as data:
        return {k: data[k] for k in data.files}


def test_reference_covers_every_torch_optimizer(reference: dict) -> None:
    recorded = json.loads(str(reference["_cases"]))
    classes = {c["torch_class"] for c in recorded}
    assert classes == {"SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW", "NAdam",
                       "RAdam", "Adamax"}
    for cls in classes:
        assert {c["surface"] for c in recorded if c["torch_class"] == cls} >= {
            "rosenbrock", "himmelblau"}
    assert recorded == json.loads(json.dumps(cases())), "regenerate with `make reference`"


@pytest.mark.parametrize("case", cases(), ids=lambda c: c["id"])
def test_matches_committed_torch_reference(case: dict, reference: dict) -> None:
    expected = reference[case["id"]]
    got = ours(case)
    assert got.shape == expected.shape == (3, STEPS + 1, 2)
    # the run must actually move, or agreement would prove nothing
    assert np.min(np.abs(expected[:, -1] - expected[:, 0])) > 1e-3
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("case", cases()[:: 5], ids=lambda c: c["id"])
def test_matches_live_torch(case: dict) -> None:
    pytest.importorskip("torch")
    from make_torch_reference import run_case

    np.testing.assert_allclose(ours(case), run_case(case), rtol=RTOL, atol=ATOL)
