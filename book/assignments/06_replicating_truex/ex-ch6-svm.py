"""Autograder check of exercise ex-ch6-svm (chapter 6): SVMs in the transfer matrix."""

import itertools

from otter.test_files import test_case

OK_FORMAT = False
name = "ex-ch6-svm"
points = 1
ANSWER = {
    "svm_rows": "the rows of transfer_matrix on Locations for logistic regression, naive "
    "Bayes and svm (quick profile's target size and shadows)",
}
WRONG = """\
from mia_lib.experiments.truex import transfer_matrix

svm_rows = transfer_matrix(loc.X, loc.y, loc.n_classes, types=["svm"],
                           target_size=600, n_shadows=2, random_state=SEED)"""

TYPES = ["logistic_regression", "naive_bayes", "svm"]


@test_case()
def test_pairs(svm_rows):
    rows = list(svm_rows)
    assert all(isinstance(r, dict) for r in rows), "svm_rows must be transfer_matrix's rows"
    pairs = sorted((r["target"], r["attacker"]) for r in rows)
    assert pairs == sorted(itertools.product(TYPES, TYPES)), (
        "svm_rows must attack every target type with every attacker type, for logistic "
        "regression, naive Bayes and svm"
    )


@test_case()
def test_setting(svm_rows, loc, q_set):
    for r in svm_rows:
        assert r["n_records"] == len(loc.y) and r["n_classes"] == loc.n_classes, (
            "the matrix must be computed on Locations"
        )
        assert r["target_size"] == q_set["target_size"], "use the quick profile's target size"
