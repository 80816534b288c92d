"""The verdict rules for Truex et al. (:mod:`mia_lib.papers.verdicts`, chapter 6).

Three kinds of tests, each of which fails when a rule changes:

* the thresholds, pinned to the values the rules were fixed with before the full runs;
* the rules on small hand-made rows in the replications' row format, one test per way a
  verdict can go (every branch of every rule, boundaries included), with the verdict and
  the numbers it rests on worked out by hand;
* the rules on the stored full-profile results in ``book/results/`` (committed with the
  book, so these tests never skip): the verdict words chapter 6 reports are pinned, and
  every verdict and number is compared with an independent re-implementation of the rules
  as ``mia_lib.experiments.truex.judge_*`` stated them before they moved into the library
  (plain loops over the rows, thresholds written out).
"""

from __future__ import annotations

import json
import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import spearmanr

from mia_lib.papers import VERDICTS, claims, claims_vs_ours
from mia_lib.papers.verdicts import (
    EFFECT,
    RISING_SPEARMAN,
    Verdict,
    judge,
    overall,
    rule_of,
    series_rises,
    spearman,
    truex_data_factors,
    truex_knowledge,
    truex_transfer,
)

RESULTS = Path(__file__).resolve().parents[1] / "book" / "results"
NAMES = ("truex_transfer", "truex_data_factors", "truex_knowledge")
PARTLY, REPRODUCED, NOT, UNTESTABLE = (
    "partly reproduced",
    "reproduced",
    "not reproduced",
    "not testable here",
)


def _stored(name: str) -> list[dict]:
    path = RESULTS / f"{name}-full.json"
    assert path.is_file(), f"{path.name} belongs to the book (chapter 6 reads it); restore it"
    return json.loads(path.read_text(encoding="utf-8"))["results"]["rows"]


@pytest.fixture(scope="module")
def stored() -> dict:
    return {name: _stored(name) for name in NAMES}


# ---- thresholds ---------------------------------------------------------------------------


def test_thresholds_are_those_the_rules_were_fixed_with():
    assert EFFECT == 0.05 and RISING_SPEARMAN == 0.8
    assert truex_transfer.EFFECT == EFFECT and truex_data_factors.EFFECT == EFFECT
    assert truex_data_factors.EQUAL_STD == 0.10
    assert truex_data_factors.REAL_SPEARMAN == 0.5
    assert truex_knowledge.SIZE_EFFECT == 0.02
    assert truex_knowledge.NOISE_KEEP == 0.9
    assert truex_knowledge.WORKING_ACC == 0.55


# ---- the shared pieces: Verdict, overall, spearman, series_rises ----------------------------


def test_verdict_checks_its_word_and_flattens_its_numbers():
    with pytest.raises(ValueError, match="verdict must be one of"):
        Verdict("truex2018", "n_classes", "yes")
    v = Verdict("truex2018", "x", NOT, {"a": 1, "b": {"c": 2.5, "d": {"e": True}}})
    assert v.flat() == {"a": 1, "b_c": 2.5, "b_d_e": True}
    assert v.flat(sep=".") == {"a": 1, "b.c": 2.5, "b.d.e": True}


@pytest.mark.parametrize(
    "holds, word",
    [
        ([], UNTESTABLE),
        ([True], REPRODUCED),
        ([True, True, True], REPRODUCED),
        ([True, False], PARTLY),
        ([False, False], NOT),
        ([np.True_, np.False_], PARTLY),
    ],
)
def test_overall(holds, word):
    assert overall(holds) == word


def test_spearman():
    # one swapped pair among four points: 0.8 exactly (scipy alone gives 0.7999999999999999)
    assert spearman([1, 2, 3, 4], [0.6, 0.5, 0.7, 0.9]) == 0.8
    assert spearman([1, 2, 3, 4, 5], [0.6, 0.5, 0.7, 0.8, 0.9]) == 0.9
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    assert spearman([1, 2, 3], [0.1, 0.5, 0.4]) == pytest.approx(0.5)
    assert math.isnan(spearman([1, 2], [3, 4]))  # fewer than 3 points
    assert math.isnan(spearman([1, 1, 1], [3, 4, 5]))  # constant
    assert math.isnan(spearman([1, 2, 3], [5, 5, 5]))


@pytest.mark.parametrize(
    "x, y, rises",
    [
        ([2, 10, 30], [0.6, 0.7, 0.9], True),
        ([30, 2, 10], [0.9, 0.6, 0.7], True),  # order of the points does not matter
        ([2, 10, 30], [0.6, 0.9, 0.62], False),  # Spearman 0.5
        ([1, 2, 3, 4, 5], [0.62, 0.6, 0.7, 0.8, 0.9], True),  # one swap: Spearman 0.9
        ([1, 2, 3, 4], [0.6, 0.5, 0.7, 0.9], True),  # Spearman 0.8 exactly holds
        ([1, 2, 3, 4], [0.5, 0.6, 0.9, 0.55], False),  # Spearman 0.4
        ([2, 10, 30], [0.6, 0.61, 0.62], False),  # monotone but less than EFFECT
        ([2, 10, 30], [0.0, 0.025, 0.05], True),  # a gain of EFFECT exactly (exact in binary)
        ([2, 10], [0.6, 0.7], True),  # two points: the sign of the change
        ([2, 10], [0.7, 0.6], False),
        ([2, 10, 30], [0.6, 0.6, 0.6], False),  # constant: no correlation
        ([5], [0.6], False),
    ],
)
def test_series_rises(x, y, rises):
    assert series_rises(x, y) is rises


def test_series_rises_thresholds_are_parameters():
    assert series_rises([2, 10, 30], [0.6, 0.61, 0.62], effect=0.01)
    assert not series_rises([2, 10, 30], [0.6, 0.9, 0.7])  # Spearman 0.5
    assert series_rises([2, 10, 30], [0.6, 0.9, 0.7], min_spearman=0.5)


# ---- truex_transfer -----------------------------------------------------------------------


def _trow(d, t, a, acc, auc=None):
    return {
        "dataset": d,
        "target": t,
        "attacker": a,
        "accuracy_mean": acc,
        "accuracy_std": 0.01,
        "auc_mean": acc if auc is None else auc,
        "auc_std": 0.02,
    }


def _matrix(d, cells, auc=None):
    auc = auc or {}
    return [_trow(d, t, a, m, auc.get((t, a))) for (t, a), m in cells.items()]


# the target matters, the attacker hardly: target effect 0.29, attacker effect 0.01
STRONG = _matrix("a", {("x", "x"): 0.9, ("x", "z"): 0.88, ("z", "x"): 0.6, ("z", "z"): 0.6})
# neither matters much: target effect 0.005, attacker effect 0.095
WEAK = _matrix("b", {("x", "x"): 0.6, ("x", "z"): 0.5, ("z", "x"): 0.6, ("z", "z"): 0.51})
# the attacker matters as much as the target: effects 0.2 and 0.2
BOTH = _matrix("c", {("x", "x"): 0.9, ("x", "z"): 0.7, ("z", "x"): 0.7, ("z", "z"): 0.5})


def test_transfer_effects_by_hand():
    e = truex_transfer.transfer_effects(STRONG + BOTH)
    assert list(e) == ["a", "c"]  # datasets in the order of the rows
    a = e["a"]
    assert a["target_effect"] == pytest.approx(0.89 - 0.6)
    assert a["attacker_effect"] == pytest.approx(0.75 - 0.74)
    assert a["within_target_range"] == pytest.approx(0.01)  # median of 0.02 and 0.0
    assert a["seed_std"] == pytest.approx(0.01)
    assert (a["most_vulnerable"], a["least_vulnerable"]) == ("x", "z")
    assert (a["best_attacker"], a["worst_attacker"]) == ("x", "z")
    c = e["c"]
    assert c["target_effect"] == pytest.approx(0.2) and c["attacker_effect"] == pytest.approx(0.2)
    assert truex_transfer.transfer_effects(STRONG, metric="auc")["a"]["seed_std"] == 0.02
    with pytest.raises(ValueError, match="metric must be"):
        truex_transfer.transfer_effects(STRONG, metric="precision")


def test_target_type_branches():
    v = truex_transfer.target_type(STRONG + WEAK)
    assert v.word == PARTLY and v.key == "target_type" and v.paper == "truex2018"
    assert v.numbers["datasets"]["a"]["holds"] and not v.numbers["datasets"]["b"]["holds"]
    assert v.rule == {"effect": EFFECT}
    assert truex_transfer.target_type(STRONG + BOTH).word == REPRODUCED
    assert truex_transfer.target_type(WEAK).word == NOT
    # a target effect of EFFECT exactly holds (0.05 - 0.0 is exact in floating point), a
    # hair less does not
    edge = _matrix("e", {("x", "x"): 0.05, ("z", "x"): 0.0})
    assert truex_transfer.transfer_effects(edge)["e"]["target_effect"] == EFFECT
    assert truex_transfer.target_type(edge).word == REPRODUCED
    below = _matrix("e", {("x", "x"): 0.7499, ("z", "x"): 0.70})
    assert truex_transfer.target_type(below).word == NOT


def test_attacker_types_interchangeable_branches():
    f = truex_transfer.attacker_types_interchangeable
    assert f(STRONG).word == REPRODUCED
    assert f(WEAK).word == NOT  # the attacker moves the accuracy more than the target
    assert f(BOTH).word == NOT  # as much as the target
    assert f(STRONG + BOTH).word == PARTLY
    v = f(STRONG)
    assert v.rule == {"attacker_at_most_share_of_target": 0.5}
    assert v.numbers["datasets"]["a"]["attacker_effect"] == pytest.approx(0.01)
    # an attacker effect of half the target effect exactly holds
    half = _matrix("h", {("x", "x"): 0.9, ("x", "z"): 0.8, ("z", "x"): 0.7, ("z", "z"): 0.6})
    e = truex_transfer.transfer_effects(half)["h"]
    assert e["attacker_effect"] == pytest.approx(0.5 * e["target_effect"])
    assert f(half).word == REPRODUCED


def test_transfer_rules_by_auc():
    """The same rules on the AUC: an attacker that only misplaces its threshold (accuracy
    0.5, AUC 0.9) counts against interchangeability by accuracy, not by AUC."""
    cells = {("x", "x"): 0.9, ("x", "z"): 0.5, ("z", "x"): 0.6, ("z", "z"): 0.6}
    auc = {("x", "x"): 0.95, ("x", "z"): 0.95, ("z", "x"): 0.6, ("z", "z"): 0.6}
    rows = _matrix("m", cells, auc)
    f = truex_transfer.attacker_types_interchangeable
    assert f(rows).word == NOT
    assert f(rows, metric="auc").word == REPRODUCED
    assert truex_transfer.target_type(rows, metric="auc").word == REPRODUCED


# ---- truex_data_factors -------------------------------------------------------------------


def _frow(kind, k, std, acc, name=None, cluster_std=None, rel=None):
    r = {
        "kind": kind,
        "dataset": name or f"{kind}-{k}",
        "n_classes": k,
        "in_class_std": std,
        "relative_in_class_std": std if rel is None else rel,
        "accuracy_mean": acc,
    }
    if cluster_std is not None:
        r["cluster_std"] = cluster_std
    return r


def _syn(acc_of):
    """A synthetic grid, 3 numbers of classes x 3 stds, accuracy ``acc_of(k, s)``."""
    return [
        _frow("synthetic", k, s, acc_of(k, s), "synthetic", s)
        for k in (2, 10, 20)
        for s in (0.5, 2.0, 4.0)
    ]


SYN_BOTH = _syn(lambda k, s: 0.5 + 0.01 * k + 0.05 * s)  # rises with k and with s
SYN_FLAT = _syn(lambda k, s: 0.5 + 0.001 * k)  # rises with nothing by EFFECT
# rises with k only at std 4.0 (1 of 3 series), with s at every k
SYN_ONE_K = _syn(lambda k, s: 0.5 + 0.1 * s + (0.01 * k if s == 4.0 else 0.0))
# Locations-k: more classes, lower spread, higher accuracy
LOC = [_frow("locations_k", k, 0.3 - 0.001 * k, 0.6 + 0.01 * k) for k in (2, 10, 30)]


def test_n_classes_branches():
    f = truex_data_factors.n_classes
    v = f(SYN_BOTH + LOC)
    assert v.word == REPRODUCED
    assert v.numbers["synthetic"] == {"n_rising": 3, "n_series": 3, "holds": True}
    lk = v.numbers["locations_k"]
    assert (lk["fewest_classes"], lk["most_classes"]) == (2, 30)
    assert lk["acc_fewest"] == pytest.approx(0.62) and lk["acc_most"] == pytest.approx(0.9)
    assert lk["spearman"] == pytest.approx(1.0) and lk["holds"]
    assert f(SYN_FLAT + LOC).word == PARTLY
    assert f(SYN_BOTH).word == REPRODUCED  # only the synthetic part tested
    assert f(LOC).word == REPRODUCED
    falling = [_frow("locations_k", k, 0.3, 0.9 - 0.01 * k) for k in (2, 10, 30)]
    assert f(SYN_FLAT + falling).word == NOT
    assert f([]).word == UNTESTABLE
    # 1 rising series of 3 is not "most"
    v = f(SYN_ONE_K)
    assert (v.numbers["synthetic"]["n_rising"], v.word) == (1, NOT)


def test_n_classes_needs_a_majority_of_series():
    # 2 series (stds 0.5 and 4.0); one rises: exactly half is not most
    rows = [
        _frow("synthetic", k, s, 0.5 + (0.01 * k if s == 4.0 else 0.0), "synthetic", s)
        for k in (2, 10, 20)
        for s in (0.5, 4.0)
    ]
    v = truex_data_factors.n_classes(rows)
    assert v.numbers["synthetic"] == {"n_rising": 1, "n_series": 2, "holds": False}
    assert v.word == NOT


def test_in_class_std_branches():
    f = truex_data_factors.in_class_std
    # LOC: the spread falls as the accuracy rises: Spearman -1 across the real targets
    v = f(SYN_BOTH + LOC)
    assert v.word == PARTLY
    assert v.numbers["synthetic"]["holds"]
    assert v.numbers["real"]["n_targets"] == 3
    assert v.numbers["real"]["spearman"] == pytest.approx(-1.0)
    assert not v.numbers["real"]["holds"]
    assert v.rule["real_spearman"] == 0.5
    going_up = [_frow("locations_k", k, 0.2 + 0.001 * k, 0.6 + 0.01 * k) for k in (2, 10, 30)]
    assert f(SYN_BOTH + going_up).word == REPRODUCED
    assert f(SYN_FLAT + LOC).word == NOT
    assert f(SYN_ONE_K).word == REPRODUCED  # rises with the std at every number of classes
    # "real" rows count with Locations-k; fewer than 3 real targets: that part is not tested
    two = LOC[:2]
    assert "real" not in f(SYN_BOTH + two).numbers
    assert f(two).word == UNTESTABLE
    other = _frow("real", 10, 0.5, 0.95, "cifar10")
    assert f(two + [other]).numbers["real"]["n_targets"] == 3
    # Spearman 0.5 exactly holds
    half = [_frow("real", i, s, a, f"r{i}") for i, (s, a) in enumerate([(1, 1), (2, 3), (3, 2)])]
    assert f(half).numbers["real"]["spearman"] == pytest.approx(0.5)
    assert f(half).word == REPRODUCED


def test_purchase100_vs_50_branches():
    f = truex_data_factors.purchase100_vs_50
    v = f(LOC)
    # closest adjacent stds: 2 vs 10 (0.298 vs 0.29, 2.7% apart; 10 vs 30 are 6.9% apart),
    # and the larger number of classes is attacked more accurately
    assert (v.numbers["fewer_classes"], v.numbers["more_classes"]) == (2, 10)
    assert v.numbers["relative_std_difference"] == pytest.approx(0.008 / 0.298)
    assert v.numbers["comparable"] and v.numbers["holds"]
    assert v.word == PARTLY  # an analogue: holding is only partly reproduced
    assert "analogue" in v.rule and v.rule["equal_std"] == 0.10
    worse = [_frow("locations_k", k, 0.3 - 0.001 * k, 0.9 - 0.01 * k) for k in (2, 10, 30)]
    assert f(worse).word == NOT
    far = [_frow("locations_k", 2, 0.5, 0.6), _frow("locations_k", 10, 0.2, 0.9)]
    v = f(far)
    assert v.word == UNTESTABLE and not v.numbers["comparable"]
    assert f(LOC[:1]).word == UNTESTABLE
    assert f(LOC[:1]).numbers == {"n_locations_k": 1}
    assert f(SYN_BOTH).word == UNTESTABLE
    # rows in any order; the pair is adjacent in the number of classes
    shuffled = [LOC[2], LOC[0], LOC[1]]
    assert f(shuffled).numbers == f(LOC).numbers
    # the closest pair decides, even when another pair would hold
    mixed = [
        _frow("locations_k", k, s, a)
        for k, s, a in [(2, 0.4, 0.6), (10, 0.3, 0.9), (30, 0.295, 0.85)]
    ]
    v = f(mixed)
    assert (v.numbers["fewer_classes"], v.word) == (10, NOT)


def test_purchase100_vs_50_equal_std_boundary():
    f = truex_data_factors.purchase100_vs_50
    # (0.625 - 0.5625) / 0.625 is 0.1 in floating point too
    at = [_frow("locations_k", 10, 0.625, 0.7), _frow("locations_k", 20, 0.5625, 0.8)]
    assert f(at).numbers["relative_std_difference"] == 0.1
    assert f(at).word == PARTLY
    over = [_frow("locations_k", 10, 0.625, 0.7), _frow("locations_k", 20, 0.5624, 0.8)]
    assert f(over).word == UNTESTABLE


def test_cifar10_vs_purchase10_branches():
    f = truex_data_factors.cifar10_vs_purchase10
    loc10 = _frow("locations_k", 10, 0.26, 0.8, rel=0.93)
    lower_std_higher_acc = _frow("real", 10, 0.2, 0.95, "cifar10", rel=0.8)
    v = f([loc10, lower_std_higher_acc])
    assert v.word == PARTLY and v.numbers["holds"] is True
    assert v.numbers["cifar10_relative_std"] == 0.8
    assert v.numbers["locations10_relative_std"] == 0.93
    lower_std_lower_acc = _frow("real", 10, 0.2, 0.6, "cifar10")
    assert f([loc10, lower_std_lower_acc]).word == NOT
    higher_std_higher_acc = _frow("real", 10, 0.3, 0.95, "cifar10")
    assert f([loc10, higher_std_higher_acc]).word == NOT
    missing = f([loc10])
    assert missing.word == UNTESTABLE
    assert missing.numbers == {"cifar10_run": False, "locations10_run": True}
    assert f([lower_std_higher_acc]).numbers == {"cifar10_run": True, "locations10_run": False}
    # another real dataset is not CIFAR-10
    fmnist = _frow("real", 10, 0.2, 0.95, "fashion_mnist")
    assert f([loc10, fmnist]).word == UNTESTABLE


# ---- truex_knowledge ----------------------------------------------------------------------


def _krow(exp, x, acc, name="d"):
    return {"experiment": exp, "dataset": name, exp: x, "accuracy_mean": acc}


KEEPS = [_krow("noise", 0.0, 0.9), _krow("noise", 0.1, 0.89), _krow("noise", 0.5, 0.6)]
LOSES = [_krow("noise", 0.0, 0.9, "e"), _krow("noise", 0.1, 0.7, "e")]
CHANCE = [_krow("noise", 0.0, 0.52, "c"), _krow("noise", 0.1, 0.52, "c")]
RISING = [_krow("shadow_size", n, a) for n, a in [(100, 0.6), (300, 0.7), (900, 0.8)]]
DIPS = [_krow("shadow_size", n, a, "f") for n, a in [(100, 0.6), (300, 0.5), (900, 0.8)]]
FLAT = [_krow("shadow_size", 100, 0.8, "g"), _krow("shadow_size", 900, 0.805, "g")]


def test_feature_noise_branches():
    f = truex_knowledge.feature_noise
    v = f(KEEPS + CHANCE)
    assert v.word == REPRODUCED and v.numbers["skipped"] == ["c"]
    d = v.numbers["datasets"]["d"]
    assert d["advantage_kept"] == pytest.approx(0.39 / 0.4)
    assert (d["acc_clean"], d["acc_noisy"]) == (0.9, 0.89)
    assert (d["max_noise"], d["acc_max_noise"]) == (0.5, 0.6)
    assert v.numbers["fraction"] == 0.1
    assert v.rule == {"noise_keep": 0.9, "working_acc": 0.55}
    assert f(LOSES).word == NOT
    assert f(KEEPS + LOSES).word == PARTLY
    assert f(CHANCE).word == UNTESTABLE
    assert f([]).word == UNTESTABLE
    # another fraction: at 50% noise the attack keeps only a quarter of its advantage
    v = f(KEEPS, 0.5)
    assert v.word == NOT and v.numbers["datasets"]["d"]["advantage_kept"] == pytest.approx(0.25)
    # a dataset without the fraction asked for is skipped
    assert f(LOSES, 0.3).numbers["skipped"] == ["e"]
    # rows of the other experiment are ignored
    assert f(RISING).word == UNTESTABLE


def test_feature_noise_boundaries():
    f = truex_knowledge.feature_noise
    # 90% of the advantage 0.4 is 0.36: just above holds, just below does not
    keep = [_krow("noise", 0.0, 0.9), _krow("noise", 0.1, 0.86 + 1e-9)]
    assert f(keep).numbers["datasets"]["d"]["advantage_kept"] == pytest.approx(0.9)
    assert f(keep).word == REPRODUCED
    lose = [_krow("noise", 0.0, 0.9), _krow("noise", 0.1, 0.86 - 1e-9)]
    assert f(lose).word == NOT
    # exactly 90% kept (0.545 - 0.5 == 0.9 * (0.55 - 0.5) in floating point too) holds
    exact = [_krow("noise", 0.0, 0.55), _krow("noise", 0.1, 0.545)]
    assert 0.545 - 0.5 == 0.9 * (0.55 - 0.5)
    assert f(exact).word == REPRODUCED
    working = [_krow("noise", 0.0, 0.55), _krow("noise", 0.1, 0.55)]  # works exactly
    assert f(working).word == REPRODUCED
    failing = [_krow("noise", 0.0, 0.5499), _krow("noise", 0.1, 0.5499)]
    assert f(failing).word == UNTESTABLE


def test_shadow_size_branches():
    f = truex_knowledge.shadow_size
    v = f(RISING)
    assert v.word == REPRODUCED and v.rule == {"size_effect": 0.02}
    d = v.numbers["datasets"]["d"]
    assert (d["smallest"], d["largest"]) == (100, 900)
    assert (d["acc_smallest"], d["acc_largest"]) == (0.6, 0.8)
    assert d["worst_step"] == pytest.approx(0.1)
    v = f(DIPS)  # gains 0.2 overall but drops 0.1 on the way
    assert v.word == NOT and v.numbers["datasets"]["f"]["worst_step"] == pytest.approx(-0.1)
    assert f(FLAT).word == NOT  # gains less than SIZE_EFFECT
    assert f(RISING + FLAT).word == PARTLY
    one = [_krow("shadow_size", 300, 0.8, "h")]
    assert f(one).word == UNTESTABLE and f(one).numbers == {"datasets": {}}
    assert f(KEEPS).word == UNTESTABLE
    # rows in any order
    assert f(RISING[::-1]).numbers == f(RISING).numbers


def test_shadow_size_boundaries():
    f = truex_knowledge.shadow_size
    # differences of exactly SIZE_EFFECT: 0.02 - 0.0 and 0.04 - 0.02 are exact in binary
    gain = [_krow("shadow_size", 100, 0.0), _krow("shadow_size", 900, 0.02)]
    assert f(gain).word == REPRODUCED
    small = [_krow("shadow_size", 100, 0.7), _krow("shadow_size", 900, 0.7199)]
    assert f(small).word == NOT
    dip = [_krow("shadow_size", n, a) for n, a in [(100, 0.02), (300, 0.0), (900, 0.04)]]
    assert f(dip).numbers["datasets"]["d"]["worst_step"] == -0.02
    assert f(dip).word == REPRODUCED
    deeper = [_krow("shadow_size", n, a) for n, a in [(100, 0.7), (300, 0.6799), (900, 0.8)]]
    assert f(deeper).word == NOT


# ---- dispatch from the claims --------------------------------------------------------------

TRUEX_RULES = {
    "n_classes": truex_data_factors.n_classes,
    "in_class_std": truex_data_factors.in_class_std,
    "purchase100_vs_50": truex_data_factors.purchase100_vs_50,
    "cifar10_vs_purchase10": truex_data_factors.cifar10_vs_purchase10,
    "target_type": truex_transfer.target_type,
    "attacker_types_interchangeable": truex_transfer.attacker_types_interchangeable,
    "feature_noise": truex_knowledge.feature_noise,
    "shadow_size": truex_knowledge.shadow_size,
}


def test_every_truex_claim_names_its_rule():
    keys = {c.key for c in chapter6_claims()}
    assert keys == set(TRUEX_RULES)
    for c in chapter6_claims():
        assert rule_of(c) is TRUEX_RULES[c.key]
        assert rule_of(c).__module__ == f"mia_lib.papers.verdicts.{c.experiment}"


def test_judge_dispatches_by_claim(stored):
    for c in chapter6_claims():
        rows = stored[c.experiment]
        assert judge("truex2018", c.key, rows) == TRUEX_RULES[c.key](rows)
    rows = stored["truex_knowledge"]
    assert judge("truex2018", "feature_noise", rows, fraction=0.5) == (
        truex_knowledge.feature_noise(rows, 0.5)
    )


# ---- the stored full results ---------------------------------------------------------------

# What chapter 6 reports from book/results/*-full.json. A re-run of a full profile that
# changes a verdict must change this table, the chapter's prose and the report together.
STORED_VERDICTS = {
    "target_type": REPRODUCED,
    "attacker_types_interchangeable": PARTLY,
    "n_classes": PARTLY,
    "in_class_std": PARTLY,
    "purchase100_vs_50": PARTLY,
    "cifar10_vs_purchase10": PARTLY,
    "feature_noise": REPRODUCED,
    "shadow_size": REPRODUCED,
}


def test_stored_full_results_give_the_chapters_verdicts(stored):
    got = {c.key: judge("truex2018", c.key, stored[c.experiment]).word for c in chapter6_claims()}
    assert got == STORED_VERDICTS
    # the counts behind them (chapter 6 glues these)
    f = stored["truex_data_factors"]
    assert truex_data_factors.n_classes(f).numbers["synthetic"] == {
        "n_rising": 1,
        "n_series": 4,
        "holds": False,
    }
    # 5 of 5: two series have a Spearman correlation of exactly 0.8
    assert truex_data_factors.in_class_std(f).numbers["synthetic"]["n_rising"] == 5
    pair = truex_data_factors.purchase100_vs_50(f).numbers
    assert (pair["fewer_classes"], pair["more_classes"]) == (10, 20)
    table = claims_vs_ours(
        [(judge("truex2018", k, stored[c.experiment]), "x") for k, c in _claims().items()]
    )
    assert list(table["verdict"]) == [STORED_VERDICTS[k] for k in _claims()]
    assert set(table["verdict"]) <= set(VERDICTS)


def _claims():
    return {c.key: c for c in chapter6_claims()}


def chapter6_claims():
    """Truex et al.'s claims judged by chapter 6's replications (the defences chapter
    judges the others: tests/test_defences_training.py)."""
    return [c for c in claims("truex2018") if c.experiment.startswith("truex_")]


# An independent re-implementation of the rules, as truex.judge_* stated them before they
# moved: plain loops, thresholds written out. Each returns (word, numbers).


def _ref_overall(holds):
    if not holds:
        return UNTESTABLE
    if all(holds):
        return REPRODUCED
    return PARTLY if any(holds) else NOT


def _ref_rho(a, b):
    """Spearman's correlation in floating point, for the numbers a verdict reports."""
    if len(a) < 3 or len(set(a)) == 1 or len(set(b)) == 1:
        return float("nan")
    return float(spearmanr(a, b)[0])


def _ranks(v):
    """Average ranks (1-based) as exact fractions."""
    order = sorted(range(len(v)), key=lambda i: v[i])
    ranks, i = [None] * len(v), 0
    while i < len(v):
        j = i
        while j + 1 < len(v) and v[order[j + 1]] == v[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = Fraction(i + j + 2, 2)
        i = j + 1
    return ranks


def _ref_rho_at_least(a, b, threshold):
    """Spearman(a, b) >= threshold, decided in exact arithmetic (NaN: False)."""
    if len(a) < 3 or len(set(a)) == 1 or len(set(b)) == 1:
        return False
    ra, rb = _ranks(list(a)), _ranks(list(b))
    ma, mb = sum(ra) / len(ra), sum(rb) / len(rb)
    cov = sum((x - ma) * (y - mb) for x, y in zip(ra, rb, strict=True))
    var = sum((x - ma) ** 2 for x in ra) * sum((y - mb) ** 2 for y in rb)
    t = Fraction(threshold).limit_denominator(1000)  # 0.8 -> 4/5
    if t >= 0:  # cov / sqrt(var) >= t  <=>  cov >= 0 and cov^2 >= t^2 var
        return cov >= 0 and cov * cov >= t * t * var
    return cov >= 0 or cov * cov <= t * t * var


def _ref_rises(x, acc):
    pts = sorted(zip(x, acc, strict=True))
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    rho_ok = _ref_rho_at_least(xs, ys, 0.8) if len(xs) >= 3 else ys[-1] > ys[0]
    return rho_ok and ys[-1] - ys[0] >= 0.05


def _ref_effects(rows, metric="accuracy"):
    out = {}
    for d in dict.fromkeys(r["dataset"] for r in rows):
        cells = {
            (r["target"], r["attacker"]): r[f"{metric}_mean"] for r in rows if r["dataset"] == d
        }
        ts = sorted({t for t, _ in cells})
        attackers = sorted({a for _, a in cells})
        row_mean = [np.mean([cells[t, a] for a in attackers]) for t in ts]
        col_mean = [np.mean([cells[t, a] for t in ts]) for a in attackers]
        out[d] = (max(row_mean) - min(row_mean), max(col_mean) - min(col_mean))
    return out


def _ref_target_type(rows):
    eff = _ref_effects(rows)
    return _ref_overall([t >= 0.05 for t, _ in eff.values()]), eff


def _ref_interchangeable(rows):
    eff = _ref_effects(rows)
    return _ref_overall([a <= 0.5 * t for t, a in eff.values()]), eff


def _ref_series(rows, group, x):
    ok = []
    for g in sorted({r[group] for r in rows}):
        ser = [r for r in rows if r[group] == g]
        ok.append(_ref_rises([r[x] for r in ser], [r["accuracy_mean"] for r in ser]))
    return sum(ok), len(ok)


def _ref_n_classes(rows):
    syn = [r for r in rows if r["kind"] == "synthetic"]
    loc = [r for r in rows if r["kind"] == "locations_k"]
    holds, numbers = [], {}
    if syn:
        n, m = _ref_series(syn, "cluster_std", "n_classes")
        holds.append(n > m / 2)
        numbers["synthetic"] = (n, m)
    if loc:
        ks, acc = [r["n_classes"] for r in loc], [r["accuracy_mean"] for r in loc]
        holds.append(_ref_rises(ks, acc))
        numbers["locations_k"] = (min(ks), max(ks), _ref_rho(ks, acc))
    return _ref_overall(holds), numbers


def _ref_in_class_std(rows):
    syn = [r for r in rows if r["kind"] == "synthetic"]
    real = [r for r in rows if r["kind"] in ("locations_k", "real")]
    holds, numbers = [], {}
    if syn:
        n, m = _ref_series(syn, "n_classes", "in_class_std")
        holds.append(n > m / 2)
        numbers["synthetic"] = (n, m)
    if len(real) >= 3:
        std, acc = [r["in_class_std"] for r in real], [r["accuracy_mean"] for r in real]
        holds.append(_ref_rho_at_least(std, acc, 0.5))
        numbers["real"] = (len(real), _ref_rho(std, acc))
    return _ref_overall(holds), numbers


def _ref_equal_std(rows):
    loc = sorted((r for r in rows if r["kind"] == "locations_k"), key=lambda r: r["n_classes"])
    if len(loc) < 2:
        return UNTESTABLE, None
    best = None
    for a, b in zip(loc, loc[1:], strict=False):
        d = abs(b["in_class_std"] - a["in_class_std"]) / a["in_class_std"]
        if best is None or d < best[0]:
            best = (d, a, b)
    d, a, b = best
    pair = (a["n_classes"], b["n_classes"])
    if d > 0.10:
        return UNTESTABLE, pair
    return (PARTLY if b["accuracy_mean"] > a["accuracy_mean"] else NOT), pair


def _ref_cifar(rows):
    c = [r for r in rows if r["dataset"] == "cifar10"]
    t = [r for r in rows if r["kind"] == "locations_k" and r["n_classes"] == 10]
    if not c or not t:
        return UNTESTABLE, None
    c, t = c[0], t[0]
    holds = c["in_class_std"] < t["in_class_std"] and c["accuracy_mean"] > t["accuracy_mean"]
    return (PARTLY if holds else NOT), (c["in_class_std"], t["in_class_std"])


def _ref_noise(rows, fraction=0.1):
    holds, numbers = [], {}
    noise = [r for r in rows if r.get("experiment") == "noise"]
    for d in dict.fromkeys(r["dataset"] for r in noise):
        by = {round(r["noise"], 6): r["accuracy_mean"] for r in noise if r["dataset"] == d}
        if 0.0 not in by or round(fraction, 6) not in by or by[0.0] < 0.55:
            continue
        a0, af = by[0.0], by[round(fraction, 6)]
        holds.append(af - 0.5 >= 0.9 * (a0 - 0.5))
        numbers[d] = (a0, af)
    return _ref_overall(holds), numbers


def _ref_shadow_size(rows):
    holds, numbers = [], {}
    sz = [r for r in rows if r.get("experiment") == "shadow_size"]
    for d in dict.fromkeys(r["dataset"] for r in sz):
        ser = sorted((r["shadow_size"], r["accuracy_mean"]) for r in sz if r["dataset"] == d)
        if len(ser) < 2:
            continue
        acc = [a for _, a in ser]
        steps = [b - a for a, b in zip(acc, acc[1:], strict=False)]
        holds.append(acc[-1] - acc[0] >= 0.02 and min(steps) >= -0.02)
        numbers[d] = (ser[0][0], acc[0], ser[-1][0], acc[-1])
    return _ref_overall(holds), numbers


def _same_transfer(rows):
    word, eff = _ref_target_type(rows)
    v = truex_transfer.target_type(rows)
    assert v.word == word
    for d, (t, a) in eff.items():
        assert v.numbers["datasets"][d]["target_effect"] == pytest.approx(t, abs=1e-12)
        assert v.numbers["datasets"][d]["attacker_effect"] == pytest.approx(a, abs=1e-12)
    assert truex_transfer.attacker_types_interchangeable(rows).word == _ref_interchangeable(rows)[0]


def _same_factors(rows):
    f = truex_data_factors
    word, numbers = _ref_n_classes(rows)
    v = f.n_classes(rows)
    assert v.word == word
    if "synthetic" in numbers:
        s = v.numbers["synthetic"]
        assert (s["n_rising"], s["n_series"]) == numbers["synthetic"]
    if "locations_k" in numbers:
        lk = v.numbers["locations_k"]
        lo, hi, rho = numbers["locations_k"]
        assert (lk["fewest_classes"], lk["most_classes"]) == (lo, hi)
        assert lk["spearman"] == pytest.approx(rho, nan_ok=True)
    word, numbers = _ref_in_class_std(rows)
    v = f.in_class_std(rows)
    assert v.word == word
    if "real" in numbers:
        assert v.numbers["real"]["n_targets"] == numbers["real"][0]
        assert v.numbers["real"]["spearman"] == pytest.approx(numbers["real"][1], nan_ok=True)
    word, pair = _ref_equal_std(rows)
    v = f.purchase100_vs_50(rows)
    assert v.word == word
    if pair is not None:
        assert (v.numbers["fewer_classes"], v.numbers["more_classes"]) == pair
    word, stds = _ref_cifar(rows)
    v = f.cifar10_vs_purchase10(rows)
    assert v.word == word
    if stds is not None:
        assert (v.numbers["cifar10_std"], v.numbers["locations10_std"]) == stds


def _same_knowledge(rows):
    for fraction in (0.1, 0.5):
        word, numbers = _ref_noise(rows, fraction)
        v = truex_knowledge.feature_noise(rows, fraction)
        assert v.word == word
        got = {d: (p["acc_clean"], p["acc_noisy"]) for d, p in v.numbers["datasets"].items()}
        assert got == numbers
    word, numbers = _ref_shadow_size(rows)
    v = truex_knowledge.shadow_size(rows)
    assert v.word == word
    got = {
        d: (p["smallest"], p["acc_smallest"], p["largest"], p["acc_largest"])
        for d, p in v.numbers["datasets"].items()
    }
    assert got == numbers


def test_stored_full_results_agree_with_the_reference_rules(stored):
    _same_transfer(stored["truex_transfer"])
    _same_factors(stored["truex_data_factors"])
    _same_knowledge(stored["truex_knowledge"])


@pytest.mark.parametrize(
    "rows",
    [STRONG, WEAK, BOTH, STRONG + WEAK, STRONG + BOTH],
    ids=["strong", "weak", "both", "strong+weak", "strong+both"],
)
def test_hand_made_transfer_rows_agree_with_the_reference_rules(rows):
    _same_transfer(rows)


@pytest.mark.parametrize(
    "rows",
    [
        SYN_BOTH + LOC,
        SYN_FLAT + LOC,
        SYN_ONE_K,
        LOC,
        [],
        [_frow("locations_k", 2, 0.5, 0.6), _frow("locations_k", 10, 0.2, 0.9)],
        LOC + [_frow("real", 10, 0.2, 0.95, "cifar10")],
        LOC + [_frow("real", 10, 0.2, 0.5, "cifar10")],
    ],
    ids=["both", "flat", "one-k", "loc", "empty", "far", "cifar-holds", "cifar-fails"],
)
def test_hand_made_factor_rows_agree_with_the_reference_rules(rows):
    _same_factors(rows)


@pytest.mark.parametrize(
    "rows",
    [KEEPS, LOSES, CHANCE, KEEPS + LOSES + CHANCE, RISING, DIPS, FLAT, RISING + FLAT, []],
)
def test_hand_made_knowledge_rows_agree_with_the_reference_rules(rows):
    _same_knowledge(rows)
