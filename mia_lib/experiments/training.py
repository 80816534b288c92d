"""Defences in training, replicated on the one attack pipeline: ``defences_training``.

Every training-side defence is a parameter of the target's model (or the model itself), so
each one is a plain run of :func:`mia_lib.pipeline.train_target` and
:func:`~mia_lib.pipeline.train_shadows` (the attacker's shadows copy the target's model and
parameters: it knows the training procedure, defence included), attacked by the four
attackers of ``defences_api``: Shokri's attack, the best threshold attack (the signal of
highest AUC on the shadows), the gap attack and Choquette-Choo et al.'s label-only attack,
every figure with its bootstrap interval. Every setting of a dataset uses the same seeds,
hence the same split and the same records for every model: settings differ only by the
defence. The parts (a dataset entry of the profile lists those it runs in ``parts``):

* ``l2``: weight decay (``torch.optim``'s, the gradient of ``wd/2 * ||w||^2``) at each of
  ``weight_decays`` (Shokri et al.'s regularisation, Table III);
* ``dropout``: at each rate of ``dropouts`` (Salem et al.);
* ``early_stopping``: off, and on with each ``patience``: ``validation_fraction`` of the
  training set is held out to decide when to stop, and the weights of the best validation
  loss are kept. Those records remain members (as in scikit-learn's ``early_stopping``), so
  the defence's cost includes training on fewer records;
* ``models``: one target of each model type of ``models`` (Truex et al.'s "model choice");
* ``stacking``: Salem et al.'s model stacking
  (:class:`~mia_lib.models.DisjointStackingClassifier`: an MLP and a random forest on
  disjoint thirds of the training set, logistic regression on their posteriors for the last
  third) beside each of its first-level models trained alone on the whole training set;
* ``anonymisation`` (Adult): for each model type of ``anonymisation_models`` (default: the
  preset's), the target and shadows trained on the raw records, then on the records with
  generalised quasi-identifiers (:func:`mia_lib.anonymise.generalise_adult`, with the
  options ``generalise``); the rows add the k-anonymity of the training set (the share of members whose
  quasi-identifier combination is shared by at least k training records) and each attack's
  AUC on the members hidden in a group of at least ``anon_k``.

Rows: one per (part, dataset, setting, attacker), with the target's train and test accuracy,
gap, ``n_epochs`` (epochs actually run, torch models) and ``fit_s`` (wall time of
:func:`~mia_lib.pipeline.train_target`: the fit and the queries of the evaluation records;
machine-dependent, compare only ratios within one result). :func:`privacy_utility` gives one
point per defence setting for the privacy-utility map. Profiles in
``profiles/defences.toml``.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from ..anonymise import generalise_adult, group_sizes, k_anonymous_share
from ..attacks import ShokriAttack, ThresholdAttack
from ..label_only import LabelOnlyAttack
from ..metrics import auc
from ..pipeline import train_shadows
from ..seeding import int_seed, spawn
from .defences import best_signal, entry_target, fields, load_entry, scored
from .results import dataset_info
from .runner import progress_bar, register

__all__ = [
    "PARTS",
    "ATTACKERS",
    "four_attacks",
    "part_settings",
    "privacy_utility",
    "each_entry",
    "run_setting",
    "warm_up",
]

#: The parts of ``defences_training``, in the order they run.
PARTS = ("l2", "dropout", "early_stopping", "models", "stacking", "anonymisation")
#: The attackers of every setting.
ATTACKERS = ("shokri", "threshold", "gap", "label_only")
#: The first-level models of the zoo's stacking, each also trained alone.
STACKING_PARTS = ("mlp", "random_forest")


def four_attacks(target, shadows, *, label_only: dict, random_state, n_boot: int) -> list:
    """The four attackers on ``target`` with ``shadows``: a list of ``(attacker, fields,
    scores)``, ``fields`` the report's figures with bootstrap intervals
    (:func:`mia_lib.experiments.defences.fields`) and the attacker's settings (the threshold
    attack's ``signal``, the label-only attack's ``label_only_noise``)."""
    from ..label_only import GapAttack

    lo_seq, boot_seq, shokri_seq = spawn(random_state, 3)
    data = shadows.attack_data_
    signal = best_signal(data)
    lo = LabelOnlyAttack(**label_only, random_state=lo_seq)
    lo.fit_shadows(shadows, target.X[target.pool], target.y[target.pool])
    attackers = (
        ("shokri", ShokriAttack(random_state=int_seed(shokri_seq)), data),
        ("threshold", ThresholdAttack(signal), data),
        ("gap", GapAttack(), None),
        ("label_only", lo, None),
    )
    out = []
    for name, attack, fit_on in attackers:
        report, s, d = scored(attack, target, fit_on)
        extra = {
            "signal": signal if name == "threshold" else None,
            "label_only_noise": lo.noise_ if name == "label_only" else None,
        }
        out.append((name, {**extra, **fields(report, s, d, boot_seq, n_boot)}, s))
    return out


def _sweep(opts: dict, name: str, part: str) -> list:
    if name not in opts:
        raise ValueError(f"part {part!r} needs the option {name!r} (its sweep) in the profile.")
    values = opts[name]
    return list(values) if isinstance(values, list | tuple) else [values]


def part_settings(part: str, entry, options: dict) -> list[tuple[str, object, dict, dict]]:
    """The settings of one part for one dataset entry: ``(setting, model, model_params,
    recorded values)``; ``options`` are the profile's, the entry's own taking precedence.

    >>> from mia_lib.experiments import load_profile
    >>> p = load_profile("defences_training", "smoke")
    >>> [s for s, *_ in part_settings("dropout", p.datasets["digits"], p.options)]
    ['dropout=0', 'dropout=0.5']
    """
    opts = {**options, **entry.options}
    if not entry.model:
        raise ValueError(f"entry {entry.key} has no model preset; give it one (preset = ...).")
    model, params = entry.model, dict(entry.params)
    if part == "l2":
        return [
            (f"wd={wd:g}", model, {**params, "weight_decay": float(wd)}, {"weight_decay": wd})
            for wd in _sweep(opts, "weight_decays", part)
        ]
    if part == "dropout":
        return [
            (f"dropout={p:g}", model, {**params, "dropout": float(p)}, {"dropout": p})
            for p in _sweep(opts, "dropouts", part)
        ]
    if part == "early_stopping":
        vf = float(opts.get("validation_fraction", 0.1))
        out = [("off", model, params, {"early_stopping": False, "patience": None})]
        for pat in _sweep(opts, "patience", part):
            p = {**params, "early_stopping": True, "patience": int(pat), "validation_fraction": vf}
            out.append((f"patience={pat}", model, p, {"early_stopping": True, "patience": pat}))
        return out
    if part == "models":
        own = opts.get("model_params", {})
        return [
            (m, m, params if m == model else dict(own.get(m, {})), {"model_type": m})
            for m in _sweep(opts, "models", part)
        ]
    if part == "stacking":
        own = opts.get("model_params", {})
        alone = {"mlp": params, "random_forest": dict(own.get("random_forest", {}))}
        nested = {f"{m}__{k}": v for m in STACKING_PARTS for k, v in alone[m].items()}
        out = [("stacking", "stacking", nested, {"model_type": "stacking"})]
        return out + [(m, m, alone[m], {"model_type": m}) for m in STACKING_PARTS]
    if part == "anonymisation":
        own = opts.get("model_params", {})
        return [
            (f"{v}_{m}", m, params if m == model else dict(own.get(m, {})), values)
            for m in opts.get("anonymisation_models", [model])
            for v in ("raw", "generalised")
            for values in [{"model_type": m, "generalised": v == "generalised"}]
        ]
    raise ValueError(f"unknown part {part!r}; choose among {PARTS}.")


def _anonymity(target, names, ks, anon_k, attacks) -> tuple[dict, dict]:
    """k-anonymity of the target's training set and each attack's AUC on its members in
    groups of at least ``anon_k`` (against every non-member)."""
    members = target.X[target.split.target_in]
    shares = {str(k): k_anonymous_share(members, names, int(k)) for k in ks}
    hidden = group_sizes(members, names) >= int(anon_k)
    m = target.membership
    keep = np.r_[hidden, np.ones(int((m == 0).sum()), dtype=bool)]
    by_attack = {
        name: {"auc_k_anonymous_members": float(auc(m[keep], s[keep])) if hidden.any() else None}
        for name, _, s in attacks
    }
    fields_ = {"k_anonymous_share": shares, "anon_k": int(anon_k)}
    return {**fields_, "n_hidden_members": int(hidden.sum())}, by_attack


def _model_key(model, params) -> str:
    """The model with every parameter it would be built with: two settings that build the
    same model (``weight_decay=0`` and ``dropout=0``) have the same key."""
    from ..models import make_model

    est = make_model(model, **params)
    return f"{model}:" + repr(sorted((k, repr(v)) for k, v in est.get_params().items()))


def warm_up(entry, X, y, n_classes) -> None:
    """One epoch of the entry's torch model on a few records, so that the first setting's
    ``fit_s`` does not include torch's one-off start-up costs."""
    from ..models import make_model
    from ..threads import limit_threads

    est = make_model(entry.model, n_classes=n_classes, **entry.params)
    if "epochs" in est.get_params():
        with limit_threads():
            est.set_params(epochs=1, random_state=0).fit(X[:128], y[:128])


def run_setting(X, data, entry, model, params, seed, opts) -> tuple:
    """Train one target and its shadows (the same model and ``params``) on ``X`` and the
    labels of ``data`` with the stage seeds of ``seed``
    (:func:`~mia_lib.experiments.defences.entry_target`), and attack them with
    :func:`four_attacks`: ``(target, common fields, attacks)``; the common fields are the target's summary, ``n_shadows``,
    ``n_epochs`` and ``fit_s`` (wall time of the target's training and queries)."""
    t0 = time.perf_counter()
    target, shadow_seq, attack_seq = entry_target(
        entry, data, X, seed, model=model, model_params=params
    )
    fit_s = time.perf_counter() - t0
    shadows = train_shadows(target, n_shadows=entry.n_shadows, random_state=shadow_seq)
    attacks = four_attacks(
        target,
        shadows,
        label_only=opts.get("label_only", {}),
        random_state=attack_seq,
        n_boot=int(opts.get("n_boot", 200)),
    )
    common = {
        **target.summary.to_dict(),
        "n_shadows": int(entry.n_shadows),
        "n_epochs": getattr(target.model, "n_epochs_", None),
        "fit_s": fit_s,
    }
    return target, common, attacks


def _entry_rows(key, entry, data, X, opts, seed, progress) -> list[dict]:
    parts = opts.get("parts", [])
    unknown = [p for p in parts if p not in PARTS]
    if not parts or unknown:
        raise ValueError(
            f"entry {key}: parts must list some of {PARTS}, got {parts!r} (unknown: {unknown})."
        )
    rows, done = [], {}
    warm_up(entry, X, data.y, data.n_classes)
    for part in [p for p in PARTS if p in parts]:
        settings = part_settings(part, entry, opts)
        for name, model, params, values in progress_bar(
            settings, progress, f"defences_training {part} {key}"
        ):
            Xs, names = X, list(data.feature_names or [])
            if part == "anonymisation" and values["generalised"]:
                Xs, names = generalise_adult(X, names, **opts.get("generalise", {}))
            memo = (part == "anonymisation" and values["generalised"], _model_key(model, params))
            if memo not in done:  # the same model on the same data: trained once
                done[memo] = run_setting(Xs, data, entry, model, params, seed, opts)
            target, common, attacks = done[memo]
            extra, by_attack = {}, {}
            if part == "anonymisation":
                ks, anon_k = opts.get("k_anonymity", [2, 5, 10]), opts.get("anon_k", 5)
                extra, by_attack = _anonymity(target, names, ks, anon_k, attacks)
            for attacker, figures, _ in attacks:
                rows.append(
                    {
                        "key": f"{part}/{key}/{name}/{attacker}",
                        "part": part,
                        "dataset": key,
                        "setting": name,
                        "model": str(model),
                        **values,
                        **common,
                        **extra,
                        "attack": attacker,
                        **figures,
                        **by_attack.get(attacker, {}),
                    }
                )
    return rows


@register(
    "defences_training",
    "Defences in training: L2, dropout, early stopping, model choice, stacking, anonymisation",
)
def defences_training(prof, seed: int = 0, progress: bool = False) -> dict:
    """Each part of each dataset entry (its ``parts``), every setting against the four
    attackers: one row per (part, dataset, setting, attacker). A model trained with the
    same parameters on the same data in two parts (the undefended settings) is trained
    once."""
    return each_entry(prof, _entry_rows, seed, progress)


def each_entry(prof, entry_rows, seed: int, progress: bool) -> dict:
    """A replication's result from its rows per dataset entry: ``entry_rows(key, entry,
    data, X, options, seed, progress)`` on each entry of the profile ``prof`` (its data
    loaded by :func:`~mia_lib.experiments.defences.load_entry`, the profile's options
    updated by the entry's), and each dataset's description."""
    rows, infos = [], {}
    for key, entry in prof.datasets.items():
        data, X = load_entry(entry)
        infos[key] = dataset_info(data)
        opts = {**prof.options, **entry.options}
        rows += entry_rows(key, entry, data, X, opts, seed, progress)
    return {"rows": rows, "datasets": infos}


def privacy_utility(rows, metric: str = "tpr_at_1pct_fpr") -> pd.DataFrame:
    """One point per (part, dataset, setting) for the privacy-utility map: the target's
    test accuracy and the highest ``metric`` among the attackers (with the attacker that
    reached it), the best AUC and the gap; columns ``part``, ``dataset``, ``setting``,
    ``test_acc``, ``train_acc``, ``gap``, ``metric``, ``best_attack``, ``auc``.
    (:func:`mia_lib.plots.plot_privacy_utility` draws it: ``x="test_acc"``,
    ``y=metric``, ``group="part"``, ``label="setting"``.)

    >>> rows = [{"part": "l2", "dataset": "d", "setting": "wd=0", "attack": a,
    ...          "test_acc": 0.6, "train_acc": 1.0, "gap": 0.4, "auc": u,
    ...          "tpr_at_1pct_fpr": t} for a, u, t in [("shokri", 0.8, 0.1), ("gap", 0.7, 0.0)]]
    >>> privacy_utility(rows)[["setting", "tpr_at_1pct_fpr", "best_attack", "auc"]]
      setting  tpr_at_1pct_fpr best_attack  auc
    0    wd=0              0.1      shokri  0.8
    """
    d = pd.DataFrame(list(rows))
    if d.empty:
        raise ValueError("rows is empty; pass the result rows of defences_training.")
    missing = [
        c for c in ("part", "dataset", "setting", "attack", "test_acc", metric) if c not in d
    ]
    if missing:
        raise ValueError(f"rows have no column(s) {missing}; pass defences_training's rows.")
    out = []
    for (part, ds, setting), g in d.groupby(["part", "dataset", "setting"], sort=False):
        best = g.loc[g[metric].astype(float).idxmax()]
        out.append(
            {
                "part": part,
                "dataset": ds,
                "setting": setting,
                "test_acc": float(g["test_acc"].iloc[0]),
                "train_acc": float(g["train_acc"].iloc[0]) if "train_acc" in g else None,
                "gap": float(g["gap"].iloc[0]) if "gap" in g else None,
                metric: float(best[metric]),
                "best_attack": best["attack"],
                "auc": float(g["auc"].max()) if "auc" in g else None,
            }
        )
    return pd.DataFrame(out)
