"""Verdict on Salem et al.'s adversary 2 (data transferring), from ``salem_data_transfer``.

Each row is a pair (shadow dataset, target dataset); ``same`` marks the diagonal, where the
shadow's data come from the target's distribution (adversary 1).
"""

from __future__ import annotations

import math

import pandas as pd

from .rules import ATTACKABLE_PRECISION, Verdict

__all__ = ["ATTACKABLE_PRECISION", "TRANSFER_PRECISION", "data_transfer"]

#: The claim's bar for adversary 2 (data transferring): precision above this.
TRANSFER_PRECISION = 0.7

_P = "salem2019"


def data_transfer(rows) -> Verdict:
    """Rule (rows of ``salem_data_transfer``): over the pairs whose shadow dataset differs
    from the target's, the median precision above :data:`TRANSFER_PRECISION`: reproduced;
    otherwise, the median over the pairs whose target adversary 1 reaches (precision at
    least :data:`ATTACKABLE_PRECISION` on the diagonal) above it: partly; no such pair: not
    testable here; else not reproduced.
    """
    d = pd.DataFrame(list(rows))
    same = d["same"].astype(bool) if "same" in d else d["shadow_dataset"] == d["target_dataset"]
    off, diag = d[~same], d[same].set_index("target_dataset")
    attackable = [str(t) for t in diag.index[diag["precision"] >= ATTACKABLE_PRECISION]]
    off_att = off[off["target_dataset"].isin(attackable)]
    med_all = float(off["precision"].median())
    med_att = float(off_att["precision"].median()) if len(off_att) else math.nan
    if med_all > TRANSFER_PRECISION:
        word = "reproduced"
    elif med_att > TRANSFER_PRECISION:
        word = "partly reproduced"
    else:
        word = "not testable here" if not len(off_att) else "not reproduced"
    numbers = {
        "n_pairs": len(off),
        "median_precision": med_all,
        "median_recall": float(off["recall"].median()),
        "attackable": attackable,
        "n_pairs_attackable": len(off_att),
        "median_precision_attackable": med_att,
        "median_recall_attackable": float(off_att["recall"].median()) if len(off_att) else math.nan,
    }
    rule = {"precision": TRANSFER_PRECISION, "attackable_precision": ATTACKABLE_PRECISION}
    return Verdict(_P, "data_transfer", word, numbers, rule)
