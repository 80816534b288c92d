"""Replications of Shokri et al. (2017): the attack on each dataset, the number of classes,
overfitting, and the training-set size. Each is a loop over :func:`mia_lib.pipeline.run_attack`
with the profiles of ``profiles/shokri.toml``."""

from __future__ import annotations

import time

from ..pipeline import run_attack
from .profiles import resolve_model
from .results import dataset_info
from .runner import progress_bar, register


def _load(entry):
    from ..datasets import load_dataset

    return load_dataset(entry.source, **entry.load)


def _attack(data, entry, seed, y=None, n_classes=None, **kw):
    """Shokri's attack on ``entry``'s target (labels ``y`` instead of the dataset's)."""
    kw.setdefault("target_size", entry.target_size)
    kw.setdefault("model", entry.model)
    kw.setdefault("model_params", entry.params)
    return run_attack(
        data.X,
        data.y if y is None else y,
        data.n_classes if n_classes is None else n_classes,
        n_shadows=entry.n_shadows,
        random_state=seed,
        **kw,
    )


def _timed(t0: float) -> dict:
    return {"duration_s": round(time.perf_counter() - t0, 1)}


@register(
    "shokri_datasets",
    "Shokri et al. 2017 on every dataset we have: target accuracies and attack metrics",
)
def shokri_datasets(prof, seed: int = 0, progress: bool = False) -> dict:
    """Shokri et al.'s attack on each dataset of the profile, one row per dataset."""
    rows, infos = [], {}
    for key, entry in progress_bar(prof.datasets.items(), progress, "shokri_datasets"):
        data = _load(entry)
        infos[key] = dataset_info(data)
        t0 = time.perf_counter()
        res = _attack(data, entry, seed)
        rows.append(
            {
                "key": key,
                "dataset": key,
                "model": entry.model,
                "epochs": entry.params.get("epochs"),
                "lossy": bool(data.lossy),
                "partial": bool(data.partial),
                "note": entry.note,
                **_timed(t0),
                **res.row(per_class=True),
            }
        )
    return {"rows": rows, "datasets": infos}


@register(
    "shokri_n_classes",
    "Attack precision against the number of classes (k-means re-clustering, Shokri et al.)",
)
def shokri_n_classes(prof, seed: int = 0, progress: bool = False) -> dict:
    """Re-cluster the dataset with k-means into k classes and attack a target for each k.

    Shokri et al. built Purchase-2, -10, -20, -50 and -100 this way and found the attack
    more precise the more classes there are; Purchase is not in our offline data, so the
    same construction is applied to Locations (446 binary features).
    """
    from ..datasets import recluster_labels

    rows, infos = [], {}
    for key, entry in prof.datasets.items():
        data = _load(entry)
        infos[key] = dataset_info(data)
        for k in progress_bar(entry.options["classes"], progress, "shokri_n_classes"):
            y = recluster_labels(data.X, k, random_state=seed)
            t0 = time.perf_counter()
            res = _attack(data, entry, seed, y=y, n_classes=k)
            rows.append(
                {"key": f"k={k}", "dataset": key, "n_classes": k, **_timed(t0), **res.row()}
            )
    return {"rows": rows, "datasets": infos}


@register(
    "shokri_gap",
    "Train-test gap against attack accuracy over models of different kinds (Locations)",
)
def shokri_gap(prof, seed: int = 0, progress: bool = False) -> dict:
    """Shokri's attack on targets that overfit to different degrees, one row per model.

    The targets (``models`` in the profile file, or the profile's subset ``targets``) are
    networks trained for more or fewer epochs, with weight decay, and the scikit-learn zoo,
    each attacked with shadows of its own kind.
    """
    chosen = [m for m in prof.options["models"] if m[0] in prof.options.get("targets", [m[0]])]
    rows, infos = [], {}
    for key, entry in prof.datasets.items():
        data = _load(entry)
        infos[key] = dataset_info(data)
        for label, name, overrides in progress_bar(chosen, progress, "shokri_gap"):
            model, params = resolve_model(name, overrides)
            t0 = time.perf_counter()
            res = _attack(data, entry, seed, model=model, model_params=params)
            rows.append(
                {
                    "key": label,
                    "dataset": key,
                    "target": label,
                    "model": model,
                    "params": params,
                    **_timed(t0),
                    **res.row(),
                }
            )
    return {"rows": rows, "datasets": infos}


@register(
    "shokri_cifar_size",
    "Attack precision against the target's training-set size on CIFAR-10 (Shokri et al.)",
)
def shokri_cifar_size(prof, seed: int = 0, progress: bool = False) -> dict:
    """Shokri's attack on CNN targets trained on more and more CIFAR-10 records.

    Shokri et al. trained CIFAR-10 targets on 2,500, 5,000, 10,000 and 15,000 records and
    found the attack less precise the more data the target had (median per-class precision
    about 0.72 at 10,000, per the survey). Each size gets its own target and shadows of the
    same size. CIFAR-10 here is the lossy JPEG re-encoding of the offline data.
    """
    rows, infos = [], {}
    for key, entry in prof.datasets.items():
        data = _load(entry)
        infos[key] = dataset_info(data)
        for size in progress_bar(entry.options["sizes"], progress, "shokri_cifar_size"):
            t0 = time.perf_counter()
            res = _attack(data, entry, seed, target_size=size)
            rows.append(
                {"key": f"n={size}", "dataset": key, "train_size": size, **_timed(t0)}
                | res.row(per_class=True)
            )
    return {"rows": rows, "datasets": infos}
