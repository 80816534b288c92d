"""Verdicts on the number of shadow models, from the rows of ``n_reference_models``.

The survey judges an open question: Shokri et al. claim that more shadow models make a more
accurate attack; Salem et al. find one shadow about as good as many. Both measured average
cases. The rules here judge each claim at the average case (precision, AUC) and at a low
false positive rate (TPR at 0.1% FPR), on the means over the seeds (``seed_index``).
"""

from __future__ import annotations

import pandas as pd

from .rules import EFFECT, RISING_SPEARMAN, Verdict, overall, series_rises, spearman

__all__ = [
    "ONE_SHADOW_GAP",
    "LOW_FPR_ATTACK",
    "LOW_FPR_METRIC",
    "means_by_k",
    "one_shadow_average",
    "more_shadows",
]

#: One shadow is "about as good" as the most: precision and AUC within this of k = max.
ONE_SHADOW_GAP = 0.03
#: The attack whose low-FPR curve judges Shokri's intuition: the strongest of the field.
LOW_FPR_ATTACK = "lira_online"
#: The low-FPR metric of the rules.
LOW_FPR_METRIC = "tpr_at_0_1pct_fpr"


def means_by_k(rows, attack: str, metrics=("precision", "auc", LOW_FPR_METRIC)) -> pd.DataFrame:
    """Means over the seeds of ``metrics`` for ``attack``, one row per (dataset, k).

    >>> rows = [{"dataset": "d", "attack": "a", "k": 1, "seed_index": s, "auc": v,
    ...          "precision": v, "tpr_at_0_1pct_fpr": v} for s, v in [(0, 0.5), (1, 0.7)]]
    >>> means_by_k(rows, "a")["auc"].round(2).tolist()
    [0.6]
    """
    df = pd.DataFrame(list(rows))
    if df.empty or "attack" not in df:
        return pd.DataFrame(columns=["dataset", "k", *metrics])
    df = df[df["attack"] == attack]
    return df.groupby(["dataset", "k"], as_index=False)[list(metrics)].mean()


def one_shadow_average(rows) -> Verdict:
    """Rule (rows of ``n_reference_models``): on a dataset, Salem et al.'s "one shadow is
    about as good as many" holds at the average case when Shokri's attack with one shadow
    has a precision and an AUC within :data:`ONE_SHADOW_GAP` of the same attack with the
    most shadows (means over the seeds). Every dataset holds: reproduced; some: partly;
    none: not.
    """
    rule = {"gap": ONE_SHADOW_GAP}
    m = means_by_k(rows, "shokri")
    per, holds = {}, []
    for name, g in m.groupby("dataset"):
        g = g.sort_values("k")
        one, most = g.iloc[0], g.iloc[-1]
        if int(one["k"]) != 1 or len(g) < 2:
            continue
        ok = bool(
            most["precision"] - one["precision"] <= ONE_SHADOW_GAP
            and most["auc"] - one["auc"] <= ONE_SHADOW_GAP
        )
        per[name] = {
            "k_max": int(most["k"]),
            "precision_1": float(one["precision"]),
            "precision_max": float(most["precision"]),
            "auc_1": float(one["auc"]),
            "auc_max": float(most["auc"]),
            "holds": ok,
        }
        holds.append(ok)
    return Verdict("salem2019", "one_shadow_average", overall(holds), {"datasets": per}, rule)


def more_shadows(rows) -> Verdict:
    """Rule (rows of ``n_reference_models``): Shokri et al.'s "more shadow models, a more
    accurate attack" is judged in two parts on each dataset, means over the seeds:

    * average case: Shokri's attack's precision rises with k (:func:`~mia_lib.papers.verdicts.series_rises`: a
      Spearman correlation of at least :data:`RISING_SPEARMAN` and a gain of at least
      :data:`EFFECT` from the fewest models to the most);
    * low FPR: the TPR at 0.1% FPR of :data:`LOW_FPR_ATTACK` rises with k by the same rule.

    Both parts hold: reproduced; one: partly; none: not. The numbers say which part holds.
    """
    rule = {"effect": EFFECT, "min_spearman": RISING_SPEARMAN, "low_fpr_attack": LOW_FPR_ATTACK}
    shokri = means_by_k(rows, "shokri")
    lira = means_by_k(rows, LOW_FPR_ATTACK)
    per, holds = {}, []
    for name, g in shokri.groupby("dataset"):
        g = g.sort_values("k")
        low = lira[lira["dataset"] == name].sort_values("k")
        if len(g) < 2 or len(low) < 2:
            continue
        avg = series_rises(g["k"], g["precision"])
        tpr = series_rises(low["k"], low[LOW_FPR_METRIC])
        per[name] = {
            "precision_1": float(g["precision"].iloc[0]),
            "precision_max": float(g["precision"].iloc[-1]),
            "average_rises": avg,
            "tpr_1": float(low[LOW_FPR_METRIC].iloc[0]),
            "tpr_max": float(low[LOW_FPR_METRIC].iloc[-1]),
            "tpr_spearman": spearman(low["k"], low[LOW_FPR_METRIC]),
            "low_fpr_rises": tpr,
        }
        holds += [avg, tpr]
    return Verdict("shokri2017", "more_shadows", overall(holds), {"datasets": per}, rule)
