"""The replication runner: registry, profiles, provenance and result files.

:func:`run_experiment` runs a registered replication, adds provenance (git commit, date,
machine, duration, profile, seed, dataset sources with their lossy/partial flags) and, given
``out_dir``, writes ``<name>-<profile>.json`` atomically (a temporary file, then
``os.replace``). :func:`load_result` reads such a file back.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

PROFILES = ("smoke", "quick", "full")
REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Experiment:
    """A registered replication: ``func(profile, seed, progress, **options) -> dict``."""

    name: str
    func: Callable[..., dict]
    description: str
    profiles: tuple[str, ...] = PROFILES


EXPERIMENTS: dict[str, Experiment] = {}


def register(name: str, description: str, profiles: tuple[str, ...] = PROFILES):
    """Decorator adding a replication function to :data:`EXPERIMENTS` under ``name``."""

    def deco(func):
        EXPERIMENTS[name] = Experiment(name, func, description, tuple(profiles))
        return func

    return deco


def list_experiments() -> list[tuple[str, str]]:
    """(name, description) of every registered replication, sorted by name."""
    return [(n, EXPERIMENTS[n].description) for n in sorted(EXPERIMENTS)]


def default_results_dir() -> Path:
    """``book/results`` in the repository."""
    return REPO_ROOT / "book" / "results"


def result_path(name: str, profile: str, out_dir=None) -> Path:
    """Where ``run_experiment`` writes the result of ``name`` under ``profile``."""
    return Path(out_dir or default_results_dir()) / f"{name}-{profile}.json"


# --------------------------------------------------------------------------------------------
# provenance and files


def _git_commit() -> dict:
    def git(*args):
        return subprocess.run(
            ["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=10
        )

    try:
        head = git("rev-parse", "HEAD")
        if head.returncode != 0:
            return {"commit": None, "dirty": None}
        # the library's own files, committed or not, are the code that made the result
        dirty = git("status", "--porcelain", "--untracked-files=all", "--", "mia_lib")
        return {"commit": head.stdout.strip(), "dirty": bool(dirty.stdout.strip())}
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}


def provenance(
    profile: str,
    seed: int,
    duration_s: float,
    datasets: dict | None = None,
    git: dict | None = None,
) -> dict:
    """Where and how a result was made: commit, date, machine, duration, profile, seed, data.

    ``git`` is the commit and whether the library had uncommitted changes, as read when the run
    started (read now when not given): a long run should not be marked by edits made during it.
    """
    try:
        import torch

        torch_info = {"torch": torch.__version__, "torch_threads": torch.get_num_threads()}
    except ImportError:  # pragma: no cover - torch is a dependency
        torch_info = {}
    return {
        "git": git if git is not None else _git_commit(),
        "date": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpu_count": os.cpu_count(),
            **torch_info,
        },
        "duration_s": round(float(duration_s), 1),
        "profile": profile,
        "seed": int(seed),
        "datasets": datasets or {},
    }


def _jsonable(obj):
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating | float):
        v = float(obj)
        return None if math.isnan(v) or math.isinf(v) else v
    if isinstance(obj, np.ndarray):
        return _jsonable(obj.tolist())
    if isinstance(obj, np.bool_):
        return bool(obj)
    return obj


def write_result(result: dict, path) -> Path:
    """Write ``result`` as JSON to ``path`` atomically (temporary file, then ``os.replace``)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(_jsonable(result), fh, indent=2, allow_nan=False)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def load_result(name: str, profile: str = "full", results_dir=None) -> dict | None:
    """The stored result of ``name`` under ``profile``, or None when there is none."""
    path = result_path(name, profile, results_dir)
    if not path.is_file():
        return None
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def _thread_limit():
    """Limit OpenMP/BLAS pools (k-means, boosted trees) to torch's thread count.

    On a shared machine their default (one thread per core) oversubscribes the CPU and runs
    several times slower than one thread.
    """
    import torch
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=max(1, torch.get_num_threads()))


def run_experiment(
    name: str,
    profile: str = "quick",
    seed: int = 0,
    progress: bool = False,
    out_dir=None,
    merge: bool = False,
    **options,
) -> dict:
    """Run replication ``name`` under ``profile``; add provenance; write JSON if ``out_dir``.

    Returns ``{"name", "description", "profile", "seed", "options", "settings", "results",
    "provenance"}``. With ``merge=True`` a stored result of the same name and profile in
    ``out_dir`` is updated rather than replaced (:func:`merge_results`): run the datasets of
    a long profile one at a time. Raises KeyError for an unknown name and ValueError for an unknown
    profile.
    """
    if name not in EXPERIMENTS:
        raise KeyError(f"unknown experiment {name!r}; known: {sorted(EXPERIMENTS)}")
    exp = EXPERIMENTS[name]
    if profile not in exp.profiles:
        raise ValueError(f"unknown profile {profile!r} for {name}; choose one of {exp.profiles}")
    git = _git_commit()
    t0 = time.perf_counter()
    with _thread_limit():
        out = exp.func(profile=profile, seed=seed, progress=progress, **options)
    duration = time.perf_counter() - t0
    result = {
        "name": name,
        "description": exp.description,
        "profile": profile,
        "seed": int(seed),
        "options": options,
        "settings": out.get("settings", {}),
        "results": out["results"],
        "provenance": provenance(profile, seed, duration, out.get("datasets"), git=git),
    }
    result = _jsonable(result)
    if out_dir is not None:
        path = result_path(name, profile, out_dir)
        if merge and path.is_file():
            with open(path, encoding="utf-8") as fh:
                result = merge_results(json.load(fh), result)
        write_result(result, path)
    return result


def _row_key(row: dict):
    """What identifies a row when results are merged: its ``key`` (every registered
    replication writes one); rows stored before keys existed fall back to their dataset,
    training-set size, target label or number of classes (in that order: every Shokri row
    also carries its number of classes)."""
    for key in ("key", "dataset", "train_size", "target", "n_classes"):
        if key in row:
            return row[key]
    return None


def _run_record(result: dict) -> dict:
    """One run's provenance (without the dataset sources), its options and its row keys."""
    prov = {k: v for k, v in result["provenance"].items() if k not in ("datasets", "runs")}
    keys = [_row_key(r) for r in result["results"]["rows"]]
    return {**prov, "options": result.get("options", {}), "rows": keys}


def merge_results(old: dict, new: dict) -> dict:
    """Merge a partial run (``--datasets``) into a stored result of the same experiment.

    Rows of ``new`` replace the rows of ``old`` with the same dataset (or number of classes)
    in place; other rows are kept. Settings and dataset sources are united. The provenance
    is ``new``'s, with ``runs``: the provenance, options and row keys of every run that still
    contributes a row (a run whose rows were all replaced is dropped), and ``duration_s``
    their summed durations.

    >>> a = {"name": "x", "profile": "full", "seed": 0, "settings": {"a": 1},
    ...      "results": {"rows": [{"dataset": "a", "v": 1}], "skipped": {}},
    ...      "provenance": {"duration_s": 10.0, "datasets": {"a": {}}}}
    >>> b = {"name": "x", "profile": "full", "seed": 0, "settings": {"b": 2},
    ...      "results": {"rows": [{"dataset": "b", "v": 2}], "skipped": {}},
    ...      "provenance": {"duration_s": 5.0, "datasets": {"b": {}}}}
    >>> m = merge_results(a, b)
    >>> [r["dataset"] for r in m["results"]["rows"]], m["provenance"]["duration_s"]
    (['a', 'b'], 15.0)
    >>> m2 = merge_results(m, {**b, "provenance": {"duration_s": 7.0, "datasets": {}}})
    >>> [r["rows"] for r in m2["provenance"]["runs"]], m2["provenance"]["duration_s"]
    ([['a'], ['b']], 17.0)
    """
    for k in ("name", "profile", "seed"):
        if old.get(k) != new.get(k):
            raise ValueError(
                f"cannot merge results with different {k}: {old.get(k)!r} vs {new.get(k)!r}"
            )
    new_rows = {_row_key(r): r for r in new["results"]["rows"]}
    rows = [new_rows.get(_row_key(r), r) for r in old["results"]["rows"]]
    old_keys = {_row_key(r) for r in old["results"]["rows"]}
    rows += [r for k, r in new_rows.items() if k not in old_keys]
    results = {**old["results"], **new["results"], "rows": rows}
    if "skipped" in old["results"] or "skipped" in new["results"]:
        skipped = {**old["results"].get("skipped", {}), **new["results"].get("skipped", {})}
        results["skipped"] = {k: v for k, v in skipped.items() if k not in new_rows}
    old_prov, new_prov = old["provenance"], new["provenance"]
    runs = []
    for run in old_prov.get("runs", [_run_record(old)]):
        keep = [k for k in run["rows"] if k not in new_rows]
        if keep:
            runs.append({**run, "rows": keep})
    runs.append(_run_record(new))
    prov = {
        **new_prov,
        "duration_s": round(sum(r.get("duration_s", 0.0) for r in runs), 1),
        "datasets": {**old_prov.get("datasets", {}), **new_prov.get("datasets", {})},
        "runs": runs,
    }
    return {
        **new,
        "options": {},
        "settings": {**old.get("settings", {}), **new.get("settings", {})},
        "results": results,
        "provenance": prov,
    }


# --------------------------------------------------------------------------------------------
# helpers of the replication modules


def progress_bar(iterable, progress: bool, desc: str, total=None):
    """A tqdm bar on stderr over ``iterable``, or none when ``progress`` is false."""
    from tqdm import tqdm  # plain text bar on stderr (tqdm.auto warns in notebooks)

    return tqdm(iterable, desc=desc, total=total, disable=not progress, file=sys.stderr)


def dataset_info(data) -> dict:
    """What a result records about a :class:`~mia_lib.datasets.Dataset`: source, size, flags."""
    return {
        "name": data.name,
        "n_records": len(data),
        "files": list(data.files),
        "source_url": data.source_url,
        "citation": data.citation,
        "lossy": bool(data.lossy),
        "partial": bool(data.partial),
        "notes": data.notes,
    }
