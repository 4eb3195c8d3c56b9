"""The documentation is code: every doctest in optiroll.dynamics runs, every optimizer
has an example, and its "Args" section is generated from its hyperparameter table."""

from __future__ import annotations

import copy
import doctest
import importlib
import pickle
import pkgutil

import numpy as np
import pytest
from optiroll import dynamics as dyn
from optiroll.dynamics.optimizers import base
from optiroll.dynamics.optimizers.base import (
    COMMON,
    REGISTRY,
    FrozenOptimizerError,
    Optimizer,
    Param,
    allowed,
    table,
)

MODULES = sorted(
    [dyn.__name__]
    + [m.name for m in pkgutil.walk_packages(dyn.__path__, prefix=dyn.__name__ + ".")]
)


def _own_doc(cls: type) -> str:
    return cls.__dict__.get("__doc__") or ""


# -- doctests ---------------------------------------------------------------------------
def test_every_dynamics_module_is_walked() -> None:
    assert {"optiroll.dynamics", "optiroll.dynamics.optimizers.base",
            "optiroll.dynamics.optimizers.adam", "optiroll.dynamics.rollouts"} <= set(MODULES)


@pytest.mark.parametrize("module_name", MODULES)
def test_doctests_pass(module_name: str) -> None:
    module = importlib.import_module(module_name)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS, verbose=False)
    report: list[str] = []
    for test in doctest.DocTestFinder(exclude_empty=True).find(module, module_name):
        runner.run(test, out=report.append)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, "".join(report)


def test_the_package_docstring_example_runs() -> None:
    """The README's first example (the package docstring) is among the doctests."""
    tests = doctest.DocTestFinder().find(dyn, dyn.__name__)
    own = [t for t in tests if t.name == dyn.__name__]
    assert own and len(own[0].examples) >= 4
    for name in ("surface", "optimizer", "surface_names", "optimizer_names"):
        assert ">>> " in (getattr(dyn, name).__doc__ or ""), name


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_optimizer_has_its_own_example(name: str) -> None:
    cls = REGISTRY[name]
    examples = doctest.DocTestParser().get_examples(_own_doc(cls))
    assert examples, f"{cls.__name__} has no doctest example"
    source = "".join(e.source for e in examples).lower()
    assert f'dyn.optimizer("{name}"' in source, "the example should build this optimizer"


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_optimizer_states_its_update_reference_and_step_size(name: str) -> None:
    doc = _own_doc(REGISTRY[name])
    assert "w_t" in doc and "Reference" in doc and "step_size" in doc
    assert name in base.__doc__.split("optimizer ", 1)[1], "the step_size table lists it"


# -- the hyperparameter tables and the generated Args sections --------------------------
@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_params_are_documented_and_their_defaults_pass_their_checks(name: str) -> None:
    cls = REGISTRY[name]
    assert next(iter(cls.params)) == "lr"
    for key, p in cls.params.items():
        assert isinstance(p, Param) and p.doc and not p.doc.endswith(".")
        assert not allowed(p.check).startswith("checked by"), key
        assert p.check(key, p.default) == p.default
        assert p[0] == p.default  # still indexable as (default, check, doc)
    assert dict(cls().hyperparams) == {k: p.default for k, p in cls.params.items()}


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_args_section_is_generated_from_the_table(name: str) -> None:
    cls = REGISTRY[name]
    doc = _own_doc(cls)
    flat = " ".join(doc.split())
    assert flat.count("Args:") == 1
    for key, p in cls.params.items():
        line = f"{key}: {p.doc}. Default {p.default!r}; {allowed(p.check)}."
        assert " ".join(line.split()) in flat, line
    assert "schedule: a learning-rate schedule" in flat
    assert doc.index("Args:") < doc.index("Example:")  # Args before the example
    assert flat.index("Args:") > flat.index("Reference")


def test_shared_hyperparameters_share_one_description() -> None:
    overridden = {("adamw", "weight_decay"), ("adamax", "betas"), ("line_search", "lr")}
    for name, cls in REGISTRY.items():
        for key, p in cls.params.items():
            if key in COMMON and (name, key) not in overridden:
                assert (p.check, p.doc) == COMMON[key], (name, key)


def test_the_adam_family_tables() -> None:
    """Built from one base plus differences; torch's names, order and defaults."""
    expect = {
        "adam": ("lr", 1e-3, "betas", "eps", "weight_decay", 0.0, "amsgrad",
                 "decoupled_weight_decay", "bias_correction"),
        "adamw": ("lr", 1e-3, "betas", "eps", "weight_decay", 1e-2, "amsgrad"),
        "nadam": ("lr", 2e-3, "betas", "eps", "weight_decay", 0.0, "momentum_decay",
                  "decoupled_weight_decay"),
        "radam": ("lr", 1e-3, "betas", "eps", "weight_decay", 0.0, "decoupled_weight_decay"),
        "adamax": ("lr", 2e-3, "betas", "eps", "weight_decay", 0.0),
    }
    for name, row in expect.items():
        params = REGISTRY[name].params
        assert tuple(k for k in row if isinstance(k, str)) == tuple(params)
        assert params["lr"].default == row[1]
        assert params["weight_decay"].default == row[row.index("weight_decay") + 1]
        assert params["betas"].default == (0.9, 0.999) and params["eps"].default == 1e-8


def test_table_needs_a_param_for_a_new_name() -> None:
    assert table(lr=0.5)["lr"] == Param(0.5, *COMMON["lr"])
    custom = Param(3, base.count, "a count")
    assert table(k=custom) == {"k": custom}
    with pytest.raises(TypeError, match="'k' is not a shared hyperparameter"):
        table(k=3)


# -- immutability -----------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_optimizers_are_immutable(name: str) -> None:
    opt = dyn.optimizer(name)
    before = repr(opt)
    with pytest.raises(FrozenOptimizerError, match=r"optimizers are immutable; build a new one: "
                       rf"dyn.optimizer\('{name}', \.\.\., lr=5\)"):
        opt.lr = 5
    with pytest.raises(dyn.OptirollError, match="immutable"):
        opt.schedule = 1
    with pytest.raises(AttributeError, match=rf"'extra' cannot be set.*optimizer\('{name}', "):
        opt.extra = 1
    with pytest.raises(FrozenOptimizerError):
        del opt.lr
    with pytest.raises(FrozenOptimizerError):
        del opt.schedule
    with pytest.raises(TypeError):
        opt.hyperparams["lr"] = 5  # type: ignore[index]
    assert repr(opt) == before and opt.schedule is None and "extra" not in vars(opt)


def test_frozen_error_is_an_optiroll_error_and_an_attribute_error() -> None:
    assert issubclass(FrozenOptimizerError, dyn.OptirollError)
    assert issubclass(FrozenOptimizerError, AttributeError)


def test_optimizers_copy_and_pickle() -> None:
    opt = dyn.optimizer("adam", lr=0.3, betas=(0.8, 0.9), amsgrad=True,
                        schedule=dyn.schedule("cosine", T_max=5))
    for twin in (copy.copy(opt), copy.deepcopy(opt), pickle.loads(pickle.dumps(opt))):
        assert twin == opt and repr(twin) == repr(opt) and type(twin) is type(opt)
        with pytest.raises(FrozenOptimizerError):
            twin.lr = 1.0


# -- dead code removed ------------------------------------------------------------------
def test_label_is_gone() -> None:
    assert not hasattr(Optimizer, "label")


@pytest.mark.parametrize("name", ["adam", "adamw"])
def test_max_exp_avg_sq_only_with_amsgrad(name: str) -> None:
    s = dyn.surface("elongated_bowl")
    plain = dyn.rollout(s, dyn.optimizer(name, lr=0.4), (-5, -2), 20)
    assert set(plain.state) == {"exp_avg", "exp_avg_sq", "step_size"}
    assert "max_exp_avg_sq" not in dyn.optimizer(name).init(np.zeros((3, 2)))
    ams = dyn.rollout(s, dyn.optimizer(name, lr=0.4, amsgrad=True), (-5, -2), 20)
    assert set(ams.state) == {"exp_avg", "exp_avg_sq", "max_exp_avg_sq", "step_size"}
    np.testing.assert_array_equal(ams.state["max_exp_avg_sq"],
                                  np.maximum.accumulate(ams.state["exp_avg_sq"], axis=0))
