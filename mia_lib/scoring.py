"""Scoring functions for membership inference: exact decision metrics and ROC curves.

Conventions used by every function here (and by :mod:`mia_lib.metrics`, which re-exports
them beside the attack report):

* ``membership`` comes first: a 0/1 vector with **1 = member** (the record was in the target
  model's training set). Members are always the positive class.
* ``scores`` (higher = more likely a member) or ``predicted`` (0/1 decisions, 1 = "member")
  come second.
* A score becomes a decision by the rule **member iff score >= threshold**.
* Curves are computed from the exact sorted scores, never from a grid of thresholds. Records
  with tied scores cannot be separated by any threshold, so they enter a curve together as one
  step.

The low-FPR metric :func:`tpr_at_fpr` follows Carlini et al. (2022, "Membership inference
attacks from first principles"); :func:`advantage` is Yeom et al.'s (2018) membership advantage.

>>> membership = [1, 1, 1, 0, 0, 0]
>>> scores = [0.9, 0.8, 0.4, 0.5, 0.2, 0.1]
>>> auc(membership, scores)
0.888...
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from mia_lib._validation import check_membership, check_same_length, check_scores

__all__ = [
    "accuracy",
    "advantage",
    "auc",
    "balanced_accuracy",
    "best_threshold",
    "check_decisions",
    "confusion_counts",
    "membership_and_decisions",
    "membership_and_scores",
    "precision",
    "recall",
    "roc_counts",
    "roc_curve",
    "tpr_at_fpr",
]


# ----------------------------------------------------------------------------- input helpers


def check_decisions(predicted, name: str = "predicted") -> np.ndarray:
    """Return 0/1 decisions as int64; unlike membership, all-0 or all-1 is allowed."""
    if predicted is None:
        raise TypeError(f"{name} is None; pass 0/1 decisions (1 = member), one per record.")
    arr = np.asarray(predicted)
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(f"{name} must be numeric 0/1 decisions, got dtype {arr.dtype}.")
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one decision per record), got shape {arr.shape}.")
    if arr.size == 0:
        raise ValueError(f"{name} is empty.")
    if not np.all(np.isin(arr, (0, 1))):
        raise ValueError(
            f"{name} must hold only 0 (non-member) and 1 (member) decisions; to turn scores "
            "into decisions use (scores >= threshold).astype(int), or pass the scores to a "
            "function that takes scores."
        )
    return arr.astype(np.int64)


def membership_and_scores(membership, scores, scores_name: str = "scores"):
    m = check_membership(membership)
    s = check_scores(scores, name=scores_name)
    check_same_length(membership=m, **{scores_name: s})
    return m, s


def membership_and_decisions(membership, predicted):
    m = check_membership(membership)
    p = check_decisions(predicted)
    check_same_length(membership=m, predicted=p)
    return m, p


def confusion_counts(m: np.ndarray, p: np.ndarray) -> tuple[int, int, int, int]:
    """(tp, fp, tn, fn) with members as the positive class."""
    tp = int(np.sum((p == 1) & (m == 1)))
    fp = int(np.sum((p == 1) & (m == 0)))
    tn = int(np.sum((p == 0) & (m == 0)))
    fn = int(np.sum((p == 0) & (m == 1)))
    return tp, fp, tn, fn


def roc_counts(m: np.ndarray, s: np.ndarray):
    """Cumulative (true positives, false positives, thresholds) at each distinct score.

    The first point is (0, 0) at threshold +inf; point ``i`` counts the records with
    ``score >= thresholds[i]``.
    """
    order = np.argsort(-s, kind="mergesort")
    s_sorted = s[order]
    m_sorted = m[order]
    # last index of each run of equal scores (``!=`` rather than np.diff: inf - inf is nan)
    ends = np.flatnonzero(s_sorted[1:] != s_sorted[:-1])
    ends = np.r_[ends, s_sorted.size - 1]
    tps = np.cumsum(m_sorted)[ends]
    fps = ends + 1 - tps
    tps = np.r_[0, tps].astype(np.int64)
    fps = np.r_[0, fps].astype(np.int64)
    thresholds = np.r_[np.inf, s_sorted[ends]]
    return tps, fps, thresholds


# ----------------------------------------------------------------------------- decisions


def precision(membership, predicted) -> float:
    """Fraction of records predicted "member" that really are members: TP / (TP + FP).

    When the attack predicts no record a member, precision is undefined; this returns 0.0
    (like scikit-learn's ``zero_division=0``), so an attack that never answers "member" does
    not look precise.

    >>> precision([1, 1, 0, 0], [1, 0, 1, 1])
    0.333...
    >>> precision([1, 1, 0, 0], [0, 0, 0, 0])
    0.0
    """
    m, p = membership_and_decisions(membership, predicted)
    tp, fp, _, _ = confusion_counts(m, p)
    return tp / (tp + fp) if tp + fp else 0.0


def recall(membership, predicted) -> float:
    """Fraction of members that the attack finds: TP / (TP + FN), the true positive rate.

    >>> recall([1, 1, 0, 0], [1, 0, 1, 1])
    0.5
    """
    m, p = membership_and_decisions(membership, predicted)
    tp, _, _, fn = confusion_counts(m, p)
    return tp / (tp + fn)


def accuracy(membership, predicted) -> float:
    """Fraction of records whose membership is guessed right: (TP + TN) / n.

    >>> accuracy([1, 1, 0, 0], [1, 0, 1, 1])
    0.25
    """
    m, p = membership_and_decisions(membership, predicted)
    return float(np.mean(m == p))


def balanced_accuracy(membership, predicted) -> float:
    """Mean of the true positive rate and the true negative rate: (TPR + TNR) / 2.

    Unlike :func:`accuracy` it is 0.5 for any constant guess however unbalanced the members
    and non-members are; it equals (1 + TPR - FPR) / 2.

    >>> balanced_accuracy([1, 1, 0, 0, 0, 0], [1, 0, 1, 0, 0, 0])  # TPR 1/2, TNR 3/4
    0.625
    """
    m, p = membership_and_decisions(membership, predicted)
    tp, fp, tn, fn = confusion_counts(m, p)
    return (tp / (tp + fn) + tn / (tn + fp)) / 2


# ----------------------------------------------------------------------------- scores


def roc_curve(membership, scores) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ROC curve of the rule "member iff score >= threshold", at every distinct score.

    Returns ``(fpr, tpr, thresholds)``: ``thresholds`` are the distinct scores in decreasing
    order, preceded by ``+inf`` (no record called a member), so the curve starts at (0, 0) and
    ends at (1, 1). Records with tied scores form a single step. The points are the same as
    ``sklearn.metrics.roc_curve(membership, scores, drop_intermediate=False)``.

    >>> fpr, tpr, thr = roc_curve([1, 0, 1, 0], [3, 2, 2, 1])
    >>> fpr.tolist(), tpr.tolist(), thr.tolist()
    ([0.0, 0.0, 0.5, 1.0], [0.0, 0.5, 1.0, 1.0], [inf, 3.0, 2.0, 1.0])
    """
    m, s = membership_and_scores(membership, scores)
    tps, fps, thresholds = roc_counts(m, s)
    return fps / fps[-1], tps / tps[-1], thresholds


def auc(membership, scores) -> float:
    """Area under the ROC curve: the probability that a random member scores higher than a
    random non-member, a tie counting 1/2 (the same as ``sklearn.metrics.roc_auc_score``).

    0.5 is chance; 1.0 separates members from non-members perfectly.

    >>> auc([1, 1, 0, 0], [0.9, 0.6, 0.6, 0.1])
    0.875
    """
    m, s = membership_and_scores(membership, scores)
    tps, fps, _ = roc_counts(m, s)
    # trapezoids on integer counts: exact up to the final division
    area2 = int(np.sum(np.diff(fps) * (tps[1:] + tps[:-1])))
    return area2 / (2 * int(tps[-1]) * int(fps[-1]))


def advantage(membership, scores) -> float:
    """Membership advantage (Yeom et al., 2018): the largest TPR - FPR over all thresholds.

    It is 0 for an attack no better than chance (the threshold +inf always gives 0) and 1 for
    a perfect one; it equals 2 * (best balanced accuracy) - 1.

    >>> advantage([1, 1, 0, 0], [0.9, 0.6, 0.6, 0.1])
    0.5
    """
    fpr, tpr, _ = roc_curve(membership, scores)
    return float(np.max(tpr - fpr))


def tpr_at_fpr(membership, scores, fpr: float | Sequence[float] = 0.01):
    """The highest TPR of a rule "member iff score >= t" whose FPR is at most ``fpr``.

    Exact, from the ROC points: no interpolation between points. A group of tied scores is
    called all members or all non-members together, so a tie that would take the FPR past
    the limit is left out entirely, even if part of it would fit. With few non-members the
    achievable FPRs are multiples of 1 / n_non_members; ``fpr`` below 1 / n_non_members
    allows no false positive at all.

    ``fpr`` may be a number (returns a float) or a sequence (returns an array).

    >>> membership = [1, 0, 1, 0]
    >>> scores = [3, 2, 2, 1]      # a member and a non-member tie at 2
    >>> tpr_at_fpr(membership, scores, fpr=0.25)   # cannot take half of the tie
    0.5
    >>> tpr_at_fpr(membership, scores, fpr=[0.0, 0.5, 1.0]).tolist()
    [0.5, 1.0, 1.0]
    """
    fprs, tprs, _ = roc_curve(membership, scores)
    targets = np.asarray(fpr)
    if targets.dtype.kind not in "iuf":
        raise TypeError(f"fpr must be a number or a sequence of numbers, got {fpr!r}.")
    targets = targets.astype(np.float64)
    if targets.ndim > 1:
        raise ValueError(f"fpr must be a number or a 1-D sequence, got shape {targets.shape}.")
    if targets.size == 0:
        raise ValueError("fpr is empty; pass at least one target false positive rate.")
    if np.any(~np.isfinite(targets)) or np.any(targets < 0) or np.any(targets > 1):
        raise ValueError(f"fpr must lie in [0, 1] (a rate, not a percentage), got {fpr!r}.")
    # fprs is non-decreasing and so is tprs: the best point is the last one within the limit.
    # The tiny tolerance absorbs decimal round-off such as 0.1 * 3 vs 0.3.
    idx = np.searchsorted(fprs, targets + 1e-12, side="right") - 1
    out = tprs[idx]
    return float(out) if targets.ndim == 0 else out


def best_threshold(membership, scores, criterion: str = "accuracy") -> float:
    """The threshold t of the rule "member iff score >= t" that maximises ``criterion``.

    ``criterion`` is ``"accuracy"`` or ``"advantage"`` (TPR - FPR, equivalently balanced
    accuracy). Use it to fit a threshold attack on shadow data and apply the threshold to the
    target's scores. Among equally good thresholds the highest (fewest "member" calls) wins.

    The returned t lies halfway between the lowest score called "member" and the next lower
    observed score, so it transfers sensibly to new scores and gives the same decisions on
    these ones. It is ``+inf`` if calling no record a member is best and the lowest score if
    calling every record a member is best.

    >>> best_threshold([1, 1, 0, 0], [0.9, 0.7, 0.4, 0.1])
    0.55
    >>> best_threshold([1, 0, 0, 0, 0], [0.9, 0.8, 0.3, 0.2, 0.1], criterion="advantage")
    0.85
    """
    if criterion not in ("accuracy", "advantage"):
        raise ValueError(f"criterion must be 'accuracy' or 'advantage', got {criterion!r}.")
    m, s = membership_and_scores(membership, scores)
    tps, fps, thresholds = roc_counts(m, s)
    n_pos, n_neg = int(tps[-1]), int(fps[-1])
    if criterion == "accuracy":
        value = tps - fps  # accuracy = (tps + n_neg - fps) / n: same maximiser
    else:
        value = tps * n_neg - fps * n_pos  # (tpr - fpr) * n_pos * n_neg, exact in integers
    k = int(np.argmax(value))  # first maximiser = highest threshold
    if k == 0 or k == thresholds.size - 1:
        return float(thresholds[k])
    hi, lo = float(thresholds[k]), float(thresholds[k + 1])
    mid = hi / 2 + lo / 2
    if not lo < mid <= hi:  # round-off between adjacent floats, or an infinite bound
        mid = hi
    return mid
