"""scikit-learn conventions for the estimators of mia_lib that are not models (the torch
models have theirs in tests/test_models_sklearn_checks.py): the attacks, ShadowModels,
ModelBasedSynthesizer, the defence-side estimators MemGuard, GapAttack and
LabelOnlyAttack, and the model-stacking defence DisjointStackingClassifier (a classifier of
X, which passes every one of scikit-learn's checks)."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB
from sklearn.utils.estimator_checks import parametrize_with_checks

from mia_lib.attacks import MLLeaksAttack, ShokriAttack, ThresholdAttack
from mia_lib.label_only import GapAttack, LabelOnlyAttack
from mia_lib.memguard import MemGuard
from mia_lib.models import DisjointStackingClassifier, TorchMLPClassifier
from mia_lib.shadow import ShadowModels


def _attack_data(seed=0, n=400, k=3):
    rng = np.random.default_rng(seed)
    P = rng.dirichlet(np.ones(k), size=n)
    return P, rng.integers(0, k, n), rng.integers(0, 2, n)


ATTACKS = [
    ShokriAttack(random_state=0),
    MLLeaksAttack(random_state=0),
    ThresholdAttack("loss"),
    ThresholdAttack("modified_entropy", class_dependent=True),
]


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: type(a).__name__)
def test_attack_conventions(attack):
    params = attack.get_params()
    twin = clone(attack)
    assert twin.get_params() == params and twin is not attack
    P, y, m = _attack_data()
    assert twin.fit(P, m, labels=y) is twin
    fitted = [k for k in vars(twin) if k.endswith("_") and not k.startswith("_")]
    assert {"classes_", "n_features_in_"} <= set(fitted)
    assert not any(k.endswith("_") for k in vars(clone(twin))), "clone must drop fitted state"
    s = twin.score_samples(P, labels=y)
    proba = twin.predict_proba(P, labels=y)
    assert s.shape == (len(P),) and proba.shape == (len(P), 2)
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert set(np.unique(twin.predict(P, labels=y))) <= {0, 1}
    assert 0.0 <= twin.score(P, m, labels=y) <= 1.0
    assert type(attack)(**params).get_params() == params  # __init__ stores them verbatim


@pytest.mark.parametrize("attack", [ShokriAttack(), MLLeaksAttack()], ids=["shokri", "mlleaks"])
def test_unfitted_attack_raises_not_fitted(attack):
    P, y, _ = _attack_data()
    with pytest.raises(NotFittedError):
        attack.predict_proba(P, labels=y)


def test_threshold_attack_without_fit_or_threshold_cannot_decide():
    P, y, _ = _attack_data()
    attack = ThresholdAttack("confidence")
    assert attack.score_samples(P).shape == (len(P),)  # the signal needs no fit
    with pytest.raises(NotFittedError):
        attack.predict(P)
    assert ThresholdAttack("confidence", threshold=0.5).predict(P).shape == (len(P),)


def test_shadow_models_conventions():
    sh = ShadowModels("naive_bayes", n_shadows=2, shadow_size=50, random_state=0)
    params = sh.get_params()
    twin = clone(sh)
    assert twin.get_params() == params
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 4))
    y = (X[:, 0] > 0).astype(int)
    assert twin.fit(X, y) is twin
    assert len(twin.models_) == 2 and twin.n_classes_ == 2 and twin.n_features_in_ == 4
    assert not any(k.endswith("_") for k in vars(clone(twin)))


# MemGuard, GapAttack and LabelOnlyAttack are estimators (get_params, clone, fit returns
# self, fitted attributes end in "_"), but not classifiers of X: MemGuard's fit learns a
# defender and its output is a transform of posteriors, the gap attack reads released
# answers with their labels, and the label-only attack is fitted on robustness scores and
# scores a Target by querying it. scikit-learn's generic checks (fit on arbitrary X, predict
# X) do not apply; the conventions they can keep are checked here.
DEFENCE_SIDE = [
    (
        MemGuard(
            budget=0.5,
            defender=TorchMLPClassifier(hidden_layer_sizes=(4,), epochs=2, n_classes=2),
            random_state=0,
        ),
        {"defender_", "n_classes_", "n_features_in_", "defender_accuracy_"},
    ),
    (GapAttack(), {"classes_"}),
    (LabelOnlyAttack(n_queries=3, noise=0.2, random_state=0), {"threshold_", "classes_"}),
]


def _fit_defence_side(est):
    P, _, m = _attack_data(n=60)
    if isinstance(est, LabelOnlyAttack):  # fitted on robustness scores, not posteriors
        return est.fit(np.random.default_rng(0).random(60), m)
    return est.fit(P, m)


@pytest.mark.parametrize(
    "est, fitted", DEFENCE_SIDE, ids=[type(e).__name__ for e, _ in DEFENCE_SIDE]
)
def test_defence_side_estimator_conventions(est, fitted):
    params = est.get_params(deep=False)
    twin = clone(est)
    assert twin is not est and twin.get_params(deep=False).keys() == params.keys()
    assert type(est)(**params).get_params(deep=False) == params  # __init__ stores them verbatim
    assert _fit_defence_side(twin) is twin
    assert fitted <= {k for k in vars(twin) if k.endswith("_") and not k.startswith("_")}
    assert not any(k.endswith("_") for k in vars(clone(twin))), "clone must drop fitted state"
    if isinstance(est, MemGuard):  # the defender is cloned, never fitted in place
        assert twin.defender_ is not est.defender and not hasattr(est.defender, "model_")


# ---------------------------------------------------------------- scikit-learn's own checks
#
# An attack's input is the target's posteriors: rows of probabilities in [0, 1] that sum to 1,
# and its target is membership, 0 or 1. scikit-learn's generic checks feed arbitrary real
# features and labels such as 0/1/2 or strings, which an attack refuses with a clear error
# ("posteriors (X) has values outside [0, 1]..." or "y (membership) must hold only 0 and 1").
# The checks below cannot hold for that reason; every other check runs and passes.
INPUT_DOMAIN = (
    "the check fits on arbitrary real features or on labels other than 0/1; an attack takes "
    "posterior rows (in [0, 1], summing to 1) and membership (0/1) and refuses the rest with "
    "a clear error"
)
ATTACK_CANNOT_HOLD = dict.fromkeys(
    [
        "check_classifier_data_not_an_array",
        "check_classifiers_classes",
        "check_classifiers_one_label",
        "check_classifiers_regression_target",
        "check_classifiers_train",
        "check_dict_unchanged",
        "check_dont_overwrite_parameters",
        "check_dtype_object",
        "check_estimators_dtypes",
        "check_estimators_empty_data_messages",
        "check_estimators_fit_returns_self",
        "check_estimators_nan_inf",
        "check_estimators_overwrite_params",
        "check_estimators_pickle",
        "check_f_contiguous_array_estimator",
        "check_fit2d_1feature",
        "check_fit2d_1sample",
        "check_fit2d_predict1d",
        "check_fit_check_is_fitted",
        "check_fit_idempotent",
        "check_fit_score_takes_y",
        "check_methods_sample_order_invariance",
        "check_methods_subset_invariance",
        "check_n_features_in",
        "check_n_features_in_after_fitting",
        "check_pipeline_consistency",
        "check_positive_only_tag_during_fit",
        "check_readonly_memmap_input",
        "check_requires_y_none",
        "check_supervised_y_2d",
    ],
    INPUT_DOMAIN,
)
SHADOW_CANNOT_HOLD = {
    "check_dtype_object": "features must be numeric: an object array is refused, not coerced",
    "check_fit2d_1sample": (
        "one record cannot hold a shadow's in and out sets; the error says how many are needed"
    ),
}


def _expected_failures(estimator):
    if isinstance(estimator, ShadowModels):
        return SHADOW_CANNOT_HOLD
    if isinstance(estimator, DisjointStackingClassifier):
        return {}
    return ATTACK_CANNOT_HOLD


@parametrize_with_checks(
    [
        ThresholdAttack("confidence"),
        ShokriAttack(attack_model=LogisticRegression(), random_state=0),
        MLLeaksAttack(attack_model=LogisticRegression(), random_state=0),
        ShadowModels("naive_bayes", n_shadows=1, shadow_size=5),
        DisjointStackingClassifier(
            [("lr", LogisticRegression()), ("nb", GaussianNB())], random_state=0
        ),
    ],
    expected_failed_checks=_expected_failures,
)
def test_sklearn_checks(estimator, check):
    check(estimator)
