import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from mia_lib.query import BlackBox, Rounding, Temperature, TopK


@pytest.fixture
def model():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 5))
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 1).astype(int)
    return LogisticRegression().fit(X, y), X


def test_counts_queries_and_returns_posteriors(model):
    clf, X = model
    bb = BlackBox(clf)
    P = bb.query(X[:10])
    assert np.allclose(P, clf.predict_proba(X[:10]))
    bb.query(X[:5])
    assert (bb.n_queries, bb.n_calls) == (15, 2)
    bb.reset_counter()
    assert bb.n_queries == 0


def test_label_only(model):
    clf, X = model
    bb = BlackBox(clf, output="label")
    assert np.array_equal(bb.query(X), clf.predict(X))
    with pytest.raises(AttributeError, match="labels only"):
        bb.predict_proba(X)


def test_transforms_keep_the_predicted_label(model):
    clf, X = model
    P = clf.predict_proba(X)
    for t in (TopK(1), TopK(2), Temperature(5.0), Temperature(0.5)):
        Q = t(P)
        assert np.allclose(Q.sum(axis=1), 1.0)
        assert np.array_equal(Q.argmax(axis=1), P.argmax(axis=1))
    assert np.all(TopK(1)(P).max(axis=1) == 1.0)
    assert np.all(np.round(Rounding(2)(P), 2) == Rounding(2)(P))


def test_temperature_equals_scaling_logits():
    logits = np.array([[2.0, 0.5, -1.0]])
    P = np.exp(logits) / np.exp(logits).sum()
    want = np.exp(logits / 3) / np.exp(logits / 3).sum()
    assert np.allclose(Temperature(3.0)(P), want)


def test_expands_missing_classes():
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    clf = LogisticRegression().fit(X, np.array([0, 0, 2, 2]))
    P = BlackBox(clf, n_classes=4).query(X)
    assert P.shape == (4, 4) and np.all(P[:, [1, 3]] == 0)


def test_errors(model):
    clf, X = model
    with pytest.raises(TypeError, match="predict_proba"):
        BlackBox(object())
    with pytest.raises(ValueError, match="output must be"):
        BlackBox(clf, output="logits")
    with pytest.raises(ValueError, match="NaN"):
        BlackBox(clf).query(np.full((2, 5), np.nan))
    with pytest.raises(ValueError, match="2-D"):
        BlackBox(clf).query(np.zeros(5))
    with pytest.raises(ValueError):
        TopK(0)
    with pytest.raises(ValueError):
        Temperature(-1)


def test_rounding_with_many_classes_is_released_as_is():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 8))
    y = rng.integers(0, 30, 600)
    clf = LogisticRegression(max_iter=200).fit(X, y)
    out = BlackBox(clf, transforms=[Rounding(1)]).query(X[:50])
    assert np.all(np.round(out, 1) == out)
    assert not np.allclose(out.sum(axis=1), 1.0)  # rounded rows need not sum to 1


def test_transform_producing_invalid_values_is_refused(model):
    clf, X = model
    with pytest.raises(ValueError, match="outside \\[0, 1\\]"):
        BlackBox(clf, transforms=[lambda P: P * 2]).query(X[:3])


def test_full_proba_of_a_torch_model_trained_on_labels_with_gaps():
    from mia_lib.models import TorchMLPClassifier
    from mia_lib.query import full_proba

    X = np.random.default_rng(0).normal(size=(40, 3)).astype(np.float32)
    y = np.where(np.arange(40) % 2 == 0, 0, 2)  # class 1 never seen
    clf = TorchMLPClassifier(hidden_layer_sizes=(4,), epochs=2, random_state=0).fit(X, y)
    P = full_proba(clf, X)
    assert P.shape == (40, 3) and np.all(P[:, 1] == 0)
