"""Autograder check of exercise ex-ch13-interval (chapter 13): LiRA's members found at 0.1%
FPR and the Clopper-Pearson interval of its TPR."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "ex-ch13-interval"
points = 1
ANSWER = {
    "found": "the number of members online LiRA finds at 0.1% FPR (an int)",
    "interval": "the 95% Clopper-Pearson interval (low, high) of its TPR there",
}
WRONG = (
    "found = int(round(tpr_at_fpr(m, lira_scores['LiRA online'], 0.01) * n_members))\n"
    "interval = clopper_pearson(found, n_members)"
)


@test_case()
def test_count(found, m, lira_scores, n_members):
    from mia_lib.metrics import tpr_at_fpr

    want = int(round(tpr_at_fpr(m, lira_scores["LiRA online"], 0.001) * n_members))
    assert int(found) == want, (
        "found is not the number of members that online LiRA calls members at 0.1% FPR "
        "(the TPR there times the number of members)"
    )


@test_case()
def test_interval(found, interval, n_members):
    from mia_lib.dp_bounds import clopper_pearson

    lo, hi = (float(v) for v in interval)
    want = clopper_pearson(int(found), n_members)
    assert np.allclose([lo, hi], want, atol=1e-9), (
        "interval is not the 95% Clopper-Pearson interval of found members out of all members"
    )
    assert lo <= int(found) / n_members <= hi, "the interval must contain the TPR itself"
