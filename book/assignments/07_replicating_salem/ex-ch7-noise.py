"""Autograder check of exercise ex-ch7-noise (chapter 7): random inputs from the marginals."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "ex-ch7-noise"
points = 3
ANSWER = {
    "t_adult": "the Adult target of the salem_threshold quick profile",
    "marginal": "random inputs, each feature drawn independently from its values among "
    "the attacker's own records (t_adult's pool)",
    "quant": "dict: 'uniform', 'marginals', 'real non-members' -> t_adult's highest "
    "posteriors on uniform random inputs, on `marginal` and on its non-members",
}
WRONG = """\
adult = load_dataset("adult")
a_entry = load_profile("salem_threshold", "quick").datasets["adult"]
t_adult = train_target(adult.X, adult.y, adult.n_classes,
                       target_size=a_entry.target_size, model=a_entry.model,
                       model_params=a_entry.params, random_state=target_seed)
uniform = random_queries(t_adult.X.shape[1:], 1000, random_state=SEED)
rng = np.random.default_rng(SEED)
pool = t_adult.X[t_adult.pool]
marginal = pool[rng.integers(0, len(pool), 1000)]
non_members = t_adult.answers[t_adult.membership == 0].max(axis=1)
quant = {"uniform": t_adult.blackbox.query(uniform).max(axis=1),
         "marginals": t_adult.blackbox.query(marginal).max(axis=1),
         "real non-members": non_members}"""


@test_case()
def test_target(t_adult):
    from mia_lib.datasets import load_dataset
    from mia_lib.experiments import load_profile

    entry = load_profile("salem_threshold", "quick").datasets["adult"]
    summary = getattr(t_adult, "summary", None)
    assert summary is not None, "t_adult must be a trained target (train_target)"
    n = len(load_dataset("adult").y)
    assert t_adult.n_classes == 2 and summary.n_records == n, "t_adult must be on Adult"
    assert summary.target_size == entry.target_size, "use the quick profile's target size"
    assert t_adult.model_params == entry.params, "use the quick profile's model parameters"


@test_case()
def test_marginal(marginal, t_adult):
    M = np.asarray(marginal, dtype=float)
    pool = t_adult.X[t_adult.pool]
    assert M.ndim == 2 and M.shape[1] == pool.shape[1] and len(M) >= 100, (
        "marginal must hold at least 100 inputs with Adult's features"
    )
    for j in range(M.shape[1]):
        assert np.all(np.isin(M[:, j], pool[:, j])), (
            f"feature {j} of marginal takes values it never takes in the attacker's records"
        )
    seen = {row.tobytes() for row in pool}
    copied = np.mean([row.tobytes() in seen for row in M.astype(pool.dtype)])
    assert copied < 0.5, (
        f"{copied:.0%} of marginal's inputs are whole records of the pool: draw every "
        "feature independently"
    )


@test_case()
def test_quant(quant, marginal, t_adult, SEED):
    from mia_lib.synthesis import random_queries

    keys = ["marginals", "real non-members", "uniform"]
    assert isinstance(quant, dict) and sorted(quant) == keys, f"quant must have keys {keys}"
    bb = t_adult.blackbox
    want = bb.query(np.asarray(marginal, dtype=t_adult.X.dtype)).max(axis=1)
    assert np.allclose(np.asarray(quant["marginals"], dtype=float), want), (
        "quant['marginals'] must be t_adult's highest posteriors on marginal"
    )
    non = t_adult.answers[t_adult.membership == 0].max(axis=1)
    got = np.sort(np.asarray(quant["real non-members"], dtype=float))
    assert got.shape == non.shape and np.allclose(got, np.sort(non)), (
        "quant['real non-members'] must be t_adult's highest posteriors on its non-members"
    )
    u = np.asarray(quant["uniform"], dtype=float)
    ref = bb.query(random_queries(t_adult.X.shape[1:], 1000, random_state=SEED)).max(axis=1)
    assert u.ndim == 1 and len(u) >= 100, "quant['uniform'] needs one value per random input"
    assert abs(np.quantile(u, 0.5) - np.quantile(ref, 0.5)) < 0.01, (
        "quant['uniform'] must be t_adult's highest posteriors on uniform random inputs"
    )
