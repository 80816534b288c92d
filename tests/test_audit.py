"""mia_lib.audit, mia_lib.audit_report, mia_lib.audit_cli and ``python -m mia_lib audit``.

The report's numbers are checked against mia_lib.scoring, scikit-learn, scipy and brute
force on the same scores; the three kinds of model audit; every bad input is refused with a
message naming the problem (in Python: ValueError/TypeError; on the command line: exit 2 and
one ``error: ...`` line); the HTML page is self-contained and opens in headless Chromium
(skipped without Chromium or Playwright, as tests/browser_check.py does).

Models are tiny (scikit-learn's digits).
"""

from __future__ import annotations

import html
import importlib.util
import json
import math
import os
import pickle
import re
import subprocess
import sys
import tempfile
from fractions import Fraction
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
import torch
from scipy import stats
from sklearn.datasets import load_digits
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from mia_lib import scoring
from mia_lib.__main__ import main
from mia_lib.audit import ATTACKS, DEFAULT_FPRS, AttackAudit, AuditReport, RateAtFPR, audit
from mia_lib.audit_cli import InputError, load_model, load_records
from mia_lib.audit_report import render_html, roc_figure, write_report
from mia_lib.models import TorchMLPClassifier
from mia_lib.signals import EPS

sys.path.insert(0, str(Path(__file__).resolve().parent))
import browser_check  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [
    pytest.mark.usefixtures("one_thread"),
    # torch deprecates TorchScript (torch.jit.script/trace/load), which the CLI reads
    pytest.mark.filterwarnings(r"ignore:`torch\.jit\.\w+` is deprecated:DeprecationWarning"),
]

# rates that 600 non-members support: 60, 30, 6, 3 and 1 false positives allowed
FPRS = (0.1, 0.05, 0.01, 0.005, 0.002)
N_M, N_N = 600, 600


# -- fixtures ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def data():
    """Digits: 600 members, 600 non-members, 597 population records (the rest)."""
    X, y = load_digits(return_X_y=True)
    return {
        "members": (X[:N_M], y[:N_M]),
        "non_members": (X[N_M : N_M + N_N], y[N_M : N_M + N_N]),
        "population": (X[N_M + N_N :], y[N_M + N_N :]),
    }


@pytest.fixture(scope="module")
def rf(data):
    return RandomForestClassifier(n_estimators=20, random_state=0).fit(*data["members"])


@pytest.fixture(scope="module")
def dt(data):
    return DecisionTreeClassifier(random_state=0).fit(*data["members"])


def _audit(model, data, **kw):
    return audit(model, *data["members"], *data["non_members"], **kw)


@pytest.fixture(scope="module")
def rf_report(rf, data):
    """All three attacks (Shokri on 2 shadow models), five FPRs."""
    return _audit(rf, data, population=data["population"], n_shadows=2, fprs=FPRS, random_state=0)


@pytest.fixture(scope="module")
def dt_report(dt, data):
    """A deep tree: loss and modified entropy, many tied scores, default FPRs."""
    return _audit(dt, data, random_state=0)


@pytest.fixture(params=["rf", "dt"])
def report(request, rf_report, dt_report):
    return {"rf": rf_report, "dt": dt_report}[request.param]


def _membership(report):
    return np.r_[np.ones(report.n_members, dtype=int), np.zeros(report.n_non_members, dtype=int)]


# -- 1. the numbers ------------------------------------------------------------------------
def test_report_shape_and_types(rf_report, dt_report):
    assert isinstance(rf_report, AuditReport)
    assert [a.name for a in rf_report.attacks] == list(ATTACKS) and rf_report.skipped == {}
    assert [a.name for a in dt_report.attacks] == ["loss", "modified_entropy"]
    assert dt_report.skipped == {"shokri": "needs population records to train shadow models on"}
    for a in rf_report.attacks:
        assert isinstance(a, AttackAudit) and all(isinstance(r, RateAtFPR) for r in a.rates)
        assert [r.fpr for r in a.rates] == list(FPRS)
        assert a.scores.shape == (N_M + N_N,)
    assert (rf_report.n_members, rf_report.n_non_members, rf_report.n_classes) == (600, 600, 10)
    assert [r.fpr for r in dt_report.attacks[0].rates] == [0.01]  # 600 cannot support 0.1%
    with pytest.raises(KeyError, match="no attack 'lira'"):
        rf_report.attack("lira")


def test_auc_equals_scoring_and_sklearn_on_the_same_scores(report):
    m = _membership(report)
    for a in report.attacks:
        assert a.auc == scoring.auc(m, a.scores)
        assert a.auc == pytest.approx(roc_auc_score(m, a.scores), abs=1e-12)


def _brute_force_tpr(m, s, k):
    """The best TPR of "member iff score >= t" with at most k false positives."""
    best = 0
    for t in np.unique(s):
        if np.sum(s[m == 0] >= t) <= k:
            best = max(best, int(np.sum(s[m == 1] >= t)))
    return best / int(m.sum())


def test_tpr_at_each_fpr_equals_scoring_and_brute_force(report):
    m = _membership(report)
    for a in report.attacks:
        for r in a.rates:
            assert r.tpr == scoring.tpr_at_fpr(m, a.scores, r.fpr), (a.name, r.fpr)
            assert r.tpr == pytest.approx(_brute_force_tpr(m, a.scores, r.n_false_positives))


def test_n_false_positives_is_the_floor_of_fpr_times_non_members(report):
    for a in report.attacks:
        for r in a.rates:
            exact = math.floor(Fraction(str(r.fpr)) * report.n_non_members)
            assert r.n_false_positives == exact, (a.name, r.fpr)
    assert [r.n_false_positives for r in report.attacks[0].rates] in ([60, 30, 6, 3, 1], [6])


def test_tpr_interval_is_the_clopper_pearson_interval(rf_report):
    for a in rf_report.attacks:
        for r in a.rates:
            k = round(r.tpr * rf_report.n_members)
            ci = stats.binomtest(k, rf_report.n_members).proportion_ci(0.95, method="exact")
            assert (r.tpr_low, r.tpr_high) == pytest.approx((ci.low, ci.high), abs=1e-9)


def test_every_interval_contains_its_point_estimate(report):
    for a in report.attacks:
        assert 0 <= a.auc_low <= a.auc <= a.auc_high <= 1, a.name
        assert a.auc_high - a.auc_low < 0.2, a.name
        for r in a.rates:
            assert 0 <= r.tpr_low <= r.tpr <= r.tpr_high <= 1, (a.name, r)
        assert a.epsilon.confidence == report.confidence and a.epsilon.epsilon_low >= 0


def test_loss_scores_are_the_log_probability_of_the_true_label(rf_report, rf, data):
    X = np.r_[data["members"][0], data["non_members"][0]]
    y = np.r_[data["members"][1], data["non_members"][1]]
    P = rf.predict_proba(X)
    want = np.log(np.clip(P[np.arange(len(y)), y], EPS, 1.0))
    np.testing.assert_allclose(rf_report.attack("loss").scores, want, rtol=0, atol=1e-12)


def test_strongest_is_the_attack_of_highest_auc(report):
    best = max(report.attacks, key=lambda a: a.auc)
    assert report.strongest == best.name
    assert all(a.auc <= best.auc for a in report.attacks)


def test_at_risk_are_the_members_with_the_highest_scores_in_order(report):
    s = report.attack(report.strongest).scores[: report.n_members]
    i = report.at_risk
    assert len(i) == 20 and len(set(i.tolist())) == 20 and i.max() < report.n_members
    assert np.all(np.diff(s[i]) <= 0)  # highest first
    rest = np.setdiff1d(np.arange(report.n_members), i)
    assert s[i].min() >= s[rest].max()


def test_n_at_risk_is_honoured_and_capped_at_the_members(dt, data):
    r = _audit(dt, data, attacks="loss", n_at_risk=3, random_state=0)
    assert len(r.at_risk) == 3
    r = _audit(dt, data, attacks="loss", n_at_risk=10_000, random_state=0)
    assert sorted(r.at_risk.tolist()) == list(range(N_M))


def test_per_class_sums_to_the_totals(report, data):
    pc = report.per_class
    assert list(pc.index) == list(range(10))
    assert pc["n"].sum() == report.n_members + report.n_non_members
    assert pc["n_members"].sum() == report.n_members
    assert pc["n_non_members"].sum() == report.n_non_members
    assert (pc["n"] == pc["n_members"] + pc["n_non_members"]).all()
    assert pc["n_members"].tolist() == np.bincount(data["members"][1], minlength=10).tolist()
    # each class's AUC is the AUC of the strongest attack's scores within the class
    m, s = _membership(report), report.attack(report.strongest).scores
    y = np.r_[data["members"][1], data["non_members"][1]]
    for c in (0, 5, 9):
        assert pc.loc[c, "auc"] == pytest.approx(scoring.auc(m[y == c], s[y == c]))


def test_accuracies_are_the_models(rf_report, rf, data):
    assert rf_report.train_accuracy == rf.score(*data["members"])
    assert rf_report.test_accuracy == pytest.approx(rf.score(*data["non_members"]))


def test_the_same_random_state_gives_the_same_report(rf, data):
    kw = dict(population=data["population"], n_shadows=2, fprs=(0.01,))
    a = _audit(rf, data, random_state=7, **kw)
    b = _audit(rf, data, random_state=7, **kw)
    assert a.to_dict() == b.to_dict()
    for x, y in zip(a.attacks, b.attacks, strict=True):
        np.testing.assert_array_equal(x.scores, y.scores)
    c = _audit(rf, data, random_state=8, attacks=("loss",), fprs=(0.01,))
    assert c.attack("loss").auc == a.attack("loss").auc  # no randomness in a threshold AUC
    assert (c.attack("loss").auc_low, c.attack("loss").auc_high) != (
        a.attack("loss").auc_low,
        a.attack("loss").auc_high,
    )  # another bootstrap


def test_confidence_sets_the_width_of_every_interval(dt, data):
    kw = dict(attacks="loss", fprs=(0.1,), random_state=0)
    narrow = _audit(dt, data, confidence=0.8, **kw).attack("loss")
    wide = _audit(dt, data, confidence=0.99, **kw).attack("loss")
    assert wide.auc_high - wide.auc_low > narrow.auc_high - narrow.auc_low
    r80, r99 = narrow.rates[0], wide.rates[0]
    assert r99.tpr_high - r99.tpr_low > r80.tpr_high - r80.tpr_low
    assert narrow.epsilon.confidence == 0.8 and wide.epsilon.confidence == 0.99


def test_a_memorising_model_audits_well_above_one_that_cannot_tell(dt_report, rf):
    X, y = load_digits(return_X_y=True)
    unseen = N_M + np.random.default_rng(0).permutation(len(y) - N_M)  # never trained on
    blind = audit(
        rf, X[unseen[:500]], y[unseen[:500]], X[unseen[500:1000]], y[unseen[500:1000]],
        attacks="loss", random_state=0,
    ).attack("loss")  # fmt: skip
    assert abs(blind.auc - 0.5) < 0.06 and blind.auc_low <= 0.5 <= blind.auc_high, blind
    memorised = dt_report.attack("loss")  # a deep tree: 100% train accuracy
    assert dt_report.train_accuracy == 1.0
    assert memorised.auc > 0.6 and memorised.auc_low > blind.auc_high


def test_to_dict_is_strict_json_with_the_reports_numbers(rf_report, dt_report):
    for report in (rf_report, dt_report):
        d = json.loads(json.dumps(report.to_dict(), allow_nan=False))
        assert d["strongest"] == report.strongest and d["at_risk"] == report.at_risk.tolist()
        for a, ad in zip(report.attacks, d["attacks"], strict=True):
            assert ad["auc"] == a.auc and ad["auc_interval"] == [a.auc_low, a.auc_high]
            assert [r["tpr"] for r in ad["rates"]] == [r.tpr for r in a.rates]
            assert [r["n_false_positives"] for r in ad["rates"]] == [
                r.n_false_positives for r in a.rates
            ]
            assert ad["epsilon"]["epsilon_low"] == a.epsilon.epsilon_low
        assert set(d["per_class"]) == {str(c) for c in range(10)}
        assert sum(row["n_members"] for row in d["per_class"].values()) == report.n_members


def test_to_dict_turns_nan_into_null(dt, data):
    # class 0 only among the members: its per-class AUC is NaN
    Xn, yn = data["non_members"]
    keep = yn != 0
    r = audit(dt, *data["members"], Xn[keep], yn[keep], attacks="loss", random_state=0)
    assert math.isnan(r.per_class.loc[0, "auc"])
    d = json.loads(json.dumps(r.to_dict(), allow_nan=False))
    assert d["per_class"]["0"]["auc"] is None


def test_summary_states_the_strongest_attacks_numbers(rf_report):
    a = rf_report.attack(rf_report.strongest)
    text = rf_report.summary()
    assert f"The strongest attack, {a.name}," in text and f"AUC of {a.auc:.3f}" in text
    assert f"wrongly accuse {a.rates[0].n_false_positives} of the non-members" in text
    assert "600 training records" in text and "Not run" not in text


@pytest.mark.parametrize(
    "n_non, want", [(100, (0.01,)), (999, (0.01,)), (1000, (0.01, 0.001))], ids=str
)
def test_default_fprs_are_those_the_non_members_support(n_non, want, dt):
    X, y = load_digits(return_X_y=True)
    r = audit(dt, X[:200], y[:200], X[600 : 600 + n_non], y[600 : 600 + n_non], attacks="loss")
    assert tuple(x.fpr for x in r.attack("loss").rates) == want
    assert set(want) <= set(DEFAULT_FPRS)


# -- 2. the three kinds of model -----------------------------------------------------------
def test_a_scikit_learn_pipeline_audits_with_all_three_attacks(data):
    Xm, ym = data["members"]
    pipe = make_pipeline(StandardScaler(), LogisticRegression(C=100, max_iter=300)).fit(Xm, ym)
    r = _audit(pipe, data, population=data["population"], n_shadows=2, random_state=0)
    assert [a.name for a in r.attacks] == list(ATTACKS) and r.skipped == {}
    assert r.train_accuracy == pipe.score(Xm, ym)
    assert 0.55 < r.attack("loss").auc < 1


def test_a_torch_estimator_of_the_library_audits(data):
    Xm, ym = data["members"]
    net = TorchMLPClassifier(hidden_layer_sizes=(16,), epochs=10, random_state=0)
    net.fit((Xm / 16).astype(np.float32), ym)
    scaled = {k: (X / 16, y) for k, (X, y) in data.items()}
    r = _audit(net, scaled, population=scaled["population"], n_shadows=2, random_state=0)
    assert [a.name for a in r.attacks] == list(ATTACKS)
    P = net.predict_proba((Xm / 16).astype(np.float32))
    assert r.train_accuracy == pytest.approx(np.mean(P.argmax(1) == ym))
    assert r.attack("loss").auc > 0.5


def test_a_function_skips_shokri_with_a_reason(rf, rf_report, data):
    r = _audit(rf.predict_proba, data, population=data["population"], fprs=FPRS, random_state=0)
    assert [a.name for a in r.attacks] == ["loss", "modified_entropy"]
    assert r.skipped == {"shokri": "the model cannot be retrained; pass shadow_model"}
    assert "Not run: shokri" in r.summary()
    # the same probabilities as the fitted model: the same threshold attacks
    assert r.attack("loss").auc == rf_report.attack("loss").auc
    np.testing.assert_array_equal(r.attack("loss").scores, rf_report.attack("loss").scores)
    with pytest.raises(ValueError, match="no attack could run.*pass shadow_model"):
        _audit(rf.predict_proba, data, population=data["population"], attacks="shokri")


def test_a_function_with_a_shadow_model_runs_shokri(rf, data):
    r = _audit(
        lambda X: rf.predict_proba(X),
        data,
        population=data["population"],
        shadow_model=RandomForestClassifier(n_estimators=10, random_state=0),
        n_shadows=2,
        random_state=0,
    )
    assert [a.name for a in r.attacks] == list(ATTACKS) and r.skipped == {}
    assert r.attack("shokri").auc > 0.6


# -- 3. bad inputs -------------------------------------------------------------------------
def _logits(model):
    return lambda X: 3 * np.log(model.predict_proba(X) + 1e-3)


def _with_nan(model):
    def f(X):
        P = model.predict_proba(X).copy()
        P[5, 0] = np.nan
        return P

    return f


def _negative(model):
    def f(X):  # rows still sum to 1
        P = model.predict_proba(X).copy()
        P[:, 0] -= 0.2
        P[:, 1] += 0.2
        return P

    return f


# fmt: off
BAD = {
    # name: (how to change the arguments, exception, what the message says)
    "feature shapes disagree": (
        lambda a: a.update(Xn=a["Xn"][:, :32]), ValueError, r"disagree in shape: \(64,\) against \(32,\)"),
    "member X and y lengths": (
        lambda a: a.update(ym=a["ym"][:-1]), ValueError, "members have 600 records but 599 labels"),
    "non-member X and y lengths": (
        lambda a: a.update(yn=a["yn"][:10]), ValueError, "non-members have 600 records but 10 labels"),
    "overlap": (
        lambda a: a.update(Xn=np.r_[a["Xn"][:-3], a["Xm"][:3]], yn=np.r_[a["yn"][:-3], a["ym"][:3]]),
        ValueError, "3 non-members also appear among the members"),
    "labels the model lacks": (
        lambda a: a.update(model=DecisionTreeClassifier().fit(a["Xm"][a["ym"] < 5], a["ym"][a["ym"] < 5]),
                           Xm=a["Xm"][a["ym"] < 5], ym=a["ym"][a["ym"] < 5]),
        ValueError, r"the non-members have labels \[5, 6, 7, 8, 9\] of classes unseen by the model"),
    "function with too few columns": (
        lambda a: a.update(model=lambda X: np.full((len(X), 5), 0.2)), ValueError, "classes unseen by the model"),
    "negative labels": (lambda a: a.update(ym=a["ym"] - 1), ValueError, "y_members has labels outside"),
    "text labels": (lambda a: a.update(yn=a["yn"].astype(str)), TypeError, "y_nonmembers must be numeric"),
    "NaN features": (
        lambda a: a.update(Xm=np.where(np.arange(64) == 3, np.nan, a["Xm"])), ValueError, "X_members contains 600 NaN"),
    "logits": (lambda a: a.update(model=_logits(a["model"])), ValueError, "not probabilities.*not logits"),
    "NaN outputs": (lambda a: a.update(model=_with_nan(a["model"])), ValueError, "not probabilities: 1 rows .*row 5 sums to nan"),
    "negative outputs": (lambda a: a.update(model=_negative(a["model"])), ValueError, "not probabilities.*negative"),
    "1-D outputs": (
        lambda a: a.update(model=lambda X: np.ones(len(X))), ValueError, r"array of shape \(600,\) for 600 members"),
    "not a model": (lambda a: a.update(model="model.pkl"), TypeError, "model must be a fitted classifier"),
    "unfitted model": (lambda a: a.update(model=DecisionTreeClassifier()), ValueError, "not fitted"),
    "too few members": (lambda a: a.update(Xm=a["Xm"][:3], ym=a["ym"][:3]), ValueError, "at least 4 members"),
    "too few non-members for the FPR": (
        lambda a: a.update(fprs=[0.01, 0.001]), ValueError, "0.1% FPR needs at least 1,000 non-members.*there are 600"),
    "too few non-members for any default FPR": (
        lambda a: a.update(Xn=a["Xn"][:99], yn=a["yn"][:99]), ValueError, "99 non-members are too few"),
    "FPR of 0": (lambda a: a.update(fprs=[0.0]), ValueError, r"each of fprs must be a rate in \(0, 1\)"),
    "FPR as a percentage": (lambda a: a.update(fprs=1), ValueError, r"each of fprs must be a rate in \(0, 1\)"),
    "unknown attack": (lambda a: a.update(attacks="lira"), ValueError, "attacks must be some of"),
    "unknown among known": (lambda a: a.update(attacks=["loss", "LOSS"]), ValueError, "attacks must be some of"),
    "no attack": (lambda a: a.update(attacks=[]), ValueError, "attacks must be some of"),
    "confidence 1": (lambda a: a.update(confidence=1), ValueError, r"confidence must be a number in \(0, 1\)"),
    "confidence 95": (lambda a: a.update(confidence=95), ValueError, r"confidence must be a number in \(0, 1\)"),
    "confidence NaN": (lambda a: a.update(confidence=float("nan")), ValueError, r"confidence must be a number in \(0, 1\)"),
    "n_at_risk 0": (lambda a: a.update(n_at_risk=0), ValueError, "n_at_risk"),
    "n_shadows 0": (lambda a: a.update(n_shadows=0), ValueError, "n_shadows"),
    "population with other features": (
        lambda a: a.update(population=(a["Xp"][:, :10], a["yp"])), ValueError,
        r"population must be \(X, y\) with records of shape \(64,\); got X of shape \(597, 10\)"),
    "population X and y lengths": (
        lambda a: a.update(population=(a["Xp"], a["yp"][1:])), ValueError, "got X of shape .* and 596 labels"),
    "population 1-D": (lambda a: a.update(population=(a["Xp"][:, 0], a["yp"])), ValueError, "population X must be at least 2-D"),
    "population labels": (lambda a: a.update(population=(a["Xp"], a["yp"].astype(str))), TypeError, "population y must be numeric"),
}
# fmt: on


def _args(model, data):
    (Xm, ym), (Xn, yn), (Xp, yp) = data["members"], data["non_members"], data["population"]
    return dict(model=model, Xm=Xm, ym=ym, Xn=Xn, yn=yn, Xp=Xp, yp=yp)


def _call(a):
    kw = {k: v for k, v in a.items() if k not in ("model", "Xm", "ym", "Xn", "yn", "Xp", "yp")}
    return audit(a["model"], a["Xm"], a["ym"], a["Xn"], a["yn"], random_state=0, **kw)


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_bad_inputs_are_refused_with_a_message_naming_the_problem(case, rf, data):
    change, exc, match = BAD[case]
    a = _args(rf, data)
    change(a)
    with pytest.raises(exc, match=match):
        _call(a)


@pytest.mark.parametrize(
    "option, value",
    [("confidence", None), ("confidence", "high"), ("fprs", ["1%"]), ("attacks", None),
     ("population", "X without y")],
    ids=["confidence None", "confidence text", "fprs text", "attacks None", "population X"],
)  # fmt: skip
def test_bad_option_values_name_the_option(option, value, rf, data):
    if value == "X without y":
        value = data["population"][0]
    with pytest.raises((TypeError, ValueError), match=option):
        _audit(rf, data, **{option: value})


def test_an_empty_list_of_fprs_is_refused(dt, data):
    with pytest.raises(ValueError, match="fprs"):
        r = _audit(dt, data, fprs=[], attacks="loss")
        r.summary()


def test_labels_of_a_class_missing_inside_the_models_classes_are_refused(data):
    (Xm, ym), (Xn, yn) = data["members"], data["non_members"]
    model = DecisionTreeClassifier(random_state=0).fit(Xm[ym != 3], ym[ym != 3])
    assert 3 not in model.classes_ and (yn == 3).any()
    with pytest.raises(ValueError, match="class"):
        audit(model, Xm[ym != 3], ym[ym != 3], Xn, yn, attacks="loss")


# -- 4. the command line -------------------------------------------------------------------
def _save_records(path: Path, X, y):
    if path.suffix == ".npz":
        np.savez(path, X=X, y=y)
    else:
        frame = pd.DataFrame(X, columns=[f"pixel{i}" for i in range(X.shape[1])])
        frame.insert(3, "y", y)  # the label column need not be last when it is named y
        frame.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory, rf, data):
    """The model (joblib) and the records as .npz and .csv in a temporary folder."""
    d = tmp_path_factory.mktemp("audit_files")
    joblib.dump(rf, d / "model.joblib")
    out = {"dir": d, "model": d / "model.joblib"}
    for name in ("members", "non_members", "population"):
        for suffix in (".npz", ".csv"):
            out[name + suffix] = _save_records(d / f"{name}{suffix}", *data[name])
    return out


def _argv(files, out, fmt=".npz", **change):
    args = {
        "--model": files["model"],
        "--members": files["members" + fmt],
        "--non-members": files["non_members" + fmt],
        "--out": out,
    }
    args.update(change)
    argv = ["audit", "--no-progress"]
    for k, v in args.items():
        argv += [k, str(v)]
    return argv


def _cli(argv, capsys):
    try:
        rc = main(argv)
    except SystemExit as exc:
        rc = exc.code
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.mark.parametrize("fmt", [".npz", ".csv"])
def test_the_command_line_writes_the_apis_report(fmt, files, rf, data, tmp_path, capsys):
    """Done when: a saved scikit-learn model and saved records audit through the command
    line (exit 0) into report.html and report.json whose numbers are the API's."""
    argv = _argv(files, tmp_path / "out", fmt, **{"--population": files["population" + fmt]})
    rc, out, err = _cli([*argv, "--n-shadows", "2", "--seed", "3"], capsys)
    assert rc == 0, err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["report.html", "report.json"]
    stored = json.loads((tmp_path / "out" / "report.json").read_text())
    api = _audit(rf, data, population=data["population"], n_shadows=2, random_state=3)
    assert stored == json.loads(json.dumps(api.to_dict(), allow_nan=False))
    assert [a["name"] for a in stored["attacks"]] == list(ATTACKS)
    assert api.summary() in out and "wrote" in out
    assert "<svg" in (tmp_path / "out" / "report.html").read_text()


def test_python_m_mia_lib_audit_in_a_subprocess(tmp_path, data):
    """The real entry point, relative paths from another working directory."""
    model = LogisticRegression(max_iter=200).fit(*data["members"])
    joblib.dump(model, tmp_path / "model.pkl")
    _save_records(tmp_path / "in.csv", *data["members"])
    _save_records(tmp_path / "out.npz", *data["non_members"])
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, "-m", "mia_lib", "audit", "--model", "model.pkl", "--members"]
    cmd += ["in.csv", "--non-members", "out.npz", "--out", "rep", "--seed", "5", "--no-progress"]
    done = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    stored = json.loads((tmp_path / "rep" / "report.json").read_text())
    # the same inputs as read from the files: a CSV gives a Fortran-ordered X, on which
    # LogisticRegression's probabilities can differ from C-ordered X in the last bit
    Xm, ym = load_records(tmp_path / "in.csv")
    assert np.array_equal(Xm, data["members"][0]) and np.array_equal(ym, data["members"][1])
    api = audit(model, Xm, ym, *load_records(tmp_path / "out.npz"), random_state=5)
    assert stored == json.loads(json.dumps(api.to_dict(), allow_nan=False))
    assert (tmp_path / "rep" / "report.html").is_file()
    assert "rep/report.html" in done.stdout


def _only_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if "error:" in line]
    assert len(lines) == 1, err
    return lines[0]


# fmt: off
CLI_BAD = {
    # name: (how to change the arguments (files, tmp) -> dict, what the error line says)
    "missing model": (lambda f, t: {"--model": t / "nope.joblib"}, "the model file .*nope.joblib does not exist"),
    "missing members": (lambda f, t: {"--members": t / "nope.npz"}, "the members file .*nope.npz does not exist"),
    "unknown model suffix": (
        lambda f, t: {"--model": _touch(t / "model.onnx")}, "unknown model file type '.onnx'"),
    "unknown records suffix": (
        lambda f, t: {"--non-members": _touch(t / "x.parquet")}, "unknown non-members file type '.parquet'"),
    "pickle of a dict": (
        lambda f, t: {"--model": _pickle(t / "m.pkl", {"coef": [1, 2]})}, "m.pkl is a dict, which has no predict_proba"),
    "pickle of an unfitted classifier": (
        lambda f, t: {"--model": _pickle(t / "m.pickle", DecisionTreeClassifier())}, "not fitted"),
    "corrupt joblib": (
        lambda f, t: {"--model": _write(t / "m.joblib", b"\x00garbage")}, "could not load the model m.joblib"),
    "not TorchScript": (
        lambda f, t: {"--model": _torch_save(t / "w.pt")}, "could not load the TorchScript module w.pt"),
    "npz without y": (
        lambda f, t: {"--members": _npz(t / "m.npz", X=np.eye(4))}, r"must hold arrays named X and y; it has \['X'\]"),
    "npz with other names": (
        lambda f, t: {"--members": _npz(t / "m.npz", data=np.eye(4), labels=np.arange(4))}, "must hold arrays named X and y"),
    "csv with a text column": (
        lambda f, t: {"--members": _write(t / "m.csv", b"a,colour,y\n1,red,0\n2,blue,1\n")}, r"feature columns \['colour'\] are not numeric"),
    "csv with text labels": (
        lambda f, t: {"--members": _write(t / "m.csv", b"a,b,y\n1,2,cat\n2,3,dog\n")}, "labels y must be integers"),
    "csv with fractional labels": (
        lambda f, t: {"--members": _write(t / "m.csv", b"a,b,y\n1,2,1\n1,2,2.5\n")}, "labels y must be one integer class"),
    "csv with one column": (
        lambda f, t: {"--members": _write(t / "m.csv", b"y\n1\n2\n")}, "needs a label column and at least one feature"),
    "overlap": (
        lambda f, t: {"--non-members": f["members.npz"]}, "600 non-members also appear among the members"),
    "too few non-members for --fprs": (lambda f, t: {"--fprs": "0.0001"}, "needs at least 10,000 non-members"),
    "shokri without population": (lambda f, t: {"--attacks": "shokri"}, "no attack could run"),
}
# fmt: on


def _touch(p):
    p.write_bytes(b"x")
    return p


def _write(p, content: bytes):
    p.write_bytes(content)
    return p


def _pickle(p, obj):
    with open(p, "wb") as fh:
        pickle.dump(obj, fh)
    return p


def _npz(p, **arrays):
    np.savez(p, **arrays)
    return p


def _torch_save(p):
    torch.save({"weight": torch.zeros(2)}, p)  # a state dict, not a TorchScript module
    return p


@pytest.mark.parametrize("case", list(CLI_BAD), ids=list(CLI_BAD))
def test_bad_command_line_inputs_exit_2_with_one_error_line(case, files, tmp_path, capsys):
    change, match = CLI_BAD[case]
    rc, out, err = _cli(_argv(files, tmp_path / "out", **change(files, tmp_path)), capsys)
    assert rc == 2, err
    assert err.count("\n") == 1 and err.startswith("error: "), err
    assert re.search(match, err), err
    assert out == "" and not (tmp_path / "out").exists()  # nothing written


@pytest.mark.parametrize(
    "option, value, match",
    [
        ("--attacks", "loss,lira", "argument --attacks: choose among loss, modified_entropy, shokri"),
        ("--attacks", ",", "argument --attacks: choose among"),
        ("--fprs", "abc", "argument --fprs: expected rates such as 0.01,0.001"),
        ("--fprs", "1", r"argument --fprs: each rate must be in \(0, 1\)"),
        ("--fprs", "0.01,0", r"argument --fprs: each rate must be in \(0, 1\)"),
        ("--outputs", "softmax", "argument --outputs: invalid choice"),
    ],
)  # fmt: skip
def test_bad_options_are_usage_errors(option, value, match, files, tmp_path, capsys):
    rc, out, err = _cli([*_argv(files, tmp_path / "out"), option, value], capsys)
    assert rc == 2 and out == ""
    line = _only_error_line(err)
    assert line == err.splitlines()[-1] and re.search(match, line), err
    assert not (tmp_path / "out").exists()


def test_load_records_reads_the_label_column(tmp_path):
    (tmp_path / "a.csv").write_text("f1,y,f2\n1,2,3\n4,0,6\n")
    (tmp_path / "b.csv").write_text("f1,f2,label\n1,3,2.0\n4,6,0\n")
    for name in ("a.csv", "b.csv"):
        X, y = load_records(tmp_path / name)
        assert X.tolist() == [[1.0, 3.0], [4.0, 6.0]] and y.tolist() == [2, 0]
        assert X.dtype == np.float64 and y.dtype == np.int64
    with pytest.raises(InputError, match="does not exist"):
        load_records(tmp_path / "c.csv")
    with pytest.raises(InputError, match="outputs must be 'logits' or 'probabilities'"):
        load_model(_pickle(tmp_path / "m.pkl", DecisionTreeClassifier()), outputs="softmax")


@pytest.fixture(scope="module")
def torch_net(data):
    """A tiny torch network trained on the members, as logits."""
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(64, 16), torch.nn.ReLU(), torch.nn.Linear(16, 10))
    X = torch.tensor(data["members"][0] / 16, dtype=torch.float32)
    y = torch.tensor(data["members"][1])
    opt = torch.optim.Adam(net.parameters(), lr=1e-2)
    for _ in range(60):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(net(X), y).backward()
        opt.step()
    return net.eval()


@pytest.fixture(scope="module")
def scaled_files(tmp_path_factory, data):
    d = tmp_path_factory.mktemp("scaled")
    return {
        name: _save_records(d / f"{name}.npz", data[name][0] / 16, data[name][1])
        for name in ("members", "non_members")
    }


def _torch_argv(model, files, out, outputs):
    return ["audit", "--no-progress", "--model", str(model), "--members", str(files["members"])] + [
        "--non-members", str(files["non_members"]), "--out", str(out), "--outputs", outputs
    ]  # fmt: skip


@pytest.mark.parametrize(
    "kind, outputs, suffix",
    [("script", "logits", ".pt"), ("trace", "probabilities", ".pth")],
)
def test_a_torchscript_model_audits_through_the_command_line(
    kind, outputs, suffix, torch_net, scaled_files, data, tmp_path, capsys
):
    module = torch_net if outputs == "logits" else torch.nn.Sequential(
        torch_net, torch.nn.Softmax(dim=1)
    )  # fmt: skip
    example = torch.zeros(2, 64)
    jit = torch.jit.script(module) if kind == "script" else torch.jit.trace(module, example)
    jit.save(str(tmp_path / f"net{suffix}"))
    argv = _torch_argv(tmp_path / f"net{suffix}", scaled_files, tmp_path / "out", outputs)
    rc, out, err = _cli(argv, capsys)
    assert rc == 0, err
    stored = json.loads((tmp_path / "out" / "report.json").read_text())

    def probabilities(X):
        with torch.no_grad():
            return torch.softmax(torch_net(torch.as_tensor(X, dtype=torch.float32)), 1).double()

    scaled = {k: (X / 16, y) for k, (X, y) in data.items()}
    api = _audit(lambda X: probabilities(X).numpy(), scaled, random_state=0)
    assert stored["skipped"] == {"shokri": "needs population records to train shadow models on"}
    assert stored["train_accuracy"] == api.train_accuracy
    for a, want in zip(stored["attacks"], api.attacks, strict=True):
        assert a["auc"] == pytest.approx(want.auc, abs=1e-3)
    assert stored["attacks"][0]["auc"] > 0.5


def test_a_torchscript_module_of_logits_is_not_taken_for_probabilities(
    torch_net, scaled_files, tmp_path, capsys
):
    torch.jit.script(torch_net).save(str(tmp_path / "net.pt"))
    argv = _torch_argv(tmp_path / "net.pt", scaled_files, tmp_path / "out", "probabilities")
    rc, out, err = _cli(argv, capsys)
    assert rc == 2 and err.startswith("error: the model's outputs are not probabilities"), err
    assert err.count("\n") == 1


def test_an_empty_npz_file_is_an_input_error(files, tmp_path, capsys):
    (tmp_path / "empty.npz").write_bytes(b"")
    rc, out, err = _cli(
        _argv(files, tmp_path / "out", **{"--members": tmp_path / "empty.npz"}), capsys
    )
    assert rc == 2 and err.startswith("error: ")


def test_a_torchscript_module_of_the_wrong_width_is_an_input_error(scaled_files, tmp_path, capsys):
    torch.jit.script(torch.nn.Sequential(torch.nn.Linear(10, 10))).save(str(tmp_path / "n.pt"))
    rc, out, err = _cli(
        _torch_argv(tmp_path / "n.pt", scaled_files, tmp_path / "o", "logits"), capsys
    )
    assert rc == 2 and err.startswith("error: ")


def test_out_naming_a_file_fails_with_a_message(files, tmp_path, capsys):
    (tmp_path / "taken").write_text("x")
    rc, out, err = _cli(_argv(files, tmp_path / "taken"), capsys)
    assert rc in (1, 2) and "error:" in err and "taken" in err


# -- 5. the HTML page ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def page(dt_report):
    return render_html(dt_report)


def test_the_page_is_self_contained(page):
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<script" not in page.lower()
    refs = re.findall(r"""\b(?:src|href)\s*=\s*["']([^"']*)["']""", page, flags=re.IGNORECASE)
    assert refs and all(r.startswith("#") for r in refs), sorted(set(refs))[:5]  # SVG glyphs
    assert not re.search(r"url\(\s*['\"]?(?!#)", page)  # no CSS resources either
    assert "@import" not in page and "<link" not in page and "<img" not in page


def test_the_page_has_the_summary_the_figure_and_a_table_per_section(page, dt_report):
    assert page.count("<svg") == 1 and "</svg>" in page
    assert html.escape(dt_report.summary()) in page
    sections = re.split(r"<h2>", page)[1:]
    titles = [s.split("</h2>")[0] for s in sections]
    assert titles == [
        "How each attack does",
        "ROC curves",
        "Per class (attack: loss)",
        "Members most at risk",
        "Attacks not run",
    ]
    assert "<table" in sections[0] and "<table" in sections[2]
    assert "<svg" in sections[1]
    for a in dt_report.attacks:
        assert f"<td>{a.name}</td>" in sections[0] and f"{a.auc:.3f}" in sections[0]
    first = ", ".join(str(i) for i in dt_report.at_risk[:3])
    assert first in sections[3]
    assert "needs population records to train shadow models on" in sections[4]


def test_the_title_and_reasons_are_escaped(rf, data):
    r = _audit(rf.predict_proba, data, population=data["population"], attacks=("loss", "shokri"))
    text = render_html(r, title="<script>alert('x')</script> & co")
    assert "<script" not in text and "&lt;script&gt;" in text and "&amp; co" in text
    assert "Attacks not run" in text and "pass shadow_model" in text


def test_roc_figure_has_a_curve_per_attack_and_guessing(rf_report):
    import matplotlib.pyplot as plt

    fig = roc_figure(rf_report)
    try:
        labels = fig.axes[0].get_legend_handles_labels()[1]
        assert labels == [f"{a.name} (AUC {a.auc:.3f})" for a in rf_report.attacks] + ["guessing"]
        assert fig.axes[0].get_xscale() == "log" and fig.axes[0].get_yscale() == "log"
    finally:
        plt.close(fig)


def test_write_report_leaves_no_temporary_file_and_a_second_write_replaces_both(
    dt_report, rf_report, tmp_path
):
    out = write_report(dt_report, tmp_path / "new" / "audit")
    assert out == tmp_path / "new" / "audit"
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "report.json"]
    first = {p.name: p.read_text() for p in out.iterdir()}
    write_report(rf_report, out, title="Second audit")
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "report.json"]
    second = {p.name: p.read_text() for p in out.iterdir()}
    assert all(first[k] != second[k] for k in first)
    assert json.loads(second["report.json"]) == rf_report.to_dict()
    assert html.escape(rf_report.summary()) in second["report.html"]
    assert "<title>Second audit</title>" in second["report.html"]


CHROMIUM = browser_check.find_chromium()


@pytest.mark.skipif(
    CHROMIUM is None or importlib.util.find_spec("playwright") is None,
    reason="chromium (apt-get install chromium) or playwright is not installed",
)
def test_the_report_opens_in_headless_chromium_without_errors(rf_report, tmp_path):
    from playwright.sync_api import sync_playwright

    write_report(rf_report, tmp_path / "site")
    server, base = browser_check.serve(tmp_path / "site")
    requested, remote = [], []

    def route(r):
        requested.append(r.request.url)
        if r.request.url.startswith(base):
            return r.continue_()
        remote.append(r.request.url)
        return r.abort()

    try:
        with sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
            ctx = p.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, args=browser_check.CHROMIUM_FLAGS, headless=True
            )
            try:
                ctx.route("**/*", route)
                tab = ctx.new_page()
                problems, seen = browser_check.check_page(tab, base, "report.html")
                shown = tab.evaluate(
                    """() => ({
                        svgs: document.querySelectorAll("svg").length,
                        width: document.querySelector("svg").getBoundingClientRect().width,
                        tables: document.querySelectorAll("table").length,
                        summary: document.querySelector(".summary").textContent,
                        title: document.title,
                    })"""
                )
            finally:
                ctx.close()
    finally:
        server.shutdown()
    assert problems == [] and remote == [], (problems, remote)
    assert [u.removeprefix(base) for u in requested] == ["report.html"]  # nothing else
    assert shown["svgs"] == 1 and shown["width"] > 100 and shown["tables"] == 2
    assert shown["summary"] == rf_report.summary()
    assert shown["title"] == "Membership inference audit"
    assert seen["images"] == 0
