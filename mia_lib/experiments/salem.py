"""Replications of Salem et al. (2019), "ML-Leaks": membership inference with fewer assumptions.

ML-Leaks relaxes Shokri et al.'s attacker step by step, and each step is one replication:

* ``salem_adversary1`` (adversary 1): one shadow model from the target's distribution, and
  one attack model on the three highest posteriors, sorted
  (:class:`~mia_lib.attacks.MLLeaksAttack`). Three parts: the number of shadow models ``k`` (ML-Leaks' top-3 attack
  beside Shokri's per-class attack on the full vector, repeated over seeds for confidence
  intervals); shadows whose hyperparameters differ from the target's; and the *combined*
  shadow (logistic regression + MLP + random forest pooled) against targets of each kind,
  beside a shadow of the target's own kind.
* ``salem_data_transfer`` (adversary 2): the shadow is trained on another dataset than the
  target; every (shadow dataset, target dataset) pair, precision and recall as matrices.
* ``salem_threshold`` (adversary 3): no shadow model at all; a threshold on the target's
  highest posterior, chosen without membership labels from the target's answers to random
  inputs (Salem et al.'s suggestion) or to records the attacker owns, taken as
  non-members. The three adversaries are compared on the same targets, with ROC curves.

Every row carries a unique ``key`` (so ``--merge`` replaces rows one by one); metrics are
those of :func:`mia_lib.metrics.evaluate` on the target's members and as many non-members.
The attack classifier is the library's default (gradient-boosted trees) for both ML-Leaks
and Shokri's attack; Salem et al.'s official code uses a small neural network.

>>> from mia_lib.experiments import EXPERIMENTS
>>> sorted(n for n in EXPERIMENTS if n.startswith("salem"))
['salem_adversary1', 'salem_data_transfer', 'salem_threshold']
>>> ci_table([{"k": 1, "v": 0.5}, {"k": 1, "v": 0.7}], ["k"], "v").round(3).to_dict("records")
[{'k': 1, 'mean': 0.6, 'sd': 0.141, 'n': 2, 'ci_low': -0.671, 'ci_high': 1.871}]
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from .runner import dataset_info, progress_bar, register
from .shokri import _CNN, _MLP

ROC_GRID = np.linspace(0.0, 1.0, 101)

# --------------------------------------------------------------------------------------------
# building blocks


@dataclass
class Target:
    """A trained target behind a black box, with its members and non-members.

    ``P``, ``y_eval`` and ``member`` are the black box's answers on the evaluation records
    (members first, then as many non-members), their labels and their membership. ``X``,
    ``y`` and ``split`` give access to the attacker's pool (``split.shadow_pool``).
    """

    name: str
    model: object
    blackbox: object
    split: object
    X: np.ndarray
    y: np.ndarray
    n_classes: int
    P: np.ndarray
    y_eval: np.ndarray
    member: np.ndarray
    train_acc: float
    test_acc: float

    @property
    def pool(self) -> np.ndarray:
        """Indices of the records left to the attacker (disjoint from the evaluation set)."""
        return self.split.shadow_pool


def train_target(
    X,
    y,
    n_classes: int,
    *,
    target_size: int,
    model: str = "mlp",
    model_params: dict | None = None,
    seed: int = 0,
    name: str = "",
) -> Target:
    """Split the data, train a target on ``target_size`` members and query it on the
    members and as many non-members through a :class:`~mia_lib.query.BlackBox`.

    >>> from sklearn.datasets import load_digits
    >>> X, y = load_digits(return_X_y=True)
    >>> t = train_target(X / 16, y, 10, target_size=200, model="logistic_regression")
    >>> t.P.shape, int(t.member.sum()), len(t.pool)
    ((400, 10), 200, 1397)
    """
    from ..models import make_model
    from ..query import BlackBox
    from ..splits import membership_split

    split = membership_split(len(y), target_size=target_size, random_state=seed)
    est = make_model(model, random_state=seed, n_classes=n_classes, **(model_params or {}))
    est.fit(X[split.target_in], y[split.target_in])
    bb = BlackBox(est, n_classes=n_classes)
    idx, member = split.evaluation()
    P = bb.query(X[idx])
    pred = P.argmax(axis=1)
    y_eval = y[idx]
    return Target(
        name=name,
        model=est,
        blackbox=bb,
        split=split,
        X=X,
        y=y,
        n_classes=int(n_classes),
        P=P,
        y_eval=y_eval,
        member=member,
        train_acc=float(np.mean(pred[member == 1] == y_eval[member == 1])),
        test_acc=float(np.mean(pred[member == 0] == y_eval[member == 0])),
    )


def train_shadows(
    target: Target,
    *,
    n_shadows: int = 1,
    model="mlp",
    model_params=None,
    shadow_size: int | None = None,
    seed: int = 0,
):
    """Fitted :class:`~mia_lib.shadow.ShadowModels` on ``target``'s attacker pool only.

    ``shadow_size`` defaults to the target's training-set size, capped at half the pool.
    ``model`` may be a list of kinds (a combined shadow, ``model_params`` then a list).
    """
    from ..shadow import ShadowModels

    pool = target.pool
    size = int(shadow_size or len(target.split.target_in))
    size = min(size, len(pool) // 2)
    shadows = ShadowModels(
        model,
        n_shadows=n_shadows,
        shadow_size=size,
        model_params=model_params,
        random_state=seed + 1,
    )
    return shadows.fit(target.X[pool], target.y[pool], n_classes=target.n_classes)


def _metrics(member, scores, predicted) -> dict:
    from ..metrics import evaluate

    rep = evaluate(member, scores, predicted=predicted)
    return {
        "precision": rep.precision,
        "recall": rep.recall,
        "accuracy": rep.accuracy,
        "auc": rep.auc,
        "advantage": rep.advantage,
        "tpr_at_1pct_fpr": rep.tpr_at_1pct_fpr,
        "fpr": float(np.mean(np.asarray(predicted)[np.asarray(member) == 0])),
    }


def roc_points(member, scores, grid=ROC_GRID) -> dict:
    """The ROC curve at the false positive rates of ``grid``: the highest true positive
    rate reachable without exceeding each (a compact curve to store with a result).

    >>> roc_points([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.1], grid=[0.0, 0.5, 1.0])
    {'fpr': [0.0, 0.5, 1.0], 'tpr': [0.5, 1.0, 1.0]}
    """
    from ..metrics import roc_curve

    fpr, tpr, _ = roc_curve(member, scores)
    grid = np.asarray(grid, dtype=float)
    out = [float(tpr[fpr <= g + 1e-12].max()) for g in grid]
    return {"fpr": [float(g) for g in grid], "tpr": out}


def evaluate_attack(attack, target: Target, *, fit_on=None) -> dict:
    """Fit ``attack`` on ``fit_on`` (an :class:`~mia_lib.shadow.AttackData` or a tuple
    ``(P, y, membership)``) when given, then score ``target``'s evaluation records."""
    if fit_on is not None:
        attack.fit(*fit_on)
    scores = attack.score_samples(target.P, target.y_eval)
    predicted = attack.predict(target.P, target.y_eval)
    return _metrics(target.member, scores, predicted)


def _subset(data, mask):
    """The rows ``mask`` of an attack set, as ``(P, y, membership)``."""
    return data.posteriors[mask], data.labels[mask], data.membership[mask]


def _target_fields(target: Target) -> dict:
    return {
        "train_acc": target.train_acc,
        "test_acc": target.test_acc,
        "gap": target.train_acc - target.test_acc,
        "target_size": int(len(target.split.target_in)),
    }


def median_confidence(P, member) -> dict:
    """Median highest posterior of members and of non-members (where the attack's boundary
    must fall).

    >>> median_confidence([[0.9, 0.1], [0.6, 0.4]], [1, 0])
    {'members': 0.9, 'non_members': 0.6}
    """
    top = np.asarray(P, dtype=float).max(axis=1)
    member = np.asarray(member)
    return {
        "members": float(np.median(top[member == 1])),
        "non_members": float(np.median(top[member == 0])),
    }


def ci_table(rows, by, metric: str, level: float = 0.95):
    """Mean, standard deviation, count and a Student-t confidence interval of ``metric``
    over the rows of each group ``by`` (the repeated seeds of ``salem_adversary1``).

    ``rows`` is a list of dicts or a DataFrame. With one row per group the interval is NaN.
    """
    import pandas as pd
    from scipy import stats

    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}.")
    df = pd.DataFrame(rows)
    by = [by] if isinstance(by, str) else list(by)
    missing = [c for c in [*by, metric] if c not in df.columns]
    if missing:
        raise ValueError(f"rows have no column(s) {missing}; columns: {list(df.columns)}")
    g = df.groupby(by, sort=True)[metric]
    out = g.agg(mean="mean", sd="std", n="count").reset_index()
    half = [
        stats.t.ppf(0.5 + level / 2, n - 1) * sd / np.sqrt(n) if n > 1 else np.nan
        for n, sd in zip(out["n"], out["sd"], strict=True)
    ]
    out["ci_low"] = out["mean"] - np.asarray(half)
    out["ci_high"] = out["mean"] + np.asarray(half)
    return out


def _load(name: str, flatten: bool):
    from ..datasets import load_dataset

    data = load_dataset(name)
    X = data.X.reshape(len(data.X), -1) if flatten else data.X
    return data, X


def _check_names(given, allowed, what: str, profile: str) -> list[str]:
    allowed = list(allowed)
    if given is None:
        return allowed
    given = [given] if isinstance(given, str) else list(given)
    unknown = [d for d in given if d not in allowed]
    if unknown or not given:
        raise ValueError(
            f"{what} {unknown or given} are not in profile {profile!r} of this replication; "
            f"choose from {allowed}"
        )
    return [d for d in allowed if d in given]


# --------------------------------------------------------------------------------------------
# salem_adversary1

#: Shadows trained with other hyperparameters than the target (unknown hyperparameters).
#: Each variant changes the target's MLP parameters as stated.
HYPER_VARIANTS = (
    ("same as the target", {}),
    ("64 hidden units", {"hidden_layer_sizes": (64,)}),
    ("256 hidden units", {"hidden_layer_sizes": (256,)}),
    ("half the epochs", {"epochs": 0.5}),
    ("twice the epochs", {"epochs": 2.0}),
    ("learning rate x10", {"learning_rate": 10.0}),
    ("ReLU, 2 layers of 64", {"hidden_layer_sizes": (64, 64), "activation": "relu"}),
)

#: The kinds of the combined shadow and of the targets it is tested on.
COMBINED_KINDS = ("logistic_regression", "mlp", "random_forest")


def _variant_params(params: dict, change: dict) -> dict:
    """The target's MLP parameters with a variant's change; numbers for ``epochs`` and
    ``learning_rate`` are factors."""
    out = dict(params)
    for k, v in change.items():
        if k == "epochs":
            out[k] = max(1, int(round(params["epochs"] * v)))
        elif k == "learning_rate":
            out[k] = params["learning_rate"] * v
        else:
            out[k] = v
    return out


_ADV1 = {
    "smoke": {
        "datasets": {
            "digits": {"target_size": 300, "params": {**_MLP, "epochs": 15}},
        },
        "ks": (1, 3),
        "n_seeds": 2,
        "hyper_datasets": ("digits",),
        "hyper_variants": (0, 1, 3),
        "hyper_seeds": 1,
        "combined_datasets": ("digits",),
        "combined_seeds": 1,
    },
    "quick": {
        "datasets": {
            "locations": {"target_size": 1200, "params": {**_MLP, "epochs": 40}},
        },
        "ks": (1, 3, 10),
        "n_seeds": 3,
        "hyper_datasets": ("locations",),
        "hyper_variants": (0, 1, 2, 3, 5),
        "hyper_seeds": 1,
        "combined_datasets": ("locations",),
        "combined_seeds": 1,
        "note": "Locations only, 40 epochs, k up to 10, 3 seeds; one seed for the other parts",
    },
    "full": {
        "datasets": {
            "locations": {"target_size": 1200, "params": {**_MLP, "epochs": 100}},
            "adult": {"target_size": 2000, "params": {**_MLP, "epochs": 30}, "n_seeds": 3},
        },
        "ks": (1, 2, 5, 10, 20),
        "n_seeds": 5,
        "hyper_datasets": ("locations",),
        "hyper_variants": tuple(range(len(HYPER_VARIANTS))),
        "hyper_seeds": 3,
        "combined_datasets": ("locations", "adult"),
        "combined_seeds": 3,
        "note": "Adult: 2,000-record target and 3 seeds (CPU budget); Purchase-100 is not offline",
    },
}

ADV1_PARTS = ("k_shadows", "hyperparameters", "combined")


@register(
    "salem_adversary1",
    "ML-Leaks adversary 1: number of shadows, top-3 vs Shokri, hyperparameters, combined shadow",
)
def salem_adversary1(
    profile: str = "quick",
    seed: int = 0,
    progress: bool = False,
    datasets=None,
    parts=None,
    n_seeds: int | None = None,
) -> dict:
    """ML-Leaks' adversary 1 against MLP targets (and LR / RF targets in ``combined``).

    ``parts`` selects among :data:`ADV1_PARTS`; ``datasets`` restricts the profile's
    datasets; ``n_seeds`` overrides the number of repetitions of ``k_shadows`` (seeds
    ``seed, seed + 1, ...``; each repetition draws a new split, target and shadows).
    Rows: ``part``, ``dataset``, ``seed``, ``attack`` (``"ml_leaks"`` or ``"shokri"``),
    ``n_shadows``, ``shadow`` (what the shadow is), ``target_model``, target accuracies
    and attack metrics.
    """
    from ..attacks import MLLeaksAttack, ShokriAttack

    cfg = _ADV1[profile]
    names = _check_names(datasets, cfg["datasets"], "datasets", profile)
    parts = _check_names(parts, ADV1_PARTS, "parts", profile)
    if n_seeds is not None and int(n_seeds) < 1:
        raise ValueError(f"n_seeds must be at least 1, got {n_seeds}")

    def reps(ds):
        if n_seeds is not None:
            return int(n_seeds)
        return cfg["datasets"][ds].get("n_seeds", cfg["n_seeds"])

    ks = tuple(cfg["ks"])
    rows, infos = [], {}

    def row(part, ds, s, attack, target, res, **fields):
        key = "/".join([part, ds, f"seed{s}", *map(str, fields.values()), attack])
        return {
            "key": key,
            "part": part,
            "dataset": ds,
            "seed": s,
            "attack": attack,
            **fields,
            **_target_fields(target),
            **res,
        }

    jobs = [(ds, r) for ds in names for r in range(reps(ds))]
    for ds, r in progress_bar(jobs, progress, "salem_adversary1"):
        s = seed + r
        dcfg = cfg["datasets"][ds]
        data, X = _load(ds, flatten=True)
        infos[ds] = dataset_info(data)
        params = dcfg["params"]
        t0 = time.perf_counter()
        target = train_target(
            X,
            data.y,
            data.n_classes,
            target_size=dcfg["target_size"],
            model="mlp",
            model_params=params,
            seed=s,
            name=ds,
        )
        if "k_shadows" in parts:
            shadows = train_shadows(target, n_shadows=max(ks), model_params=params, seed=s)
            ad = shadows.attack_data_
            for k in ks:
                sub = _subset(ad, ad.source < k)
                for name, attack in (
                    ("ml_leaks", MLLeaksAttack(random_state=s)),
                    ("shokri", ShokriAttack(random_state=s)),
                ):
                    res = evaluate_attack(attack, target, fit_on=sub)
                    rows.append(
                        row(
                            "k_shadows",
                            ds,
                            s,
                            name,
                            target,
                            res,
                            n_shadows=k,
                            shadow="mlp, same hyperparameters",
                            target_model="mlp",
                        )
                    )
        if "hyperparameters" in parts and ds in cfg["hyper_datasets"] and r < cfg["hyper_seeds"]:
            for i in cfg["hyper_variants"]:
                label, change = HYPER_VARIANTS[i]
                sp = _variant_params(params, change)
                shadows = train_shadows(target, n_shadows=1, model_params=sp, seed=s)
                res = evaluate_attack(
                    MLLeaksAttack(random_state=s), target, fit_on=shadows.attack_data_
                )
                rows.append(
                    row(
                        "hyperparameters",
                        ds,
                        s,
                        "ml_leaks",
                        target,
                        res,
                        n_shadows=1,
                        shadow=label,
                        target_model="mlp",
                    )
                )
                ad = shadows.attack_data_
                conf_s = median_confidence(ad.posteriors, ad.membership)
                conf_t = median_confidence(target.P, target.member)
                rows[-1].update(
                    shadow_params=sp,
                    shadow_conf_members=conf_s["members"],
                    shadow_conf_non_members=conf_s["non_members"],
                    target_conf_members=conf_t["members"],
                    target_conf_non_members=conf_t["non_members"],
                )
        if "combined" in parts and ds in cfg["combined_datasets"] and r < cfg["combined_seeds"]:
            kind_params = [params if k == "mlp" else {} for k in COMBINED_KINDS]
            shadows = train_shadows(
                target, n_shadows=1, model=list(COMBINED_KINDS), model_params=kind_params, seed=s
            )
            ad = shadows.attack_data_
            kind_of_row = shadows.kinds_[ad.source]
            shadow_sets = {k: _subset(ad, kind_of_row == j) for j, k in enumerate(COMBINED_KINDS)}
            shadow_sets["combined"] = tuple(ad)
            for kind, kp in zip(COMBINED_KINDS, kind_params, strict=True):
                tgt = (
                    target
                    if kind == "mlp"
                    else train_target(
                        X,
                        data.y,
                        data.n_classes,
                        target_size=dcfg["target_size"],
                        model=kind,
                        model_params=kp,
                        seed=s,
                        name=ds,
                    )
                )
                for shadow_kind, fit_on in shadow_sets.items():
                    res = evaluate_attack(MLLeaksAttack(random_state=s), tgt, fit_on=fit_on)
                    rows.append(
                        row(
                            "combined",
                            ds,
                            s,
                            "ml_leaks",
                            tgt,
                            res,
                            n_shadows=1,
                            shadow=shadow_kind,
                            target_model=kind,
                        )
                    )
        for rr in rows:
            rr.setdefault("duration_s", round(time.perf_counter() - t0, 1))
    settings = {
        "datasets": {d: cfg["datasets"][d] for d in names},
        "ks": list(ks),
        "n_seeds": {d: reps(d) for d in names},
        "parts": parts,
        "hyper_variants": [HYPER_VARIANTS[i][0] for i in cfg["hyper_variants"]],
        "hyper_seeds": cfg["hyper_seeds"],
        "combined_kinds": list(COMBINED_KINDS),
        "combined_seeds": cfg["combined_seeds"],
        "note": cfg.get("note", ""),
    }
    return {"results": {"rows": rows}, "settings": settings, "datasets": infos}


# --------------------------------------------------------------------------------------------
# salem_data_transfer (adversary 2) and salem_threshold (adversary 3)

_TRANSFER_DATASETS = {
    "smoke": {
        "digits": {"target_size": 300, "model": "mlp", "params": {**_MLP, "epochs": 15}},
        "locations": {"target_size": 300, "model": "mlp", "params": {**_MLP, "epochs": 15}},
    },
    "quick": {
        "locations": {"target_size": 1200, "model": "mlp", "params": {**_MLP, "epochs": 50}},
        "adult": {"target_size": 2000, "model": "mlp", "params": {**_MLP, "epochs": 20}},
        "digits": {"target_size": 400, "model": "mlp", "params": {**_MLP, "epochs": 50}},
        "fashion_mnist": {
            "target_size": 1000,
            "model": "mlp",
            "params": {**_MLP, "epochs": 60},
            "note": "flattened images, MLP (CPU budget)",
        },
    },
    "full": {
        "locations": {"target_size": 1200, "model": "mlp", "params": {**_MLP, "epochs": 100}},
        "adult": {"target_size": 5000, "model": "mlp", "params": {**_MLP, "epochs": 30}},
        "digits": {"target_size": 400, "model": "mlp", "params": {**_MLP, "epochs": 100}},
        "fashion_mnist": {"target_size": 2500, "model": "cnn", "params": {**_CNN, "epochs": 15}},
        "mnist": {"target_size": 2500, "model": "cnn", "params": {**_CNN, "epochs": 15}},
        "cifar10": {"target_size": 2500, "model": "cnn", "params": {**_CNN, "epochs": 15}},
    },
}


def _transfer_setup(name: str, cfg: dict, seed: int):
    """Train the target of dataset ``name`` and one shadow of the same kind on its pool."""
    data, X = _load(name, flatten=cfg["model"] != "cnn")
    target = train_target(
        X,
        data.y,
        data.n_classes,
        target_size=cfg["target_size"],
        model=cfg["model"],
        model_params=cfg["params"],
        seed=seed,
        name=name,
    )
    shadows = train_shadows(
        target, n_shadows=1, model=cfg["model"], model_params=cfg["params"], seed=seed
    )
    return data, target, shadows


@register(
    "salem_data_transfer",
    "ML-Leaks adversary 2: shadow trained on one dataset, target on another (every pair)",
)
def salem_data_transfer(
    profile: str = "quick", seed: int = 0, progress: bool = False, datasets=None
) -> dict:
    """One target and one shadow per dataset; the attack trained on shadow A's outputs
    (sorted top-3 posteriors) attacks target B, for every pair (A, B).

    Rows: ``key`` ``"A->B"``, ``shadow_dataset``, ``target_dataset``, ``same`` (A == B:
    adversary 1), the target's accuracies and the attack metrics. ``datasets`` restricts
    the profile's datasets (pairs among them only).
    """
    from ..attacks import MLLeaksAttack

    table = _TRANSFER_DATASETS[profile]
    names = _check_names(datasets, table, "datasets", profile)
    setups, infos = {}, {}
    for name in progress_bar(names, progress, "salem_data_transfer"):
        t0 = time.perf_counter()
        data, target, shadows = _transfer_setup(name, table[name], seed)
        infos[name] = dataset_info(data)
        setups[name] = (target, shadows, round(time.perf_counter() - t0, 1))
    rows = []
    for a in names:
        attack = MLLeaksAttack(random_state=seed).fit(*setups[a][1].attack_data_)
        for b in names:
            target = setups[b][0]
            res = evaluate_attack(attack, target)
            rows.append(
                {
                    "key": f"{a}->{b}",
                    "shadow_dataset": a,
                    "target_dataset": b,
                    "same": a == b,
                    "target_model": table[b]["model"],
                    "shadow_model": table[a]["model"],
                    **_target_fields(target),
                    **res,
                }
            )
    settings = {n: table[n] for n in names}
    return {
        "results": {"rows": rows, "train_s": {n: setups[n][2] for n in names}},
        "settings": settings,
        "datasets": infos,
    }


_THRESHOLD = {
    "smoke": {"datasets": ("digits", "locations"), "n_queries": 200, "quantile": 0.9},
    "quick": {"datasets": ("locations", "adult", "digits"), "n_queries": 1000, "quantile": 0.9},
    "full": {
        "datasets": ("locations", "adult", "digits", "fashion_mnist", "cifar10"),
        "n_queries": 2000,
        "quantile": 0.9,
    },
}


def random_queries(shape, n: int, seed: int = 0) -> np.ndarray:
    """``n`` inputs of ``shape`` with every feature uniform on [0, 1] (our features' range):
    the random points whose answers adversary 3 uses to choose its threshold.

    >>> random_queries((3,), 2, seed=0).shape
    (2, 3)
    """
    if int(n) < 1:
        raise ValueError(f"the number of random queries must be at least 1, got {n}.")
    rng = np.random.default_rng(seed)
    return rng.uniform(0.0, 1.0, size=(int(n), *tuple(shape))).astype(np.float32)


def label_free_threshold(blackbox, queries, quantile: float = 0.9):
    """Adversary 3's attack: a threshold on the top posterior, fitted without labels.

    The target's answers to ``queries`` are taken as non-members, and the threshold is the
    ``quantile`` of their highest posteriors (about ``1 - quantile`` of non-members like
    them are then called members). Returns the fitted
    :class:`~mia_lib.attacks.ThresholdAttack`.

    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from mia_lib.query import BlackBox
    >>> X = np.r_[np.zeros((5, 2)), np.ones((5, 2))]; y = np.r_[np.zeros(5), np.ones(5)]
    >>> bb = BlackBox(LogisticRegression().fit(X, y))
    >>> att = label_free_threshold(bb, random_queries((2,), 50), quantile=0.5)
    >>> bb.n_queries, round(att.threshold_, 3) > 0.5
    (50, True)
    """
    from ..attacks import ThresholdAttack

    return ThresholdAttack("confidence", reference_quantile=quantile).fit(blackbox.query(queries))


def reference_indices(target: Target, n: int, seed: int = 0) -> np.ndarray:
    """``n`` of the attacker's own records (from the pool, never the evaluation records)."""
    rng = np.random.default_rng(seed)
    pool = target.pool
    return np.sort(rng.choice(pool, size=min(int(n), len(pool)), replace=False))


@register(
    "salem_threshold",
    "ML-Leaks adversary 3 (threshold on the top posterior, no shadow) beside adversaries 1 and 2",
)
def salem_threshold(
    profile: str = "quick",
    seed: int = 0,
    progress: bool = False,
    datasets=None,
    quantile: float | None = None,
) -> dict:
    """The three adversaries on the same targets, one row per (target dataset, adversary).

    Adversary 1: one shadow of the target's kind on the target's distribution. Adversary 2:
    the shadow of the *next* dataset of the profile's list (cyclically), a rule fixed
    before any result. Adversary 3: a threshold on the highest posterior chosen from the
    target's answers to ``n_queries`` random inputs (``"noise"``) or to as many of the
    attacker's own records (``"reference"``), as the ``quantile`` of their top posteriors;
    no membership label is used. Rows carry the ROC curve at 101 false positive rates.
    """
    from ..attacks import MLLeaksAttack

    cfg = _THRESHOLD[profile]
    q = cfg["quantile"] if quantile is None else float(quantile)
    if not 0.0 < q < 1.0:
        raise ValueError(f"quantile must be in (0, 1), got {quantile}")
    names = _check_names(datasets, cfg["datasets"], "datasets", profile)
    table = _TRANSFER_DATASETS[profile]
    setups, infos = {}, {}
    needed = set(names) | {_next(cfg["datasets"], n) for n in names}
    for name in progress_bar([n for n in cfg["datasets"] if n in needed], progress, "setups"):
        data, target, shadows = _transfer_setup(name, table[name], seed)
        infos[name] = dataset_info(data)
        setups[name] = (target, shadows)
    rows = []
    for name in names:
        target, shadows = setups[name]
        source = _next(cfg["datasets"], name)
        conf = target.P.max(axis=1)
        adversaries = []
        for label, shadow_set in (("1", shadows), ("2", setups[source][1])):
            attack = MLLeaksAttack(random_state=seed).fit(*shadow_set.attack_data_)
            scores = attack.score_samples(target.P)
            adversaries.append((label, scores, attack.predict(target.P), {}))
        n_q = cfg["n_queries"]
        queries = random_queries(target.X.shape[1:], n_q, seed=seed)
        noise = label_free_threshold(target.blackbox, queries, q)
        ref_idx = reference_indices(target, n_q, seed=seed)
        ref = label_free_threshold(target.blackbox, target.X[ref_idx], q)
        for label, att, n_used in (("3 noise", noise, n_q), ("3 reference", ref, len(ref_idx))):
            extra = {"threshold": att.threshold_, "n_threshold_queries": n_used}
            adversaries.append((label, conf, att.predict(target.P), extra))
        for label, scores, predicted, extra in adversaries:
            res = _metrics(target.member, scores, predicted)
            rows.append(
                {
                    "key": f"{name}/adversary {label}",
                    "dataset": name,
                    "adversary": label,
                    "shadow_dataset": {"1": name, "2": source}.get(label),
                    "target_model": table[name]["model"],
                    **_target_fields(target),
                    **res,
                    **extra,
                    "roc": roc_points(target.member, scores),
                }
            )
    settings = {
        "datasets": {n: table[n] for n in names},
        "adversary2_source": {n: _next(cfg["datasets"], n) for n in names},
        "n_queries": cfg["n_queries"],
        "quantile": q,
        "random_queries": "every feature uniform on [0, 1]",
    }
    return {"results": {"rows": rows}, "settings": settings, "datasets": infos}


def _next(seq, name):
    seq = list(seq)
    return seq[(seq.index(name) + 1) % len(seq)]
