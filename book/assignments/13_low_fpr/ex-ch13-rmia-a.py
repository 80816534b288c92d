"""Autograder check of exercise ex-ch13-rmia-a (chapter 13): offline RMIA against a."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "ex-ch13-rmia-a"
points = 2
ANSWER = {"tpr_by_a": "a dict: a (0, 0.3, 0.6, 1) -> offline RMIA's TPR at 1% FPR"}
WRONG = (
    "tpr_by_a = {}\n"
    "for a in (0.0, 0.3, 0.6, 1.0):\n"
    "    s = attack_scores(RMIAAttack(a=a, online=True), target, fit_on=online)[0]\n"
    "    tpr_by_a[a] = tpr_at_fpr(m, s, 0.01)"
)


@test_case()
def test_values(tpr_by_a, offline, target, m):
    from mia_lib.metrics import tpr_at_fpr
    from mia_lib.pipeline import attack_scores
    from mia_lib.reference_attacks import RMIAAttack

    assert isinstance(tpr_by_a, dict), "tpr_by_a must be a dict mapping a to a rate"
    got = {round(float(a), 6): float(v) for a, v in tpr_by_a.items()}
    assert sorted(got) == [0.0, 0.3, 0.6, 1.0], "tpr_by_a needs the keys 0, 0.3, 0.6 and 1"
    for a in (0.0, 1.0):
        s = attack_scores(RMIAAttack(a=a), target, fit_on=offline)[0]
        assert np.isclose(got[a], tpr_at_fpr(m, s, 0.01), atol=1e-9), (
            f"tpr_by_a[{a}] is not offline RMIA's TPR at 1% FPR with a = {a} (the chapter's "
            "offline reference models)"
        )
