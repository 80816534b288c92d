"""Replications of Truex et al. (2018), "Towards demystifying membership inference attacks".

The survey (Gehrke 2021) reports Truex et al.'s findings as directions, without table values
(see ``claims("truex2018")`` in :mod:`mia_lib.papers`). Three replications test them:

* ``truex_transfer``: a matrix of target model type against attacker model type (the
  attacker's shadow models *and* its attack model are of that type), attack accuracy as mean
  and standard deviation over seeds (:func:`transfer_matrix`, :func:`transfer_effects`);
* ``truex_data_factors``: the number of classes and the in-class standard deviation
  (:func:`in_class_std`): synthetic data with both under control, Locations re-clustered into
  k classes, and CIFAR-10 beside a 10-class tabular dataset (the survey's critique);
* ``truex_knowledge``: a fraction of the attacker's features replaced by noise
  (:func:`replace_features_with_noise`) and the shadow training-set size.

Every row of a result carries a unique ``key`` so that ``--merge`` can update a stored
result one dataset at a time. The ``judge_*`` functions turn results into a verdict on a
claim by the rule stated in their docstring (thresholds: :data:`EFFECT`,
:data:`SIZE_EFFECT`, :data:`NOISE_KEEP`, :data:`WORKING_ACC`, :data:`EQUAL_STD`).
"""

from __future__ import annotations

import time

import numpy as np

from .runner import dataset_info, progress_bar, register
from .shokri import shokri_attack_run

__all__ = [
    "ATTACKER_TYPES",
    "in_class_std",
    "relative_in_class_std",
    "replace_features_with_noise",
    "attack_model_of",
    "transfer_matrix",
    "transfer_effects",
    "judge_target_type",
    "judge_interchangeable",
    "judge_n_classes",
    "judge_in_class_std",
    "judge_equal_std",
    "judge_cifar_critique",
    "judge_feature_noise",
    "judge_shadow_size",
]

#: The model types of the transfer matrix (targets, shadows and attack models).
ATTACKER_TYPES = (
    "logistic_regression",
    "decision_tree",
    "random_forest",
    "knn",
    "naive_bayes",
    "mlp",
)

#: An effect: a difference of at least 5 points of attack accuracy.
EFFECT = 0.05
#: A shadow-size effect: at least 2 points of attack accuracy from the smallest to the largest.
SIZE_EFFECT = 0.02
#: "Stays high" under noise: keeps at least 90% of the noise-free advantage over chance.
NOISE_KEEP = 0.9
#: An attack "works" (a noise test means something) at this accuracy or more.
WORKING_ACC = 0.55
#: Two in-class standard deviations are "nearly equal" within 10% of each other.
EQUAL_STD = 0.10

_MLP = {"hidden_layer_sizes": (128,), "activation": "tanh", "learning_rate": 1e-3, "batch_size": 64}
_CNN = {
    "conv_channels": (32, 64),
    "hidden_units": 128,
    "activation": "tanh",
    "learning_rate": 1e-3,
    "batch_size": 64,
}

#: Parameters of each type when it is the *attack* model (one per class, on posteriors).
_ATTACK_PARAMS = {
    "random_forest": {"n_estimators": 50},
    "mlp": {
        "hidden_layer_sizes": (64,),
        "activation": "relu",
        "epochs": 40,
        "learning_rate": 1e-2,
        "batch_size": 64,
    },
}


# --------------------------------------------------------------------------------------------
# measures and data transforms


def _check_Xy(X, y) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X, dtype=np.float64)
    X = X.reshape(len(X), -1)
    y = np.asarray(y)
    if y.ndim != 1 or len(y) != len(X):
        raise ValueError(f"y must be a vector of one label per record ({len(X)}), got {y.shape}.")
    if len(X) == 0:
        raise ValueError("X has no records.")
    return X, y


def in_class_std(X, y) -> float:
    """Truex et al.'s in-class standard deviation, as we define it.

    The mean over classes of the mean over features of the per-feature standard deviation
    of the class's records: ``mean_c mean_j std(X[y == c, j])`` (records flattened to
    vectors; population standard deviation). It depends on the features' scale, as the
    paper's comparison across datasets did; :func:`relative_in_class_std` does not.

    >>> X = np.array([[0.0], [2.0], [10.0], [14.0]]); y = np.array([0, 0, 1, 1])
    >>> in_class_std(X, y)      # class 0: std 1, class 1: std 2
    1.5
    """
    X, y = _check_Xy(X, y)
    return float(np.mean([X[y == c].std(axis=0).mean() for c in np.unique(y)]))


def relative_in_class_std(X, y) -> float:
    """:func:`in_class_std` divided by the mean per-feature standard deviation of all records.

    Scale-free: 1 when the classes do not differ at all, near 0 when every class is a point.

    >>> X = np.array([[0.0], [2.0], [10.0], [14.0]]); y = np.array([0, 0, 1, 1])
    >>> round(relative_in_class_std(X, y), 3)
    0.262
    """
    X2, y2 = _check_Xy(X, y)
    total = float(X2.std(axis=0).mean())
    if total == 0:
        raise ValueError("every feature is constant; the relative in-class std is undefined.")
    return in_class_std(X2, y2) / total


def replace_features_with_noise(X, fraction: float, *, random_state=None):
    """The attacker's noisy copy of ``X``: ``fraction`` of the features replaced by noise.

    ``round(fraction * n_features)`` features are chosen at random (features of a flattened
    record); in every record each chosen feature is replaced by an independent draw from that
    feature's empirical marginal (its values over all records of ``X``, drawn with
    replacement). The noise keeps each feature's distribution and destroys its relation to
    the label and to the other features. Returns ``(X_noisy, features)``, the noisy copy
    (same shape and dtype) and the sorted indices of the replaced features.

    >>> X = np.arange(20.0).reshape(5, 4)
    >>> Xn, feats = replace_features_with_noise(X, 0.5, random_state=0)
    >>> len(feats), Xn.shape
    (2, (5, 4))
    >>> keep = np.setdiff1d(np.arange(4), feats)
    >>> bool((Xn[:, keep] == X[:, keep]).all())
    True
    >>> replace_features_with_noise(X, 1.5)
    Traceback (most recent call last):
    ...
    ValueError: fraction must be a number between 0 and 1 (the share of features replaced), got 1.5.
    """
    if isinstance(fraction, bool) or not isinstance(fraction, int | float | np.number):
        raise ValueError(f"fraction must be a number between 0 and 1, got {fraction!r}.")
    if not 0.0 <= float(fraction) <= 1.0:
        raise ValueError(
            "fraction must be a number between 0 and 1 (the share of features replaced), "
            f"got {fraction}."
        )
    X = np.asarray(X)
    if X.ndim < 2 or len(X) == 0:
        raise ValueError(f"X must be records of features (n, d, ...), got shape {X.shape}.")
    flat = X.reshape(len(X), -1)
    d = flat.shape[1]
    rng = np.random.default_rng(random_state)
    k = int(round(float(fraction) * d))
    feats = np.sort(rng.choice(d, size=k, replace=False)) if k else np.empty(0, dtype=np.int64)
    out = flat.copy()
    if k:
        rows = rng.integers(0, len(X), size=(len(X), k))
        out[:, feats] = flat[rows, feats[None, :]]
    return out.reshape(X.shape), feats


def attack_model_of(kind: str, seed: int = 0):
    """An unfitted attack classifier of model type ``kind`` (cloned per class by the attack).

    The zoo's defaults (:func:`mia_lib.models.make_model`), except a random forest of 50 trees
    and a network of 64 ReLU units trained for 40 epochs at learning rate 0.01 (the attack
    models learn from a few hundred posterior vectors per class).

    >>> attack_model_of("knn")
    KNeighborsClassifier()
    """
    from ..models import MODEL_NAMES, make_model

    if kind not in MODEL_NAMES or kind == "cnn":
        known = ", ".join(m for m in MODEL_NAMES if m != "cnn")
        raise ValueError(f"unknown attack model type {kind!r}; choose one of {known}.")
    return make_model(kind, random_state=seed, **_ATTACK_PARAMS.get(kind, {}))


def _check_types(types, name: str) -> tuple[str, ...]:
    from ..models import MODEL_NAMES

    known = [m for m in MODEL_NAMES if m != "cnn"]  # records are flattened: no CNN
    types = (types,) if isinstance(types, str) else tuple(types)
    unknown = [t for t in types if t not in known]
    if unknown or not types:
        raise ValueError(f"{name} must be model types among {', '.join(known)}; got {list(types)}.")
    return types


# --------------------------------------------------------------------------------------------
# the transfer matrix


def transfer_matrix(
    X,
    y,
    n_classes: int,
    *,
    target_types=ATTACKER_TYPES,
    attacker_types=ATTACKER_TYPES,
    target_size: int,
    n_shadows: int,
    model_params: dict | None = None,
    seed: int = 0,
) -> list[dict]:
    """Attack every target type with every attacker type; one row per (target, attacker).

    Each target type is trained once on the target's members; each attacker type trains
    ``n_shadows`` shadow models of its type and an attack model of its type
    (:func:`attack_model_of`, one per class) once, and attacks every target. The splits,
    seeds and steps are those of :func:`mia_lib.experiments.shokri_attack_run`, so cell
    (t, a) equals ``shokri_attack_run(model=t, shadow_model=a, attack_model=
    attack_model_of(a, seed), ...)``, at a sixth of the cost of 36 separate runs.
    ``model_params`` maps a type to its parameters as target and shadow.

    Row keys: ``target``, ``attacker``, ``train_acc``, ``test_acc``, ``gap``, ``precision``,
    ``recall``, ``accuracy``, ``auc``, ``advantage``.
    """
    from ..attacks import ShokriAttack
    from ..metrics import evaluate
    from ..models import make_model
    from ..query import BlackBox
    from ..shadow import ShadowModels
    from ..splits import membership_split

    target_types = _check_types(target_types, "target_types")
    attacker_types = _check_types(attacker_types, "attacker_types")
    params = {k: dict(v) for k, v in (model_params or {}).items()}
    split = membership_split(len(y), target_size=target_size, random_state=seed)
    pool = split.shadow_pool
    size = int(target_size)
    if 2 * size > len(pool):
        size = len(pool) // 2
    idx, member = split.evaluation()
    y_eval = y[idx]
    targets = {}
    for t in target_types:
        est = make_model(t, random_state=seed, n_classes=n_classes, **params.get(t, {}))
        est.fit(X[split.target_in], y[split.target_in])
        train_acc = float(est.score(X[split.target_in], y[split.target_in]))
        test_acc = float(est.score(X[split.target_out], y[split.target_out]))
        P = BlackBox(est, n_classes=n_classes).query(X[idx])
        targets[t] = (train_acc, test_acc, P)
    rows = []
    for a in attacker_types:
        shadows = ShadowModels(
            a,
            n_shadows=n_shadows,
            shadow_size=size,
            model_params=params.get(a, {}),
            random_state=seed + 1,
        )
        shadows.fit(X[pool], y[pool], n_classes=n_classes)
        attack = ShokriAttack(attack_model=attack_model_of(a, seed), random_state=seed)
        attack.fit(*shadows.attack_data_)
        for t in target_types:
            train_acc, test_acc, P = targets[t]
            rep = evaluate(
                member, attack.score_samples(P, y_eval), predicted=attack.predict(P, y_eval)
            )
            rows.append(
                {
                    "target": t,
                    "attacker": a,
                    "train_acc": train_acc,
                    "test_acc": test_acc,
                    "gap": train_acc - test_acc,
                    "precision": rep.precision,
                    "recall": rep.recall,
                    "accuracy": rep.accuracy,
                    "auc": rep.auc,
                    "advantage": rep.advantage,
                }
            )
    return rows


def _mean_std(values) -> tuple[float, float]:
    v = np.asarray(values, dtype=float)
    return float(v.mean()), float(v.std(ddof=1)) if len(v) > 1 else 0.0


_TRANSFER = {
    "smoke": {
        "seeds": 2,
        "n_shadows": 1,
        "types": ("logistic_regression", "decision_tree", "naive_bayes"),
        "datasets": {"digits": {"target_size": 300, "params": {}}},
    },
    "quick": {
        "seeds": 2,
        "n_shadows": 2,
        "types": ATTACKER_TYPES,
        "datasets": {
            "locations": {
                "target_size": 600,
                "params": {"mlp": {**_MLP, "epochs": 60}},
                "note": "600-record target (Shokri et al.: 1,200), 60 epochs, 2 shadows",
            },
        },
    },
    "full": {
        "seeds": 3,
        "n_shadows": 3,
        "types": ATTACKER_TYPES,
        "datasets": {
            "adult": {
                "target_size": 2000,
                "params": {"mlp": {**_MLP, "epochs": 30}},
                "note": "2,000-record target (Shokri et al.: 10,000)",
            },
            "locations": {"target_size": 1200, "params": {"mlp": {**_MLP, "epochs": 100}}},
            "fashion_mnist": {
                "target_size": 1000,
                "params": {"mlp": {**_MLP, "epochs": 50}},
                "note": "flattened 28x28 images, 1,000-record target; stands in for MNIST",
            },
        },
    },
}


def _config(configs: dict, profile: str) -> dict:
    if profile not in configs:
        raise ValueError(f"unknown profile {profile!r}; choose one of {tuple(configs)}")
    return configs[profile]


def _select(names: list[str], datasets, profile: str) -> list[str]:
    if datasets is None:
        return names
    datasets = [datasets] if isinstance(datasets, str) else list(datasets)
    unknown = [d for d in datasets if d not in names]
    if unknown:
        raise ValueError(f"datasets {unknown} are not in profile {profile!r}: {names}")
    return [n for n in names if n in datasets]


@register(
    "truex_transfer",
    "Truex et al. 2018: target model type against attacker (shadow + attack) model type",
)
def truex_transfer(
    profile: str = "quick", seed: int = 0, progress: bool = False, datasets=None
) -> dict:
    """The transfer matrix (:func:`transfer_matrix`) on each dataset of the profile.

    Seeds ``seed, seed + 1, ...`` (the profile's number) give each cell a mean and a standard
    deviation of the attack accuracy. ``datasets`` restricts the run to some of the
    profile's datasets (then ``--merge`` adds them to a stored result). One row per
    (dataset, target, attacker), key ``"dataset/target/attacker"``.
    """
    from ..datasets import available_datasets, load_dataset

    cfg = _config(_TRANSFER, profile)
    names = _select(list(cfg["datasets"]), datasets, profile)
    avail = available_datasets()
    seeds = [seed + i for i in range(cfg["seeds"])]
    rows, skipped, infos, settings = [], {}, {}, {}
    for name in progress_bar(names, progress, "truex_transfer"):
        ok, why = avail.get(name, (False, "unknown dataset"))
        if not ok:
            skipped[name] = why
            continue
        dcfg = cfg["datasets"][name]
        data = load_dataset(name)
        infos[name] = dataset_info(data)
        X = data.X.reshape(len(data.X), -1)
        settings[name] = {
            "target_size": dcfg["target_size"],
            "n_shadows": cfg["n_shadows"],
            "seeds": seeds,
            "types": list(cfg["types"]),
            "model_params": dcfg["params"],
            "attack_params": _ATTACK_PARAMS,
            "note": dcfg.get("note", ""),
        }
        t0 = time.perf_counter()
        runs = [
            transfer_matrix(
                X,
                data.y,
                data.n_classes,
                target_types=cfg["types"],
                attacker_types=cfg["types"],
                target_size=dcfg["target_size"],
                n_shadows=cfg["n_shadows"],
                model_params=dcfg["params"],
                seed=s,
            )
            for s in seeds
        ]
        duration = round(time.perf_counter() - t0, 1)
        for cells in zip(*runs, strict=True):
            first = cells[0]
            row = {
                "key": f"{name}/{first['target']}/{first['attacker']}",
                "dataset": name,
                "target": first["target"],
                "attacker": first["attacker"],
                "n_seeds": len(cells),
                "dataset_duration_s": duration,
            }
            for col in ("accuracy", "auc", "precision", "recall", "train_acc", "test_acc", "gap"):
                row[f"{col}_mean"], row[f"{col}_std"] = _mean_std([c[col] for c in cells])
            row["accuracy_by_seed"] = [c["accuracy"] for c in cells]
            rows.append(row)
    return {"results": {"rows": rows, "skipped": skipped}, "settings": settings, "datasets": infos}


def transfer_effects(rows, metric: str = "accuracy") -> dict[str, dict]:
    """Per dataset: how much the target type and the attacker type move the attack accuracy.

    From the rows of ``truex_transfer`` (mean of ``metric`` over seeds, cell ``M[t, a]``;
    ``"accuracy"`` or ``"auc"``):
    ``target_effect`` is the range (max - min) over target types of the row means
    ``mean_a M[t, a]``; ``attacker_effect`` the range over attacker types of the column means
    ``mean_t M[t, a]``; ``within_target_range`` the median over targets of the range of a
    row; ``seed_std`` the mean standard deviation of a cell over seeds.

    >>> rows = [{"dataset": "d", "target": t, "attacker": a, "accuracy_mean": m,
    ...          "accuracy_std": 0.01} for t, a, m in
    ...         [("x", "x", 0.9), ("x", "z", 0.8), ("z", "x", 0.5), ("z", "z", 0.52)]]
    >>> e = transfer_effects(rows)["d"]
    >>> round(e["target_effect"], 3), round(e["attacker_effect"], 3)
    (0.34, 0.04)
    """
    import pandas as pd

    if metric not in ("accuracy", "auc"):
        raise ValueError(f"metric must be 'accuracy' or 'auc', got {metric!r}.")
    df = pd.DataFrame(list(rows))
    out = {}
    for name, g in df.groupby("dataset", sort=False):
        M = g.pivot(index="target", columns="attacker", values=f"{metric}_mean")
        by_target = M.mean(axis=1)
        by_attacker = M.mean(axis=0)
        out[str(name)] = {
            "target_effect": float(by_target.max() - by_target.min()),
            "attacker_effect": float(by_attacker.max() - by_attacker.min()),
            "within_target_range": float((M.max(axis=1) - M.min(axis=1)).median()),
            "seed_std": float(g[f"{metric}_std"].mean()),
            "most_vulnerable": str(by_target.idxmax()),
            "least_vulnerable": str(by_target.idxmin()),
            "best_attacker": str(by_attacker.idxmax()),
            "worst_attacker": str(by_attacker.idxmin()),
        }
    return out


def _overall(holds: list[bool]) -> str:
    if not holds:
        return "not testable here"
    if all(holds):
        return "reproduced"
    return "partly reproduced" if any(holds) else "not reproduced"


def judge_target_type(effects: dict) -> tuple[str, str]:
    """Rule: the claim holds on a dataset when the target effect is at least :data:`EFFECT`;
    on every dataset: reproduced; on some: partly; on none: not reproduced.

    >>> judge_target_type({"a": {"target_effect": 0.2}, "b": {"target_effect": 0.01}})[1]
    'partly reproduced'
    """
    holds = [e["target_effect"] >= EFFECT for e in effects.values()]
    text = "; ".join(
        f"{d}: accuracy range over target types {e['target_effect']:.3f}"
        for d, e in effects.items()
    )
    return text, _overall(holds)


def judge_interchangeable(effects: dict) -> tuple[str, str]:
    """Rule: holds on a dataset when the attacker effect is at most half the target effect;
    on every dataset: reproduced; on some: partly; on none: not reproduced.

    >>> judge_interchangeable({"a": {"target_effect": 0.2, "attacker_effect": 0.05,
    ...                              "within_target_range": 0.1}})[1]
    'reproduced'
    """
    holds = [e["attacker_effect"] <= 0.5 * e["target_effect"] for e in effects.values()]
    text = "; ".join(
        f"{d}: range over attacker types {e['attacker_effect']:.3f} vs over targets "
        f"{e['target_effect']:.3f} (median range within a target {e['within_target_range']:.3f})"
        for d, e in effects.items()
    )
    return text, _overall(holds)


# --------------------------------------------------------------------------------------------
# number of classes and in-class standard deviation

_FACTORS = {
    "smoke": {
        "seeds": 1,
        "n_shadows": 1,
        "synthetic": {
            "classes": (2, 5),
            "stds": (0.5, 2.0),
            "n_features": 10,
            "target_size": 150,
            "params": {**_MLP, "epochs": 30},
        },
        "locations_k": None,
        "real": {},
    },
    "quick": {
        "seeds": 1,
        "n_shadows": 2,
        "synthetic": {
            "classes": (2, 10, 20),
            "stds": (0.5, 2.0, 4.0),
            "n_features": 20,
            "target_size": 400,
            "params": {**_MLP, "epochs": 60},
        },
        "locations_k": {
            "classes": (2, 10, 30),
            "target_size": 600,
            "params": {**_MLP, "epochs": 60},
        },
        "real": {
            "cifar10": {
                "target_size": 400,
                "model": "cnn",
                "params": {**_CNN, "epochs": 20, "batch_size": 32},
                "n_shadows": 1,
                "note": "400 lossy-JPEG images, 1 shadow; batches of 32 and 20 epochs so that "
                "the CNN fits its training set",
            },
        },
    },
    "full": {
        "seeds": 2,
        "n_shadows": 2,
        "synthetic": {
            "classes": (2, 5, 10, 20, 50),
            "stds": (0.5, 1.0, 2.0, 4.0),
            "n_features": 20,
            "target_size": 500,
            "params": {**_MLP, "epochs": 60},
        },
        "locations_k": {
            "classes": (2, 5, 10, 20, 30, 50),
            "target_size": 1000,
            "params": {**_MLP, "epochs": 100},
        },
        "real": {
            "adult": {"target_size": 1000, "model": "mlp", "params": {**_MLP, "epochs": 30}},
            "cifar10": {
                "target_size": 1000,
                "model": "cnn",
                "params": {**_CNN, "epochs": 20, "batch_size": 32},
                "seeds": 1,
                "note": "lossy JPEG re-encoding of CIFAR-10; 1 seed (CPU budget); batches of 32 "
                "and 20 epochs so that the CNN fits its training set",
            },
        },
    },
}

_FACTOR_PARTS = ("synthetic", "locations_k", "real")


def _factor_row(key, kind, name, n_classes, std, rel, res_list, model, duration, **extra):
    row = {
        "key": key,
        "kind": kind,
        "dataset": name,
        "n_classes": int(n_classes),
        "in_class_std": float(std),
        "relative_in_class_std": float(rel),
        "model": model,
        "n_seeds": len(res_list),
        "duration_s": round(duration, 1),
        **extra,
    }
    for col in ("accuracy", "auc", "precision", "train_acc", "test_acc", "gap"):
        row[f"{col}_mean"], row[f"{col}_std"] = _mean_std([r[col] for r in res_list])
    return row


@register(
    "truex_data_factors",
    "Truex et al. 2018: attack accuracy against the number of classes and in-class std",
)
def truex_data_factors(
    profile: str = "quick", seed: int = 0, progress: bool = False, datasets=None
) -> dict:
    """Attack accuracy against the number of classes and the in-class standard deviation.

    Three parts (``datasets`` restricts a run to some of ``"synthetic"``, ``"locations_k"``
    and the real datasets of the profile):

    * ``synthetic``: :func:`mia_lib.datasets.load_dataset` ``("synthetic")`` with each number
      of classes and each ``cluster_std`` of a grid (class centres from N(0, 1), 20 features,
      4 x target_size records), an MLP target;
    * ``locations_k``: Locations re-clustered by k-means into k classes (as Shokri et al.
      made Purchase-k), an MLP target;
    * real datasets at their own number of classes: CIFAR-10 (CNN), and in the full profile
      Adult (MLP) and Fashion-MNIST (CNN). Locations with 10 classes stands in for
      Purchase-10, which our offline data lack.

    Each row has the measured :func:`in_class_std` and :func:`relative_in_class_std` of the
    data it attacks, and attack metrics as mean and std over the profile's seeds.
    """
    from ..datasets import available_datasets, load_dataset, recluster_labels

    cfg = _config(_FACTORS, profile)
    parts = [p for p in _FACTOR_PARTS if p != "real" and cfg[p]] + list(cfg["real"])
    chosen = _select(parts, datasets, profile)
    seeds = [seed + i for i in range(cfg["seeds"])]
    k = cfg["n_shadows"]
    rows, skipped, infos, settings = [], {}, {}, {"seeds": seeds, "n_shadows": k}

    def attack(X, y, n_classes, size, model, params, n_shadows=k, n_seeds=None):
        return [
            shokri_attack_run(
                X,
                y,
                n_classes,
                target_size=size,
                n_shadows=n_shadows,
                model=model,
                model_params=params,
                seed=s,
            )
            for s in seeds[: n_seeds or len(seeds)]
        ]

    if "synthetic" in chosen:
        sc = cfg["synthetic"]
        settings["synthetic"] = {**sc, "classes": list(sc["classes"]), "stds": list(sc["stds"])}
        grid = [(c, s) for c in sc["classes"] for s in sc["stds"]]
        for n_cls, std in progress_bar(grid, progress, "synthetic"):
            data = load_dataset(
                "synthetic",
                n_samples=4 * sc["target_size"],
                n_features=sc["n_features"],
                n_classes=n_cls,
                cluster_std=std,
                class_sep=1.0,
                random_state=seed,
            )
            t0 = time.perf_counter()
            res = attack(data.X, data.y, n_cls, sc["target_size"], "mlp", sc["params"])
            rows.append(
                _factor_row(
                    f"synthetic/c{n_cls}/s{std:g}",
                    "synthetic",
                    "synthetic",
                    n_cls,
                    in_class_std(data.X, data.y),
                    relative_in_class_std(data.X, data.y),
                    res,
                    "mlp",
                    time.perf_counter() - t0,
                    cluster_std=float(std),
                )
            )
        infos["synthetic"] = {"name": "synthetic", "notes": "generated per grid cell"}
    if "locations_k" in chosen:
        lc = cfg["locations_k"]
        settings["locations_k"] = {**lc, "classes": list(lc["classes"])}
        ok, why = available_datasets().get("locations", (False, "unknown"))
        if not ok:
            skipped["locations_k"] = why
        else:
            data = load_dataset("locations")
            infos["locations"] = dataset_info(data)
            for n_cls in progress_bar(lc["classes"], progress, "locations_k"):
                y = recluster_labels(data.X, n_cls, random_state=seed)
                t0 = time.perf_counter()
                res = attack(data.X, y, n_cls, lc["target_size"], "mlp", lc["params"])
                rows.append(
                    _factor_row(
                        f"locations_k/{n_cls}",
                        "locations_k",
                        f"locations-{n_cls}",
                        n_cls,
                        in_class_std(data.X, y),
                        relative_in_class_std(data.X, y),
                        res,
                        "mlp",
                        time.perf_counter() - t0,
                    )
                )
    avail = available_datasets()
    for name in progress_bar([c for c in chosen if c in cfg["real"]], progress, "real"):
        ok, why = avail.get(name, (False, "unknown dataset"))
        if not ok:
            skipped[name] = why
            continue
        rc = cfg["real"][name]
        settings[name] = rc
        data = load_dataset(name)
        infos[name] = dataset_info(data)
        t0 = time.perf_counter()
        res = attack(
            data.X,
            data.y,
            data.n_classes,
            rc["target_size"],
            rc["model"],
            rc["params"],
            n_shadows=rc.get("n_shadows", k),
            n_seeds=rc.get("seeds", len(seeds)),
        )
        rows.append(
            _factor_row(
                f"real/{name}",
                "real",
                name,
                data.n_classes,
                in_class_std(data.X, data.y),
                relative_in_class_std(data.X, data.y),
                res,
                rc["model"],
                time.perf_counter() - t0,
                lossy=bool(data.lossy),
                note=rc.get("note", ""),
            )
        )
    return {"results": {"rows": rows, "skipped": skipped}, "settings": settings, "datasets": infos}


def _spearman(a, b) -> float:
    from scipy.stats import spearmanr

    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if len(a) < 3 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return float("nan")
    return float(spearmanr(a, b).statistic)


def _series_holds(x, acc) -> bool:
    """Rises with x: Spearman >= 0.8 and at least EFFECT from the smallest x to the largest."""
    order = np.argsort(x)
    x, acc = np.asarray(x)[order], np.asarray(acc)[order]
    rho = _spearman(x, acc) if len(x) >= 3 else (1.0 if acc[-1] > acc[0] else -1.0)
    return bool(rho >= 0.8 and acc[-1] - acc[0] >= EFFECT)


def _rows_of(rows, kind):
    return [r for r in rows if r["kind"] == kind]


def judge_n_classes(rows) -> tuple[str, str]:
    """Rule: a series "rises" when the attack accuracy has a Spearman correlation of at least
    0.8 with the number of classes and gains at least :data:`EFFECT` from the fewest classes
    to the most. Synthetic data hold when most of their series (one per in-class std) rise;
    Locations-k holds when its series rises. Both: reproduced; one: partly; none: not.
    """
    syn, loc = _rows_of(rows, "synthetic"), _rows_of(rows, "locations_k")
    holds, parts = [], []
    if syn:
        stds = sorted({r["cluster_std"] for r in syn})
        ok = []
        for s in stds:
            ser = [r for r in syn if r["cluster_std"] == s]
            ok.append(
                _series_holds([r["n_classes"] for r in ser], [r["accuracy_mean"] for r in ser])
            )
        holds.append(sum(ok) > len(ok) / 2)
        parts.append(f"synthetic: accuracy rises with the classes at {sum(ok)} of {len(ok)} stds")
    if loc:
        ks = [r["n_classes"] for r in loc]
        acc = [r["accuracy_mean"] for r in loc]
        holds.append(_series_holds(ks, acc))
        lo, hi = int(np.argmin(ks)), int(np.argmax(ks))
        parts.append(
            f"Locations-k: {acc[lo]:.3f} at {ks[lo]} classes, {acc[hi]:.3f} at {ks[hi]}"
            f" (Spearman {_spearman(ks, acc):.2f})"
        )
    return "; ".join(parts), _overall(holds)


def judge_in_class_std(rows) -> tuple[str, str]:
    """Rule: synthetic data hold when, at most numbers of classes, the accuracy rises with the
    in-class std (the series rule of :func:`judge_n_classes`); the real datasets (Locations-k
    and the others) hold when the Spearman correlation of in-class std and accuracy across
    them is at least 0.5. Both: reproduced; one: partly; none: not.
    """
    syn = _rows_of(rows, "synthetic")
    real = _rows_of(rows, "locations_k") + _rows_of(rows, "real")
    holds, parts = [], []
    if syn:
        ok = []
        for c in sorted({r["n_classes"] for r in syn}):
            ser = [r for r in syn if r["n_classes"] == c]
            ok.append(
                _series_holds([r["in_class_std"] for r in ser], [r["accuracy_mean"] for r in ser])
            )
        holds.append(sum(ok) > len(ok) / 2)
        parts.append(
            f"synthetic: accuracy rises with the std at {sum(ok)} of {len(ok)} class counts"
        )
    if len(real) >= 3:
        rho = _spearman([r["in_class_std"] for r in real], [r["accuracy_mean"] for r in real])
        holds.append(bool(rho >= 0.5))
        parts.append(
            f"{len(real)} real-data targets (Locations-k and others): Spearman(in-class std, "
            f"accuracy) {rho:.2f}"
        )
    return "; ".join(parts), _overall(holds)


def _analogue(verdict: str) -> str:
    return "partly reproduced" if verdict == "reproduced" else verdict


def judge_equal_std(rows) -> tuple[str, str]:
    """Purchase-100 against Purchase-50, on the Locations-k analogue. Rule: among adjacent
    numbers of classes, take the pair whose in-class stds are closest; when they are within
    :data:`EQUAL_STD` of each other, the claim holds if the larger number of classes is
    attacked more accurately. Purchase itself is not here, so a holding analogue is only
    "partly reproduced"; no pair within :data:`EQUAL_STD`: not testable here.
    """
    loc = sorted(_rows_of(rows, "locations_k"), key=lambda r: r["n_classes"])
    if len(loc) < 2:
        return "no Locations-k results", "not testable here"
    pairs = list(zip(loc[:-1], loc[1:], strict=True))
    diffs = [abs(b["in_class_std"] - a["in_class_std"]) / a["in_class_std"] for a, b in pairs]
    i = int(np.argmin(diffs))
    a, b = pairs[i]
    text = (
        f"Locations-{a['n_classes']} vs -{b['n_classes']}: in-class std {a['in_class_std']:.3f} vs "
        f"{b['in_class_std']:.3f}, accuracy {a['accuracy_mean']:.3f} vs {b['accuracy_mean']:.3f}"
    )
    if diffs[i] > EQUAL_STD:
        return text + " (stds differ too much)", "not testable here"
    verdict = "reproduced" if b["accuracy_mean"] > a["accuracy_mean"] else "not reproduced"
    return text, _analogue(verdict)


def judge_cifar_critique(rows) -> tuple[str, str]:
    """The survey's critique, with Locations-10 for Purchase-10. Rule: it holds when CIFAR-10
    has the lower in-class std *and* the higher attack accuracy; as an analogue, a holding
    critique is "partly reproduced"; missing results: not testable here.
    """
    cifar = [r for r in rows if r["dataset"] == "cifar10"]
    loc10 = [r for r in _rows_of(rows, "locations_k") if r["n_classes"] == 10]
    if not cifar or not loc10:
        return "CIFAR-10 or Locations-10 not run", "not testable here"
    c, t = cifar[0], loc10[0]
    text = (
        f"in-class std CIFAR-10 {c['in_class_std']:.3f} vs Locations-10 {t['in_class_std']:.3f} "
        f"(relative {c['relative_in_class_std']:.3f} vs {t['relative_in_class_std']:.3f}); "
        f"accuracy {c['accuracy_mean']:.3f} vs {t['accuracy_mean']:.3f}"
    )
    holds = c["in_class_std"] < t["in_class_std"] and c["accuracy_mean"] > t["accuracy_mean"]
    return text, _analogue("reproduced" if holds else "not reproduced")


# --------------------------------------------------------------------------------------------
# the attacker's knowledge: noisy features and shadow training-set size

_KNOWLEDGE = {
    "smoke": {
        "seeds": 1,
        "n_shadows": 1,
        "noise": (0.0, 0.5),
        "sizes": (100, 300),
        "datasets": {"digits": {"target_size": 300, "params": {**_MLP, "epochs": 20}}},
    },
    "quick": {
        "seeds": 1,
        "n_shadows": 2,
        "noise": (0.0, 0.1, 0.3, 0.5),
        "sizes": (150, 600),
        "datasets": {
            "locations": {
                "target_size": 600,
                "params": {**_MLP, "epochs": 60},
                "note": "600-record target, 60 epochs, 2 shadows",
            }
        },
    },
    "full": {
        "seeds": 3,
        "n_shadows": 3,
        "noise": (0.0, 0.1, 0.2, 0.3, 0.4, 0.5),
        "sizes": (150, 300, 600, 1200),
        "datasets": {
            "locations": {"target_size": 1200, "params": {**_MLP, "epochs": 100}},
        },
    },
}


@register(
    "truex_knowledge",
    "Truex et al. 2018: attacker's features replaced by noise; shadow training-set size",
)
def truex_knowledge(
    profile: str = "quick", seed: int = 0, progress: bool = False, datasets=None
) -> dict:
    """Shokri's attack with a noisy attacker and with shadows of different sizes.

    *Noise*: the attacker's copy of the records has a fraction of its features replaced by
    draws from each feature's marginal (:func:`replace_features_with_noise`; a new draw for
    every seed); the shadows train on it, the target is trained and queried on the real
    records. *Shadow size*: shadow models trained on each number of records. The target, the
    split and the seeds are the same in every row of a dataset, so the rows differ only in
    the attacker. Keys ``"dataset/noise/0.1"`` and ``"dataset/shadow_size/300"``.
    """
    from ..datasets import available_datasets, load_dataset

    cfg = _config(_KNOWLEDGE, profile)
    names = _select(list(cfg["datasets"]), datasets, profile)
    seeds = [seed + i for i in range(cfg["seeds"])]
    k = cfg["n_shadows"]
    avail = available_datasets()
    rows, skipped, infos, settings = [], {}, {}, {}
    for name in names:
        dcfg = cfg["datasets"][name]
        source = dcfg.get("load", name)
        ok, why = avail.get(source, (False, "unknown dataset"))
        if not ok:
            skipped[name] = why
            continue
        data = load_dataset(source)
        infos[source] = dataset_info(data)
        X = data.X.reshape(len(data.X), -1)
        y, n_cls = data.y, data.n_classes
        settings[name] = {
            **dcfg,
            "seeds": seeds,
            "n_shadows": k,
            "noise": list(cfg["noise"]),
            "sizes": list(cfg["sizes"]),
            "noise_distribution": "each replaced feature drawn from its empirical marginal",
        }
        rows += _knowledge_rows(name, X, y, n_cls, dcfg, cfg, seeds, progress)
    return {"results": {"rows": rows, "skipped": skipped}, "settings": settings, "datasets": infos}


def _knowledge_rows(name, X, y, n_cls, dcfg, cfg, seeds, progress) -> list[dict]:
    """The noise and shadow-size rows of one dataset (see :func:`truex_knowledge`)."""

    def attack(s, **kw):
        return shokri_attack_run(
            X,
            y,
            n_cls,
            target_size=dcfg["target_size"],
            n_shadows=cfg["n_shadows"],
            model="mlp",
            model_params=dcfg["params"],
            seed=s,
            **kw,
        )

    def row(key, res, t0, **extra):
        r = {"key": key, "dataset": name, "n_classes": n_cls, "n_seeds": len(res), **extra}
        r["duration_s"] = round(time.perf_counter() - t0, 1)
        for col in ("accuracy", "auc", "precision", "recall", "gap"):
            r[f"{col}_mean"], r[f"{col}_std"] = _mean_std([x[col] for x in res])
        r["accuracy_by_seed"] = [x["accuracy"] for x in res]
        return r

    rows = []
    for frac in progress_bar(cfg["noise"], progress, f"{name} noise"):
        t0 = time.perf_counter()
        res, n_noisy = [], set()
        for s in seeds:
            Xn, feats = replace_features_with_noise(X, frac, random_state=1000 + s)
            n_noisy.add(len(feats))
            res.append(attack(s, shadow_X=Xn))
        rows.append(
            row(
                f"{name}/noise/{frac:g}",
                res,
                t0,
                experiment="noise",
                noise=float(frac),
                n_noisy_features=int(n_noisy.pop()),
                n_features=int(X.shape[1]),
                shadow_size=int(res[0]["shadow_size"]),
            )
        )
    for sz in progress_bar(cfg["sizes"], progress, f"{name} shadow size"):
        t0 = time.perf_counter()
        res = [attack(s, shadow_size=sz) for s in seeds]
        rows.append(
            row(
                f"{name}/shadow_size/{sz}",
                res,
                t0,
                experiment="shadow_size",
                shadow_size=int(res[0]["shadow_size"]),
                requested_shadow_size=int(sz),
            )
        )
    return rows


def judge_feature_noise(rows, fraction: float = 0.1) -> tuple[str, str]:
    """Rule: on a dataset whose noise-free attack works (accuracy at least
    :data:`WORKING_ACC`), the claim holds when the attack with ``fraction`` of the features
    replaced keeps at least :data:`NOISE_KEEP` of its advantage over chance,
    ``acc(fraction) - 0.5 >= NOISE_KEEP * (acc(0) - 0.5)``. Every such dataset: reproduced;
    some: partly; none: not; no working attack: not testable here.
    """
    noise = [r for r in rows if r.get("experiment") == "noise"]
    holds, parts = [], []
    for name in dict.fromkeys(r["dataset"] for r in noise):
        by = {round(r["noise"], 6): r["accuracy_mean"] for r in noise if r["dataset"] == name}
        if 0.0 not in by or round(fraction, 6) not in by or by[0.0] < WORKING_ACC:
            continue
        a0, af = by[0.0], by[round(fraction, 6)]
        holds.append(af - 0.5 >= NOISE_KEEP * (a0 - 0.5))
        parts.append(f"{name}: {a0:.3f} without noise, {af:.3f} with {fraction:.0%} noise")
        hi = max(by)
        if hi != fraction:
            parts[-1] += f", {by[hi]:.3f} with {hi:.0%}"
    return "; ".join(parts) or "no dataset with a working attack", _overall(holds)


def judge_shadow_size(rows) -> tuple[str, str]:
    """Rule: on a dataset the claim holds when the attack accuracy gains at least
    :data:`SIZE_EFFECT` from the smallest shadow training set to the largest and does not
    fall along the way by more than that (each step at least ``-SIZE_EFFECT``). Every
    dataset: reproduced; some: partly; none: not.
    """
    sz = [r for r in rows if r.get("experiment") == "shadow_size"]
    holds, parts = [], []
    for name in dict.fromkeys(r["dataset"] for r in sz):
        ser = sorted((r["shadow_size"], r["accuracy_mean"]) for r in sz if r["dataset"] == name)
        if len(ser) < 2:
            continue
        acc = np.array([a for _, a in ser])
        holds.append(bool(acc[-1] - acc[0] >= SIZE_EFFECT and np.diff(acc).min() >= -SIZE_EFFECT))
        parts.append(
            f"{name}: {acc[0]:.3f} with {ser[0][0]} shadow records, {acc[-1]:.3f} with {ser[-1][0]}"
        )
    return "; ".join(parts), _overall(holds)
