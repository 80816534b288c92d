"""The book's replications as functions with named profiles, and their results with provenance.

Each replication is registered under a name and is a function
``run(profile, seed, progress, **options) -> dict``; the profiles are

* ``"smoke"``: seconds, on the built-in ``digits`` data (tests);
* ``"quick"``: what the book executes live on 2 CPU cores (under about a minute each);
* ``"full"``: the paper's sizes where our data allows (minutes to hours on a CPU).

:func:`run_experiment` runs one, adds provenance (git commit, date, machine, duration,
profile, seed, dataset sources with their lossy/partial flags) and, given ``out_dir``, writes
``<name>-<profile>.json`` atomically (a temporary file, then ``os.replace``).
:func:`load_result` reads such a file back. The command line is ``python -m mia_lib
replicate NAME --profile quick|full``.

Registered replications of Shokri et al. (2017):

* ``shokri_datasets``: the attack on every dataset we have (target train/test accuracy;
  attack precision, recall, accuracy, AUC);
* ``shokri_n_classes``: Locations re-clustered by k-means into 2 to 30 classes, the paper's
  Purchase-2...100 construction applied to our data: attack precision against the number of
  classes;
* ``shokri_gap``: the attack against targets that overfit to different degrees (networks
  trained longer or shorter, with weight decay, and the scikit-learn zoo): train-test gap
  against attack accuracy.

>>> sorted(EXPERIMENTS)
['shokri_datasets', 'shokri_gap', 'shokri_n_classes']
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

__all__ = [
    "PROFILES",
    "EXPERIMENTS",
    "Experiment",
    "register",
    "list_experiments",
    "run_experiment",
    "write_result",
    "load_result",
    "result_path",
    "default_results_dir",
    "provenance",
    "merge_results",
    "shokri_attack_run",
    "SHOKRI_DATASETS",
]

PROFILES = ("smoke", "quick", "full")
REPO_ROOT = Path(__file__).resolve().parent.parent


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


def provenance(profile: str, seed: int, duration_s: float, datasets: dict | None = None) -> dict:
    """Where and how a result was made: commit, date, machine, duration, profile, seed, data."""
    try:
        import torch

        torch_info = {"torch": torch.__version__, "torch_threads": torch.get_num_threads()}
    except ImportError:  # pragma: no cover - torch is a dependency
        torch_info = {}
    return {
        "git": _git_commit(),
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
        "provenance": provenance(profile, seed, duration, out.get("datasets")),
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
    for key in ("dataset", "n_classes", "target"):
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
# the attack, end to end


def _progress(iterable, progress: bool, desc: str, total=None):
    from tqdm import tqdm  # plain text bar on stderr (tqdm.auto warns in notebooks)

    return tqdm(iterable, desc=desc, total=total, disable=not progress, file=sys.stderr)


def _dataset_info(data) -> dict:
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


def shokri_attack_run(
    X,
    y,
    n_classes: int,
    *,
    target_size: int,
    n_shadows: int,
    shadow_size: int | None = None,
    model: str = "mlp",
    model_params: dict | None = None,
    seed: int = 0,
) -> dict:
    """Shokri et al.'s attack end to end on one dataset; returns the metrics as a dict.

    A target of ``model`` is trained on ``target_size`` records; as many non-members are
    held out; ``n_shadows`` shadow models of the same kind are trained on ``shadow_size``
    records each (default ``target_size``) from the rest; one attack model per class
    (:class:`mia_lib.attacks.ShokriAttack`) is trained on the shadows' outputs and
    evaluated on the target's members and non-members, seen through a
    :class:`mia_lib.blackbox.BlackBox`.

    Keys: sizes, ``train_acc``, ``test_acc``, ``gap``, ``precision``, ``recall``,
    ``accuracy``, ``auc``, ``advantage``, ``tpr_at_1pct_fpr``, ``median_class_precision``
    (median over classes of the per-class precision, the statistic Shokri et al. plot),
    ``baseline_auc`` (confidence threshold) and ``per_class_precision``.
    """
    from .attacks import ShokriAttack, ThresholdAttack
    from .blackbox import BlackBox
    from .metrics import evaluate
    from .models import make_model
    from .shadow import ShadowModels
    from .splits import membership_split

    params = dict(model_params or {})
    split = membership_split(len(y), target_size=target_size, random_state=seed)
    pool = split.shadow_pool
    size = int(shadow_size or target_size)
    if 2 * size > len(pool):
        size = len(pool) // 2
    torch_kw = {"n_classes": n_classes} if model in ("mlp", "cnn") else {}
    target = make_model(model, random_state=seed, **torch_kw, **params)
    target.fit(X[split.target_in], y[split.target_in])
    train_acc = float(target.score(X[split.target_in], y[split.target_in]))
    test_acc = float(target.score(X[split.target_out], y[split.target_out]))

    shadows = ShadowModels(
        model, n_shadows=n_shadows, shadow_size=size, model_params=params, random_state=seed + 1
    )
    shadows.fit(X[pool], y[pool], n_classes=n_classes)
    attack = ShokriAttack(random_state=seed).fit(*shadows.attack_data_)

    idx, member = split.evaluation()
    P = BlackBox(target, n_classes=n_classes).query(X[idx])
    y_eval = y[idx]
    rep = evaluate(
        member,
        attack.score_samples(P, y_eval),
        predicted=attack.predict(P, y_eval),
        classes=y_eval,
    )
    base = ThresholdAttack("confidence").fit(*shadows.attack_data_)
    rep_base = evaluate(member, base.score_samples(P), predicted=base.predict(P))
    pc = rep.per_class["precision"]
    return {
        "n_records": int(len(y)),
        "n_classes": int(n_classes),
        "target_size": int(len(split.target_in)),
        "n_non_members": int(len(split.target_out)),
        "n_shadows": int(n_shadows),
        "shadow_size": int(size),
        "train_acc": train_acc,
        "test_acc": test_acc,
        "gap": train_acc - test_acc,
        "precision": rep.precision,
        "recall": rep.recall,
        "accuracy": rep.accuracy,
        "auc": rep.auc,
        "advantage": rep.advantage,
        "tpr_at_1pct_fpr": rep.tpr_at_1pct_fpr,
        "median_class_precision": float(np.median(pc.to_numpy())),
        "per_class_precision": {str(k): float(v) for k, v in pc.items()},
        "baseline_precision": rep_base.precision,
        "baseline_auc": rep_base.auc,
    }


# --------------------------------------------------------------------------------------------
# shokri_datasets

_MLP = {"hidden_layer_sizes": (128,), "activation": "tanh", "learning_rate": 1e-3, "batch_size": 64}
_CNN = {
    "conv_channels": (32, 64),
    "hidden_units": 128,
    "activation": "tanh",
    "learning_rate": 1e-3,
    "batch_size": 64,
}

#: Per dataset and profile: load options, target size, shadows, model and its parameters.
#: ``None`` for a profile means the dataset is not part of it.
SHOKRI_DATASETS: dict[str, dict] = {
    "digits": {
        "load": {},
        "smoke": {
            "target_size": 300,
            "n_shadows": 2,
            "model": "mlp",
            "params": {**_MLP, "epochs": 20},
        },
        "quick": None,
        "full": None,
    },
    "locations": {
        "load": {},
        "quick": {
            "target_size": 1200,
            "n_shadows": 5,
            "model": "mlp",
            "params": {**_MLP, "epochs": 100},
            "note": "100 epochs and 5 shadows instead of 200 and 10",
        },
        "full": {
            "target_size": 1200,
            "n_shadows": 10,
            "model": "mlp",
            "params": {**_MLP, "epochs": 200},
        },
    },
    "adult": {
        "load": {},
        "quick": {
            "target_size": 2000,
            "n_shadows": 4,
            "model": "mlp",
            "params": {**_MLP, "epochs": 20},
            "note": "2,000-record target (paper: 10,000), 4 shadows",
        },
        "full": {
            "target_size": 10000,
            "n_shadows": 10,
            "model": "mlp",
            "params": {**_MLP, "epochs": 30},
        },
    },
    "fashion_mnist": {
        "load": {},
        "quick": {
            "target_size": 300,
            "n_shadows": 2,
            "model": "cnn",
            "params": {**_CNN, "epochs": 30},
            "note": "300-record target (paper: 10,000 on MNIST), 2 shadows",
        },
        "full": {
            "target_size": 10000,
            "n_shadows": 10,
            "model": "cnn",
            "params": {**_CNN, "epochs": 20},
        },
    },
    "mnist": {
        "load": {},
        "quick": None,
        "full": {
            "target_size": 2500,
            "n_shadows": 10,
            "model": "cnn",
            "params": {**_CNN, "epochs": 20},
            "note": "partial MNIST (15,000 images): 2,500-record target (paper: 10,000)",
        },
    },
    "cifar10": {
        "load": {},
        "quick": None,
        "full": {
            "target_size": 10000,
            "n_shadows": 10,
            "model": "cnn",
            "params": {**_CNN, "epochs": 20},
            "note": "lossy JPEG re-encoding of CIFAR-10",
        },
    },
    "purchase": {
        "load": {"n_classes": 100},
        "quick": None,
        "full": {
            "target_size": 10000,
            "n_shadows": 10,
            "model": "mlp",
            "params": {**_MLP, "epochs": 100},
        },
    },
    "texas": {
        "load": {},
        "quick": None,
        "full": {
            "target_size": 10000,
            "n_shadows": 10,
            "model": "mlp",
            "params": {**_MLP, "epochs": 100},
        },
    },
    "cifar100": {
        "load": {},
        "quick": None,
        "full": {
            "target_size": 10000,
            "n_shadows": 10,
            "model": "cnn",
            "params": {**_CNN, "epochs": 20},
        },
    },
}


def _profile_datasets(profile: str) -> list[str]:
    return [n for n, c in SHOKRI_DATASETS.items() if c.get(profile)]


@register(
    "shokri_datasets",
    "Shokri et al. 2017 on every dataset we have: target accuracies and attack metrics",
)
def shokri_datasets(
    profile: str = "quick",
    seed: int = 0,
    progress: bool = False,
    datasets=None,
    max_target_size: int | None = None,
) -> dict:
    """Shokri et al.'s attack on each dataset of the profile (see :data:`SHOKRI_DATASETS`).

    ``datasets`` restricts the run to some of the profile's datasets; ``max_target_size``
    caps the target (and shadow) training-set size, for a full run on a small budget.
    Datasets whose files are missing are skipped, with the reason, in ``results["skipped"]``.
    """
    from .datasets import available_datasets, load_dataset

    names = _profile_datasets(profile)
    if datasets is not None:
        datasets = [datasets] if isinstance(datasets, str) else list(datasets)
        unknown = [d for d in datasets if d not in names]
        if unknown:
            raise ValueError(f"datasets {unknown} are not in profile {profile!r}: {names}")
        names = [n for n in names if n in datasets]
    avail = available_datasets()
    rows, skipped, infos, settings = [], {}, {}, {}
    for name in _progress(names, progress, "shokri_datasets"):
        ok, why = avail.get(name, (False, "unknown dataset"))
        if not ok:
            skipped[name] = why
            continue
        cfg = SHOKRI_DATASETS[name][profile]
        size = int(cfg["target_size"])
        note = cfg.get("note", "")
        if max_target_size is not None and size > max_target_size:
            size = int(max_target_size)
            note = (note + "; " if note else "") + f"target capped at {size:,} records"
        data = load_dataset(name, **SHOKRI_DATASETS[name]["load"])
        infos[name] = _dataset_info(data)
        settings[name] = {
            "target_size": size,
            "n_shadows": cfg["n_shadows"],
            "model": cfg["model"],
            "model_params": cfg["params"],
            "note": note,
        }
        t0 = time.perf_counter()
        res = shokri_attack_run(
            data.X,
            data.y,
            data.n_classes,
            target_size=size,
            n_shadows=cfg["n_shadows"],
            model=cfg["model"],
            model_params=cfg["params"],
            seed=seed,
        )
        rows.append(
            {
                "dataset": name,
                "model": cfg["model"],
                "epochs": cfg["params"].get("epochs"),
                "lossy": bool(data.lossy),
                "partial": bool(data.partial),
                "note": note,
                "duration_s": round(time.perf_counter() - t0, 1),
                **res,
            }
        )
    return {"results": {"rows": rows, "skipped": skipped}, "settings": settings, "datasets": infos}


# --------------------------------------------------------------------------------------------
# shokri_n_classes

_N_CLASSES = {
    "smoke": {
        "dataset": "digits",
        "classes": (2, 5),
        "target_size": 300,
        "n_shadows": 2,
        "params": {**_MLP, "epochs": 20},
    },
    "quick": {
        "dataset": "locations",
        "classes": (2, 5, 10, 20, 30),
        "target_size": 1200,
        "n_shadows": 3,
        "params": {**_MLP, "epochs": 80},
        "note": "80 epochs and 3 shadows instead of 200 and 10",
    },
    "full": {
        "dataset": "locations",
        "classes": (2, 5, 10, 20, 30, 50),
        "target_size": 1200,
        "n_shadows": 10,
        "params": {**_MLP, "epochs": 200},
    },
}


@register(
    "shokri_n_classes",
    "Attack precision against the number of classes (k-means re-clustering, Shokri et al.)",
)
def shokri_n_classes(profile: str = "quick", seed: int = 0, progress: bool = False) -> dict:
    """Re-cluster the dataset with k-means into k classes and attack a target for each k.

    Shokri et al. built Purchase-2, -10, -20, -50 and -100 this way and found the attack
    more precise the more classes there are; Purchase is not in our offline data, so the
    same construction is applied to Locations (446 binary features).
    """
    from .datasets import load_dataset, recluster_labels

    cfg = _N_CLASSES[profile]
    data = load_dataset(cfg["dataset"])
    rows = []
    for k in _progress(cfg["classes"], progress, "shokri_n_classes"):
        y = recluster_labels(data.X, k, random_state=seed)
        t0 = time.perf_counter()
        res = shokri_attack_run(
            data.X,
            y,
            k,
            target_size=cfg["target_size"],
            n_shadows=cfg["n_shadows"],
            model="mlp",
            model_params=cfg["params"],
            seed=seed,
        )
        res.pop("per_class_precision")
        rows.append({"n_classes": k, "duration_s": round(time.perf_counter() - t0, 1), **res})
    settings = {k: v for k, v in cfg.items() if k != "classes"}
    settings["classes"] = list(cfg["classes"])
    return {
        "results": {"dataset": cfg["dataset"], "rows": rows},
        "settings": settings,
        "datasets": {cfg["dataset"]: _dataset_info(data)},
    }


# --------------------------------------------------------------------------------------------
# shokri_gap

_GAP_MODELS = (
    ("MLP, 10 epochs", "mlp", {**_MLP, "epochs": 10}),
    ("MLP, 30 epochs", "mlp", {**_MLP, "epochs": 30}),
    ("MLP, 100 epochs", "mlp", {**_MLP, "epochs": 100}),
    ("MLP, 100 epochs, L2 1e-3", "mlp", {**_MLP, "epochs": 100, "weight_decay": 1e-3}),
    ("logistic regression", "logistic_regression", {}),
    ("k-NN (5)", "knn", {}),
    ("random forest", "random_forest", {}),
    ("decision tree", "decision_tree", {}),
)

_GAP = {
    "smoke": {"dataset": "digits", "models": (0, 4), "target_size": 300, "n_shadows": 2},
    "quick": {
        "dataset": "locations",
        "models": tuple(range(len(_GAP_MODELS))),
        "target_size": 1200,
        "n_shadows": 2,
        "note": "2 shadow models per target instead of 10",
    },
    "full": {
        "dataset": "locations",
        "models": tuple(range(len(_GAP_MODELS))),
        "target_size": 1200,
        "n_shadows": 10,
    },
}


@register(
    "shokri_gap",
    "Train-test gap against attack accuracy over models of different kinds (Locations)",
)
def shokri_gap(profile: str = "quick", seed: int = 0, progress: bool = False) -> dict:
    """Shokri's attack on targets that overfit to different degrees, one row per model.

    Shokri et al. relate the attack's success to the target's overfitting (the train-test
    accuracy gap); here the same attack runs against networks trained for more or fewer
    epochs, with weight decay, and against the scikit-learn zoo, each attacked with shadows
    of its own kind.
    """
    from .datasets import load_dataset

    cfg = _GAP[profile]
    data = load_dataset(cfg["dataset"])
    rows = []
    chosen = [_GAP_MODELS[i] for i in cfg["models"]]
    for label, model, params in _progress(chosen, progress, "shokri_gap"):
        t0 = time.perf_counter()
        res = shokri_attack_run(
            data.X,
            data.y,
            data.n_classes,
            target_size=cfg["target_size"],
            n_shadows=cfg["n_shadows"],
            model=model,
            model_params=params,
            seed=seed,
        )
        res.pop("per_class_precision")
        rows.append(
            {
                "target": label,
                "model": model,
                "params": params,
                "duration_s": round(time.perf_counter() - t0, 1),
                **res,
            }
        )
    settings = {k: v for k, v in cfg.items() if k != "models"}
    settings["models"] = [m[0] for m in chosen]
    return {
        "results": {"dataset": cfg["dataset"], "rows": rows},
        "settings": settings,
        "datasets": {cfg["dataset"]: _dataset_info(data)},
    }
