"""Confidence intervals of one attack's metrics, by bootstrapping its evaluation records.

Repeating a whole experiment over seeds (:func:`mia_lib.metrics.ci_table`) measures how much
the target, shadows and attack vary; the bootstrap here measures how much one run's figures
depend on *which* members and non-members happened to be evaluated. Members and non-members
are resampled separately (a stratified bootstrap), so every replicate keeps the run's balance.

>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> m = np.r_[np.ones(500), np.zeros(500)]
>>> s = rng.normal(m, 1.0)
>>> ci = bootstrap_ci(m, s, s > 0.5, random_state=0)
>>> lo, hi = ci["auc"]
>>> bool(lo < 0.76 < hi), sorted(ci)[:3]
(True, ['accuracy', 'auc', 'precision'])
"""

from __future__ import annotations

import numpy as np

from ._validation import check_finite_number, check_positive_int
from .metrics import evaluate
from .scoring import check_decisions, membership_and_scores
from .seeding import generator

__all__ = ["bootstrap_ci", "METRICS"]

#: The metrics :func:`bootstrap_ci` gives an interval for by default.
METRICS = ("precision", "recall", "accuracy", "auc", "tpr_at_1pct_fpr", "tpr_at_0_1pct_fpr")


def bootstrap_ci(
    membership,
    scores,
    predicted=None,
    *,
    metrics=METRICS,
    n_boot: int = 200,
    level: float = 0.95,
    random_state=None,
) -> dict[str, tuple[float, float]]:
    """Percentile intervals ``{metric: (low, high)}`` of an attack's metrics.

    ``predicted`` are the attack's 0/1 decisions (for precision, recall and accuracy); without
    them the decision metrics use the accuracy-maximising threshold of each replicate
    (optimistic, as in :func:`mia_lib.metrics.evaluate`). ``metrics`` are fields of
    :class:`~mia_lib.metrics.AttackReport`; ``level`` is the coverage of each interval.
    """
    m, s = membership_and_scores(membership, scores)
    p = None if predicted is None else check_decisions(predicted)
    if p is not None and len(p) != len(m):
        raise ValueError(f"predicted has {len(p)} decisions for {len(m)} records.")
    n_boot = check_positive_int(n_boot, "n_boot")
    level = check_finite_number(level, "level", low=0.0, high=1.0, low_open=True)
    if level >= 1:
        raise ValueError(f"level must be in (0, 1), got {level}.")
    if isinstance(metrics, str):
        metrics = (metrics,)
    try:
        metrics = tuple(metrics)
    except TypeError:
        raise TypeError(
            f"metrics must be a metric name or a sequence of names, got {metrics!r}."
        ) from None
    if not metrics:
        raise ValueError(f"metrics is empty; name at least one, e.g. {METRICS}.")
    known = {
        k
        for k, v in evaluate([1, 0], [1.0, 0.0]).to_dict().items()
        if isinstance(v, int | float) and not isinstance(v, bool)
    }
    unknown = [k for k in metrics if k not in known]
    if unknown:
        raise ValueError(f"unknown metric(s) {unknown}; choose among {sorted(known)}.")
    rng = generator(random_state)
    members, others = np.flatnonzero(m == 1), np.flatnonzero(m == 0)
    draws = {k: [] for k in metrics}
    for _ in range(n_boot):
        idx = np.concatenate([rng.choice(members, members.size), rng.choice(others, others.size)])
        rep = evaluate(m[idx], s[idx], predicted=None if p is None else p[idx]).to_dict()
        for k in metrics:
            draws[k].append(rep[k])
    tail = (1 - level) / 2
    return {
        k: (float(np.nanquantile(v, tail)), float(np.nanquantile(v, 1 - tail)))
        for k, v in draws.items()
    }
