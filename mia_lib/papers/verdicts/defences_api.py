"""Verdicts on the defences at the prediction API, from ``defences_api``.

Rows per ``dataset``, ``defence`` (``none``, ``top3``, ``top1``, ``label``, ``round3``...,
``temp5``...) and ``attack`` (``shokri``, ``threshold``, ``gap``, ``label_only``), each with
the attack's figures and bootstrap intervals (``auc_ci``...).
"""

from __future__ import annotations

import pandas as pd

from .rules import CHANCE_AUC, EFFECT, Verdict, overall

__all__ = ["EFFECT", "CHANCE_AUC", "api_restrictions", "label_only_masking", "RESTRICTIONS"]

#: The defences that mask the confidences but still release a vector (not the label alone).
RESTRICTIONS = ("top3", "top1", "round3", "round2", "round1", "temp5", "temp20")


def _table(rows) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


def api_restrictions(rows) -> Verdict:
    """Rule (Shokri et al.: the attack "withstands" the output restrictions; even top-1
    "does not decrease attack accuracy significantly"): on each dataset, the attacker's
    accuracy is the better of Shokri's attack and the best threshold attack. A restriction
    of :data:`RESTRICTIONS` that was run is *withstood* when that accuracy falls by less
    than :data:`EFFECT` from the undefended one. Two parts: top-1 withstood, and most
    (more than half) of the restrictions withstood, on every dataset. Both: reproduced;
    one: partly; none: not reproduced.
    """
    d = _table(rows)
    d = d[d["attack"].isin(["shokri", "threshold"])]
    best = d.groupby(["dataset", "defence"])["accuracy"].max()
    per, parts = {}, []
    for ds in sorted(d["dataset"].unique()):
        b = best.loc[ds]
        if "none" not in b.index:
            continue
        base = float(b["none"])
        run = [r for r in RESTRICTIONS if r in b.index]
        drops = {r: base - float(b[r]) for r in run}
        held = {r: drops[r] < EFFECT for r in run}
        per[str(ds)] = {
            "acc_undefended": base,
            **{f"acc_{r}": float(b[r]) for r in run},
            "n_withstood": sum(held.values()),
            "n_restrictions": len(run),
            "top1_withstood": bool(held.get("top1", False)),
        }
        if "top1" in held:
            parts.append(held["top1"])
        if run:
            parts.append(sum(held.values()) > len(run) / 2)
    return Verdict(
        "shokri2017", "api_restrictions", overall(parts), {"datasets": per}, {"effect": EFFECT}
    )


def label_only_masking(rows) -> Verdict:
    """Rule (Choquette-Choo et al.: label-only attacks break confidence-masking defences):
    on each dataset, the label-only attack beats chance (AUC at least :data:`CHANCE_AUC`)
    without a defence, and under every defence its AUC lies within the 95% bootstrap
    interval of its undefended AUC. Every dataset and defence: reproduced; some: partly;
    none: not reproduced.
    """
    d = _table(rows)
    d = d[d["attack"] == "label_only"].set_index(["dataset", "defence"])
    per, parts = {}, []
    for ds in sorted({k[0] for k in d.index}):
        sub = d.loc[ds]
        if "none" not in sub.index:
            continue
        base = sub.loc["none"]
        lo, hi = base["auc_ci"]
        inside = {df: bool(lo <= float(r.auc) <= hi) for df, r in sub.iterrows() if df != "none"}
        per[str(ds)] = {
            "auc_undefended": float(base.auc),
            "ci_low": float(lo),
            "ci_high": float(hi),
            "auc_min": float(sub["auc"].min()),
            "auc_max": float(sub["auc"].max()),
            "n_inside": sum(inside.values()),
            "n_defences": len(inside),
            "beats_chance": bool(base.auc >= CHANCE_AUC),
        }
        parts += [per[str(ds)]["beats_chance"], *inside.values()]
    return Verdict(
        "choquette2021",
        "label_only_masking",
        overall(parts),
        {"datasets": per},
        {"chance_auc": CHANCE_AUC, "level": 0.95},
    )
