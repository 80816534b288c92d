"""Autograder check of exercise ex-ch2-no-gap (chapter 2): same labels, total leakage."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "ex-ch2-no-gap"
points = 3
ANSWER = {
    "Q": "the second model's posteriors on the Adult target's evaluation records",
    "guess": "a membership guess (1 = member) computed from Q alone",
}
WRONG = """\
P, y, member = targets["Adult"]
Q = np.eye(adult.n_classes)[P.argmax(axis=1)]
guess = (Q.max(axis=1) == 1.0).astype(int)
"""


@test_case()
def test_posteriors(Q, targets):
    P = np.asarray(targets["Adult"][0])
    Q = np.asarray(Q, dtype=float)
    assert Q.shape == P.shape, f"Q must have the shape of the Adult posteriors, {P.shape}"
    assert np.all(Q >= 0) and np.allclose(Q.sum(axis=1), 1), (
        "each row of Q must be a probability distribution"
    )
    assert np.array_equal(Q.argmax(axis=1), P.argmax(axis=1)), (
        "Q must predict exactly the labels the Adult target predicts"
    )


@test_case()
def test_reveals_membership(Q, targets):
    from mia_lib.metrics import auc

    member = targets["Adult"][2]
    a = auc(member, np.asarray(Q, dtype=float).max(axis=1))
    assert a > 0.99, (
        f"Q's confidence separates members from non-members with an AUC of {a:.3f} only: "
        "its answers must reveal membership"
    )


@test_case()
def test_guess(guess, targets):
    member = targets["Adult"][2]
    g = np.asarray(guess)
    assert g.shape == member.shape, f"one guess per record: shape {member.shape}"
    acc = np.mean(g.astype(int) == member)
    assert acc > 0.99, f"the guesses are right for {acc:.3f} of the records only"
