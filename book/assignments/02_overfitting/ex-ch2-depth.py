"""Autograder check of exercise ex-ch2-depth (chapter 2): capacity by depth on Locations."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "ex-ch2-depth"
points = 1
ANSWER = {
    "depth": "a DataFrame: rows for 1, 2, 3 hidden layers of 32 (in that order), "
    "columns train_acc, test_acc, gap, auc",
    "m": "the last network trained: three hidden layers of 32 units",
    "i_in": "the indices of the Locations records m is trained on",
    "i_out": "the indices of the Locations non-members it is evaluated on",
}
WRONG = """\
rng = np.random.default_rng(1)
split = membership_split(len(locations), target_size=2500, shadow_pool_size=0,
                         random_state=rng)
i_in = np.sort(rng.choice(split.target_in, 1200, replace=False))
i_out = np.sort(rng.choice(split.target_out, 1200, replace=False))
depth = {}
for layers in [(32,), (64,), (96,)]:
    m = TorchMLPClassifier(hidden_layer_sizes=layers, epochs=100, n_classes=30,
                           random_state=0)
    m.fit(locations.X[i_in], locations.y[i_in])
    depth[str(layers)] = membership_stats(
        m.predict_proba(locations.X[i_in]), locations.y[i_in],
        m.predict_proba(locations.X[i_out]), locations.y[i_out])
depth = pd.DataFrame(depth).T[["train_acc", "test_acc", "gap", "auc"]].astype(float)
"""

COLS = ["train_acc", "test_acc", "gap", "auc"]


@test_case()
def test_table(depth):
    assert hasattr(depth, "columns") and all(c in depth.columns for c in COLS), (
        f"depth must be a DataFrame with the columns {COLS}"
    )
    assert len(depth) == 3, "depth must have one row per depth: three rows"
    d = depth[COLS].astype(float)
    assert np.allclose(d["gap"], d["train_acc"] - d["test_acc"]), (
        "the gap column must be train_acc - test_acc"
    )


@test_case()
def test_deepest(m, locations):
    sizes = tuple(getattr(m, "hidden_layer_sizes", ()))
    assert sizes == (32, 32, 32), "m must have three hidden layers of 32 units"
    assert hasattr(m, "classes_"), "m must be fitted"
    assert m.predict_proba(locations.X[:1]).shape == (1, locations.n_classes), (
        "m must be trained on Locations"
    )


@test_case()
def test_last_row(depth, m, i_in, i_out, locations, membership_stats):
    i_in, i_out = np.asarray(i_in), np.asarray(i_out)
    assert len(np.intersect1d(i_in, i_out)) == 0, "i_in and i_out must not overlap"
    X, y = locations.X, locations.y
    want = membership_stats(m.predict_proba(X[i_in]), y[i_in], m.predict_proba(X[i_out]), y[i_out])
    got = depth.iloc[-1]
    for c in COLS:
        assert np.isclose(float(got[c]), want[c], atol=1e-9), (
            f"the last row's {c} is not that of m on i_in (members) and i_out (non-members)"
        )
