"""scikit-learn conventions for the estimators of mia_lib that are not models
(the models have their own checks in test_models.py)."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from mia_lib.attacks import MLLeaksAttack, ShokriAttack, ThresholdAttack
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
    assert twin.fit(P, y, m) is twin
    fitted = [k for k in vars(twin) if k.endswith("_") and not k.startswith("_")]
    assert fitted, "fit must set attributes ending in _"
    assert not any(k.endswith("_") for k in vars(clone(twin))), "clone must drop fitted state"
    s = twin.score_samples(P, y)
    proba = twin.predict_proba(P, y)
    assert s.shape == (len(P),) and proba.shape == (len(P), 2)
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert set(np.unique(twin.predict(P, y))) <= {0, 1}
    # __init__ stores parameters verbatim
    assert type(attack)(**params).get_params() == params


@pytest.mark.parametrize("attack", [ShokriAttack(), MLLeaksAttack()], ids=["shokri", "mlleaks"])
def test_unfitted_attack_raises_not_fitted(attack):
    P, y, _ = _attack_data()
    with pytest.raises(NotFittedError):
        attack.predict_proba(P, y)


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
    assert len(twin.models_) == 2 and twin.n_classes_ == 2
    assert not any(k.endswith("_") for k in vars(clone(twin)))
