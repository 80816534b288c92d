"""Tests of mia_lib.metrics: agreement with scikit-learn, exact low-FPR values, reports, errors."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
import sklearn.metrics as skm
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression

from mia_lib import metrics

# ----------------------------------------------------------------------------- strategies


@st.composite
def labelled_scores(draw, tied: bool | None = None):
    """membership with both classes, and scores: small integers (many ties) or floats."""
    n = draw(st.integers(2, 40))
    membership = draw(st.lists(st.integers(0, 1), min_size=n, max_size=n))
    i, j = draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=2, unique=True))
    membership[i], membership[j] = 1, 0
    if tied is None:
        tied = draw(st.booleans())
    if tied:
        scores = draw(st.lists(st.integers(0, 4), min_size=n, max_size=n))
    else:
        scores = draw(
            st.lists(
                st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
                min_size=n,
                max_size=n,
            )
        )
    return np.array(membership), np.array(scores, dtype=np.float64)


FAST = settings(max_examples=150, deadline=None)


# ----------------------------------------------------------------------------- vs sklearn


@FAST
@given(labelled_scores())
def test_auc_matches_sklearn(data):
    m, s = data
    assert metrics.auc(m, s) == pytest.approx(skm.roc_auc_score(m, s), abs=1e-12)


@FAST
@given(labelled_scores())
def test_roc_curve_matches_sklearn(data):
    m, s = data
    fpr, tpr, thr = metrics.roc_curve(m, s)
    sk_fpr, sk_tpr, sk_thr = skm.roc_curve(m, s, drop_intermediate=False)
    np.testing.assert_allclose(fpr, sk_fpr, atol=1e-12)
    np.testing.assert_allclose(tpr, sk_tpr, atol=1e-12)
    np.testing.assert_array_equal(thr, sk_thr)
    assert (fpr[0], tpr[0], thr[0]) == (0.0, 0.0, np.inf)
    assert (fpr[-1], tpr[-1]) == (1.0, 1.0)
    assert len(thr) == len(np.unique(s)) + 1  # one step per distinct score


@FAST
@given(labelled_scores())
def test_advantage_is_max_tpr_minus_fpr_of_sklearn_curve(data):
    m, s = data
    sk_fpr, sk_tpr, _ = skm.roc_curve(m, s, drop_intermediate=False)
    assert metrics.advantage(m, s) == pytest.approx(np.max(sk_tpr - sk_fpr), abs=1e-12)


@FAST
@given(labelled_scores(), st.floats(0, 1))
def test_tpr_at_fpr_is_best_feasible_sklearn_point(data, target):
    m, s = data
    sk_fpr, sk_tpr, _ = skm.roc_curve(m, s, drop_intermediate=False)
    expected = sk_tpr[sk_fpr <= target + 1e-12].max()
    assert metrics.tpr_at_fpr(m, s, fpr=target) == pytest.approx(expected)


@FAST
@given(labelled_scores(), st.sampled_from(["accuracy", "advantage"]))
def test_best_threshold_attains_the_best_value(data, criterion):
    m, s = data
    t = metrics.best_threshold(m, s, criterion=criterion)
    pred = (s >= t).astype(int)
    if criterion == "accuracy":
        got = metrics.accuracy(m, pred)
        best = max(np.mean((s >= u) == m) for u in np.r_[np.inf, s])
    else:
        got = 2 * metrics.balanced_accuracy(m, pred) - 1
        best = metrics.advantage(m, s)
    assert got == pytest.approx(best, abs=1e-12)


@FAST
@given(labelled_scores(tied=True), st.data())
def test_decision_metrics_match_sklearn(data, draw):
    m, s = data
    pred = np.array(draw.draw(st.lists(st.integers(0, 1), min_size=m.size, max_size=m.size)))
    assert metrics.precision(m, pred) == pytest.approx(
        skm.precision_score(m, pred, zero_division=0)
    )
    assert metrics.recall(m, pred) == pytest.approx(skm.recall_score(m, pred))
    assert metrics.accuracy(m, pred) == pytest.approx(skm.accuracy_score(m, pred))
    assert metrics.balanced_accuracy(m, pred) == pytest.approx(skm.balanced_accuracy_score(m, pred))


# ----------------------------------------------------------------------------- hand cases


def test_roc_curve_ties_form_one_step():
    fpr, tpr, thr = metrics.roc_curve([1, 0, 1, 0, 1], [5, 5, 5, 1, 0])
    assert thr.tolist() == [np.inf, 5.0, 1.0, 0.0]
    assert fpr.tolist() == [0.0, 0.5, 1.0, 1.0]
    assert tpr.tolist() == pytest.approx([0.0, 2 / 3, 2 / 3, 1.0])


def test_roc_curve_handles_infinite_scores():
    fpr, tpr, thr = metrics.roc_curve([1, 1, 0, 0], [np.inf, np.inf, 0.0, -np.inf])
    assert thr.tolist() == [np.inf, np.inf, 0.0, -np.inf]
    assert tpr.tolist() == [0.0, 1.0, 1.0, 1.0]
    assert metrics.auc([1, 1, 0, 0], [np.inf, np.inf, 0.0, -np.inf]) == 1.0


def test_auc_ties_count_half():
    assert metrics.auc([1, 0], [3, 3]) == 0.5
    assert metrics.auc([1, 1, 0, 0], [2, 1, 1, 0]) == pytest.approx((1 + 1 + 0.5 + 1) / 4)


def test_tpr_at_fpr_exact_without_ties():
    # 10 non-members scored 0..9, 10 members scored 5.5..14.5. Six members (9.5..14.5) beat
    # every non-member; each further member (8.5, 7.5, ...) costs one false positive first.
    m = np.r_[np.zeros(10), np.ones(10)]
    s = np.r_[np.arange(10.0), np.arange(10.0) + 5.5]
    assert metrics.tpr_at_fpr(m, s, fpr=0.0) == pytest.approx(0.6)
    assert metrics.tpr_at_fpr(m, s, fpr=0.1) == pytest.approx(0.7)  # threshold 8.5
    assert metrics.tpr_at_fpr(m, s, fpr=0.19) == pytest.approx(0.7)  # no interpolation
    assert metrics.tpr_at_fpr(m, s, fpr=0.2) == pytest.approx(0.8)
    assert metrics.tpr_at_fpr(m, s, fpr=1.0) == 1.0


def test_tpr_at_fpr_does_not_split_a_tie_straddling_the_limit():
    # 10 non-members, 4 members. Members 0.9 and 0.8 are clear; then a tie at 0.5 holds one
    # member and two non-members (FPR 0 -> 0.2). At FPR <= 0.1 the tie cannot be split:
    # TPR stays 2/4; interpolation would give 2.5/4. The last member scores below everyone.
    m = [1, 1, 1, 0, 0, 1] + [0] * 8
    s = [0.9, 0.8, 0.5, 0.5, 0.5, 0.05] + [0.1] * 8
    assert metrics.tpr_at_fpr(m, s, fpr=0.1) == 0.5
    assert metrics.tpr_at_fpr(m, s, fpr=0.2) == 0.75
    np.testing.assert_array_equal(
        metrics.tpr_at_fpr(m, s, fpr=[0.0, 0.1, 0.2, 1.0]), [0.5, 0.5, 0.75, 1.0]
    )


def test_tpr_at_fpr_scalar_returns_float_and_sequence_returns_array():
    m, s = [1, 0, 1, 0], [0.9, 0.8, 0.7, 0.1]
    assert isinstance(metrics.tpr_at_fpr(m, s, 0.5), float)
    out = metrics.tpr_at_fpr(m, s, (0.0, 0.5))
    assert isinstance(out, np.ndarray) and out.tolist() == [0.5, 1.0]


def test_tpr_at_fpr_decimal_targets_are_not_lost_to_round_off():
    # FPR 3/10 must count as <= 0.1 * 3 (= 0.30000000000000004 or 0.3 alike)
    m = [0] * 10 + [1]
    s = list(range(10, 0, -1)) + [0.5]
    assert metrics.tpr_at_fpr(m, s, fpr=0.3) == 0.0
    assert metrics.tpr_at_fpr(m, s, fpr=1.0) == 1.0


def test_precision_without_positive_predictions_is_zero():
    assert metrics.precision([1, 0, 1], [0, 0, 0]) == 0.0


def test_best_threshold_midpoint_and_ends():
    assert metrics.best_threshold([1, 1, 0, 0], [4, 3, 2, 1]) == 2.5
    # calling nobody a member is best when members score lowest and are few
    assert metrics.best_threshold([0, 0, 0, 1], [4, 3, 2, 1]) == np.inf
    # calling everybody a member is best when members dominate
    assert metrics.best_threshold([1, 1, 1, 0], [1, 2, 3, 4]) == 1.0
    # ties: the threshold never separates tied records
    t = metrics.best_threshold([1, 0, 1, 0], [2, 2, 2, 1])
    assert 1 < t <= 2


def test_per_class_report_hand_case():
    m = [1, 0, 1, 0, 1, 1, 0, 0]
    s = [0.9, 0.2, 0.3, 0.4, 0.8, 0.7, 0.6, 0.1]
    c = [0, 0, 0, 0, 1, 1, 2, 2]
    df = metrics.per_class_report(m, s, c, threshold=0.5)
    assert list(df.index) == [0, 1, 2] and df.index.name == "class"
    assert list(df.columns) == [
        "n", "n_members", "n_non_members", "precision", "recall", "accuracy", "auc"
    ]  # fmt: skip
    assert df.loc[0].tolist() == [4, 2, 2, 1.0, 0.5, 0.75, 0.75]
    assert df.loc[1, "precision"] == 1.0 and math.isnan(df.loc[1, "auc"])
    # class 2 has no members: recall and AUC undefined, precision 0 (one false positive)
    assert df.loc[2, "precision"] == 0.0 and math.isnan(df.loc[2, "recall"])
    assert df.loc[2, "accuracy"] == 0.5 and math.isnan(df.loc[2, "auc"])


def test_per_class_report_decision_sources_agree():
    m = [1, 0, 1, 0, 1, 0]
    s = [0.9, 0.2, 0.3, 0.4, 0.8, 0.7]
    c = ["a", "a", "b", "b", "c", "c"]
    by_threshold = metrics.per_class_report(m, s, c, threshold=0.5)
    pred = [1, 0, 0, 0, 1, 1]
    by_predicted = metrics.per_class_report(m, s, c, predicted=pred)
    pd.testing.assert_frame_equal(by_threshold, by_predicted)
    binary = metrics.per_class_report(m, pred, c)  # 0/1 scores are the decisions
    pd.testing.assert_frame_equal(by_threshold.drop(columns="auc"), binary.drop(columns="auc"))


def test_generalization_gap_and_train_test_gap():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = (X[:, 0] > 0).astype(int)
    model = LogisticRegression().fit(X[:20], y[:20])
    g = metrics.generalization_gap(model, X[:20], y[:20], X[20:], y[20:])
    assert g.train_acc == model.score(X[:20], y[:20])
    assert g.test_acc == model.score(X[20:], y[20:])
    assert g.gap == pytest.approx(g.train_acc - g.test_acc)
    with pytest.raises(AttributeError):
        g.gap = 0.0  # frozen
    assert json.dumps(g.to_dict())
    assert metrics.train_test_gap(1.0, 0.75) == 0.25


# ----------------------------------------------------------------------------- evaluate


def _attack(n=200, seed=0):
    rng = np.random.default_rng(seed)
    m = np.r_[np.ones(n // 2, int), np.zeros(n // 2, int)]
    s = rng.normal(size=n) + 0.8 * m
    return m, s


def test_evaluate_matches_the_individual_functions():
    m, s = _attack()
    r = metrics.evaluate(m, s, threshold=0.4)
    pred = (s >= 0.4).astype(int)
    assert r.threshold == 0.4 and r.threshold_rule == "given"
    assert (r.n_members, r.n_non_members) == (100, 100)
    assert r.precision == metrics.precision(m, pred)
    assert r.recall == metrics.recall(m, pred)
    assert r.accuracy == metrics.accuracy(m, pred)
    assert r.balanced_accuracy == metrics.balanced_accuracy(m, pred)
    assert r.auc == metrics.auc(m, s)
    assert r.advantage == metrics.advantage(m, s)
    assert r.tpr_at_0_1pct_fpr == metrics.tpr_at_fpr(m, s, 0.001)
    assert r.tpr_at_1pct_fpr == metrics.tpr_at_fpr(m, s, 0.01)
    assert r.tpr_at_10pct_fpr == metrics.tpr_at_fpr(m, s, 0.1)
    assert r.per_class is None


def test_evaluate_default_threshold_maximises_accuracy_and_says_so():
    m, s = _attack()
    r = metrics.evaluate(m, s)
    assert r.threshold_rule == "max_accuracy"
    assert r.threshold == metrics.best_threshold(m, s)
    assert "optimistic" in repr(r)
    best = max(np.mean((s >= u) == m) for u in s)
    assert r.accuracy == pytest.approx(best)


def test_evaluate_with_predicted():
    m, s = _attack()
    pred = (s > 1).astype(int)
    r = metrics.evaluate(m, s, predicted=pred)
    assert r.threshold is None and r.threshold_rule == "predicted"
    assert r.precision == metrics.precision(m, pred)
    with pytest.raises(ValueError, match="either threshold or predicted"):
        metrics.evaluate(m, s, predicted=pred, threshold=0.5)


def test_evaluate_to_dict_is_strict_json_and_plain_python():
    m, s = _attack()
    classes = np.arange(m.size) % 3
    r = metrics.evaluate(m, s, classes=classes)
    d = r.to_dict()
    assert "per_class" not in d
    assert all(type(v) in (int, float, str, type(None)) for v in d.values())
    assert json.loads(json.dumps(d, allow_nan=False)) == d
    full = r.to_dict(include_per_class=True)
    assert set(full["per_class"]) == {"0", "1", "2"}
    json.dumps(full, allow_nan=False)
    # an infinite threshold (nobody called a member) becomes None, not Infinity
    r_inf = metrics.evaluate([0, 0, 0, 1], [4, 3, 2, 1])
    assert r_inf.threshold == np.inf and r_inf.to_dict()["threshold"] is None


def test_evaluate_per_class_nan_becomes_none():
    r = metrics.evaluate([1, 0, 1, 1], [0.9, 0.1, 0.8, 0.7], classes=[0, 0, 1, 1], threshold=0.5)
    assert math.isnan(r.per_class.loc[1, "auc"])
    assert r.to_dict(include_per_class=True)["per_class"]["1"]["auc"] is None


def test_report_repr_is_readable_and_frozen():
    m, s = _attack()
    r = metrics.evaluate(m, s, threshold=0.5, classes=np.arange(m.size) % 4)
    text = repr(r)
    lines = text.splitlines()
    assert lines[0] == "AttackReport: 100 members, 100 non-members"
    assert "score >= 0.500 (given threshold)" in lines[1]
    assert any(line.split()[:1] == ["AUC"] and line.endswith(f"{r.auc:.3f}") for line in lines)
    assert "TPR @ 1% FPR" in text and "4 classes" in text
    for line in lines[2:]:  # every metric printed with 3 decimals
        last = line.split()[-1]
        if last.replace(".", "").isdigit():
            assert len(last.split(".")[1]) == 3
    with pytest.raises(AttributeError):
        r.auc = 1.0
    assert r == metrics.evaluate(m, s, threshold=0.5)  # per_class is not compared


# ----------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("membership", "scores", "match"),
    [
        ([1, 0, 1], [0.1, 0.2], "different numbers of rows"),
        ([1, 0, 1], [0.1, np.nan, 0.3], "NaN"),
        ([1, 1, 1], [0.1, 0.2, 0.3], "no non-members"),
        ([0, 0, 0], [0.1, 0.2, 0.3], "no members"),
        ([1, 0, 2], [0.1, 0.2, 0.3], "only 0 .non-member. and 1 .member."),
        ([[1, 0]], [0.1, 0.2], "1-D"),
        ([1, 0], [[0.1, 0.2]], "1-D"),
    ],
)
@pytest.mark.parametrize(
    "fn", [metrics.roc_curve, metrics.auc, metrics.advantage, metrics.tpr_at_fpr,
           metrics.best_threshold, metrics.evaluate]
)  # fmt: skip
def test_bad_scores_input(fn, membership, scores, match):
    with pytest.raises(ValueError, match=match):
        fn(membership, scores)


@pytest.mark.parametrize(
    "fn", [metrics.precision, metrics.recall, metrics.accuracy, metrics.balanced_accuracy]
)
def test_bad_predicted_input(fn):
    with pytest.raises(ValueError, match="different numbers of rows"):
        fn([1, 0, 1], [1, 0])
    with pytest.raises(ValueError, match=r"only 0 \(non-member\) and 1 \(member\) decisions"):
        fn([1, 0, 1], [0.7, 0.2, 0.9])
    with pytest.raises(ValueError, match="no non-members"):
        fn([1, 1], [1, 0])
    with pytest.raises(TypeError, match="numeric"):
        fn([1, 0], ["yes", "no"])


def test_other_errors():
    m, s = [1, 0, 1, 0], [0.9, 0.1, 0.8, 0.3]
    with pytest.raises(ValueError, match=r"fpr must lie in \[0, 1\]"):
        metrics.tpr_at_fpr(m, s, fpr=1.5)
    with pytest.raises(ValueError, match=r"fpr must lie in \[0, 1\]"):
        metrics.tpr_at_fpr(m, s, fpr=[0.01, -0.1])
    with pytest.raises(ValueError, match="fpr is empty"):
        metrics.tpr_at_fpr(m, s, fpr=[])
    with pytest.raises(ValueError, match="criterion must be"):
        metrics.best_threshold(m, s, criterion="f1")
    with pytest.raises(ValueError, match="different numbers of rows"):
        metrics.per_class_report(m, s, classes=[0, 1])
    with pytest.raises(ValueError, match="threshold is NaN"):
        metrics.evaluate(m, s, threshold=float("nan"))
    with pytest.raises(ValueError, match=r"accuracy in \[0, 1\]"):
        metrics.train_test_gap(98.0, 71.0)
    with pytest.raises(TypeError, match="predict"):
        metrics.generalization_gap(object(), [[0]], [0], [[1]], [1])
    with pytest.raises(ValueError, match="different numbers of rows"):
        metrics.generalization_gap(LogisticRegression(), [[0], [1]], [0], [[1]], [1])


@pytest.mark.parametrize(
    "classes, match",
    [
        ([0.0, np.nan, 0.0, np.nan], "NaN"),
        (None, "classes is None"),
        (np.array([0, "a", 1, "b"], dtype=object), "mixes strings and numbers"),
        (np.array([None, 1, 0, 1], dtype=object), "contains None"),
        ([[0, 1], [1, 0]], "1-D"),
        ([0, 1, 0], "different numbers of rows"),
    ],
)
def test_bad_classes_get_clear_errors(classes, match):
    # before: ZeroDivisionError (NaN classes) and TypeError '<' not supported (None, mixed)
    with pytest.raises(ValueError, match=match):
        metrics.per_class_report([1, 0, 1, 0], [0.9, 0.2, 0.8, 0.1], classes, threshold=0.5)
    if classes is not None:
        with pytest.raises(ValueError, match=match):
            metrics.evaluate([1, 0, 1, 0], [0.9, 0.2, 0.8, 0.1], classes=classes)


def test_report_has_the_fpr_of_its_decisions():
    r = metrics.evaluate([1, 1, 0, 0, 0, 0], [0.9, 0.8, 0.7, 0.2, 0.1, 0.0], threshold=0.5)
    assert r.fpr == 0.25 and r.to_dict()["fpr"] == 0.25
