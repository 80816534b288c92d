"""Autograder check of exercise ex-ch10-clip (chapter 10): the clipping norm at ε = 8."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "ex-ch10-clip"
points = 2
ANSWER = {
    "clip_results": "dict from each clipping norm (0.1, 1.0, 10.0) to run_attack's result "
    "for the quick profile's Locations target at ε = 8 (one shadow model, random_state=SEED)",
}
WRONG = (
    "from mia_lib.experiments import load_profile\n"
    "from mia_lib.pipeline import run_attack\n"
    "locations = load_dataset('locations')\n"
    "entry = load_profile('dp_sgd', 'quick').datasets['locations']\n"
    "res = run_attack(locations.X, locations.y, locations.n_classes,\n"
    "                 target_size=entry.target_size, model=entry.model,\n"
    "                 model_params={**entry.params, 'dp_epsilon': 8.0},\n"
    "                 n_shadows=1, random_state=SEED)\n"
    "clip_results = {clip: res for clip in [0.1, 1.0, 10.0]}"
)

CLIPS = (0.1, 1.0, 10.0)


def _setting(clip):
    """The arguments of train_target and run_attack for the quick Locations target at ε = 8."""
    from mia_lib.datasets import load_dataset
    from mia_lib.experiments import load_profile

    entry = load_profile("dp_sgd", "quick").datasets["locations"]
    data = load_dataset("locations")
    params = {**entry.params, "dp_epsilon": 8.0, "max_grad_norm": clip}
    kwargs = {"target_size": entry.target_size, "model": entry.model, "model_params": params}
    return (data.X, data.y, data.n_classes), kwargs


@test_case()
def test_keys(clip_results):
    assert isinstance(clip_results, dict), "clip_results must be a dict from clipping norm"
    assert sorted(map(float, clip_results)) == list(CLIPS), (
        "clip_results needs the clipping norms 0.1, 1.0 and 10.0"
    )
    for clip, res in clip_results.items():
        assert hasattr(res, "target") and hasattr(res, "attack"), (
            f"clip_results[{clip}] must be what run_attack returns"
        )
        assert res.n_shadows == 1, f"clip_results[{clip}] must come from one shadow model"


@test_case()
def test_accuracies(clip_results, SEED):
    from mia_lib.pipeline import stage_seeds, train_target

    got = {float(k): v for k, v in dict(clip_results).items()}
    for clip in CLIPS:
        args, kwargs = _setting(clip)
        target = train_target(*args, **kwargs, random_state=stage_seeds(SEED)[0])
        assert np.isclose(got[clip].target.test_acc, target.test_acc, atol=1e-9), (
            f"the target of clip_results[{clip}] is not the quick profile's Locations "
            f"target trained at ε = 8 with max_grad_norm={clip} and random_state=SEED"
        )


@test_case()
def test_attack(clip_results, SEED):
    from mia_lib.pipeline import run_attack

    args, kwargs = _setting(10.0)
    want = run_attack(*args, **kwargs, n_shadows=1, random_state=SEED)
    got = {float(k): v for k, v in dict(clip_results).items()}
    assert np.isclose(got[10.0].attack.auc, want.attack.auc, atol=1e-6), (
        "the attack of clip_results[10.0] is not Shokri's attack of run_attack on that target"
    )
