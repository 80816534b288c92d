import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from mia_lib.query import BlackBox
from mia_lib.synthesis import (
    ModelBasedSynthesizer,
    hill_climb_synthesize,
    marginal_synthesize,
    noisy_copies,
)

D = 30  # features


@pytest.fixture(scope="module")
def binary_model():
    """Logistic regression on binary data; class = which block of 10 features has most ones."""
    rng = np.random.default_rng(0)
    X = (rng.random((1500, D)) < 0.3).astype(float)
    y = np.argmax(X.reshape(-1, 3, 10).sum(axis=2) + rng.random((1500, 3)) * 0.1, axis=1)
    return LogisticRegression(C=10.0, max_iter=2000).fit(X, y)


class Capped:
    """A fake model whose probability of class 2 never exceeds 0.3 (class 2 cannot be made)."""

    classes_ = np.arange(3)

    def predict_proba(self, X):
        X = np.asarray(X, dtype=float)
        a = X[:, :5].mean(axis=1)
        p2 = 0.3 * X[:, 5:].mean(axis=1)
        p0 = (1 - p2) * a
        return np.column_stack([p0, 1 - p2 - p0, p2])


class Worsening:
    """Fake model whose confidence in class 0 drops at every call: every proposal is rejected."""

    classes_ = np.arange(2)

    def __init__(self):
        self.seen = []

    def predict_proba(self, X):
        self.seen.append(np.array(X))
        p = 0.5 / len(self.seen)
        return np.tile([p, 1 - p], (len(X), 1))


# ---------------------------------------------------------------------------- hill climbing


def test_step_size_halves_after_rej_max_rejections():
    model = Worsening()
    result = hill_climb_synthesize(
        BlackBox(model), 40, 0, k_max=16, k_min=3, rej_max=2, iter_max=13, random_state=0
    )
    assert result.record is None and result.n_queries == 13
    x0 = model.seen[0][0]  # the only accepted record: every proposal starts from it
    distances = [int((q[0] != x0).sum()) for q in model.seen[1:]]
    assert distances == [16, 16, 16, 8, 8, 8, 4, 4, 4, 3, 3, 3]


@pytest.mark.parametrize("c", [0, 1, 2])
def test_hill_climb_reaches_confident_record_and_counts_queries(binary_model, c):
    bb = BlackBox(binary_model)
    bb.query(np.zeros((3, D)))  # earlier queries must not be attributed to the search
    record, n_queries = hill_climb_synthesize(
        bb, D, c, k_max=8, k_min=1, conf_min=0.9, random_state=c
    )
    assert record is not None
    assert record.shape == (D,) and set(np.unique(record)) <= {0.0, 1.0}
    assert bb.n_queries == 3 + n_queries
    p = binary_model.predict_proba(record[None])[0]
    assert p[c] > 0.9 and np.argmax(p) == c
    assert 1 <= n_queries <= 1000


def test_hill_climb_is_reproducible(binary_model):
    a = hill_climb_synthesize(BlackBox(binary_model), D, 1, k_max=8, random_state=5)
    b = hill_climb_synthesize(BlackBox(binary_model), D, 1, k_max=8, random_state=5)
    assert np.array_equal(a.record, b.record) and a.n_queries == b.n_queries


def test_hill_climb_fails_after_iter_max_queries():
    bb = BlackBox(Capped())
    result = hill_climb_synthesize(bb, 20, 2, k_max=4, k_min=1, iter_max=37, random_state=0)
    assert result.record is None and not result.success
    assert result.n_queries == 37 == bb.n_queries


def test_hill_climb_threshold_zero_samples_first_record_eventually(binary_model):
    # with conf_min = 0 any record predicted as c may be sampled; queries stay counted
    bb = BlackBox(binary_model)
    record, n = hill_climb_synthesize(bb, D, 0, k_max=8, conf_min=0.0, random_state=1)
    assert record is not None and np.argmax(binary_model.predict_proba(record[None])) == 0
    assert n == bb.n_queries


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"k_max": 4, "k_min": 8}, "k_min"),
        ({"k_max": 31}, "exceeds n_features"),
        ({"k_max": 0}, "k_max"),
        ({"conf_min": 1.0}, "conf_min"),
        ({"conf_min": -0.1}, "conf_min"),
        ({"rej_max": -1}, "rej_max"),
        ({"iter_max": 0}, "iter_max"),
        ({"p_init": 1.5}, "p_init"),
        ({"target_class": -1}, "target_class"),
        ({"target_class": 3}, "outside"),
    ],
)
def test_hill_climb_bad_parameters(binary_model, kwargs, match):
    kwargs = {"target_class": 0, **kwargs}
    with pytest.raises(ValueError, match=match):
        hill_climb_synthesize(BlackBox(binary_model), D, **kwargs)


def test_hill_climb_default_steps_fit_small_records(binary_model):
    # default k_max = min(64, n_features), default k_min = min(4, k_max)
    record, _ = hill_climb_synthesize(BlackBox(binary_model), D, 0, random_state=0)
    assert record is not None
    record, _ = hill_climb_synthesize(BlackBox(binary_model), D, 0, k_max=2, random_state=0)
    assert record is not None


def test_hill_climb_needs_posterior_black_box(binary_model):
    with pytest.raises(ValueError, match="label"):
        hill_climb_synthesize(BlackBox(binary_model, output="label"), D, 0)
    with pytest.raises(TypeError, match="query"):
        hill_climb_synthesize(binary_model, D, 0)


# ------------------------------------------------------------------------- synthesizer


def test_synthesizer_makes_confident_records_of_every_class(binary_model):
    bb = BlackBox(binary_model)
    syn = ModelBasedSynthesizer(6, k_max=8, k_min=1, conf_min=0.9, random_state=0)
    X, y = syn.generate(bb, D, n_classes=3)
    assert X.shape == (18, D) and np.bincount(y).tolist() == [6, 6, 6]
    P = binary_model.predict_proba(X)
    assert np.all(P[np.arange(len(y)), y] > 0.9) and np.array_equal(P.argmax(axis=1), y)
    assert syn.n_queries_ == bb.n_queries == syn.stats_["queries"].sum()
    assert syn.failed_classes_ == []
    assert syn.stats_["records"].tolist() == [6, 6, 6]
    assert syn.queries_per_record_ == pytest.approx(bb.n_queries / 18)


class Constant:
    """Fake model that always answers (0.6, 0.4)."""

    classes_ = np.arange(2)

    def predict_proba(self, X):
        return np.tile([0.6, 0.4], (len(X), 1))


def test_confident_records_are_sampled_with_probability_y_c():
    # every query is accepted and confident (0.6 > conf_min), so each is kept with probability
    # 0.6: queries per record are geometric with mean 1 / 0.6
    syn = ModelBasedSynthesizer(3000, conf_min=0.5, random_state=0)
    syn.generate(BlackBox(Constant()), 10, classes=[0])
    assert syn.queries_per_record_ == pytest.approx(1 / 0.6, rel=0.05)


def test_synthesizer_reports_the_class_it_cannot_make():
    bb = BlackBox(Capped())
    syn = ModelBasedSynthesizer(
        3, k_max=4, k_min=1, conf_min=0.6, iter_max=50, max_attempts=4, random_state=0
    )
    X, y = syn.generate(bb, 20, n_classes=3)
    assert syn.failed_classes_ == [2]
    row = syn.stats_.loc[2]
    assert (row["records"], row["attempts"], row["failures"]) == (0, 4, 4)
    assert row["failure_rate"] == 1.0 and row["queries"] == 4 * 50
    assert np.isnan(row["queries_per_record"])
    assert 2 not in set(y.tolist()) and len(y) == syn.stats_["records"].sum()
    assert syn.n_queries_ == bb.n_queries


def test_synthesizer_classes_subset_and_errors(binary_model):
    syn = ModelBasedSynthesizer(2, k_max=8, random_state=0)
    _, y = syn.generate(BlackBox(binary_model), D, classes=[2])
    assert y.tolist() == [2, 2]
    with pytest.raises(ValueError, match="exactly one"):
        syn.generate(BlackBox(binary_model), D)
    with pytest.raises(ValueError, match="max_attempts"):
        ModelBasedSynthesizer(5, max_attempts=2, k_max=8).generate(
            BlackBox(binary_model), D, n_classes=3
        )
    with pytest.raises(ValueError, match="n_per_class"):
        ModelBasedSynthesizer(0, k_max=8).generate(BlackBox(binary_model), D, n_classes=3)


# ------------------------------------------------------------------------------ marginals


def test_marginals_match_per_class_means():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 3, 600)
    p = np.array([[0.1, 0.5, 0.9, 0.3], [0.8, 0.2, 0.5, 0.05], [0.3, 0.3, 0.7, 0.6]])
    X = (rng.random((600, 4)) < p[y]).astype(np.uint8)
    Xs, ys = marginal_synthesize(X, y, 6000, random_state=0)
    assert Xs.dtype == np.float32 and set(np.unique(Xs)) == {0.0, 1.0}
    # counts in the proportions of y, summing to n
    assert len(ys) == 6000
    np.testing.assert_allclose(np.bincount(ys) / 6000, np.bincount(y) / 600, atol=1e-3)
    for c in range(3):
        np.testing.assert_allclose(Xs[ys == c].mean(axis=0), X[y == c].mean(axis=0), atol=0.03)


def test_marginals_break_correlations():
    rng = np.random.default_rng(2)
    a = (rng.random(2000) < 0.5).astype(float)
    X = np.column_stack([a, a])  # perfectly correlated
    Xs, _ = marginal_synthesize(X, np.zeros(2000, int), 2000, random_state=0)
    assert abs(np.corrcoef(Xs.T)[0, 1]) < 0.1


def test_marginals_per_class_counts_and_errors():
    X = np.array([[0, 1], [1, 1], [1, 0]])
    y = np.array([0, 0, 2])
    Xs, ys = marginal_synthesize(X, y, [3, 0, 2], random_state=0)
    assert np.bincount(ys).tolist() == [3, 0, 2]
    assert np.all(Xs[ys == 2] == [1, 0])
    with pytest.raises(ValueError, match="class 1 has no records"):
        marginal_synthesize(X, y, [1, 1, 1])
    with pytest.raises(ValueError, match="one per class"):
        marginal_synthesize(X, y, [1, 1])
    with pytest.raises(ValueError, match="different numbers of rows"):
        marginal_synthesize(X, y[:2], 4)
    with pytest.raises(ValueError, match="n must be"):
        marginal_synthesize(X, y, 0)
    with pytest.raises(ValueError, match="NaN"):
        marginal_synthesize([[np.nan, 0]], [0], 2)


def test_marginals_reproducible():
    X = np.random.default_rng(0).integers(0, 2, (50, 6))
    y = np.arange(50) % 2
    a = marginal_synthesize(X, y, 20, random_state=3)
    b = marginal_synthesize(X, y, 20, random_state=3)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])


# ------------------------------------------------------------------------------ noisy copies


@pytest.mark.parametrize("fraction, n_flip", [(0.0, 0), (0.1, 5), (0.2, 10), (0.4, 20), (1.0, 50)])
def test_noise_flips_exactly_that_share(fraction, n_flip):
    X = (np.random.default_rng(0).random((200, 50)) < 0.2).astype(np.uint8)
    Xn = noisy_copies(X, fraction, random_state=0)
    assert Xn.shape == X.shape and set(np.unique(Xn)) <= {0.0, 1.0}
    assert np.all((Xn != X).sum(axis=1) == n_flip)  # fraction * 50 per record
    assert np.array_equal(X, (np.random.default_rng(0).random((200, 50)) < 0.2))  # untouched


def test_noise_spreads_over_features():
    X = np.zeros((4000, 10))
    flipped = noisy_copies(X, 0.3, random_state=1).mean(axis=0)
    np.testing.assert_allclose(flipped, 0.3, atol=0.03)


def test_gaussian_noise_scale():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(5000, 3)) * [1.0, 10.0, 0.1]
    Xn = noisy_copies(X, 0.2, random_state=0)  # auto -> gaussian
    np.testing.assert_allclose((Xn - X).std(axis=0) / X.std(axis=0), 0.2, rtol=0.05)


def test_noise_errors():
    with pytest.raises(ValueError, match="fraction"):
        noisy_copies(np.zeros((2, 3)), 1.5)
    with pytest.raises(ValueError, match="binary"):
        noisy_copies([[0.5, 1.0]], 0.1, kind="flip")
    with pytest.raises(ValueError, match="kind"):
        noisy_copies(np.zeros((2, 3)), 0.1, kind="swap")
    with pytest.raises(ValueError, match="2-D"):
        noisy_copies(np.zeros(3), 0.1)


def test_model_based_synthesizer_is_a_scikit_learn_estimator():
    from sklearn.base import clone

    syn = ModelBasedSynthesizer(4, k_max=8, random_state=3)
    twin = clone(syn)
    assert twin.get_params() == syn.get_params() and twin is not syn
    assert not hasattr(twin, "X_")
    assert "n_per_class=4" in repr(syn)
