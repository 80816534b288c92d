"""The replication runner, its profiles and the command line: nothing lost, nothing wrong."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from mia_lib import experiments
from mia_lib.__main__ import main
from mia_lib.experiments import (
    EXPERIMENTS,
    MissingDataError,
    ProfileError,
    ResultFileError,
    load_profile,
    load_result,
    result_path,
    run_experiment,
    write_result,
)
from mia_lib.experiments.profiles import profile_names

PROVENANCE_KEYS = {"git", "date", "machine", "duration_s", "profile", "seed", "datasets"}
SMOKE = ["replicate", "shokri_n_classes", "--profile", "smoke", "--no-progress"]


def test_every_replication_has_three_profiles_of_one_shape():
    assert set(profile_names()) == set(EXPERIMENTS)
    for name in EXPERIMENTS:
        assert EXPERIMENTS[name].profiles == ("smoke", "quick", "full")
        for profile in ("smoke", "quick", "full"):
            prof = load_profile(name, profile)
            assert prof.datasets, (name, profile)
            for entry in prof.datasets.values():
                assert entry.n_shadows >= 1 and entry.seeds >= 1


def test_overrides_apply_to_every_entry_and_are_recorded():
    prof = load_profile("shokri_datasets", "full", n_shadows=3, epochs=7, max_target_size=500)
    assert {e.n_shadows for e in prof.datasets.values()} == {3}
    assert {e.params["epochs"] for e in prof.datasets.values()} == {7}
    assert max(e.target_size for e in prof.datasets.values()) == 500
    assert prof.overrides == {"n_shadows": 3, "epochs": 7, "max_target_size": 500}


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_shadows": 0}, "n_shadows must be an integer"),
        ({"epochs": -1}, "epochs must be an integer"),
        ({"datasets": []}, "not in profile"),
        ({"datasets": ["texas"]}, "not in profile"),
        ({"banana": 1}, "unexpected keyword|unknown override"),
    ],
)
def test_bad_overrides_are_refused_in_python_before_the_run(kwargs, match):
    # before: run_experiment("shokri_datasets", "smoke", n_shadows=2) raised a raw TypeError
    with pytest.raises((ValueError, TypeError), match=match):
        run_experiment("shokri_datasets", "smoke", **kwargs)


def test_unknown_names_and_profiles():
    with pytest.raises(KeyError):
        run_experiment("nope", "smoke")
    with pytest.raises(ValueError, match="unknown profile"):
        run_experiment("shokri_datasets", "huge")
    with pytest.raises(ProfileError, match="unknown replication"):
        load_profile("nope", "smoke")


def test_smoke_run_writes_json_with_provenance(tmp_path):
    assert main([*SMOKE, "--out", str(tmp_path), "--threads", "2"]) == 0
    path = result_path("shokri_n_classes", "smoke", tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left
    res = json.loads(path.read_text())
    assert res["name"] == "shokri_n_classes" and res["profile"] == "smoke"
    prov = res["provenance"]
    assert PROVENANCE_KEYS <= set(prov) and "commit" in prov["git"]
    assert prov["machine"]["torch_threads"] == 2  # the run's, not the caller's (1)
    digits = prov["datasets"]["digits"]
    assert digits["lossy"] is False and len(digits["fingerprint"]) == 64
    assert [r["n_classes"] for r in res["results"]["rows"]] == [2, 5]
    assert load_result("shokri_n_classes", "smoke", tmp_path) == res
    assert load_result("shokri_n_classes", "full", tmp_path) is None


def test_missing_data_fails_before_the_run_and_writes_nothing(tmp_path, monkeypatch):
    # before: shokri_datasets --profile full with an empty data directory replaced a stored
    # 4-row result with rows: [] and exited 0
    stored = result_path("shokri_datasets", "full", tmp_path)
    write_result({"results": {"rows": [{"key": "adult"}]}, "settings": {}}, stored)
    before = stored.read_text()
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("MIA_DATA_DIR", str(empty))
    with pytest.raises(MissingDataError, match="not in the data directory"):
        run_experiment("shokri_datasets", "full", out_dir=tmp_path)
    args = ["replicate", "shokri_datasets", "--profile", "full", "--out", str(tmp_path)]
    assert main([*args, "--no-progress"]) == 1
    assert stored.read_text() == before


@pytest.mark.parametrize("value", ["", ",", " , "])
def test_empty_dataset_lists_are_usage_errors(value, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["replicate", "shokri_datasets", "--profile", "smoke", "--datasets", value])
    assert exc.value.code == 2 and "at least one dataset" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["0", "-3", "x"])
def test_bad_thread_counts_are_usage_errors(value, capsys):
    # before: RuntimeError set_num_threads expects a positive integer, after the whole run
    with pytest.raises(SystemExit) as exc:
        main([*SMOKE, "--threads", value])
    assert exc.value.code == 2 and "positive integer" in capsys.readouterr().err


def test_out_below_a_regular_file_fails_before_the_run(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ResultFileError, match="is a file"):
        run_experiment("shokri_n_classes", "smoke", out_dir=blocker / "results")
    assert main([*SMOKE, "--out", str(blocker / "results")]) == 1


def test_unwritable_out_fails_before_the_run(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)  # also for root: the library respects the write bits
    try:
        with pytest.raises(ResultFileError, match="not writable"):
            run_experiment("shokri_n_classes", "smoke", out_dir=ro)
    finally:
        ro.chmod(0o755)
    assert list(ro.iterdir()) == []


def test_merge_into_a_corrupt_file_fails_before_the_run_and_names_it(tmp_path):
    path = result_path("shokri_n_classes", "smoke", tmp_path)
    path.write_text('{"name": "x\x01"}')
    with pytest.raises(ResultFileError, match=str(path.name)):
        run_experiment("shokri_n_classes", "smoke", out_dir=tmp_path, merge=True)
    assert main([*SMOKE, "--out", str(tmp_path), "--merge"]) == 1


def test_a_run_never_replaces_a_result_with_more_rows_unless_asked(tmp_path):
    path = result_path("shokri_n_classes", "smoke", tmp_path)
    first = run_experiment("shokri_n_classes", "smoke", out_dir=tmp_path)
    stored = json.loads(path.read_text())
    extra = dict(stored["results"]["rows"][0], key="k=99", n_classes=99)
    stored["results"]["rows"].append(extra)  # a row the next run does not make
    write_result(stored, path)
    with pytest.raises(ResultFileError, match="has 3 rows and this run made 2"):
        run_experiment("shokri_n_classes", "smoke", out_dir=tmp_path)
    assert len(json.loads(path.read_text())["results"]["rows"]) == 3  # kept
    side = [p for p in tmp_path.iterdir() if ".new-" in p.name]
    assert len(side) == 1  # this run's rows are kept beside it, not lost
    merged = run_experiment("shokri_n_classes", "smoke", out_dir=tmp_path, merge=True)
    assert [r["key"] for r in merged["results"]["rows"]] == ["k=2", "k=5", "k=99"]
    forced = run_experiment("shokri_n_classes", "smoke", out_dir=tmp_path, force=True)
    assert len(forced["results"]["rows"]) == len(first["results"]["rows"]) == 2


def test_a_run_refuses_to_drop_stored_datasets_before_running(tmp_path):
    path = result_path("shokri_datasets", "smoke", tmp_path)
    write_result({"results": {"rows": []}, "settings": {"datasets": {"adult": {}}}}, path)
    with pytest.raises(ResultFileError, match="holds results for adult"):
        run_experiment("shokri_datasets", "smoke", out_dir=tmp_path)


def test_merge_keeps_other_rows_and_records_each_run(tmp_path):
    first = run_experiment("shokri_n_classes", "smoke", out_dir=tmp_path)
    stored = json.loads(result_path("shokri_n_classes", "smoke", tmp_path).read_text())
    stored["results"]["rows"] = [dict(stored["results"]["rows"][0], key="k=99")]
    merged = experiments.merge_results(stored, first)
    assert [r["key"] for r in merged["results"]["rows"]] == ["k=99", "k=2", "k=5"]
    assert len(merged["provenance"]["runs"]) == 2
    with pytest.raises(ValueError, match="seed"):
        experiments.merge_results(stored, {**first, "seed": 1})


def test_cli_overrides_are_recorded(tmp_path):
    args = ["replicate", "shokri_cifar_size", "--profile", "smoke", "--out", str(tmp_path)]
    assert main([*args, "--n-shadows", "1", "--epochs", "5", "--no-progress"]) == 0
    res = load_result("shokri_cifar_size", "smoke", tmp_path)
    assert [r["train_size"] for r in res["results"]["rows"]] == [150, 300]
    assert all(r["n_shadows"] == 1 for r in res["results"]["rows"])
    assert res["options"] == {"n_shadows": 1, "epochs": 5}
    assert res["settings"]["datasets"]["digits"]["model_params"]["epochs"] == 5


def test_cli_usage_errors(capsys):
    for argv in (
        ["replicate", "no_such_thing"],
        ["replicate", "shokri_datasets", "--profile", "huge"],
        ["replicate", "shokri_n_classes", "--profile", "smoke", "--datasets", "adult"],
        ["replicate", "shokri_datasets", "--merge", "--force"],
        ["replicate", "shokri_datasets", "--seed", "-1"],
    ):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2, argv
    assert "not in profile" in capsys.readouterr().err


def test_results_dir_outside_a_checkout_comes_from_the_environment(tmp_path, monkeypatch):
    from mia_lib.experiments import results

    monkeypatch.setenv("MIA_RESULTS_DIR", str(tmp_path))
    assert result_path("x", "full") == tmp_path / "x-full.json"
    monkeypatch.delenv("MIA_RESULTS_DIR")
    monkeypatch.setattr(results, "REPO_ROOT", tmp_path)  # as if installed from a wheel
    with pytest.raises(ResultFileError, match="MIA_RESULTS_DIR"):
        result_path("x", "full")


def test_write_result_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "r.json"
    write_result({"a": 1}, path)

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(experiments.results.os, "replace", boom)
    with pytest.raises(OSError):
        write_result({"a": 2}, path)
    assert json.loads(path.read_text()) == {"a": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_write_result_turns_nan_into_null(tmp_path):
    path = write_result({"x": float("nan")}, tmp_path / "n.json")
    assert json.loads(path.read_text()) == {"x": None}


def test_cli_list_and_module_entry_point(capsys):
    assert main(["replicate", "--list"]) == 0
    assert "shokri_datasets" in capsys.readouterr().out
    out = subprocess.run(
        [sys.executable, "-m", "mia_lib", "replicate", "--list"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": os.getcwd()},
    )
    assert out.returncode == 0 and "salem_threshold" in out.stdout
