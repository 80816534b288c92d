"""Autograder check of exercise ex-ch13-overlap (chapter 13): the most exposed members
under LiRA and under RMIA."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "ex-ch13-overlap"
points = 3
ANSWER = {
    "overlap": "the number of members among both the 100 highest online-LiRA scores and "
    "the 100 highest offline-RMIA scores (an int)",
}
WRONG = (  # sorted ascending: the 100 least exposed members
    "is_member = m == 1\n"
    "overlap = len(set(np.argsort(lira_scores['LiRA online'][is_member])[:100])\n"
    "              & set(np.argsort(modern['RMIA offline'][is_member])[:100]))"
)


@test_case()
def test_overlap(overlap, m, lira_scores, modern):
    members = np.asarray(m) == 1
    lira = np.asarray(lira_scores["LiRA online"])[members]
    rmia = np.asarray(modern["RMIA offline"])[members]
    top_lira = set(np.argsort(-lira, kind="stable")[:100])
    top_rmia = set(np.argsort(-rmia, kind="stable")[:100])
    want = len(top_lira & top_rmia)
    assert 0 <= int(overlap) <= 100, "overlap counts records of two sets of 100"
    assert int(overlap) == want, (
        "overlap is not the number of members shared by the two top-100 sets (rank the "
        "members only, by each attack's score)"
    )
