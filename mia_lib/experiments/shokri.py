"""Replications of Shokri et al. (2017): the attack on each dataset, the number of classes,
overfitting, and the training-set size."""

from __future__ import annotations

import time

import numpy as np

from .runner import dataset_info, progress_bar, register

# --------------------------------------------------------------------------------------------
# the attack, end to end


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
    shadow_model: str | None = None,
    shadow_params: dict | None = None,
    attack_model=None,
    shadow_X=None,
) -> dict:
    """Shokri et al.'s attack end to end on one dataset; returns the metrics as a dict.

    A target of ``model`` is trained on ``target_size`` records; as many non-members are
    held out; ``n_shadows`` shadow models of the same kind are trained on ``shadow_size``
    records each (default ``target_size``) from the rest; one attack model per class
    (:class:`mia_lib.attacks.ShokriAttack`) is trained on the shadows' outputs and
    evaluated on the target's members and non-members, seen through a
    :class:`mia_lib.query.BlackBox`.

    The attacker need not copy the target (Truex et al. 2018): ``shadow_model`` names another
    model type for the shadows (default ``model``), with ``shadow_params`` (default
    ``model_params`` when the shadows are of the target's type, else the type's defaults);
    ``attack_model`` is an unfitted scikit-learn classifier cloned for each class (default
    :func:`mia_lib.attacks.default_attack_model`); ``shadow_X`` is the attacker's copy of the
    records (same shape as ``X``, e.g. with some features replaced by noise), on which the
    shadows are trained, while the target is trained and queried on ``X``.

    Keys: sizes, ``train_acc``, ``test_acc``, ``gap``, ``precision``, ``recall``,
    ``accuracy``, ``auc``, ``advantage``, ``tpr_at_1pct_fpr``, ``median_class_precision``
    (median over classes of the per-class precision, the statistic Shokri et al. plot),
    ``baseline_auc`` (confidence threshold) and ``per_class_precision``.
    """
    from ..attacks import ShokriAttack, ThresholdAttack
    from ..metrics import evaluate
    from ..models import make_model
    from ..query import BlackBox
    from ..shadow import ShadowModels
    from ..splits import membership_split

    params = dict(model_params or {})
    split = membership_split(len(y), target_size=target_size, random_state=seed)
    pool = split.shadow_pool
    size = int(shadow_size or target_size)
    if 2 * size > len(pool):
        size = len(pool) // 2
    if shadow_model is None or shadow_model == model:
        shadow_kind = model
        s_params = params if shadow_params is None else dict(shadow_params)
    else:
        shadow_kind = shadow_model
        s_params = dict(shadow_params or {})
    if shadow_X is None:
        shadow_X = X
    elif np.shape(shadow_X) != np.shape(X):
        raise ValueError(
            f"shadow_X must have the shape of X {np.shape(X)} (the attacker's copy of the same "
            f"records), got {np.shape(shadow_X)}."
        )
    target = make_model(model, random_state=seed, n_classes=n_classes, **params)
    target.fit(X[split.target_in], y[split.target_in])
    train_acc = float(target.score(X[split.target_in], y[split.target_in]))
    test_acc = float(target.score(X[split.target_out], y[split.target_out]))

    shadows = ShadowModels(
        shadow_kind,
        n_shadows=n_shadows,
        shadow_size=size,
        model_params=s_params,
        random_state=seed + 1,
    )
    shadows.fit(shadow_X[pool], y[pool], n_classes=n_classes)
    attack = ShokriAttack(attack_model=attack_model, random_state=seed).fit(*shadows.attack_data_)

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
    from ..datasets import available_datasets, load_dataset

    names = _profile_datasets(profile)
    if datasets is not None:
        datasets = [datasets] if isinstance(datasets, str) else list(datasets)
        unknown = [d for d in datasets if d not in names]
        if unknown:
            raise ValueError(f"datasets {unknown} are not in profile {profile!r}: {names}")
        names = [n for n in names if n in datasets]
    avail = available_datasets()
    rows, skipped, infos, settings = [], {}, {}, {}
    for name in progress_bar(names, progress, "shokri_datasets"):
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
        infos[name] = dataset_info(data)
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
                "key": name,
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


def _sweep_result(cfg: dict, rows: list, data, **listed) -> dict:
    """The result of a sweep over one dataset: its rows, the profile's settings (with the
    swept values as JSON lists in ``listed``) and the dataset's sources."""
    settings = {k: v for k, v in cfg.items() if k not in listed} | listed
    return {
        "results": {"dataset": cfg["dataset"], "rows": rows},
        "settings": settings,
        "datasets": {cfg["dataset"]: dataset_info(data)},
    }


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
    from ..datasets import load_dataset, recluster_labels

    cfg = _N_CLASSES[profile]
    data = load_dataset(cfg["dataset"])
    rows = []
    for k in progress_bar(cfg["classes"], progress, "shokri_n_classes"):
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
        rows.append(
            {
                "key": f"k={k}",
                "n_classes": k,
                "duration_s": round(time.perf_counter() - t0, 1),
                **res,
            }
        )
    return _sweep_result(cfg, rows, data, classes=list(cfg["classes"]))


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
    from ..datasets import load_dataset

    cfg = _GAP[profile]
    data = load_dataset(cfg["dataset"])
    rows = []
    chosen = [_GAP_MODELS[i] for i in cfg["models"]]
    for label, model, params in progress_bar(chosen, progress, "shokri_gap"):
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
                "key": label,
                "target": label,
                "model": model,
                "params": params,
                "duration_s": round(time.perf_counter() - t0, 1),
                **res,
            }
        )
    return _sweep_result(cfg, rows, data, models=[m[0] for m in chosen])


# --------------------------------------------------------------------------------------------
# shokri_cifar_size

_CIFAR_SIZE = {
    "smoke": {
        "dataset": "digits",
        "sizes": (150, 300),
        "n_shadows": 2,
        "model": "mlp",
        "params": {**_MLP, "epochs": 20},
    },
    "quick": {
        "dataset": "cifar10",
        "sizes": (250, 500, 1000),
        "n_shadows": 2,
        "model": "cnn",
        "params": {**_CNN, "epochs": 20, "batch_size": 32},
        "note": (
            "250 to 1,000 records (paper: 2,500 to 15,000), 2 shadows, batches of 32 so that "
            "the small targets fit their training sets in 20 epochs"
        ),
    },
    "full": {
        "dataset": "cifar10",
        "sizes": (2500, 5000, 10000, 15000),
        "n_shadows": 10,
        "model": "cnn",
        "params": {**_CNN, "epochs": 20},
    },
}


@register(
    "shokri_cifar_size",
    "Attack precision against the target's training-set size on CIFAR-10 (Shokri et al.)",
)
def shokri_cifar_size(
    profile: str = "quick",
    seed: int = 0,
    progress: bool = False,
    n_shadows: int | None = None,
    epochs: int | None = None,
) -> dict:
    """Shokri's attack on CNN targets trained on more and more CIFAR-10 records.

    Shokri et al. trained CIFAR-10 targets on 2,500, 5,000, 10,000 and 15,000 records and
    found the attack less precise the more data the target had (median per-class precision
    about 0.72 at 10,000, per the survey). Each size gets its own target and shadows of the
    same size; ``n_shadows`` and ``epochs`` override the profile's values (for a run on a
    small CPU budget; the overrides are recorded with the result). CIFAR-10 here is the
    lossy JPEG re-encoding of the offline data.
    """
    from ..datasets import load_dataset

    cfg = dict(_CIFAR_SIZE[profile])
    params = dict(cfg["params"])
    if n_shadows is not None:
        if int(n_shadows) < 1:
            raise ValueError(f"n_shadows must be at least 1, got {n_shadows}")
        cfg["n_shadows"] = int(n_shadows)
    if epochs is not None:
        if int(epochs) < 1:
            raise ValueError(f"epochs must be at least 1, got {epochs}")
        params["epochs"] = int(epochs)
    cfg["params"] = params
    data = load_dataset(cfg["dataset"])
    rows = []
    for size in progress_bar(cfg["sizes"], progress, "shokri_cifar_size"):
        t0 = time.perf_counter()
        res = shokri_attack_run(
            data.X,
            data.y,
            data.n_classes,
            target_size=size,
            n_shadows=cfg["n_shadows"],
            model=cfg["model"],
            model_params=params,
            seed=seed,
        )
        rows.append(
            {
                "key": f"n={size}",
                "train_size": size,
                "duration_s": round(time.perf_counter() - t0, 1),
                **res,
            }
        )
    return _sweep_result(cfg, rows, data, sizes=list(cfg["sizes"]))
