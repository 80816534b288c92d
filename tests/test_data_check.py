"""The check before strict nbval (conftest.py at the repository root): a notebook whose data
differ on this machine is not compared, and the test command says why in one sentence."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def check():
    spec = importlib.util.spec_from_file_location("book_conftest", ROOT / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _notebook(path: Path, datasets: dict) -> Path:
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": 1,
                "metadata": {},
                "outputs": [{"name": "stdout", "output_type": "stream", "text": "2\n"}],
                "source": "print(1 + 1)",
            }
        ],
        "metadata": {"mia_lib": {"datasets": datasets}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb))
    return path


def test_keys_of_loaded_datasets_parse_back_into_load_options(check):
    assert check._parse_key("locations[dtype=float32]") == ("locations", {"dtype": "float32"})
    name, options = check._parse_key(
        "synthetic[n_samples=20,n_classes=2,cluster_std=1.0,random_state=0,dtype=float32]#2"
    )
    assert name == "synthetic" and options["n_samples"] == 20 and options["cluster_std"] == 1.0


def test_matching_data_say_nothing(check, tmp_path):
    from mia_lib.datasets import load_dataset

    key = "digits[dtype=float32]"
    good = load_dataset("digits").fingerprint
    assert check._stale_datasets(_notebook(tmp_path / "a.ipynb", {key: good}), {}) == []


def test_other_data_get_one_sentence_per_dataset(check, tmp_path):
    path = _notebook(tmp_path / "book" / "ch.ipynb", {"digits[dtype=float32]": "0" * 64})
    (notes,) = check._stale_datasets(path, {})
    assert "your copy of digits[dtype=float32] differs" in notes
    assert "its cells are not compared" in notes and notes.startswith("ch.ipynb:")


def test_unloadable_data_say_why(check, tmp_path):
    path = _notebook(tmp_path / "x.ipynb", {"no_such_dataset[dtype=float32]": "0" * 64})
    (notes,) = check._stale_datasets(path, {})
    assert "cannot be loaded here" in notes and "unknown dataset" in notes


def test_nbval_run_skips_the_notebook_and_says_so(tmp_path):
    # a copy of the repository's conftest beside a notebook whose data fingerprint is wrong
    (tmp_path / "conftest.py").write_text((ROOT / "conftest.py").read_text())
    nb = _notebook(tmp_path / "book" / "chapter.ipynb", {"digits[dtype=float32]": "f" * 64})
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval", "-p", "no:cacheprovider", str(nb)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode in (0, 5), out.stdout[-2000:]  # 5: every item deselected
    assert "notebooks not compared: the data differ" in out.stdout
    assert "your copy of digits[dtype=float32] differs" in out.stdout
