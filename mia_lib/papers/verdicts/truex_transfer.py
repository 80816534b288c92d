"""Verdicts on Truex et al.'s transfer claims, from the rows of ``truex_transfer``.

The rows are a matrix of target model type against attacker model type (shadow and attack
models of that type), attack accuracy as a mean over seeds; :func:`transfer_effects` sums
up how much each moves the accuracy, and the rules judge the claims ``target_type`` and
``attacker_types_interchangeable`` of ``claims("truex2018")``.
"""

from __future__ import annotations

from .rules import EFFECT, Verdict, overall

__all__ = ["EFFECT", "transfer_effects", "target_type", "attacker_types_interchangeable"]

_P = "truex2018"


def transfer_effects(rows, metric: str = "accuracy") -> dict[str, dict]:
    """Per dataset: how much the target type and the attacker type move the attack accuracy.

    From the rows of ``truex_transfer`` (mean of ``metric`` over seeds, cell ``M[t, a]``;
    ``"accuracy"`` or ``"auc"``): ``target_effect`` is the range (max - min) over target
    types of the row means ``mean_a M[t, a]``; ``attacker_effect`` the range over attacker
    types of the column means ``mean_t M[t, a]``; ``within_target_range`` the median over
    targets of the range of a row; ``seed_std`` the mean standard deviation of a cell.

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
        by_target, by_attacker = M.mean(axis=1), M.mean(axis=0)
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


def _by_dataset(rows, metric, key, holds, rule) -> Verdict:
    per = {d: {**e, "holds": holds(e)} for d, e in transfer_effects(rows, metric).items()}
    return Verdict(_P, key, overall(p["holds"] for p in per.values()), {"datasets": per}, rule)


def target_type(rows, metric: str = "accuracy") -> Verdict:
    """Rule (rows of ``truex_transfer``): the claim holds on a dataset when the target effect
    of :func:`transfer_effects` is at least :data:`EFFECT`; on every dataset: reproduced;
    some: partly; none: not.

    >>> rows = [{"dataset": "d", "target": t, "attacker": "a", "accuracy_mean": m,
    ...          "accuracy_std": 0.0} for t, m in [("x", 0.9), ("z", 0.6)]]
    >>> target_type(rows).word
    'reproduced'
    """
    rule = {"effect": EFFECT}
    return _by_dataset(rows, metric, "target_type", lambda e: e["target_effect"] >= EFFECT, rule)


def attacker_types_interchangeable(rows, metric: str = "accuracy") -> Verdict:
    """Rule (rows of ``truex_transfer``): holds on a dataset when the attacker effect of
    :func:`transfer_effects` is at most half the target effect; every dataset: reproduced;
    some: partly; none: not."""
    key, rule = "attacker_types_interchangeable", {"attacker_at_most_share_of_target": 0.5}
    return _by_dataset(
        rows, metric, key, lambda e: e["attacker_effect"] <= 0.5 * e["target_effect"], rule
    )
