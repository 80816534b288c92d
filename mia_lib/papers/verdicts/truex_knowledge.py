"""Verdicts on Truex et al.'s claims on the attacker's knowledge, from ``truex_knowledge``.

Rows with ``experiment == "noise"`` replace a fraction of the attacker's features by noise;
rows with ``experiment == "shadow_size"`` vary the shadow training-set size.
"""

from __future__ import annotations

import numpy as np

from .rules import Verdict, overall

__all__ = ["SIZE_EFFECT", "NOISE_KEEP", "WORKING_ACC", "feature_noise", "shadow_size"]

#: A shadow-size effect: at least 2 points of attack accuracy from the smallest to the largest.
SIZE_EFFECT = 0.02
#: "Stays high" under noise: keeps at least 90% of the noise-free advantage over chance.
NOISE_KEEP = 0.9
#: An attack "works" (a noise test means something) at this accuracy or more.
WORKING_ACC = 0.55

_P = "truex2018"


def feature_noise(rows, fraction: float = 0.1) -> Verdict:
    """Rule (rows of ``truex_knowledge``): on a dataset whose noise-free attack works
    (accuracy at least :data:`WORKING_ACC`), the claim holds when the attack with
    ``fraction`` of the features replaced keeps at least :data:`NOISE_KEEP` of its
    advantage over chance, ``acc(fraction) - 0.5 >= NOISE_KEEP * (acc(0) - 0.5)``. Every
    such dataset: reproduced; some: partly; none: not; no working attack: not testable here.
    Datasets without a working attack (or without both noise levels) are listed in
    ``skipped``.
    """
    noise = [r for r in rows if r.get("experiment") == "noise"]
    per, skipped = {}, []
    for name in dict.fromkeys(r["dataset"] for r in noise):
        by = {round(r["noise"], 6): r["accuracy_mean"] for r in noise if r["dataset"] == name}
        if 0.0 not in by or round(fraction, 6) not in by or by[0.0] < WORKING_ACC:
            skipped.append(name)
            continue
        a0, af, hi = by[0.0], by[round(fraction, 6)], max(by)
        per[name] = {
            "acc_clean": a0,
            "acc_noisy": af,
            "advantage_kept": (af - 0.5) / (a0 - 0.5),
            "max_noise": hi,
            "acc_max_noise": by[hi],
            "holds": af - 0.5 >= NOISE_KEEP * (a0 - 0.5),
        }
    numbers = {"fraction": fraction, "datasets": per, "skipped": skipped}
    rule = {"noise_keep": NOISE_KEEP, "working_acc": WORKING_ACC}
    return Verdict(_P, "feature_noise", overall(p["holds"] for p in per.values()), numbers, rule)


def shadow_size(rows) -> Verdict:
    """Rule (rows of ``truex_knowledge``): on a dataset the claim holds when the attack
    accuracy gains at least :data:`SIZE_EFFECT` from the smallest shadow training set to the
    largest and does not fall along the way by more than that (each step at least
    ``-SIZE_EFFECT``). Every dataset: reproduced; some: partly; none: not.
    """
    sz = [r for r in rows if r.get("experiment") == "shadow_size"]
    per = {}
    for name in dict.fromkeys(r["dataset"] for r in sz):
        ser = sorted((r["shadow_size"], r["accuracy_mean"]) for r in sz if r["dataset"] == name)
        if len(ser) < 2:
            continue
        acc = np.array([a for _, a in ser])
        worst_step = float(np.diff(acc).min())
        per[name] = {
            "smallest": ser[0][0],
            "acc_smallest": ser[0][1],
            "largest": ser[-1][0],
            "acc_largest": ser[-1][1],
            "worst_step": worst_step,
            "holds": bool(acc[-1] - acc[0] >= SIZE_EFFECT and worst_step >= -SIZE_EFFECT),
        }
    word = overall(p["holds"] for p in per.values())
    return Verdict(_P, "shadow_size", word, {"datasets": per}, {"size_effect": SIZE_EFFECT})
