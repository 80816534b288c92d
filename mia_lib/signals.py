"""Membership signals: functions of a model's output, oriented so that higher means "member".

Every signal takes posteriors ``P`` of shape (n, k) and, where it needs them, the true
labels ``y``. They are pure functions; :mod:`mia_lib.attacks` turns them into decisions.

========================  =================================================  ==============
signal                    formula (score, higher = member)                   needs labels
========================  =================================================  ==============
``confidence``            :math:`\\max_i p_i`                                 no
``true_confidence``       :math:`p_y`                                        yes
``loss``                  :math:`-\\ell = \\log p_y` (Yeom et al. 2018)        yes
``entropy``               :math:`\\sum_i p_i \\log p_i` (minus the entropy)    no
``modified_entropy``      :math:`-\\mathrm{Mentr}(p, y)` (Song and Mittal)     yes
``scaled_logit``          :math:`\\log p_y - \\log \\sum_{i \\ne y} p_i` (LiRA)    yes
========================  =================================================  ==============

>>> import numpy as np
>>> P = np.array([[0.9, 0.1], [0.5, 0.5]])
>>> confidence(P)
array([0.9, 0.5])
>>> np.round(loss(P, [0, 1]), 3)
array([-0.105, -0.693])
"""

from __future__ import annotations

import numpy as np

from ._validation import check_labels, check_membership, check_probabilities, check_same_length

__all__ = [
    "EPS",
    "SIGNALS",
    "confidence",
    "true_confidence",
    "loss",
    "entropy",
    "modified_entropy",
    "scaled_logit",
    "compute_signal",
    "needs_labels",
    "top_k_sorted",
    "median_confidence",
]

#: Probabilities are clipped to [EPS, 1] before taking logarithms.
EPS = 1e-12


def _py(P, y):
    P = check_probabilities(P)
    y = check_labels(y, n_classes=P.shape[1])
    check_same_length(posteriors=P, labels=y)
    return P, y


def confidence(P, y=None) -> np.ndarray:
    """Largest posterior of each row (Salem et al.'s adversary 3 signal); ``y`` is ignored."""
    return check_probabilities(P).max(axis=1)


def true_confidence(P, y) -> np.ndarray:
    """Posterior of the true class, :math:`p_y`."""
    P, y = _py(P, y)
    return P[np.arange(len(y)), y]


def loss(P, y) -> np.ndarray:
    """Minus the cross-entropy loss, :math:`\\log p_y`: members have low loss, so high score."""
    return np.log(np.clip(true_confidence(P, y), EPS, 1.0))


def entropy(P, y=None) -> np.ndarray:
    """Minus the Shannon entropy (nats) of each row; ``y`` is ignored.

    >>> entropy([[1.0, 0.0], [0.5, 0.5]]).round(3)
    array([ 0.   , -0.693])
    """
    P = check_probabilities(P)
    return np.sum(P * np.log(np.clip(P, EPS, 1.0)), axis=1)


def modified_entropy(P, y) -> np.ndarray:
    """Minus Song and Mittal's modified entropy.

    :math:`\\mathrm{Mentr}(p, y) = -(1 - p_y)\\log p_y - \\sum_{i \\ne y} p_i \\log(1 - p_i)`.
    Unlike the entropy it uses the label, so a confident *wrong* prediction scores low.

    >>> modified_entropy([[0.99, 0.01], [0.01, 0.99]], [0, 0]).round(3)
    array([-0.   , -9.118])
    """
    P, y = _py(P, y)
    n = np.arange(len(y))
    py = np.clip(P[n, y], EPS, 1.0)
    log_1m = np.log(np.clip(1.0 - P, EPS, 1.0))
    other = P * log_1m
    other[n, y] = 0.0
    mentr = -(1.0 - py) * np.log(py) - other.sum(axis=1)
    return -mentr


def scaled_logit(P, y) -> np.ndarray:
    """Carlini et al.'s (2022) scaled logit of the true class,
    :math:`\\phi(p_y) = \\log \\frac{p_y}{1 - p_y}`, computed as
    :math:`\\log p_y - \\log \\sum_{i \\ne y} p_i` so that a confidence of 0.9999999 keeps
    its digits (``1 - p_y`` would round to 0). Nearly Gaussian across models, which is what
    LiRA's per-record Gaussians need.

    >>> scaled_logit([[0.9, 0.1], [0.5, 0.5], [1.0, 0.0]], [0, 0, 0]).round(3)
    array([ 2.197,  0.   , 27.631])
    """
    P, y = _py(P, y)
    n = np.arange(len(y))
    other = np.where(np.arange(P.shape[1])[None, :] == y[:, None], 0.0, P).sum(axis=1)
    return np.log(np.clip(P[n, y], EPS, 1.0)) - np.log(np.clip(other, EPS, 1.0))


SIGNALS = {
    "confidence": confidence,
    "true_confidence": true_confidence,
    "loss": loss,
    "entropy": entropy,
    "modified_entropy": modified_entropy,
    "scaled_logit": scaled_logit,
}
_LABELLED = {"true_confidence", "loss", "modified_entropy", "scaled_logit"}


def needs_labels(name: str) -> bool:
    """Whether signal ``name`` uses the true label."""
    _check_name(name)
    return name in _LABELLED


def _check_name(name):
    if not isinstance(name, str) or name not in SIGNALS:
        raise ValueError(f"unknown signal {name!r}; choose one of {sorted(SIGNALS)}.")


def compute_signal(name: str, P, y=None) -> np.ndarray:
    """Compute signal ``name`` (a key of :data:`SIGNALS`).

    >>> compute_signal("confidence", [[0.2, 0.8]])
    array([0.8])
    """
    _check_name(name)
    if name in _LABELLED and y is None:
        raise ValueError(f"signal {name!r} needs the true labels y; pass y=...")
    return SIGNALS[name](P, y)


def top_k_sorted(P, k: int = 3) -> np.ndarray:
    """The ``k`` largest posteriors of each row, in decreasing order (ML-Leaks' attack input).

    Rows with fewer than ``k`` classes are padded with zeros, so models with different
    numbers of classes give attack features of the same width.

    >>> top_k_sorted([[0.1, 0.7, 0.2]], k=2)
    array([[0.7, 0.2]])
    """
    P = check_probabilities(P)
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}.")
    S = -np.sort(-P, axis=1)[:, :k]
    if S.shape[1] < k:
        S = np.hstack([S, np.zeros((S.shape[0], k - S.shape[1]))])
    return S


def median_confidence(P, membership) -> dict:
    """Median highest posterior of members and of non-members (where a threshold or an
    attack's boundary must fall to separate them).

    >>> median_confidence([[0.9, 0.1], [0.6, 0.4]], [1, 0])
    {'members': 0.9, 'non_members': 0.6}
    """
    top = confidence(P)
    membership = check_membership(membership)
    check_same_length(posteriors=top, membership=membership)
    return {
        "members": float(np.median(top[membership == 1])),
        "non_members": float(np.median(top[membership == 0])),
    }
