"""Autograder check of exercise ex-ch6-tree (chapter 6): the bound against a grown tree."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "ex-ch6-tree"
points = 3
ANSWER = {
    "bounds": "dict: dataset -> the best accuracy any attacker can reach against the "
    "decision-tree target of the full transfer matrix",
}
WRONG = """\
tree_f = tf[tf["target"] == "decision_tree"]
bounds = {ds: (1 + g["test_acc_mean"].iloc[0]) / 2
          for ds, g in tree_f.groupby("dataset", sort=False)}"""


@test_case()
def test_datasets(bounds, tf):
    assert isinstance(bounds, dict), "bounds must be a dict from dataset to bound"
    assert sorted(bounds) == sorted(tf["dataset"].unique()), (
        "bounds must have one entry per dataset of the full transfer matrix"
    )


@test_case()
def test_bounds(bounds, tf):
    tree = tf[tf["target"] == "decision_tree"]
    for ds, g in tree.groupby("dataset"):
        assert ds in bounds, f"bounds has no entry {ds!r}"
        want = (1 + float(g["train_acc_mean"].iloc[0]) - float(g["test_acc_mean"].iloc[0])) / 2
        assert np.isclose(float(bounds[ds]), want, atol=1e-6), (
            f"the bound on {ds} is wrong: what does the tree answer to a member, and to a "
            "non-member?"
        )
