"""Every replication on its smoke profile (seconds, built-in data and Locations): rows,
keys, and what each replication promises about its design."""

from __future__ import annotations

import numpy as np
import pytest

from mia_lib.attacks import ShokriAttack, attack_model_of
from mia_lib.datasets import load_dataset
from mia_lib.experiments import EXPERIMENTS, load_profile, run_experiment
from mia_lib.experiments.truex import transfer_matrix
from mia_lib.pipeline import run_attack, stage_seeds
from mia_lib.seeding import int_seed, spawn

RATES = ("precision", "recall", "accuracy", "auc", "tpr_at_1pct_fpr", "fpr", "train_acc")


class _Smoke(dict):
    """Each replication's smoke result, run the first time a test asks for it (so that no
    single test pays for all ten)."""

    def __missing__(self, name):
        self[name] = run_experiment(name, "smoke", seed=0)
        return self[name]


@pytest.fixture(scope="module")
def smoke(mia_data_dir_module):
    return _Smoke()


@pytest.fixture(scope="module")
def mia_data_dir_module():
    import os

    if not os.environ.get("MIA_DATA_DIR"):
        pytest.skip("MIA_DATA_DIR is not set (the Salem smoke profiles use Locations)")


@pytest.fixture(scope="module")
def digits():
    d = load_dataset("digits")
    return d.X, d.y, d.n_classes


@pytest.mark.parametrize("name", sorted(EXPERIMENTS))
def test_rows_have_unique_keys_and_valid_rates(smoke, name):
    rows = smoke[name]["results"]["rows"]
    keys = [r["key"] for r in rows]
    assert rows and len(set(keys)) == len(keys)
    for r in rows:
        for col, v in r.items():
            base = col.removesuffix("_mean")
            if base in RATES and v is not None:
                assert 0.0 <= v <= 1.0, (r["key"], col, v)
            if col.endswith("_std"):
                assert v >= 0.0


def test_shokri_rows_carry_one_report_shape(smoke):
    fields = {
        tuple(sorted(k for k in r if k in RATES or k.startswith("tpr_")))
        for name in ("shokri_datasets", "shokri_n_classes", "shokri_gap", "shokri_cifar_size")
        for r in smoke[name]["results"]["rows"]
    }
    assert len(fields) == 1  # the same metric fields everywhere (the pipeline's report)


def test_gap_rows_one_per_model(smoke):
    rows = smoke["shokri_gap"]["results"]["rows"]
    assert [r["model"] for r in rows] == ["mlp", "logistic_regression"]
    for r in rows:
        assert r["gap"] == pytest.approx(r["train_acc"] - r["test_acc"])


def test_transfer_is_a_full_matrix_with_seed_statistics(smoke):
    rows = smoke["truex_transfer"]["results"]["rows"]
    types = load_profile("truex_transfer", "smoke").options["types"]
    assert {(r["target"], r["attacker"]) for r in rows} == {(t, a) for t in types for a in types}
    for r in rows:
        assert r["n_seeds"] == 2 and len(r["accuracy_by_seed"]) == 2
        assert r["accuracy_mean"] == pytest.approx(np.mean(r["accuracy_by_seed"]))
    for t in types:  # the same target whoever attacks it
        assert len({r["train_acc_mean"] for r in rows if r["target"] == t}) == 1


def test_a_transfer_cell_is_the_pipelines_run(digits):
    X, y, k = digits
    types = ["logistic_regression", "naive_bayes"]
    rows = transfer_matrix(X, y, k, types=types, target_size=300, n_shadows=1, random_state=4)
    seed = int_seed(stage_seeds(4)[2])
    for t in types:
        for a in types:
            attack = ShokriAttack(attack_model=attack_model_of(a, seed), random_state=seed)
            res = run_attack(
                X, y, k, target_size=300, model=t, shadow_model=a, n_shadows=1,
                attack=attack, baseline=False, random_state=4,
            )  # fmt: skip
            cell = next(r for r in rows if (r["target"], r["attacker"]) == (t, a))
            assert cell["auc"] == pytest.approx(res.attack.auc)
            assert cell["train_acc"] == res.target.train_acc


def test_knowledge_without_noise_is_the_plain_attack(smoke, digits):
    X, y, k = digits
    rows = smoke["truex_knowledge"]["results"]["rows"]
    zero = next(r for r in rows if r.get("noise") == 0.0)
    e = load_profile("truex_knowledge", "smoke").datasets["digits"]
    rep = spawn(spawn(0, 2)[0], e.seeds)[0]
    plain = run_attack(
        X, y, k, target_size=e.target_size, model=e.model, model_params=e.params,
        n_shadows=e.n_shadows, random_state=rep,
    )  # fmt: skip
    assert zero["accuracy_mean"] == pytest.approx(plain.attack.accuracy)
    noisy = next(r for r in rows if r.get("noise") == 0.5)
    assert noisy["n_noisy_features"] == 32 and noisy["n_features"] == 64


def test_data_factors_measure_the_in_class_std(smoke):
    rows = smoke["truex_data_factors"]["results"]["rows"]
    assert {r["kind"] for r in rows} == {"synthetic"}
    by_std = {}
    for r in rows:
        by_std.setdefault(r["n_classes"], []).append((r["cluster_std"], r["in_class_std"]))
    for series in by_std.values():  # the measured std follows the generator's
        stds = [m for _, m in sorted(series)]
        assert stds == sorted(stds)


def test_adversary1_parts(smoke):
    rows = smoke["salem_adversary1"]["results"]["rows"]
    parts = {p: [r for r in rows if r["part"] == p] for p in ("k_shadows", "hyperparameters")}
    prof = load_profile("salem_adversary1", "smoke")
    assert len(parts["k_shadows"]) == prof.seeds * len(prof.options["ks"]) * 2
    assert {r["shadow"] for r in parts["hyperparameters"]} == set(prof.options["variants"])
    combined = [r for r in rows if r["part"] == "combined"]
    kinds = prof.options["combined_kinds"]
    assert {(r["target_model"], r["shadow"]) for r in combined} == {
        (t, s) for t in kinds for s in [*kinds, "combined"]
    }


def test_data_transfer_has_every_pair(smoke):
    rows = smoke["salem_data_transfer"]["results"]["rows"]
    names = ["digits", "locations"]
    assert [r["key"] for r in rows] == [f"{a}->{b}" for a in names for b in names]


def test_threshold_adversaries_and_roc(smoke):
    rows = smoke["salem_threshold"]["results"]["rows"]
    for r in rows:
        roc = r["roc"]
        assert len(roc["fpr"]) == 101 and roc["tpr"][-1] == 1.0
        assert all(a <= b for a, b in zip(roc["tpr"], roc["tpr"][1:], strict=False))
    noise = [r for r in rows if r["adversary"] == "3 reference"]
    assert all(r["n_threshold_queries"] == 200 for r in noise)


def test_same_seed_reproduces(smoke):
    again = run_experiment("salem_data_transfer", "smoke", seed=0)
    assert again["results"]["rows"] == smoke["salem_data_transfer"]["results"]["rows"]


def test_n_reference_models_rows_per_k_and_the_records(smoke):
    from mia_lib.experiments.modern import REFERENCE_ATTACKS, ROC_FPRS

    res = smoke["n_reference_models"]
    rows = res["results"]["rows"]
    ks = load_profile("n_reference_models", "smoke").options["ks"]
    got = {(r["k"], r["attack"]) for r in rows}
    assert got == {(0, "attack_p")} | {(k, a) for k in ks for a in REFERENCE_ATTACKS}
    for r in rows:
        assert len(r["roc"]["fpr"]) == len(ROC_FPRS)
        assert r["false_positives_allowed"]["0.1%"] == r["n_non_members"] // 1000
        assert r["tpr_at_0_01pct_fpr"] <= r["tpr_at_0_1pct_fpr"] <= r["tpr_at_1pct_fpr"]
    rec = res["results"]["records"]["digits"]
    assert len(rec["index"]) == len(rec["score"]) == 2 * rows[0]["target_size"]
    assert sum(rec["member"]) == rows[0]["target_size"]


def test_dimensionality_rows(smoke):
    rows = smoke["dimensionality"]["results"]["rows"]
    prof = load_profile("dimensionality", "smoke")
    for key, e in prof.datasets.items():
        mine = [r for r in rows if r["dataset"] == key]
        dims = e.options["dims"]
        n_std = len(e.options.get("stds", [None]))
        assert len(mine) == len(dims) * n_std * e.seeds
        assert sorted({r["n_features"] for r in mine}) == sorted(dims)
    for r in rows:
        assert r["n_reference"] == prof.options["n_reference"]
        assert 0 <= r["lira_tpr_at_0_1pct_fpr"] <= r["lira_tpr_at_1pct_fpr"] <= 1
