"""Autograder check of exercise ex-ch6-noise (chapter 6): zeros and uniform noise."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "ex-ch6-noise"
points = 2
ANSWER = {
    "feats": "the indices of the replaced features: half of Locations' features",
    "noisy": "dict: 'marginal', 'zeros', 'uniform' -> the attacker's noisy copy of loc.X",
    "noise_acc": "dict: the same keys -> the attack accuracy with that copy as shadow_X",
}
WRONG = """\
from mia_lib.pipeline import run_attack

rng = np.random.default_rng(SEED)
d = loc.X.shape[1]
feats = rng.choice(d, size=d // 2)
lo, hi = loc.X[:, feats].min(axis=0), loc.X[:, feats].max(axis=0)
noisy = {"marginal": noisy_copies(loc.X, 0.5, kind="marginal", random_state=SEED),
         "zeros": loc.X.copy(), "uniform": loc.X.copy()}
noisy["zeros"][:, feats] = 0.0
noisy["uniform"][:, feats] = rng.uniform(lo, hi, size=(len(loc.X), len(feats)))
noise_acc = {}
for name, Xs in noisy.items():
    r = run_attack(loc.X, loc.y, loc.n_classes, target_size=600, n_shadows=2,
                   model="mlp", model_params=k_set["model_params"], shadow_X=Xs,
                   baseline=False, random_state=SEED)
    noise_acc[name] = r.attack.accuracy"""

KINDS = ["marginal", "uniform", "zeros"]


@test_case()
def test_features(feats, loc):
    f = np.asarray(feats)
    d = loc.X.shape[1]
    assert f.ndim == 1 and np.issubdtype(f.dtype, np.integer), "feats must be an index array"
    assert len(np.unique(f)) == len(f) == d // 2, (
        f"feats must hold {d // 2} distinct features (half of {d})"
    )


@test_case()
def test_noisy(noisy, feats, loc):
    assert isinstance(noisy, dict) and sorted(noisy) == KINDS, f"noisy must have keys {KINDS}"
    f = np.asarray(feats)
    rest = np.setdiff1d(np.arange(loc.X.shape[1]), f)
    for kind in KINDS:
        assert np.shape(noisy[kind]) == loc.X.shape, f"noisy[{kind!r}] must have loc.X's shape"
    for kind in ["zeros", "uniform"]:
        Xs = np.asarray(noisy[kind], dtype=float)
        assert np.array_equal(Xs[:, rest], loc.X[:, rest]), (
            f"noisy[{kind!r}] must keep every feature outside feats"
        )
    assert np.all(np.asarray(noisy["zeros"])[:, f] == 0), "noisy['zeros'] must zero feats"
    u = np.asarray(noisy["uniform"], dtype=float)[:, f]
    lo, hi = loc.X[:, f].min(axis=0), loc.X[:, f].max(axis=0)
    assert np.all((u >= lo) & (u <= hi)), "noisy['uniform'] must stay in each feature's range"
    assert len(np.unique(u)) > 2, "noisy['uniform'] must draw uniform values, not 0s and 1s"


@test_case()
def test_accuracy(noise_acc, noisy, loc, k_set, SEED):
    from mia_lib.pipeline import run_attack

    assert isinstance(noise_acc, dict) and sorted(noise_acc) == KINDS, (
        f"noise_acc must have keys {KINDS}"
    )
    for kind in KINDS:
        r = run_attack(
            loc.X,
            loc.y,
            loc.n_classes,
            target_size=600,
            n_shadows=2,
            model="mlp",
            model_params=k_set["model_params"],
            shadow_X=noisy[kind],
            baseline=False,
            random_state=SEED,
        )
        assert abs(float(noise_acc[kind]) - r.attack.accuracy) < 0.03, (
            f"noise_acc[{kind!r}] is not the attack accuracy with noisy[{kind!r}] as the "
            "attacker's data (600-record target, 2 shadows)"
        )
