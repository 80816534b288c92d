"""Autograder check of exercise ex-ch13-variance (chapter 13): online LiRA with per-record
and fixed variance against the number of reference models."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "ex-ch13-variance"
points = 2
ANSWER = {
    "by_k": "a dict: k (2, 4, 8, 16) -> (TPR at 1% FPR with per-record variance, with fixed "
    "variance), online LiRA on the first k online reference models",
}
WRONG = (
    "by_k = {}\n"
    "for k in (2, 4, 8, 16):\n"
    "    s = attack_scores(LiRAAttack(), target, fit_on=online)[0]\n"
    "    f = attack_scores(LiRAAttack(fixed_variance=True), target, fit_on=online)[0]\n"
    "    by_k[k] = (tpr_at_fpr(m, s, 0.01), tpr_at_fpr(m, f, 0.01))"
)


@test_case()
def test_keys(by_k):
    assert isinstance(by_k, dict), "by_k must be a dict mapping k to a pair of rates"
    assert sorted(int(k) for k in by_k) == [2, 4, 8, 16], "by_k needs the keys 2, 4, 8 and 16"
    for k, pair in by_k.items():
        assert len(pair) == 2, f"by_k[{k}] must be a pair (per_record, fixed)"


@test_case()
def test_values(by_k, online, target, m):
    from mia_lib.metrics import tpr_at_fpr
    from mia_lib.pipeline import attack_scores
    from mia_lib.reference_attacks import LiRAAttack

    for k in (2, 16):
        ref = online.select(k)
        per = tpr_at_fpr(m, attack_scores(LiRAAttack(), target, fit_on=ref)[0], 0.01)
        fixed = attack_scores(LiRAAttack(fixed_variance=True), target, fit_on=ref)[0]
        fix = tpr_at_fpr(m, fixed, 0.01)
        got = [float(v) for v in by_k[k]]
        assert np.allclose(got, [per, fix], atol=1e-9), (
            f"by_k[{k}] is not the TPR at 1% FPR of online LiRA on the first {k} reference "
            "models (per-record variance first, fixed variance second)"
        )
