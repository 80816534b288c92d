"""What differential privacy promises an attacker can do, and what an attack proves it did.

A model trained with (ε, δ)-differential privacy bounds every membership test on it:

* :func:`yeom_bound`: Yeom et al. (2018, Theorem 1): an ε-DP training algorithm gives
  any attacker a membership advantage (TPR − FPR) of at most ``e^ε − 1``, vacuous from
  ε = ln 2 ≈ 0.69 on;
* :func:`tpr_bound`: the hypothesis-testing view (Kairouz et al. 2015): at every false
  positive rate, ``TPR ≤ min(e^ε·FPR + δ, 1 − e^−ε·(1 − δ − FPR))``, a region a ROC curve
  cannot leave;
* :func:`advantage_bound`: its best advantage, ``(e^ε − 1 + 2δ) / (e^ε + 1)``, tighter
  than Yeom's and never vacuous.

Read backwards, an attack's measured TPR and FPR prove a *lower* bound on the ε of the
training algorithm (Jagielski et al. 2020; Nasr et al. 2021): :func:`empirical_epsilon`.
It chooses the attack's threshold on one half of the evaluation records and bounds ε on the
other half with Clopper–Pearson intervals, so the bound holds with the stated confidence
and is not flattered by the choice of threshold.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import asdict, dataclass

import numpy as np
from scipy import stats

from ._validation import check_finite_number
from .scoring import membership_and_scores
from .seeding import generator

__all__ = [
    "EmpiricalEpsilon",
    "advantage_bound",
    "clopper_pearson",
    "empirical_epsilon",
    "epsilon_from_rates",
    "tpr_bound",
    "yeom_bound",
]


def _epsilon(epsilon) -> float:
    if isinstance(epsilon, bool) or not isinstance(epsilon, numbers.Real):
        raise ValueError(f"epsilon must be a number >= 0 (inf for no privacy), got {epsilon!r}.")
    eps = float(epsilon)
    if math.isnan(eps) or eps < 0:
        raise ValueError(f"epsilon must be a number >= 0 (inf for no privacy), got {epsilon!r}.")
    return eps


def _rate(value, name: str) -> float:
    r = check_finite_number(value, name, low=0)
    if r > 1:
        raise ValueError(f"{name} must be a rate in [0, 1], got {value!r}.")
    return r


def _count(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be a whole number, got {value!r}.")
    return int(value)


def _delta(delta) -> float:
    d = check_finite_number(delta, "delta", low=0)
    if d >= 1:
        raise ValueError(f"delta must be in [0, 1), got {delta!r}.")
    return d


def yeom_bound(epsilon) -> float:
    """Yeom et al.'s bound on the membership advantage of an ε-DP algorithm: ``e^ε − 1``.

    >>> round(yeom_bound(0.5), 3), yeom_bound(float("inf"))
    (0.649, inf)
    """
    return math.expm1(_epsilon(epsilon))


def advantage_bound(epsilon, delta=0.0) -> float:
    """The highest membership advantage (TPR − FPR) any test reaches against an
    (ε, δ)-DP algorithm: ``(e^ε − 1 + 2δ) / (e^ε + 1)`` (1 for ε = ∞).

    >>> round(advantage_bound(1.0), 3), round(advantage_bound(8.0, 1e-5), 4)
    (0.462, 0.9993)
    """
    eps, d = _epsilon(epsilon), _delta(delta)
    if math.isinf(eps):
        return 1.0
    return min(1.0, (math.expm1(eps) + 2 * d) / (math.exp(eps) + 1))


def tpr_bound(fpr, epsilon, delta=0.0) -> np.ndarray:
    """The highest true positive rate at each false positive rate of ``fpr`` that a
    membership test can reach against an (ε, δ)-DP algorithm.

    >>> tpr_bound([0.0, 0.01, 0.5], 1.0, 1e-5).round(4)
    array([0.    , 0.0272, 0.8161])
    """
    f = np.asarray(fpr, dtype=float)
    if f.size and not np.all((f >= 0) & (f <= 1)):
        raise ValueError("fpr must hold false positive rates in [0, 1].")
    eps, d = _epsilon(epsilon), _delta(delta)
    if math.isinf(eps):
        return np.ones_like(f)
    low = np.minimum(math.exp(eps) * f + d, 1 - math.exp(-eps) * (1 - d - f))
    return np.clip(low, 0.0, 1.0)


def clopper_pearson(successes: int, trials: int, alpha: float = 0.05) -> tuple[float, float]:
    """The two-sided ``1 − alpha`` Clopper–Pearson interval of a binomial proportion.

    >>> [round(v, 4) for v in clopper_pearson(0, 100)]
    [0.0, 0.0362]
    """
    k, n = _count(successes, "successes"), _count(trials, "trials")
    if n < 1 or not 0 <= k <= n:
        raise ValueError(f"need 0 <= successes <= trials and trials >= 1, got {k} of {n}.")
    a = check_finite_number(alpha, "alpha", low=0, low_open=True)
    if a >= 1:
        raise ValueError(f"alpha must be in (0, 1) (0.05 for a 95% interval), got {alpha!r}.")
    lo = 0.0 if k == 0 else float(stats.beta.ppf(alpha / 2, k, n - k + 1))
    hi = 1.0 if k == n else float(stats.beta.ppf(1 - alpha / 2, k + 1, n - k))
    return lo, hi


def epsilon_from_rates(tpr_low: float, fpr_high: float, delta: float = 0.0) -> float:
    """The ε that a test with true positive rate at least ``tpr_low`` and false positive
    rate at most ``fpr_high`` proves (0 when it proves nothing): the larger of
    ``ln((TPR − δ) / FPR)`` and ``ln((1 − FPR − δ) / (1 − TPR))``.

    >>> round(epsilon_from_rates(0.5, 0.05), 3), epsilon_from_rates(0.1, 0.2)
    (2.303, 0.0)
    """
    d = _delta(delta)
    tpr_low, fpr_high = _rate(tpr_low, "tpr_low"), _rate(fpr_high, "fpr_high")
    out = 0.0
    if tpr_low - d > 0:
        out = max(out, math.inf if fpr_high <= 0 else math.log((tpr_low - d) / fpr_high))
    if 1 - fpr_high - d > 0:
        out = max(out, math.inf if tpr_low >= 1 else math.log((1 - fpr_high - d) / (1 - tpr_low)))
    return out


@dataclass(frozen=True)
class EmpiricalEpsilon:
    """The result of :func:`empirical_epsilon`; ``to_dict()`` gives its fields."""

    epsilon_low: float
    threshold: float
    tpr: float
    fpr: float
    tpr_low: float
    fpr_high: float
    n_members: int
    n_non_members: int
    confidence: float

    def to_dict(self) -> dict:
        return asdict(self)


def _counts(m, s, thresholds):
    """True and false positives of ``score >= t`` for each threshold."""
    pos, neg = np.sort(s[m == 1]), np.sort(s[m == 0])
    tp = len(pos) - np.searchsorted(pos, thresholds, side="left")
    fp = len(neg) - np.searchsorted(neg, thresholds, side="left")
    return tp, fp, len(pos), len(neg)


def _bound_at(tp, fp, n_pos, n_neg, alpha, delta) -> float:
    tpr_lo = clopper_pearson(tp, n_pos, alpha)[0]
    fpr_hi = clopper_pearson(fp, n_neg, alpha)[1]
    return epsilon_from_rates(tpr_lo, fpr_hi, delta)


def empirical_epsilon(
    membership, scores, *, delta: float = 0.0, confidence: float = 0.95, random_state=None
) -> EmpiricalEpsilon:
    """A lower bound on the ε of the training algorithm, proved by an attack's scores.

    The evaluation records are split in two halves, members and non-members each. On the
    first, the threshold ``score >= t`` whose bound is highest is chosen; on the second, its
    true positive rate gets a one-sided Clopper–Pearson lower bound and its false positive
    rate an upper bound (each at ``1 − (1 − confidence) / 2``, the ends of two-sided
    ``confidence`` intervals, so both hold together with ``confidence``), and
    :func:`epsilon_from_rates` turns them into ε. With ``n`` non-members in
    the second half, the bound cannot exceed about ``ln(n / 3.7)`` at 95% confidence, however
    strong the attack.

    >>> rng = np.random.default_rng(0)
    >>> m = np.r_[np.ones(2000), np.zeros(2000)]
    >>> s = rng.normal(2.0 * m, 1.0)           # an attack that separates well
    >>> r = empirical_epsilon(m, s, random_state=0)
    >>> bool(1.0 < r.epsilon_low < 4.0), r.n_members
    (True, 1000)
    """
    m, s = membership_and_scores(membership, scores)
    d = _delta(delta)
    conf = check_finite_number(confidence, "confidence", low=0, low_open=True)
    if conf >= 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}.")
    if min(int(m.sum()), int((m == 0).sum())) < 4:
        raise ValueError(
            "empirical_epsilon needs at least 4 members and 4 non-members (two halves of two)."
        )
    alpha = 1 - conf  # each interval's one end: 1 - alpha / 2, both together 1 - alpha
    rng = generator(random_state)
    half = np.zeros(len(m), dtype=bool)
    for label in (0, 1):
        idx = np.flatnonzero(m == label)
        half[rng.permutation(idx)[: len(idx) // 2]] = True
    ma, sa, mb, sb = m[half], s[half], m[~half], s[~half]
    cands = np.unique(sa)
    if len(cands) > 512:
        cands = np.unique(np.quantile(sa, np.linspace(0, 1, 512)))
    tp, fp, n_pos, n_neg = _counts(ma, sa, cands)
    bounds = [_bound_at(a, b, n_pos, n_neg, alpha, d) for a, b in zip(tp, fp, strict=True)]
    t = float(cands[int(np.argmax(bounds))])
    tp, fp, n_pos, n_neg = _counts(mb, sb, np.array([t]))
    tp, fp = int(tp[0]), int(fp[0])
    tpr_lo = clopper_pearson(tp, n_pos, alpha)[0]
    fpr_hi = clopper_pearson(fp, n_neg, alpha)[1]
    return EmpiricalEpsilon(
        epsilon_low=epsilon_from_rates(tpr_lo, fpr_hi, d),
        threshold=t,
        tpr=tp / n_pos,
        fpr=fp / n_neg,
        tpr_low=tpr_lo,
        fpr_high=fpr_hi,
        n_members=n_pos,
        n_non_members=n_neg,
        confidence=conf,
    )
