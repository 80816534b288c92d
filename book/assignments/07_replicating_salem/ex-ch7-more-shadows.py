"""Autograder check of exercise ex-ch7-more-shadows (chapter 7): paired differences, with CIs."""

import numpy as np
import pandas as pd
from otter.test_files import test_case

OK_FORMAT = False
name = "ex-ch7-more-shadows"
points = 3
ANSWER = {
    "paired": "table indexed by (profile, metric), profiles 'quick'/'full', metrics "
    "'precision'/'auc': columns mean, ci_low, ci_high of the per-repeat difference of "
    "Shokri's attack on Locations between k_max shadows and 1",
}
WRONG = """\
out = []
for prof, rows in [("quick", rq), ("full", rf)]:
    ks = rows[(rows["part"] == "k_shadows") & (rows["attack"] == "shokri")]
    for metric in ["precision", "auc"]:
        wide = ks.pivot_table(index="repeat", columns="n_shadows", values=metric)
        diff = wide[wide.columns.max()] - wide[1]
        t = ci_table(pd.DataFrame({"profile": prof, "metric": metric, "d": diff}),
                     ["profile", "metric"], "d")
        out.append(t)
paired = pd.concat(out, ignore_index=True).set_index(["profile", "metric"])"""


def _reference(rows, metric):
    from mia_lib.metrics import ci_table

    ks = rows[
        (rows["part"] == "k_shadows")
        & (rows["attack"] == "shokri")
        & (rows["dataset"] == "locations")
    ]
    wide = ks.pivot_table(index="repeat", columns="n_shadows", values=metric)
    diff = wide[wide.columns.max()] - wide[1]
    return ci_table(pd.DataFrame({"g": 0, "d": diff}), ["g"], "d").iloc[0]


@test_case()
def test_index(paired):
    idx = getattr(paired, "index", None)
    want = sorted((p, m) for p in ["quick", "full"] for m in ["precision", "auc"])
    assert idx is not None and sorted(idx) == want, (
        f"paired must be indexed by (profile, metric): {want}"
    )


@test_case()
def test_intervals(paired, rq, rf):
    for prof, rows in [("quick", rq), ("full", rf)]:
        for metric in ["precision", "auc"]:
            want = _reference(rows, metric)
            for c in ["mean", "ci_low", "ci_high"]:
                assert np.isclose(float(paired.loc[(prof, metric), c]), want[c]), (
                    f"the {c} of ({prof}, {metric}) is wrong: pair k_max with 1 shadow "
                    "within each repeat, for Shokri's attack on Locations"
                )
