"""Metrics for membership inference: pure functions over membership labels and attack scores.

Conventions used by every function here:

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
>>> report = evaluate(membership, scores, threshold=0.45)
>>> report.precision, report.recall
(0.666..., 0.666...)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mia_lib._validation import (
    check_labels,
    check_membership,
    check_same_length,
    check_scores,
)

__all__ = [
    "AttackReport",
    "GeneralizationGap",
    "accuracy",
    "advantage",
    "auc",
    "balanced_accuracy",
    "best_threshold",
    "evaluate",
    "generalization_gap",
    "per_class_report",
    "precision",
    "recall",
    "roc_curve",
    "tpr_at_fpr",
    "train_test_gap",
    "roc_points",
    "ci_table",
]


# ----------------------------------------------------------------------------- input helpers


def _check_predicted(predicted, name: str = "predicted") -> np.ndarray:
    """Return 0/1 decisions as int64; unlike membership, all-0 or all-1 is allowed."""
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


def _membership_and_scores(membership, scores, scores_name: str = "scores"):
    m = check_membership(membership)
    s = check_scores(scores, name=scores_name)
    check_same_length(membership=m, **{scores_name: s})
    return m, s


def _membership_and_predicted(membership, predicted):
    m = check_membership(membership)
    p = _check_predicted(predicted)
    check_same_length(membership=m, predicted=p)
    return m, p


def _confusion(m: np.ndarray, p: np.ndarray) -> tuple[int, int, int, int]:
    """(tp, fp, tn, fn) with members as the positive class."""
    tp = int(np.sum((p == 1) & (m == 1)))
    fp = int(np.sum((p == 1) & (m == 0)))
    tn = int(np.sum((p == 0) & (m == 0)))
    fn = int(np.sum((p == 0) & (m == 1)))
    return tp, fp, tn, fn


def _counts_curve(m: np.ndarray, s: np.ndarray):
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
    m, p = _membership_and_predicted(membership, predicted)
    tp, fp, _, _ = _confusion(m, p)
    return tp / (tp + fp) if tp + fp else 0.0


def recall(membership, predicted) -> float:
    """Fraction of members that the attack finds: TP / (TP + FN), the true positive rate.

    >>> recall([1, 1, 0, 0], [1, 0, 1, 1])
    0.5
    """
    m, p = _membership_and_predicted(membership, predicted)
    tp, _, _, fn = _confusion(m, p)
    return tp / (tp + fn)


def accuracy(membership, predicted) -> float:
    """Fraction of records whose membership is guessed right: (TP + TN) / n.

    >>> accuracy([1, 1, 0, 0], [1, 0, 1, 1])
    0.25
    """
    m, p = _membership_and_predicted(membership, predicted)
    return float(np.mean(m == p))


def balanced_accuracy(membership, predicted) -> float:
    """Mean of the true positive rate and the true negative rate: (TPR + TNR) / 2.

    Unlike :func:`accuracy` it is 0.5 for any constant guess however unbalanced the members
    and non-members are; it equals (1 + TPR - FPR) / 2.

    >>> balanced_accuracy([1, 1, 0, 0, 0, 0], [1, 0, 1, 0, 0, 0])  # TPR 1/2, TNR 3/4
    0.625
    """
    m, p = _membership_and_predicted(membership, predicted)
    tp, fp, tn, fn = _confusion(m, p)
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
    m, s = _membership_and_scores(membership, scores)
    tps, fps, thresholds = _counts_curve(m, s)
    return fps / fps[-1], tps / tps[-1], thresholds


def auc(membership, scores) -> float:
    """Area under the ROC curve: the probability that a random member scores higher than a
    random non-member, a tie counting 1/2 (the same as ``sklearn.metrics.roc_auc_score``).

    0.5 is chance; 1.0 separates members from non-members perfectly.

    >>> auc([1, 1, 0, 0], [0.9, 0.6, 0.6, 0.1])
    0.875
    """
    m, s = _membership_and_scores(membership, scores)
    tps, fps, _ = _counts_curve(m, s)
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
    targets = np.asarray(fpr, dtype=np.float64)
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
    m, s = _membership_and_scores(membership, scores)
    tps, fps, thresholds = _counts_curve(m, s)
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


# ----------------------------------------------------------------------------- per class


def per_class_report(
    membership, scores, classes, *, threshold: float | None = None, predicted=None
) -> pd.DataFrame:
    """Attack metrics within each class of the records' true labels.

    ``scores`` may be attack scores or already 0/1 decisions. Decisions are taken from
    ``predicted`` if given, else from ``scores >= threshold`` if ``threshold`` is given, else
    ``scores`` are used as the decisions if they are all 0/1, else from the threshold that
    maximises accuracy over all records (:func:`best_threshold`), the same for every class.

    Returns a DataFrame indexed by class (sorted) with columns ``n``, ``n_members``,
    ``n_non_members``, ``precision`` (0.0 where nothing in the class is called a member),
    ``recall`` (nan where the class has no members), ``accuracy`` and ``auc`` (nan where the
    class lacks members or non-members).

    >>> df = per_class_report([1, 0, 1, 0, 1, 1], [0.9, 0.2, 0.3, 0.4, 0.8, 0.7],
    ...                       classes=[0, 0, 0, 0, 1, 1], threshold=0.5)
    >>> df[["n_members", "precision", "recall", "auc"]]
           n_members  precision  recall   auc
    class
    0              2        1.0     0.5  0.75
    1              2        1.0     1.0   NaN
    """
    m, s = _membership_and_scores(membership, scores)
    c = _check_classes(classes)
    check_same_length(membership=m, scores=s, classes=c)
    p = _decisions(m, s, threshold, predicted)[0]
    rows = []
    labels = np.unique(c)
    for label in labels:
        sel = c == label
        mc, sc, pc = m[sel], s[sel], p[sel]
        tp, fp, tn, fn = _confusion(mc, pc)
        n_in, n_out = tp + fn, fp + tn
        if n_in and n_out:
            tps, fps, _ = _counts_curve(mc, sc)
            class_auc = int(np.sum(np.diff(fps) * (tps[1:] + tps[:-1]))) / (2 * n_in * n_out)
        else:
            class_auc = math.nan
        rows.append(
            {
                "n": int(sel.sum()),
                "n_members": n_in,
                "n_non_members": n_out,
                "precision": tp / (tp + fp) if tp + fp else 0.0,
                "recall": tp / n_in if n_in else math.nan,
                "accuracy": (tp + tn) / (n_in + n_out),
                "auc": class_auc,
            }
        )
    index = pd.Index([x.item() if isinstance(x, np.generic) else x for x in labels], name="class")
    return pd.DataFrame(rows, index=index)


def _check_classes(classes) -> np.ndarray:
    """Class labels, one per record: integers or strings of one kind, no None or NaN."""
    if classes is None:
        raise ValueError("classes is None; pass the records' true labels (one per record).")
    c = np.asarray(classes)
    if c.ndim != 1:
        raise ValueError(f"classes must be 1-D (one label per record), got shape {c.shape}.")
    if c.dtype == object:
        values = c.tolist()
        if any(v is None for v in values):
            raise ValueError("classes contains None; every record needs a class label.")
        n_str = sum(isinstance(v, str) for v in values)
        if 0 < n_str < len(values):
            raise ValueError(
                "classes mixes strings and numbers; pass labels of one kind (all int or all str)."
            )
        try:
            c = c.astype(str) if n_str else c.astype(float)
        except (TypeError, ValueError):
            raise ValueError("classes must hold class labels (numbers or strings).") from None
    if c.dtype.kind == "f":
        if not np.all(np.isfinite(c)):
            raise ValueError("classes contains NaN or infinity; every record needs a class label.")
        if np.all(c == np.round(c)):
            c = c.astype(np.int64)
    elif c.dtype.kind not in "biuUS":
        raise ValueError(f"classes must hold class labels, got dtype {c.dtype}.")
    return c


def _decisions(m, s, threshold, predicted):
    """0/1 decisions, the threshold used (or None) and the rule's name."""
    if predicted is not None and threshold is not None:
        raise ValueError("pass either threshold or predicted, not both.")
    if predicted is not None:
        p = _check_predicted(predicted)
        check_same_length(membership=m, predicted=p)
        return p, None, "predicted"
    if threshold is not None:
        t = float(threshold)
        if math.isnan(t):
            raise ValueError("threshold is NaN; pass a number (member iff score >= threshold).")
        return (s >= t).astype(np.int64), t, "given"
    if np.all(np.isin(s, (0.0, 1.0))):
        return s.astype(np.int64), None, "binary_scores"
    t = best_threshold(m, s, "accuracy")
    return (s >= t).astype(np.int64), t, "max_accuracy"


# ----------------------------------------------------------------------------- generalisation


@dataclass(frozen=True)
class GeneralizationGap:
    """Train accuracy, test accuracy and their difference (train - test)."""

    train_acc: float
    test_acc: float
    gap: float

    def __repr__(self) -> str:
        return (
            f"GeneralizationGap(train_acc={self.train_acc:.3f}, test_acc={self.test_acc:.3f}, "
            f"gap={self.gap:.3f})"
        )

    def to_dict(self) -> dict[str, float]:
        """Plain Python floats."""
        return {"train_acc": self.train_acc, "test_acc": self.test_acc, "gap": self.gap}


def train_test_gap(train_accuracy: float, test_accuracy: float) -> float:
    """Train accuracy minus test accuracy: the overfitting that membership attacks exploit.

    >>> round(train_test_gap(0.98, 0.71), 3)
    0.27
    """
    for name, v in (("train_accuracy", train_accuracy), ("test_accuracy", test_accuracy)):
        if not isinstance(v, int | float | np.number) or not 0.0 <= float(v) <= 1.0:
            raise ValueError(f"{name} must be an accuracy in [0, 1], got {v!r}.")
    return float(train_accuracy) - float(test_accuracy)


def _model_accuracy(model, X, y, which: str) -> float:
    y = check_labels(y, name=f"y_{which}")
    check_same_length(**{f"X_{which}": X, f"y_{which}": y})
    if hasattr(model, "predict"):
        pred = np.asarray(model.predict(X))
    elif hasattr(model, "predict_proba"):
        pred = np.argmax(np.asarray(model.predict_proba(X)), axis=1)
    else:
        raise TypeError(
            f"model must have predict() or predict_proba(), got {type(model).__name__}."
        )
    if pred.shape != y.shape:
        raise ValueError(
            f"model.predict(X_{which}) returned shape {pred.shape}, expected {y.shape}."
        )
    return float(np.mean(pred == y))


def generalization_gap(model, X_train, y_train, X_test, y_test) -> GeneralizationGap:
    """Accuracy of a fitted ``model`` on its training data and on held-out data, and the gap.

    ``model`` needs ``predict`` (or ``predict_proba``, whose argmax is taken).

    >>> from sklearn.tree import DecisionTreeClassifier
    >>> X = [[0], [1], [2], [3]]; y = [0, 1, 0, 1]
    >>> tree = DecisionTreeClassifier(random_state=0).fit(X, y)
    >>> generalization_gap(tree, X, y, [[0], [1], [2], [3]], [0, 0, 0, 1])
    GeneralizationGap(train_acc=1.000, test_acc=0.750, gap=0.250)
    """
    train = _model_accuracy(model, X_train, y_train, "train")
    test = _model_accuracy(model, X_test, y_test, "test")
    return GeneralizationGap(train_acc=train, test_acc=test, gap=train - test)


# ----------------------------------------------------------------------------- report

_RULES = {
    "given": "score >= {t} (given threshold)",
    "max_accuracy": (
        "score >= {t} (oracle: the max-accuracy threshold chosen on these very records; optimistic)"
    ),
    "predicted": "decisions passed as predicted",
    "binary_scores": "scores are 0/1 decisions",
}


@dataclass(frozen=True)
class AttackReport:
    """Summary of a membership inference attack; built by :func:`evaluate`.

    Threshold-free metrics (``auc``, ``advantage``, ``tpr_at_*``) use the scores; decision
    metrics (``precision``, ``recall``, ``accuracy``, ``balanced_accuracy``) use the decisions
    described by ``threshold_rule``:

    * ``"given"``: member iff score >= ``threshold`` (a threshold you passed);
    * ``"predicted"``: the 0/1 decisions you passed (``threshold`` is None);
    * ``"binary_scores"``: the scores were already 0/1 decisions (``threshold`` is None);
    * ``"max_accuracy"``: member iff score >= ``threshold``, the threshold that maximises
      accuracy on these very records. That is an optimistic, oracle choice: a real attacker
      must fit the threshold elsewhere (e.g. on shadow data with :func:`best_threshold`).
    """

    n_members: int
    n_non_members: int
    threshold: float | None
    threshold_rule: str
    precision: float
    recall: float
    accuracy: float
    balanced_accuracy: float
    auc: float
    advantage: float
    tpr_at_0_1pct_fpr: float
    tpr_at_1pct_fpr: float
    tpr_at_10pct_fpr: float
    fpr: float = math.nan
    per_class: pd.DataFrame | None = field(default=None, compare=False, hash=False, repr=False)

    _METRICS = (
        ("precision", "precision"),
        ("recall", "recall"),
        ("accuracy", "accuracy"),
        ("balanced_accuracy", "balanced accuracy"),
        ("fpr", "FPR of decisions"),
        ("auc", "AUC"),
        ("advantage", "advantage"),
        ("tpr_at_0_1pct_fpr", "TPR @ 0.1% FPR"),
        ("tpr_at_1pct_fpr", "TPR @ 1% FPR"),
        ("tpr_at_10pct_fpr", "TPR @ 10% FPR"),
    )

    def __repr__(self) -> str:
        t = "" if self.threshold is None else f"{self.threshold:.3f}"
        rule = _RULES.get(self.threshold_rule, self.threshold_rule).format(t=t)
        lines = [
            f"AttackReport: {self.n_members} members, {self.n_non_members} non-members",
            f"  {'decision rule':<18} {rule}",
        ]
        lines += [f"  {label:<18} {getattr(self, key):.3f}" for key, label in self._METRICS]
        if self.per_class is not None:
            lines.append(f"  {'per class':<18} {len(self.per_class)} classes (see .per_class)")
        return "\n".join(lines)

    def to_dict(self, include_per_class: bool = False) -> dict:
        """The report as plain Python ints, floats, strings and None: ready for ``json.dumps``.

        Non-finite numbers (an infinite threshold, a NaN per-class AUC) become None, so the
        result is strict JSON. With ``include_per_class`` the per-class table is added under
        ``"per_class"`` as ``{str(class): {column: value}}``.
        """
        out: dict = {
            "n_members": int(self.n_members),
            "n_non_members": int(self.n_non_members),
            "threshold": _plain(self.threshold),
            "threshold_rule": self.threshold_rule,
        }
        out.update({key: _plain(getattr(self, key)) for key, _ in self._METRICS})
        if include_per_class and self.per_class is not None:
            out["per_class"] = {
                str(label): {col: _plain(v) for col, v in row.items()}
                for label, row in self.per_class.iterrows()
            }
        return out


def _plain(v):
    if v is None:
        return None
    if isinstance(v, bool | np.bool_):
        return bool(v)
    if isinstance(v, int | np.integer):
        return int(v)
    v = float(v)
    return v if math.isfinite(v) else None


def evaluate(
    membership, scores, *, threshold: float | None = None, predicted=None, classes=None
) -> AttackReport:
    """Every standard metric of an attack at once, as a frozen :class:`AttackReport`.

    Decisions for precision, recall and accuracy come from ``predicted`` (0/1) if given, else
    from "member iff score >= ``threshold``" if given, else from the scores themselves if they
    are 0/1, else from the threshold that maximises accuracy on these same records (recorded
    as ``threshold_rule="max_accuracy"``; optimistic, see :class:`AttackReport`). Pass
    ``classes`` (the records' true labels) to add a :func:`per_class_report` table as
    ``report.per_class``.

    >>> r = evaluate([1, 1, 1, 0, 0, 0], [0.9, 0.8, 0.4, 0.5, 0.2, 0.1], threshold=0.45)
    >>> r
    AttackReport: 3 members, 3 non-members
      decision rule      score >= 0.450 (given threshold)
      precision          0.667
      recall             0.667
      accuracy           0.667
      balanced accuracy  0.667
      FPR of decisions   0.333
      AUC                0.889
      advantage          0.667
      TPR @ 0.1% FPR     0.667
      TPR @ 1% FPR       0.667
      TPR @ 10% FPR      0.667
    >>> r.to_dict()["auc"]
    0.888...
    """
    m, s = _membership_and_scores(membership, scores)
    p, t, rule = _decisions(m, s, threshold, predicted)
    tp, fp, tn, fn = _confusion(m, p)
    tprs = tpr_at_fpr(m, s, [0.001, 0.01, 0.1])
    per_class = None
    if classes is not None:
        per_class = per_class_report(m, s, classes, predicted=p)
    return AttackReport(
        n_members=tp + fn,
        n_non_members=fp + tn,
        threshold=t,
        threshold_rule=rule,
        precision=tp / (tp + fp) if tp + fp else 0.0,
        recall=tp / (tp + fn),
        accuracy=(tp + tn) / m.size,
        balanced_accuracy=(tp / (tp + fn) + tn / (tn + fp)) / 2,
        auc=auc(m, s),
        advantage=advantage(m, s),
        tpr_at_0_1pct_fpr=float(tprs[0]),
        tpr_at_1pct_fpr=float(tprs[1]),
        tpr_at_10pct_fpr=float(tprs[2]),
        fpr=fp / (fp + tn),
        per_class=per_class,
    )


# ----------------------------------------------------------------------------- summaries

#: The false positive rates at which :func:`roc_points` stores a curve.
ROC_GRID = np.linspace(0.0, 1.0, 101)


def roc_points(membership, scores, grid=None) -> dict:
    """The ROC curve at the false positive rates of ``grid`` (default :data:`ROC_GRID`): the
    highest true positive rate reachable without exceeding each. A compact curve to store
    with a result.

    >>> roc_points([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.1], grid=[0.0, 0.5, 1.0])
    {'fpr': [0.0, 0.5, 1.0], 'tpr': [0.5, 1.0, 1.0]}
    """
    fpr, tpr, _ = roc_curve(membership, scores)
    grid = ROC_GRID if grid is None else np.asarray(grid, dtype=float)
    out = [float(tpr[fpr <= g + 1e-12].max()) for g in grid]
    return {"fpr": [float(g) for g in grid], "tpr": out}


def ci_table(rows, by, metric: str, level: float = 0.95) -> pd.DataFrame:
    """Mean, standard deviation, count and a Student-t confidence interval of ``metric``
    over the rows of each group ``by`` (repeated seeds of an experiment).

    ``rows`` is a list of dicts or a DataFrame. With one row per group the interval is NaN.

    >>> ci_table([{"k": 1, "v": 0.5}, {"k": 1, "v": 0.7}], ["k"], "v").round(3).to_dict("records")
    [{'k': 1, 'mean': 0.6, 'sd': 0.141, 'n': 2, 'ci_low': -0.671, 'ci_high': 1.871}]
    """
    from scipy import stats

    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}.")
    df = pd.DataFrame(rows)
    by = [by] if isinstance(by, str) else list(by)
    missing = [c for c in [*by, metric] if c not in df.columns]
    if missing:
        raise ValueError(f"rows have no column(s) {missing}; columns: {list(df.columns)}")
    g = df.groupby(by, sort=True)[metric]
    out = g.agg(mean="mean", sd="std", n="count").reset_index()
    half = [
        stats.t.ppf(0.5 + level / 2, n - 1) * sd / np.sqrt(n) if n > 1 else np.nan
        for n, sd in zip(out["n"], out["sd"], strict=True)
    ]
    out["ci_low"] = out["mean"] - np.asarray(half)
    out["ci_high"] = out["mean"] + np.asarray(half)
    return out
