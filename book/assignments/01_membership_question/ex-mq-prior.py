"""Autograder check of exercise ex-mq-prior (chapter 1): an unbalanced evaluation set."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "ex-mq-prior"
points = 2
ANSWER = {"sel": "indices into the evaluation records: 100 members and all 1,200 non-members"}
WRONG = "sel = np.arange(1300)"


@test_case()
def test_counts(sel, is_member):
    sel = np.asarray(sel)
    assert sel.ndim == 1 and len(np.unique(sel)) == len(sel), "sel must list distinct indices"
    assert np.sum(is_member[sel] == 1) == 100, "sel must hold exactly 100 members"


@test_case()
def test_all_non_members(sel, is_member):
    sel = np.asarray(sel)
    assert set(sel[is_member[sel] == 0]) == set(np.flatnonzero(is_member == 0)), (
        "sel must hold every non-member"
    )
