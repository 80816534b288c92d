"""Autograder check of exercise ex-ch4-global (chapter 4): global marginals."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "ex-ch4-global"
points = 2
ANSWER = {
    "p_global": "the share of ones of each feature in the attacker's pool X_pool",
    "X_glob": "records sampled from these global marginals",
    "y_glob": "their labels: the target's predictions",
    "att_glob": "the attack shadow_attack returns for (X_glob, y_glob)",
    "row_glob": "the row (dict) shadow_attack returns with it",
}
WRONG = """\
rng = np.random.default_rng(SEED)
p_global = X_pool.mean(axis=0)
X_glob = (rng.random((len(y_pool), d)) < p_global).astype(np.float32)
y_glob = y_pool
att_glob, _, row_glob = shadow_attack(X_glob, y_glob)
"""


@test_case()
def test_marginals(p_global, X_pool):
    p = np.asarray(p_global, dtype=float)
    assert p.shape == (X_pool.shape[1],), "p_global must hold one share per feature"
    assert np.allclose(p, X_pool.mean(axis=0)), "p_global is not the pool's share of ones"


@test_case()
def test_records(X_glob, p_global, d):
    X = np.asarray(X_glob, dtype=float)
    assert X.ndim == 2 and X.shape[1] == d, f"X_glob must have {d} columns"
    assert np.isin(X, (0, 1)).all(), "X_glob must be binary"
    err = np.abs(X.mean(axis=0) - np.asarray(p_global, dtype=float)).mean()
    assert err < 0.02, "the share of ones of X_glob's features does not follow p_global"


@test_case()
def test_labels(X_glob, y_glob, target):
    from mia_lib.query import BlackBox

    want = BlackBox(target).query(np.asarray(X_glob, dtype=np.float32)).argmax(axis=1)
    assert np.array_equal(np.asarray(y_glob), want), (
        "y_glob must be the target's predicted labels of X_glob"
    )


@test_case()
def test_row(att_glob, row_glob, is_member, P_eval, y_eval):
    from mia_lib.metrics import evaluate

    r = evaluate(
        is_member,
        att_glob.score_samples(P_eval, labels=y_eval),
        predicted=att_glob.predict(P_eval, labels=y_eval),
    )
    for key, value in [("precision", r.precision), ("recall", r.recall), ("AUC", r.auc)]:
        assert np.isclose(float(row_glob[key]), value), (
            f"row_glob's {key} is not that of att_glob on the target's records"
        )
