"""Autograder check of exercise ex-ch9-between (chapter 9): weight decay λ = 0.02."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "ex-ch9-between"
points = 1
ANSWER = {
    "params": "the quick profile's Locations model parameters with weight_decay 0.02",
    "res": "run_attack's result for that target (one shadow model, random_state=SEED)",
}
WRONG = (
    "from mia_lib.datasets import load_dataset\n"
    "from mia_lib.experiments import load_profile\n"
    "from mia_lib.pipeline import run_attack\n"
    "locations = load_dataset('locations')\n"
    "entry = load_profile('defences_training', 'quick').datasets['locations']\n"
    "params = dict(entry.params)\n"
    "res = run_attack(locations.X, locations.y, locations.n_classes,\n"
    "                 target_size=entry.target_size, model=entry.model,\n"
    "                 model_params=params, n_shadows=1, random_state=SEED)"
)


def _entry():
    from mia_lib.experiments import load_profile

    return load_profile("defences_training", "quick").datasets["locations"]


@test_case()
def test_params(params):
    entry = _entry()
    assert isinstance(params, dict), "params must be a dict of model parameters"
    assert params.get("weight_decay") == 0.02, "params must set weight_decay to 0.02"
    for k, v in entry.params.items():
        assert params.get(k) == v, f"params must keep the quick profile's {k}"


@test_case()
def test_result(res, SEED):
    from mia_lib.datasets import load_dataset
    from mia_lib.pipeline import run_attack

    entry = _entry()
    assert hasattr(res, "target") and hasattr(res, "attack"), "res must be what run_attack returns"
    assert res.target.target_size == entry.target_size, (
        "res must come from a target of the quick profile's size"
    )
    assert res.n_shadows == 1, "res must come from a run with one shadow model"
    locations = load_dataset("locations")
    want = run_attack(
        locations.X,
        locations.y,
        locations.n_classes,
        target_size=entry.target_size,
        model=entry.model,
        model_params={**entry.params, "weight_decay": 0.02},
        n_shadows=1,
        random_state=SEED,
    )
    assert np.isclose(res.target.test_acc, want.target.test_acc, atol=1e-9), (
        "res's target is not the quick profile's Locations target trained at λ = 0.02 "
        "with random_state=SEED"
    )
    assert np.isclose(res.attack.auc, want.attack.auc, atol=1e-6), (
        "res's attack is not Shokri's attack of run_attack on that target"
    )
