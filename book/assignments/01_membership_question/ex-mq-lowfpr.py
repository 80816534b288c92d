"""Autograder check of exercise ex-mq-lowfpr (chapter 1): the threshold for 1% FPR."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "ex-mq-lowfpr"
points = 2
ANSWER = {
    "threshold": "the largest confidence threshold whose FPR is at most 1%",
    "recall_1pct": "the recall (TPR) at that threshold",
}
WRONG = "threshold = np.quantile(conf[is_member == 0], 0.99)\nrecall_1pct = 0.01"


@test_case()
def test_fpr_at_most_one_percent(threshold, conf, is_member):
    fpr = np.mean(conf[is_member == 0] >= float(threshold))
    assert fpr <= 0.01, f"at this threshold the FPR is {fpr:.4f}, above 1%"


@test_case()
def test_recall(threshold, recall_1pct, conf, is_member):
    assert np.isclose(float(recall_1pct), np.mean(conf[is_member == 1] >= float(threshold))), (
        "recall_1pct is not the recall at your threshold"
    )
    from mia_lib.metrics import tpr_at_fpr

    assert np.isclose(float(recall_1pct), tpr_at_fpr(is_member, conf, 0.01)), (
        "a lower threshold keeps the FPR at or below 1% and finds more members"
    )
