"""Tests of mia_lib.dp_bounds: the bounds (ε, δ)-differential privacy puts on membership tests
(Yeom's bound, the hypothesis-testing region, the advantage bound), Clopper-Pearson
intervals against scipy, the ε that rates prove, and the empirical ε lower bound on simulated
attacks (valid at its confidence, tight for perfect attacks), with clear errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from mia_lib.dp_bounds import (
    EmpiricalEpsilon,
    advantage_bound,
    clopper_pearson,
    empirical_epsilon,
    epsilon_from_rates,
    tpr_bound,
    yeom_bound,
)

EPSILONS = [0.0, 0.1, 0.5, 1.0, 2.0, 4.0]
DELTAS = [0.0, 1e-5, 0.01, 0.1]
FEW = settings(max_examples=60, deadline=None)


# --------------------------------------------------------------------------------------
# the bounds of (ε, δ)-DP
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("delta", DELTAS)
@pytest.mark.parametrize("eps", EPSILONS)
def test_advantage_bound_is_the_best_advantage_in_the_region(eps, delta):
    fpr = np.linspace(0.0, 1.0, 200_001)
    best = float(np.max(tpr_bound(fpr, eps, delta) - fpr))
    bound = advantage_bound(eps, delta)
    assert bound >= best - 1e-12  # no point of the region beats it ...
    assert bound == pytest.approx(best, abs=1e-3)  # ... and it is reached
    # exactly, at the corner fpr* = (1 - delta) / (e^eps + 1)
    corner = (1 - delta) / (math.exp(eps) + 1)
    assert float(tpr_bound(corner, eps, delta)) - corner == pytest.approx(bound, abs=1e-12)


def test_advantage_bound_values_and_yeom():
    assert advantage_bound(1.0) == pytest.approx((math.e - 1) / (math.e + 1))
    assert advantage_bound(0.0) == 0.0 and advantage_bound(0.0, 0.01) == pytest.approx(0.01)
    assert advantage_bound(math.inf) == 1.0 and yeom_bound(math.inf) == math.inf
    assert yeom_bound(0.0) == 0.0 and yeom_bound(1.0) == pytest.approx(math.e - 1)
    for eps in np.linspace(0.0, 3.0, 31):
        if yeom_bound(eps) < 1:  # Yeom's bound says something only below ln 2
            assert advantage_bound(eps) <= yeom_bound(eps) + 1e-15
        assert advantage_bound(eps) < 1  # the region's bound never is vacuous
    assert yeom_bound(math.log(2)) == pytest.approx(1.0)
    # near ln 2, where Yeom's bound becomes vacuous, the region's is far tighter
    assert advantage_bound(0.6) < 0.6 * yeom_bound(0.6)


@pytest.mark.parametrize("delta", DELTAS)
@pytest.mark.parametrize("eps", EPSILONS + [8.0])
def test_tpr_bound_shape(eps, delta):
    fpr = np.linspace(0.0, 1.0, 1001)
    tpr = tpr_bound(fpr, eps, delta)
    assert tpr.shape == fpr.shape
    assert np.all((tpr >= 0) & (tpr <= 1))
    assert np.all(np.diff(tpr) >= -1e-15)  # non-decreasing
    assert np.all(tpr >= fpr - 1e-15)  # a coin flip with rate fpr is always possible
    # at fpr = 0: min(delta, 1 - e^-eps (1 - delta)), which is delta
    expected_0 = min(delta, 1 - math.exp(-eps) * (1 - delta))
    assert tpr[0] == pytest.approx(expected_0, abs=1e-15)
    assert tpr[0] == pytest.approx(delta, abs=1e-15)
    assert tpr[-1] == 1.0


def test_tpr_bound_values_and_extremes():
    fpr = np.linspace(0.0, 1.0, 101)
    assert np.all(tpr_bound(fpr, 0.0, 0.0) <= fpr + 1e-15)  # pure 0-DP: no test beats chance
    np.testing.assert_allclose(tpr_bound(fpr, 0.0, 0.0), fpr, atol=1e-15)
    np.testing.assert_array_equal(tpr_bound(fpr, math.inf, 0.5), np.ones_like(fpr))
    # the two pieces: e^eps fpr + delta below the corner, 1 - e^-eps (1 - delta - fpr) above
    assert float(tpr_bound(0.01, 1.0, 1e-5)) == pytest.approx(math.e * 0.01 + 1e-5)
    assert float(tpr_bound(0.5, 1.0, 1e-5)) == pytest.approx(1 - (0.5 - 1e-5) / math.e)
    assert tpr_bound([], 1.0).shape == (0,)


@FEW
@given(
    eps=st.floats(0.0, 8.0),
    delta=st.floats(0.0, 0.05),
    fprs=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=20),
)
def test_tpr_bound_is_a_monotone_rate(eps, delta, fprs):
    fpr = np.sort(np.asarray(fprs))
    tpr = tpr_bound(fpr, eps, delta)
    assert np.all((tpr >= 0) & (tpr <= 1))
    assert np.all(np.diff(tpr) >= -1e-12)
    assert np.all(tpr >= fpr - 1e-12)
    # a looser guarantee allows more
    assert np.all(tpr_bound(fpr, eps + 0.5, delta) >= tpr - 1e-12)


@FEW
@given(eps=st.floats(0.0, 8.0), delta=st.floats(0.0, 0.05), fpr=st.floats(1e-3, 0.9))
def test_a_point_on_the_region_boundary_proves_exactly_its_epsilon(eps, delta, fpr):
    """tpr_bound and epsilon_from_rates are inverse: the best test the region allows proves
    the region's ε, never more."""
    tpr = float(tpr_bound(fpr, eps, delta))
    assert epsilon_from_rates(tpr, fpr, delta) == pytest.approx(eps, abs=1e-6)
    # a weaker test (lower TPR) proves no more
    assert epsilon_from_rates(fpr + 0.9 * (tpr - fpr), fpr, delta) <= eps + 1e-9


# --------------------------------------------------------------------------------------
# Clopper-Pearson and epsilon_from_rates
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("alpha", [0.05, 0.025, 0.2])
@pytest.mark.parametrize(
    "k, n", [(0, 1), (1, 1), (0, 10), (3, 10), (10, 10), (7, 250), (999, 1000)]
)
def test_clopper_pearson_matches_scipy(k, n, alpha):
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=1 - alpha, method="exact")
    lo, hi = clopper_pearson(k, n, alpha)
    assert lo == pytest.approx(ci.low, abs=1e-10) and hi == pytest.approx(ci.high, abs=1e-10)
    assert 0 <= lo <= k / n <= hi <= 1


def test_clopper_pearson_errors():
    for k, n in [(-1, 10), (11, 10), (0, 0)]:
        with pytest.raises(ValueError, match=r"need 0 <= successes <= trials and trials >= 1"):
            clopper_pearson(k, n)


@pytest.mark.parametrize(
    "args", [(1, 10, 1.5), (1, 10, float("nan")), (2.5, 10, 0.05), (2, 10.5, 0.05)]
)
def test_clopper_pearson_refuses_bad_alpha_and_fractional_counts(args):
    with pytest.raises(ValueError):
        clopper_pearson(*args)


def test_epsilon_from_rates_known_values():
    assert epsilon_from_rates(0.5, 0.05) == pytest.approx(math.log(10))
    assert epsilon_from_rates(0.5, 0.05, 0.01) == pytest.approx(math.log(0.49 / 0.05))
    # the second branch: few misses prove as much as few false alarms
    assert epsilon_from_rates(0.95, 0.5) == pytest.approx(math.log(0.5 / 0.05))
    assert epsilon_from_rates(0.95, 0.5, 0.01) == pytest.approx(math.log(0.49 / 0.05))
    assert epsilon_from_rates(0.95, 0.5) > math.log(0.95 / 0.5)  # it beats the first branch
    # nothing proved: no better than chance, or everything absorbed by delta
    assert epsilon_from_rates(0.1, 0.2) == 0.0
    assert epsilon_from_rates(0.3, 0.3) == 0.0
    assert epsilon_from_rates(0.0, 0.0) == 0.0 and epsilon_from_rates(1.0, 1.0) == 0.0
    assert epsilon_from_rates(0.3, 0.1) == pytest.approx(math.log(3))
    assert epsilon_from_rates(0.3, 0.1, delta=0.25) == 0.0  # ln(0.05/0.1), ln(0.65/0.7) < 0
    # a perfect test proves no finite epsilon with delta = 0
    assert epsilon_from_rates(1.0, 0.0) == math.inf
    assert epsilon_from_rates(0.4, 0.0) == math.inf and epsilon_from_rates(1.0, 0.6) == math.inf
    with pytest.raises(ValueError, match=r"delta must be in \[0, 1\), got 1"):
        epsilon_from_rates(0.5, 0.1, 1)


@FEW
@given(t=st.integers(0, 1000), f=st.integers(0, 1000), delta=st.floats(0.0, 0.2))
def test_epsilon_from_rates_properties(t, f, delta):
    # rates on a grid of 1/1000, so that 1 - rate is exact enough (1 - 1e-107 rounds to 1)
    tpr, fpr = t / 1000, f / 1000
    eps = epsilon_from_rates(tpr, fpr, delta)
    assert eps >= 0
    if tpr <= fpr:
        assert eps == 0.0  # a test no better than chance proves nothing
    # the complement test (say "member" when this one says "non-member", members and
    # non-members swapped) has TPR 1 - FPR and FPR 1 - TPR, and proves the same
    complement = epsilon_from_rates((1000 - f) / 1000, (1000 - t) / 1000, delta)
    assert complement == pytest.approx(eps, rel=1e-9, abs=1e-9)
    # more true positives, fewer false positives or a smaller delta never prove less
    assert epsilon_from_rates(min(1.0, tpr + 0.1), fpr, delta) >= eps - 1e-12
    assert epsilon_from_rates(tpr, max(0.0, fpr - 0.1), delta) >= eps - 1e-12
    assert epsilon_from_rates(tpr, fpr, delta / 2) >= eps - 1e-12
    # and what is proved lies on the region of that epsilon (when finite)
    if 0 < eps < math.inf:
        assert tpr <= float(tpr_bound(fpr, eps, delta)) + 1e-9


@pytest.mark.parametrize(
    "tpr, fpr", [(1.5, 0.1), (0.5, -0.1), (float("nan"), 0.1), (0.5, float("nan"))]
)
def test_epsilon_from_rates_refuses_rates_outside_0_1(tpr, fpr):
    with pytest.raises(ValueError):
        epsilon_from_rates(tpr, fpr)


def test_bad_epsilon_and_delta_are_refused():
    for f in (yeom_bound, advantage_bound, lambda e: tpr_bound(0.1, e)):
        with pytest.raises(ValueError, match=r"epsilon must be a number >= 0 .*got -1"):
            f(-1)
        with pytest.raises(ValueError, match=r"epsilon must be a number >= 0 .*got nan"):
            f(float("nan"))
    for d in (-0.1, 1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match=r"delta must be"):
            advantage_bound(1.0, d)
        with pytest.raises(ValueError, match=r"delta must be"):
            tpr_bound(0.1, 1.0, d)
    for fpr in (-0.01, 1.01, float("nan"), [0.5, 2.0]):
        with pytest.raises(ValueError, match=r"fpr must hold false positive rates in \[0, 1\]"):
            tpr_bound(fpr, 1.0)


@pytest.mark.parametrize("value", [None, "0.5"])
def test_epsilon_that_is_not_a_number_is_refused_by_name(value):
    with pytest.raises(ValueError, match="epsilon"):
        yeom_bound(value)


# --------------------------------------------------------------------------------------
# empirical_epsilon
# --------------------------------------------------------------------------------------
def members(n_in: int, n_out: int) -> np.ndarray:
    return np.r_[np.ones(n_in, dtype=int), np.zeros(n_out, dtype=int)]


def test_empirical_epsilon_proves_nothing_against_a_blind_attack():
    """Scores independent of membership: a 95%-confidence lower bound must be 0 almost
    always (the threshold, chosen on one half, is not flattered on the other)."""
    m = members(100, 100)
    proved = []
    for seed in range(50):
        s = np.random.default_rng(seed).normal(size=len(m))
        proved.append(empirical_epsilon(m, s, random_state=seed).epsilon_low)
    assert sum(p == 0.0 for p in proved) >= 45
    assert min(proved) >= 0.0


def test_empirical_epsilon_is_a_lower_bound_on_simulated_dp():
    """Members' scores are Bernoulli(0.6), non-members' Bernoulli(0.3): this release is
    exactly ln(0.6 / 0.3) = ln 2-DP (the other side, ln(0.7 / 0.4), is smaller)."""
    p_in, p_out = 0.6, 0.3
    true_eps = math.log(p_in / p_out)
    assert math.log((1 - p_out) / (1 - p_in)) < true_eps
    for n, min_mean in ((300, 0.0), (3000, 0.4)):
        m = members(n, n)
        proved = []
        for seed in range(50):
            rng = np.random.default_rng(seed)
            s = (rng.random(2 * n) < np.where(m == 1, p_in, p_out)).astype(float)
            proved.append(empirical_epsilon(m, s, random_state=seed).epsilon_low)
        proved = np.array(proved)
        assert np.sum(proved < true_eps) >= 45  # valid at 95% confidence
        assert proved.mean() > min_mean  # and, with many records, close to the truth
    assert proved.mean() < true_eps


@pytest.mark.parametrize("n_half", [50, 1000])
def test_empirical_epsilon_of_a_perfect_attack_is_the_clopper_pearson_limit(n_half):
    """Members score 1, non-members 0: on the evaluation half TPR = 1 and FPR = 0, and the
    bound is set by the Clopper-Pearson ends of n_half records: about ln(n_half / 3.69)."""
    m = members(2 * n_half, 2 * n_half)
    r = empirical_epsilon(m, m.astype(float), random_state=0)
    assert (r.n_members, r.n_non_members, r.tpr, r.fpr) == (n_half, n_half, 1.0, 0.0)
    low = stats.binomtest(n_half, n_half).proportion_ci(0.95, method="exact").low
    high = stats.binomtest(0, n_half).proportion_ci(0.95, method="exact").high
    assert (r.tpr_low, r.fpr_high) == (pytest.approx(low), pytest.approx(high))
    assert r.epsilon_low == pytest.approx(math.log(low / high), rel=1e-9)
    assert r.epsilon_low <= math.log(n_half / 3.69)  # the docstring's ceiling
    if n_half >= 1000:
        assert r.epsilon_low == pytest.approx(math.log(n_half / math.log(1 / 0.025)), abs=0.01)


def test_empirical_epsilon_result_and_seeding():
    rng = np.random.default_rng(3)
    m = members(400, 400)
    s = rng.normal(2.0 * m, 1.0)
    a = empirical_epsilon(m, s, random_state=7)
    b = empirical_epsilon(m, s, random_state=7)
    assert a == b and isinstance(a, EmpiricalEpsilon)
    d = a.to_dict()
    assert set(d) == {
        "epsilon_low",
        "threshold",
        "tpr",
        "fpr",
        "tpr_low",
        "fpr_high",
        "n_members",
        "n_non_members",
        "confidence",
    }
    assert d["tpr_low"] <= d["tpr"] and d["fpr"] <= d["fpr_high"]
    assert d["epsilon_low"] == pytest.approx(epsilon_from_rates(d["tpr_low"], d["fpr_high"]))
    assert 0 < a.epsilon_low < 4.0
    # a delta absorbs some of the evidence
    assert empirical_epsilon(m, s, delta=0.05, random_state=7).epsilon_low < a.epsilon_low
    # a lower confidence claims more from the same split
    assert empirical_epsilon(m, s, confidence=0.5, random_state=7).epsilon_low > a.epsilon_low


def test_empirical_epsilon_errors():
    m, s = members(10, 10), np.arange(20.0)
    with pytest.raises(ValueError, match=r"at least 4 members and 4 non-members"):
        empirical_epsilon(members(3, 10), np.arange(13.0))
    with pytest.raises(ValueError, match=r"at least 4 members and 4 non-members"):
        empirical_epsilon(members(10, 3), np.arange(13.0))
    with pytest.raises(ValueError, match=r"confidence must be > 0, got 0"):
        empirical_epsilon(m, s, confidence=0)
    with pytest.raises(ValueError, match=r"confidence must be in \(0, 1\), got 1"):
        empirical_epsilon(m, s, confidence=1)
    with pytest.raises(ValueError, match=r"confidence must be a finite number"):
        empirical_epsilon(m, s, confidence=float("nan"))
    with pytest.raises(ValueError, match=r"delta must be in \[0, 1\), got 1"):
        empirical_epsilon(m, s, delta=1)
    with pytest.raises(ValueError, match=r"different numbers of rows .*membership: 20, scores: 19"):
        empirical_epsilon(m, s[:-1])
    bad = s.copy()
    bad[3] = np.nan
    with pytest.raises(ValueError, match=r"scores contains NaN"):
        empirical_epsilon(m, bad)
    with pytest.raises(ValueError, match=r"membership must hold only 0"):
        empirical_epsilon(2 * m, s)
