"""Autograder check of exercise ex-ch7-attack-model (chapter 7): a network as attack model."""

from otter.test_files import test_case

OK_FORMAT = False
name = "ex-ch7-attack-model"
points = 1
ANSWER = {
    "reports": "dict: 'boosted trees' and 'MLP, 64 units' -> the report of MLLeaksAttack "
    "with that attack model, fitted on `shadows`, against `target`",
}
WRONG = """\
from sklearn.neural_network import MLPClassifier

net = MLPClassifier(hidden_layer_sizes=(64,), max_iter=500, random_state=0)
reports = {}
for name, model in [("boosted trees", None), ("MLP, 64 units", net)]:
    attack_m = MLLeaksAttack(random_state=attack_seed)
    reports[name] = evaluate_attack(attack_m, target, fit_on=shadows)"""

KEYS = ["MLP, 64 units", "boosted trees"]


@test_case()
def test_keys(reports):
    assert isinstance(reports, dict), "reports must be a dict from attack model to report"
    assert sorted(reports) == KEYS, f"reports must have the keys {KEYS}"


@test_case()
def test_reports(reports, target, shadows, attack_seed):
    from sklearn.neural_network import MLPClassifier

    from mia_lib.attacks import MLLeaksAttack
    from mia_lib.pipeline import evaluate_attack

    net = MLPClassifier(hidden_layer_sizes=(64,), max_iter=500, random_state=0)
    for key, model in [("boosted trees", None), ("MLP, 64 units", net)]:
        want = evaluate_attack(
            MLLeaksAttack(attack_model=model, random_state=attack_seed), target, fit_on=shadows
        ).auc
        assert abs(float(reports[key].auc) - want) < 0.005, (
            f"reports[{key!r}] is not ML-Leaks with that attack model, fitted on the shadow"
        )
