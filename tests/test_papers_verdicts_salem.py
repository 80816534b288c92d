"""The verdict rules for Salem et al. (:mod:`mia_lib.papers.verdicts`, chapter 7).

Two kinds of tests:

* the rules on small hand-made rows in the replications' row format (``repeat`` numbers the
  repetitions, every row carries the attack report's fields), with verdicts worked out by
  hand, one test per way a verdict can go;
* the rules on the stored full-profile results in ``book/results/`` (committed with the
  book, so these tests never skip), compared number by number with an independent
  re-implementation of the same rules: the verdict cell chapter 7 had before the rules moved
  into the library, on the means the chapter shows (:func:`mia_lib.metrics.ci_table`).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from mia_lib.experiments import load_profile
from mia_lib.metrics import ci_table
from mia_lib.papers import claims, claims_vs_ours
from mia_lib.papers.verdicts import (
    ATTACKABLE_PRECISION,
    CHANCE_AUC,
    judge,
    salem_adversary1,
    salem_data_transfer,
    salem_threshold,
)

RESULTS = Path(__file__).resolve().parents[1] / "book" / "results"
NAMES = ("salem_adversary1", "salem_data_transfer", "salem_threshold")


def _stored(name: str) -> dict:
    path = RESULTS / f"{name}-full.json"
    assert path.is_file(), f"{path.name} belongs to the book (chapter 7 reads it); restore it"
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def stored() -> dict:
    return {name: _stored(name) for name in NAMES}


# ---- the rules on hand-made rows --------------------------------------------------------------


def _k(ds, attack, k, precision, recall, auc, repeat=0):
    return {
        "key": f"k_shadows/{ds}/rep{repeat}/{k}/{attack}",
        "part": "k_shadows",
        "dataset": ds,
        "repeat": repeat,
        "attack": attack,
        "n_shadows": k,
        "shadow": "mlp, same hyperparameters",
        "target_model": "mlp",
        "precision": precision,
        "recall": recall,
        "auc": auc,
    }


K_ROWS = [
    _k("a", "ml_leaks", 1, 0.80, 0.9, 0.90),
    _k("a", "shokri", 1, 0.70, 0.9, 0.85),
    _k("a", "ml_leaks", 5, 0.82, 0.9, 0.86),
    _k("a", "shokri", 5, 0.81, 0.92, 0.91),
    _k("b", "ml_leaks", 1, 0.5, 0.5, 0.5),
    _k("b", "shokri", 5, 0.5, 0.7, 0.52),
    _k("b", "shokri", 5, 0.52, 0.7, 0.54, repeat=1),  # averaged over the repeats
]


def test_one_shadow_counts_datasets_above_chance():
    v = salem_adversary1.one_shadow(K_ROWS)
    assert v.word == "reproduced" and v.numbers["k_max"] == 5
    a, b = v.numbers["datasets"]["a"], v.numbers["datasets"]["b"]
    assert a["counted"] and a["holds"]
    assert a["precision_one"] == 0.80 and a["precision_many"] == 0.81
    assert not b["counted"]  # Shokri's AUC (0.52 + 0.54) / 2 is below CHANCE_AUC
    assert b["precision_many"] == pytest.approx(0.51) and b["auc_many"] == pytest.approx(0.53)
    assert v.rule == {"precision": 0.03, "recall": 0.05, "chance_auc": CHANCE_AUC}


def test_one_shadow_fails_when_far_or_untestable():
    far = [dict(r, precision=0.6) if r["attack"] == "ml_leaks" else r for r in K_ROWS]
    assert salem_adversary1.one_shadow(far).word == "not reproduced"
    recall_far = [dict(r, recall=0.8) if r["attack"] == "ml_leaks" else r for r in K_ROWS]
    assert not salem_adversary1.one_shadow(recall_far).numbers["datasets"]["a"]["holds"]
    chance = [r for r in K_ROWS if r["dataset"] == "b"]
    assert salem_adversary1.one_shadow(chance).word == "not testable here"
    assert salem_adversary1.one_shadow([]).word == "not testable here"


def test_top3_every_setting():
    t = salem_adversary1.top3(K_ROWS)
    assert t.numbers["differences"] == {"a": pytest.approx({"1": 0.05, "5": -0.05})}
    assert t.word == "partly reproduced" and t.numbers["n_settings"] == 2
    assert t.numbers["n_holds"] == 1 and t.numbers["worst_difference"] == pytest.approx(-0.05)
    close = [dict(r, auc=0.9) for r in K_ROWS]
    assert salem_adversary1.top3(close).word == "reproduced"
    chance = [r for r in K_ROWS if r["dataset"] == "b"]  # no k with both attacks
    assert salem_adversary1.top3(chance).word == "not testable here"
    assert math.isnan(salem_adversary1.top3(chance).numbers["worst_difference"])


def _h(shadow, precision, recall, repeat=0):
    return {
        "part": "hyperparameters",
        "dataset": "locations",
        "repeat": repeat,
        "attack": "ml_leaks",
        "shadow": shadow,
        "precision": precision,
        "recall": recall,
    }


def test_unknown_hyperparameters():
    rows = [_h("same as the target", 0.9, 0.95), _h("wide", 0.88, 0.9), _h("fast", 0.7, 0.2)]
    v = salem_adversary1.unknown_hyperparameters(rows)
    assert v.word == "partly reproduced" and v.numbers["worst"] == "fast"
    assert v.numbers["variants"]["wide"]["holds"] and v.numbers["n_close"] == 1
    assert v.numbers["variants"]["fast"]["precision_drop"] == pytest.approx(0.2)
    assert v.numbers["datasets"] == ["locations"] and v.numbers["n_variants"] == 2
    assert salem_adversary1.unknown_hyperparameters(rows[:2]).word == "reproduced"
    assert salem_adversary1.unknown_hyperparameters(rows[1:]).word == "not testable here"
    # a better shadow is no loss; the means over repeats are compared
    repeats = [*rows[:2], _h("same as the target", 0.8, 0.95, 1), _h("wide", 0.98, 0.9, 1)]
    w = salem_adversary1.unknown_hyperparameters(repeats).numbers["variants"]["wide"]
    assert w["precision"] == pytest.approx(0.93) and w["precision_drop"] == pytest.approx(-0.08)


def _c(ds, target, shadow, precision, auc, repeat=0):
    return {
        "part": "combined",
        "dataset": ds,
        "repeat": repeat,
        "attack": "ml_leaks",
        "target_model": target,
        "shadow": shadow,
        "precision": precision,
        "auc": auc,
    }


def test_combined_shadow():
    rows = []
    for tm, comb in [("mlp", 0.82), ("random_forest", 0.6)]:
        rows += [_c("a", tm, tm, 0.8, 0.9), _c("a", tm, "combined", comb, 0.9)]
    v = salem_adversary1.combined_shadow(rows)
    assert v.word == "reproduced"  # the random-forest skew is allowed
    assert v.numbers["n_counted"] == 1 and v.numbers["max_abs_difference"] == pytest.approx(0.2)
    assert not v.numbers["targets"]["a"]["random_forest"]["holds"]
    assert not v.numbers["targets"]["a"]["random_forest"]["counted"]
    off = rows + [_c("a", "logistic_regression", "logistic_regression", 0.8, 0.9)]
    off += [_c("a", "logistic_regression", "combined", 0.7, 0.9)]
    assert salem_adversary1.combined_shadow(off).word == "partly reproduced"
    rows_chance = [dict(r, auc=0.5) for r in rows]
    assert salem_adversary1.combined_shadow(rows_chance).word == "not testable here"


def _t(shadow, target, precision, recall=0.5):
    return {
        "key": f"{shadow}->{target}",
        "shadow_dataset": shadow,
        "target_dataset": target,
        "same": shadow == target,
        "precision": precision,
        "recall": recall,
    }


def test_data_transfer():
    rows = [_t("a", "a", 0.9), _t("b", "b", 0.5), _t("a", "b", 0.5), _t("b", "a", 0.8)]
    v = salem_data_transfer.data_transfer(rows)
    assert v.word == "partly reproduced" and v.numbers["attackable"] == ["a"]
    assert v.numbers["median_precision"] == pytest.approx(0.65)
    assert v.numbers["median_precision_attackable"] == pytest.approx(0.8)
    assert v.numbers["n_pairs"] == 2 and v.numbers["n_pairs_attackable"] == 1
    all_high = [dict(r, precision=0.8) for r in rows]
    assert salem_data_transfer.data_transfer(all_high).word == "reproduced"
    low = [dict(r, precision=0.6) if not r["same"] else r for r in rows]
    assert salem_data_transfer.data_transfer(low).word == "not reproduced"
    no_same = [{k: x for k, x in r.items() if k != "same"} for r in rows]
    assert salem_data_transfer.data_transfer(no_same) == v
    nothing = [_t("a", "a", 0.5), _t("b", "b", 0.5), _t("a", "b", 0.5), _t("b", "a", 0.5)]
    assert salem_data_transfer.data_transfer(nothing).word == "not testable here"


def _a(ds, adversary, precision, auc):
    return {
        "key": f"{ds}/adversary {adversary}",
        "dataset": ds,
        "adversary": adversary,
        "precision": precision,
        "auc": auc,
    }


def test_threshold():
    rows = [
        _a("a", "1", 0.9, 0.95),
        _a("a", "3 noise", 0.8, 0.93),
        _a("a", "3 reference", 0.85, 0.93),
        _a("b", "1", 0.6, 0.65),
        _a("b", "3 noise", 0.55, 0.6),
    ]
    v = salem_threshold.threshold(rows)
    assert v.word == "reproduced" and v.numbers["n_counted"] == 1
    assert v.numbers["datasets"]["b"]["above_chance"]
    assert not v.numbers["datasets"]["b"]["counted"]
    ranks_only = [dict(r, precision=0.6) if r["adversary"] == "3 noise" else r for r in rows]
    assert salem_threshold.threshold(ranks_only).word == "partly reproduced"
    neither = [dict(r, precision=0.6, auc=0.5) if r["adversary"] == "3 noise" else r for r in rows]
    assert salem_threshold.threshold(neither).word == "not reproduced"
    assert salem_threshold.threshold(rows[3:]).word == "not testable here"


# ---- the rules on the stored full results, against a re-implementation ----------------------


def test_stored_rows_are_in_the_new_format(stored):
    """Rows number their repetitions (``repeat``) as many times as the profile says."""
    a1 = pd.DataFrame(stored["salem_adversary1"]["results"]["rows"])
    assert "repeat" in a1 and "seed" not in a1
    prof = load_profile("salem_adversary1", "full")
    ks = a1[a1["part"] == "k_shadows"]
    for ds, entry in prof.datasets.items():
        assert sorted(ks.loc[ks["dataset"] == ds, "repeat"].unique()) == list(range(entry.seeds))
    for name in NAMES:
        for row in stored[name]["results"]["rows"]:
            assert {"precision", "recall", "auc", "fpr", "tpr_at_0_1pct_fpr"} <= set(row)


def _means(rows, metric):
    """The table the chapter draws: mean over repeats per dataset, attack and k."""
    ks = pd.DataFrame(rows).query("part == 'k_shadows'")
    t = ci_table(ks, ["dataset", "attack", "n_shadows"], metric)
    return t.set_index(["dataset", "attack", "n_shadows"])["mean"]


def _word(n_hold, n_all):
    if n_all == 0:
        return "not testable here"
    if n_hold == n_all:
        return "reproduced"
    return "partly reproduced" if n_hold > 0 else "not reproduced"


def test_stored_one_shadow_and_top3(stored):
    rows = stored["salem_adversary1"]["results"]["rows"]
    prec, rec, auc = (_means(rows, m) for m in ("precision", "recall", "auc"))
    kmax = int(prec.index.get_level_values("n_shadows").max())
    v = salem_adversary1.one_shadow(rows)
    hold = n = 0
    for ds in sorted(set(prec.index.get_level_values("dataset"))):
        d = v.numbers["datasets"][ds]
        p1, pk = prec[(ds, "ml_leaks", 1)], prec[(ds, "shokri", kmax)]
        r1, rk = rec[(ds, "ml_leaks", 1)], rec[(ds, "shokri", kmax)]
        assert (d["precision_one"], d["precision_many"]) == pytest.approx((p1, pk))
        assert (d["recall_one"], d["recall_many"]) == pytest.approx((r1, rk))
        if auc[(ds, "shokri", kmax)] >= CHANCE_AUC:
            n += 1
            hold += abs(p1 - pk) <= 0.03 and abs(r1 - rk) <= 0.05
    assert v.numbers["k_max"] == kmax and v.word == _word(hold, n)

    t = salem_adversary1.top3(rows)
    diffs = {(ds, k): auc[(ds, "ml_leaks", k)] - auc[(ds, "shokri", k)] for ds, _, k in auc.index}
    assert t.numbers["n_settings"] == len(diffs)
    assert t.numbers["worst_difference"] == pytest.approx(min(diffs.values()))
    n_hold = sum(d >= -0.02 for d in diffs.values())
    assert t.numbers["n_holds"] == n_hold and t.word == _word(n_hold, len(diffs))


def test_stored_unknown_hyperparameters(stored):
    rows = pd.DataFrame(stored["salem_adversary1"]["results"]["rows"])
    h = rows[rows["part"] == "hyperparameters"]
    t = h.groupby("shadow")[["precision", "recall"]].mean()
    base, other = t.loc["same as the target"], t.drop(index="same as the target")
    dp, dr = base["precision"] - other["precision"], base["recall"] - other["recall"]
    v = salem_adversary1.unknown_hyperparameters(rows.to_dict("records"))
    assert v.numbers["worst"] == dp.idxmax() and v.numbers["n_variants"] == len(dp)
    n_close = int(((dp <= 0.05) & (dr <= 0.10)).sum())
    assert v.numbers["n_close"] == n_close and v.word == _word(n_close, len(dp))
    for name, d in v.numbers["variants"].items():
        assert d["precision_drop"] == pytest.approx(dp[name])


def test_stored_combined_shadow(stored):
    rows = pd.DataFrame(stored["salem_adversary1"]["results"]["rows"])
    c = rows[rows["part"] == "combined"]
    means = c.groupby(["dataset", "target_model", "shadow"])[["precision", "auc"]].mean()
    v = salem_adversary1.combined_shadow(rows.to_dict("records"))
    hold = n = 0
    for ds, tm in {(d, m) for d, m, _ in means.index}:
        same, comb = means.loc[(ds, tm, tm)], means.loc[(ds, tm, "combined")]
        got = v.numbers["targets"][ds][tm]
        assert got["difference"] == pytest.approx(comb["precision"] - same["precision"])
        if tm != "random_forest" and same["auc"] >= CHANCE_AUC:
            n += 1
            hold += abs(comb["precision"] - same["precision"]) <= 0.05
    assert v.numbers["n_counted"] == n and v.numbers["n_holds"] == hold
    assert v.word == _word(hold, n)


def test_stored_data_transfer(stored):
    d = pd.DataFrame(stored["salem_data_transfer"]["results"]["rows"])
    off, diag = d[~d["same"]], d[d["same"]].set_index("target_dataset")
    attackable = diag.index[diag["precision"] >= ATTACKABLE_PRECISION].tolist()
    off_att = off[off["target_dataset"].isin(attackable)]
    med_all, med_att = off["precision"].median(), off_att["precision"].median()
    v = salem_data_transfer.data_transfer(d.to_dict("records"))
    assert v.numbers["attackable"] == attackable
    assert v.numbers["median_precision"] == pytest.approx(med_all)
    if attackable:
        assert v.numbers["median_precision_attackable"] == pytest.approx(med_att)
    word = (
        "reproduced"
        if med_all > 0.7
        else "partly reproduced"
        if attackable and med_att > 0.7
        else "not reproduced"
        if attackable
        else "not testable here"
    )
    assert v.word == word


def test_stored_threshold(stored):
    d = pd.DataFrame(stored["salem_threshold"]["results"]["rows"])
    a1 = d[d["adversary"] == "1"].set_index("dataset")
    a3 = d[d["adversary"] == "3 noise"].set_index("dataset")
    att = a1.index[a1["precision"] >= ATTACKABLE_PRECISION]
    ranks = int(sum(a3.loc[x, "auc"] >= a1.loc[x, "auc"] - 0.05 for x in att))
    decides = int(sum(a3.loc[x, "precision"] >= 0.7 for x in att))
    v = salem_threshold.threshold(d.to_dict("records"))
    assert (v.numbers["n_counted"], v.numbers["n_ranks"]) == (len(att), ranks)
    assert v.numbers["n_decides"] == decides
    word = (
        "not testable here"
        if len(att) == 0
        else "reproduced"
        if ranks == decides == len(att)
        else "partly reproduced"
        if ranks > 0
        else "not reproduced"
    )
    assert v.word == word
    assert set(v.numbers["datasets"]) == set(a1.index)


def test_stored_verdicts_feed_the_claims_table(stored):
    vs = [judge(c.paper, c.key, stored[c.experiment]["results"]["rows"]) for c in chapter7_claims()]
    table = claims_vs_ours([(v, "") for v in vs])
    assert len(table) == 6 and list(table["verdict"]) == [v.word for v in vs]
    assert [v.key for v in vs] == [c.key for c in chapter7_claims()]


def chapter7_claims():
    """Salem et al.'s claims judged by chapter 7's replications (dropout and stacking are
    the defences chapter's: tests/test_defences_training.py)."""
    return [c for c in claims("salem2019") if c.experiment.startswith("salem_")]
