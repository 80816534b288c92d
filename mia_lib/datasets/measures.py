"""Measures of a dataset that membership inference depends on (Truex et al. 2018)."""

from __future__ import annotations

import numpy as np

__all__ = ["in_class_std", "relative_in_class_std"]


def _check_Xy(X, y) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim < 2 or len(X) == 0:
        raise ValueError(f"X must be records of features (n, d, ...), got shape {X.shape}.")
    X = X.reshape(len(X), -1)
    if not np.all(np.isfinite(X)):
        raise ValueError("X contains NaN or infinite values.")
    y = np.asarray(y)
    if y.ndim != 1 or len(y) != len(X):
        raise ValueError(f"y must be a vector of one label per record ({len(X)}), got {y.shape}.")
    return X, y


def in_class_std(X, y) -> float:
    """Truex et al.'s in-class standard deviation, as we define it.

    The mean over classes of the mean over features of the per-feature standard deviation
    of the class's records: ``mean_c mean_j std(X[y == c, j])`` (records flattened to
    vectors; population standard deviation). It depends on the features' scale, as the
    paper's comparison across datasets did; :func:`relative_in_class_std` does not.

    >>> X = np.array([[0.0], [2.0], [10.0], [14.0]]); y = np.array([0, 0, 1, 1])
    >>> in_class_std(X, y)      # class 0: std 1, class 1: std 2
    1.5
    """
    X, y = _check_Xy(X, y)
    return float(np.mean([X[y == c].std(axis=0).mean() for c in np.unique(y)]))


def relative_in_class_std(X, y) -> float:
    """:func:`in_class_std` divided by the mean per-feature standard deviation of all records.

    Scale-free: 1 when the classes do not differ at all, near 0 when every class is a point.

    >>> X = np.array([[0.0], [2.0], [10.0], [14.0]]); y = np.array([0, 0, 1, 1])
    >>> round(relative_in_class_std(X, y), 3)
    0.262
    """
    X2, y2 = _check_Xy(X, y)
    total = float(X2.std(axis=0).mean())
    if total == 0:
        raise ValueError("every feature is constant; the relative in-class std is undefined.")
    return in_class_std(X2, y2) / total
