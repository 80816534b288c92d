"""Autograder check of exercise ex-ch2-correctness (chapter 2): accuracy = (1 + gap) / 2."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "ex-ch2-correctness"
points = 2
ANSWER = {
    "acc": "accuracy of the correctness attack on the Adult target (the last of `targets`)",
    "gap": "the Adult target's gap, from its posteriors: train minus test accuracy",
}
WRONG = (
    'P, y, member = targets["Adult"]\n'
    "acc = np.mean(P.argmax(axis=1) == y)\n"
    'gap = final_adult["gap"]'
)


def _adult(targets):
    P, y, member = targets["Adult"]
    right = np.asarray(P).argmax(axis=1) == np.asarray(y)
    return right, np.asarray(member)


@test_case()
def test_accuracy(acc, targets):
    right, member = _adult(targets)
    want = np.mean(right.astype(int) == member)
    assert np.isclose(float(acc), want, rtol=0, atol=1e-9), (
        "acc is not the accuracy of the guess 'member iff classified correctly' on the "
        "Adult target's evaluation records"
    )


@test_case()
def test_gap(gap, targets):
    right, member = _adult(targets)
    want = right[member == 1].mean() - right[member == 0].mean()
    assert np.isclose(float(gap), want, rtol=0, atol=1e-9), (
        "gap is not the Adult target's train accuracy minus its test accuracy"
    )


@test_case()
def test_identity(acc, gap):
    assert np.isclose(float(acc), (1 + float(gap)) / 2, rtol=0, atol=1e-9), (
        "acc and gap do not satisfy accuracy = (1 + gap) / 2"
    )
