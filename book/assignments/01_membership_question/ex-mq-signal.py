"""Autograder check of exercise ex-mq-signal (chapter 1): the loss as the signal."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "ex-mq-signal"
points = 1
ANSWER = {"loss_scores": "the scores of ThresholdAttack('loss') on the evaluation records"}
WRONG = "loss_scores = P.max(axis=1)"


@test_case()
def test_scores(loss_scores, P, y_eval):
    s = np.asarray(loss_scores, dtype=float)
    assert s.shape == (len(P),), f"one score per evaluation record: shape {(len(P),)}"
    from scipy.stats import spearmanr

    true_class = P[np.arange(len(P)), y_eval]
    assert spearmanr(s, true_class).statistic > 0.999, (
        "the scores must rank the records by the loss of their true class (lower loss, "
        "higher score)"
    )
