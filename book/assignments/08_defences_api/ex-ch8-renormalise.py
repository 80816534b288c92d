"""Autograder check of exercise ex-ch8-renormalise (chapter 8): top-1 value or one-hot."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "ex-ch8-renormalise"
points = 1
ANSWER = {
    "aucs_value": "{'confidence': AUC, 'loss': AUC} of the threshold attacks behind "
    "TopK(1, renormalise=False)",
    "aucs_onehot": "the same two AUCs behind TopK(1) (the one-hot label)",
}
WRONG = (
    "from mia_lib.attacks import ThresholdAttack\n"
    "from mia_lib.pipeline import evaluate_attack\n"
    "aucs_value, aucs_onehot = {}, {}\n"
    "for out, api in [(aucs_value, [TopK(1)]), (aucs_onehot, [TopK(1, renormalise=False)])]:\n"
    "    for s in ['confidence', 'loss']:\n"
    "        out[s] = evaluate_attack(ThresholdAttack(s), defend(target, api),\n"
    "                                 fit_on=shadows.attack_data_.released(api)).auc"
)


def _auc(target, shadows, api, signal):
    from mia_lib.attacks import ThresholdAttack
    from mia_lib.pipeline import defend, evaluate_attack

    seen = shadows.attack_data_.released(api)
    return evaluate_attack(ThresholdAttack(signal), defend(target, api), fit_on=seen).auc


def _get(aucs, signal, what):
    assert isinstance(aucs, dict), f"{what} must be a dict with the keys 'confidence' and 'loss'"
    assert signal in aucs, f"{what} has no {signal!r} entry"
    return float(aucs[signal])


@test_case()
def test_value(aucs_value, target, shadows):
    from mia_lib.query import TopK

    for signal in ("confidence", "loss"):
        want = _auc(target, shadows, [TopK(1, renormalise=False)], signal)
        assert np.isclose(_get(aucs_value, signal, "aucs_value"), want, atol=1e-6), (
            f"aucs_value[{signal!r}] is not the {signal} attack's AUC on the target behind "
            "the top-1 value API"
        )


@test_case()
def test_onehot(aucs_onehot, target, shadows):
    from mia_lib.query import TopK

    for signal in ("confidence", "loss"):
        want = _auc(target, shadows, [TopK(1)], signal)
        assert np.isclose(_get(aucs_onehot, signal, "aucs_onehot"), want, atol=1e-6), (
            f"aucs_onehot[{signal!r}] is not the {signal} attack's AUC on the target behind "
            "the renormalised (one-hot) top-1 API"
        )
