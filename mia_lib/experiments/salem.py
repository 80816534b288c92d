"""Replications of Salem et al. (2019), "ML-Leaks": membership inference with fewer assumptions.

ML-Leaks relaxes Shokri et al.'s attacker step by step, and each step is one replication
(profiles in ``profiles/salem.toml``), every one a loop over :mod:`mia_lib.pipeline`:

* ``salem_adversary1`` (adversary 1): one shadow model from the target's distribution and
  one attack model on the three highest posteriors, sorted
  (:class:`~mia_lib.attacks.MLLeaksAttack`). Three parts: the number of shadow models ``k``
  (beside Shokri's per-class attack, repeated over seeds), shadows whose hyperparameters
  differ from the target's, and the *combined* shadow (logistic regression + MLP + random
  forest pooled) against targets of each kind.
* ``salem_data_transfer`` (adversary 2): the shadow is trained on another dataset than the
  target; every (shadow dataset, target dataset) pair.
* ``salem_threshold`` (adversary 3): no shadow model at all; a threshold on the target's
  highest posterior, chosen without membership labels from the target's answers to random
  inputs or to records the attacker owns, taken as non-members; beside adversaries 1 and 2.

The attack classifier is the library's default (gradient-boosted trees) for both ML-Leaks
and Shokri's attack; Salem et al.'s official code uses a small neural network.
"""

from __future__ import annotations

import time

from ..attacks import MLLeaksAttack, ShokriAttack, ThresholdAttack
from ..metrics import evaluate, roc_points
from ..pipeline import evaluate_attack, stage_seeds, train_shadows, train_target
from ..seeding import generator, int_seed, spawn
from ..signals import median_confidence
from ..synthesis import random_queries
from .defences import entry_target
from .results import dataset_info
from .runner import progress_bar, register

__all__ = ["variant_params"]


def _setup(entry, rep, flatten=None):
    """The entry's dataset, and a target trained on it with the stage seeds of ``rep``."""
    from ..datasets import load_dataset

    data = load_dataset(entry.source, **entry.load)
    flat = entry.model != "cnn" if flatten is None else flatten
    X = data.X.reshape(len(data.X), -1) if flat or entry.options.get("flatten") else data.X
    target, shadow_seq, attack_seq = entry_target(entry, data, X, rep)
    return data, target, shadow_seq, int_seed(attack_seq)


def _fields(target, report) -> dict:
    return target.summary.to_dict() | report.to_dict()


def variant_params(params: dict, change: dict) -> dict:
    """The target's MLP parameters with a hyperparameter variant's change; numbers for
    ``epochs`` and ``learning_rate`` are factors of the target's.

    >>> variant_params({"epochs": 40, "learning_rate": 0.001}, {"epochs": 0.5})["epochs"]
    20
    """
    out = dict(params)
    for k, v in change.items():
        if k == "epochs":
            out[k] = max(1, int(round(params["epochs"] * v)))
        elif k == "learning_rate":
            out[k] = params["learning_rate"] * v
        else:
            out[k] = tuple(v) if isinstance(v, list) else v
    return out


@register(
    "salem_adversary1",
    "ML-Leaks adversary 1: number of shadows, top-3 vs Shokri, hyperparameters, combined shadow",
)
def salem_adversary1(prof, seed: int = 0, progress: bool = False) -> dict:
    """ML-Leaks' adversary 1 against MLP targets (and LR / RF targets in ``combined``).

    Rows: ``part`` (``k_shadows``, ``hyperparameters``, ``combined``), ``dataset``,
    ``repeat``, ``attack`` (``"ml_leaks"`` or ``"shokri"``), ``n_shadows``, ``shadow``,
    ``target_model``, the target's accuracies and the attack's metrics.
    """
    opts = prof.options
    ks = list(opts["ks"])
    chosen = opts.get("variants")
    variants = [v for v in opts["hyper_variants"] if chosen is None or v[0] in chosen]
    kinds = list(opts["combined_kinds"])
    rows, infos = [], {}
    jobs = [
        (key, r, rep)
        for key, e in prof.datasets.items()
        for r, rep in enumerate(spawn(seed, e.seeds))
    ]
    for key, r, rep in progress_bar(jobs, progress, "salem_adversary1"):
        e = prof.datasets[key]
        data, target, shadow_seq, a_seed = _setup(e, rep)
        infos[key] = dataset_info(data)

        def row(part, attack, report, tgt=target, key=key, r=r, **fields):
            fields["target_model"] = tgt.model_name
            name = "/".join([part, key, f"rep{r}", *map(str, fields.values()), attack])
            base = {"key": name, "part": part, "dataset": key, "repeat": r, "attack": attack}
            return base | fields | _fields(tgt, report)

        shadows = train_shadows(target, n_shadows=max(ks), random_state=shadow_seq)
        ad = shadows.attack_data_
        for k in ks:
            sub = ad.subset(ad.source < k)
            for name, attack in (
                ("ml_leaks", MLLeaksAttack(random_state=a_seed)),
                ("shokri", ShokriAttack(random_state=a_seed)),
            ):
                report = evaluate_attack(attack, target, fit_on=sub)
                shadow = "mlp, same hyperparameters"
                rows.append(row("k_shadows", name, report, n_shadows=k, shadow=shadow))
        if e.options.get("hyper", True) and r < opts["hyper_seeds"]:
            conf_t = median_confidence(target.answers, target.membership)
            for label, change in variants:
                sp = variant_params(e.params, change)
                sh = train_shadows(target, model_params=sp, random_state=shadow_seq)
                report = evaluate_attack(MLLeaksAttack(random_state=a_seed), target, fit_on=sh)
                conf_s = median_confidence(sh.attack_data_.posteriors, sh.attack_data_.membership)
                rows.append(
                    row("hyperparameters", "ml_leaks", report, n_shadows=1, shadow=label)
                    | {"shadow_params": sp}
                    | {f"shadow_conf_{k}": v for k, v in conf_s.items()}
                    | {f"target_conf_{k}": v for k, v in conf_t.items()}
                )
        if e.options.get("combined", True) and r < opts["combined_seeds"]:
            kind_params = [e.params if k == "mlp" else {} for k in kinds]
            sh = train_shadows(
                target, model=kinds, model_params=kind_params, random_state=shadow_seq
            )
            ad = sh.attack_data_
            of_kind = sh.kinds_[ad.source]
            sets = {k: ad.subset(of_kind == j) for j, k in enumerate(kinds)} | {"combined": ad}
            for kind, kp in zip(kinds, kind_params, strict=True):
                tgt = target
                if kind != e.model:
                    tgt = train_target(
                        target.X, target.y, target.n_classes, target_size=e.target_size,
                        model=kind, model_params=kp, random_state=stage_seeds(rep)[0],
                    )  # fmt: skip
                for shadow, fit_on in sets.items():
                    report = evaluate_attack(MLLeaksAttack(random_state=a_seed), tgt, fit_on=fit_on)
                    rows.append(
                        row("combined", "ml_leaks", report, tgt, n_shadows=1, shadow=shadow)
                    )
    return {"rows": rows, "datasets": infos}


def _transfer_setups(prof, seed, progress):
    """Per dataset of the profile: the dataset, its target and one shadow of the same kind."""
    setups, infos = {}, {}
    for key, e in progress_bar(prof.datasets.items(), progress, "setups"):
        t0 = time.perf_counter()
        data, target, shadow_seq, a_seed = _setup(e, seed)
        shadows = train_shadows(target, random_state=shadow_seq)
        infos[key] = dataset_info(data)
        setups[key] = (target, shadows, a_seed, round(time.perf_counter() - t0, 1))
    return setups, infos


@register(
    "salem_data_transfer",
    "ML-Leaks adversary 2: shadow trained on one dataset, target on another (every pair)",
)
def salem_data_transfer(prof, seed: int = 0, progress: bool = False) -> dict:
    """One target and one shadow per dataset; the attack trained on shadow A's outputs
    (sorted top-3 posteriors) attacks target B, for every pair (A, B): rows ``"A->B"``."""
    setups, infos = _transfer_setups(prof, seed, progress)
    rows = []
    for a, (_, shadows, a_seed, _) in setups.items():
        attack = MLLeaksAttack(random_state=a_seed)
        for i, (b, (target, *_)) in enumerate(setups.items()):
            report = evaluate_attack(attack, target, fit_on=shadows if i == 0 else None)
            rows.append(
                {"key": f"{a}->{b}", "shadow_dataset": a, "target_dataset": b, "same": a == b}
                | {"target_model": target.model_name, "shadow_model": prof.datasets[a].model}
                | _fields(target, report)
            )
    return {"rows": rows, "datasets": infos, "train_s": {k: v[3] for k, v in setups.items()}}


@register(
    "salem_threshold",
    "ML-Leaks adversary 3 (threshold on the top posterior, no shadow) beside adversaries 1 and 2",
)
def salem_threshold(prof, seed: int = 0, progress: bool = False) -> dict:
    """The three adversaries on the same targets, one row per (target dataset, adversary).

    Adversary 1: one shadow of the target's kind on the target's distribution. Adversary 2:
    the shadow of the *next* dataset of the profile (cyclically), a rule fixed before any
    result. Adversary 3: a threshold on the highest posterior chosen from the target's
    answers to ``n_queries`` random inputs (``"noise"``) or to as many of the attacker's own
    records (``"reference"``), as the ``quantile`` of their top posteriors; no membership
    label is used. Rows carry the ROC curve at 101 false positive rates.
    """
    n_q, q = prof.options["n_queries"], prof.options["quantile"]
    setups, infos = _transfer_setups(prof, seed, progress)
    names = list(setups)
    rows = []
    for i, name in enumerate(names):
        target, shadows, a_seed, _ = setups[name]
        source = names[(i + 1) % len(names)]
        queries_seq, ref_seq = spawn(seed, 2)
        adversaries = []
        for label, sh in (("1", shadows), ("2", setups[source][1])):
            attack = MLLeaksAttack(random_state=a_seed)
            evaluate_attack(attack, target, fit_on=sh)
            scores = attack.score_samples(target.answers)
            adversaries.append((label, scores, attack.predict(target.answers), {}))
        queries = random_queries(target.X.shape[1:], n_q, random_state=queries_seq)
        pool = target.pool
        ref_idx = generator(ref_seq).choice(pool, size=min(n_q, len(pool)), replace=False)
        conf = target.answers.max(axis=1)
        for label, reference in (("3 noise", queries), ("3 reference", target.X[ref_idx])):
            att = ThresholdAttack("confidence", reference_quantile=q)
            att.fit(target.blackbox.query(reference))
            extra = {"threshold": att.threshold_, "n_threshold_queries": len(reference)}
            adversaries.append((label, conf, att.predict(target.answers), extra))
        for label, scores, decisions, extra in adversaries:
            report = evaluate(target.membership, scores, predicted=decisions)
            rows.append(
                {"key": f"{name}/adversary {label}", "dataset": name, "adversary": label}
                | {"shadow_dataset": {"1": name, "2": source}.get(label)}
                | {"target_model": target.model_name}
                | _fields(target, report)
                | extra
                | {"roc": roc_points(target.membership, scores)}
            )
    return {"rows": rows, "datasets": infos}
