"""Tests of the Truex et al. replications (smoke profile: seconds, built-in data)."""

from __future__ import annotations

import numpy as np
import pytest

from mia_lib.datasets import load_dataset
from mia_lib.experiments import EXPERIMENTS, run_experiment, shokri_attack_run
from mia_lib.experiments import truex as T
from mia_lib.papers import VERDICTS, claims_vs_ours

NAMES = ("truex_transfer", "truex_data_factors", "truex_knowledge")


pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def smoke(one_thread):
    return {name: run_experiment(name, "smoke", seed=0) for name in NAMES}


@pytest.fixture(scope="module")
def digits():
    d = load_dataset("digits")
    return d.X.reshape(len(d.X), -1), d.y, d.n_classes


def _check_rows(rows):
    keys = [r["key"] for r in rows]
    assert len(keys) == len(set(keys)), "row keys must be unique for --merge"
    for r in rows:
        for col, v in r.items():
            if col.split("_")[0] in ("accuracy", "auc", "precision", "recall") and col.endswith(
                "_mean"
            ):
                assert 0.0 <= v <= 1.0, (r["key"], col, v)
            if col.endswith("_std"):
                assert v >= 0.0


def test_registered_with_three_profiles():
    for name in NAMES:
        assert name in EXPERIMENTS
        assert EXPERIMENTS[name].profiles == ("smoke", "quick", "full")


def test_transfer_smoke_is_a_full_matrix(smoke):
    res = smoke["truex_transfer"]
    rows = res["results"]["rows"]
    types = T._TRANSFER["smoke"]["types"]
    assert len(rows) == len(types) ** 2
    assert {(r["target"], r["attacker"]) for r in rows} == {(t, a) for t in types for a in types}
    _check_rows(rows)
    for r in rows:
        assert r["n_seeds"] == 2 and len(r["accuracy_by_seed"]) == 2
        assert r["accuracy_mean"] == pytest.approx(np.mean(r["accuracy_by_seed"]))
    # the same target type has the same target accuracy whoever attacks it
    for t in types:
        accs = {round(r["test_acc_mean"], 12) for r in rows if r["target"] == t}
        assert len(accs) == 1
    eff = T.transfer_effects(rows)["digits"]
    assert eff["target_effect"] >= 0 and eff["attacker_effect"] >= 0
    assert eff["most_vulnerable"] in types


def test_matrix_cell_equals_shokri_attack_run_with_attacker_keywords(digits):
    X, y, k = digits
    cells = T.transfer_matrix(
        X,
        y,
        k,
        target_types=("decision_tree", "naive_bayes"),
        attacker_types=("logistic_regression",),
        target_size=200,
        n_shadows=1,
        seed=3,
    )
    for cell in cells:
        ref = shokri_attack_run(
            X,
            y,
            k,
            target_size=200,
            n_shadows=1,
            model=cell["target"],
            shadow_model="logistic_regression",
            attack_model=T.attack_model_of("logistic_regression", 3),
            seed=3,
        )
        for col in ("accuracy", "auc", "precision", "recall", "train_acc", "test_acc"):
            assert cell[col] == pytest.approx(ref[col], abs=1e-12), col


def test_transfer_matrix_seeds_reproduce(digits):
    X, y, k = digits
    kw = dict(
        target_types=("decision_tree",),
        attacker_types=("naive_bayes",),
        target_size=150,
        n_shadows=1,
    )
    a = T.transfer_matrix(X, y, k, seed=1, **kw)
    b = T.transfer_matrix(X, y, k, seed=1, **kw)
    c = T.transfer_matrix(X, y, k, seed=2, **kw)
    assert a == b
    assert a != c


def test_shokri_attack_run_keywords_default_unchanged_and_checked(digits):
    X, y, k = digits
    kw = dict(target_size=150, n_shadows=1, model="logistic_regression", seed=0)
    base = shokri_attack_run(X, y, k, **kw)
    same = shokri_attack_run(X, y, k, shadow_model="logistic_regression", shadow_X=X.copy(), **kw)
    for col in ("accuracy", "auc", "precision"):
        assert same[col] == base[col]
    with pytest.raises(ValueError, match="shadow_X must have the shape of X"):
        shokri_attack_run(X, y, k, shadow_X=X[:, :10], **kw)


@pytest.mark.parametrize("fraction", [0.0, 0.1, 0.25, 0.5, 1.0])
def test_noise_replaces_exactly_the_stated_fraction(fraction):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 40))
    Xn, feats = T.replace_features_with_noise(X, fraction, random_state=5)
    assert Xn.shape == X.shape and Xn.dtype == X.dtype
    assert len(feats) == round(fraction * 40) == len(set(feats.tolist()))
    keep = np.setdiff1d(np.arange(40), feats)
    assert np.array_equal(Xn[:, keep], X[:, keep])
    for j in feats:
        assert not np.array_equal(Xn[:, j], X[:, j])  # continuous data: a new draw
        assert np.isin(Xn[:, j], X[:, j]).all()  # from the feature's own marginal
    changed = np.flatnonzero((Xn != X).any(axis=0))
    assert np.array_equal(changed, feats)


def test_noise_on_images_keeps_shape_and_validates():
    X = np.random.default_rng(1).uniform(size=(30, 1, 4, 4)).astype(np.float32)
    Xn, feats = T.replace_features_with_noise(X, 0.5, random_state=0)
    assert Xn.shape == X.shape and Xn.dtype == np.float32 and len(feats) == 8
    a, _ = T.replace_features_with_noise(X, 0.5, random_state=0)
    assert np.array_equal(a, Xn)
    for bad in (-0.1, 1.5, "10%", True):
        with pytest.raises(ValueError, match="fraction"):
            T.replace_features_with_noise(X, bad)
    with pytest.raises(ValueError, match="records of features"):
        T.replace_features_with_noise(np.arange(5.0), 0.1)


def test_knowledge_zero_noise_equals_the_noise_free_attack(smoke, digits):
    X, y, k = digits
    rows = smoke["truex_knowledge"]["results"]["rows"]
    _check_rows(rows)
    cfg = T._KNOWLEDGE["smoke"]
    noise = {r["noise"]: r for r in rows if r["experiment"] == "noise"}
    assert set(noise) == set(cfg["noise"])
    assert noise[0.0]["n_noisy_features"] == 0
    assert noise[0.5]["n_noisy_features"] == 32 == round(0.5 * X.shape[1])
    d = cfg["datasets"]["digits"]
    ref = shokri_attack_run(
        X,
        y,
        k,
        target_size=d["target_size"],
        n_shadows=cfg["n_shadows"],
        model="mlp",
        model_params=d["params"],
        seed=0,
    )
    assert noise[0.0]["accuracy_mean"] == pytest.approx(ref["accuracy"], abs=1e-12)
    assert noise[0.0]["auc_mean"] == pytest.approx(ref["auc"], abs=1e-12)
    sizes = {r["shadow_size"]: r for r in rows if r["experiment"] == "shadow_size"}
    assert set(sizes) == set(cfg["sizes"])
    # shadows as large as the target are the default: the same attack as without noise
    assert sizes[d["target_size"]]["accuracy_mean"] == noise[0.0]["accuracy_mean"]


def test_data_factors_smoke_measures_in_class_std(smoke):
    res = smoke["truex_data_factors"]
    rows = res["results"]["rows"]
    _check_rows(rows)
    sc = T._FACTORS["smoke"]["synthetic"]
    assert len(rows) == len(sc["classes"]) * len(sc["stds"])
    for r in rows:
        assert r["kind"] == "synthetic"
        assert r["in_class_std"] == pytest.approx(r["cluster_std"], rel=0.05)
        assert 0 < r["relative_in_class_std"] <= 1.05


def test_in_class_std_scale_and_definition():
    d = load_dataset("synthetic", n_samples=2000, n_classes=4, cluster_std=2.0, random_state=0)
    s = T.in_class_std(d.X, d.y)
    assert s == pytest.approx(2.0, rel=0.05)
    assert T.in_class_std(3 * d.X, d.y) == pytest.approx(3 * s, rel=1e-6)
    assert T.relative_in_class_std(3 * d.X, d.y) == pytest.approx(
        T.relative_in_class_std(d.X, d.y), rel=1e-6
    )
    with pytest.raises(ValueError, match="one label per record"):
        T.in_class_std(d.X, d.y[:10])


def test_bad_options_give_clear_errors(digits):
    X, y, k = digits
    with pytest.raises(ValueError, match="not in profile"):
        run_experiment("truex_transfer", "smoke", datasets=["adult"])
    with pytest.raises(ValueError, match="not in profile"):
        run_experiment("truex_data_factors", "smoke", datasets=["cifar10"])
    with pytest.raises(ValueError, match="model types among"):
        T.transfer_matrix(X, y, k, target_types=("resnet",), target_size=100, n_shadows=1)
    with pytest.raises(ValueError, match="unknown attack model type"):
        T.attack_model_of("cnn")
    with pytest.raises(ValueError, match="unknown profile"):
        T.truex_knowledge(profile="huge")
    with pytest.raises(ValueError, match="metric"):
        T.transfer_effects([], metric="f1")


def test_merge_updates_rows_in_place(tmp_path, smoke):
    first = run_experiment("truex_knowledge", "smoke", out_dir=tmp_path)
    again = run_experiment("truex_knowledge", "smoke", out_dir=tmp_path, merge=True)
    keys = [r["key"] for r in first["results"]["rows"]]
    assert [r["key"] for r in again["results"]["rows"]] == keys
    assert len(again["provenance"]["runs"]) == 1  # the first run's rows were all replaced
    # seeds reproduce: the same numbers as the module's smoke run
    ref = {r["key"]: r["accuracy_mean"] for r in smoke["truex_knowledge"]["results"]["rows"]}
    assert {r["key"]: r["accuracy_mean"] for r in again["results"]["rows"]} == ref


def _effects(target, attacker):
    return {"d": {"target_effect": target, "attacker_effect": attacker, "within_target_range": 0}}


def test_transfer_verdict_rules():
    assert T.judge_target_type(_effects(0.2, 0.0))[1] == "reproduced"
    assert T.judge_target_type(_effects(0.01, 0.0))[1] == "not reproduced"
    assert T.judge_interchangeable(_effects(0.2, 0.1))[1] == "reproduced"
    assert T.judge_interchangeable(_effects(0.2, 0.15))[1] == "not reproduced"
    both = {**_effects(0.2, 0.05), "e": _effects(0.2, 0.19)["d"]}
    assert T.judge_interchangeable(both)[1] == "partly reproduced"


def _krow(exp, x, acc, name="d"):
    return {"experiment": exp, "dataset": name, exp: x, "accuracy_mean": acc}


def test_knowledge_verdict_rules():
    good = [_krow("noise", 0.0, 0.9), _krow("noise", 0.1, 0.89), _krow("noise", 0.5, 0.6)]
    assert T.judge_feature_noise(good)[1] == "reproduced"
    bad = [_krow("noise", 0.0, 0.9), _krow("noise", 0.1, 0.7)]
    assert T.judge_feature_noise(bad)[1] == "not reproduced"
    chance = [_krow("noise", 0.0, 0.52), _krow("noise", 0.1, 0.52)]
    assert T.judge_feature_noise(chance)[1] == "not testable here"
    rising = [
        _krow("shadow_size", 100, 0.6),
        _krow("shadow_size", 300, 0.7),
        _krow("shadow_size", 900, 0.8),
    ]
    assert T.judge_shadow_size(rising)[1] == "reproduced"
    flat = [_krow("shadow_size", 100, 0.8), _krow("shadow_size", 900, 0.805)]
    assert T.judge_shadow_size(flat)[1] == "not reproduced"


def _frow(kind, k, std, acc, name=None, cluster_std=None):
    r = {
        "kind": kind,
        "dataset": name or f"{kind}-{k}",
        "n_classes": k,
        "in_class_std": std,
        "relative_in_class_std": std,
        "accuracy_mean": acc,
    }
    if cluster_std is not None:
        r["cluster_std"] = cluster_std
    return r


def test_data_factor_verdict_rules():
    syn = [
        _frow("synthetic", c, s, 0.5 + 0.01 * c + 0.05 * s, "synthetic", s)
        for c in (2, 10, 20)
        for s in (0.5, 2.0, 4.0)
    ]
    loc = [_frow("locations_k", k, 0.3 - 0.001 * k, 0.6 + 0.01 * k) for k in (2, 10, 30)]
    text, verdict = T.judge_n_classes(syn + loc)
    assert verdict == "reproduced" and "Locations-k" in text
    # in the real data the std falls while the accuracy rises: only the synthetic part holds
    assert T.judge_in_class_std(syn + loc)[1] == "partly reproduced"
    assert T.judge_equal_std(loc)[1] == "partly reproduced"  # analogue: at most partly
    far = [_frow("locations_k", 2, 0.5, 0.6), _frow("locations_k", 10, 0.2, 0.9)]
    assert T.judge_equal_std(far)[1] == "not testable here"
    cifar = _frow("real", 10, 0.2, 0.95, "cifar10")
    assert T.judge_cifar_critique(loc + [cifar])[1] == "partly reproduced"
    cifar_low = _frow("real", 10, 0.2, 0.5, "cifar10")
    assert T.judge_cifar_critique(loc + [cifar_low])[1] == "not reproduced"
    assert T.judge_cifar_critique(loc)[1] == "not testable here"


def test_verdicts_feed_the_claims_table(smoke):
    rows = smoke["truex_transfer"]["results"]["rows"]
    eff = T.transfer_effects(rows)
    table = claims_vs_ours(
        [
            ("truex2018", "target_type", *T.judge_target_type(eff)),
            ("truex2018", "attacker_types_interchangeable", *T.judge_interchangeable(eff)),
        ]
    )
    assert set(table["verdict"]) <= set(VERDICTS)
    assert table["ours"].str.contains("digits").all()
