"""Result files of the replications: where they live, provenance, atomic writes, merging.

A result is a JSON document ``{"name", "description", "profile", "seed", "options",
"settings", "results": {"rows": [...], ...}, "provenance"}``; every row has a unique ``key``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import platform
import subprocess
import tempfile
from pathlib import Path

import numpy as np

__all__ = [
    "ResultFileError",
    "default_results_dir",
    "result_path",
    "read_result",
    "load_result",
    "write_result",
    "provenance",
    "git_state",
    "merge_results",
    "row_key",
    "dataset_info",
    "mean_std_fields",
]

#: The repository this module sits in, when it is run from a source checkout.
REPO_ROOT = Path(__file__).resolve().parents[2]


class ResultFileError(ValueError):
    """A result file or folder cannot be read or written; the message names it."""


def default_results_dir() -> Path:
    """``$MIA_RESULTS_DIR`` when set, else ``book/results`` of the source checkout.

    Installed from a wheel there is no checkout: set ``MIA_RESULTS_DIR`` or pass the folder
    (``out_dir=`` / ``results_dir=`` / ``--out``).
    """
    env = os.environ.get("MIA_RESULTS_DIR")
    if env:
        return Path(env).expanduser()
    book = REPO_ROOT / "book"
    if (book / "_toc.yml").is_file():
        return book / "results"
    raise ResultFileError(
        "no results folder: mia_lib is not run from a source checkout of the book, so there "
        "is no book/results/. Set MIA_RESULTS_DIR=/path/to/results or pass the folder "
        "(out_dir=..., results_dir=..., or --out on the command line)."
    )


def result_path(name: str, profile: str, out_dir=None) -> Path:
    """Where the result of replication ``name`` under ``profile`` is stored."""
    from ..download.paths import as_path

    base = as_path(out_dir, "out_dir") if out_dir is not None else default_results_dir()
    return base / f"{name}-{profile}.json"


def read_result(path) -> dict:
    """The result stored at ``path``; a clear error naming the file if it is not one."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ResultFileError(
            f"{path} is not a valid result file ({exc}); move it aside or delete it, or run "
            "without --merge to write a new one."
        ) from None
    except OSError as exc:
        raise ResultFileError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("results", {}).get("rows"), list):
        raise ResultFileError(f"{path} is JSON but not a result file (no results.rows).")
    return data


def load_result(name: str, profile: str, results_dir=None) -> dict | None:
    """The stored result of ``name`` under ``profile`` (``"quick"`` or ``"full"``, say which:
    they differ in size and meaning), or None when there is none."""
    from .profiles import PROFILES, profile_names

    known = profile_names()
    if not isinstance(name, str) or name not in known:
        raise ValueError(f"unknown replication {name!r}; known: {sorted(known)}")
    if not isinstance(profile, str) or profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; choose one of {PROFILES}")
    path = result_path(name, profile, results_dir)
    if path.parent.exists() and not path.parent.is_dir():
        raise ResultFileError(f"the results folder {path.parent} is a file, not a folder.")
    return read_result(path) if path.is_file() else None


def git_state() -> dict:
    """The commit of the checkout and whether the library has uncommitted changes (None
    outside a git checkout)."""

    def git(*args):
        return subprocess.run(
            ["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=10
        )

    try:
        head = git("rev-parse", "HEAD")
        if head.returncode != 0:
            return {"commit": None, "dirty": None}
        dirty = git("status", "--porcelain", "--untracked-files=all", "--", "mia_lib")
        return {"commit": head.stdout.strip(), "dirty": bool(dirty.stdout.strip())}
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}


def provenance(
    profile: str,
    seed: int,
    duration_s: float,
    datasets=None,
    git=None,
    threads=None,
    backend=None,
) -> dict:
    """Where and how a result was made: commit, date, machine, duration, profile, seed, data,
    and where its models were trained.

    ``git`` is the state read when the run started (read now when not given): a long run
    should not be marked by edits made during it. ``threads`` is the number of threads the
    run used (torch's current number when not given). ``backend`` is the
    :func:`mia_lib.parallel.backend_info` of the run (read now when not given): sequential,
    local processes, or the Dask or Ray cluster and its number of workers.
    """
    import torch

    from ..parallel import backend_info

    return {
        "git": git if git is not None else git_state(),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpu_count": os.cpu_count(),
            "torch": torch.__version__,
            "torch_threads": torch.get_num_threads() if threads is None else int(threads),
        },
        "duration_s": round(float(duration_s), 1),
        "profile": profile,
        "seed": int(seed),
        "datasets": datasets or {},
        "backend": dict(backend) if backend is not None else backend_info(),
    }


def jsonable(obj):
    """``obj`` with numpy values, tuples and non-finite floats made strict JSON."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return jsonable(obj.tolist())
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating | float):
        v = float(obj)
        return None if math.isnan(v) or math.isinf(v) else v
    return obj


def _check_result(result, name: str) -> None:
    ok = isinstance(result, dict) and isinstance(result.get("results"), dict)
    if not ok or not isinstance(result["results"].get("rows"), list):
        raise ResultFileError(
            f"{name} is not a result (a dict with results.rows, as run_experiment returns), "
            f"got {type(result).__name__}."
        )


def write_result(result: dict, path) -> Path:
    """Write ``result`` as JSON to ``path`` atomically (temporary file, then ``os.replace``)."""
    from ..download.paths import as_path, is_writable

    if not isinstance(result, dict):
        raise ResultFileError(
            f"result must be a dict (a JSON object), got {type(result).__name__}."
        )
    path = as_path(path, "path")
    if path.is_dir():
        raise ResultFileError(f"cannot write the result to {path}: it is a folder; name a file.")
    try:
        text = json.dumps(jsonable(result), indent=2, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ResultFileError(f"the result cannot be written as JSON: {exc}") from None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ResultFileError(f"cannot write {path}: {exc.strerror or exc}") from None
    if not is_writable(path.parent):
        raise ResultFileError(f"cannot write {path}: {path.parent} is not writable.")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def row_key(row: dict):
    """What identifies a row when results are merged: its ``key`` (rows stored before keys
    existed fall back to their dataset, training-set size, target or number of classes)."""
    for key in ("key", "dataset", "train_size", "target", "n_classes"):
        if key in row:
            return row[key]
    return None


def _run_record(result: dict) -> dict:
    prov = {k: v for k, v in result["provenance"].items() if k not in ("datasets", "runs")}
    keys = [row_key(r) for r in result["results"]["rows"]]
    return {**prov, "options": result.get("options", {}), "rows": keys}


def merge_results(old: dict, new: dict) -> dict:
    """Merge a partial run into a stored result of the same replication, profile and seed.

    Rows of ``new`` replace the rows of ``old`` with the same key in place; other rows are
    kept. Settings and dataset sources are united. The provenance is ``new``'s, with
    ``runs``: the provenance, options and row keys of every run that still contributes a
    row, and ``duration_s`` their summed durations.

    >>> a = {"name": "x", "profile": "full", "seed": 0, "settings": {"a": 1},
    ...      "results": {"rows": [{"key": "a", "v": 1}], "skipped": {}},
    ...      "provenance": {"duration_s": 10.0, "datasets": {"a": {}}}}
    >>> b = {"name": "x", "profile": "full", "seed": 0, "settings": {"b": 2},
    ...      "results": {"rows": [{"key": "b", "v": 2}], "skipped": {}},
    ...      "provenance": {"duration_s": 5.0, "datasets": {"b": {}}}}
    >>> m = merge_results(a, b)
    >>> [r["key"] for r in m["results"]["rows"]], m["provenance"]["duration_s"]
    (['a', 'b'], 15.0)
    """
    for which, doc in (("old", old), ("new", new)):
        _check_result(doc, which)
        if not isinstance(doc.get("provenance"), dict):
            raise ResultFileError(f"{which} is not a result: it has no provenance.")
    for k in ("name", "profile", "seed"):
        if old.get(k) != new.get(k):
            raise ValueError(
                f"cannot merge results with different {k}: {old.get(k)!r} vs {new.get(k)!r}"
            )
    new_rows = {row_key(r): r for r in new["results"]["rows"]}
    rows = [new_rows.get(row_key(r), r) for r in old["results"]["rows"]]
    old_keys = {row_key(r) for r in old["results"]["rows"]}
    rows += [r for k, r in new_rows.items() if k not in old_keys]
    results = {**old["results"], **new["results"], "rows": rows}
    skipped = {**old["results"].get("skipped", {}), **new["results"].get("skipped", {})}
    new_datasets = set(new["provenance"].get("datasets", {}))
    results["skipped"] = {k: v for k, v in skipped.items() if k not in new_datasets}
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
    settings = {**old.get("settings", {}), **new.get("settings", {})}
    if "datasets" in old.get("settings", {}) and "datasets" in new.get("settings", {}):
        settings["datasets"] = {**old["settings"]["datasets"], **new["settings"]["datasets"]}
    return {**new, "options": {}, "settings": settings, "results": results, "provenance": prov}


def dataset_info(data) -> dict:
    """What a result records about a :class:`~mia_lib.datasets.Dataset`: source, size, flags
    and the content fingerprint of the arrays used."""
    return {
        "name": data.name,
        "n_records": len(data),
        "files": list(data.files),
        "source_url": data.source_url,
        "citation": data.citation,
        "lossy": bool(data.lossy),
        "partial": bool(data.partial),
        "notes": data.notes,
        "fingerprint": data.fingerprint,
    }


def mean_std_fields(results: list[dict], columns) -> dict:
    """``{col}_mean`` and ``{col}_std`` (sample std; 0 for one value) of each column over
    repeated runs, and ``{col}_by_seed`` for the first column.

    >>> mean_std_fields([{"auc": 0.6}, {"auc": 0.8}], ["auc"])["auc_mean"]
    0.7
    """
    out: dict = {}
    for i, col in enumerate(columns):
        v = np.asarray([r[col] for r in results], dtype=float)
        out[f"{col}_mean"] = float(v.mean())
        out[f"{col}_std"] = float(v.std(ddof=1)) if len(v) > 1 else 0.0
        if i == 0:
            out[f"{col}_by_seed"] = v.tolist()
    return out
