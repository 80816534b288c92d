"""The verdict rules for Hayes et al.'s LOGAN (:mod:`mia_lib.papers.verdicts.hayes_logan`).

The six rules on small hand-made rows in the row format of the replication ``hayes_logan``
(:func:`mia_lib.experiments.logan._entry_rows`), one test per way a verdict can go, with the
numbers worked out by hand; ``judge`` dispatching to them; and the rules on the smoke
profile's rows, including the thresholds met exactly and rows that lack a part or a field.
"""

from __future__ import annotations

import math
import os

import pytest

from mia_lib.experiments import run_experiment
from mia_lib.papers import VERDICTS, claims, claims_vs_ours
from mia_lib.papers.verdicts import EFFECT, RISING_SPEARMAN, judge
from mia_lib.papers.verdicts import hayes_logan as h

REPRODUCED, PARTLY, NOT, UNTESTABLE = VERDICTS


#: The fields of a row of ``hayes_logan`` (``logan._entry_rows``).
FIELDS = "key part dataset setting attack n_members n_candidates baseline top_n_accuracy auc "
FIELDS += "epochs dropout weight_norm fit_s attack_fit_s sample_fd attacker_fd"


def _row(part, setting, attack, dataset="d", top=0.3, baseline=0.1, epochs=10, **kw):
    key = f"{part}/{dataset}/{setting}/{attack}"
    row = dict(key=key, part=part, dataset=dataset, setting=setting, attack=attack, n_members=20)
    row |= dict(n_candidates=round(20 / baseline), baseline=baseline, top_n_accuracy=top, auc=0.6)
    row |= dict(epochs=epochs, dropout=0.0, weight_norm=False, fit_s=1.0, attack_fit_s=0.1)
    return row | dict(sample_fd=None, attacker_fd=None) | kw


def _sweep(ds, epochs, fd=None, bb=None, attacker_fd=None):
    """Part ``epochs``: a white- and a black-box row per epoch count (``fd``: the samples'
    Fréchet distances, None without the option quality)."""
    rows = []
    for i, e in enumerate(epochs):
        q = {"sample_fd": fd[i] if fd else None, "fit_s": float(e)}
        rows.append(_row("epochs", f"epochs={e}", "white_box", ds, 0.3, epochs=e, **q))
        a_fd = attacker_fd[i] if attacker_fd else None
        top = bb[i] if bb else 0.2
        rows.append(
            _row("epochs", f"epochs={e}", "black_box", ds, top, epochs=e, attacker_fd=a_fd, **q)
        )
    return rows


SETTINGS = (("none", {}), ("dropout=0.5", {"dropout": 0.5}), ("weight_norm", {"weight_norm": True}))


def _defences(ds, wb, bb=(0.2, 0.2, 0.2), fit=(1.0, 2.0, 1.0), fd=(None,) * 3, epochs=10):
    """Part ``defences``: white- and black-box top-n accuracies (none, dropout, weight_norm)."""
    rows = []
    for (s, kw), w, b, t, q in zip(SETTINGS, wb, bb, fit, fd, strict=True):
        for attack, top in (("white_box", w), ("black_box", b)):
            rows.append(
                _row("defences", s, attack, ds, top, epochs=epochs, fit_s=t, sample_fd=q, **kw)
            )
    return rows


def _aux(ds, top, top_test=0.375, baseline=0.25, epochs=10, settings=("test", "train+test")):
    tops = {"test": top_test, "train+test": top}
    return [
        _row("auxiliary", f"{s}=0.3", "black_box_aux", ds, tops[s], baseline, epochs)
        for s in settings
    ]


def _clf(ds, top):
    return [_row("classifier", "classifier", "loss", ds, top, epochs=30, auc=0.7)]


def test_thresholds_and_row_fields():
    assert (EFFECT, RISING_SPEARMAN, h.SLOWER) == (0.05, 0.8, 1.1)
    assert list(_row("epochs", "epochs=1", "white_box")) == FIELDS.split()


# ---- longer_training: the white-box rows' sample_fd falls with the epochs ------------------

FALLS = _sweep("a", [1, 2, 5, 10], [0.9, 0.7, 0.5, 0.3])  # Spearman -1
ONE_SWAP = _sweep("b", [1, 2, 3, 4], [0.5, 0.6, 0.4, 0.3])  # ranks 3,4,2,1: exactly -0.8
RISES = _sweep("c", [1, 2, 3], [0.3, 0.4, 0.5])  # Spearman +1


def test_longer_training():
    v = h.longer_training(list(reversed(FALLS + ONE_SWAP)))  # sorted by epochs
    assert (v.paper, v.key, v.word) == ("hayes2019", "longer_training", REPRODUCED)
    assert v.rule == {"max_spearman": -0.8}
    assert v.numbers["datasets"]["a"]["spearman"] == -1.0
    assert v.numbers["datasets"]["b"] == {
        "fd_first": 0.5,
        "fd_last": 0.3,
        "epochs_first": 1,
        "epochs_last": 4,
        "spearman": -0.8,
        "holds": True,
    }
    v = h.longer_training(FALLS + RISES)
    assert v.word == PARTLY and v.numbers["datasets"]["c"]["spearman"] == 1.0
    assert h.longer_training(RISES).word == NOT
    v = h.longer_training(_sweep("k", [1, 2, 3], [0.5, 0.5, 0.5]))  # constant: NaN
    assert v.word == NOT and math.isnan(v.numbers["datasets"]["k"]["spearman"])
    # two epoch counts: the sign of the change
    v = h.longer_training(_sweep("t", [1, 2], [0.6, 0.5]))
    assert v.word == REPRODUCED and v.numbers["datasets"]["t"]["spearman"] == -1.0
    assert h.longer_training(_sweep("t", [1, 2], [0.5, 0.6])).word == NOT
    assert h.longer_training(_sweep("t", [1, 2], [0.5, 0.5])).word == NOT


@pytest.mark.parametrize(
    "rows",
    [[], _sweep("a", [1, 2, 5]), _sweep("a", [5], [0.3]), _defences("a", (0.3,) * 3)],
    ids=["empty", "no-quality", "one-epoch-count", "no-epochs-part"],
)
def test_quality_rules_untestable(rows):
    for rule in (h.longer_training, h.quality_drives_attack, h.target_generator_better):
        assert rule(rows).word == UNTESTABLE


@pytest.mark.parametrize(
    "rule", ["longer_training", "quality_drives_attack", "target_generator_better"]
)
def test_quality_rules_untestable_without_the_fd_fields(rule):
    rows = [{k: v for k, v in r.items() if not k.endswith("_fd")} for r in FALLS]
    assert getattr(h, rule)(rows).word == UNTESTABLE


# ---- quality_drives_attack: black-box accuracy against sample_fd, epochs and defences ------

# 3 epoch counts and 3 defences; "none" repeats epochs=5 (dropped): 5 targets, fd ascending
# 0.3, 0.4, 0.5, 0.6, 0.9 with accuracy ranks 5, 4, 2, 3, 1: one swap, Spearman -0.9
QUALITY = _sweep("a", [1, 2, 5], [0.9, 0.6, 0.3], bb=[0.2, 0.3, 0.4]) + _defences(
    "a", (0.3,) * 3, bb=(0.4, 0.25, 0.35), fd=(0.3, 0.5, 0.4), epochs=5
)
# fd ranks 4,3,2,1, accuracy ranks 2,1,3,4: Spearman exactly -0.8
Q_EDGE = _sweep("b", [1, 2, 3, 4], [0.9, 0.7, 0.5, 0.3], bb=[0.2, 0.1, 0.3, 0.4])
Q_WRONG = _sweep("c", [1, 2, 3], [0.9, 0.6, 0.3], bb=[0.4, 0.3, 0.2])  # Spearman +1


def test_quality_drives_attack():
    v = h.quality_drives_attack(QUALITY + Q_EDGE)
    assert v.word == REPRODUCED and v.rule == {"max_spearman": -0.8}
    assert v.numbers["datasets"] == {
        "a": {"spearman": -0.9, "n_targets": 5, "holds": True},
        "b": {"spearman": -0.8, "n_targets": 4, "holds": True},
    }
    v = h.quality_drives_attack(QUALITY + Q_WRONG)
    assert v.word == PARTLY and v.numbers["datasets"]["c"]["spearman"] == 1.0
    assert h.quality_drives_attack(Q_WRONG).word == NOT
    # the defences' "none" repeats epochs=5 and is dropped; dropout and weight normalisation
    # are targets of their own: 4 targets, all at the same accuracy (no correlation)
    two = _sweep("a", [1, 5], [0.9, 0.3]) + _defences("a", (0.3,) * 3, fd=(0.3,) * 3, epochs=5)
    v = h.quality_drives_attack(two)
    assert v.word == NOT and v.numbers["datasets"]["a"]["n_targets"] == 4
    # fewer than three distinct targets: not testable
    assert h.quality_drives_attack(_sweep("a", [1, 5], [0.9, 0.3])).word == UNTESTABLE


# ---- target_generator_better: sample_fd below attacker_fd on every black-box target --------

BETTER = _sweep("a", [1, 2, 5], [0.3, 0.4, 0.5], attacker_fd=[0.6, 0.6, 1.5])  # ratios 2 1.5 3
WORSE = _sweep("b", [1, 2, 5], [0.3, 0.4, 0.5], attacker_fd=[0.6, 0.4, 0.4])  # equal counts not


def test_target_generator_better():
    v = h.target_generator_better(BETTER)
    assert v.word == REPRODUCED and v.rule == {}
    a = v.numbers["datasets"]["a"]
    assert (a["n_better"], a["n_targets"], a["holds"]) == (3, 3, True)
    assert a["ratio_median"] == pytest.approx(2.0)
    v = h.target_generator_better(BETTER + WORSE)
    assert v.word == PARTLY
    b = v.numbers["datasets"]["b"]
    assert (b["n_better"], b["n_targets"], b["holds"]) == (1, 3, False)
    assert b["ratio_median"] == pytest.approx(1.0)  # of 2, 1 and 0.8
    assert h.target_generator_better(WORSE).word == NOT


# ---- auxiliary_knowledge: train+test lift at least EFFECT above the plain black box ---------

# plain black box at epochs 10: lift 0.3 - 0.1 = 0.2; the defended targets' black box (0.9)
# and the other epoch counts' (0.9) are not the plain attack
PLAIN = _defences("a", (0.3,) * 3, bb=(0.3, 0.9, 0.9)) + _sweep("a", [1, 5], bb=[0.9, 0.9])
AUX = PLAIN + _aux("a", 0.625)  # lift 0.625 - 0.25 = 0.375; test=: 0.375 - 0.25 = 0.125
AUX_WEAK = _defences("b", (0.3,) * 3, bb=(0.3, 0.3, 0.3)) + _aux("b", 0.35)  # lift 0.1


def test_auxiliary_knowledge():
    v = h.auxiliary_knowledge(AUX)
    assert v.word == REPRODUCED and v.rule == {"effect": EFFECT}
    a = v.numbers["datasets"]["a"]
    assert a["lift_black_box"] == pytest.approx(0.2) and a["lift_aux"] == 0.375
    assert a["lift_aux_test"] == 0.125 and a["holds"] is True
    v = h.auxiliary_knowledge(AUX + AUX_WEAK)
    assert v.word == PARTLY
    b = v.numbers["datasets"]["b"]
    assert b["lift_aux"] - b["lift_black_box"] == pytest.approx(0.1 - 0.2)
    assert h.auxiliary_knowledge(AUX_WEAK).word == NOT
    # no plain black box at the auxiliary part's epochs, or only defended ones
    assert h.auxiliary_knowledge(_sweep("a", [1, 5]) + _aux("a", 0.625)).word == UNTESTABLE
    only_defended = [r for r in PLAIN if r["setting"] != "none" and r["part"] == "defences"]
    assert h.auxiliary_knowledge(only_defended + _aux("a", 0.625)).word == UNTESTABLE
    assert h.auxiliary_knowledge(PLAIN).word == UNTESTABLE  # no auxiliary part


def test_auxiliary_knowledge_effect_met_exactly():
    # lifts 0.25 - 0.1 = 0.15 and 0.2 - 0.1 = 0.10: 0.05 above, in floats 0.04999999999999999
    rows = _defences("e", (0.3,) * 3, bb=(0.2,) * 3) + _aux("e", 0.25, baseline=0.1)
    assert h.auxiliary_knowledge(rows).word == REPRODUCED


@pytest.mark.parametrize(
    "rows",
    [[], _defences("a", (0.3,) * 3) + _aux("a", 0.6, settings=("test",))],
    ids=["empty: KeyError dropout", "no train+test: IndexError"],
)
def test_auxiliary_knowledge_untestable_raises(rows):
    assert h.auxiliary_knowledge(rows).word == UNTESTABLE


# ---- generative_weaker: the classifier's lift at least EFFECT above the undefended GAN's ----

# lifts: classifier 0.4; GAN "none" white box 0.1, black box 0.2 (weight_norm's 0.8 ignored)
WEAKER = _clf("a", 0.5) + _defences("a", (0.2, 0.1, 0.9), bb=(0.3, 0.1, 0.1))
STRONGER = _clf("b", 0.3) + _defences("b", (0.35, 0.1, 0.1))  # 0.2 against 0.25


def test_generative_weaker():
    v = h.generative_weaker(WEAKER)
    assert v.word == REPRODUCED and v.rule == {"effect": EFFECT}
    assert v.numbers["datasets"]["a"] == {
        "classifier_top_n": 0.5,
        "classifier_auc": 0.7,
        "gan_top_n": 0.3,
        "gan_auc": 0.6,
        "gan_attack": "black_box",
        "holds": True,
    }
    v = h.generative_weaker(WEAKER + STRONGER)
    assert v.word == PARTLY and v.numbers["datasets"]["b"]["gan_attack"] == "white_box"
    assert h.generative_weaker(STRONGER).word == NOT
    for rows in ([], _clf("a", 0.5), _defences("a", (0.3,) * 3), _clf("a", 0.5) + AUX_WEAK):
        assert h.generative_weaker(rows).word == UNTESTABLE


def test_generative_weaker_effect_met_exactly():
    # lifts 0.25 - 0.1 = 0.15 and 0.2 - 0.1 = 0.10
    rows = _clf("e", 0.25) + _defences("e", (0.2, 0.1, 0.1), bb=(0.15, 0.1, 0.1))
    assert h.generative_weaker(rows).word == REPRODUCED


# ---- dropout_vs_weight_norm: white-box cut at least EFFECT more, and SLOWER times the time ---

# cuts: dropout 0.5 - 0.25 = 0.25, weight_norm 0.5 - 0.45 = 0.05; time 2.0 / 1.0
DEFENDS = _defences("a", (0.5, 0.25, 0.45), fit=(1.0, 2.0, 1.0))
FAST = _defences("f", (0.5, 0.25, 0.45), fit=(1.0, 1.0, 1.0))  # effective, not slower
NEITHER = _defences("n", (0.5, 0.45, 0.25), fit=(2.0, 1.0, 1.0))  # cuts 0.05, 0.25; time 0.5


def test_dropout_vs_weight_norm():
    v = h.dropout_vs_weight_norm(DEFENDS)
    assert v.word == REPRODUCED and v.rule == {"effect": EFFECT, "slower": 1.1}
    a = v.numbers["datasets"]["a"]
    assert a["white_box_none"] == 0.5 and a["cut_dropout"] == 0.25 and a["time_ratio"] == 2.0
    assert a["cut_weight_norm"] == pytest.approx(0.05)
    assert a["effective"] is True and a["prolongs"] is True
    v = h.dropout_vs_weight_norm(FAST)
    assert v.word == PARTLY and v.numbers["datasets"]["f"]["time_ratio"] == 1.0
    f = v.numbers["datasets"]["f"]
    assert f["effective"] is True and f["prolongs"] is False
    assert h.dropout_vs_weight_norm(DEFENDS + NEITHER).word == PARTLY
    v = h.dropout_vs_weight_norm(NEITHER)
    assert v.word == NOT and v.numbers["datasets"]["n"]["time_ratio"] == 0.5
    # a ratio of SLOWER exactly (2.2 / 2.0 is 1.1 in floats too) prolongs
    edge = _defences("e", (0.5, 0.25, 0.45), fit=(2.0, 2.2, 1.0))
    assert h.dropout_vs_weight_norm(edge).numbers["datasets"]["e"]["prolongs"] is True
    no_dropout = [r for r in DEFENDS if not r["setting"].startswith("dropout")]
    for rows in ([], WEAKER[:1], no_dropout):
        assert h.dropout_vs_weight_norm(rows).word == UNTESTABLE


def test_dropout_vs_weight_norm_effect_met_exactly():
    # cuts 0.3 - 0.2 = 0.10 and 0.3 - 0.25 = 0.05: in floats 0.04999999999999999 apart
    assert h.dropout_vs_weight_norm(_defences("e", (0.3, 0.2, 0.25))).word == REPRODUCED


def test_dropout_vs_weight_norm_slower_met_exactly():
    rows = _defences("e", (0.5, 0.25, 0.45), fit=(3.0, 3.3, 1.0))
    assert h.dropout_vs_weight_norm(rows).word == REPRODUCED


@pytest.mark.parametrize(
    "drop",
    [{"weight_norm"}, {"none"}, {"white_box"}],
    ids=["no weight_norm", "no none", "no white box"],
)
def test_dropout_vs_weight_norm_untestable_raises(drop):
    rows = [r for r in DEFENDS if not {r["setting"], r["attack"]} & drop]
    assert h.dropout_vs_weight_norm(rows).word == UNTESTABLE


# ---- judge dispatches to the rules -----------------------------------------------------------

CASES = {
    "longer_training": FALLS + RISES,
    "quality_drives_attack": QUALITY + Q_WRONG,
    "target_generator_better": BETTER + WORSE,
    "auxiliary_knowledge": AUX + AUX_WEAK,
    "generative_weaker": WEAKER + STRONGER,
    "dropout_vs_weight_norm": DEFENDS + NEITHER,
}


@pytest.mark.parametrize("key", list(CASES))
def test_judge_gives_the_rules_verdict(key):
    v = judge("hayes2019", key, CASES[key])
    assert v.word == PARTLY and repr(v) == repr(getattr(h, key)(CASES[key]))


def test_every_hayes_claim_has_a_case():
    assert {c.key for c in claims("hayes2019")} == set(CASES)


# ---- the smoke profile's rows ----------------------------------------------------------------


@pytest.fixture(scope="module")
def smoke_rows():
    if not os.environ.get("MIA_DATA_DIR"):
        pytest.skip("MIA_DATA_DIR is not set (the smoke profile uses Fashion-MNIST)")
    return run_experiment("hayes_logan", "smoke", seed=0)["results"]["rows"]


def test_smoke_rows_get_a_verdict_on_every_claim(smoke_rows):
    assert all(list(r) == FIELDS.split() for r in smoke_rows)  # the fields of our rows
    verdicts = [judge("hayes2019", c.key, smoke_rows) for c in claims("hayes2019")]
    assert all(v.word in VERDICTS for v in verdicts)
    # every part and the option quality are in the smoke profile: these rules can test
    testable = set(CASES) - {"quality_drives_attack"}  # its dedup depends on the values
    assert all(v.word != UNTESTABLE for v in verdicts if v.key in testable)
    table = claims_vs_ours([(v, "x") for v in verdicts])
    assert list(table["verdict"]) == [v.word for v in verdicts] and len(table) == 6
