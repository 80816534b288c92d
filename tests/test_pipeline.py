"""The one attack pipeline (mia_lib.pipeline): what every experiment and chapter runs."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.neighbors import KNeighborsClassifier

from mia_lib.attacks import MLLeaksAttack, ShokriAttack, ThresholdAttack
from mia_lib.pipeline import (
    RunResult,
    evaluate_attack,
    run_attack,
    stage_seeds,
    train_shadows,
    train_target,
)
from mia_lib.query import Rounding, TopK
from mia_lib.seeding import int_seed


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return (X / 16).astype(np.float32), y


@pytest.fixture(scope="module")
def memorising():
    """Labels independent of the features: only memorisation gets them right."""
    rng = np.random.default_rng(0)
    return rng.normal(size=(3000, 20)).astype(np.float32), rng.integers(0, 30, 3000)


def test_target_evaluation_set_and_accuracies(digits):
    X, y = digits
    t = train_target(X, y, target_size=200, model="naive_bayes", random_state=0)
    assert t.answers.shape == (400, 10) and t.membership.tolist() == [1] * 200 + [0] * 200
    assert np.array_equal(t.labels, y[t.eval_idx])
    pred = t.model.predict(X[t.split.target_out].astype(np.float64))
    assert t.test_acc == pytest.approx(np.mean(pred == y[t.split.target_out]))
    assert not set(t.pool) & set(t.eval_idx)


def test_same_random_state_same_split_and_target_whatever_the_attacker(digits):
    X, y = digits
    a = run_attack(X, y, target_size=300, model="random_forest", n_shadows=1, random_state=3)
    b = run_attack(
        X,
        y,
        target_size=300,
        model="random_forest",
        n_shadows=2,
        shadow_model="logistic_regression",
        random_state=3,
    )
    assert a.target == b.target  # same split and target; only the attacker differs
    assert a.attack != b.attack


def test_run_attack_equals_its_building_blocks(digits):
    X, y = digits
    res = run_attack(X, y, target_size=300, model="random_forest", n_shadows=2, random_state=1)
    t_seq, s_seq, a_seq = stage_seeds(1)
    target = train_target(X, y, target_size=300, model="random_forest", random_state=t_seq)
    shadows = train_shadows(target, n_shadows=2, random_state=s_seq)
    report = evaluate_attack(ShokriAttack(random_state=int_seed(a_seq)), target, fit_on=shadows)
    assert report.auc == res.attack.auc and report.precision == res.attack.precision
    assert isinstance(res, RunResult) and res.row()["auc"] == res.attack.auc


def test_shokri_attack_finds_a_memorising_target(memorising):
    X, y = memorising
    res = run_attack(
        X,
        y,
        target_size=1000,
        model=KNeighborsClassifier(n_neighbors=1),
        n_shadows=2,
        shadow_size=500,
        random_state=0,
    )
    assert res.target.train_acc == 1.0 and res.attack.auc > 0.95


def test_every_attack_plugs_in_and_reports_the_same_fields(digits):
    X, y = digits
    target = train_target(X, y, target_size=300, model="random_forest", random_state=0)
    shadows = train_shadows(target, n_shadows=1, random_state=1)
    reports = [
        evaluate_attack(a, target, fit_on=shadows)
        for a in (ShokriAttack(random_state=0), MLLeaksAttack(random_state=0))
    ]
    reports.append(evaluate_attack(ThresholdAttack("loss"), target, fit_on=shadows))
    assert len({tuple(sorted(r.to_dict())) for r in reports}) == 1


def test_an_attack_with_score_target_gets_the_whole_target(digits):
    X, y = digits

    class GapAttack:  # label-only: member iff the released label is right
        def score_target(self, target):
            right = (target.answers.argmax(axis=1) == target.labels).astype(float)
            return right, right.astype(int)

    target = train_target(X, y, target_size=300, model="random_forest", random_state=0)
    report = evaluate_attack(GapAttack(), target)
    assert report.recall == pytest.approx(target.train_acc)


def test_defences_at_the_api_plug_into_the_target(digits):
    X, y = digits
    plain = train_target(X, y, target_size=300, model="random_forest", random_state=0)
    top1 = train_target(
        X, y, target_size=300, model="random_forest", transforms=[TopK(1)], random_state=0
    )
    assert top1.test_acc == plain.test_acc  # the defence does not change the model
    assert np.all(np.sort(top1.answers, axis=1)[:, :-1] == 0)
    labels = train_target(X, y, target_size=300, model="random_forest", output="label")
    assert labels.answers.ndim == 1
    rounded = train_target(X, y, target_size=300, model="naive_bayes", transforms=[Rounding(1)])
    assert np.all(np.round(rounded.answers, 1) == rounded.answers)


def test_training_defences_are_model_parameters(digits):
    X, y = digits
    a = run_attack(X, y, target_size=300, model="logistic_regression", n_shadows=1, random_state=0)
    b = run_attack(
        X,
        y,
        target_size=300,
        model="logistic_regression",
        model_params={"C": 0.01},
        n_shadows=1,
        random_state=0,
    )
    assert b.target.train_acc < a.target.train_acc


def test_shadows_use_only_the_attackers_pool_and_the_noisy_copy(digits):
    X, y = digits
    target = train_target(X, y, target_size=300, model="naive_bayes", random_state=0)
    sh = train_shadows(target, n_shadows=2, random_state=0)
    assert len(sh.attack_data_) == 2 * 2 * 300
    with pytest.raises(ValueError, match="shape of the target's X"):
        train_shadows(target, shadow_X=X[:10])


def test_shadow_size_is_capped_at_half_the_pool(digits):
    X, y = digits
    target = train_target(X, y, target_size=800, model="naive_bayes", random_state=0)
    sh = train_shadows(target, shadow_size=5000, random_state=0)
    assert sh.splits_[0].in_idx.size == len(target.pool) // 2


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"target_size": 0}, ValueError, "positive integer"),
        ({"target_size": 5000}, ValueError, "exceeds"),
        ({"target_size": 100, "model": "resnet"}, ValueError, "unknown model name"),
        ({"target_size": 100, "random_state": "x"}, TypeError, "random_state"),
    ],
)
def test_bad_arguments_get_clear_errors(digits, kwargs, error, match):
    X, y = digits
    with pytest.raises(error, match=match):
        train_target(X, y, **kwargs)


def test_fit_on_must_be_something_to_fit_on(digits):
    X, y = digits
    target = train_target(X, y, target_size=100, model="naive_bayes", random_state=0)
    with pytest.raises(TypeError, match="fit_on must be"):
        evaluate_attack(ThresholdAttack(), target, fit_on="shadows")
