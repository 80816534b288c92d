"""Autograder check of exercise ex-ch12-few (chapter 12): an audit with 500 non-members."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "ex-ch12-few"
points = 1
ANSWER = {
    "small": "the loss-attack audit of the undefended forest with all members and only the "
    "first 500 non-members",
    "rates_kept": "the false positive rates the report keeps for that attack",
    "auc_width": "the width of its AUC's interval (high minus low)",
}
WRONG = (
    "small = audit(forest, X[members[:500]], y[members[:500]], X[nonmembers[:500]],\n"
    "              y[nonmembers[:500]], attacks=['loss'], random_state=SEED)\n"
    "rates_kept = [0.01, 0.001]\n"
    "auc_width = small.attack('loss').auc_high - small.attack('loss').auc_low"
)


@test_case()
def test_report(small, forest, X, y, members, nonmembers):
    from mia_lib.metrics import auc

    assert small.n_members == len(members), "small must audit every member"
    assert small.n_non_members == 500, "small must audit 500 non-members"
    idx = np.r_[members, nonmembers[:500]]
    P = forest.predict_proba(X[idx])
    p_true = P[np.arange(len(idx)), y[idx]]
    want = auc(np.r_[np.ones(len(members)), np.zeros(500)], p_true)
    assert np.isclose(small.attack("loss").auc, want, atol=1e-3), (
        "small's loss attack does not score the forest on the members and the first 500 non-members"
    )


@test_case()
def test_rates(small, rates_kept):
    kept = [float(r) for r in rates_kept]
    assert kept == [r.fpr for r in small.attack("loss").rates], (
        "rates_kept is not the list of false positive rates of small's loss attack"
    )
    assert all(r * small.n_non_members >= 1 for r in kept), (
        "a kept rate must allow at least one false positive"
    )


@test_case()
def test_width(small, auc_width):
    a = small.attack("loss")
    assert np.isclose(float(auc_width), a.auc_high - a.auc_low), (
        "auc_width is not the width of small's AUC interval"
    )
