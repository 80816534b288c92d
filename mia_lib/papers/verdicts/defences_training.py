"""Verdicts on the defences in training, from ``defences_training``.

Rows per ``part`` (``l2``, ``dropout``, ``early_stopping``, ``models``, ``stacking``,
``anonymisation``), ``dataset``, ``setting`` and ``attack`` (``shokri``, ``threshold``,
``gap``, ``label_only``), each with the target's ``train_acc`` and ``test_acc`` and the
attack's figures (``auc``, ``precision``, ``recall``, ``tpr_at_1pct_fpr``...). "The attack"
on a target is the strongest of the four: the highest AUC among them. Salem et al.'s
precision and recall are those of Shokri's attack (their adversary 1 is the same
shadow-model attack).
"""

from __future__ import annotations

import pandas as pd

from ..data import get as get_figure
from .rules import CHANCE_AUC, EFFECT, Verdict, at_least, overall

__all__ = [
    "EFFECT",
    "CHANCE_AUC",
    "SIMILAR_ACCURACY",
    "MIN_REDUCTION",
    "STACKING_BASELINE",
    "l2_useful",
    "model_choice",
    "dropout",
    "stacking",
    "anonymisation",
]

#: Two model types have "similar" test accuracy when they differ by at most this.
SIMILAR_ACCURACY = 0.03
#: A defence "lowers" an attack's precision or recall when it cuts it by at least this
#: share of its undefended value (a relative reduction).
MIN_REDUCTION = 0.10
#: Stacking is compared with this first-level model trained alone (Salem et al.'s target).
STACKING_BASELINE = "mlp"


def _part(rows, part: str) -> pd.DataFrame:
    d = pd.DataFrame(list(rows))
    if d.empty or "part" not in d:
        return pd.DataFrame(columns=["part", "dataset", "setting", "attack"])
    return d[d["part"] == part]


def _targets(d: pd.DataFrame) -> pd.DataFrame:
    """One row per (dataset, setting): the target's accuracies and the strongest attack."""
    g = d.groupby(["dataset", "setting"], sort=False)
    out = g.agg(test_acc=("test_acc", "first"), auc=("auc", "max"))
    return out.join(g["tpr_at_1pct_fpr"].max())


def _paper_reduction() -> float:
    return float(get_figure("salem2019", "defence_reduction").value)


def l2_useful(rows) -> Verdict:
    """Rule (Shokri et al.: L2 regularisation is the useful mitigation, and over-used it
    costs accuracy), on each dataset of part ``l2``, the attack being the highest AUC of
    the four attackers: *useful*: some weight decay above 0 lowers the attack's AUC by at
    least :data:`EFFECT` while the test accuracy stays within :data:`EFFECT` of the
    undefended one; *too much*: at the largest weight decay the test accuracy is at least
    :data:`EFFECT` below the best of the sweep. Both parts on every dataset: reproduced;
    some: partly; none: not reproduced.
    """
    d = _part(rows, "l2")
    per, parts = {}, []
    for ds, sub in d.groupby("dataset", sort=True):
        t = _targets(sub).loc[ds].join(sub.groupby("setting")["weight_decay"].first())
        t = t.sort_values("weight_decay")
        if t["weight_decay"].iloc[0] != 0 or len(t) < 2:
            continue
        base = t.iloc[0]
        on = t.iloc[1:]
        ok = on[
            [
                at_least(base.auc - a, EFFECT) and at_least(acc, base.test_acc - EFFECT)
                for a, acc in zip(on["auc"], on["test_acc"], strict=True)
            ]
        ]
        top = t.iloc[-1]
        useful = not ok.empty
        too_much = at_least(t["test_acc"].max() - top.test_acc, EFFECT)
        per[str(ds)] = {
            "auc_none": float(base.auc),
            "test_acc_none": float(base.test_acc),
            "useful": useful,
            "useful_weight_decay": float(ok.loc[ok["auc"].idxmin()].weight_decay)
            if useful
            else None,
            "auc_useful": float(ok["auc"].min()) if useful else None,
            "largest_weight_decay": float(top.weight_decay),
            "test_acc_largest": float(top.test_acc),
            "test_acc_best": float(t["test_acc"].max()),
            "too_much": too_much,
        }
        parts += [useful, too_much]
    return Verdict("shokri2017", "l2_useful", overall(parts), {"datasets": per}, {"effect": EFFECT})


def model_choice(rows) -> Verdict:
    """Rule (Truex et al.: choosing the model type hardens a model; types differ in how
    much they leak), on each dataset of part ``models``: among the pairs of model types
    whose test accuracies differ by at most :data:`SIMILAR_ACCURACY`, some pair's attacks
    (the highest AUC of the four attackers) differ by at least :data:`EFFECT`. A dataset
    with no such pair of similar accuracy is not tested. Every tested dataset: reproduced;
    some: partly; none: not reproduced.
    """
    d = _part(rows, "models")
    per, parts = {}, []
    for ds, sub in d.groupby("dataset", sort=True):
        t = _targets(sub).loc[ds]
        pairs = [
            (a, b)
            for i, a in enumerate(t.index)
            for b in t.index[i + 1 :]
            if at_least(SIMILAR_ACCURACY, abs(t.loc[a, "test_acc"] - t.loc[b, "test_acc"]))
        ]
        best_acc = t["test_acc"].max()
        near = t[[at_least(acc, best_acc - SIMILAR_ACCURACY) for acc in t["test_acc"]]]
        entry = {
            "test_acc": {m: float(v) for m, v in t["test_acc"].items()},
            "auc": {m: float(v) for m, v in t["auc"].items()},
            "n_similar_pairs": len(pairs),
            "least_leaking_near_best": str(near["auc"].idxmin()),
            "most_leaking_near_best": str(near["auc"].idxmax()),
        }
        if pairs:
            spread = {p: abs(t.loc[p[0], "auc"] - t.loc[p[1], "auc"]) for p in pairs}
            widest = max(spread, key=spread.get)
            entry.update(
                widest_pair=f"{widest[0]} vs {widest[1]}",
                auc_difference=float(spread[widest]),
                differ=at_least(spread[widest], EFFECT),
            )
            parts.append(entry["differ"])
        per[str(ds)] = entry
    return Verdict(
        "truex2018",
        "model_choice",
        overall(parts),
        {"datasets": per},
        {"similar_accuracy": SIMILAR_ACCURACY, "effect": EFFECT},
    )


def _reduction(rows, part: str, base_of, defended_of, key: str) -> Verdict:
    """Salem et al.'s reduction of Shokri's attack's precision and recall by a defence."""
    d = _part(rows, part)
    paper = _paper_reduction()
    per, parts, largest = {}, [], []
    for ds, sub in d.groupby("dataset", sort=True):
        sh = sub[sub["attack"] == "shokri"].set_index("setting")
        base, defended = base_of(sub), defended_of(sub)
        if base is None or defended is None or base not in sh.index or defended not in sh.index:
            continue
        b, f = sh.loc[base], sh.loc[defended]
        red = {
            m: (1 - float(f[m]) / float(b[m])) if float(b[m]) > 0 else 0.0
            for m in ("precision", "recall")
        }
        lowers = at_least(max(red.values()), MIN_REDUCTION) and not at_least(
            -min(red.values()), MIN_REDUCTION
        )
        t = _targets(sub).loc[ds]
        per[str(ds)] = {
            "undefended": base,
            "defended": defended,
            "precision_undefended": float(b.precision),
            "precision_defended": float(f.precision),
            "recall_undefended": float(b.recall),
            "recall_defended": float(f.recall),
            "precision_reduction": red["precision"],
            "recall_reduction": red["recall"],
            "lowers": lowers,
            "test_acc_undefended": float(t.loc[base, "test_acc"]),
            "test_acc_defended": float(t.loc[defended, "test_acc"]),
            "auc_undefended": float(t.loc[base, "auc"]),
            "auc_defended": float(t.loc[defended, "auc"]),
        }
        parts.append(lowers)
        largest.append(max(red.values()))
    numbers: dict = {"datasets": per}
    if largest:
        numbers["largest_reduction"] = float(max(largest))
        numbers["reaches_paper"] = at_least(max(largest), paper)
        parts.append(numbers["reaches_paper"])
    return Verdict(
        "salem2019",
        key,
        overall(parts),
        numbers,
        {"min_reduction": MIN_REDUCTION, "paper_reduction": paper},
    )


_RULE_REDUCTION = """the *reduction* of a figure is ``1 - defended / undefended``
    (relative). On a dataset the defence *lowers* the attack when precision or recall falls
    by at least :data:`MIN_REDUCTION` and neither rises by as much. Parts: it lowers the
    attack on every dataset, and the largest reduction (any dataset, either figure) reaches
    the paper's 30% (``salem2019/defence_reduction``). All parts: reproduced; some: partly;
    none: not reproduced."""


def dropout(rows) -> Verdict:
    """Rule (Salem et al.: dropout reduces the attack's precision and recall, by up to 30%
    and more), on each dataset of part ``dropout``, Shokri's attack on the target of the
    largest dropout rate against the one without dropout:"""

    def rate(sub, pick):
        r = sub.groupby("setting")["dropout"].first()
        return pick(r) if (r == 0).any() and len(r) > 1 else None

    return _reduction(
        rows,
        "dropout",
        lambda sub: rate(sub, lambda r: r.idxmin()),
        lambda sub: rate(sub, lambda r: r.idxmax()),
        "dropout",
    )


def stacking(rows) -> Verdict:
    """Rule (Salem et al.: model stacking reduces the attack's precision and recall, by up
    to 30% and more), on each dataset of part ``stacking``, Shokri's attack on the stacking
    against its first-level model :data:`STACKING_BASELINE` trained alone on the whole
    training set:"""
    return _reduction(
        rows, "stacking", lambda s: STACKING_BASELINE, lambda s: "stacking", "stacking"
    )


dropout.__doc__ += _RULE_REDUCTION
stacking.__doc__ += _RULE_REDUCTION


def anonymisation(rows) -> Verdict:
    """Rule (Truex et al.'s model hardening: "anonymise the data", read as: training on
    records whose quasi-identifiers are generalised hardens the model against membership
    inference), for each dataset and model type of part ``anonymisation``: the attack (the
    highest AUC of the four attackers) on the model trained on generalised records is at
    least :data:`EFFECT` below the attack on the model trained on the raw records. A model
    type whose raw attack does not beat chance (AUC below :data:`CHANCE_AUC`) has nothing to
    lower and is not tested. Every tested model type: reproduced; some: partly; none: not
    reproduced.
    """
    d = _part(rows, "anonymisation")
    per, parts = {}, []
    for (ds, m), sub in d.groupby(["dataset", "model_type"], sort=True):
        t = _targets(sub).loc[ds]
        flags = sub.groupby("setting")["generalised"].first().astype(bool)
        raw, gen = flags[~flags].index, flags[flags].index
        if len(raw) != 1 or len(gen) != 1:
            continue
        r, g = t.loc[raw[0]], t.loc[gen[0]]
        first = sub.groupby("setting").first()
        hidden = sub[sub["setting"] == gen[0]]["auc_k_anonymous_members"].max()
        k = int(first.loc[gen[0], "anon_k"])
        entry = {
            "auc_raw": float(r.auc),
            "auc_generalised": float(g.auc),
            "tpr_at_1pct_fpr_raw": float(r.tpr_at_1pct_fpr),
            "tpr_at_1pct_fpr_generalised": float(g.tpr_at_1pct_fpr),
            "test_acc_raw": float(r.test_acc),
            "test_acc_generalised": float(g.test_acc),
            "anon_k": k,
            "k_anonymous_raw": float(first.loc[raw[0], "k_anonymous_share"][str(k)]),
            "k_anonymous_generalised": float(first.loc[gen[0], "k_anonymous_share"][str(k)]),
            "auc_hidden_members": None if pd.isna(hidden) else float(hidden),
            "beats_chance_raw": at_least(r.auc, CHANCE_AUC),
        }
        if entry["beats_chance_raw"]:
            entry["hardens"] = at_least(r.auc - g.auc, EFFECT)
            parts.append(entry["hardens"])
        per.setdefault(str(ds), {})[str(m)] = entry
    return Verdict(
        "truex2018",
        "anonymisation",
        overall(parts),
        {"datasets": per},
        {"effect": EFFECT, "chance_auc": CHANCE_AUC},
    )
