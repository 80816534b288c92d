"""Tests of the ML-Leaks replications (mia_lib.experiments.salem), smoke profile."""

from __future__ import annotations

import numpy as np
import pytest

from mia_lib.experiments import EXPERIMENTS, run_experiment
from mia_lib.experiments.salem import (
    ADV1_PARTS,
    ci_table,
    label_free_threshold,
    random_queries,
    reference_indices,
    roc_points,
    train_shadows,
    train_target,
)
from mia_lib.metrics import auc

NAMES = ("salem_adversary1", "salem_data_transfer", "salem_threshold")
METRICS = ("precision", "recall", "accuracy", "auc", "tpr_at_1pct_fpr", "fpr", "train_acc")


pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def smoke(one_thread):
    return {n: run_experiment(n, profile="smoke", seed=0) for n in NAMES}


@pytest.fixture(scope="module")
def digits_target():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X = (X / 16).astype(np.float32)
    return train_target(X, y, 10, target_size=300, model="logistic_regression", seed=0)


def _check_rows(rows):
    keys = [r["key"] for r in rows]
    assert len(keys) == len(set(keys)), "row keys must be unique (merge relies on them)"
    for r in rows:
        for m in METRICS:
            assert 0.0 <= r[m] <= 1.0, (r["key"], m, r[m])


def test_registered_with_three_profiles():
    for n in NAMES:
        assert EXPERIMENTS[n].profiles == ("smoke", "quick", "full")


def test_adversary1_rows(smoke):
    res = smoke["salem_adversary1"]
    rows = res["results"]["rows"]
    _check_rows(rows)
    parts = {p: [r for r in rows if r["part"] == p] for p in ADV1_PARTS}
    # k_shadows: 2 seeds x ks (1, 3) x 2 attacks
    ks = parts["k_shadows"]
    assert len(ks) == 8
    assert {(r["seed"], r["n_shadows"], r["attack"]) for r in ks} == {
        (s, k, a) for s in (0, 1) for k in (1, 3) for a in ("ml_leaks", "shokri")
    }
    # a new target for every seed
    acc = {r["seed"]: r["train_acc"] for r in ks}
    assert acc[0] != acc[1]
    assert [r["shadow"] for r in parts["hyperparameters"]] == [
        "same as the target",
        "64 hidden units",
        "half the epochs",
    ]
    assert parts["hyperparameters"][2]["shadow_params"]["epochs"] == 8  # 15 * 0.5, rounded
    comb = parts["combined"]
    assert len(comb) == 3 * 4
    assert {r["target_model"] for r in comb} == {"logistic_regression", "mlp", "random_forest"}
    assert {r["shadow"] for r in comb} == {
        "logistic_regression",
        "mlp",
        "random_forest",
        "combined",
    }
    assert res["settings"]["ks"] == [1, 3]


def test_adversary1_seed_reproduces_and_parts_are_independent(smoke):
    again = run_experiment(
        "salem_adversary1", profile="smoke", seed=0, parts=["k_shadows"], n_seeds=1
    )
    first = {r["key"]: r for r in smoke["salem_adversary1"]["results"]["rows"]}
    rows = again["results"]["rows"]
    assert len(rows) == 4 and all(r["part"] == "k_shadows" for r in rows)
    for r in rows:
        for m in ("precision", "recall", "auc", "train_acc"):
            assert r[m] == first[r["key"]][m]


def test_options_are_validated():
    with pytest.raises(ValueError, match="not in profile"):
        run_experiment("salem_adversary1", profile="smoke", datasets=["cifar10"])
    with pytest.raises(ValueError, match="parts"):
        run_experiment("salem_adversary1", profile="smoke", parts=["nope"])
    with pytest.raises(ValueError, match="n_seeds"):
        run_experiment("salem_adversary1", profile="smoke", n_seeds=0)
    with pytest.raises(ValueError, match="quantile"):
        run_experiment("salem_threshold", profile="smoke", quantile=1.5)
    with pytest.raises(ValueError, match="not in profile"):
        run_experiment("salem_data_transfer", profile="smoke", datasets="texas")
    with pytest.raises(ValueError, match="at least 1"):
        random_queries((3,), 0)
    with pytest.raises(ValueError, match="column"):
        ci_table([{"a": 1}], "a", "b")


def test_transfer_matrix_and_consistency_with_threshold(smoke):
    rows = smoke["salem_data_transfer"]["results"]["rows"]
    _check_rows(rows)
    names = ["digits", "locations"]
    assert [r["key"] for r in rows] == [f"{a}->{b}" for a in names for b in names]
    assert [r["same"] for r in rows] == [True, False, False, True]
    by_key = {r["key"]: r for r in rows}
    # the threshold experiment trains the same targets and shadows: adversaries 1 and 2 agree
    thr = {r["key"]: r for r in smoke["salem_threshold"]["results"]["rows"]}
    assert thr["digits/adversary 1"]["precision"] == by_key["digits->digits"]["precision"]
    assert thr["digits/adversary 2"]["auc"] == by_key["locations->digits"]["auc"]
    assert thr["locations/adversary 2"]["shadow_dataset"] == "digits"


def test_threshold_rows_and_roc(smoke):
    res = smoke["salem_threshold"]
    rows = res["results"]["rows"]
    _check_rows(rows)
    assert [r["adversary"] for r in rows[:4]] == ["1", "2", "3 noise", "3 reference"]
    for r in rows:
        fpr, tpr = np.array(r["roc"]["fpr"]), np.array(r["roc"]["tpr"])
        assert fpr[0] == 0.0 and fpr[-1] == 1.0 and tpr[-1] == 1.0
        assert np.all(np.diff(tpr) >= 0)
        # the stored curve's area is the AUC, up to the grid's resolution
        assert abs(np.trapezoid(tpr, fpr) - r["auc"]) < 0.02
    # adversary 3's variants score with the same signal: same AUC, different thresholds
    d3 = [r for r in rows if r["dataset"] == "locations" and r["adversary"].startswith("3")]
    assert d3[0]["auc"] == d3[1]["auc"] and d3[0]["threshold"] != d3[1]["threshold"]
    # a threshold at the 0.9 quantile of non-members' scores calls about 10% of the
    # (other) non-members members
    ref = [r for r in rows if r["adversary"] == "3 reference"]
    for r in ref:
        assert abs(r["fpr"] - (1 - res["settings"]["quantile"])) < 0.07


def test_label_free_threshold_uses_only_the_reference_answers(digits_target):
    t = digits_target
    t.blackbox.reset_counter()
    queries = random_queries(t.X.shape[1:], 150, seed=1)
    att = label_free_threshold(t.blackbox, queries, quantile=0.8)
    # only the random queries were sent, and the threshold is their answers' quantile
    assert t.blackbox.n_queries == 150
    top = t.blackbox.query(queries).max(axis=1)
    assert att.threshold_ == pytest.approx(np.quantile(top, 0.8))
    # the attacker's reference records never include the target's evaluation records
    ref = reference_indices(t, 500, seed=0)
    idx, _ = t.split.evaluation()
    assert len(ref) == 500 and not np.intersect1d(ref, idx).size
    assert np.isin(ref, t.pool).all()


def test_shadows_are_trained_on_the_pool_only(digits_target):
    t = digits_target
    sh = train_shadows(t, n_shadows=2, model="logistic_regression", seed=0)
    idx, _ = t.split.evaluation()
    for split in sh.splits_:
        used = t.pool[np.r_[split.in_idx, split.out_idx]]
        assert not np.intersect1d(used, idx).size
    assert len(sh.splits_[0].in_idx) == 300  # the target's size, by default


def test_roc_points_and_ci_table():
    rng = np.random.default_rng(0)
    m = rng.integers(0, 2, 500)
    s = rng.normal(size=500) + m
    roc = roc_points(m, s)
    assert abs(np.trapezoid(roc["tpr"], roc["fpr"]) - auc(m, s)) < 0.01
    rows = [{"k": k, "v": v} for k, v in [(1, 0.5), (1, 0.7), (1, 0.6), (2, 0.9)]]
    t = ci_table(rows, "k", "v").set_index("k")
    assert t.loc[1, "mean"] == pytest.approx(0.6) and t.loc[1, "n"] == 3
    # t(0.975, 2) = 4.303; sd = 0.1; half-width 4.303 * 0.1 / sqrt(3)
    assert t.loc[1, "ci_high"] - 0.6 == pytest.approx(4.303 * 0.1 / np.sqrt(3), rel=1e-3)
    assert np.isnan(t.loc[2, "ci_low"])
