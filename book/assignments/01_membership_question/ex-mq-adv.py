"""Autograder check of exercise ex-mq-adv (chapter 1): the TPR and FPR of the guesses."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "ex-mq-adv"
points = 2
ANSWER = {
    "tpr": "true-positive rate of `guess` (the share of members guessed 'member')",
    "fpr": "false-positive rate of `guess` (the share of non-members guessed 'member')",
}
WRONG = "tpr = np.mean(guess == is_member)\nfpr = np.mean(guess[is_member == 1] == 0)"


@test_case()
def test_tpr(tpr, guess, is_member):
    assert np.isclose(float(tpr), np.mean(guess[is_member == 1])), "tpr is not the TPR of guess"


@test_case()
def test_accuracy_identity(tpr, fpr, accuracy):
    assert np.isclose((1 + float(tpr) - float(fpr)) / 2, accuracy), (
        "(1 + tpr - fpr) / 2 is not the accuracy of the balanced game"
    )
