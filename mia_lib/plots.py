"""Figures for membership inference: ROC curves, score histograms, per-class and paper bars.

Every function draws on ``ax`` if given (else on a new figure) and returns the Axes; none
calls ``plt.show()``. In a notebook, end the cell with ``;`` or close the figure.

>>> import matplotlib.pyplot as plt
>>> ax = plot_roc([1, 1, 0, 0], [0.9, 0.6, 0.7, 0.1], label="loss attack")
>>> [line.get_label() for line in ax.lines]
['loss attack (AUC = 0.750)', 'chance']
>>> plt.close(ax.figure)
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from mia_lib import metrics
from mia_lib._validation import check_membership, check_same_length, check_scores

__all__ = [
    "plot_paper_vs_ours",
    "plot_per_class",
    "plot_privacy_utility",
    "plot_roc",
    "plot_rocs",
    "plot_score_histograms",
]

_CHANCE_GID = "mia_lib-chance"


def _axes(ax):
    if ax is None:
        _, ax = plt.subplots()
    elif not isinstance(ax, plt.Axes):
        raise TypeError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__} {ax!r}.")
    return ax


def _log_floor(n_non_members: int) -> float:
    """Left end of a log-scale FPR axis: 1e-3, or 1e-4 when there are over 1000 non-members."""
    return 1e-3 if n_non_members <= 1000 else 1e-4


def _add_chance_line(ax, lo: float) -> None:
    for line in ax.lines:
        if line.get_gid() == _CHANCE_GID:
            return
    ax.plot([lo, 1], [lo, 1], ls="--", color="grey", lw=1, label="chance", gid=_CHANCE_GID)


def _style_roc_axes(ax, log: bool, lo: float) -> None:
    if log:
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlim(lo, 1)
        ax.set_ylim(lo, 1)
    else:
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_aspect("equal")
    ax.set_xlabel("False positive rate")
    ax.set_ylabel("True positive rate")


def plot_roc(membership, scores, ax=None, label: str | None = None, log: bool = False):
    """Draw the ROC curve of an attack, with its AUC in the legend and the chance diagonal.

    With ``log=True`` both axes are logarithmic, from 1e-3 (1e-4 with more than 1000
    non-members) to 1: the view that shows how an attack does at low false positive rates
    (Carlini et al., 2022). Points at FPR or TPR 0 lie off a log axis. Call it several times
    on the same ``ax`` to compare attacks; the diagonal is drawn once.

    >>> ax = plot_roc([1, 1, 0, 0], [0.9, 0.6, 0.7, 0.1], log=True)
    >>> ax.get_xscale(), ax.get_yscale(), len(ax.lines)
    ('log', 'log', 2)
    >>> plt.close(ax.figure)
    """
    m = check_membership(membership)
    fpr, tpr, _ = metrics.roc_curve(m, scores)
    area = metrics.auc(m, scores)
    ax = _axes(ax)
    lo = _log_floor(int(np.sum(m == 0)))
    text = f"AUC = {area:.3f}" if label is None else f"{label} (AUC = {area:.3f})"
    ax.plot(fpr, tpr, lw=1.5, label=text)
    _add_chance_line(ax, lo if log else 0.0)
    _style_roc_axes(ax, log, lo)
    ax.legend(loc="lower right")
    return ax


def plot_rocs(curves: Mapping, ax=None, log: bool = False):
    """Draw several ROC curves on one Axes: ``curves`` maps a label to ``(membership, scores)``.

    >>> ax = plot_rocs({"A": ([1, 0, 1, 0], [0.9, 0.1, 0.8, 0.3]),
    ...                 "B": ([1, 0, 1, 0], [0.5, 0.6, 0.4, 0.2])})
    >>> [line.get_label() for line in ax.lines]
    ['A (AUC = 1.000)', 'chance', 'B (AUC = 0.500)']
    >>> plt.close(ax.figure)
    """
    if not isinstance(curves, Mapping) or len(curves) == 0:
        raise ValueError(
            "curves must be a non-empty dict {label: (membership, scores)}; for a single "
            "curve use plot_roc."
        )
    ax = _axes(ax)
    for label, pair in curves.items():
        if not isinstance(pair, tuple | list) or len(pair) != 2:
            raise ValueError(
                f"curves[{label!r}] must be a pair (membership, scores), got {type(pair).__name__}."
            )
        plot_roc(pair[0], pair[1], ax=ax, label=str(label), log=log)
    if log:  # the floor may differ between curves: use the lowest
        lo = min(_log_floor(int(np.sum(np.asarray(p[0]) == 0))) for p in curves.values())
        ax.set_xlim(lo, 1)
        ax.set_ylim(lo, 1)
        for line in ax.lines:
            if line.get_gid() == _CHANCE_GID:
                line.set_data([lo, 1], [lo, 1])
    return ax


def plot_score_histograms(
    membership,
    scores,
    ax=None,
    bins: int = 50,
    labels: tuple[str, str] = ("non-members", "members"),
    xlabel: str = "score",
):
    """Overlay the score densities of non-members and members, on shared bins.

    Arguments come in the order of :mod:`mia_lib.metrics`: ``membership`` (1 = member) first.

    >>> ax = plot_score_histograms([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], bins=5)
    >>> [p.get_label() for p in ax.patches]
    ['non-members', 'members']
    >>> plt.close(ax.figure)
    """
    s = check_scores(scores)
    m = check_membership(membership)
    check_same_length(scores=s, membership=m)
    if not np.all(np.isfinite(s)):
        raise ValueError("scores contain infinite values; clip them before plotting a histogram.")
    if isinstance(bins, bool) or not isinstance(bins, int | np.integer) or bins < 1:
        raise ValueError(f"bins must be a positive integer, got {bins!r}.")
    if len(labels) != 2:
        raise ValueError(f"labels must be a pair (non-member label, member label), got {labels!r}.")
    ax = _axes(ax)
    edges = np.histogram_bin_edges(s, bins=int(bins))
    for value, label, color in ((0, labels[0], "tab:blue"), (1, labels[1], "tab:orange")):
        ax.hist(
            s[m == value],
            bins=edges,
            density=True,
            histtype="stepfilled",
            alpha=0.5,
            color=color,
            edgecolor=color,
            label=label,
        )
    ax.set_xlabel(xlabel)
    ax.set_ylabel("density")
    ax.legend()
    return ax


def _per_class_values(values, metric: str) -> pd.Series:
    if isinstance(values, pd.DataFrame):
        if metric not in values.columns:
            raise ValueError(
                f"the DataFrame needs a {metric!r} column (as made by "
                f"metrics.per_class_report); it has {list(values.columns)}."
            )
        series = values[metric]
    elif isinstance(values, pd.Series):
        series = values
    elif isinstance(values, Mapping):
        series = pd.Series(values)
    else:
        arr = np.asarray(values)
        if arr.ndim != 1:
            raise ValueError(f"per-class values must be 1-D, got shape {arr.shape}.")
        series = pd.Series(arr)
    if series.size == 0:
        raise ValueError("no per-class values to plot.")
    try:
        series = series.astype(np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"per-class values must be numbers: {exc}") from exc
    finite = series.dropna()
    if np.any(~np.isfinite(finite)) or np.any(finite < 0) or np.any(finite > 1):
        raise ValueError(f"per-class {metric} values must lie in [0, 1] (NaN is allowed).")
    return series


def plot_per_class(values, ax=None, baseline: float | None = 0.5, metric: str = "precision"):
    """Bar chart of an attack metric in each class, with the random-guess baseline.

    ``values`` is a :func:`mia_lib.metrics.per_class_report` DataFrame (its ``metric``
    column is used), a Series or dict {class: value}, or a sequence (classes 0, 1, ...), of a
    metric in [0, 1] named by ``metric`` (``"precision"``, ``"auc"``, ``"recall"``...; it
    labels the axis and the bars). ``baseline`` is the metric's value for guessing at
    random (0.5 for the precision or the AUC of a balanced set); None for no line. A NaN
    class is left empty.

    >>> ax = plot_per_class({"cat": 0.7, "dog": 0.9}, metric="auc")
    >>> len(ax.patches), ax.lines[0].get_ydata()[0], ax.get_ylabel()
    (2, 0.5, 'attack AUC')
    >>> plt.close(ax.figure)
    """
    label = "AUC" if metric == "auc" else metric
    series = _per_class_values(values, metric)
    if baseline is not None and not (
        isinstance(baseline, int | float | np.number) and 0 <= float(baseline) <= 1
    ):
        raise ValueError(f"baseline must be a number in [0, 1] or None, got {baseline!r}.")
    ax = _axes(ax)
    names = [str(x) for x in series.index]
    x = np.arange(len(names))
    ax.bar(x, series.to_numpy(), color="tab:blue", label=f"attack {label}")
    if baseline is not None:
        ax.axhline(float(baseline), ls="--", color="grey", lw=1, label=f"baseline {baseline:g}")
    ax.set_xticks(x, names, rotation=90 if len(names) > 20 else 0)
    ax.set_ylim(0, 1)
    ax.set_xlabel("class")
    ax.set_ylabel(f"attack {label}")
    ax.legend(loc="lower right")
    return ax


def plot_paper_vs_ours(df: pd.DataFrame, ax=None):
    """Grouped bars: the published number beside ours, for each row of ``df``.

    ``df`` needs columns ``paper`` and ``ours``; its index labels the groups. NaN (e.g. a
    number the paper does not give) leaves a gap.

    >>> df = pd.DataFrame({"paper": [0.9, 0.7], "ours": [0.88, 0.74]},
    ...                   index=["CIFAR-10", "Purchase"])
    >>> ax = plot_paper_vs_ours(df)
    >>> len(ax.patches), [t.get_text() for t in ax.get_xticklabels()]
    (4, ['CIFAR-10', 'Purchase'])
    >>> plt.close(ax.figure)
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"df must be a pandas DataFrame, got {type(df).__name__}.")
    missing = [c for c in ("paper", "ours") if c not in df.columns]
    if missing:
        raise ValueError(
            f"df is missing column(s) {missing}; it needs 'paper' and 'ours' "
            f"(it has {list(df.columns)})."
        )
    if len(df) == 0:
        raise ValueError("df has no rows to plot.")
    try:
        paper = df["paper"].astype(np.float64).to_numpy()
        ours = df["ours"].astype(np.float64).to_numpy()
    except (TypeError, ValueError) as exc:
        raise TypeError(f"columns 'paper' and 'ours' must be numbers: {exc}") from exc
    if np.isinf(paper).any() or np.isinf(ours).any():
        raise ValueError("'paper' and 'ours' must be finite (NaN for a missing value).")
    ax = _axes(ax)
    names = [str(x) for x in df.index]
    x = np.arange(len(names))
    width = 0.4
    ax.bar(x - width / 2, paper, width, label="paper", color="tab:grey")
    ax.bar(x + width / 2, ours, width, label="ours", color="tab:blue")
    long = max(len(n) for n in names) > 12 or len(names) > 8
    ax.set_xticks(x, names, rotation=45 if long else 0, ha="right" if long else "center")
    values = np.r_[paper, ours]
    values = values[~np.isnan(values)]
    if values.size and values.min() >= 0 and values.max() <= 1:
        ax.set_ylim(0, 1.05)
    ax.legend()
    return ax


def plot_privacy_utility(
    points,
    x: str = "distortion_l1",
    y: str = "tpr_at_1pct_fpr",
    group: str = "family",
    label: str = "defence",
    ax=None,
):
    """The privacy–utility map of defences: one marker per defence, the honest user's cost
    ``x`` (e.g. the mean L1 distortion of the released vectors, or the accuracy lost)
    against the attacker's gain ``y`` (e.g. the best attack's TPR at 1% FPR).

    ``points`` is a DataFrame (or list of dicts) with columns ``x``, ``y``, ``label`` and,
    optionally, ``group`` (one marker style and legend entry per group of defences: "output
    restriction", "MemGuard", ...). Points of one group are joined in the order given, so a
    sweep (budgets, temperatures) reads as a curve. Lower and further left is better for the
    defender.

    >>> ax = plot_privacy_utility([{"defence": "none", "distortion_l1": 0.0,
    ...                             "tpr_at_1pct_fpr": 0.3, "family": "none"},
    ...                            {"defence": "top1", "distortion_l1": 0.1,
    ...                             "tpr_at_1pct_fpr": 0.25, "family": "top-k"}])
    >>> [t.get_text() for t in ax.texts]
    ['none', 'top1']
    >>> plt.close(ax.figure)
    """
    df = pd.DataFrame(points)
    if df.empty:
        raise ValueError("points is empty; give one row per defence.")
    missing = [c for c in (x, y, label) if c not in df.columns]
    if missing:
        raise ValueError(f"points have no column(s) {missing}; columns: {list(df.columns)}")
    for c in (x, y):
        if not pd.api.types.is_numeric_dtype(df[c]):
            raise TypeError(f"column {c!r} must hold numbers, got dtype {df[c].dtype}.")
    ax = _axes(ax)
    groups = df[group] if group in df.columns else pd.Series("defences", index=df.index)
    markers = "osD^vP*X"
    for i, (name, part) in enumerate(df.groupby(groups, sort=False)):
        ax.plot(
            part[x],
            part[y],
            marker=markers[i % len(markers)],
            linestyle="-",
            alpha=0.85,
            label=str(name),
        )
    for _, row in df.iterrows():
        ax.annotate(
            str(row[label]), (row[x], row[y]), textcoords="offset points", xytext=(4, 4), fontsize=8
        )
    ax.set_xlabel(x.replace("_", " "))
    ax.set_ylabel(y.replace("_", " "))
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return ax
