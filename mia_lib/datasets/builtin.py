"""Datasets that need no files: scikit-learn's digits and seeded synthetic classes."""

from __future__ import annotations

import numbers
from pathlib import Path

import numpy as np

from ..seeding import generator
from .base import Dataset, DatasetSpec
from .verify import all_train, check_dtype, finish


def read_digits(
    spec: DatasetSpec, root: Path, *, as_images: bool = False, dtype=np.float32
) -> Dataset:
    from sklearn.datasets import load_digits

    dt = check_dtype(dtype, allow_uint8=False)
    d = load_digits()
    X = (d.data / 16.0).astype(dt)
    shape = None
    names = [f"pixel_{r}_{c}" for r in range(8) for c in range(8)]
    if as_images:
        X, shape, names = X.reshape(-1, 1, 8, 8), (1, 8, 8), None
    return finish(
        spec, spec.forms[0], X=X, y=d.target.astype(np.int64), n_classes=10,
        part=all_train(len(X)), feature_names=names, class_names=[str(i) for i in range(10)],
        image_shape=shape, notes="Pixel counts 0..16 divided by 16 to lie in [0, 1].",
    )  # fmt: skip


def read_synthetic(
    spec: DatasetSpec,
    root: Path,
    *,
    n_samples: int = 1000,
    n_features: int = 20,
    n_classes: int = 2,
    class_sep: float = 1.0,
    cluster_std: float = 1.0,
    random_state: int | None = 0,
    dtype=np.float32,
) -> Dataset:
    for nm, v, lo in (("n_samples", n_samples, 1), ("n_features", n_features, 1),
                      ("n_classes", n_classes, 2)):  # fmt: skip
        if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < lo:
            raise ValueError(f"{nm} must be an integer >= {lo}, got {v!r}.")
    if n_samples < n_classes:
        raise ValueError(f"n_samples ({n_samples}) must be at least n_classes ({n_classes}).")
    for nm, v in (("class_sep", class_sep), ("cluster_std", cluster_std)):
        if (
            isinstance(v, bool)
            or not isinstance(v, numbers.Real)
            or not (0 <= float(v) < float("inf"))
        ):
            raise ValueError(f"{nm} must be a finite number >= 0, got {v!r}.")
    if n_samples * n_features > 2**31:
        raise ValueError(
            f"n_samples * n_features = {n_samples * n_features:,} values is too many for a "
            "generated dataset (at most 2**31); ask for fewer."
        )
    dt = check_dtype(dtype, allow_uint8=False)
    rng = generator(random_state)
    centres = rng.normal(0.0, class_sep, size=(n_classes, n_features))
    y = rng.permutation(np.arange(n_samples) % n_classes).astype(np.int64)
    X = centres[y] + rng.normal(0.0, cluster_std, size=(n_samples, n_features))
    return finish(
        spec, spec.forms[0], X=X.astype(dt), y=y, n_classes=int(n_classes),
        part=all_train(n_samples), feature_names=[f"x{i}" for i in range(n_features)],
        class_names=[f"class {i}" for i in range(n_classes)],
        notes=(
            f"Class centres drawn from N(0, {class_sep}^2 I); each record is its class centre "
            f"plus N(0, {cluster_std}^2 I) noise (in-class standard deviation {cluster_std} "
            f"per feature); classes balanced to within one record; random_state={random_state}."
        ),
    )  # fmt: skip
