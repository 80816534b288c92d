"""Autograder check of exercise ex-ch6-relstd (chapter 6): raw and relative in-class std."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "ex-ch6-relstd"
points = 2
ANSWER = {
    "stds": "table, one row per dataset (adult, locations, fashion_mnist, digits, cifar10): "
    "columns 'in-class std', 'relative', 'rank (raw)', 'rank (relative)' (rank 1: largest)",
}
WRONG = """\
rel = {}
for name in ["adult", "locations", "fashion_mnist", "digits"]:
    d = load_dataset(name)
    X = d.X.reshape(len(d.X), -1)
    rel[name] = (in_class_std(X, d.y), relative_in_class_std(X, d.y))
stds = pd.DataFrame(rel, index=["in-class std", "relative"]).T
stds["rank (raw)"] = stds["in-class std"].rank(ascending=False).astype(int)
stds["rank (relative)"] = stds["relative"].rank(ascending=False).astype(int)"""

COLS = ["in-class std", "relative", "rank (raw)", "rank (relative)"]
NAMES = ["adult", "locations", "fashion_mnist", "digits", "cifar10"]


@test_case()
def test_table(stds):
    cols = list(getattr(stds, "columns", []))
    assert all(c in cols for c in COLS), f"stds must have the columns {COLS}"
    assert sorted(stds.index) == sorted(NAMES), f"stds must have one row per dataset {NAMES}"


@test_case()
def test_values(stds, loc, f_rows):
    from mia_lib.datasets import in_class_std, load_dataset, relative_in_class_std

    cifar = next(r for r in f_rows if r["dataset"] == "cifar10")
    want = {
        "locations": (in_class_std(loc.X, loc.y), relative_in_class_std(loc.X, loc.y)),
        "cifar10": (cifar["in_class_std"], cifar["relative_in_class_std"]),
    }
    for ds in ["adult", "digits"]:
        d = load_dataset(ds)
        X = d.X.reshape(len(d.X), -1)
        want[ds] = (in_class_std(X, d.y), relative_in_class_std(X, d.y))
    for ds, (raw, relative) in want.items():
        assert ds in stds.index, f"stds has no row {ds!r}"
        assert np.isclose(float(stds.loc[ds, "in-class std"]), raw), (
            f"the in-class std of {ds} is wrong"
        )
        assert np.isclose(float(stds.loc[ds, "relative"]), relative), (
            f"the relative in-class std of {ds} is wrong"
        )


@test_case()
def test_ranks(stds):
    for value, rank in [("in-class std", "rank (raw)"), ("relative", "rank (relative)")]:
        want = stds[value].astype(float).rank(ascending=False).to_numpy()
        assert np.array_equal(stds[rank].to_numpy(dtype=float), want), (
            f"{rank} must rank the datasets by {value}, 1 for the largest"
        )
