"""Autograder check of exercise ex-ch7-quantile (chapter 7): sweeping adversary 3's quantile."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "ex-ch7-quantile"
points = 2
ANSWER = {
    "sweep": "table indexed by q (from 0.5 to 0.99): columns threshold, precision, recall, "
    "fpr and cost (10 per false accusation, 1 per missed member)",
    "best_q": "the q you would choose when a false accusation is ten times worse",
}
WRONG = """\
answers_own = target.blackbox.query(own)
sweep = []
for q_ in [0.5, 0.7, 0.8, 0.9, 0.95, 0.99]:
    att_q = ThresholdAttack("confidence", reference_quantile=q_).fit(answers_own)
    r = evaluate_attack(att_q, target)
    n_in = int(target.membership.sum())
    n_out = len(target.membership) - n_in
    cost = r.fpr * n_out + 10 * (1 - r.recall) * n_in
    sweep.append({"q": q_, "threshold": att_q.threshold_, "precision": r.precision,
                  "recall": r.recall, "fpr": r.fpr, "cost": cost})
sweep = pd.DataFrame(sweep).set_index("q")
best_q = float(sweep["cost"].idxmin())"""

COLS = ["threshold", "precision", "recall", "fpr", "cost"]


@test_case()
def test_sweep(sweep, target, own):
    from mia_lib.attacks import ThresholdAttack
    from mia_lib.pipeline import evaluate_attack

    cols = list(getattr(sweep, "columns", []))
    assert all(c in cols for c in COLS), f"sweep must have the columns {COLS}"
    qs = np.asarray(sweep.index, dtype=float)
    assert len(qs) >= 4 and np.isclose(qs.min(), 0.5) and np.isclose(qs.max(), 0.99), (
        "sweep must be indexed by at least 4 quantiles q from 0.5 to 0.99"
    )
    answers = target.blackbox.query(own)
    for q in qs:
        att = ThresholdAttack("confidence", reference_quantile=q).fit(answers)
        r = evaluate_attack(att, target)
        row = sweep.loc[sweep.index[np.flatnonzero(qs == q)[0]]]
        for c, want in [
            ("threshold", att.threshold_),
            ("precision", r.precision),
            ("recall", r.recall),
            ("fpr", r.fpr),
        ]:
            assert np.isclose(float(row[c]), want), (
                f"at q = {q:g} the {c} is not that of adversary 3's threshold fitted on "
                "the answers to the reference records own"
            )


@test_case()
def test_cost(sweep, best_q, target):
    n_in = int(target.membership.sum())
    n_out = len(target.membership) - n_in
    want = 10 * sweep["fpr"].astype(float) * n_out + (1 - sweep["recall"].astype(float)) * n_in
    assert np.allclose(sweep["cost"].astype(float), want), (
        "the cost must count 10 per false accusation and 1 per missed member"
    )
    assert np.isclose(float(best_q), float(want.idxmin())), "best_q is not the cheapest q"
