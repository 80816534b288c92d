"""The replication ``dp_sgd`` (mia_lib.experiments.privacy): its settings, its rows and the
promise the chapter makes about them (no measured advantage above the bound of its ε, no
proved ε above the accountant's)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mia_lib.dp_bounds import advantage_bound, yeom_bound
from mia_lib.experiments import load_profile, run_experiment
from mia_lib.experiments.privacy import ROC_FPRS, dp_settings
from mia_lib.experiments.training import ATTACKERS, privacy_utility


@pytest.fixture(scope="module")
def smoke():
    return run_experiment("dp_sgd", "smoke", seed=0)


def test_every_dataset_epsilon_and_attacker_has_one_row(smoke):
    prof = load_profile("dp_sgd", "smoke")
    rows = smoke["results"]["rows"]
    want = {
        (ds, f"eps={float(e):g}", a)
        for ds in prof.datasets
        for e in prof.options["epsilons"]
        for a in ATTACKERS
    }
    assert {(r["dataset"], r["setting"], r["attack"]) for r in rows} == want
    assert len(rows) == len(want)
    assert len({r["key"] for r in rows}) == len(rows)


def test_private_rows_respect_the_bounds_and_the_accountant(smoke):
    rows = smoke["results"]["rows"]
    private = [r for r in rows if r["epsilon"] is not None]
    assert private
    for r in private:
        assert r["part"] == "dp"
        assert r["noise_multiplier"] > 0 and 0 < r["sample_rate"] <= 1 and r["steps"] > 0
        # the accountant's epsilon for the steps taken: the target, to within PRV's error
        assert r["epsilon_spent"] == pytest.approx(r["epsilon"], rel=0.01)
        assert r["advantage_bound"] == pytest.approx(advantage_bound(r["epsilon"], r["delta"]))
        assert r["yeom_bound"] == pytest.approx(yeom_bound(r["epsilon"]))
        assert r["advantage"] <= r["advantage_bound"]
        assert 0 <= r["epsilon_low"] <= r["epsilon_spent"]
        assert r["eps_tpr_low"] <= r["eps_tpr"] and r["eps_fpr"] <= r["eps_fpr_high"]


def test_the_infinite_epsilon_is_ordinary_training(smoke):
    rows = [r for r in smoke["results"]["rows"] if r["setting"] == "eps=inf"]
    assert rows
    for r in rows:
        assert r["epsilon"] is None and r["epsilon_spent"] is None
        assert r["noise_multiplier"] is None and r["yeom_bound"] is None
        assert r["advantage_bound"] == 1.0
        assert r["accounting_s"] == 0.0


def test_rows_carry_a_roc_curve_on_the_log_grid(smoke):
    for r in smoke["results"]["rows"]:
        assert r["roc"]["fpr"] == list(ROC_FPRS)
        tpr = np.array(r["roc"]["tpr"])
        assert np.all(np.diff(tpr) >= 0) and tpr[-1] == 1.0
        assert r["epoch_s"] > 0 and r["fit_s"] >= r["epoch_s"]


def test_dp_rows_join_the_privacy_utility_map(smoke):
    pts = privacy_utility(smoke["results"]["rows"])
    assert set(pts["part"]) == {"dp"}
    assert len(pts) == len({(r["dataset"], r["setting"]) for r in smoke["results"]["rows"]})


def test_same_seed_reproduces_the_private_models(smoke):
    again = run_experiment("dp_sgd", "smoke", seed=0)
    for a, b in zip(smoke["results"]["rows"], again["results"]["rows"], strict=True):
        assert a["test_acc"] == b["test_acc"] and a["auc"] == b["auc"]
        assert a["epsilon_low"] == b["epsilon_low"]


def test_settings_and_their_errors():
    prof = load_profile("dp_sgd", "quick")
    entry = prof.datasets["locations"]
    settings = dp_settings(entry, prof.options)
    assert [s for s, _, _ in settings] == ["eps=0.5", "eps=1", "eps=2", "eps=4", "eps=8", "eps=inf"]
    for _, eps, params in settings:
        assert params["dp_epsilon"] == eps and params["dp_delta"] == 1e-5
        assert params["dp_accountant"] == "prv"
        assert params["epochs"] == entry.params["epochs"]  # the same model at every epsilon
    assert settings[-1][1] is None and math.isinf(float(prof.options["epsilons"][-1]))
    with pytest.raises(ValueError, match="needs the option 'epsilons'"):
        dp_settings(entry, {})
    with pytest.raises(ValueError, match="epsilons must be > 0"):
        dp_settings(entry, {"epsilons": [0.0]})


def test_delta_is_below_one_over_n_in_every_profile():
    for name in ("smoke", "quick", "full"):
        prof = load_profile("dp_sgd", name)
        for entry in prof.datasets.values():
            assert prof.options["delta"] < 0.1 / entry.target_size
