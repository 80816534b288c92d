"""Verdicts on Salem et al.'s adversary-1 claims, from the rows of ``salem_adversary1``.

Three parts: ``k_shadows`` (ML-Leaks with top-3 features against Shokri's attack, by number
of shadows), ``hyperparameters`` (shadows whose hyperparameters differ from the target's)
and ``combined`` (a shadow mixing three algorithms against single-algorithm shadows).
A row's ``repeat`` numbers the repetitions of the experiment (each with its own spawned
seeds); every value is first averaged over the repeats. A comparison counts only where
there is something to attack (:data:`CHANCE_AUC`).
"""

from __future__ import annotations

import math

import pandas as pd

from .rules import CHANCE_AUC, Verdict, overall

__all__ = [
    "CHANCE_AUC",
    "ONE_SHADOW_PRECISION",
    "ONE_SHADOW_RECALL",
    "TOP3_AUC",
    "HYPER_PRECISION",
    "HYPER_RECALL",
    "MATCHING_SHADOW",
    "COMBINED_PRECISION",
    "one_shadow",
    "top3",
    "unknown_hyperparameters",
    "combined_shadow",
]

#: One shadow (top-3) is "almost as good" as many (Shokri): precision within this ...
ONE_SHADOW_PRECISION = 0.03
#: ... and recall within this.
ONE_SHADOW_RECALL = 0.05
#: The top-3 features "suffice": their AUC at least the full vector's minus this.
TOP3_AUC = 0.02
#: A shadow with other hyperparameters is "as good": a precision drop of at most this ...
HYPER_PRECISION = 0.05
#: ... and a recall drop of at most this.
HYPER_RECALL = 0.10
#: The ``shadow`` label of the hyperparameter rows whose shadow matches the target.
MATCHING_SHADOW = "same as the target"
#: The combined shadow "performs like" the matching one: precision within this.
COMBINED_PRECISION = 0.05

_P = "salem2019"


def _part(rows, part: str) -> pd.DataFrame:
    """The rows of one part (none when no row has a ``part``)."""
    df = pd.DataFrame(list(rows))
    return df[df["part"] == part] if "part" in df else df.iloc[0:0]


def _means(rows, part: str, by: list[str], metrics: list[str]) -> pd.DataFrame:
    """Means over the repeats, one row per ``by`` group."""
    return _part(rows, part).groupby(by)[metrics].mean()


def one_shadow(rows) -> Verdict:
    """Rule (rows of ``salem_adversary1``, part ``k_shadows``): on a dataset, ML-Leaks with
    one shadow (top-3 features) holds when its precision is within
    :data:`ONE_SHADOW_PRECISION` and its recall within :data:`ONE_SHADOW_RECALL` of Shokri's
    attack with the most shadows (``k_max``). A dataset counts only where Shokri's attack
    there beats chance (AUC at least :data:`CHANCE_AUC`). Every counted dataset holds:
    reproduced; some: partly; none: not; none counted: not testable here.
    """
    rule = {
        "precision": ONE_SHADOW_PRECISION,
        "recall": ONE_SHADOW_RECALL,
        "chance_auc": CHANCE_AUC,
    }
    if _part(rows, "k_shadows").empty:
        return Verdict(_P, "one_shadow", "not testable here", {}, rule)
    k = _means(
        rows, "k_shadows", ["dataset", "attack", "n_shadows"], ["precision", "recall", "auc"]
    )
    kmax = int(k.index.get_level_values("n_shadows").max())
    per, skipped = {}, []
    for ds in sorted(set(k.index.get_level_values("dataset"))):
        if (ds, "ml_leaks", 1) not in k.index or (ds, "shokri", kmax) not in k.index:
            skipped.append(ds)
            continue
        one, many = k.loc[(ds, "ml_leaks", 1)], k.loc[(ds, "shokri", kmax)]
        p1, pk, r1, rk = (
            float(v) for v in (one.precision, many.precision, one.recall, many.recall)
        )
        per[ds] = {
            "precision_one": p1,
            "precision_many": pk,
            "recall_one": r1,
            "recall_many": rk,
            "auc_many": float(many.auc),
            "counted": bool(many.auc >= CHANCE_AUC),
            "holds": abs(p1 - pk) <= ONE_SHADOW_PRECISION and abs(r1 - rk) <= ONE_SHADOW_RECALL,
        }
    word = overall(p["holds"] for p in per.values() if p["counted"])
    numbers = {"k_max": kmax, "datasets": per, "skipped": skipped}
    return Verdict(_P, "one_shadow", word, numbers, rule)


def top3(rows) -> Verdict:
    """Rule (rows of ``salem_adversary1``, part ``k_shadows``): at every dataset and number
    of shadows, the AUC of ML-Leaks (top-3 posteriors) minus that of Shokri's attack (the
    full vector, per class) is at least ``-TOP3_AUC``. Every setting: reproduced; some:
    partly; none: not.
    """
    diffs: dict = {}
    groups = ()
    if not _part(rows, "k_shadows").empty:
        auc = _means(rows, "k_shadows", ["dataset", "n_shadows", "attack"], ["auc"])["auc"]
        groups = auc.groupby(level=["dataset", "n_shadows"])
    for (ds, k), g in groups:
        g = g.droplevel(["dataset", "n_shadows"])
        if {"ml_leaks", "shokri"} <= set(g.index):
            diffs.setdefault(ds, {})[str(k)] = float(g["ml_leaks"] - g["shokri"])
    flat = [d for per in diffs.values() for d in per.values()]
    numbers = {
        "differences": diffs,
        "worst_difference": min(flat) if flat else math.nan,
        "n_settings": len(flat),
        "n_holds": sum(d >= -TOP3_AUC for d in flat),
    }
    word = overall(d >= -TOP3_AUC for d in flat)
    return Verdict(_P, "top3", word, numbers, {"auc": TOP3_AUC})


def unknown_hyperparameters(rows) -> Verdict:
    """Rule (rows of ``salem_adversary1``, part ``hyperparameters``): each shadow whose
    hyperparameters differ from the target's holds when its attack loses at most
    :data:`HYPER_PRECISION` of precision and :data:`HYPER_RECALL` of recall against the
    matching shadow (:data:`MATCHING_SHADOW`). Every variant: reproduced; some: partly;
    none: not; no matching shadow: not testable here.
    """
    h = _part(rows, "hyperparameters")
    rule = {"precision": HYPER_PRECISION, "recall": HYPER_RECALL}
    t = h.groupby("shadow", sort=False)[["precision", "recall"]].mean() if len(h) else None
    if t is None or MATCHING_SHADOW not in t.index:
        return Verdict(_P, "unknown_hyperparameters", "not testable here", {}, rule)
    base = t.loc[MATCHING_SHADOW]
    variants = {}
    for name, r in t.drop(index=MATCHING_SHADOW).iterrows():
        dp, dr = float(base.precision - r.precision), float(base.recall - r.recall)
        variants[name] = {
            "precision": float(r.precision),
            "recall": float(r.recall),
            "precision_drop": dp,
            "recall_drop": dr,
            "holds": dp <= HYPER_PRECISION and dr <= HYPER_RECALL,
        }
    worst = max(variants, key=lambda n: variants[n]["precision_drop"]) if variants else ""
    numbers = {
        "datasets": sorted(set(h["dataset"])),
        "matching_precision": float(base.precision),
        "matching_recall": float(base.recall),
        "variants": variants,
        "worst": worst,
        "n_variants": len(variants),
        "n_close": sum(v["holds"] for v in variants.values()),
    }
    word = overall(v["holds"] for v in variants.values())
    return Verdict(_P, "unknown_hyperparameters", word, numbers, rule)


def combined_shadow(rows) -> Verdict:
    """Rule (rows of ``salem_adversary1``, part ``combined``): for each dataset and target
    model, the attack with the combined shadow holds when its precision is within
    :data:`COMBINED_PRECISION` of the attack with the shadow of the target's own algorithm.
    A target counts when the matching shadow's attack beats chance (AUC at least
    :data:`CHANCE_AUC`) and it is not a random forest (the claim allows a skew there).
    Every counted target: reproduced; some: partly; none: not; none counted: not testable.
    """
    c = _part(rows, "combined")
    rule = {"precision": COMBINED_PRECISION, "chance_auc": CHANCE_AUC}
    if c.empty:
        return Verdict(_P, "combined_shadow", "not testable here", {}, rule)
    idx = ["dataset", "target_model"]
    prec = c.pivot_table(index=idx, columns="shadow", values="precision", aggfunc="mean")
    auc = c.pivot_table(index=idx, columns="shadow", values="auc", aggfunc="mean")
    per: dict = {}
    for ds, tm in prec.index:
        same, comb = float(prec.loc[(ds, tm), tm]), float(prec.loc[(ds, tm), "combined"])
        matching_auc = float(auc.loc[(ds, tm), tm])
        per.setdefault(ds, {})[tm] = {
            "matching": same,
            "combined": comb,
            "difference": comb - same,
            "matching_auc": matching_auc,
            "counted": tm != "random_forest" and matching_auc >= CHANCE_AUC,
            "holds": abs(comb - same) <= COMBINED_PRECISION,
        }
    cells = [v for targets in per.values() for v in targets.values()]
    numbers = {
        "targets": per,
        "max_abs_difference": max((abs(v["difference"]) for v in cells), default=math.nan),
        "n_counted": sum(v["counted"] for v in cells),
        "n_holds": sum(v["counted"] and v["holds"] for v in cells),
    }
    word = overall(v["holds"] for v in cells if v["counted"])
    return Verdict(_P, "combined_shadow", word, numbers, rule)
