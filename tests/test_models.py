"""Tests of the torch estimators and the zoo of mia_lib.models: estimator conventions,
determinism, pinned numbers, labels, posteriors over all classes, clear errors.

train_many is tested in test_models_batched.py, the scikit-learn estimator checks run in
test_models_sklearn_checks.py."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
import torch
from scipy import sparse
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.exceptions import NotFittedError

from mia_lib.models import MODEL_NAMES, TorchCNNClassifier, TorchMLPClassifier, make_model
from mia_lib.query import full_proba

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
    "gradient_boosting": dict(max_iter=5),
    "stacking": {
        **{f"mlp__{k}": v for k, v in FAST_MLP.items()},
        "random_forest__n_estimators": 10,
    },
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

    def plain(p):  # nested estimators (the calibrated SVM's SVC, the stacking's list of
        # named models) compare by their repr
        return {
            k: repr(v) if hasattr(v, "get_params") or isinstance(v, list) else v
            for k, v in p.items()
        }

    assert plain(clone(model).get_params()) == plain(params)
    assert plain(model.set_params(**params).get_params()) == plain(params)
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


def test_cnn_conventions_on_images(digits):
    """What the scikit-learn checks test on flat data, for a convolutional CNN on images."""
    X, y, Xte, _ = digits
    images, test = X[:300].reshape(-1, 1, 8, 8), Xte[:64].reshape(-1, 1, 8, 8)
    cnn = TorchCNNClassifier(**{**FAST_CNN, "input_shape": None}, random_state=0)
    P = cnn.fit(images, y[:300]).predict_proba(test)
    order = np.random.default_rng(0).permutation(len(test))
    np.testing.assert_allclose(cnn.predict_proba(test[order]), P[order], rtol=1e-6, atol=1e-9)
    parts = np.concatenate([cnn.predict_proba(test[:5]), cnn.predict_proba(test[5:])])
    np.testing.assert_allclose(parts, P, rtol=1e-6, atol=1e-9)
    np.testing.assert_array_equal(cnn.fit(images, y[:300]).predict_proba(test), P)  # idempotent
    words = np.array(["zero", "one", "two", "three", "four", "five", "six", "seven", "8", "9"])
    named = clone(cnn).fit(images, words[y[:300]])
    assert list(named.classes_) == sorted(words)
    assert set(named.predict(test)) <= set(words)
    with pytest.raises(ValueError, match="expecting 64 features"):
        cnn.predict(Xte[:, :63])


# --------------------------------------------------------------------------------------
# the numbers of a fixed random_state
# --------------------------------------------------------------------------------------
# predict_proba(X[:3]) of small models, computed with the code before mia_lib.models became
# a package (commit fc5e9df): refactoring must not change what a fixed int seed trains.
PINNED = {
    "mlp": (
        dict(hidden_layer_sizes=(8,), epochs=5, learning_rate=0.05, batch_size=16, random_state=0),
        [
            [0.016247, 0.80857, 0.175183],
            [0.000342, 0.183844, 0.815814],
            [0.979517, 0.020434, 5e-05],
        ],
    ),
    "sgd_relu_2_layers": (
        dict(
            hidden_layer_sizes=(6, 4),
            activation="relu",
            optimizer="sgd",
            learning_rate=0.05,
            weight_decay=1e-3,
            epochs=5,
            batch_size=16,
            random_state=3,
        ),
        [
            [0.352345, 0.476168, 0.171487],
            [0.358418, 0.467707, 0.173875],
            [0.374937, 0.439906, 0.185157],
        ],
    ),
    "early_stopping": (
        dict(
            hidden_layer_sizes=(8,),
            early_stopping=True,
            validation_fraction=0.2,
            patience=2,
            epochs=40,
            learning_rate=0.05,
            batch_size=16,
            random_state=1,
        ),
        [
            [0.032006, 0.765365, 0.202629],
            [0.002296, 0.203168, 0.794536],
            [0.984974, 0.01482, 0.000207],
        ],
    ),
    "logistic_n_classes": (
        dict(
            hidden_layer_sizes=(5,),
            activation="logistic",
            n_classes=4,
            epochs=4,
            learning_rate=0.05,
            batch_size=32,
            random_state=2,
        ),
        [
            [0.332687, 0.495205, 0.130765, 0.041343],
            [0.273894, 0.510441, 0.155501, 0.060164],
            [0.473587, 0.446416, 0.06612, 0.013877],
        ],
    ),
}


@pytest.mark.parametrize("case", sorted(PINNED))
def test_fixed_seed_gives_the_pinned_model(case):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 5)).astype(np.float32)
    y = (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 0.5)
    params, expected = PINNED[case]
    clf = TorchMLPClassifier(**params).fit(X, y)
    np.testing.assert_allclose(clf.predict_proba(X[:3]), expected, atol=2e-6)
    if case == "early_stopping":
        assert (clf.n_epochs_, clf.best_epoch_) == (6, 4)


def test_fixed_seed_gives_the_pinned_cnn():
    rng = np.random.default_rng(0)
    rng.normal(size=(80, 5))  # the draws of the MLP data above
    X = rng.random((40, 1, 6, 6)).astype(np.float32)
    y = np.arange(40) % 2
    X[y == 1, :, :3] += 1.0
    cnn = TorchCNNClassifier(
        conv_channels=(2,),
        kernel_size=3,
        hidden_units=4,
        epochs=3,
        learning_rate=0.05,
        batch_size=16,
        random_state=0,
    ).fit(X, y)
    expected = [[0.731897, 0.268103], [0.140586, 0.859414], [0.750005, 0.249995]]
    np.testing.assert_allclose(cnn.predict_proba(X[:3]), expected, atol=2e-6)


# --------------------------------------------------------------------------------------
# labels
# --------------------------------------------------------------------------------------
def test_any_labels_without_n_classes(digits):
    X, y, Xte, yte = digits
    names = np.array([f"digit {d}" for d in range(10)])
    ints = np.array([-5, 3, 7, 11, 12, 20, 21, 40, 41, 100])  # gaps and a negative label
    reference = TorchMLPClassifier(**FAST_MLP, random_state=0).fit(X, y)
    for labels in (names, ints, ints.astype(float)):
        clf = TorchMLPClassifier(**FAST_MLP, random_state=0).fit(X, labels[y])
        np.testing.assert_array_equal(clf.classes_, labels)  # np.unique: already sorted
        assert clf.n_classes_ == 10 and clf.predict_proba(Xte).shape == (500, 10)
        # the same training as with labels 0..9: only the names of the classes differ
        np.testing.assert_array_equal(clf.predict_proba(Xte), reference.predict_proba(Xte))
        np.testing.assert_array_equal(clf.predict(Xte), labels[reference.predict(Xte)])
        np.testing.assert_array_equal(clf.loss(Xte, labels[yte]), reference.loss(Xte, yte))
        assert clf.score(Xte, labels[yte]) == reference.score(Xte, yte)
    with pytest.raises(ValueError, match="not trained on"):
        clf.loss(Xte[:2], [3.0, 3.5])
    # a class missing from y has no column without n_classes, and one with it
    gap = np.isin(y, [0, 2])
    assert TorchMLPClassifier(**FAST_MLP).fit(X[gap], y[gap]).classes_.tolist() == [0, 2]
    three = TorchMLPClassifier(**FAST_MLP, n_classes=3).fit(X[gap], y[gap])
    assert three.classes_.tolist() == [0, 1, 2] and three.predict_proba(Xte).shape == (500, 3)


# --------------------------------------------------------------------------------------
# non-finite hyper-parameters and divergence
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "param,value",
    [
        ("learning_rate", np.inf),
        ("learning_rate", np.nan),
        ("learning_rate", -1.0),
        ("weight_decay", np.inf),
        ("weight_decay", np.nan),
        ("dropout", np.nan),
        ("validation_fraction", np.inf),
    ],
)
@pytest.mark.parametrize("cls", [TorchMLPClassifier, TorchCNNClassifier])
def test_non_finite_hyperparameters_are_rejected(cls, param, value, digits):
    X, y, _, _ = digits
    est = cls(**{param: value}, early_stopping=True)
    if cls is TorchCNNClassifier:
        est.set_params(input_shape=(8, 8))
    with pytest.raises(ValueError, match=param):
        est.fit(X[:50], y[:50])
    assert not hasattr(est, "model_")


@pytest.mark.parametrize("early_stopping", [False, True])
def test_divergence_raises_and_names_the_epoch(early_stopping, digits):
    X, y, _, _ = digits
    # SGD with a huge weight decay multiplies the weights by -1e6 a step: NaN by epoch 4
    clf = TorchMLPClassifier(
        hidden_layer_sizes=(8,),
        optimizer="sgd",
        weight_decay=1e6,
        learning_rate=1.0,
        epochs=20,
        early_stopping=early_stopping,
        random_state=0,
    )
    with pytest.raises(
        FloatingPointError, match=r"diverged at epoch \d+ of 20 .*smaller learning_rate"
    ):
        clf.fit(X[:100], y[:100])
    assert not hasattr(clf, "model_")  # never a model that predicts NaN
    cnn = TorchCNNClassifier(
        conv_channels=(),
        hidden_units=4,
        optimizer="sgd",
        weight_decay=1e6,
        learning_rate=1.0,
        epochs=20,
    )
    with pytest.raises(FloatingPointError, match="TorchCNNClassifier diverged at epoch"):
        cnn.fit(X[:100], y[:100])


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
        TorchMLPClassifier(n_classes=2).fit(X[:3], [0, -1, 1])
    with pytest.raises(ValueError, match="non-integer"):
        TorchMLPClassifier(n_classes=2).fit(X[:3], [0.5, 1, 0])
    with pytest.raises(TypeError, match="numeric"):
        TorchMLPClassifier(n_classes=2).fit(X[:2], ["a", "b"])
    with pytest.raises(ValueError, match="Unknown label type: continuous"):
        clf.fit(X[:3], [0.5, 1, 0])
    with pytest.raises(ValueError, match="only one class"):
        clf.fit(X[:3], [0, 0, 0])
    with pytest.raises(ValueError, match="requires y to be passed"):
        clf.fit(X[:3], None)
    with pytest.raises(TypeError, match="sparse"):
        clf.fit(sparse.csr_matrix(X[:10]), y[:10])
    with pytest.raises(ValueError, match="Complex data"):
        clf.fit(X[:10] + 1j, y[:10])
    with pytest.raises(ValueError, match="0 feature"):
        clf.fit(np.zeros((10, 0)), y[:10])
    with pytest.raises(ValueError, match="Reshape your data"):
        clf.fit(X[0], y[:1])
    with pytest.raises(ValueError, match="activation"):
        TorchMLPClassifier(activation="swish").fit(X, y)
    with pytest.raises(ValueError, match="epochs"):
        TorchMLPClassifier(epochs=0).fit(X, y)
    with pytest.raises(ValueError, match="dropout"):
        TorchMLPClassifier(dropout=1.0).fit(X, y)
    clf.fit(X[:100], y[:100])
    with pytest.raises(ValueError, match="63 features, but TorchMLPClassifier is expecting 64"):
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
