"""Verdict on Salem et al.'s adversary 3 (no shadow model), from ``salem_threshold``.

Rows per dataset and ``adversary``: ``"1"`` (a shadow on the same data), ``"2"`` (a shadow
on other data), ``"3 noise"`` (the highest posterior, thresholded at a quantile of its
values on random queries) and ``"3 reference"``.
"""

from __future__ import annotations

import pandas as pd

from .rules import ATTACKABLE_PRECISION, CHANCE_AUC, Verdict

__all__ = [
    "ATTACKABLE_PRECISION",
    "CHANCE_AUC",
    "THRESHOLD_AUC",
    "THRESHOLD_PRECISION",
    "threshold",
]

#: Adversary 3 "ranks" like adversary 1: AUC at least adversary 1's minus this ...
THRESHOLD_AUC = 0.05
#: ... and "decides": its noise threshold gives a precision of at least this.
THRESHOLD_PRECISION = 0.7

_P = "salem2019"


def threshold(rows) -> Verdict:
    """Rule (rows of ``salem_threshold``): on each target adversary 1 reaches (precision at
    least :data:`ATTACKABLE_PRECISION`; these are ``counted``), adversary 3 (the highest
    posterior, noise threshold) *ranks* when its AUC is at least adversary 1's minus
    :data:`THRESHOLD_AUC` and *decides* when its precision is at least
    :data:`THRESHOLD_PRECISION`. Both on every counted target: reproduced; ranking on some:
    partly; ranking on none: not; no counted target: not testable here. Every dataset with
    both adversaries is in ``datasets``; ``above_chance`` marks those adversary 1 ranks
    with an AUC of at least :data:`CHANCE_AUC`.
    """
    d = pd.DataFrame(list(rows))
    a1 = d[d["adversary"] == "1"].set_index("dataset")
    a3 = d[d["adversary"] == "3 noise"].set_index("dataset")
    per = {}
    for ds in a1.index:
        if ds not in a3.index:
            continue
        r1, r3 = a1.loc[ds], a3.loc[ds]
        per[str(ds)] = {
            "auc_threshold": float(r3.auc),
            "auc_adversary1": float(r1.auc),
            "precision_threshold": float(r3.precision),
            "precision_adversary1": float(r1.precision),
            "counted": bool(r1.precision >= ATTACKABLE_PRECISION),
            "above_chance": bool(r1.auc >= CHANCE_AUC),
            "ranks": bool(r3.auc >= r1.auc - THRESHOLD_AUC),
            "decides": bool(r3.precision >= THRESHOLD_PRECISION),
        }
    counted = [p for p in per.values() if p["counted"]]
    n_rank, n_decide = sum(p["ranks"] for p in counted), sum(p["decides"] for p in counted)
    if not counted:
        word = "not testable here"
    elif n_rank == n_decide == len(counted):
        word = "reproduced"
    else:
        word = "partly reproduced" if n_rank > 0 else "not reproduced"
    numbers = {"datasets": per, "n_counted": len(counted), "n_ranks": n_rank, "n_decides": n_decide}
    rule = {
        "auc": THRESHOLD_AUC,
        "precision": THRESHOLD_PRECISION,
        "attackable_precision": ATTACKABLE_PRECISION,
        "chance_auc": CHANCE_AUC,
    }
    return Verdict(_P, "threshold", word, numbers, rule)
