"""Input checks shared by every public function of mia_lib.

Each check raises ``ValueError`` (or ``TypeError``) with a message that says what was wrong
and how to fix it, and returns the validated array in a canonical dtype.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = [
    "check_features",
    "check_labels",
    "check_membership",
    "check_probabilities",
    "as_numeric",
    "check_scores",
    "check_same_length",
    "check_positive_int",
    "check_finite_number",
    "check_probability",
    "check_bool",
]


def check_positive_int(value, name: str, *, minimum: int = 1) -> int:
    """Return ``value`` as an int, insisting that it is an integer ``>= minimum``.

    >>> check_positive_int(3, "k")
    3
    >>> check_positive_int(2.5, "k")
    Traceback (most recent call last):
    ...
    ValueError: k must be an integer >= 1, got 2.5.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}.")
    return int(value)


def check_finite_number(value, name: str, *, low=None, high=None, low_open=False) -> float:
    """Return ``value`` as a float, insisting that it is a finite real number in range.

    >>> check_finite_number(0.5, "rate", low=0, low_open=True)
    0.5
    >>> check_finite_number(float("inf"), "rate")
    Traceback (most recent call last):
    ...
    ValueError: rate must be a finite number, got inf.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a finite number, got {value!r}.")
    v = float(value)
    if not math.isfinite(v):
        raise ValueError(f"{name} must be a finite number, got {value!r}.")
    if low is not None and (v <= low if low_open else v < low):
        raise ValueError(f"{name} must be {'>' if low_open else '>='} {low}, got {value!r}.")
    if high is not None and v > high:
        raise ValueError(f"{name} must be <= {high}, got {value!r}.")
    return v


def check_probability(value, name: str, *, lo_open: bool = False, hi_open: bool = False) -> float:
    """Return ``value`` as a float in [0, 1] (or an open end where asked).

    >>> check_probability(0.2, "p")
    0.2
    >>> check_probability(1.0, "p", hi_open=True)
    Traceback (most recent call last):
    ...
    ValueError: p must be a number in [0, 1), got 1.0.
    """
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)
    if ok:
        v = float(value)
        ok = (v > 0 if lo_open else v >= 0) and (v < 1 if hi_open else v <= 1)
    if not ok:
        lo = "(0" if lo_open else "[0"
        hi = "1)" if hi_open else "1]"
        raise ValueError(f"{name} must be a number in {lo}, {hi}, got {value!r}.")
    return float(value)


def check_bool(value, name: str) -> bool:
    """Return ``value`` as a bool, insisting that it is True or False (not 'no', not 1).

    >>> check_bool("no", "disjoint")
    Traceback (most recent call last):
    ...
    ValueError: disjoint must be True or False, got 'no'.
    """
    if not isinstance(value, bool | np.bool_):
        raise ValueError(f"{name} must be True or False, got {value!r}.")
    return bool(value)


def as_numeric(a, name: str, what: str | None = None) -> np.ndarray:
    """``a`` as a numeric array; ``what`` says what it must hold (for the error message)."""
    if a is None:
        raise TypeError(f"{name} is None; pass an array of {what or 'numbers'}.")
    if hasattr(a, "toarray") or hasattr(a, "tocsr"):  # scipy sparse matrices and arrays
        raise TypeError(
            f"{name} is a sparse matrix; sparse input is not supported: pass a dense array "
            "(X.toarray())."
        )
    try:
        arr = np.asarray(a)
    except Exception as exc:  # pragma: no cover - numpy rarely fails here
        raise TypeError(f"{name} could not be converted to an array: {exc}") from exc
    if np.iscomplexobj(arr):
        raise ValueError(f"Complex data not supported: {name} holds complex numbers.")
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        if what is not None:
            raise TypeError(f"{name} must be numeric: {what}, got dtype {arr.dtype}.")
        raise TypeError(
            f"{name} must be numeric, got dtype {arr.dtype}; encode categorical columns first "
            "(mia_lib.datasets.load_dataset returns numeric arrays)."
        )
    return arr


def check_features(X, name: str = "X", *, allow_nd: bool = False) -> np.ndarray:
    """Return ``X`` as a float32 array of shape (n, ...) with no NaN or infinity.

    >>> check_features([[0, 1], [2, 3]]).shape
    (2, 2)
    """
    arr = as_numeric(X, name)
    if arr.ndim < 2 or (arr.ndim > 2 and not allow_nd):
        want = "at least 2-D (n_samples, ...)" if allow_nd else "2-D (n_samples, n_features)"
        raise ValueError(
            f"{name} must be {want}, got shape {arr.shape}; reshape a single record with "
            "X.reshape(1, -1)."
        )
    if arr.shape[0] == 0:
        raise ValueError(f"{name} is empty (0 rows); pass at least one record.")
    arr = arr.astype(np.float32, copy=False)
    if not np.all(np.isfinite(arr)):
        bad = int(np.sum(~np.isfinite(arr)))
        raise ValueError(
            f"{name} contains {bad} NaN or infinite value(s); impute or drop them first."
        )
    return arr


def check_labels(y, n_classes: int | None = None, name: str = "y") -> np.ndarray:
    """Return ``y`` as an int64 vector of labels in ``0..n_classes-1``.

    >>> check_labels([0, 2, 1], n_classes=3)
    array([0, 2, 1])
    >>> check_labels([0, 3], n_classes=3)
    Traceback (most recent call last):
    ...
    ValueError: y has labels outside 0..2 (found 3); labels must be integers 0..n_classes-1.
    """
    if n_classes is not None:
        n_classes = check_positive_int(n_classes, "n_classes")
    arr = as_numeric(y, name, "integer class labels 0..n_classes-1")
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D (n_samples,), got shape {arr.shape}.")
    if arr.size == 0:
        raise ValueError(f"{name} is empty; pass at least one label.")
    if np.issubdtype(arr.dtype, np.floating):
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} contains NaN or infinity; labels must be integers.")
        if not np.all(arr == np.round(arr)):
            raise ValueError(f"{name} has non-integer values; labels must be integers.")
    arr = arr.astype(np.int64)
    if arr.min() < 0 or (n_classes is not None and arr.max() >= n_classes):
        hi = "n_classes-1" if n_classes is None else str(n_classes - 1)
        bad = arr.min() if arr.min() < 0 else arr.max()
        raise ValueError(
            f"{name} has labels outside 0..{hi} (found {bad}); "
            "labels must be integers 0..n_classes-1."
        )
    return arr


def check_probabilities(P, name: str = "proba", *, atol: float = 1e-3) -> np.ndarray:
    """Return ``P`` as a float64 (n, k) array whose rows are probability distributions.

    >>> check_probabilities([[0.2, 0.8]]).sum()
    np.float64(1.0)
    >>> check_probabilities([[0.2, 0.9]])
    Traceback (most recent call last):
    ...
    ValueError: proba row 0 sums to 1.1, not 1; pass posterior probabilities (softmax outputs), not logits or scores. Rounded outputs of a defended service: renormalise each row first.
    """
    arr = as_numeric(P, name, "posterior probabilities (softmax outputs)").astype(np.float64)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 2-D (n_samples, n_classes), got shape {arr.shape}.")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} is empty (0 rows).")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinity; posteriors must be finite.")
    if np.any(arr < -atol) or np.any(arr > 1 + atol):
        raise ValueError(f"{name} has values outside [0, 1]; pass probabilities, not logits.")
    sums = arr.sum(axis=1)
    bad = np.flatnonzero(np.abs(sums - 1.0) > atol)
    if bad.size:
        i = int(bad[0])
        raise ValueError(
            f"{name} row {i} sums to {sums[i]:.3g}, not 1; pass posterior probabilities "
            "(softmax outputs), not logits or scores. Rounded outputs of a defended service: "
            "renormalise each row first."
        )
    return np.clip(arr, 0.0, 1.0)


def check_membership(y_member, name: str = "membership") -> np.ndarray:
    """Return 0/1 membership labels (1 = member) and insist on both members and non-members.

    >>> check_membership([1, 0, 1])
    array([1, 0, 1])
    """
    arr = as_numeric(y_member, name, "0 (non-member) and 1 (member)")
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {arr.shape}.")
    if arr.size and not np.all(np.isin(arr, (0, 1))):
        raise ValueError(f"{name} must hold only 0 (non-member) and 1 (member).")
    if arr.size == 0:
        raise ValueError(f"{name} is empty; pass one 0/1 membership label per record.")
    arr = arr.astype(np.int64)
    n_in = int(arr.sum())
    if n_in == 0 or n_in == arr.size:
        which = "members" if n_in == 0 else "non-members"
        raise ValueError(
            f"{name} has no {which} ({arr.size} labels in all); membership metrics need "
            "at least one member (1) and one non-member (0)."
        )
    return arr


def check_scores(scores, name: str = "scores") -> np.ndarray:
    """Return a finite float64 score vector (higher = more likely a member)."""
    arr = as_numeric(scores, name, "membership scores (higher = member)").astype(np.float64)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one score per record), got shape {arr.shape}.")
    if arr.size == 0:
        raise ValueError(f"{name} is empty.")
    if np.any(np.isnan(arr)):
        raise ValueError(f"{name} contains NaN; every record needs a score.")
    return arr


def check_same_length(**arrays) -> int:
    """Raise unless every named array has the same number of rows; return that number."""
    lengths = {k: len(v) for k, v in arrays.items()}
    if len(set(lengths.values())) > 1:
        desc = ", ".join(f"{k}: {n}" for k, n in lengths.items())
        raise ValueError(f"inputs have different numbers of rows ({desc}); they must match.")
    return next(iter(lengths.values()))


def check_training_data(X, y, n_classes=None) -> tuple[np.ndarray, np.ndarray, int]:
    """Checked features ``X`` (any number of dimensions), labels ``y`` of the same length,
    and the number of classes: ``n_classes`` (at least 2) or ``y.max() + 1``.

    >>> check_training_data([[0.0], [1.0]], [0, 2])[2]
    3
    """
    if n_classes is not None:
        check_positive_int(n_classes, "n_classes", minimum=2)
    X = check_features(X, allow_nd=True)
    y = check_labels(y, n_classes=n_classes)
    check_same_length(X=X, y=y)
    return X, y, int(y.max()) + 1 if n_classes is None else int(n_classes)
