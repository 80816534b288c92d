"""Verdict on the survey's conjecture about dimensionality, from the rows of ``dimensionality``.

The survey ties Truex et al.'s number-of-classes effect to the curse of dimensionality and
proposes, as future work, that attacks should succeed more on data of higher dimension.
"""

from __future__ import annotations

import pandas as pd

from .rules import EFFECT, RISING_SPEARMAN, Verdict, overall, series_rises

__all__ = ["dimensionality"]


def dimensionality(rows) -> Verdict:
    """Rule (rows of ``dimensionality``): the survey's conjecture, "attacks succeed more on
    data of higher dimension", holds on a family of settings (one entry; for synthetic data,
    one in-class spread) when LiRA's TPR at 1% FPR *and* the loss attack's AUC both rise
    with the dimension (:func:`~mia_lib.papers.verdicts.series_rises`, means over the seeds). Every family holds:
    reproduced; some: partly; none: not. The numbers also say, per family, whether the
    generalisation gap rises by the same rule (``gap_rises``): where it does, the gap, not
    the dimension as such, may be the cause.
    """
    rule = {"effect": EFFECT, "min_spearman": RISING_SPEARMAN}
    df = pd.DataFrame(list(rows))
    per, holds = {}, []
    if df.empty:
        return Verdict("gehrke2021", "dimensionality", overall(holds), {"families": per}, rule)
    df["family"] = [
        f"{d}/std={s:g}" if isinstance(s, float) and s == s else d
        for d, s in zip(df["dataset"], df["std"], strict=True)
    ]
    cols = ["lira_tpr_at_1pct_fpr", "loss_auc", "gap", "test_acc"]
    m = df.groupby(["family", "dims"], as_index=False)[cols].mean()
    for fam, g in m.groupby("family"):
        g = g.sort_values("dims")
        if len(g) < 2:
            continue
        low = series_rises(g["dims"], g["lira_tpr_at_1pct_fpr"])
        avg = series_rises(g["dims"], g["loss_auc"])
        per[fam] = {
            "dims_min": int(g["dims"].iloc[0]),
            "dims_max": int(g["dims"].iloc[-1]),
            "lira_tpr_min_d": float(g["lira_tpr_at_1pct_fpr"].iloc[0]),
            "lira_tpr_max_d": float(g["lira_tpr_at_1pct_fpr"].iloc[-1]),
            "loss_auc_min_d": float(g["loss_auc"].iloc[0]),
            "loss_auc_max_d": float(g["loss_auc"].iloc[-1]),
            "gap_min_d": float(g["gap"].iloc[0]),
            "gap_max_d": float(g["gap"].iloc[-1]),
            "gap_rises": series_rises(g["dims"], g["gap"]),
            "holds": bool(low and avg),
        }
        holds.append(bool(low and avg))
    return Verdict("gehrke2021", "dimensionality", overall(holds), {"families": per}, rule)
