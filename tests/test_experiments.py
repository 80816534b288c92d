"""Tests of mia_lib.experiments and the command line (smoke profile: seconds, built-in data)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from mia_lib import experiments
from mia_lib.__main__ import main
from mia_lib.datasets import recluster_labels
from mia_lib.experiments import (
    EXPERIMENTS,
    load_result,
    result_path,
    run_experiment,
    write_result,
)

pytestmark = pytest.mark.usefixtures("one_thread")


PROVENANCE_KEYS = {"git", "date", "machine", "duration_s", "profile", "seed", "datasets"}


def test_registry_has_shokri_replications_with_profiles():
    assert {"shokri_datasets", "shokri_n_classes", "shokri_gap"} <= set(EXPERIMENTS)
    for exp in EXPERIMENTS.values():
        assert {"quick", "full"} <= set(exp.profiles)


def test_cli_list(capsys):
    assert main(["replicate", "--list"]) == 0
    out = capsys.readouterr().out
    assert "shokri_datasets" in out and "shokri_n_classes" in out


def test_cli_unknown_name_exits_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["replicate", "no_such_thing"])
    assert exc.value.code == 2
    assert "unknown replication 'no_such_thing'" in capsys.readouterr().err


def test_cli_unknown_profile_and_option_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["replicate", "shokri_datasets", "--profile", "huge"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["replicate", "shokri_n_classes", "--profile", "smoke", "--datasets", "adult"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["replicate", "shokri_datasets", "--profile", "smoke", "--datasets", "texas"])
    assert exc.value.code == 2
    assert "not in profile" in capsys.readouterr().err


def test_run_experiment_errors():
    with pytest.raises(KeyError):
        run_experiment("nope")
    with pytest.raises(ValueError):
        run_experiment("shokri_datasets", "huge")


def test_smoke_run_writes_json_with_provenance(tmp_path, capsys):
    assert (
        main(
            [
                "replicate",
                "shokri_datasets",
                "--profile",
                "smoke",
                "--out",
                str(tmp_path),
                "--no-progress",
            ]
        )
        == 0
    )
    path = result_path("shokri_datasets", "smoke", tmp_path)
    assert path.is_file()
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left
    res = json.loads(path.read_text())
    assert res["name"] == "shokri_datasets" and res["profile"] == "smoke"
    prov = res["provenance"]
    assert PROVENANCE_KEYS <= set(prov)
    assert {"platform", "cpu_count"} <= set(prov["machine"])
    assert prov["profile"] == "smoke" and prov["seed"] == 0 and prov["duration_s"] >= 0
    assert "commit" in prov["git"]
    assert prov["datasets"]["digits"]["lossy"] is False
    assert prov["datasets"]["digits"]["partial"] is False
    row = res["results"]["rows"][0]
    for key in ("train_acc", "test_acc", "precision", "recall", "accuracy", "auc"):
        assert 0.0 <= row[key] <= 1.0
    assert row["target_size"] == 300 and row["n_shadows"] == 2
    assert load_result("shokri_datasets", "smoke", tmp_path) == res
    assert load_result("shokri_datasets", "full", tmp_path) is None


def test_n_classes_smoke(tmp_path):
    res = run_experiment("shokri_n_classes", "smoke", out_dir=tmp_path)
    assert [r["n_classes"] for r in res["results"]["rows"]] == [2, 5]
    assert result_path("shokri_n_classes", "smoke", tmp_path).is_file()


def test_write_result_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "r.json"
    write_result({"a": 1}, path)
    assert json.loads(path.read_text()) == {"a": 1}

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(experiments.runner.os, "replace", boom)
    with pytest.raises(OSError):
        write_result({"a": 2}, path)
    assert json.loads(path.read_text()) == {"a": 1}  # old file intact
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]  # temp file removed


def test_write_result_rejects_nan_as_null(tmp_path):
    path = write_result({"x": float("nan")}, tmp_path / "n.json")
    assert json.loads(path.read_text()) == {"x": None}


def test_kmeans_labels_sorted_by_size():
    import numpy as np

    rng = np.random.default_rng(0)
    X = np.r_[rng.normal(0, 0.1, (30, 2)), rng.normal(5, 0.1, (10, 2))]
    y = recluster_labels(X, 2, random_state=0)
    assert np.bincount(y).tolist() == [30, 10]


def test_module_entry_point():
    out = subprocess.run(
        [sys.executable, "-m", "mia_lib", "replicate", "--list"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": os.getcwd()},
    )
    assert out.returncode == 0 and "shokri_n_classes" in out.stdout


def test_merge_keeps_other_rows(tmp_path):
    first = run_experiment("shokri_n_classes", "smoke", out_dir=tmp_path)
    path = result_path("shokri_n_classes", "smoke", tmp_path)
    stored = json.loads(path.read_text())
    stored["results"]["rows"] = stored["results"]["rows"][:1]  # as if only k=2 had run
    stored["results"]["rows"][0]["n_classes"] = 99
    stored["results"]["rows"][0]["key"] = "k=99"
    write_result(stored, path)
    merged = experiments.merge_results(stored, first)
    assert [r["n_classes"] for r in merged["results"]["rows"]] == [99, 2, 5]
    assert len(merged["provenance"]["runs"]) == 2
    assert merged["provenance"]["duration_s"] == pytest.approx(
        stored["provenance"]["duration_s"] + first["provenance"]["duration_s"], abs=0.11
    )
    other = {**first, "seed": 1}
    with pytest.raises(ValueError, match="seed"):
        experiments.merge_results(stored, other)


def test_gap_smoke_rows_per_model():
    res = run_experiment("shokri_gap", "smoke")
    rows = res["results"]["rows"]
    assert [r["model"] for r in rows] == ["mlp", "logistic_regression"]
    for r in rows:
        assert r["gap"] == pytest.approx(r["train_acc"] - r["test_acc"])
        assert 0.0 <= r["accuracy"] <= 1.0


def test_cli_merge_keeps_stored_rows(tmp_path):
    args = [
        "replicate",
        "shokri_n_classes",
        "--profile",
        "smoke",
        "--out",
        str(tmp_path),
        "--no-progress",
    ]
    assert main(args) == 0
    path = result_path("shokri_n_classes", "smoke", tmp_path)
    stored = json.loads(path.read_text())
    stored["results"]["rows"][0]["n_classes"] = 99  # a row the next run does not produce
    stored["results"]["rows"][0]["key"] = "k=99"
    write_result(stored, path)
    assert main([*args, "--merge"]) == 0
    merged = json.loads(path.read_text())
    assert [r["n_classes"] for r in merged["results"]["rows"]] == [99, 5, 2]  # 5 in place
    assert [r["rows"] for r in merged["provenance"]["runs"]] == [["k=99"], ["k=2", "k=5"]]
    assert main(args) == 0  # without --merge the file is replaced
    assert [
        r["n_classes"]
        for r in load_result("shokri_n_classes", "smoke", tmp_path)["results"]["rows"]
    ] == [2, 5]


def test_cifar_size_smoke_with_overrides_via_cli(tmp_path):
    args = ["replicate", "shokri_cifar_size", "--profile", "smoke", "--out", str(tmp_path)]
    assert main([*args, "--n-shadows", "1", "--epochs", "5", "--no-progress"]) == 0
    res = load_result("shokri_cifar_size", "smoke", tmp_path)
    assert [r["train_size"] for r in res["results"]["rows"]] == [150, 300]
    assert all(
        r["n_shadows"] == 1 and r["target_size"] == r["train_size"] for r in res["results"]["rows"]
    )
    assert res["options"] == {"n_shadows": 1, "epochs": 5}
    assert res["settings"]["params"]["epochs"] == 5


def test_cli_rejects_override_the_replication_does_not_take(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["replicate", "shokri_gap", "--profile", "smoke", "--n-shadows", "3"])
    assert exc.value.code == 2
    assert "takes no --n-shadows option" in capsys.readouterr().err


def test_cifar_size_rejects_bad_override():
    with pytest.raises(ValueError, match="n_shadows must be at least 1"):
        run_experiment("shokri_cifar_size", "smoke", n_shadows=0)


@pytest.mark.parametrize("name", sorted(n for n in EXPERIMENTS if n.startswith("shokri")))
def test_every_shokri_row_has_a_unique_key(name):
    """Merging partial runs replaces rows by key: keys must exist and be distinct (the Truex
    and Salem replications check theirs in tests/test_truex.py and tests/test_salem.py)."""
    rows = run_experiment(name, "smoke")["results"]["rows"]
    keys = [r["key"] for r in rows]
    assert len(set(keys)) == len(keys) == len(rows)


def test_rows_stored_before_keys_merge_by_their_own_label():
    from mia_lib.experiments.runner import _row_key

    assert _row_key({"train_size": 2500, "n_classes": 10}) == 2500
    assert _row_key({"target": "MLP, 10 epochs", "n_classes": 30}) == "MLP, 10 epochs"
    assert _row_key({"n_classes": 5, "target_size": 1200}) == 5
    assert _row_key({"key": "x", "dataset": "adult"}) == "x"
