import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mia_lib import signals


def _posteriors(rng, n, k):
    return rng.dirichlet(np.ones(k), size=n)


def test_signals_orientation_members_score_higher():
    # a confident correct prediction must score above an unsure one, for every signal
    P = np.array([[0.98, 0.01, 0.01], [0.4, 0.3, 0.3]])
    y = np.array([0, 0])
    for name in signals.SIGNALS:
        s = signals.compute_signal(name, P, y)
        assert s[0] > s[1], name


def test_loss_is_log_true_class():
    rng = np.random.default_rng(0)
    P = _posteriors(rng, 50, 4)
    y = rng.integers(0, 4, 50)
    assert np.allclose(signals.loss(P, y), np.log(P[np.arange(50), y]))


@settings(max_examples=50, deadline=None)
@given(st.integers(2, 8), st.integers(0, 10_000))
def test_modified_entropy_matches_formula(k, seed):
    rng = np.random.default_rng(seed)
    P = _posteriors(rng, 5, k)
    y = rng.integers(0, k, 5)
    got = -signals.modified_entropy(P, y)
    for i in range(5):
        p, c = P[i], y[i]
        want = -(1 - p[c]) * np.log(p[c]) - sum(p[j] * np.log(1 - p[j]) for j in range(k) if j != c)
        assert got[i] == pytest.approx(want, rel=1e-6, abs=1e-9)


def test_modified_entropy_punishes_confident_wrong_answers_unlike_entropy():
    P = np.array([[0.99, 0.01]])
    assert signals.entropy(P)[0] == pytest.approx(signals.entropy(P[:, ::-1])[0])
    assert signals.modified_entropy(P, [1])[0] < signals.modified_entropy(P, [0])[0] - 5


def test_top_k_sorted_pads():
    assert signals.top_k_sorted([[0.3, 0.7]], 3).tolist() == [[0.7, 0.3, 0.0]]


def test_signal_errors():
    with pytest.raises(ValueError, match="unknown signal"):
        signals.compute_signal("nope", [[1.0, 0.0]])
    with pytest.raises(ValueError, match="needs the true labels"):
        signals.compute_signal("loss", [[1.0, 0.0]])
    with pytest.raises(ValueError, match="labels outside"):
        signals.loss([[1.0, 0.0]], [2])
    with pytest.raises(ValueError, match="not 1"):
        signals.confidence([[0.5, 0.7]])
    with pytest.raises(ValueError, match="NaN"):
        signals.confidence([[np.nan, 1.0]])
