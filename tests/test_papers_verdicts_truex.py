"""The verdict rules for Truex et al. in mia_lib.papers.verdicts give the same verdicts as
``mia_lib.experiments.truex.judge_*`` and rest on the same numbers: each test rebuilds the old
``(text, verdict)`` tuple from the new :class:`Verdict` and compares it exactly.

The comparison runs while ``truex.judge_*`` exist (they move here); the rules' own tests
below run either way.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mia_lib.papers import VERDICTS
from mia_lib.papers.verdicts import (
    EFFECT,
    Verdict,
    judge,
    series_rises,
    truex_data_factors,
    truex_knowledge,
    truex_transfer,
)

RESULTS = Path(__file__).resolve().parents[1] / "book" / "results"
_OLD = (
    "judge_target_type",
    "judge_interchangeable",
    "judge_n_classes",
    "judge_in_class_std",
    "judge_equal_std",
    "judge_cifar_critique",
    "judge_feature_noise",
    "judge_shadow_size",
    "transfer_effects",
)


@pytest.fixture(scope="module")
def T():
    """``mia_lib.experiments.truex`` while it still has the old judge_* functions."""
    truex = pytest.importorskip("mia_lib.experiments.truex", exc_type=ImportError)
    missing = [n for n in _OLD if not hasattr(truex, n)]
    if missing:
        pytest.skip(f"mia_lib.experiments.truex no longer has {missing}")
    return truex


def _stored(name):
    path = RESULTS / f"{name}-full.json"
    if not path.is_file():
        pytest.skip(f"no stored result {path.name}")
    return json.loads(path.read_text(encoding="utf-8"))["results"]["rows"]


# today's sentences, rebuilt from the numbers (the templates of truex.judge_*)


def _text_target_type(v):
    return "; ".join(
        f"{d}: accuracy range over target types {e['target_effect']:.3f}"
        for d, e in v.numbers["datasets"].items()
    )


def _text_interchangeable(v):
    return "; ".join(
        f"{d}: range over attacker types {e['attacker_effect']:.3f} vs over targets "
        f"{e['target_effect']:.3f} (median range within a target {e['within_target_range']:.3f})"
        for d, e in v.numbers["datasets"].items()
    )


def _text_n_classes(v):
    parts, n = [], v.numbers
    if "synthetic" in n:
        s = n["synthetic"]
        parts.append(
            f"synthetic: accuracy rises with the classes at {s['n_rising']} of {s['n_series']} stds"
        )
    if "locations_k" in n:
        lk = n["locations_k"]
        parts.append(
            f"Locations-k: {lk['acc_fewest']:.3f} at {lk['fewest_classes']} classes, "
            f"{lk['acc_most']:.3f} at {lk['most_classes']} (Spearman {lk['spearman']:.2f})"
        )
    return "; ".join(parts)


def _text_in_class_std(v):
    parts, n = [], v.numbers
    if "synthetic" in n:
        s = n["synthetic"]
        parts.append(
            f"synthetic: accuracy rises with the std at {s['n_rising']} of {s['n_series']} "
            "class counts"
        )
    if "real" in n:
        r = n["real"]
        parts.append(
            f"{r['n_targets']} real-data targets (Locations-k and others): Spearman(in-class "
            f"std, accuracy) {r['spearman']:.2f}"
        )
    return "; ".join(parts)


def _text_equal_std(v):
    n = v.numbers
    if "fewer_classes" not in n:
        return "no Locations-k results"
    text = (
        f"Locations-{n['fewer_classes']} vs -{n['more_classes']}: in-class std "
        f"{n['std_fewer']:.3f} vs {n['std_more']:.3f}, accuracy {n['acc_fewer']:.3f} vs "
        f"{n['acc_more']:.3f}"
    )
    return text if n["comparable"] else text + " (stds differ too much)"


def _text_cifar(v):
    n = v.numbers
    if "cifar10_std" not in n:
        return "CIFAR-10 or Locations-10 not run"
    return (
        f"in-class std CIFAR-10 {n['cifar10_std']:.3f} vs Locations-10 "
        f"{n['locations10_std']:.3f} (relative {n['cifar10_relative_std']:.3f} vs "
        f"{n['locations10_relative_std']:.3f}); accuracy {n['cifar10_acc']:.3f} vs "
        f"{n['locations10_acc']:.3f}"
    )


def _text_noise(v):
    parts, frac = [], v.numbers["fraction"]
    for name, d in v.numbers["datasets"].items():
        parts.append(
            f"{name}: {d['acc_clean']:.3f} without noise, {d['acc_noisy']:.3f} with {frac:.0%} noise"
        )
        if d["max_noise"] != frac:
            parts[-1] += f", {d['acc_max_noise']:.3f} with {d['max_noise']:.0%}"
    return "; ".join(parts) or "no dataset with a working attack"


def _text_shadow_size(v):
    return "; ".join(
        f"{name}: {d['acc_smallest']:.3f} with {d['smallest']} shadow records, "
        f"{d['acc_largest']:.3f} with {d['largest']}"
        for name, d in v.numbers["datasets"].items()
    )


def _same(new: Verdict, old: tuple[str, str], text):
    assert new.word in VERDICTS
    assert (text(new), new.word) == old


def _check_transfer(T, rows):
    eff = T.transfer_effects(rows)
    assert truex_transfer.transfer_effects(rows) == eff
    _same(truex_transfer.target_type(rows), T.judge_target_type(eff), _text_target_type)
    _same(
        truex_transfer.attacker_types_interchangeable(rows),
        T.judge_interchangeable(eff),
        _text_interchangeable,
    )


def _check_factors(T, rows):
    f = truex_data_factors
    _same(f.n_classes(rows), T.judge_n_classes(rows), _text_n_classes)
    _same(f.in_class_std(rows), T.judge_in_class_std(rows), _text_in_class_std)
    _same(f.purchase100_vs_50(rows), T.judge_equal_std(rows), _text_equal_std)
    _same(f.cifar10_vs_purchase10(rows), T.judge_cifar_critique(rows), _text_cifar)


def _check_knowledge(T, rows):
    k = truex_knowledge
    _same(k.feature_noise(rows), T.judge_feature_noise(rows), _text_noise)
    _same(k.feature_noise(rows, 0.5), T.judge_feature_noise(rows, 0.5), _text_noise)
    _same(k.shadow_size(rows), T.judge_shadow_size(rows), _text_shadow_size)


def test_thresholds_equal_truex(T):
    assert EFFECT == T.EFFECT
    assert truex_knowledge.SIZE_EFFECT == T.SIZE_EFFECT
    assert truex_knowledge.NOISE_KEEP == T.NOISE_KEEP
    assert truex_knowledge.WORKING_ACC == T.WORKING_ACC
    assert truex_data_factors.EQUAL_STD == T.EQUAL_STD


def test_stored_full_results_give_truex_verdicts_and_numbers(T):
    _check_transfer(T, _stored("truex_transfer"))
    _check_factors(T, _stored("truex_data_factors"))
    _check_knowledge(T, _stored("truex_knowledge"))


def test_judge_dispatches_by_claim():
    rows = _stored("truex_data_factors")
    assert judge("truex2018", "n_classes", rows) == truex_data_factors.n_classes(rows)


# small hand-made rows (those of tests/test_truex.py) for each branch of each rule


def _trow(d, t, a, m):
    return {"dataset": d, "target": t, "attacker": a, "accuracy_mean": m, "accuracy_std": 0.01}


def _matrix(d, cells):
    return [_trow(d, t, a, m) for (t, a), m in cells.items()]


def test_transfer_rules_as_truex(T):
    for rows in (_STRONG, _WEAK, _STRONG + _WEAK):
        _check_transfer(T, rows)


_STRONG = _matrix("a", {("x", "x"): 0.9, ("x", "z"): 0.88, ("z", "x"): 0.6, ("z", "z"): 0.6})
_WEAK = _matrix("b", {("x", "x"): 0.6, ("x", "z"): 0.5, ("z", "x"): 0.6, ("z", "z"): 0.51})


def test_transfer_rules():
    strong, weak = _STRONG, _WEAK
    v = truex_transfer.target_type(strong + weak)
    assert v.word == "partly reproduced"
    assert v.numbers["datasets"]["a"]["holds"] and not v.numbers["datasets"]["b"]["holds"]
    assert v.rule == {"effect": EFFECT}
    assert truex_transfer.attacker_types_interchangeable(strong).word == "reproduced"
    assert truex_transfer.attacker_types_interchangeable(weak).word == "not reproduced"


def _krow(exp, x, acc, name="d"):
    return {"experiment": exp, "dataset": name, exp: x, "accuracy_mean": acc}


good = [_krow("noise", 0.0, 0.9), _krow("noise", 0.1, 0.89), _krow("noise", 0.5, 0.6)]
bad = [_krow("noise", 0.0, 0.9, "e"), _krow("noise", 0.1, 0.7, "e")]
chance = [_krow("noise", 0.0, 0.52, "c"), _krow("noise", 0.1, 0.52, "c")]
rising = [_krow("shadow_size", n, a) for n, a in [(100, 0.6), (300, 0.7), (900, 0.8)]]
dips = [_krow("shadow_size", n, a, "f") for n, a in [(100, 0.6), (300, 0.5), (900, 0.8)]]
flat = [_krow("shadow_size", 100, 0.8, "g"), _krow("shadow_size", 900, 0.805, "g")]


def test_knowledge_rules_as_truex(T):
    for rows in (good, bad, chance, good + bad + chance, rising, dips, flat, rising + flat, []):
        _check_knowledge(T, rows)


def test_knowledge_rules():
    v = truex_knowledge.feature_noise(good + chance)
    assert v.word == "reproduced" and v.numbers["skipped"] == ["c"]
    assert v.numbers["datasets"]["d"]["advantage_kept"] == pytest.approx(0.39 / 0.4)
    assert truex_knowledge.feature_noise(chance).word == "not testable here"
    assert truex_knowledge.shadow_size(dips).word == "not reproduced"
    assert truex_knowledge.shadow_size(dips).numbers["datasets"]["f"][
        "worst_step"
    ] == pytest.approx(-0.1)


def _frow(kind, k, std, acc, name=None, cluster_std=None):
    r = {
        "kind": kind,
        "dataset": name or f"{kind}-{k}",
        "n_classes": k,
        "in_class_std": std,
        "relative_in_class_std": std,
        "accuracy_mean": acc,
    }
    if cluster_std is not None:
        r["cluster_std"] = cluster_std
    return r


def test_data_factor_rules_as_truex(T):
    test_data_factor_rules(T)


def test_data_factor_rules(with_truex=None):
    syn = [
        _frow("synthetic", c, s, 0.5 + 0.01 * c + 0.05 * s, "synthetic", s)
        for c in (2, 10, 20)
        for s in (0.5, 2.0, 4.0)
    ]
    loc = [_frow("locations_k", k, 0.3 - 0.001 * k, 0.6 + 0.01 * k) for k in (2, 10, 30)]
    far = [_frow("locations_k", 2, 0.5, 0.6), _frow("locations_k", 10, 0.2, 0.9)]
    cifar = _frow("real", 10, 0.2, 0.95, "cifar10")
    cifar_low = _frow("real", 10, 0.2, 0.5, "cifar10")
    if with_truex is not None:
        for rows in [syn + loc, syn, loc, far, loc + [cifar], loc + [cifar_low], [], syn + far]:
            _check_factors(with_truex, rows)
        return
    v = truex_data_factors.n_classes(syn + loc)
    assert v.word == "reproduced" and v.numbers["locations_k"]["most_classes"] == 30
    assert truex_data_factors.in_class_std(syn + loc).word == "partly reproduced"
    assert truex_data_factors.purchase100_vs_50(loc).word == "partly reproduced"
    assert truex_data_factors.purchase100_vs_50(far).word == "not testable here"
    assert truex_data_factors.cifar10_vs_purchase10(loc + [cifar]).word == "partly reproduced"
    assert truex_data_factors.cifar10_vs_purchase10(loc).numbers["cifar10_run"] is False


@pytest.mark.parametrize(
    "x, y, rises",
    [
        ([2, 10, 30], [0.6, 0.7, 0.9], True),
        ([30, 2, 10], [0.9, 0.6, 0.7], True),  # order of the points does not matter
        ([2, 10, 30], [0.6, 0.9, 0.62], False),  # Spearman 0.5
        ([2, 10, 30], [0.6, 0.61, 0.62], False),  # monotone but less than EFFECT
        ([2, 10], [0.6, 0.7], True),  # two points: the sign of the change
        ([2, 10], [0.7, 0.6], False),
        ([2, 10, 30], [0.6, 0.6, 0.6], False),  # constant: no correlation
        ([5], [0.6], False),
    ],
)
def test_series_rises(x, y, rises):
    assert series_rises(x, y) is rises
