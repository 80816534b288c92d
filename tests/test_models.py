"""Tests of mia_lib.models and mia_lib.batched: estimator conventions, determinism,
posteriors over all classes, clear errors, and train_many == training one by one."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.exceptions import NotFittedError

from mia_lib.models import (
    MODEL_NAMES,
    TorchCNNClassifier,
    TorchMLPClassifier,
    full_proba,
    make_model,
    train_many,
)

# Tiny models gain nothing from threads, and OpenMP threads that spin-wait on a busy shared
# machine can make them many times slower.
pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def digits():
    """Digits scaled to [0, 1]: 1,297 training and 500 test records, 10 classes."""
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)
    rng = np.random.default_rng(0)
    order = rng.permutation(len(y))
    test, train = order[:500], order[500:]
    return X[train], y[train], X[test], y[test]


# fast settings for each torch estimator; digits as 8x8 images for the CNN
FAST_MLP = dict(hidden_layer_sizes=(32,), epochs=5, batch_size=64)
FAST_CNN = dict(
    conv_channels=(4, 8),
    kernel_size=3,
    padding="same",
    hidden_units=16,
    epochs=2,
    input_shape=(1, 8, 8),
)
FAST_ZOO = {
    "random_forest": dict(n_estimators=10),
    "svm": dict(),
    "mlp": FAST_MLP,
    "cnn": FAST_CNN,
    "sklearn_mlp": dict(hidden_layer_sizes=(16,), max_iter=20),
}


def _fit_quietly(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning of short sklearn runs
        return model.fit(X, y)


# --------------------------------------------------------------------------------------
# estimator conventions
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", MODEL_NAMES)
def test_zoo_conventions_and_full_proba(name, digits):
    X, y, Xte, _ = digits
    X, y = X[:300], y[:300].copy()
    y[y == 3] = 4  # class 3 absent from training
    model = make_model(name, random_state=0, **FAST_ZOO.get(name, {}))
    params = model.get_params()
    assert clone(model).get_params() == params
    assert model.set_params(**params).get_params() == params
    with pytest.raises(NotFittedError):
        model.predict_proba(Xte[:5])
    before = set(vars(model))
    assert _fit_quietly(model, X, y) is model
    new = {a for a in set(vars(model)) - before if not a.startswith("_")}  # public ones
    assert new and all(a.endswith("_") for a in new), new
    P = full_proba(model, Xte, n_classes=10)
    assert P.shape == (len(Xte), 10) and P.dtype == np.float64
    np.testing.assert_allclose(P.sum(axis=1), 1.0, atol=1e-5)  # GaussianNB: float32 sums
    assert np.all(P[:, 3] == 0.0) or name in ("mlp", "cnn")  # torch models: tiny, not 0
    assert model.predict(Xte[:7]).shape == (7,)


@pytest.mark.parametrize(
    "cls,params", [(TorchMLPClassifier, FAST_MLP), (TorchCNNClassifier, FAST_CNN)]
)
def test_torch_conventions_and_determinism(cls, params, digits):
    X, y, Xte, _ = digits
    X, y = X[:400], y[:400]
    est = cls(**params, random_state=3)
    assert clone(est).get_params() == est.get_params()
    for method in ("predict", "predict_proba", "predict_logits"):
        with pytest.raises(NotFittedError):
            getattr(est, method)(Xte)
    before = set(vars(est))
    assert est.fit(X, y) is est
    assert all(a.endswith("_") for a in set(vars(est)) - before)
    assert est.n_classes_ == 10 and list(est.classes_) == list(range(10))
    assert est.n_features_in_ == 64 and len(est.loss_curve_) == est.n_epochs_
    P = est.predict_proba(Xte)
    assert P.dtype == np.float64 and P.shape == (500, 10)
    np.testing.assert_allclose(P.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_array_equal(est.predict(Xte), P.argmax(axis=1))
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(est)).predict_proba(Xte), P)
    # same random_state -> same model, whatever the global torch seed; other seed differs
    torch.manual_seed(123)
    P2 = clone(est).fit(X, y).predict_proba(Xte)
    np.testing.assert_array_equal(P, P2)
    P3 = clone(est).set_params(random_state=4).fit(X, y).predict_proba(Xte)
    assert not np.allclose(P, P3)
    # the fit leaves torch's global random state alone
    torch.manual_seed(5)
    expected = torch.rand(3)
    torch.manual_seed(5)
    clone(est).fit(X[:100], y[:100])
    assert torch.equal(torch.rand(3), expected)


def test_mlp_learns_and_helpers(digits):
    X, y, Xte, yte = digits
    clf = TorchMLPClassifier(hidden_layer_sizes=(64,), epochs=30, random_state=0).fit(X, y)
    assert clf.score(Xte, yte) > 0.93
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]
    losses = clf.loss(Xte, yte)
    expected = -np.log(clf.predict_proba(Xte)[np.arange(len(yte)), yte])
    np.testing.assert_allclose(losses, expected, rtol=1e-6, atol=1e-9)
    logits = clf.predict_logits(Xte[:5])
    np.testing.assert_allclose(
        np.exp(logits) / np.exp(logits).sum(1, keepdims=True), clf.predict_proba(Xte[:5]), rtol=1e-6
    )


def test_n_classes_gives_all_posterior_columns(digits):
    X, y, Xte, _ = digits
    keep = y < 6  # classes 6..9 absent, plus an extra class 10 the data never has
    clf = TorchMLPClassifier(**FAST_MLP, n_classes=11, random_state=0).fit(X[keep], y[keep])
    P = clf.predict_proba(Xte)
    assert P.shape == (500, 11)
    np.testing.assert_allclose(P.sum(axis=1), 1.0, atol=1e-12)
    assert set(np.unique(clf.predict(Xte))) <= set(range(6))
    np.testing.assert_array_equal(full_proba(clf, Xte, 11), P)


def test_training_options(digits):
    X, y, Xte, _ = digits
    es = TorchMLPClassifier(
        hidden_layer_sizes=(32,),
        epochs=200,
        early_stopping=True,
        patience=3,
        learning_rate=1e-2,
        random_state=0,
    ).fit(X, y)
    assert es.n_epochs_ < 200 and len(es.validation_loss_curve_) == es.n_epochs_
    assert es.best_epoch_ == 1 + int(np.argmin(es.validation_loss_curve_))
    assert es.n_epochs_ == es.best_epoch_ + 3
    for extra in (
        dict(dropout=0.3),
        dict(optimizer="sgd", learning_rate=0.05),
        dict(weight_decay=1e-3, activation="relu"),
        dict(activation="logistic", hidden_layer_sizes=(32, 16), learning_rate=0.01),
    ):
        a = TorchMLPClassifier(**{**FAST_MLP, **extra}, random_state=1).fit(X, y)
        b = TorchMLPClassifier(**{**FAST_MLP, **extra}, random_state=1).fit(X, y)
        np.testing.assert_array_equal(a.predict_proba(Xte), b.predict_proba(Xte))
        assert a.score(Xte, digits[3]) > 0.5, extra


def test_cnn_input_forms(digits):
    X, y, Xte, _ = digits
    images = X[:200].reshape(-1, 1, 8, 8)
    cnn = TorchCNNClassifier(**{**FAST_CNN, "input_shape": None}, random_state=0)
    cnn.fit(images, y[:200])
    assert cnn.input_shape_ == (1, 8, 8)
    P4 = cnn.predict_proba(Xte.reshape(-1, 1, 8, 8))
    np.testing.assert_array_equal(P4, cnn.predict_proba(Xte.reshape(-1, 8, 8)))
    flat = TorchCNNClassifier(**{**FAST_CNN, "input_shape": (8, 8)}, random_state=0)
    np.testing.assert_allclose(flat.fit(X[:200], y[:200]).predict_proba(Xte), P4, atol=1e-6)
    with pytest.raises(ValueError, match="input_shape"):
        TorchCNNClassifier(**{**FAST_CNN, "input_shape": None}).fit(X[:50], y[:50])
    with pytest.raises(ValueError, match="too small"):
        TorchCNNClassifier(conv_channels=(4, 4), kernel_size=5, epochs=1).fit(images[:20], y[:20])
    with pytest.raises(ValueError, match="shape"):
        cnn.predict(Xte.reshape(-1, 1, 4, 16))


# --------------------------------------------------------------------------------------
# clear errors
# --------------------------------------------------------------------------------------
def test_clear_errors(digits):
    X, y, Xte, _ = digits
    clf = TorchMLPClassifier(**FAST_MLP, random_state=0)
    with pytest.raises(ValueError, match="2-D"):
        clf.fit(X[0], y[:1])
    bad = X[:50].copy()
    bad[3, 5] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        clf.fit(bad, y[:50])
    with pytest.raises(ValueError, match="different numbers of rows"):
        clf.fit(X[:50], y[:49])
    with pytest.raises(ValueError, match="outside 0..4"):
        TorchMLPClassifier(n_classes=5).fit(X[:50], y[:50])
    with pytest.raises(ValueError, match="outside"):
        clf.fit(X[:3], [0, -1, 1])
    with pytest.raises(ValueError, match="non-integer"):
        clf.fit(X[:3], [0.5, 1, 0])
    with pytest.raises(ValueError, match="single class"):
        clf.fit(X[:3], [0, 0, 0])
    with pytest.raises(ValueError, match="activation"):
        TorchMLPClassifier(activation="swish").fit(X, y)
    with pytest.raises(ValueError, match="epochs"):
        TorchMLPClassifier(epochs=0).fit(X, y)
    with pytest.raises(ValueError, match="dropout"):
        TorchMLPClassifier(dropout=1.0).fit(X, y)
    clf.fit(X[:100], y[:100])
    with pytest.raises(ValueError, match="63 features, but TorchMLPClassifier was fitted with 64"):
        clf.predict(np.zeros((2, 63)))
    with pytest.raises(
        ValueError, match="unknown model name 'resnet'; valid names: logistic_regression"
    ):
        make_model("resnet")
    with pytest.raises(ValueError, match="no parameter"):
        make_model("knn", n_trees=3)
    with pytest.raises(ValueError, match="outside"):
        full_proba(clf, Xte, n_classes=5)
    with pytest.raises(TypeError, match="random_state"):
        TorchMLPClassifier(random_state="seed").fit(X, y)


def test_train_many_errors(digits):
    X, y, _, _ = digits
    with pytest.raises(ValueError, match=r"subsets\[1\] has row indices outside"):
        train_many(X, y, [np.arange(10), np.array([0, len(y)])], epochs=1)
    with pytest.raises(ValueError, match=r"subsets\[0\] is empty"):
        train_many(X, y, [np.array([], dtype=int)], epochs=1)
    with pytest.raises(ValueError, match="boolean mask"):
        train_many(X, y, [np.ones(5, dtype=bool)], epochs=1)
    with pytest.raises(ValueError, match="integer row indices"):
        train_many(X, y, [np.array([0.5, 1.0])], epochs=1)
    with pytest.raises(ValueError, match="subsets is empty"):
        train_many(X, y, [], epochs=1)
    with pytest.raises(ValueError, match="activation"):
        train_many(X, y, [np.arange(10)], activation="gelu")
    with pytest.raises(ValueError, match="outside 0..4"):
        train_many(X, y, [np.arange(10)], n_classes=5)


# --------------------------------------------------------------------------------------
# train_many
# --------------------------------------------------------------------------------------
def test_train_many_retraces_one_by_one_training(digits):
    """Same seeds -> the batched models are the one-by-one models up to float rounding."""
    X, y, Xte, _ = digits
    rng = np.random.default_rng(1)
    subsets = [
        rng.choice(len(y), size=300, replace=False),
        rng.choice(len(y), size=300, replace=False),
        rng.choice(len(y), size=250, replace=True),  # other size, with repeats
        rng.random(len(y)) < 0.2,  # a boolean mask
        rng.choice(len(y), size=40, replace=False),  # smaller than one batch
    ]
    for kwargs in (
        dict(),
        dict(
            optimizer="sgd",
            learning_rate=0.05,
            weight_decay=1e-3,
            activation="relu",
            hidden_layer_sizes=(16, 8),
        ),
    ):
        models = train_many(
            X, y, subsets, epochs=4, random_state=7, **{"hidden_layer_sizes": (32,), **kwargs}
        )
        assert len({m.random_state for m in models}) == len(subsets)
        for model, subset in zip(models, subsets, strict=True):
            assert isinstance(model, TorchMLPClassifier) and model.n_classes_ == 10
            one = clone(model).fit(X[subset], y[subset])
            for a, b in zip(model.model_.parameters(), one.model_.parameters(), strict=True):
                np.testing.assert_allclose(a.detach(), b.detach(), atol=2e-5)
            np.testing.assert_allclose(model.loss_curve_, one.loss_curve_, rtol=1e-5)
            np.testing.assert_allclose(model.predict_proba(Xte), one.predict_proba(Xte), atol=1e-5)


def test_train_many_accuracy_matches_one_by_one(digits):
    X, y, Xte, yte = digits
    rng = np.random.default_rng(2)
    subsets = [rng.choice(len(y), size=400, replace=False) for _ in range(8)]
    models = train_many(X, y, subsets, epochs=25, random_state=0)
    acc_batched = np.mean([m.score(Xte, yte) for m in models])
    acc_single = np.mean(
        [clone(m).fit(X[s], y[s]).score(Xte, yte) for m, s in zip(models, subsets, strict=True)]
    )
    assert acc_batched > 0.9
    assert abs(acc_batched - acc_single) < 0.01


def test_train_many_each_model_sees_only_its_subset(digits):
    X, y, Xte, _ = digits
    rng = np.random.default_rng(3)
    low = rng.permutation(np.flatnonzero(y < 5))[:300]  # classes 0-4 only
    high = rng.permutation(np.flatnonzero(y >= 5))[:300]  # classes 5-9 only
    low2 = rng.permutation(np.flatnonzero(y < 5))[:300]
    models = train_many(X, y, [low, high, low2], epochs=40, random_state=0)
    assert set(np.unique(models[0].predict(Xte))) <= set(range(5))
    assert set(np.unique(models[1].predict(Xte))) <= set(range(5, 10))
    for m, s in zip(models, [low, high, low2], strict=True):
        assert m.score(X[s], y[s]) > 0.97  # fits its own subset
        assert m.predict_proba(Xte).shape == (500, 10)  # n_classes from the whole y
    # two models on different data from the same classes still differ
    assert not np.allclose(models[0].predict_proba(Xte), models[2].predict_proba(Xte))
    # reproducible from random_state, different for another one
    again = train_many(X, y, [low], epochs=2, random_state=5)[0]
    np.testing.assert_array_equal(
        again.predict_proba(Xte),
        train_many(X, y, [low], epochs=2, random_state=5)[0].predict_proba(Xte),
    )
    other = train_many(X, y, [low], epochs=2, random_state=6)[0]
    assert not np.allclose(again.predict_proba(Xte), other.predict_proba(Xte))


def test_train_many_options(digits):
    X, y, Xte, yte = digits
    subsets = [np.arange(i * 100, i * 100 + 300) for i in range(5)]
    a = train_many(
        X,
        y,
        subsets,
        epochs=3,
        dropout=0.2,
        max_models=2,
        n_classes=12,
        random_state=np.random.default_rng(0),
    )
    assert [m.n_classes_ for m in a] == [12] * 5
    assert all(m.predict_proba(Xte).shape == (500, 12) for m in a)
    assert all(m.n_epochs_ == 3 and len(m.loss_curve_) == 3 for m in a)
    refit = clone(a[0]).fit(X[subsets[0]], y[subsets[0]])  # dropout masks differ
    assert abs(refit.score(Xte, yte) - a[0].score(Xte, yte)) < 0.1


def test_sklearn_posteriors_sum_to_one_on_float32_binary_features():
    # GaussianNB computes in the input's precision: on float32 binary features its raw
    # predict_proba rows can sum to 4; model_proba and full_proba must feed it float64.
    from mia_lib.query import model_proba

    rng = np.random.default_rng(0)
    X = (rng.random((1200, 446)) < 0.01).astype(np.float32)  # sparse, like Locations
    y = rng.integers(0, 30, 1200)
    X_new = (rng.random((500, 446)) < 0.01).astype(np.float32)
    nb = make_model("naive_bayes").fit(X, y)
    assert nb.predict_proba(X_new).sum(axis=1).max() > 1.5  # the float32 problem is real
    for P in (model_proba(nb, X_new), full_proba(nb, X_new, 32)):
        assert np.allclose(P.sum(axis=1), 1.0, atol=1e-6)
