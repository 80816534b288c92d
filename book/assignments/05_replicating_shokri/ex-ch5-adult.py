"""Autograder check of exercise ex-ch5-adult (chapter 5): a small, long-trained Adult target."""

from otter.test_files import test_case

OK_FORMAT = False
name = "ex-ch5-adult"
points = 2
ANSWER = {
    "params": "the quick profile's Adult model parameters, with 300 epochs",
    "r": "the run_attack result on Adult: a 200-record target (and its shadows) with params",
}
WRONG = """\
adult = load_dataset("adult")
params = quick.datasets["adult"].params
r = run_attack(adult.X, adult.y, adult.n_classes, target_size=200, model="mlp",
               model_params=params, n_shadows=4, random_state=SEED)"""


@test_case()
def test_params(params, quick):
    assert isinstance(params, dict), "params must be a dict of model parameters"
    assert params.get("epochs") == 300, "train for 300 epochs"
    for p, v in quick.datasets["adult"].params.items():
        if p != "epochs":
            assert params.get(p) == v, f"keep the quick profile's {p}"


@test_case()
def test_result(r, q):
    summary = getattr(r, "target", None)
    assert hasattr(summary, "target_size"), "r must be the result of run_attack"
    assert summary.n_classes == 2, "r must be an attack on Adult"
    assert summary.target_size == 200, "the target must be trained on 200 records"
    assert summary.gap > float(q.loc["adult", "gap"]) + 0.1, (
        "this target should overfit: its train-test gap is not well above the quick one's"
    )
    assert float(r.attack.auc) > float(q.loc["adult", "auc"]) + 0.03, (
        "the attack on the small target should beat the quick profile's attack"
    )
