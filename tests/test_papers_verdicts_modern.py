"""Verdict rules on the number of shadow models and on dimensionality (chapter 13)."""

from __future__ import annotations

import math

from mia_lib.papers.verdicts import judge
from mia_lib.papers.verdicts.n_reference_models import ONE_SHADOW_GAP


def _rows(shokri_prec, shokri_auc, lira_tpr, ks=(1, 4, 16, 64), seeds=2):
    rows = []
    for s in range(seeds):
        for i, k in enumerate(ks):
            rows.append(
                {
                    "dataset": "loc",
                    "attack": "shokri",
                    "k": k,
                    "seed_index": s,
                    "precision": shokri_prec[i],
                    "auc": shokri_auc[i],
                    "tpr_at_0_1pct_fpr": 0.0,
                }
            )
            rows.append(
                {
                    "dataset": "loc",
                    "attack": "lira_online",
                    "k": k,
                    "seed_index": s,
                    "precision": 0.9,
                    "auc": 0.95,
                    "tpr_at_0_1pct_fpr": lira_tpr[i],
                }
            )
    return rows


def test_salem_holds_on_average_and_shokri_only_at_low_fpr():
    rows = _rows([0.80, 0.81, 0.81, 0.82], [0.85, 0.86, 0.86, 0.86], [0.05, 0.2, 0.35, 0.4])
    salem = judge("salem2019", "one_shadow_average", rows)
    assert salem.word == "reproduced"
    assert salem.numbers["datasets"]["loc"]["k_max"] == 64
    shokri = judge("shokri2017", "more_shadows", rows)
    assert shokri.word == "partly reproduced"
    d = shokri.numbers["datasets"]["loc"]
    assert not d["average_rises"] and d["low_fpr_rises"]
    assert d["tpr_1"] == 0.05 and d["tpr_max"] == 0.4


def test_one_shadow_fails_when_many_shadows_gain_more_than_the_gap():
    gain = ONE_SHADOW_GAP + 0.01  # more than the gap, less than an effect
    rows = _rows([0.7, 0.72, 0.73, 0.7 + gain], [0.8] * 4, [0.1] * 4)
    assert judge("salem2019", "one_shadow_average", rows).word == "not reproduced"
    assert judge("shokri2017", "more_shadows", rows).word == "not reproduced"
    assert judge("salem2019", "one_shadow_average", []).word == "not testable here"


def test_dimensionality_rule_and_its_confound():
    rows = []
    for s in range(2):
        for d, tpr, auc, gap in [(16, 0.1, 0.7, 0.2), (64, 0.2, 0.8, 0.3), (256, 0.4, 0.9, 0.4)]:
            rows.append(
                {
                    "dataset": "loc",
                    "std": None,
                    "dims": d,
                    "seed_index": s,
                    "lira_tpr_at_1pct_fpr": tpr,
                    "loss_auc": auc,
                    "gap": gap,
                    "test_acc": 0.6,
                }
            )
        for d, tpr in [(2, 0.3), (32, 0.3), (512, 0.31)]:
            rows.append(
                {
                    "dataset": "syn",
                    "std": 1.0,
                    "dims": d,
                    "seed_index": s,
                    "lira_tpr_at_1pct_fpr": tpr,
                    "loss_auc": 0.7,
                    "gap": 0.1,
                    "test_acc": 0.5,
                }
            )
    v = judge("gehrke2021", "dimensionality", rows)
    assert v.word == "partly reproduced"
    fam = v.numbers["families"]
    assert fam["loc"]["holds"] and fam["loc"]["gap_rises"]
    assert not fam["syn/std=1"]["holds"]
    assert math.isclose(fam["loc"]["lira_tpr_max_d"], 0.4)


def test_the_stored_full_results_give_the_chapters_verdicts():
    """What chapter 13 reports from book/results/*-full.json: a re-run of a full profile
    that changes a verdict must change the chapter's text too."""
    import json
    from pathlib import Path

    results = Path(__file__).resolve().parents[1] / "book" / "results"
    rows = json.loads((results / "n_reference_models-full.json").read_text())["results"]["rows"]
    assert judge("salem2019", "one_shadow_average", rows).word == "reproduced"
    shokri = judge("shokri2017", "more_shadows", rows)
    parts = shokri.numbers["datasets"]["locations"]
    assert shokri.word == "partly reproduced"
    assert not parts["average_rises"] and parts["low_fpr_rises"]
    dim = json.loads((results / "dimensionality-full.json").read_text())["results"]["rows"]
    v = judge("gehrke2021", "dimensionality", dim)
    assert v.word == "partly reproduced"
    assert sum(f["holds"] for f in v.numbers["families"].values()) == 3
