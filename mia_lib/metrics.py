"""Metrics for membership inference: every standard metric of an attack at once, per class,
the generalisation gap, and summaries of repeated runs.

The scoring functions (precision, recall, accuracy, ROC curve, AUC, advantage, TPR at a fixed
FPR, best threshold) live in :mod:`mia_lib.scoring` and are re-exported here, with the same
conventions: ``membership`` first (1 = member), then ``scores`` (higher = member) or 0/1
``predicted`` decisions; member iff score >= threshold; curves from the exact sorted scores.

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
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mia_lib._validation import check_features, check_labels, check_same_length
from mia_lib.scoring import (
    accuracy,
    advantage,
    auc,
    balanced_accuracy,
    best_threshold,
    check_decisions,
    confusion_counts,
    membership_and_scores,
    precision,
    recall,
    roc_counts,
    roc_curve,
    tpr_at_fpr,
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
    m, s = membership_and_scores(membership, scores)
    c = _check_classes(classes)
    check_same_length(membership=m, scores=s, classes=c)
    p = _decisions(m, s, threshold, predicted)[0]
    rows = []
    labels = np.unique(c)
    for label in labels:
        sel = c == label
        mc, sc, pc = m[sel], s[sel], p[sel]
        tp, fp, tn, fn = confusion_counts(mc, pc)
        n_in, n_out = tp + fn, fp + tn
        if n_in and n_out:
            tps, fps, _ = roc_counts(mc, sc)
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
        p = check_decisions(predicted)
        check_same_length(membership=m, predicted=p)
        return p, None, "predicted"
    if threshold is not None:
        if isinstance(threshold, bool) or not isinstance(threshold, int | float | np.number):
            raise TypeError(f"threshold must be a number, got {threshold!r}.")
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
        ok = isinstance(v, int | float | np.number) and not isinstance(v, bool | np.bool_)
        if not ok or not 0.0 <= float(v) <= 1.0:
            raise ValueError(f"{name} must be an accuracy in [0, 1], got {v!r}.")
    return float(train_accuracy) - float(test_accuracy)


def _model_accuracy(model, X, y, which: str) -> float:
    check_features(X, f"X_{which}", allow_nd=True)  # clear errors; the model gets X as given
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
    m, s = membership_and_scores(membership, scores)
    p, t, rule = _decisions(m, s, threshold, predicted)
    tp, fp, tn, fn = confusion_counts(m, p)
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
    if grid is not None:
        given, grid = grid, np.asarray(grid)
        if grid.dtype.kind not in "iuf" or grid.ndim != 1:
            raise TypeError(
                f"grid must be a sequence of numbers (false positive rates), got {given!r}."
            )
        if grid.size == 0:
            raise ValueError("grid is empty; pass at least one false positive rate.")
        if not np.all((grid >= 0) & (grid <= 1)):  # NaN fails too
            raise ValueError(f"grid must hold false positive rates in [0, 1], got {grid.tolist()}.")
    grid = ROC_GRID if grid is None else grid.astype(float)
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

    ok = isinstance(level, float | int | np.number) and not isinstance(level, bool)
    if not ok or not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level!r}.")
    if not isinstance(rows, list | tuple | pd.DataFrame):
        raise TypeError(f"rows must be a list of dicts or a DataFrame, got {type(rows).__name__}.")
    df = pd.DataFrame(rows)
    if not isinstance(by, str | list | tuple) or not all(isinstance(b, str | int) for b in by):
        raise TypeError(f"by must be a column name or a list of column names, got {by!r}.")
    by = [by] if isinstance(by, str) else list(by)
    missing = [c for c in [*by, metric] if c not in df.columns]
    if missing:
        raise ValueError(f"rows have no column(s) {missing}; columns: {list(df.columns)}")
    if not pd.api.types.is_numeric_dtype(df[metric]) or pd.api.types.is_bool_dtype(df[metric]):
        raise TypeError(f"column {metric!r} must hold numbers, got dtype {df[metric].dtype}.")
    g = df.groupby(by, sort=True)[metric]
    out = g.agg(mean="mean", sd="std", n="count").reset_index()
    half = [
        stats.t.ppf(0.5 + level / 2, n - 1) * sd / np.sqrt(n) if n > 1 else np.nan
        for n, sd in zip(out["n"], out["sd"], strict=True)
    ]
    out["ci_low"] = out["mean"] - np.asarray(half)
    out["ci_high"] = out["mean"] + np.asarray(half)
    return out
