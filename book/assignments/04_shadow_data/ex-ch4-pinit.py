"""Autograder check of exercise ex-ch4-pinit (chapter 4): sparse starting records."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "ex-ch4-pinit"
points = 1
ANSWER = {
    "sparse": "the ModelBasedSynthesizer starting from the real density (a fixed random_state)",
    "X_sparse": "its synthetic records",
    "y_sparse": "their labels",
    "row_sparse": "the row (dict) shadow_attack returns for (X_sparse, y_sparse)",
}
WRONG = """\
sparse = ModelBasedSynthesizer(n_per_class, p_init=0.12, random_state=SEED)
X_sparse, y_sparse = sparse.generate(BlackBox(target), d, n_classes=data.n_classes)
_, _, row_sparse = shadow_attack(X_model, y_model)
"""

COLS = ["precision", "recall", "AUC"]


@test_case()
def test_synthesizer(sparse, data):
    from mia_lib.hillclimb import ModelBasedSynthesizer

    assert isinstance(sparse, ModelBasedSynthesizer), "sparse must be a ModelBasedSynthesizer"
    density = float(data.X.mean())
    assert abs(sparse.p_init - density) < 0.02, (
        f"sparse must start from records with the real density (about {density:.2f} ones)"
    )


@test_case()
def test_records(sparse, X_sparse, y_sparse, target, d, data):
    from sklearn.base import clone

    from mia_lib.query import BlackBox

    X, y = np.asarray(X_sparse), np.asarray(y_sparse)
    assert X.ndim == 2 and X.shape == (len(y), d), "X_sparse must hold one row per label"
    X_ref, y_ref = clone(sparse).generate(BlackBox(target), d, n_classes=data.n_classes)
    assert np.array_equal(X, X_ref) and np.array_equal(y, y_ref), (
        "X_sparse, y_sparse are not what sparse synthesises against the target's black "
        "box (give sparse a fixed random_state)"
    )


@test_case()
def test_row(row_sparse, results):
    got = np.array([float(row_sparse[c]) for c in COLS])
    assert np.all((got >= 0) & (got <= 1)), "precision, recall and AUC lie in [0, 1]"
    gap = row_sparse["shadow train acc"] - row_sparse["shadow test acc"]
    assert np.isclose(row_sparse["shadow gap"], gap), "row_sparse is not a shadow_attack row"
    old = results.loc["model-based", COLS].astype(float).to_numpy()
    assert np.abs(got - old).max() > 1e-9, (
        "row_sparse is the attack with the p_init=0.5 records: attack with the new ones"
    )
