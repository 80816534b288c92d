"""Label-only membership inference: attacks that see only the predicted label.

Masking the confidences (top-1, rounding, temperature, MemGuard) leaves the label, and the
label leaks too:

* :class:`GapAttack` (Yeom et al. 2018): a record is called a member when the service labels
  it correctly. Its advantage is the train-test accuracy gap.
* :class:`LabelOnlyAttack` (Choquette-Choo et al. 2021, the "noise robustness" attack):
  query the service on ``n_queries`` perturbed copies of the record (random bit flips for
  binary features, Gaussian noise otherwise) and score the record by the share of answers
  that keep its true label. Training records sit farther from the decision boundary, so
  their label survives more noise. The decision threshold is chosen on shadow models
  (:meth:`LabelOnlyAttack.fit_shadows`), as in the paper.

Both take a :class:`mia_lib.pipeline.Target` through ``score_target``, so
:func:`mia_lib.pipeline.evaluate_attack` runs them like any other attack, and both work
whatever the service releases (posteriors, transformed posteriors or labels).

>>> from sklearn.datasets import load_digits
>>> from mia_lib.pipeline import evaluate_attack, train_target
>>> X, y = load_digits(return_X_y=True)
>>> target = train_target(X / 16, y, target_size=300, model="random_forest", output="label",
...                       random_state=0)
>>> report = evaluate_attack(LabelOnlyAttack(n_queries=20, noise=0.3, random_state=0), target)
>>> bool(report.auc > evaluate_attack(GapAttack(), target).auc)
True
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from ._validation import (
    as_numeric,
    check_features,
    check_finite_number,
    check_labels,
    check_membership,
    check_positive_int,
    check_same_length,
)
from .metrics import best_threshold
from .query import full_proba
from .seeding import generator

__all__ = ["GapAttack", "LabelOnlyAttack", "released_labels", "KINDS"]

#: Perturbations of :class:`LabelOnlyAttack`.
KINDS = ("auto", "flip", "gaussian")


def released_labels(answers) -> np.ndarray:
    """The labels a service's answers give: themselves for labels, the argmax of vectors."""
    answers = as_numeric(answers, "answers", "released labels (n,) or vectors (n, k)")
    if answers.ndim == 1:
        return check_labels(answers, name="answers")
    if answers.ndim != 2:
        raise ValueError(f"answers must be labels (n,) or vectors (n, k), got {answers.shape}.")
    return np.argmax(answers, axis=1)


def _check_target(target):
    if not all(hasattr(target, a) for a in ("blackbox", "eval_idx", "labels", "answers")):
        raise TypeError(
            f"target must be a Target made by train_target, got {type(target).__name__}."
        )


class GapAttack(BaseEstimator):
    """Member iff the released label is the true label (Yeom et al.'s gap attack).

    It needs no fitting. ``score_samples(X, labels=...)`` takes released answers (labels or
    vectors); with :func:`~mia_lib.pipeline.evaluate_attack` it reads the target's answers.

    >>> GapAttack().score_samples([[0.9, 0.1], [0.2, 0.8]], labels=[0, 0]).tolist()
    [1.0, 0.0]
    """

    def fit(self, X=None, y=None, *, labels=None):
        """Nothing to learn; returns self."""
        self.classes_ = np.array([0, 1])
        return self

    def score_samples(self, X, *, labels=None):
        """1.0 where the released label is right, else 0.0."""
        pred = released_labels(X)
        if labels is None:
            raise ValueError("the gap attack needs the records' true labels (labels=...).")
        labels = check_labels(labels, name="labels")
        check_same_length(answers=pred, labels=labels)
        return (pred == labels).astype(np.float64)

    def predict(self, X, *, labels=None):
        """1 (member) where the released label is right."""
        return self.score_samples(X, labels=labels).astype(np.int64)

    def score_target(self, target):
        """Scores and decisions for a target's evaluation records."""
        _check_target(target)
        s = self.score_samples(target.answers, labels=target.labels)
        return s, s.astype(np.int64)


class LabelOnlyAttack(BaseEstimator):
    """Choquette-Choo et al.'s label-only attack: robustness of the label to noise.

    Parameters
    ----------
    n_queries : perturbed copies queried per record (the unperturbed record is queried too).
    noise : flip probability of each binary feature (``kind="flip"``) or standard deviation
        of the Gaussian noise added to each feature (``kind="gaussian"``); or a list of
        such levels, among which :meth:`fit_shadows` picks the one of highest AUC on the
        shadow models (as the attacker would, without touching the target).
    kind : ``"flip"``, ``"gaussian"``, or ``"auto"`` (flip when every feature is 0 or 1).
    threshold : a fixed decision threshold on the score (a share in [0, 1]); ``None`` uses
        the one fitted on shadows, or, unfitted, calls a member only a record whose label
        survived every perturbation.
    random_state : seeds the perturbations.

    Attributes
    ----------
    threshold_ : the threshold of highest accuracy on the shadow models' records.
    noise_ : the noise level used (the one chosen on the shadows when ``noise`` is a list).
    shadow_auc_ : with a list of levels, the shadow AUC of each level (a dict).
    """

    def __init__(
        self,
        n_queries: int = 50,
        noise: float = 0.1,
        kind: str = "auto",
        threshold: float | None = None,
        random_state=None,
    ):
        self.n_queries = n_queries
        self.noise = noise
        self.kind = kind
        self.threshold = threshold
        self.random_state = random_state

    def _levels(self) -> list[float]:
        levels = self.noise if isinstance(self.noise, list | tuple) else [self.noise]
        if not levels:
            raise ValueError("noise is an empty list; give a noise level or a list of them.")
        return [check_finite_number(v, "noise", low=0.0, low_open=True) for v in levels]

    def _check_params(self) -> None:
        check_positive_int(self.n_queries, "n_queries")
        levels = self._levels()
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind {self.kind!r}; choose one of {KINDS}.")
        if self.kind == "flip" and max(levels) > 1:
            raise ValueError(f"a flip probability must be at most 1, got noise={self.noise}.")
        if self.threshold is not None:
            check_finite_number(self.threshold, "threshold", low=0.0, high=1.0)

    def _noise(self) -> float:
        if hasattr(self, "noise_"):
            return self.noise_
        levels = self._levels()
        if len(levels) > 1:
            raise ValueError(
                f"noise is a list of levels {levels}; fit_shadows chooses one of them, so "
                "call it first (or give one level)."
            )
        return levels[0]

    def _kind(self, X) -> str:
        if self.kind != "auto":
            return self.kind
        return "flip" if np.all((X == 0) | (X == 1)) else "gaussian"

    def robustness(self, query, X, y) -> np.ndarray:
        """The share of ``n_queries + 1`` answers (the record and its perturbed copies) that
        give each record its true label ``y``; ``query`` maps records to released answers
        (a black box's ``query`` or a model's ``predict_proba``)."""
        self._check_params()
        if not callable(query):
            raise TypeError(f"query must be callable (e.g. blackbox.query), got {query!r}.")
        X = check_features(X, allow_nd=True)
        y = check_labels(y)
        check_same_length(X=X, y=y)
        rng = generator(self.random_state)
        kind, noise = self._kind(X), self._noise()
        if kind == "flip" and not np.all((X == 0) | (X == 1)):
            raise ValueError(
                "kind='flip' needs binary features (only 0 and 1); use kind='gaussian' (or "
                "'auto') for continuous ones."
            )
        right = (released_labels(query(X)) == y).astype(np.float64)
        for _ in range(int(self.n_queries)):
            if kind == "flip":
                flip = rng.random(X.shape) < noise
                Xp = np.where(flip, 1 - X, X).astype(X.dtype)
            else:
                Xp = (X + rng.normal(0.0, noise, size=X.shape)).astype(X.dtype)
            right += released_labels(query(Xp)) == y
        return right / (int(self.n_queries) + 1)

    def fit(self, X, y):
        """Choose the threshold of highest accuracy on robustness scores ``X`` (n,) of
        records with membership ``y`` (shadow models' records)."""
        self._check_params()
        s = as_numeric(X, "X", "robustness scores, one per record").astype(np.float64)
        s = s.reshape(len(s), -1)
        if s.shape[1] != 1:
            raise ValueError(f"X must hold one robustness score per record, got {s.shape}.")
        if not np.all(np.isfinite(s)) or s.min() < 0 or s.max() > 1:
            raise ValueError(
                "X must hold robustness scores, shares of answers in [0, 1] (as "
                f"robustness() returns them); got values from {np.nanmin(s):.3g} to "
                f"{np.nanmax(s):.3g}."
            )
        y = check_membership(y, name="y (membership)")
        check_same_length(scores=s[:, 0], membership=y)
        self.threshold_ = float(best_threshold(y, s[:, 0], criterion="accuracy"))
        self.classes_ = np.array([0, 1])
        return self

    def fit_shadows(self, shadows, X, y):
        """Fit the threshold on fitted :class:`~mia_lib.shadow.ShadowModels`: each shadow
        model is queried (labels only) on its own "in" and "out" records of ``X``, ``y``
        (the data its ``fit`` was given). With a list of noise levels, the level of highest
        AUC on these records is chosen first (``noise_``, ``shadow_auc_``)."""
        from .metrics import auc
        from .shadow import ShadowModels

        if not isinstance(shadows, ShadowModels):
            raise TypeError(
                "shadows must be fitted ShadowModels (e.g. train_shadows(target)), got "
                f"{type(shadows).__name__}."
            )
        check_is_fitted(shadows, "models_")
        self._check_params()
        X = check_features(X, allow_nd=True)
        y = check_labels(y, n_classes=shadows.n_classes_)
        check_same_length(X=X, y=y)
        levels = self._levels()
        k = shadows.n_classes_
        found = {}
        for level in levels:
            self.noise_ = level
            scores, member = [], []
            for model, split in zip(shadows.models_, shadows.splits_, strict=True):

                def query(Z, model=model):
                    return full_proba(model, Z, k)

                for idx, m in ((split.in_idx, 1), (split.out_idx, 0)):
                    scores.append(self.robustness(query, X[idx], y[idx]))
                    member.append(np.full(len(idx), m))
            s, m = np.concatenate(scores), np.concatenate(member)
            found[level] = (auc(m, s), s, m)
        best = max(levels, key=lambda v: found[v][0])
        self.noise_ = best
        self.shadow_auc_ = {v: float(found[v][0]) for v in levels}
        return self.fit(found[best][1], found[best][2])

    def _decision_threshold(self) -> float:
        if self.threshold is not None:
            return float(self.threshold)
        return getattr(self, "threshold_", 1.0)

    def score_target(self, target):
        """Robustness scores of a target's evaluation records, queried through its black
        box, and the decisions ``score >= threshold``."""
        _check_target(target)
        X = target.X[target.eval_idx]
        s = self.robustness(target.blackbox.query, X, target.labels)
        return s, (s >= self._decision_threshold()).astype(np.int64)
