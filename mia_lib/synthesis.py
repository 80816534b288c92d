"""Data for shadow models when the attacker has no real records (Shokri et al. 2017, Sec. V-C).

Shadow training needs records that resemble the target's training data. Shokri et al. list
three ways for an attacker to get them, and this module implements each:

* **Model-based synthesis** (:func:`hill_climb_synthesize`, :class:`ModelBasedSynthesizer`):
  their Algorithm 1. A random binary record is changed, a few features at a time, by hill
  climbing on the target model's confidence in a chosen class ``c``, queried through the
  black box; once the target classifies the record as ``c`` with confidence above
  ``conf_min``, the record is kept with probability equal to that confidence. It needs only
  query access to the target, no data at all, and costs queries.
* **Statistics-based synthesis** (:func:`marginal_synthesize`): every feature is drawn
  independently from its marginal distribution. Shokri et al. assume the attacker knows the
  marginals of the population; we use the per-class marginals, so each synthetic record comes
  with a label.
* **Noisy real data** (:func:`noisy_copies`): real records from the same population with a
  share of their features flipped (Shokri et al. flip 10% or 20% of the binary features), a
  model of an attacker whose data is only roughly like the target's.

>>> import numpy as np
>>> X = np.array([[1, 0, 0, 0], [0, 1, 1, 1]])
>>> (noisy_copies(X, 0.5, random_state=0) != X).sum(axis=1).tolist()   # 2 of 4 flipped
[2, 2]
"""

from __future__ import annotations

import numbers

import numpy as np

from ._validation import (
    check_features,
    check_labels,
    check_positive_int,
    check_probability,
    check_same_length,
)
from .hillclimb import HillClimbResult, ModelBasedSynthesizer, flip_features, hill_climb_synthesize
from .seeding import generator

__all__ = [
    "HillClimbResult",
    "ModelBasedSynthesizer",
    "hill_climb_synthesize",
    "marginal_synthesize",
    "noisy_copies",
    "random_queries",
]

# -------------------------------------------------------------------- statistics-based


def marginal_synthesize(X, y, n, *, n_classes: int | None = None, random_state=None):
    """Sample records feature by feature from the per-class marginal distributions of ``X``.

    Shokri et al.'s *statistics-based synthesis*: the attacker knows the marginal distribution
    of each feature and samples every feature independently. We estimate the marginals
    within each class from the records ``X, y`` the attacker has (for binary features this
    is just the share of ones, 446 x 30 numbers for Locations), so that each synthetic
    record has a label; correlations between features are lost. Each feature's value is
    drawn from the empirical distribution of that feature in the class (for binary data:
    Bernoulli with the class's share of ones), so continuous features keep their observed
    values too.

    Parameters
    ----------
    X : array (n_records, n_features), the records whose statistics are used.
    y : labels ``0..n_classes-1``.
    n : records to synthesize; an int (spread over the classes in the proportions of ``y``,
        largest remainders first) or a sequence with one count per class.
    n_classes : number of classes (default ``y.max() + 1``); classes absent from ``y`` get
        no records and must have count 0.
    random_state : None, int, RandomState or Generator.

    Returns
    -------
    ``(X_syn, y_syn)``: float32 records and int64 labels, grouped by class.

    >>> import numpy as np
    >>> X = np.array([[1, 0], [1, 1], [0, 0], [0, 0]]); y = np.array([0, 0, 1, 1])
    >>> Xs, ys = marginal_synthesize(X, y, 400, random_state=0)
    >>> np.bincount(ys).tolist(), float(Xs[ys == 0, 0].mean()), float(Xs[ys == 1].sum())
    ([200, 200], 1.0, 0.0)
    """
    if n_classes is not None:
        n_classes = check_positive_int(n_classes, "n_classes")
    X = check_features(X)
    y = check_labels(y, n_classes=n_classes)
    check_same_length(X=X, y=y)
    k = int(y.max()) + 1 if n_classes is None else n_classes
    counts = np.bincount(y, minlength=k)
    if isinstance(n, numbers.Integral) and not isinstance(n, bool):
        total = check_positive_int(n, "n")
        share = counts / counts.sum() * total
        per_class = np.floor(share).astype(np.int64)
        rest = total - per_class.sum()
        order = np.argsort(-(share - per_class), kind="stable")
        per_class[order[:rest]] += 1
    else:
        per_class = np.asarray(n)
        if per_class.shape != (k,) or not np.issubdtype(per_class.dtype, np.integer):
            raise ValueError(
                f"n must be an int or a sequence of {k} integer counts (one per class), got {n!r}."
            )
        if np.any(per_class < 0):
            raise ValueError("per-class counts in n must be non-negative.")
        per_class = per_class.astype(np.int64)
    empty = np.flatnonzero((counts == 0) & (per_class > 0))
    if empty.size:
        raise ValueError(
            f"class {int(empty[0])} has no records in y, so it has no marginals to sample "
            "from; ask for 0 records of it."
        )
    rng = generator(random_state)
    Xs, ys = [], []
    for c in range(k):
        m = int(per_class[c])
        if m == 0:
            continue
        Xc = X[y == c]
        # for each feature independently, pick the value of a random record of the class
        rows = rng.integers(0, len(Xc), size=(m, X.shape[1]))
        Xs.append(np.take_along_axis(Xc, rows, axis=0))
        ys.append(np.full(m, c, dtype=np.int64))
    if not Xs:
        raise ValueError("n asks for 0 records; ask for at least one.")
    return np.vstack(Xs).astype(np.float32), np.concatenate(ys)


# ----------------------------------------------------------------------- noisy real data


def noisy_copies(X, fraction: float, *, kind: str = "auto", random_state=None) -> np.ndarray:
    """Copies of real records with a share ``fraction`` of their features perturbed.

    Shokri et al.'s *noisy real data*: the attacker's records come from the same population as
    the target's but are noisy; they simulate this by flipping 10% or 20% of the binary
    features of each record.

    Parameters
    ----------
    X : array (n, n_features).
    fraction : in [0, 1]. For ``kind="flip"``: each record gets exactly
        ``round(fraction * n_features)`` (halves to even) distinct, randomly chosen features
        flipped (0 <-> 1).
        For ``kind="gaussian"``: every feature ``j`` gets independent Gaussian noise of
        standard deviation ``fraction * std_j`` (the feature's standard deviation over ``X``),
        so ``fraction`` is the noise-to-signal ratio.
        For ``kind="marginal"`` (Truex et al.'s noisy attacker): ``round(fraction *
        n_features)`` features, the same for every record, are chosen at random, and in
        every record each of them is replaced by an independent draw from that feature's
        values over ``X`` (its empirical marginal). The noise keeps each feature's
        distribution and destroys its relation to the label and to the other features.
    kind : ``"flip"`` (binary features, 0/1 only), ``"gaussian"`` (continuous features),
        ``"marginal"``, or ``"auto"``: ``"flip"`` if ``X`` holds only 0 and 1, else
        ``"gaussian"``.
    random_state : None, int, Generator or SeedSequence (:mod:`mia_lib.seeding`).

    Returns
    -------
    float32 array of the shape of ``X`` (labels are unchanged: reuse those of ``X``).

    >>> import numpy as np
    >>> X = np.zeros((3, 10))
    >>> (noisy_copies(X, 0.2, random_state=0) != X).sum(axis=1).tolist()
    [2, 2, 2]
    >>> Xm = np.arange(20.0).reshape(5, 4)
    >>> changed = (noisy_copies(Xm, 0.5, kind="marginal", random_state=0) != Xm).any(axis=0)
    >>> int(changed.sum()) <= 2       # two features replaced (a draw may repeat a value)
    True
    >>> noisy_copies([[0.5, 2.0]], 0.1, kind="flip")
    Traceback (most recent call last):
    ...
    ValueError: kind='flip' needs binary features (only 0 and 1); use kind='gaussian' for continuous ones.
    """
    X = check_features(X)
    fraction = check_probability(fraction, "fraction")
    binary = bool(np.all((X == 0) | (X == 1)))
    if kind == "auto":
        kind = "flip" if binary else "gaussian"
    if kind not in ("flip", "gaussian", "marginal"):
        raise ValueError(f"kind must be 'auto', 'flip', 'gaussian' or 'marginal', got {kind!r}.")
    rng = generator(random_state)
    if kind == "marginal":
        d = X.shape[1]
        feats = rng.choice(d, size=int(round(fraction * d)), replace=False)
        out = X.copy()
        rows = rng.integers(0, len(X), size=(len(X), len(feats)))
        out[:, feats] = X[rows, feats[None, :]]
        return out
    if kind == "flip":
        if not binary:
            raise ValueError(
                "kind='flip' needs binary features (only 0 and 1); use kind='gaussian' for "
                "continuous ones."
            )
        n_flip = int(round(fraction * X.shape[1]))
        return flip_features(X, np.full(len(X), n_flip, dtype=np.int64), rng)
    std = X.std(axis=0)
    return (X + rng.normal(size=X.shape) * (fraction * std)).astype(np.float32)


# ----------------------------------------------------------------------- random inputs


def random_queries(shape, n: int, *, random_state=None) -> np.ndarray:
    """``n`` inputs of ``shape`` with every feature uniform on [0, 1] (our features' range):
    random points whose answers tell an attacker how the target treats data it never saw
    (Salem et al.'s adversary 3 chooses its threshold from them).

    >>> random_queries((3,), 2, random_state=0).shape
    (2, 3)
    """
    n = check_positive_int(n, "n")
    given = shape
    if isinstance(shape, numbers.Integral):
        shape = (shape,)
    ok = isinstance(shape, tuple | list) and len(shape) > 0
    ok = ok and all(isinstance(s, numbers.Integral) and not isinstance(s, bool) for s in shape)
    if not ok or min(shape) < 1:
        raise ValueError(
            f"shape must be the positive shape of one record (a tuple of ints such as (446,) "
            f"or (3, 32, 32)), got {given!r}."
        )
    shape = tuple(int(s) for s in shape)
    rng = generator(random_state)
    return rng.uniform(0.0, 1.0, size=(n, *shape)).astype(np.float32)
