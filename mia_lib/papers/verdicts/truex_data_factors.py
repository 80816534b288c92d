"""Verdicts on Truex et al.'s data-factor claims, from the rows of ``truex_data_factors``.

The rows measure the attack against the number of classes and the in-class standard
deviation: synthetic data (``kind == "synthetic"``, one series per ``cluster_std``),
Locations re-clustered into k classes (``"locations_k"``) and other real datasets
(``"real"``). Purchase is download-only, so Locations-k stands in for it where a claim
names Purchase, and a holding analogue is only "partly reproduced".
"""

from __future__ import annotations

import numpy as np

from .rules import EFFECT, RISING_SPEARMAN, Verdict, overall, series_rises, spearman

__all__ = [
    "EFFECT",
    "EQUAL_STD",
    "REAL_SPEARMAN",
    "n_classes",
    "in_class_std",
    "purchase100_vs_50",
    "cifar10_vs_purchase10",
]

#: Two in-class standard deviations are "nearly equal" within 10% of each other.
EQUAL_STD = 0.10
#: Across real datasets, the in-class std "goes with" accuracy at this Spearman or more.
REAL_SPEARMAN = 0.5

_P = "truex2018"
_ANALOGUE = {"analogue": "Locations-k stands in for Purchase: a holding claim is only partly"}


def _kind(rows, kind):
    return [r for r in rows if r["kind"] == kind]


def _series_counts(rows, group: str, x: str) -> dict:
    """For each value of ``group``: does the accuracy rise with ``x`` (:func:`~mia_lib.papers.verdicts.series_rises`)?"""
    ok = []
    for g in sorted({r[group] for r in rows}):
        ser = [r for r in rows if r[group] == g]
        ok.append(series_rises([r[x] for r in ser], [r["accuracy_mean"] for r in ser]))
    return {"n_rising": sum(ok), "n_series": len(ok), "holds": sum(ok) > len(ok) / 2}


_SERIES_RULE = {"effect": EFFECT, "rising_spearman": RISING_SPEARMAN}


def n_classes(rows) -> Verdict:
    """Rule (rows of ``truex_data_factors``): a series "rises" by :func:`~mia_lib.papers.verdicts.series_rises`
    (Spearman at least 0.8 with the number of classes, a gain of at least :data:`EFFECT`).
    Synthetic data hold when most of their series (one per cluster std) rise; Locations-k
    holds when its series rises. Both: reproduced; one: partly; none: not.
    """
    syn, loc = _kind(rows, "synthetic"), _kind(rows, "locations_k")
    numbers = {}
    if syn:
        numbers["synthetic"] = _series_counts(syn, "cluster_std", "n_classes")
    if loc:
        ks, acc = [r["n_classes"] for r in loc], [r["accuracy_mean"] for r in loc]
        lo, hi = int(np.argmin(ks)), int(np.argmax(ks))
        numbers["locations_k"] = {
            "fewest_classes": ks[lo],
            "acc_fewest": acc[lo],
            "most_classes": ks[hi],
            "acc_most": acc[hi],
            "spearman": spearman(ks, acc),
            "holds": series_rises(ks, acc),
        }
    word = overall([part["holds"] for part in numbers.values()])
    return Verdict(_P, "n_classes", word, numbers, _SERIES_RULE)


def in_class_std(rows) -> Verdict:
    """Rule (rows of ``truex_data_factors``): synthetic data hold when, at most numbers of
    classes, the accuracy rises with the in-class std (:func:`~mia_lib.papers.verdicts.series_rises`); the real
    targets (Locations-k and the others, at least 3) hold when the Spearman correlation of
    in-class std and accuracy across them is at least :data:`REAL_SPEARMAN`. Both:
    reproduced; one: partly; none: not.
    """
    syn = _kind(rows, "synthetic")
    real = _kind(rows, "locations_k") + _kind(rows, "real")
    numbers = {}
    if syn:
        numbers["synthetic"] = _series_counts(syn, "n_classes", "in_class_std")
    if len(real) >= 3:
        rho = spearman([r["in_class_std"] for r in real], [r["accuracy_mean"] for r in real])
        numbers["real"] = {"n_targets": len(real), "spearman": rho, "holds": rho >= REAL_SPEARMAN}
    word = overall([part["holds"] for part in numbers.values()])
    return Verdict(
        _P, "in_class_std", word, numbers, {**_SERIES_RULE, "real_spearman": REAL_SPEARMAN}
    )


def _analogue(word: str) -> str:
    return "partly reproduced" if word == "reproduced" else word


def purchase100_vs_50(rows) -> Verdict:
    """Purchase-100 against Purchase-50, on the Locations-k analogue. Rule: among adjacent
    numbers of classes, take the pair whose in-class stds are closest (relative to the
    smaller number of classes'); when within :data:`EQUAL_STD`, the claim holds if the
    larger number of classes is attacked more accurately. Purchase itself is not here, so a
    holding analogue is only "partly reproduced"; no pair within :data:`EQUAL_STD` or fewer
    than two Locations-k rows: not testable here.
    """
    rule = {"equal_std": EQUAL_STD, **_ANALOGUE}
    loc = sorted(_kind(rows, "locations_k"), key=lambda r: r["n_classes"])
    if len(loc) < 2:
        return Verdict(
            _P, "purchase100_vs_50", "not testable here", {"n_locations_k": len(loc)}, rule
        )
    pairs = list(zip(loc[:-1], loc[1:], strict=True))
    diffs = [abs(b["in_class_std"] - a["in_class_std"]) / a["in_class_std"] for a, b in pairs]
    i = int(np.argmin(diffs))
    a, b = pairs[i]
    numbers = {
        "fewer_classes": a["n_classes"],
        "more_classes": b["n_classes"],
        "std_fewer": a["in_class_std"],
        "std_more": b["in_class_std"],
        "relative_std_difference": diffs[i],
        "acc_fewer": a["accuracy_mean"],
        "acc_more": b["accuracy_mean"],
        "comparable": diffs[i] <= EQUAL_STD,
        "holds": b["accuracy_mean"] > a["accuracy_mean"],
    }
    if not numbers["comparable"]:
        word = "not testable here"
    else:
        word = _analogue("reproduced" if numbers["holds"] else "not reproduced")
    return Verdict(_P, "purchase100_vs_50", word, numbers, rule)


def cifar10_vs_purchase10(rows) -> Verdict:
    """The survey's critique, with Locations-10 for Purchase-10. Rule: it holds when CIFAR-10
    has the lower in-class std *and* the higher attack accuracy; as an analogue, a holding
    critique is "partly reproduced"; missing results: not testable here.
    """
    cifar = [r for r in rows if r["dataset"] == "cifar10"]
    loc10 = [r for r in _kind(rows, "locations_k") if r["n_classes"] == 10]
    if not cifar or not loc10:
        numbers = {"cifar10_run": bool(cifar), "locations10_run": bool(loc10)}
        return Verdict(_P, "cifar10_vs_purchase10", "not testable here", numbers, _ANALOGUE)
    c, t = cifar[0], loc10[0]
    numbers = {
        "cifar10_std": c["in_class_std"],
        "locations10_std": t["in_class_std"],
        "cifar10_relative_std": c["relative_in_class_std"],
        "locations10_relative_std": t["relative_in_class_std"],
        "cifar10_acc": c["accuracy_mean"],
        "locations10_acc": t["accuracy_mean"],
    }
    holds = c["in_class_std"] < t["in_class_std"] and c["accuracy_mean"] > t["accuracy_mean"]
    numbers["holds"] = bool(holds)
    word = _analogue("reproduced" if holds else "not reproduced")
    return Verdict(_P, "cifar10_vs_purchase10", word, numbers, _ANALOGUE)
