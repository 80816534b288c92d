"""What the pipeline returns about a trained target: :class:`Target` and its summary."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from .query import BlackBox
from .splits import MembershipSplit

__all__ = ["Target", "TargetSummary"]


@dataclass(frozen=True)
class TargetSummary:
    """What a result records about a target: sizes and accuracies (accuracy is the share of
    records whose highest undefended posterior is their true class)."""

    n_records: int
    n_classes: int
    target_size: int
    n_non_members: int
    train_acc: float
    test_acc: float

    @property
    def gap(self) -> float:
        """Train minus test accuracy (the generalisation gap)."""
        return self.train_acc - self.test_acc

    def to_dict(self) -> dict:
        return {**asdict(self), "gap": self.gap}


@dataclass(frozen=True, eq=False)
class Target:
    """A trained target behind a black box, with its members and non-members.

    ``answers`` are the black box's released outputs on the evaluation records
    ``eval_idx`` (members first, then the non-members), ``labels`` their true classes and
    ``membership`` 1 for members. ``X``, ``y`` and ``split`` give the attacker's pool
    (:attr:`pool`). ``model_name`` and ``model_params`` say how it was trained, so that
    shadows can copy it.
    """

    model: object
    blackbox: BlackBox
    split: MembershipSplit
    X: np.ndarray
    y: np.ndarray
    n_classes: int
    model_name: object
    model_params: dict
    summary: TargetSummary
    eval_idx: np.ndarray
    membership: np.ndarray
    labels: np.ndarray
    answers: np.ndarray = field(repr=False)

    @property
    def pool(self) -> np.ndarray:
        """Indices of the records left to the attacker (disjoint from the evaluation set)."""
        return self.split.shadow_pool

    @property
    def train_acc(self) -> float:
        return self.summary.train_acc

    @property
    def test_acc(self) -> float:
        return self.summary.test_acc
