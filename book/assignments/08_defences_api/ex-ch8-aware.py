"""Autograder check of exercise ex-ch8-aware (chapter 8): a class-dependent attack on MemGuard."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "ex-ch8-aware"
points = 3
ANSWER = {
    "auc_original": "AUC of the class-dependent modified-entropy threshold attack on P",
    "auc_noised": "its AUC on MemGuard's answers `noised`",
}
WRONG = (
    "from mia_lib.attacks import ThresholdAttack\n"
    "from mia_lib.metrics import evaluate\n"
    "mentr = ThresholdAttack('modified_entropy')\n"
    "mentr.fit(ad.posteriors, ad.membership, labels=ad.labels)\n"
    "s = mentr.score_samples(P, labels=target.labels)\n"
    "auc_original = evaluate(target.membership, s).auc\n"
    "s = mentr.score_samples(noised, labels=target.labels)\n"
    "auc_noised = evaluate(target.membership, s).auc"
)


def _reference(answers, ad, target):
    from mia_lib.attacks import ThresholdAttack
    from mia_lib.metrics import evaluate

    attack = ThresholdAttack("modified_entropy", class_dependent=True)
    attack.fit(ad.posteriors, ad.membership, labels=ad.labels)
    return evaluate(target.membership, attack.score_samples(answers, labels=target.labels)).auc


@test_case()
def test_original(auc_original, P, ad, target):
    assert np.isclose(float(auc_original), _reference(P, ad, target), atol=1e-6), (
        "auc_original is not the AUC of a class-dependent modified-entropy threshold attack, "
        "fitted on the shadows' undefended outputs, on the original answers"
    )


@test_case()
def test_noised(auc_noised, noised, ad, target):
    assert np.isclose(float(auc_noised), _reference(noised, ad, target), atol=1e-6), (
        "auc_noised is not the AUC of the same attack on MemGuard's noised answers"
    )
