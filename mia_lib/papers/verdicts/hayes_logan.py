"""Verdicts on Hayes et al.'s claims about GANs, from ``hayes_logan``.

Rows per ``part`` (``epochs``, ``auxiliary``, ``defences``, ``classifier``), ``dataset``,
``setting`` and ``attack`` (``white_box``, ``black_box``, ``black_box_aux``, ``loss``),
each with the ranking's ``top_n_accuracy`` and its ``baseline`` (the share of members among
the candidates ranked), the target's ``epochs`` and training time ``fit_s``, and with the
option ``quality`` the Fréchet distances ``sample_fd`` (the target generator's samples) and
``attacker_fd`` (the black-box attacker's own generator), lower being better. An attack's
**lift** is its top-n accuracy minus its baseline: it compares rankings of different
candidate sets.
"""

from __future__ import annotations

import pandas as pd

from .rules import EFFECT, RISING_SPEARMAN, Verdict, at_least, overall, spearman

__all__ = [
    "EFFECT",
    "RISING_SPEARMAN",
    "SLOWER",
    "longer_training",
    "quality_drives_attack",
    "target_generator_better",
    "auxiliary_knowledge",
    "generative_weaker",
    "dropout_vs_weight_norm",
]

#: Dropout "prolongs training" when its target takes at least this many times the
#: undefended target's training time for the same epochs.
SLOWER = 1.1


#: The row fields the rules read (absent ones count as missing values).
FIELDS = (
    "part",
    "dataset",
    "setting",
    "attack",
    "top_n_accuracy",
    "baseline",
    "auc",
    "epochs",
    "dropout",
    "weight_norm",
    "fit_s",
    "sample_fd",
    "attacker_fd",
)


def _part(rows, part: str) -> pd.DataFrame:
    d = pd.DataFrame(list(rows))
    for name in FIELDS:
        if name not in d:
            d[name] = None
    d = d[d["part"] == part].copy()
    d["lift"] = pd.to_numeric(d["top_n_accuracy"]) - pd.to_numeric(d["baseline"])
    return d


def _get(d: pd.DataFrame, setting: str, attack: str, field: str) -> float | None:
    """The ``field`` of the row of ``setting`` and ``attack`` in ``d``, or None."""
    hit = d[(d["setting"] == setting) & (d["attack"] == attack)]
    return None if hit.empty or hit[field].isna().iloc[0] else float(hit[field].iloc[0])


def longer_training(rows) -> Verdict:
    """Rule (Hayes et al.: more training epochs make better generated data), on each
    dataset of part ``epochs`` with the option ``quality``: the target generator's Fréchet
    distance *falls* with the epochs, a Spearman correlation of epochs and distance of at
    most ``-RISING_SPEARMAN`` (with two epoch counts, the sign of the change: -1 or 1) and a
    last distance below the first. Every dataset:
    reproduced; some: partly; none: not reproduced.
    """
    d = _part(rows, "epochs")
    per, holds = {}, []
    for ds, sub in d.groupby("dataset", sort=True):
        t = sub[sub["attack"] == "white_box"].sort_values("epochs")
        if t["sample_fd"].isna().any() or len(t) < 2:
            continue
        fd = t["sample_fd"].astype(float)
        rho = spearman(t["epochs"], fd) if len(t) > 2 else -1.0 if fd.iloc[1] < fd.iloc[0] else 1.0
        ok = bool(rho == rho and rho <= -RISING_SPEARMAN and fd.iloc[-1] < fd.iloc[0])
        per[ds] = {
            "fd_first": float(fd.iloc[0]),
            "fd_last": float(fd.iloc[-1]),
            "epochs_first": int(t["epochs"].iloc[0]),
            "epochs_last": int(t["epochs"].iloc[-1]),
            "spearman": rho,
            "holds": ok,
        }
        holds.append(ok)
    return Verdict(
        "hayes2019",
        "longer_training",
        overall(holds),
        {"datasets": per},
        {"max_spearman": -RISING_SPEARMAN},
    )


def quality_drives_attack(rows) -> Verdict:
    """Rule (Hayes et al.: the black-box attack's accuracy follows the quality of the
    attacker's training data, the target generator's samples), on each dataset of parts
    ``epochs`` and ``defences`` with the option ``quality``: over every target, the
    black-box top-n accuracy and the samples' Fréchet distance have a Spearman correlation
    of at most ``-RISING_SPEARMAN`` (better data, higher accuracy). Every dataset:
    reproduced; some: partly; none: not reproduced.
    """
    d = pd.concat([_part(rows, "epochs"), _part(rows, "defences")])
    per, holds = {}, []
    for ds, sub in d.groupby("dataset", sort=True):
        t = sub[sub["attack"] == "black_box"].drop_duplicates(  # "none" is an epochs target
            ["epochs", "dropout", "weight_norm"]
        )
        if t["sample_fd"].isna().any() or len(t) < 3:
            continue
        rho = spearman(t["sample_fd"].astype(float), t["top_n_accuracy"])
        ok = bool(rho == rho and rho <= -RISING_SPEARMAN)
        per[ds] = {"spearman": rho, "n_targets": len(t), "holds": ok}
        holds.append(ok)
    return Verdict(
        "hayes2019",
        "quality_drives_attack",
        overall(holds),
        {"datasets": per},
        {"max_spearman": -RISING_SPEARMAN},
    )


def target_generator_better(rows) -> Verdict:
    """Rule (Hayes et al.: the target's generator makes better data than the attacker's
    model), on each dataset of part ``epochs`` with the option ``quality``: the target
    generator's samples have a lower Fréchet distance than the black-box attacker's own
    generator on every target of the sweep. Every dataset: reproduced; some: partly; none:
    not reproduced.
    """
    d = _part(rows, "epochs")
    per, holds = {}, []
    for ds, sub in d.groupby("dataset", sort=True):
        t = sub[sub["attack"] == "black_box"]
        if t.empty or t[["sample_fd", "attacker_fd"]].isna().any().any():
            continue
        t = t.astype({"sample_fd": float, "attacker_fd": float})
        better = t["sample_fd"] < t["attacker_fd"]
        ok = bool(better.all())
        per[ds] = {
            "n_better": int(better.sum()),
            "n_targets": len(t),
            "ratio_median": float((t["attacker_fd"] / t["sample_fd"]).median()),
            "holds": ok,
        }
        holds.append(ok)
    return Verdict("hayes2019", "target_generator_better", overall(holds), {"datasets": per})


def auxiliary_knowledge(rows) -> Verdict:
    """Rule (Hayes et al.: black-box accuracy rises with auxiliary knowledge, from 0.37 to
    0.58 on CIFAR-10), on each dataset of part ``auxiliary``: the attack with knowledge of
    both members and non-members (``train+test``) has a lift (top-n accuracy minus its
    baseline) at least :data:`EFFECT` above the plain black-box attack's on the same target
    (part ``epochs`` or ``defences`` at the same epochs). Every dataset: reproduced; some:
    partly; none: not reproduced.
    """
    aux = _part(rows, "auxiliary")
    plain = pd.concat([_part(rows, "epochs"), _part(rows, "defences")])
    undefended = (plain["dropout"].fillna(0) == 0) & ~plain["weight_norm"].fillna(False)
    plain = plain[(plain["attack"] == "black_box") & undefended.astype(bool)]
    per, holds = {}, []
    for ds, sub in aux.groupby("dataset", sort=True):
        both = sub[sub["setting"].str.startswith("train+test")]
        if both.empty:
            continue
        same = plain[(plain["dataset"] == ds) & (plain["epochs"] == both["epochs"].iloc[0])]
        if same.empty:
            continue
        lift_aux = float(both["lift"].iloc[0])
        lift_bb = float(same["lift"].iloc[0])
        test = sub[sub["setting"].str.startswith("test")]
        ok = at_least(lift_aux - lift_bb, EFFECT)
        per[ds] = {
            "lift_black_box": lift_bb,
            "lift_aux": lift_aux,
            "lift_aux_test": float(test["lift"].iloc[0]) if len(test) else float("nan"),
            "holds": ok,
        }
        holds.append(ok)
    return Verdict(
        "hayes2019", "auxiliary_knowledge", overall(holds), {"datasets": per}, {"effect": EFFECT}
    )


def generative_weaker(rows) -> Verdict:
    """Rule (Hayes et al.: membership inference works worse against generative models than
    against discriminative ones), on each dataset with part ``classifier``: the loss attack
    on a classifier trained on the members ranks them with a lift at least :data:`EFFECT`
    above the stronger of the white- and black-box attacks on the undefended GAN of part
    ``defences`` (trained on the same members). Every dataset: reproduced; some: partly;
    none: not reproduced.
    """
    clf = _part(rows, "classifier")
    gan = _part(rows, "defences")
    per, holds = {}, []
    for ds, sub in clf.groupby("dataset", sort=True):
        g = gan[(gan["dataset"] == ds) & (gan["setting"] == "none")]
        if g.empty:
            continue
        lift_clf = float(sub["lift"].iloc[0])
        best = g.loc[g["lift"].idxmax()]
        ok = at_least(lift_clf - float(best["lift"]), EFFECT)
        per[ds] = {
            "classifier_top_n": float(sub["top_n_accuracy"].iloc[0]),
            "classifier_auc": float(sub["auc"].iloc[0]),
            "gan_top_n": float(best["top_n_accuracy"]),
            "gan_auc": float(best["auc"]),
            "gan_attack": str(best["attack"]),
            "holds": ok,
        }
        holds.append(ok)
    return Verdict(
        "hayes2019", "generative_weaker", overall(holds), {"datasets": per}, {"effect": EFFECT}
    )


def dropout_vs_weight_norm(rows) -> Verdict:
    """Rule (Hayes et al.: dropout is a far more effective defence than weight
    normalisation, but prolongs training), on each dataset of part ``defences``, with the
    white-box attack (the stronger one on the undefended target): *more effective*: dropout
    cuts the white-box top-n accuracy by at least :data:`EFFECT` more than weight
    normalisation does; *prolongs*: the dropout target's training took at least
    :data:`SLOWER` times the undefended target's, for the same epochs. Both parts on every
    dataset: reproduced; some: partly; none: not reproduced.
    """
    d = _part(rows, "defences")
    per, holds = {}, []
    for ds, sub in d.groupby("dataset", sort=True):
        drop = [s for s in sub["setting"].unique() if s.startswith("dropout")]
        if not drop:
            continue
        acc = {s: _get(sub, s, "white_box", "top_n_accuracy") for s in ("none", drop[0])}
        acc["weight_norm"] = _get(sub, "weight_norm", "white_box", "top_n_accuracy")
        fit = {s: _get(sub, s, "white_box", "fit_s") for s in ("none", drop[0])}
        if None in acc.values() or None in fit.values():
            continue
        none = acc["none"]
        cut_drop, cut_wn = none - acc[drop[0]], none - acc["weight_norm"]
        slower = fit[drop[0]] / fit["none"]
        effective = at_least(cut_drop - cut_wn, EFFECT)
        prolongs = at_least(slower, SLOWER)
        per[ds] = {
            "white_box_none": none,
            "cut_dropout": cut_drop,
            "cut_weight_norm": cut_wn,
            "time_ratio": slower,
            "effective": effective,
            "prolongs": prolongs,
        }
        holds += [effective, prolongs]
    return Verdict(
        "hayes2019",
        "dropout_vs_weight_norm",
        overall(holds),
        {"datasets": per},
        {"effect": EFFECT, "slower": SLOWER},
    )
