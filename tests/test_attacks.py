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
        KNeighborsClassifier(n_neighbors=1),
        n_shadows=3,
        shadow_size=500,
        n_classes=30,
        random_state=1,
    ).fit(X[pool], y[pool])
    ad = shadows.attack_data_
    attack = ShokriAttack(random_state=0).fit(ad.posteriors, ad.membership, labels=ad.labels)
    scores = attack.score_samples(P, labels=y[idx])
    assert auc(member, scores) >= 0.95


@pytest.mark.parametrize("signal", ["loss", "true_confidence", "modified_entropy"])
def test_threshold_attacks_on_a_memorising_1nn_target(memorising_target, signal):
    X, y, idx, member, P, pool = memorising_target
    scores = ThresholdAttack(signal).score_samples(P, labels=y[idx])
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
    attack = clone(attack).fit(P_shadow, m_shadow, labels=y_shadow)
    assert abs(auc(m, attack.score_samples(P, labels=y)) - 0.5) <= 0.03


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
    glob = ThresholdAttack("true_confidence").fit(P, m, labels=y)
    per = ThresholdAttack("true_confidence", class_dependent=True).fit(P, m, labels=y)
    acc = lambda a: a.score(P, m, labels=y)  # noqa: E731
    assert acc(per) > 0.99 and acc(glob) < 0.8
    assert set(per.thresholds_) == {0, 1}


def test_shokri_per_class_models_and_fallback():
    rng = np.random.default_rng(0)
    P = rng.dirichlet(np.ones(3), size=600)
    y = np.r_[np.zeros(300, int), np.ones(295, int), np.full(5, 2)]
    m = rng.integers(0, 2, 600)
    a = ShokriAttack(random_state=0).fit(P, m, labels=y)
    assert set(a.models_) == {0, 1}  # class 2 has too few examples: shared model
    proba = a.predict_proba(P, labels=y)
    assert proba.shape == (600, 2) and np.allclose(proba.sum(axis=1), 1)
    assert set(np.unique(a.predict(P, labels=y))) <= {0, 1}


def test_attack_input_errors():
    P = np.array([[0.7, 0.3], [0.2, 0.8]])
    with pytest.raises(ValueError, match="true class labels"):
        ShokriAttack().fit(P, [1, 0])
    with pytest.raises(ValueError, match="no non-members"):
        ShokriAttack().fit(P, [1, 1], labels=[0, 1])
    with pytest.raises(ValueError, match="different numbers of rows"):
        ShokriAttack().fit(P, [1, 0], labels=[0, 1, 1])
    with pytest.raises(ValueError, match="labels outside"):
        ShokriAttack().fit(P, [1, 0], labels=[0, 2])
    with pytest.raises(ValueError, match="not 1"):
        ThresholdAttack().fit([[0.5, 0.9]])
    with pytest.raises(ValueError, match="unknown signal"):
        ThresholdAttack("banana").score_samples(P)
    with pytest.raises(ValueError, match="unknown features"):
        attack_features(P, "all")
    fitted = ShokriAttack(random_state=0).fit(
        np.tile(P, (20, 1)), np.tile([1, 0], 20), labels=np.tile([0, 1], 20)
    )
    with pytest.raises(ValueError, match="columns"):
        fitted.predict_proba(np.array([[0.2, 0.3, 0.5]]), labels=[0])


def test_report_from_attack_is_json_serialisable(memorising_target):
    X, y, idx, member, P, pool = memorising_target
    attack = ThresholdAttack("loss").fit(P, member, labels=y[idx])
    s, pred = attack.score_samples(P, labels=y[idx]), attack.predict(P, labels=y[idx])
    rep = evaluate(member, s, predicted=pred)
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
    ad = shadows.attack_data_
    attack.fit(ad.posteriors, ad.membership)
    X, y = _random_label_data(n=3000, k=30, seed=3)
    split = membership_split(len(X), target_size=1000, random_state=0)
    target = clone(rf).fit(X[split.target_in], y[split.target_in])
    idx, member = split.evaluation()
    P = BlackBox(target, n_classes=30).query(X[idx])
    assert P.shape[1] == 30 and shadows.attack_data_.posteriors.shape[1] == 10
    assert auc(member, attack.score_samples(P)) > 0.9
    with pytest.raises(ValueError, match="adversary 2"):
        ShokriAttack(random_state=0).fit(
            ad.posteriors, ad.membership, labels=ad.labels
        ).predict_proba(P, labels=y[idx])


def test_sklearn_habit_fit_with_membership_as_y():
    # before, fit(P, member) read membership as class labels and fitted threshold_ = 1.0
    rng = np.random.default_rng(0)
    m = rng.integers(0, 2, 1000)
    conf = np.where(m == 1, rng.uniform(0.8, 1.0, 1000), rng.uniform(0.5, 0.85, 1000))
    P = np.c_[conf, 1 - conf]
    attack = ThresholdAttack("confidence").fit(P, m)
    assert 0.79 <= attack.threshold_ <= 0.86
    assert attack.score(P, m) > 0.9


def test_cross_val_score_works_and_routes_labels():
    import sklearn
    from sklearn.model_selection import cross_val_score

    rng = np.random.default_rng(0)
    n = 600
    y = rng.integers(0, 3, n)
    m = rng.integers(0, 2, n)
    conf = np.where(m == 1, 0.97, rng.uniform(0.4, 0.9, n))
    P = np.full((n, 3), 0.0)
    P[np.arange(n), y] = conf
    P[np.arange(n), (y + 1) % 3] = 1 - conf
    scores = cross_val_score(ThresholdAttack("confidence"), P, m, cv=3)
    assert scores.min() > 0.8
    with sklearn.config_context(enable_metadata_routing=True):
        attack = ShokriAttack(random_state=0).set_fit_request(labels=True)
        attack = attack.set_score_request(labels=True)
        scores = cross_val_score(attack, P, m, cv=3, params={"labels": y})
    assert scores.min() > 0.8


@pytest.mark.parametrize(
    "attack, match",
    [
        (ShokriAttack(min_class_samples="x"), "min_class_samples must be an integer"),
        (ShokriAttack(per_class="yes"), "per_class must be True or False"),
        (ShokriAttack(features="all"), "unknown features"),
        (ThresholdAttack(threshold=np.nan), "threshold must be a finite number"),
        (ThresholdAttack(threshold=np.inf), "threshold must be a finite number"),
        (ThresholdAttack(reference_quantile=1.5), "reference_quantile must be in"),
        (ThresholdAttack(signal="banana"), "unknown signal"),
    ],
)
def test_bad_parameters_get_clear_errors(attack, match):
    P = np.tile([[0.9, 0.1], [0.4, 0.6]], (20, 1))
    with pytest.raises(ValueError, match=match):
        attack.fit(P, np.tile([1, 0], 20), labels=np.tile([0, 1], 20))


def test_attack_model_without_predict_proba_is_refused_at_fit():
    from sklearn.svm import LinearSVC

    P = np.tile([[0.9, 0.1], [0.4, 0.6]], (20, 1))
    with pytest.raises(ValueError, match="has no predict_proba"):
        ShokriAttack(attack_model=LinearSVC()).fit(
            P, np.tile([1, 0], 20), labels=np.tile([0, 1], 20)
        )


def test_fixed_nan_threshold_cannot_predict():
    with pytest.raises(ValueError, match="finite"):
        ThresholdAttack(threshold=np.nan).predict([[0.9, 0.1]])
