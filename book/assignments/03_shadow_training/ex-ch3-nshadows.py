"""Autograder check of exercise ex-ch3-nshadows (chapter 3): the attack with fewer shadows."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "ex-ch3-nshadows"
points = 1
ANSWER = {
    "sub": "the attack data of the first 5 shadows (the last k of your loop)",
    "a": "the Shokri attack fitted on sub",
    "r": "its evaluate report on the target's evaluation records",
}
WRONG = """\
for k in (1, 2, 5):
    sub = ad.subset(ad.source <= k)
    a = ShokriAttack(random_state=SEED).fit(sub.posteriors, sub.membership,
                                            labels=sub.labels)
    r = evaluate(is_member, a.score_samples(P_target, labels=y_eval))
"""


@test_case()
def test_subset(sub, ad):
    src = np.asarray(getattr(sub, "source", []))
    assert len(src) == np.sum(ad.source < 5), (
        "sub must hold every row of the first 5 shadows, and only those"
    )
    assert np.array_equal(np.unique(src), np.arange(5)), (
        "sub must come from shadows 0 to 4 (the first 5)"
    )


@test_case()
def test_report(a, r, is_member, P_target, y_eval):
    from mia_lib.metrics import evaluate

    want = evaluate(is_member, a.score_samples(P_target, labels=y_eval))
    assert np.isclose(r.auc, want.auc, atol=1e-9), "r is not the report of a on the target"
    assert np.isclose(r.tpr_at_1pct_fpr, want.tpr_at_1pct_fpr, atol=1e-9), (
        "r is not the report of a on the target"
    )


@test_case()
def test_trained_on_five(r, ad, is_member, P_target, y_eval):
    from mia_lib.attacks import ShokriAttack
    from mia_lib.metrics import evaluate

    got = float(r.auc)
    five = ad.subset(ad.source < 5)
    ref = ShokriAttack(random_state=0).fit(five.posteriors, five.membership, labels=five.labels)
    want = evaluate(is_member, ref.score_samples(P_target, labels=y_eval)).auc
    assert abs(got - want) < 1e-3, (
        "the AUC in r is not that of a Shokri attack trained on the first 5 shadows"
    )
