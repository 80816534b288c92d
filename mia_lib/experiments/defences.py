"""Defences at the prediction API, replicated on the one attack pipeline.

* ``defences_api``: Shokri et al.'s output restrictions (their Table III): top-k, the label
  only, rounding and temperature. One target and one set of shadows per dataset; each
  defence is the same model behind another API (:func:`mia_lib.pipeline.defend`), and the
  attacker sees its shadows' outputs through the same API. Four attackers: Shokri's attack,
  the best threshold attack (the signal of highest AUC on the shadows), the gap attack and
  Choquette-Choo et al.'s label-only attack. Every figure has a bootstrap interval.
* ``memguard``: Jia et al.'s MemGuard on Locations in the official setting, the expected
  inference accuracy of the non-adaptive NN attack at each budget, and the attackers
  MemGuard cannot stop: label-only, and an attacker who knows MemGuard is there.

Profiles in ``profiles/defences.toml``.
"""

from __future__ import annotations

import numpy as np

from ..attacks import ShokriAttack, ThresholdAttack
from ..intervals import bootstrap_ci
from ..label_only import GapAttack, LabelOnlyAttack, released_labels
from ..memguard import MAX_ITER
from ..metrics import auc, evaluate
from ..pipeline import attack_scores, defend, stage_seeds, train_shadows, train_target
from ..query import Rounding, Temperature, TopK
from ..seeding import generator, int_seed, spawn
from .results import dataset_info
from .runner import progress_bar, register

__all__ = [
    "api_defence",
    "best_signal",
    "DEFENCE_SIGNALS",
    "RELEASED_METRICS",
    "entry_target",
    "defences_api",
    "fields",
    "load_entry",
    "memguard",
    "scored",
]

#: The threshold-free figures of each attacker on MemGuard's released answers, per budget.
RELEASED_METRICS = ("auc", "tpr_at_1pct_fpr", "tpr_at_0_1pct_fpr", "advantage")

#: The signals among which the threshold attacker picks the one of highest shadow AUC.
DEFENCE_SIGNALS = ("confidence", "loss", "entropy", "modified_entropy")


def api_defence(name: str) -> tuple[list, str]:
    """The transforms and output of a defence named in a profile: ``none``, ``topK``
    (the K largest posteriors released as they are), ``label``, ``roundD`` (D decimals) or
    ``tempT`` (temperature T).

    >>> api_defence("top3"), api_defence("label"), api_defence("round2")
    (([TopK(3, renormalise=False)], 'proba'), ([], 'label'), ([Rounding(2)], 'proba'))
    """
    if name == "none":
        return [], "proba"
    if name == "label":
        return [], "label"
    for prefix, make in (
        ("top", lambda v: TopK(int(v), renormalise=False)),
        ("round", lambda v: Rounding(int(v))),
        ("temp", lambda v: Temperature(float(v))),
    ):
        if name.startswith(prefix):
            try:
                return [make(name[len(prefix) :])], "proba"
            except ValueError:
                break
    raise ValueError(
        f"unknown defence {name!r}; use none, label, topK, roundD or tempT (e.g. top3)."
    )


def fields(report, scores, decisions, seed, n_boot) -> dict:
    """An attack report's figures with their bootstrap intervals (``<metric>_ci``)."""
    out = report.to_dict()
    m = np.r_[np.ones(report.n_members), np.zeros(report.n_non_members)]
    cis = bootstrap_ci(m, scores, decisions, n_boot=n_boot, random_state=seed) if n_boot else {}
    out.update({f"{k}_ci": list(v) for k, v in cis.items()})
    return out


def scored(attack, target, fit_on=None):
    """Report, scores and decisions of ``attack`` on ``target`` (scores kept for the
    intervals): :func:`mia_lib.pipeline.attack_scores` and
    :func:`mia_lib.metrics.evaluate`."""
    s, d = attack_scores(attack, target, fit_on=fit_on)
    return evaluate(target.membership, s, predicted=d), s, d


def best_signal(data) -> str:
    """The signal of :data:`DEFENCE_SIGNALS` with the highest AUC on shadow data ``data``."""
    aucs = {
        s: auc(
            data.membership, ThresholdAttack(s).score_samples(data.posteriors, labels=data.labels)
        )
        for s in DEFENCE_SIGNALS
    }
    return max(aucs, key=aucs.get)


def load_entry(entry):
    """The dataset of a profile entry and its features: images as they are for a CNN,
    flattened to one row per record for every other model."""
    from ..datasets import load_dataset

    data = load_dataset(entry.source, **entry.load)
    X = data.X if entry.model == "cnn" else data.X.reshape(len(data.X), -1)
    return data, X


def entry_target(entry, data, X, seed, *, model=None, model_params=None):
    """The target of a profile entry, trained on ``X`` (``load_entry``'s features, or
    another version of the same records) with the stage seeds of ``seed``: ``(target,
    shadow seed, attack seed)``. ``model`` and ``model_params`` replace the entry's."""
    target_seq, shadow_seq, attack_seq = stage_seeds(seed)
    target = train_target(
        X,
        data.y,
        data.n_classes,
        target_size=entry.target_size,
        model=entry.model if model is None else model,
        model_params=entry.params if model_params is None else model_params,
        random_state=target_seq,
    )
    return target, shadow_seq, attack_seq


@register(
    "defences_api",
    "Output restrictions at the API (Shokri et al. Table III) against four attackers",
)
def defences_api(prof, seed: int = 0, progress: bool = False) -> dict:
    """Each output defence of the profile against Shokri's attack, the best threshold
    attack, the gap attack and the label-only attack, one row per (dataset, defence,
    attacker), with the target's released test accuracy and the mean L1 distortion."""
    rows, infos = [], {}
    n_boot = int(prof.options.get("n_boot", 200))
    for key, entry in prof.datasets.items():
        data, X = load_entry(entry)
        infos[key] = dataset_info(data)
        target, shadow_seq, attack_seq = entry_target(entry, data, X, seed)
        shadows = train_shadows(target, n_shadows=entry.n_shadows, random_state=shadow_seq)
        lo_seq, boot_seq, shokri_seq = spawn(attack_seq, 3)
        lo = LabelOnlyAttack(**entry.options.get("label_only", {}), random_state=lo_seq)
        lo.fit_shadows(shadows, X[target.pool], data.y[target.pool])
        raw = target.blackbox.posteriors(X[target.eval_idx])
        nonmember = target.membership == 0
        for name in progress_bar(prof.options["defences"], progress, f"defences_api {key}"):
            transforms, output = api_defence(name)
            defended = defend(target, transforms, output=output)
            seen = shadows.attack_data_.released(transforms, output)
            signal = best_signal(seen)
            labels_out = released_labels(defended.answers)
            distortion = (
                0.0
                if output == "label"
                else float(np.abs(np.asarray(defended.answers) - raw).sum(axis=1).mean())
            )
            common = {
                "dataset": key,
                "defence": name,
                **target.summary.to_dict(),
                "released_test_acc": float(
                    np.mean(labels_out[nonmember] == target.labels[nonmember])
                ),
                "distortion_l1": distortion,
                "label_only_noise": lo.noise_,
            }
            attackers = (
                ("shokri", ShokriAttack(random_state=int_seed(shokri_seq)), seen),
                ("threshold", ThresholdAttack(signal), seen),
                ("gap", GapAttack(), None),
                ("label_only", lo, None),
            )
            for attacker, attack, fit_on in attackers:
                report, s, d = scored(attack, defended, fit_on)
                rows.append(
                    {
                        "key": f"{key}/{name}/{attacker}",
                        **common,
                        "attack": attacker,
                        "signal": signal if attacker == "threshold" else None,
                        **fields(report, s, d, boot_seq, n_boot),
                    }
                )
    return {"rows": rows, "datasets": infos}


def _curve_rows(key, target, P, guard, nn, adaptive, budgets, seed, common) -> list[dict]:
    """The NN attack's expected inference accuracy at each budget (the official curve), and
    the attackers' figures on one draw of the released answers; ``attack`` is ``"nn"`` for
    the official search length and ``"nn_iter<max_iter>"`` for another; ``P`` are the
    target's undefended posteriors of its evaluation records."""
    noised = guard.perturb(P)
    m = target.membership
    right_orig = nn.predict(P) == m
    right_def = nn.predict(noised) == m
    kept = float(np.mean(noised.argmax(1) == P.argmax(1)))
    found = guard.found_
    noise_found = float(np.mean(found))
    # why a query gets no noise: its top posterior and the defender's gradient there
    top, grad = P.max(axis=1), guard.gradient_norm(P)
    why = {
        f"{what}_{part}": float(np.median(v[mask])) if mask.any() else None
        for what, v in (("top_posterior", top), ("gradient", grad))
        for part, mask in (("found", found), ("not_found", ~found))
    }
    name = "nn" if guard.max_iter == MAX_ITER else f"nn_iter{guard.max_iter}"
    rows = []
    coin = generator(spawn(seed, 1)[0]).random(len(P))  # one coin per record, every budget
    for eps in budgets:
        p = guard.release_probability(P, noised, budget=eps)
        expected = float(np.mean((1 - p) * right_orig + p * right_def))
        released = np.where((coin < p)[:, None], noised, P)
        seen = {}
        for attacker, attack in (("nn", nn), *adaptive):
            r = evaluate(m, attack.score_samples(released, labels=target.labels))
            seen[attacker] = {k: getattr(r, k) for k in RELEASED_METRICS}
        rows.append(
            {
                "key": f"{key}/{name}/{eps:g}",
                **common,
                "attack": name,
                "budget": float(eps),
                "inference_acc": expected,
                "distortion_l1": float(np.mean(p * np.abs(noised - P).sum(axis=1))),
                "label_kept": kept,
                "noise_found": noise_found,
                **why,
                "max_iter": int(guard.max_iter),
                "released": seen,
            }
        )
    return rows


def _memguard_rows(key, target, guard, nn, lo, adaptive, budgets, seed, n_boot, variants=()):
    """The MemGuard curve (and its variants with longer searches) and the attackers it
    cannot stop, as result rows."""
    P = target.blackbox.posteriors(target.X[target.eval_idx])
    top = P.max(axis=1)
    common = {
        "dataset": key,
        **target.summary.to_dict(),
        "defender_accuracy": guard.defender_accuracy_,
        "label_only_noise": lo.noise_,
        # how saturated the target's answers are: the median highest posterior
        "median_top_posterior": float(np.median(top)),
        "median_top_posterior_members": float(np.median(top[target.membership == 1])),
    }
    rows = _curve_rows(key, target, P, guard, nn, adaptive, budgets, seed, common)
    official = guard.max_iter
    for max_iter in variants:
        guard.set_params(max_iter=int(max_iter))
        rows += _curve_rows(key, target, P, guard, nn, adaptive, budgets, seed, common)
    guard.set_params(max_iter=official)
    # the full defence (largest budget) released with its coin, against the other attackers
    eps = max(budgets)
    guard.set_params(budget=eps)
    defended = defend(target, [guard])
    for attacker, attack in (
        ("nn_released", nn),
        ("label_only", lo),
        ("gap", GapAttack()),
        *adaptive,
    ):
        report, s, d = scored(attack, defended)
        undefended, s0, d0 = scored(attack, target)
        rows.append(
            {
                "key": f"{key}/{attacker}/{eps:g}",
                **common,
                "attack": attacker,
                "budget": float(eps),
                **fields(report, s, d, seed, n_boot),
                "undefended": fields(undefended, s0, d0, seed, n_boot),
            }
        )
    return rows


def _defender(params: dict):
    """The official defender network, with the profile's overrides (None: unchanged)."""
    from ..memguard import defender_model

    return defender_model().set_params(**params) if params else None


@register(
    "memguard",
    "MemGuard on Locations (Jia et al. 2019): the official curve and the attacks it misses",
)
def memguard(prof, seed: int = 0, progress: bool = False) -> dict:
    """MemGuard in the official setting: the target is trained on ``target_size`` members,
    the defender's classifier on them and ``defender_size`` other non-members, the attacker
    trains one shadow on half its pool's ``shadow_size``-record in/out split and an NN
    attack on its sorted posteriors. Rows: the expected inference accuracy at each budget
    (and, under ``released``, the figures of the NN and adaptive attacks on one draw of the
    released answers),
    then, at the largest budget, the released answers against the NN attack, the
    label-only and gap attacks and two adaptive attackers (a modified-entropy threshold, and
    an NN attack trained on shadow outputs defended by the attacker's own MemGuard)."""
    from ..attacks import attack_model_of
    from ..memguard import MemGuard

    rows, infos = [], {}
    n_boot = int(prof.options.get("n_boot", 200))
    budgets = [float(b) for b in prof.options["budgets"]]
    for key, entry in prof.datasets.items():
        data, X = load_entry(entry)
        infos[key] = dataset_info(data)
        target, shadow_seq, attack_seq = entry_target(entry, data, X, seed)
        guard_seq, nn_seq, lo_seq, boot_seq, own_seq = spawn(attack_seq, 5)
        pool = target.pool
        d_size = int(entry.options["defender_size"])
        defender_out = pool[:d_size]  # the pool is already shuffled by the split
        members = target.split.target_in
        Pd = target.blackbox.posteriors(X[np.r_[members, defender_out]])
        md = np.r_[np.ones(len(members)), np.zeros(len(defender_out))].astype(int)
        # the profile may shorten the defender's training (smoke runs only)
        d_params = entry.options.get("defender", {})
        guard = MemGuard(defender=_defender(d_params), random_state=guard_seq).fit(Pd, md)
        shadows = train_shadows(
            target, n_shadows=1, shadow_size=entry.options["shadow_size"], random_state=shadow_seq
        )
        seen = shadows.attack_data_
        attack_mlp = attack_model_of("mlp", random_state=nn_seq).set_params(
            **entry.options.get("nn_attack", {})
        )
        nn = ShokriAttack(
            attack_mlp, per_class=False, features="sorted", random_state=int_seed(nn_seq)
        ).fit(seen.posteriors, seen.membership)
        lo = LabelOnlyAttack(**entry.options.get("label_only", {}), random_state=lo_seq)
        lo.fit_shadows(shadows, X[pool], data.y[pool])
        mentr = ThresholdAttack("modified_entropy").fit(
            seen.posteriors, seen.membership, labels=seen.labels
        )
        # the attacker knows MemGuard: it defends its own shadow's outputs the same way
        own = MemGuard(budget=max(budgets), defender=_defender(d_params), random_state=own_seq).fit(
            seen.posteriors, seen.membership
        )
        own_seen = own(seen.posteriors)
        aware = ShokriAttack(
            attack_mlp, per_class=False, features="sorted", random_state=int_seed(nn_seq)
        ).fit(own_seen, seen.membership)
        adaptive = (("modified_entropy", mentr), ("nn_aware", aware))
        variants = entry.options.get("max_iter_variants", [])
        rows += _memguard_rows(
            key, target, guard, nn, lo, adaptive, budgets, boot_seq, n_boot, variants
        )
    return {"rows": rows, "datasets": infos}
