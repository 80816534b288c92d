"""Modern evaluation: the number of reference models, and the survey's dimensionality conjecture.

``n_reference_models`` settles the survey's open question (do more shadow models make a
better attack?) at every false positive rate. Per dataset entry and seed, one target is
trained (the pipeline's stage seeds), then ``max(ks)`` models of each kind:

* online reference models (:func:`mia_lib.pipeline.train_references`, ``online=True``),
* offline reference models (``online=False``: they never see a record under attack),
* Shokri et al.'s shadow models (:func:`mia_lib.pipeline.train_shadows`).

For each ``k`` of ``ks`` the attacks use the first ``k`` of them (independent draws, so the
first ``k`` are ``k`` models of their own): Shokri's attack and a loss threshold fitted on
the shadows' attack data; LiRA online and offline, each with per-record and fixed
variance; RMIA online and offline; Attack-R (offline models). Attack-P needs no model and
has one row at ``k = 0``. Each row holds the report's metrics, the TPR at 0.01% FPR, the
number of non-members every rate rests on, and the ROC on a logarithmic grid. The result
also keeps, for the first seed at the largest ``k``, every evaluation record's online LiRA
score (``records``), for the figure of the records most at risk.

``dimensionality`` tests the survey's conjecture that attacks succeed more on data of higher
dimension, other things held fixed. An entry with ``method = "subset"`` keeps a random
subset of ``d`` features of its source for each ``d`` of ``dims``; ``"projection"`` maps
the records to ``d`` dimensions with a Gaussian random projection; ``"synthetic"``
generates ``n_classes`` Gaussian classes in ``d`` dimensions whose centres lie at the same
expected distance whatever ``d`` (centres drawn with standard deviation
``class_sep / sqrt(d)``), with in-class standard deviation ``std`` per feature for each of
``stds``: the best possible accuracy does not depend on ``d``, and the spread is set apart
from it. Each setting trains one target and ``n_reference`` online reference models, and
records the target's accuracies and gap (the confounders), the loss attack's AUC and
advantage (average case) and LiRA's AUC and TPR at 0.1% and 1% FPR (low FPR).
"""

from __future__ import annotations

import math

import numpy as np

from ..attacks import ShokriAttack, ThresholdAttack
from ..metrics import evaluate, roc_points, tpr_at_fpr
from ..pipeline import (
    attack_scores,
    evaluate_attack,
    train_references,
    train_shadows,
)
from ..reference_attacks import (
    LiRAAttack,
    PopulationAttack,
    ReferenceAttack,
    RMIAAttack,
)
from ..seeding import generator, int_seed, spawn
from .defences import entry_target, load_entry
from .results import dataset_info
from .runner import progress_bar, register

__all__ = ["ROC_FPRS", "REFERENCE_ATTACKS", "n_reference_models", "dimensionality"]

#: The false positive rates of each row's stored ROC curve (log-spaced, 1e-4 to 1).
ROC_FPRS = tuple(float(f) for f in np.r_[0.0, np.logspace(-4, 0, 33)])

#: attack name -> (which models it uses, how to make it)
REFERENCE_ATTACKS = {
    "shokri": ("shadows", None),
    "threshold": ("shadows", None),
    "lira_online": ("online", lambda: LiRAAttack()),
    "lira_online_fixed": ("online", lambda: LiRAAttack(fixed_variance=True)),
    "lira_offline": ("offline", lambda: LiRAAttack(online=False)),
    "lira_offline_fixed": ("offline", lambda: LiRAAttack(online=False, fixed_variance=True)),
    "rmia_online": ("online", lambda: RMIAAttack(online=True)),
    "rmia_offline": ("offline", lambda: RMIAAttack(online=False)),
    "attack_r": ("offline", lambda: ReferenceAttack()),
}


def _row(report, target, scores) -> dict:
    m = target.membership
    n_out = int((m == 0).sum())
    out = {k: v for k, v in report.to_dict().items() if k != "threshold"}
    out["tpr_at_0_01pct_fpr"] = float(tpr_at_fpr(m, scores, [1e-4])[0])
    out["false_positives_allowed"] = {
        "1%": math.floor(0.01 * n_out),
        "0.1%": math.floor(0.001 * n_out),
        "0.01%": math.floor(0.0001 * n_out),
    }
    out["roc"] = roc_points(m, scores, grid=ROC_FPRS)
    return out


def _scores_and_report(attack, target, fit_on):
    scores, decisions = attack_scores(attack, target, fit_on=fit_on)
    return scores, evaluate(target.membership, scores, predicted=decisions)


def _entry_rows(key, entry, data, X, ks, seed, progress) -> tuple[list, dict]:
    rows, records = [], {}
    k_max = max(ks)
    reps = spawn(seed, entry.seeds)
    for r, rep in enumerate(reps):
        target, shadow_seq, attack_seq = entry_target(entry, data, X, rep)
        online_seq, offline_seq = spawn(shadow_seq, 2)
        models = {
            "online": train_references(
                target, n_models=k_max, online=True, random_state=online_seq
            ),
            "offline": train_references(
                target, n_models=k_max, online=False, random_state=offline_seq
            ),
            "shadows": train_shadows(target, n_shadows=k_max, random_state=shadow_seq),
        }
        common = {"dataset": key, "seed_index": r, **target.summary.to_dict()}
        scores, report = _scores_and_report(PopulationAttack(), target, None)
        rows.append(
            {"key": f"{key}/s{r}/k0/attack_p", **common, "k": 0, "attack": "attack_p"}
            | _row(report, target, scores)
        )
        for k in progress_bar(ks, progress, f"{key} seed {r}"):
            data_k = models["shadows"].attack_data_
            data_k = data_k.subset(data_k.source < k)
            for name, (kind, make) in REFERENCE_ATTACKS.items():
                if kind == "shadows":
                    attack = (
                        ShokriAttack(random_state=int_seed(attack_seq))
                        if name == "shokri"
                        else ThresholdAttack("loss")
                    )
                    fit_on = data_k
                else:
                    attack, fit_on = make(), models[kind].select(k)
                scores, report = _scores_and_report(attack, target, fit_on)
                rows.append(
                    {"key": f"{key}/s{r}/k{k}/{name}", **common, "k": int(k), "attack": name}
                    | _row(report, target, scores)
                )
                if r == 0 and k == k_max and name == "lira_online":
                    records = {
                        "index": target.eval_idx.tolist(),
                        "member": target.membership.tolist(),
                        "label": target.labels.tolist(),
                        "score": [float(s) for s in scores],
                    }
    return rows, records


@register(
    "n_reference_models",
    "The number of shadow/reference models: Shokri, LiRA, RMIA and Attack-R for k = 1..64",
)
def n_reference_models(prof, seed: int = 0, progress: bool = False) -> dict:
    """Attack quality against the number of shadow and reference models (see the module)."""
    ks = sorted({int(k) for k in prof.options.get("ks", [1, 2, 4, 8, 16, 32, 64])})
    if not ks or ks[0] < 1:
        raise ValueError(f"ks must be positive numbers of models, got {ks}.")
    rows, infos, records = [], {}, {}
    for key, entry in prof.datasets.items():
        data, X = load_entry(entry)
        infos[key] = dataset_info(data)
        entry_rows, recs = _entry_rows(key, entry, data, X, ks, seed, progress)
        rows += entry_rows
        records[key] = recs
    return {"rows": rows, "datasets": infos, "records": records}


def _reduce(X, d, method, rng) -> np.ndarray:
    n_features = X.shape[1]
    if d > n_features:
        raise ValueError(f"dims ask for {d} features but the data have {n_features}.")
    if method == "subset":
        return np.ascontiguousarray(X[:, np.sort(rng.choice(n_features, size=d, replace=False))])
    R = rng.normal(0.0, 1.0 / math.sqrt(d), size=(n_features, d))
    return (X.astype(np.float64) @ R).astype(np.float32)


def _setting_row(key, data, X, entry, n_ref, rep) -> dict:
    target, ref_seq, _ = entry_target(entry, data, X, rep)
    ref = train_references(target, n_models=n_ref, online=True, random_state=ref_seq)
    loss = evaluate_attack(ThresholdAttack("loss", threshold=0.0), target)
    lira = evaluate_attack(LiRAAttack(), target, fit_on=ref)
    return {
        "key": key,
        **target.summary.to_dict(),
        "n_features": int(X.shape[1]),
        "n_reference": int(n_ref),
        "loss_auc": loss.auc,
        "loss_advantage": loss.advantage,
        "lira_auc": lira.auc,
        "lira_tpr_at_0_1pct_fpr": lira.tpr_at_0_1pct_fpr,
        "lira_tpr_at_1pct_fpr": lira.tpr_at_1pct_fpr,
    }


@register(
    "dimensionality",
    "The survey's conjecture: attacks succeed more on data of higher dimension, others fixed",
)
def dimensionality(prof, seed: int = 0, progress: bool = False) -> dict:
    """One row per (entry, dimension[, std], seed) (see the module)."""
    from ..datasets import load_dataset

    rows, infos = [], {}
    n_ref = int(prof.options.get("n_reference", 16))
    for key, e in prof.datasets.items():
        opts = e.options
        method = opts.get("method", "subset")
        if method not in ("subset", "projection", "synthetic"):
            raise ValueError(f"entry {key}: method must be subset, projection or synthetic.")
        dims = [int(d) for d in opts["dims"]]
        reps = spawn(seed, e.seeds)
        if method == "synthetic":
            grid = [(d, float(s)) for d in dims for s in opts["stds"]]
            infos[key] = {"name": "synthetic", "notes": "generated per setting"}
        else:
            data, X = load_entry(e)
            infos[key] = dataset_info(data)
            grid = [(d, None) for d in dims]
        for d, std in progress_bar(grid, progress, key):
            for r, rep in enumerate(reps):
                data_seq, run_seq = spawn(rep, 2)
                if method == "synthetic":
                    n_classes = int(opts.get("n_classes", 10))
                    syn = load_dataset(
                        "synthetic",
                        n_samples=int(opts.get("n_samples", 4 * e.target_size)),
                        n_features=d,
                        n_classes=n_classes,
                        class_sep=float(opts.get("class_sep", 1.0)) / math.sqrt(d),
                        cluster_std=std,
                        random_state=int_seed(data_seq),
                    )
                    row = _setting_row(f"{key}/d{d}/s{std:g}/r{r}", syn, syn.X, e, n_ref, run_seq)
                else:
                    Xd = _reduce(X, d, method, generator(data_seq))
                    row = _setting_row(f"{key}/d{d}/r{r}", data, Xd, e, n_ref, run_seq)
                rows.append(
                    row | {"dataset": key, "method": method, "dims": d, "std": std, "seed_index": r}
                )
    return {"rows": rows, "datasets": infos}
