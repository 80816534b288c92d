"""Autograder check of exercise ex-ch7-topk (chapter 7): top-1, top-3 or the sorted vector."""

from otter.test_files import test_case

OK_FORMAT = False
name = "ex-ch7-topk"
points = 2
ANSWER = {
    "topk_auc": "dict: 'top1', 'top3', 'sorted' -> the AUC of the attack on those features "
    "(top1: a confidence threshold; top3, sorted: one attack model shared by all classes)",
}
WRONG = """\
from mia_lib.attacks import ShokriAttack

features = {
    "top1": ThresholdAttack("confidence"),
    "top3": ShokriAttack(features="top3", random_state=attack_seed),
    "sorted": ShokriAttack(features="sorted", random_state=attack_seed),
}
topk_auc = {name: evaluate_attack(a, target, fit_on=shadows).auc
            for name, a in features.items()}"""

KEYS = ["sorted", "top1", "top3"]


@test_case()
def test_keys(topk_auc):
    assert isinstance(topk_auc, dict) and sorted(topk_auc) == KEYS, (
        f"topk_auc must be a dict with the keys {KEYS}"
    )


@test_case()
def test_aucs(topk_auc, target, shadows, attack_seed):
    from mia_lib.attacks import ShokriAttack, ThresholdAttack
    from mia_lib.pipeline import evaluate_attack

    attacks = {"top1": ThresholdAttack("confidence")}
    for f in ["top3", "sorted"]:
        attacks[f] = ShokriAttack(per_class=False, features=f, random_state=attack_seed)
    for key, attack in attacks.items():
        want = evaluate_attack(attack, target, fit_on=shadows).auc
        assert abs(float(topk_auc[key]) - want) < 0.005, (
            f"topk_auc[{key!r}] is not the AUC of the attack on the {key} features, with "
            "one attack model for all classes, fitted on the shadow"
        )
