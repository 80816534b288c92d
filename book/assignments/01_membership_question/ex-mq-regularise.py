"""Autograder check of exercise ex-mq-regularise (chapter 1): weight decay."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "ex-mq-regularise"
points = 1
ANSWER = {
    "t2": "the target's recipe retrained with weight_decay=1e-3 on the same records",
    "r2": "the `evaluate` report of the confidence attack on t2",
}
WRONG = "t2 = target\nr2 = report"


@test_case()
def test_recipe(t2, target):
    assert getattr(t2, "weight_decay", None) == 1e-3, "t2 must use weight_decay=1e-3"
    for p in ("hidden_layer_sizes", "activation", "epochs", "learning_rate", "batch_size"):
        assert getattr(t2, p) == getattr(target, p), f"t2 must keep the target's {p}"
    assert hasattr(t2, "classes_"), "t2 must be fitted"


@test_case()
def test_report(t2, r2, data, eval_idx, is_member):
    from mia_lib.metrics import evaluate

    want = evaluate(is_member, t2.predict_proba(data.X[eval_idx]).max(axis=1)).auc
    assert np.isclose(r2.auc, want, atol=1e-6), "r2 is not the confidence attack on t2"
