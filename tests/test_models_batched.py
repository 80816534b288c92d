"""Tests of mia_lib.models.train_many: a template estimator trained on many subsets at once is
the same as training each copy one by one (every parameter, early stopping and dropout
included), with per-model seeds spawned from random_state, and clear errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.datasets import load_digits

import mia_lib.models.batched as batched_module
from mia_lib.models import TorchCNNClassifier, TorchMLPClassifier, train_many
from mia_lib.models.stacked import flat_optimizer
from mia_lib.seeding import int_seed, spawn

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def digits():
    """Digits scaled to [0, 1]: 1,297 training and 500 test records, 10 classes."""
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)
    order = np.random.default_rng(0).permutation(len(y))
    test, train = order[:500], order[500:]
    return X[train], y[train], X[test], y[test]


@pytest.fixture(scope="module")
def subsets(digits):
    """Subsets of several sizes: repeats, a boolean mask, one smaller than a batch."""
    n = len(digits[1])
    rng = np.random.default_rng(1)
    return [
        rng.choice(n, size=300, replace=False),
        rng.choice(n, size=300, replace=False),
        rng.choice(n, size=250, replace=True),  # other size, with repeats
        rng.random(n) < 0.2,  # a boolean mask
        rng.choice(n, size=40, replace=False),  # smaller than one batch
    ]


def assert_same_as_one_by_one(models, X, y, subsets, Xte):
    for model, subset in zip(models, subsets, strict=True):
        one = clone(model).fit(X[subset], y[subset])
        with torch.no_grad():
            for a, b in zip(model.model_.parameters(), one.model_.parameters(), strict=True):
                np.testing.assert_allclose(a, b, atol=2e-5)
        np.testing.assert_allclose(model.loss_curve_, one.loss_curve_, rtol=1e-5)
        np.testing.assert_allclose(model.predict_proba(Xte), one.predict_proba(Xte), atol=1e-5)
        assert (model.n_epochs_, model.n_steps_) == (one.n_epochs_, one.n_steps_)
        assert model.best_epoch_ == one.best_epoch_
        if one.validation_loss_curve_ is None:
            assert model.validation_loss_curve_ is None
        else:
            np.testing.assert_allclose(
                model.validation_loss_curve_, one.validation_loss_curve_, rtol=1e-5
            )


@pytest.mark.parametrize(
    "params",
    [
        dict(),
        dict(
            optimizer="sgd",
            learning_rate=0.05,
            weight_decay=1e-3,
            activation="relu",
            hidden_layer_sizes=(16, 8),
        ),
        dict(dropout=0.3, activation="logistic", learning_rate=0.01),
        dict(hidden_layer_sizes=(), activation="identity", batch_size=1000),
        dict(early_stopping=True, patience=2, epochs=40, learning_rate=0.01),
        dict(
            early_stopping=True,
            validation_fraction=0.25,
            patience=3,
            epochs=30,
            dropout=0.2,
            optimizer="sgd",
            learning_rate=0.05,
            hidden_layer_sizes=(16, 8),
            activation="relu",
        ),
    ],
    ids=["adam", "sgd_relu_2_layers", "dropout", "no_hidden_layer", "early_stopping", "all"],
)
def test_train_many_retraces_one_by_one_training(params, digits, subsets):
    """Same seeds -> the batched models are the one-by-one models up to float rounding."""
    X, y, Xte, _ = digits
    template = TorchMLPClassifier(**{"hidden_layer_sizes": (32,), "epochs": 4, **params})
    models = train_many(template, X, y, subsets, random_state=7)
    assert [m.random_state for m in models] == [int_seed(s) for s in spawn(7, len(subsets))]
    for model in models:
        assert isinstance(model, TorchMLPClassifier) and model.n_classes_ == 10
        assert model.get_params() == {
            **template.get_params(),
            "n_classes": 10,
            "random_state": model.random_state,
        }
    if params.get("early_stopping"):  # the models stop at different epochs
        assert len({m.n_epochs_ for m in models}) > 1
        assert all(m.best_epoch_ == 1 + np.argmin(m.validation_loss_curve_) for m in models)
        assert any(m.n_epochs_ < template.epochs for m in models)
    assert_same_as_one_by_one(models, X, y, subsets, Xte)


def test_train_many_seeds_and_template_random_state(digits):
    X, y, Xte, _ = digits
    subsets = [np.arange(0, 200), np.arange(200, 400)]
    template = TorchMLPClassifier(hidden_layer_sizes=(8,), epochs=2, random_state=5)
    a = train_many(template, X, y, subsets)  # the template's random_state
    b = train_many(clone(template).set_params(random_state=None), X, y, subsets, random_state=5)
    for m, n in zip(a, b, strict=True):
        assert m.random_state == n.random_state
        np.testing.assert_array_equal(m.predict_proba(Xte), n.predict_proba(Xte))
    other = train_many(template, X, y, subsets, random_state=6)
    assert not np.allclose(a[0].predict_proba(Xte), other[0].predict_proba(Xte))
    # one seed a model: the first model does not depend on how many follow
    first = train_many(template, X, y, subsets[:1])[0]
    np.testing.assert_array_equal(first.predict_proba(Xte), a[0].predict_proba(Xte))
    # the template is left unfitted and unchanged
    assert template.get_params()["random_state"] == 5 and not hasattr(template, "model_")
    gen = np.random.default_rng(0)
    c = train_many(template, X, y, subsets, random_state=gen)
    d = train_many(template, X, y, subsets, random_state=gen)  # the generator moved on
    assert c[0].random_state != d[0].random_state


def test_train_many_accuracy_matches_one_by_one(digits):
    X, y, Xte, yte = digits
    rng = np.random.default_rng(2)
    subsets = [rng.choice(len(y), size=400, replace=False) for _ in range(8)]
    models = train_many(TorchMLPClassifier(epochs=25), X, y, subsets, random_state=0)
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
    models = train_many(TorchMLPClassifier(epochs=40), X, y, [low, high, low2], random_state=0)
    assert set(np.unique(models[0].predict(Xte))) <= set(range(5))
    assert set(np.unique(models[1].predict(Xte))) <= set(range(5, 10))
    for m, s in zip(models, [low, high, low2], strict=True):
        assert m.score(X[s], y[s]) > 0.97  # fits its own subset
        assert m.predict_proba(Xte).shape == (500, 10)  # n_classes from the whole y
        assert m.classes_.tolist() == list(range(10))
    # two models on different data from the same classes still differ
    assert not np.allclose(models[0].predict_proba(Xte), models[2].predict_proba(Xte))


def test_train_many_options(digits):
    X, y, Xte, _ = digits
    subsets = [np.arange(i * 100, i * 100 + 300) for i in range(5)]
    template = TorchMLPClassifier(hidden_layer_sizes=(32,), epochs=3, dropout=0.2, n_classes=12)
    a = train_many(template, X, y, subsets, max_models=2, random_state=np.random.default_rng(0))
    assert [m.n_classes_ for m in a] == [12] * 5
    assert all(m.predict_proba(Xte).shape == (500, 12) for m in a)
    assert all(m.n_epochs_ == 3 and len(m.loss_curve_) == 3 for m in a)
    assert_same_as_one_by_one(a, X, y, subsets, Xte)  # dropout masks too


def test_train_many_falls_back_to_a_loop_off_the_batched_devices(digits, monkeypatch):
    X, y, Xte, _ = digits
    subsets = [np.arange(0, 150), np.arange(150, 250)]
    template = TorchMLPClassifier(hidden_layer_sizes=(16,), epochs=3, early_stopping=True)
    batched = train_many(template, X, y, subsets, random_state=1)
    monkeypatch.setattr(batched_module, "BATCHED_DEVICES", ())
    looped = train_many(template, X, y, subsets, random_state=1)
    for a, b in zip(batched, looped, strict=True):
        assert a.get_params() == b.get_params()
        np.testing.assert_allclose(a.predict_proba(Xte), b.predict_proba(Xte), atol=1e-5)
        assert (a.n_epochs_, a.best_epoch_) == (b.n_epochs_, b.best_epoch_)
    diverging = clone(template).set_params(optimizer="sgd", weight_decay=1e6, learning_rate=1.0)
    with pytest.raises(FloatingPointError, match=r"model 0 \(subsets\[0\]\).*diverged at epoch"):
        train_many(diverging, X, y, subsets)


def test_flat_adam_without_the_fused_kernel_is_torch_adam():
    theta = torch.randn(50, generator=torch.Generator().manual_seed(0))
    cfg = dict(optimizer="adam", learning_rate=0.01, weight_decay=0.1)
    reference = theta.clone().requires_grad_()
    torch_adam = torch.optim.Adam([reference], lr=0.01, weight_decay=0.1, foreach=False)
    for fused in (False, True):
        flat, grad = theta.clone(), torch.zeros_like(theta)
        opt = flat_optimizer(cfg, flat, fused=fused)
        opt.attach(flat, grad)
        for step in range(5):
            grad.copy_(torch.sin(flat * (step + 1)))
            opt.step()
            if not fused:
                reference.grad = torch.sin(reference.detach() * (step + 1))
                torch_adam.step()
        np.testing.assert_allclose(flat, reference.detach(), rtol=1e-6, atol=1e-7)


# --------------------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------------------
def test_train_many_errors(digits):
    X, y, _, _ = digits
    mlp = TorchMLPClassifier(epochs=1)
    with pytest.raises(ValueError, match=r"subsets\[1\] has row indices outside"):
        train_many(mlp, X, y, [np.arange(10), np.array([0, len(y)])])
    with pytest.raises(ValueError, match=r"subsets\[0\] is empty"):
        train_many(mlp, X, y, [np.array([], dtype=int)])
    with pytest.raises(ValueError, match="boolean mask"):
        train_many(mlp, X, y, [np.ones(5, dtype=bool)])
    with pytest.raises(ValueError, match="integer row indices"):
        train_many(mlp, X, y, [np.array([0.5, 1.0])])
    with pytest.raises(ValueError, match="subsets is empty"):
        train_many(mlp, X, y, [])
    with pytest.raises(ValueError, match="activation"):
        train_many(TorchMLPClassifier(activation="gelu"), X, y, [np.arange(10)])
    with pytest.raises(ValueError, match="outside 0..4"):
        train_many(TorchMLPClassifier(n_classes=5), X, y, [np.arange(10)])
    with pytest.raises(ValueError, match="max_models"):
        train_many(mlp, X, y, [np.arange(10)], max_models=0)
    with pytest.raises(ValueError, match=r"subsets\[1\] has 1 record.*early_stopping"):
        train_many(clone(mlp).set_params(early_stopping=True), X, y, [np.arange(9), [3]])
    with pytest.raises(TypeError, match="TorchMLPClassifier"):
        train_many(TorchCNNClassifier(), X, y, [np.arange(10)])
    with pytest.raises(TypeError, match="unexpected keyword"):
        train_many(X, y, [np.arange(10)], epochs=1)  # the old signature


@pytest.mark.parametrize("param", ["learning_rate", "weight_decay"])
def test_train_many_rejects_non_finite_hyperparameters(param, digits):
    X, y, _, _ = digits
    with pytest.raises(ValueError, match=f"{param} must be a finite number"):
        train_many(TorchMLPClassifier(**{param: np.inf}), X, y, [np.arange(50)])


@pytest.mark.parametrize("early_stopping", [False, True])
def test_train_many_divergence_names_the_model(early_stopping, digits):
    X, y, _, _ = digits
    X = X[:300].copy()
    X[200:] *= 1e20  # model 2 trains on these rows only, and diverges
    subsets = [np.arange(0, 100), np.arange(100, 200), np.arange(200, 300)]
    template = TorchMLPClassifier(
        hidden_layer_sizes=(),  # a linear model: nothing saturates or dies
        optimizer="sgd",
        learning_rate=0.1,
        epochs=10,
        early_stopping=early_stopping,
        random_state=0,
    )
    with pytest.raises(
        FloatingPointError,
        match=r"train_many: model 2 \(subsets\[2\]\) diverged at epoch \d+ of 10 .*smaller",
    ):
        train_many(template, X, y[:300], subsets)
    # the same rows one by one: the error names the epoch
    with pytest.raises(FloatingPointError, match=r"diverged at epoch \d+ of 10"):
        clone(template).fit(X[200:], y[200:300])
    fine = train_many(template, X, y[:300], subsets[:2])
    assert all(np.isfinite(m.predict_proba(X[:50])).all() for m in fine)
