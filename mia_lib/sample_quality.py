"""How good a generator's images are: a Fréchet distance in a classifier's feature space.

Hayes et al. (2019) tie the black-box attack's accuracy to the quality of the images the
attacker trains on. The field's usual measure, the Fréchet Inception distance (Heusel et al.
2017), compares the mean and covariance of two sets of images in the feature space of a
pre-trained Inception network. The book has no pre-trained network (and downloads none),
so :func:`frechet_feature_distance` uses the last hidden layer of a classifier trained on
real images of the same dataset (a :class:`~mia_lib.models.TorchCNNClassifier`): the same
formula in another feature space::

    d² = ‖μ_a − μ_b‖² + tr(Σ_a + Σ_b − 2 (Σ_a Σ_b)^½)

Lower is better; 0 means the two sets have the same feature mean and covariance. Values are comparable only under the same classifier.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import linalg

from ._validation import check_features

__all__ = ["frechet_distance", "frechet_feature_distance"]


def frechet_distance(A, B) -> float:
    """The Fréchet distance between Gaussians fitted to the rows of ``A`` and of ``B``.

    >>> rng = np.random.default_rng(0)
    >>> a, b = rng.normal(size=(2000, 3)), rng.normal(size=(2000, 3))
    >>> round(frechet_distance(a, b), 1), round(frechet_distance(a, b + 2.0))
    (0.0, 12)
    """
    A = check_features(np.asarray(A, dtype=np.float64), "A")
    B = check_features(np.asarray(B, dtype=np.float64), "B")
    if A.shape[1] != B.shape[1]:
        raise ValueError(f"A and B must have the same features, got {A.shape[1]} and {B.shape[1]}.")
    if min(len(A), len(B)) < 2:
        raise ValueError("A and B need at least 2 rows each (a covariance).")
    mu = A.mean(0) - B.mean(0)
    sa, sb = np.atleast_2d(np.cov(A, rowvar=False)), np.atleast_2d(np.cov(B, rowvar=False))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", linalg.LinAlgWarning)
        root = linalg.sqrtm(sa @ sb)
    if caught or not np.all(np.isfinite(root)):
        # singular covariances (constant features): the usual remedy, a small ridge
        eye = 1e-6 * np.eye(len(sa))
        root = linalg.sqrtm((sa + eye) @ (sb + eye))
    root = np.real(root)  # imaginary parts are round-off
    return float(max(mu @ mu + np.trace(sa + sb - 2 * root), 0.0))


def frechet_feature_distance(classifier, real, generated) -> float:
    """:func:`frechet_distance` between ``real`` and ``generated`` images, in the feature
    space of a fitted torch classifier's last hidden layer (its ``hidden_features``)."""
    for name in ("hidden_features",):
        if not hasattr(classifier, name):
            raise TypeError(
                "classifier must be a fitted TorchCNNClassifier or TorchMLPClassifier, got "
                f"{type(classifier).__name__}."
            )
    return frechet_distance(classifier.hidden_features(real), classifier.hidden_features(generated))
