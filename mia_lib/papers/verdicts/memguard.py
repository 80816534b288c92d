"""Verdicts on MemGuard (Jia et al. 2019), from ``memguard``.

Rows: ``attack="nn"`` at each ``budget`` with the expected ``inference_acc`` and
``label_kept``; then, at the largest budget, the released answers against ``nn_released``,
``label_only``, ``gap``, ``modified_entropy`` and ``nn_aware``, each with its figures,
bootstrap intervals and the same figures without the defence (``undefended``).
"""

from __future__ import annotations

import pandas as pd

from ..data import get as get_figure
from .rules import Verdict, overall

__all__ = ["CURVE_TOLERANCE", "memguard_curve", "label_kept"]

#: The curve is reproduced at a budget when ours is within this of the official figure.
CURVE_TOLERANCE = 0.05


def memguard_curve(rows) -> Verdict:
    """Rule: at each budget of the official README (0.0 to 1.0), our expected inference
    accuracy of the NN attack is within :data:`CURVE_TOLERANCE` of the official one. Every
    budget: reproduced; some: partly; none: not reproduced.
    """
    d = pd.DataFrame(list(rows))
    d = d[d["attack"] == "nn"]
    per, parts = {}, []
    for _, r in d.sort_values("budget").iterrows():
        try:
            paper = get_figure("jia2019", f"memguard_acc_{r.budget:.1f}").value
        except KeyError:
            continue
        close = abs(float(r.inference_acc) - paper) <= CURVE_TOLERANCE
        per[f"{r.budget:.1f}"] = {"ours": float(r.inference_acc), "paper": paper, "close": close}
        parts.append(close)
    n_close = sum(p["close"] for p in per.values())
    numbers = {"budgets": per, "n_close": n_close, "n_budgets": len(per)}
    return Verdict(
        "jia2019", "memguard_curve", overall(parts), numbers, {"tolerance": CURVE_TOLERANCE}
    )


def label_kept(rows) -> Verdict:
    """Rule (MemGuard never changes the predicted label, so a label-only attack is
    untouched): the label is kept for every evaluation record, and the label-only and gap
    attacks' AUC on the released answers lies within the 95% bootstrap interval of their
    undefended AUC. All three: reproduced; some: partly; none: not reproduced.
    """
    d = pd.DataFrame(list(rows))
    kept = float(d.loc[d["attack"] == "nn", "label_kept"].min())
    numbers, parts = {"label_kept": kept}, [kept == 1.0]
    for attack in ("label_only", "gap"):
        sub = d[d["attack"] == attack]
        if sub.empty:
            continue
        r = sub.iloc[0]
        lo, hi = r.undefended["auc_ci"]
        inside = bool(lo <= float(r.auc) <= hi)
        numbers[attack] = {
            "auc": float(r.auc),
            "auc_undefended": float(r.undefended["auc"]),
            "inside": inside,
        }
        parts.append(inside)
    return Verdict("jia2019", "label_kept", overall(parts), numbers, {"level": 0.95})
