"""Replications of Truex et al. (2018), "Towards demystifying membership inference attacks".

The survey (Gehrke 2021) reports Truex et al.'s findings as directions, without table values
(see ``claims("truex2018")`` in :mod:`mia_lib.papers`; the verdict rules are in
:mod:`mia_lib.papers.verdicts`). Three replications test them, with the profiles of
``profiles/truex.toml``:

* ``truex_transfer``: a matrix of target model type against attacker model type (the
  attacker's shadow models *and* its attack model are of that type), attack accuracy as mean
  and standard deviation over seeds (:func:`transfer_matrix`, :func:`transfer_effects`);
* ``truex_data_factors``: the number of classes and the in-class standard deviation
  (:func:`mia_lib.datasets.in_class_std`) on synthetic data with both under control, on
  Locations re-clustered into k classes, and on real datasets;
* ``truex_knowledge``: a fraction of the attacker's features replaced by noise
  (:func:`mia_lib.synthesis.noisy_copies` with ``kind="marginal"``) and the shadow
  training-set size.
"""

from __future__ import annotations

import time

from ..attacks import ShokriAttack, attack_model_of
from ..papers.verdicts.truex_transfer import transfer_effects
from ..pipeline import evaluate_attack, run_attack, stage_seeds, train_shadows, train_target
from ..seeding import int_seed, spawn
from .results import dataset_info, mean_std_fields
from .runner import progress_bar, register

__all__ = ["transfer_matrix", "transfer_effects"]

#: Metrics averaged over seeds in the rows of these replications.
COLUMNS = ("accuracy", "auc", "precision", "recall", "tpr_at_1pct_fpr", "train_acc", "test_acc")


def _load(entry, flatten: bool = True):
    from ..datasets import load_dataset

    data = load_dataset(entry.source, **entry.load)
    X = data.X.reshape(len(data.X), -1) if flatten else data.X
    return data, X


def transfer_matrix(
    X, y, n_classes, *, types, target_size, n_shadows, params=None, random_state=None
) -> list[dict]:
    """Attack every target type with every attacker type; one row per (target, attacker).

    Each target type is trained once on the same members; each attacker type trains
    ``n_shadows`` shadow models of its type and an attack model of its type
    (:func:`mia_lib.attacks.attack_model_of`, one per class) once, and attacks every target.
    The seeds are those of :func:`mia_lib.pipeline.run_attack` (:func:`mia_lib.pipeline.stage_seeds`), so
    cell (t, a) is ``run_attack(model=t, shadow_model=a, attack=ShokriAttack(attack_model=
    attack_model_of(a, s), random_state=s))`` with ``s`` the attack stage's seed, at a sixth
    of the cost of separate runs. ``params`` maps a type to its parameters.
    """
    params = params or {}
    target_seq, shadow_seq, attack_seq = stage_seeds(random_state)
    a_seed = int_seed(attack_seq)
    targets = {
        t: train_target(
            X,
            y,
            n_classes,
            target_size=target_size,
            model=t,
            model_params=params.get(t, {}),
            random_state=target_seq,
        )
        for t in types
    }
    first = targets[types[0]]
    rows = []
    for a in types:
        shadows = train_shadows(
            first,
            n_shadows=n_shadows,
            model=a,
            model_params=params.get(a, {}),
            random_state=shadow_seq,
        )
        attack = ShokriAttack(attack_model=attack_model_of(a, a_seed), random_state=a_seed)
        for i, (t, target) in enumerate(targets.items()):
            report = evaluate_attack(attack, target, fit_on=shadows if i == 0 else None)
            rows.append({"target": t, "attacker": a, **target.summary.to_dict()} | report.to_dict())
    return rows


@register(
    "truex_transfer",
    "Truex et al. 2018: target model type against attacker (shadow + attack) model type",
)
def truex_transfer(prof, seed: int = 0, progress: bool = False) -> dict:
    """The transfer matrix on each dataset, repeated over the profile's seeds (spawned from
    ``seed``); one row per (dataset, target, attacker) with means and standard deviations."""
    types = list(prof.options["types"])
    rows, infos = [], {}
    for key, entry in progress_bar(prof.datasets.items(), progress, "truex_transfer"):
        data, X = _load(entry)
        infos[key] = dataset_info(data)
        t0 = time.perf_counter()
        runs = [
            transfer_matrix(
                X,
                data.y,
                data.n_classes,
                types=types,
                target_size=entry.target_size,
                n_shadows=entry.n_shadows,
                params={"mlp": entry.params} if entry.model == "mlp" else {},
                random_state=rep,
            )
            for rep in spawn(seed, entry.seeds)
        ]
        duration = round(time.perf_counter() - t0, 1)
        for cells in zip(*runs, strict=True):
            t, a = cells[0]["target"], cells[0]["attacker"]
            rows.append(
                {"key": f"{key}/{t}/{a}", "dataset": key, "target": t, "attacker": a}
                | {"n_seeds": len(cells), "dataset_duration_s": duration}
                | mean_std_fields(cells, [*COLUMNS, "gap"])
            )
    return {"rows": rows, "datasets": infos}


def _factor_row(key, kind, name, X, y, results, model, t0) -> dict:
    from ..datasets import in_class_std, relative_in_class_std

    return {
        "key": key,
        "kind": kind,
        "dataset": name,
        "n_classes": int(results[0]["n_classes"]),
        "in_class_std": in_class_std(X, y),
        "relative_in_class_std": relative_in_class_std(X, y),
        "model": model,
        "n_seeds": len(results),
        "duration_s": round(time.perf_counter() - t0, 1),
    } | mean_std_fields(results, [*COLUMNS, "gap"])


@register(
    "truex_data_factors",
    "Truex et al. 2018: attack accuracy against the number of classes and in-class std",
)
def truex_data_factors(prof, seed: int = 0, progress: bool = False) -> dict:
    """Attack accuracy against the number of classes and the in-class standard deviation.

    An entry with ``stds`` is a synthetic grid (``load_dataset("synthetic")`` with each
    number of classes and ``cluster_std``); one with ``classes`` only is its source
    re-clustered by k-means into each number of classes (as Shokri et al. made Purchase-k);
    any other is a real dataset at its own number of classes. Each row has the measured
    in-class std of the data it attacks and metrics as mean and std over the seeds.
    """
    from ..datasets import load_dataset, recluster_labels

    rows, infos = [], {}
    for key, e in prof.datasets.items():
        reps = spawn(seed, e.seeds)

        def attack(X, y, k, e=e, reps=reps):
            kw = dict(target_size=e.target_size, model=e.model, model_params=e.params)
            return [
                run_attack(X, y, k, n_shadows=e.n_shadows, random_state=r, **kw).row() for r in reps
            ]

        opts = e.options
        if "stds" in opts:
            grid = [(c, s) for c in opts["classes"] for s in opts["stds"]]
            for k, std in progress_bar(grid, progress, key):
                data = load_dataset(
                    e.source,
                    n_samples=4 * e.target_size,
                    n_features=opts["n_features"],
                    n_classes=k,
                    cluster_std=std,
                    class_sep=1.0,
                    random_state=seed,
                )
                t0 = time.perf_counter()
                res = attack(data.X, data.y, k)
                row = _factor_row(
                    f"{key}/c{k}/s{std:g}", "synthetic", key, data.X, data.y, res, e.model, t0
                )
                rows.append(row | {"cluster_std": float(std)})
            infos[key] = {"name": "synthetic", "notes": "generated per grid cell"}
            continue
        data, X = _load(e, flatten=e.model != "cnn")
        infos[key] = dataset_info(data)
        if "classes" in opts:
            for k in progress_bar(opts["classes"], progress, key):
                y = recluster_labels(data.X, k, random_state=seed)
                t0 = time.perf_counter()
                res = attack(X, y, k)
                rows.append(
                    _factor_row(f"{key}/{k}", key, f"{e.source}-{k}", data.X, y, res, e.model, t0)
                )
        else:
            t0 = time.perf_counter()
            res = attack(X, data.y, data.n_classes)
            row = _factor_row(f"real/{key}", "real", key, data.X, data.y, res, e.model, t0)
            rows.append(row | {"lossy": bool(data.lossy), "note": e.note})
    return {"rows": rows, "datasets": infos}


@register(
    "truex_knowledge",
    "Truex et al. 2018: attacker's features replaced by noise; shadow training-set size",
)
def truex_knowledge(prof, seed: int = 0, progress: bool = False) -> dict:
    """Shokri's attack with a noisy attacker and with shadows of different sizes.

    *Noise*: the attacker's copy of the records has a fraction of its features replaced by
    draws from each feature's marginal (a new draw for every seed); the shadows train on it,
    the target is trained and queried on the real records. *Shadow size*: shadow models
    trained on each number of records. The target, the split and the seeds are the same in
    every row of a dataset, so the rows differ only in the attacker.
    """
    from ..synthesis import noisy_copies

    rows, infos = [], {}
    for key, e in prof.datasets.items():
        data, X = _load(e)
        infos[key] = dataset_info(data)
        rep_root, noise_root = spawn(seed, 2)  # the attacks' seeds and the noise draws'
        reps, noise_seeds = spawn(rep_root, e.seeds), spawn(noise_root, e.seeds)

        def attack(rep, e=e, X=X, data=data, **kw):
            kw.update(target_size=e.target_size, model=e.model, model_params=e.params)
            return run_attack(
                X, data.y, data.n_classes, n_shadows=e.n_shadows, random_state=rep, **kw
            ).row()

        base = {"dataset": key, "n_classes": data.n_classes, "n_seeds": len(reps)}
        for frac in progress_bar(prof.options["noise"], progress, f"{key} noise"):
            t0 = time.perf_counter()
            res = [
                attack(r, shadow_X=noisy_copies(X, frac, kind="marginal", random_state=ns))
                for r, ns in zip(reps, noise_seeds, strict=True)
            ]
            rows.append(
                {"key": f"{key}/noise/{frac:g}", **base, "experiment": "noise"}
                | {"noise": float(frac), "n_noisy_features": int(round(frac * X.shape[1]))}
                | {"n_features": int(X.shape[1]), "shadow_size": int(res[0]["shadow_size"])}
                | {"duration_s": round(time.perf_counter() - t0, 1)}
                | mean_std_fields(res, [*COLUMNS, "gap"])
            )
        for size in progress_bar(prof.options["shadow_sizes"], progress, f"{key} size"):
            t0 = time.perf_counter()
            res = [attack(r, shadow_size=size) for r in reps]
            rows.append(
                {"key": f"{key}/shadow_size/{size}", **base, "experiment": "shadow_size"}
                | {"shadow_size": int(res[0]["shadow_size"]), "requested_shadow_size": size}
                | {"duration_s": round(time.perf_counter() - t0, 1)}
                | mean_std_fields(res, [*COLUMNS, "gap"])
            )
    return {"rows": rows, "datasets": infos}
