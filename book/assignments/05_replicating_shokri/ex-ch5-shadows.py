"""Autograder check of exercise ex-ch5-shadows (chapter 5): 1, 2 and 5 shadow models."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "ex-ch5-shadows"
points = 2
ANSWER = {
    "target": "the quick profile's Locations target (1,200 records), trained for 30 epochs",
    "shadows": "5 fitted shadow models of the target (train_shadows)",
    "reports": "dict: k (1, 2, 5) -> report of Shokri's attack fitted on the first k shadows",
}
WRONG = """\
from mia_lib.attacks import ShokriAttack
from mia_lib.pipeline import evaluate_attack, stage_seeds, train_shadows, train_target

locations = load_dataset("locations")
params = {**quick.datasets["locations"].params, "epochs": 30}
target_seed, shadow_seed, attack_seed = stage_seeds(SEED)
target = train_target(locations.X, locations.y, locations.n_classes, target_size=1200,
                      model="mlp", model_params=params, random_state=target_seed)
shadows = train_shadows(target, n_shadows=5, random_state=shadow_seed)
reports = {k: evaluate_attack(ShokriAttack(random_state=SEED), target, fit_on=shadows)
           for k in [1, 2, 5]}"""


@test_case()
def test_target(target, quick):
    params = getattr(target, "model_params", None)
    assert isinstance(params, dict), "target must be a trained target (train_target)"
    assert params.get("epochs") == 30, "the target must be trained for 30 epochs"
    for p, v in quick.datasets["locations"].params.items():
        if p != "epochs":
            assert params.get(p) == v, f"the target must keep the quick profile's {p}"
    assert target.summary.target_size == 1200, "the target must be trained on 1,200 records"
    assert target.n_classes == 30, "the target must be the Locations target (30 classes)"


@test_case()
def test_shadows(shadows, target):
    data = getattr(shadows, "attack_data_", None)
    assert data is not None, "shadows must be fitted shadow models (train_shadows)"
    assert len(np.unique(data.source)) == 5, "train 5 shadow models"
    assert shadows.model_params == target.model_params, (
        "the shadows must be trained like the target"
    )


@test_case()
def test_reports(reports, shadows, target, SEED):
    from mia_lib.attacks import ShokriAttack
    from mia_lib.pipeline import evaluate_attack

    assert isinstance(reports, dict), "reports must be a dict from k to a report"
    assert sorted(reports) == [1, 2, 5], "reports must have the keys 1, 2 and 5"
    ad = shadows.attack_data_
    for k in [1, 2, 5]:
        want = evaluate_attack(
            ShokriAttack(random_state=SEED), target, fit_on=ad.subset(ad.source < k)
        ).auc
        got = float(reports[k].auc)
        assert abs(got - want) < 0.005, (
            f"reports[{k}] is not Shokri's attack fitted on the first {k} shadow(s) only"
        )
