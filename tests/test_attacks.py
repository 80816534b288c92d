import json

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier

from mia_lib.attacks import MLLeaksAttack, ShokriAttack, ThresholdAttack, attack_features
from mia_lib.metrics import auc, evaluate
from mia_lib.query import BlackBox
from mia_lib.shadow import ShadowModels
from mia_lib.splits import membership_split


def _random_label_data(n=4000, d=20, k=30, seed=0):
    """Labels independent of the features: the only way to be right is to memorise."""
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)).astype(np.float32), rng.integers(0, k, n)


@pytest.fixture(scope="module")
def memorising_target():
    X, y = _random_label_data()
    split = membership_split(len(X), target_size=1000, random_state=0)
    target = KNeighborsClassifier(n_neighbors=1).fit(X[split.target_in], y[split.target_in])
    idx, member = split.evaluation()
    P = BlackBox(target, n_classes=30).query(X[idx])
    pool = split.shadow_pool
    return X, y, idx, member, P, pool


def test_shokri_attack_on_a_memorising_1nn_target(memorising_target):
    X, y, idx, member, P, pool = memorising_target
    shadows = ShadowModels(
        KNeighborsClassifier(n_neighbors=1), n_shadows=3, shadow_size=500, random_state=1
    ).fit(X[pool], y[pool], n_classes=30)
    attack = ShokriAttack(random_state=0).fit(*shadows.attack_data_)
    scores = attack.score_samples(P, y[idx])
    assert auc(member, scores) >= 0.95


@pytest.mark.parametrize("signal", ["loss", "true_confidence", "modified_entropy"])
def test_threshold_attacks_on_a_memorising_1nn_target(memorising_target, signal):
    X, y, idx, member, P, pool = memorising_target
    scores = ThresholdAttack(signal).score_samples(P, y[idx])
    assert auc(member, scores) >= 0.95


def _independent_outputs(n, k, seed):
    """Posteriors whose distribution does not depend on membership."""
    rng = np.random.default_rng(seed)
    P = rng.dirichlet(np.full(k, 0.3), size=n)
    return P, P.argmax(axis=1), rng.integers(0, 2, n)


@pytest.mark.parametrize(
    "attack",
    [
        ShokriAttack(random_state=0),
        ShokriAttack(attack_model=LogisticRegression(max_iter=500), per_class=False),
        MLLeaksAttack(random_state=0),
        ThresholdAttack("confidence"),
        ThresholdAttack("modified_entropy", class_dependent=True),
    ],
    ids=["shokri", "shokri-shared-logreg", "mlleaks", "confidence", "mentr-per-class"],
)
def test_attacks_stay_at_chance_on_outputs_independent_of_membership(attack):
    P_shadow, y_shadow, m_shadow = _independent_outputs(4000, 10, seed=1)
    P, y, m = _independent_outputs(4000, 10, seed=2)
    attack = clone(attack).fit(P_shadow, y_shadow, m_shadow)
    assert abs(auc(m, attack.score_samples(P, y)) - 0.5) <= 0.03


def test_threshold_attack_without_shadow_data_uses_reference_quantile():
    rng = np.random.default_rng(0)
    P_ref = rng.dirichlet(np.ones(5), size=1000)  # e.g. answers to random queries
    attack = ThresholdAttack("confidence", reference_quantile=0.9).fit(P_ref)
    flagged = attack.predict(P_ref).mean()
    assert 0.09 <= flagged <= 0.11


def test_class_dependent_thresholds_help_when_classes_differ():
    # class 0 members sit at confidence 0.95, class 1 members at 0.75; non-members below each
    rng = np.random.default_rng(0)
    n = 2000
    y = rng.integers(0, 2, n)
    m = rng.integers(0, 2, n)
    level = np.where(y == 0, 0.95, 0.75) - np.where(m == 1, 0.0, 0.1)
    conf = np.clip(level + rng.normal(0, 0.01, n), 0.5, 1.0)
    P = np.where(y[:, None] == 0, np.c_[conf, 1 - conf], np.c_[1 - conf, conf])
    glob = ThresholdAttack("true_confidence").fit(P, y, m)
    per = ThresholdAttack("true_confidence", class_dependent=True).fit(P, y, m)
    acc = lambda a: np.mean(a.predict(P, y) == m)  # noqa: E731
    assert acc(per) > 0.99 and acc(glob) < 0.8
    assert set(per.thresholds_) == {0, 1}


def test_shokri_per_class_models_and_fallback():
    rng = np.random.default_rng(0)
    P = rng.dirichlet(np.ones(3), size=600)
    y = np.r_[np.zeros(300, int), np.ones(295, int), np.full(5, 2)]
    m = rng.integers(0, 2, 600)
    a = ShokriAttack(random_state=0).fit(P, y, m)
    assert set(a.models_) == {0, 1}  # class 2 has too few examples: shared model
    proba = a.predict_proba(P, y)
    assert proba.shape == (600, 2) and np.allclose(proba.sum(axis=1), 1)
    assert set(np.unique(a.predict(P, y))) <= {0, 1}


def test_attack_input_errors():
    P = np.array([[0.7, 0.3], [0.2, 0.8]])
    with pytest.raises(ValueError, match="true labels"):
        ShokriAttack().fit(P, None, [1, 0])
    with pytest.raises(ValueError, match="no non-members"):
        ShokriAttack().fit(P, [0, 1], [1, 1])
    with pytest.raises(ValueError, match="different numbers of rows"):
        ShokriAttack().fit(P, [0, 1, 1], [1, 0])
    with pytest.raises(ValueError, match="labels outside"):
        ShokriAttack().fit(P, [0, 2], [1, 0])
    with pytest.raises(ValueError, match="not 1"):
        ThresholdAttack().fit([[0.5, 0.9]], [0], None)
    with pytest.raises(ValueError, match="unknown signal"):
        ThresholdAttack("banana").score_samples(P)
    with pytest.raises(ValueError, match="unknown features"):
        attack_features(P, "all")
    fitted = ShokriAttack(random_state=0).fit(
        np.tile(P, (20, 1)), np.tile([0, 1], 20), np.tile([1, 0], 20)
    )
    with pytest.raises(ValueError, match="columns"):
        fitted.predict_proba(np.array([[0.2, 0.3, 0.5]]), [0])


def test_report_from_attack_is_json_serialisable(memorising_target):
    X, y, idx, member, P, pool = memorising_target
    attack = ThresholdAttack("loss").fit(P, y[idx], member)
    rep = evaluate(member, attack.score_samples(P, y[idx]), predicted=attack.predict(P, y[idx]))
    json.dumps(rep.to_dict())
    assert rep.recall > 0.95


def test_mlleaks_adversary2_transfers_across_datasets_with_other_class_counts():
    # ML-Leaks adversary 2: the shadow is trained on another dataset (10 classes of digits);
    # its top-3 attack scores a random forest target on a 30-class dataset.
    from sklearn.datasets import load_digits
    from sklearn.ensemble import RandomForestClassifier

    Xd, yd = load_digits(return_X_y=True)
    rf = RandomForestClassifier(n_estimators=50, random_state=0)
    shadows = ShadowModels(rf, n_shadows=1, shadow_size=800, random_state=0).fit(Xd / 16, yd)
    attack = MLLeaksAttack(attack_model=LogisticRegression(), random_state=0)
    attack.fit(*shadows.attack_data_)
    X, y = _random_label_data(n=3000, k=30, seed=3)
    split = membership_split(len(X), target_size=1000, random_state=0)
    target = clone(rf).fit(X[split.target_in], y[split.target_in])
    idx, member = split.evaluation()
    P = BlackBox(target, n_classes=30).query(X[idx])
    assert P.shape[1] == 30 and shadows.attack_data_.posteriors.shape[1] == 10
    assert auc(member, attack.score_samples(P)) > 0.9
    with pytest.raises(ValueError, match="adversary 2"):
        ShokriAttack(random_state=0).fit(*shadows.attack_data_).predict_proba(P, y[idx])
