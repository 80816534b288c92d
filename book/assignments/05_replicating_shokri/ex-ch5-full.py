"""Autograder check of exercise ex-ch5-full (chapter 5): the full profile's stored result."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "ex-ch5-full"
points = 3
ANSWER = {
    "prov": "the provenance of the stored full shokri_n_classes result",
    "both": "a table of the attack precision per number of classes: columns quick and full",
}
WRONG = """\
res = load_result("shokri_n_classes", "full")
prov = res["provenance"]
both = pd.DataFrame({"quick": nc["precision"], "full": ncf["precision"]}).dropna()"""


@test_case()
def test_provenance(prov):
    from mia_lib.experiments import load_result

    want = load_result("shokri_n_classes", "full")["provenance"]
    assert isinstance(prov, dict), "prov must be the result's provenance (a dict)"
    assert prov == want, "prov is not the provenance of the stored full result"


@test_case()
def test_table(both, nc, ncf):
    cols = list(getattr(both, "columns", []))
    assert "quick" in cols and "full" in cols, "both must have the columns quick and full"
    keys = sorted(set(nc.index) | set(ncf.index))
    assert sorted(both.index) == keys, (
        "both must have a row for every number of classes of either profile"
    )
    for col, df in [("quick", nc), ("full", ncf)]:
        got = both[col].reindex(keys).to_numpy(dtype=float)
        want = df["precision"].reindex(keys).to_numpy(dtype=float)
        assert np.allclose(got, want, equal_nan=True), (
            f"the {col} column is not that profile's attack precision"
        )
