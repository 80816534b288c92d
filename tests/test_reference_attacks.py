"""Reference models and the attacks that use them: LiRA, RMIA, Attack-R, Attack-P."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from sklearn.datasets import load_digits

from mia_lib.attacks import ThresholdAttack
from mia_lib.pipeline import evaluate_attack, train_references, train_target
from mia_lib.reference import ReferenceModels, sigmoid
from mia_lib.reference_attacks import (
    LiRAAttack,
    PopulationAttack,
    ReferenceAttack,
    RMIAAttack,
    lira_scores,
    population_scores,
    reference_rank_scores,
    rmia_ratio,
    rmia_scores,
)
from mia_lib.signals import scaled_logit

MLP = dict(hidden_layer_sizes=(128,), activation="tanh", learning_rate=0.001, batch_size=64)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return (X / 16).astype(np.float32), y


@pytest.fixture(scope="module")
def locations():
    from mia_lib.datasets import load_dataset

    ds = load_dataset("location")
    return ds.X, ds.y


def test_scaled_logit_is_the_logit_of_the_true_confidence():
    rng = np.random.default_rng(0)
    P = rng.dirichlet(np.ones(5), size=50)
    y = rng.integers(0, 5, size=50)
    p = P[np.arange(50), y]
    np.testing.assert_allclose(scaled_logit(P, y), np.log(p / (1 - p)), rtol=1e-9)
    np.testing.assert_allclose(sigmoid(scaled_logit(P, y)), p, rtol=1e-9)
    # a confidence of 1 - 1e-10 keeps its digits (1 - p would lose them)
    P = np.array([[1 - 1e-10, 1e-10]])
    assert scaled_logit(P, [0])[0] == pytest.approx(np.log((1 - 1e-10) / 1e-10), rel=1e-6)


def test_lira_online_is_the_gaussian_likelihood_ratio():
    rng = np.random.default_rng(1)
    S = rng.normal(size=(20, 3))
    IN = np.zeros((20, 3), dtype=bool)
    IN[:10] = True
    S[IN] += 3.0
    t = np.array([3.0, 0.0, 1.5])
    got = lira_scores(t, S, IN)
    for i in range(3):
        mi, si = np.median(S[IN[:, i], i]), np.std(S[IN[:, i], i])
        mo, so = np.median(S[~IN[:, i], i]), np.std(S[~IN[:, i], i])
        want = stats.norm.logpdf(t[i], mi, si) - stats.norm.logpdf(t[i], mo, so)
        assert got[i] == pytest.approx(want)
    assert got[0] > 0 > got[1]
    # fixed variance: one standard deviation for every record, as the reference code
    fixed = lira_scores(t, S, IN, fixed_variance=True)
    mi = np.median(np.where(IN, S, np.nan)[:10], axis=0)
    mo = np.median(S[10:], axis=0)
    want = stats.norm.logpdf(t, mi, np.std(S[IN])) - stats.norm.logpdf(t, mo, np.std(S[~IN]))
    np.testing.assert_allclose(fixed, want)


def test_lira_offline_variants():
    S = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]])
    IN = np.zeros_like(S, dtype=bool)
    tail = lira_scores([3.0, -1.0], S, IN, online=False, scoring="tail")
    dens = lira_scores([3.0, -1.0], S, IN, online=False, scoring="density")
    sd = np.std([0.0, 1.0, 2.0])
    np.testing.assert_allclose(tail, -stats.norm.logsf([3.0, -1.0], 1.0, sd))
    # the paper's test is one-sided: a low logit is not a member; the density is two-sided
    assert tail[0] > tail[1]
    assert dens[0] == pytest.approx(dens[1])


def test_lira_handles_records_without_in_models():
    S = np.array([[4.0, 0.0, 0.1], [0.0, 0.2, 0.0], [5.0, 0.1, 0.2]])
    IN = np.array([[1, 0, 0], [0, 0, 0], [1, 0, 0]], dtype=bool)
    s = lira_scores([4.5, 4.0, 0.1], S, IN)
    assert np.isfinite(s).all()
    assert s[1] > 0 > s[2]  # the in-out shift of record 0 is lent to the others


def test_rank_scores():
    S = np.array([[0.0], [1.0], [2.0], [3.0]])
    IN = np.array([[0], [0], [1], [0]], dtype=bool)
    # out logits 0, 1, 3: 1.0 beats one and ties one
    assert reference_rank_scores([1.0], S, IN)[0] == pytest.approx(1.5 / 3)
    assert population_scores([10.0, -10.0], [0.0, 1.0]).tolist() == [1.0, 0.0]


def test_rmia_share_is_monotone_in_the_ratio():
    rng = np.random.default_rng(2)
    P = rng.uniform(0.1, 0.9, size=(8, 40))
    IN = rng.random((8, 40)) < 0.5
    p = rng.uniform(0.05, 1.0, size=40)
    share = rmia_scores(p[:20], P[:, :20], IN[:, :20], p[20:], P[:, 20:], IN[:, 20:], a=0.5)
    ratio = rmia_ratio(p[:20], P[:, :20], IN[:, :20], a=0.5)
    order = np.argsort(ratio)
    assert np.all(np.diff(share[order]) >= 0)
    assert ((share >= 0) & (share <= 1)).all()
    # offline with a = 1: p(x) is the mean "out" confidence
    off = rmia_ratio(p, P, np.zeros_like(IN), online=False, a=1.0)
    np.testing.assert_allclose(off, p / P.mean(axis=0))


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: lira_scores([1.0], np.zeros((2, 2)), np.zeros((2, 2), bool)), "shape"),
        (lambda: lira_scores([np.nan], np.zeros((2, 1)), np.zeros((2, 1), bool)), "NaN"),
        (lambda: lira_scores([1.0], np.zeros((2, 1)), np.zeros((2, 1), bool)), "online LiRA"),
        (
            lambda: lira_scores([1.0], np.zeros((2, 1)), np.ones((2, 1), bool), scoring="x"),
            "scoring",
        ),
        (lambda: rmia_ratio([0.5], np.ones((1, 1)), np.zeros((1, 1), bool), a=2.0), "a must"),
        (lambda: LiRAAttack().fit("models"), "fitted ReferenceModels"),
        (lambda: ReferenceModels(n_models=0).fit(np.ones((4, 2)), [0, 1, 0, 1]), "n_models"),
        (
            lambda: ReferenceModels("naive_bayes", training_size=4).fit(
                np.ones((4, 2)), [0, 1, 0, 1]
            ),
            "leaves no candidate",
        ),
        (
            lambda: ReferenceModels("naive_bayes").fit(
                np.ones((4, 2)), [0, 1, 0, 1], candidates=[0, 0, 1]
            ),
            "distinct",
        ),
    ],
)
def test_bad_inputs_give_clear_errors(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_reference_models_record_who_trained_on_what(digits):
    X, y = digits
    cand = np.arange(0, 1000)
    ref = ReferenceModels("logistic_regression", n_models=3, training_size=200, random_state=0)
    ref.fit(X, y, candidates=cand)
    assert ref.in_.shape == (3, len(y)) and ref.in_.sum(axis=1).tolist() == [200] * 3
    assert not ref.in_[:, 1000:].any()  # never trained outside the candidates
    for m, model in enumerate(ref.models_):
        P = model.predict_proba(X[:50])
        np.testing.assert_allclose(ref.logits_[m, :50], scaled_logit(P, y[:50]), atol=1e-5)
    again = ReferenceModels("logistic_regression", n_models=3, training_size=200, random_state=0)
    np.testing.assert_array_equal(again.fit(X, y, candidates=cand).logits_, ref.logits_)
    two = ref.select(2)
    np.testing.assert_array_equal(two.logits_, ref.logits_[:2])
    with pytest.raises(ValueError, match="only 3"):
        ref.select(4)


def test_offline_references_never_see_the_records_under_attack(digits):
    X, y = digits
    t = train_target(X, y, target_size=300, model="naive_bayes", random_state=0)
    off = train_references(t, n_models=3, online=False, random_state=1)
    assert not off.in_[:, t.eval_idx].any()
    on = train_references(t, n_models=6, online=True, random_state=1)
    assert on.in_[:, t.eval_idx].any()
    assert on.in_.sum(axis=1).tolist() == [300] * 6


def test_lira_beats_the_threshold_attack_at_low_fpr_on_a_memorising_target(locations):
    """The issue's ordering: on an overfit MLP (Locations), LiRA's TPR at 0.1% FPR is well
    above the loss threshold attack's, although their AUCs are close."""
    X, y = locations
    params = {**MLP, "epochs": 60}
    t = train_target(X, y, target_size=600, model="mlp", model_params=params, random_state=0)
    assert t.train_acc - t.test_acc > 0.3  # it memorises
    ref = train_references(t, n_models=8, online=True, random_state=1)
    lira = evaluate_attack(LiRAAttack(), t, fit_on=ref)
    loss = evaluate_attack(ThresholdAttack("loss", threshold=0.0), t)
    assert lira.tpr_at_0_1pct_fpr > loss.tpr_at_0_1pct_fpr + 0.1
    assert lira.tpr_at_1pct_fpr > loss.tpr_at_1pct_fpr + 0.1
    # every attack of the module runs on the pipeline, with decisions by its own rule
    off = train_references(t, n_models=4, online=False, random_state=2)
    for attack, fit_on in [
        (LiRAAttack(online=False), off),
        (LiRAAttack(fixed_variance=True), ref),
        (RMIAAttack(), off),
        (RMIAAttack(online=True), ref),
        (ReferenceAttack(), off),
        (PopulationAttack(), None),
    ]:
        r = evaluate_attack(attack, t, fit_on=fit_on)
        assert r.auc > 0.7, (attack, r.auc)
        assert r.threshold_rule == "predicted"


def test_reference_models_are_the_same_in_worker_processes(digits):
    """Seeds are per model: two loky workers train the models of the in-process run."""
    X, y = digits
    kw = dict(
        n_models=3,
        training_size=200,
        random_state=3,
        model_params={"epochs": 3, "hidden_layer_sizes": (16,)},
    )
    here = ReferenceModels("mlp", **kw).fit(X, y)
    there = ReferenceModels("mlp", n_jobs=2, **kw).fit(X, y)
    np.testing.assert_array_equal(here.logits_, there.logits_)
    np.testing.assert_array_equal(here.in_, there.in_)
