"""Loaders of the tabular datasets (Adult, Locations, Purchase, Texas) and k-means re-clustering."""

from __future__ import annotations

import numbers
from pathlib import Path

import numpy as np

from .._validation import check_features
from ..download import CorruptFileError
from ..seeding import int_seed
from .base import Dataset, DatasetSpec
from .files import FILES
from .verify import (
    DELETE_HINT,
    all_train,
    as_binary_dtype,
    cache_load,
    cache_save,
    check_binary,
    check_dtype,
    check_label_range,
    count_note,
    finish,
    open_tar,
    read_csv_uint8,
    resolve_form,
    tar_member,
    verify_source,
)

_ADULT_COLUMNS = [
    "age",
    "workclass",
    "fnlwgt",
    "education",
    "education-num",
    "marital-status",
    "occupation",
    "relationship",
    "race",
    "sex",
    "capital-gain",
    "capital-loss",
    "hours-per-week",
    "native-country",
    "income",
]
_ADULT_NUMERIC = [
    "age",
    "fnlwgt",
    "education-num",
    "capital-gain",
    "capital-loss",
    "hours-per-week",
]


def read_adult(
    spec: DatasetSpec,
    root: Path,
    *,
    download: bool | None = None,
    encoding: str = "onehot",
    scale: str | None = "minmax",
) -> Dataset:
    import pandas as pd

    if encoding not in ("onehot", "ordinal"):
        raise ValueError(f"encoding must be 'onehot' or 'ordinal', got {encoding!r}.")
    if scale not in ("minmax", "standard", None):
        raise ValueError(f"scale must be 'minmax', 'standard' or None, got {scale!r}.")
    form = resolve_form(spec, root, download)
    frames = []
    for key, part in zip(form.files, ("train", "test"), strict=True):
        path = root / key
        verify_source(path, FILES[key])
        # adult.test starts with the line "|1x3 Cross validator": lines starting with "|" are
        # skipped; "?" (missing) is kept as its own category (na_filter=False).
        try:
            df = pd.read_csv(
                path, header=None, names=_ADULT_COLUMNS, skipinitialspace=True, comment="|",
                na_filter=False,
            )  # fmt: skip
        except (ValueError, UnicodeDecodeError) as exc:
            raise CorruptFileError(f"{path}: not the Adult CSV ({exc}). " + DELETE_HINT) from exc
        df["__part"] = part
        frames.append(df)
    df = pd.concat(frames, ignore_index=True)
    income = df["income"].astype(str).str.rstrip(".")
    if not set(income.unique()) <= {"<=50K", ">50K"}:
        raise CorruptFileError(
            f"{root / form.files[0]} or {root / form.files[1]}: unexpected income values "
            f"{sorted(set(income))[:5]}. " + DELETE_HINT
        )
    y = (income == ">50K").to_numpy().astype(np.int64)

    blocks, names = [], []
    for col in _ADULT_COLUMNS[:-1]:
        if col in _ADULT_NUMERIC:
            try:
                v = pd.to_numeric(df[col], errors="raise").to_numpy(dtype=np.float64)
            except (ValueError, TypeError) as exc:
                raise CorruptFileError(
                    f"{root / form.files[0]} or {root / form.files[1]}: column {col!r} is not "
                    f"numeric ({exc}). " + DELETE_HINT
                ) from exc
            if scale == "minmax":
                v = (v - v.min()) / (v.max() - v.min())
            elif scale == "standard":
                v = (v - v.mean()) / v.std()
            blocks.append(v[:, None])
            names.append(col)
        else:
            values = df[col].astype(str).to_numpy()
            cats = sorted(set(values))
            codes = np.searchsorted(np.asarray(cats), values)
            if encoding == "onehot":
                blocks.append(np.eye(len(cats))[codes])
                names.extend(f"{col}={c}" for c in cats)
            else:
                blocks.append(codes[:, None].astype(np.float64))
                names.append(col)
    X = np.hstack(blocks).astype(np.float32)
    how = {
        "minmax": "min-max scaled to [0, 1]",
        "standard": "standardised (zero mean, unit variance)",
        None: "left unscaled",
    }[scale]
    enc = "one-hot" if encoding == "onehot" else "integer codes (sorted category order)"
    notes = (
        f"Categorical attributes as {enc}, '?' (missing) kept as its own category; the six "
        f"numeric attributes (fnlwgt included, the census sampling weight) {how} using "
        "statistics of all 48,842 records. adult.test labels lose their trailing '.'."
    )
    return finish(
        spec, form, X=X, y=y, n_classes=2, part=df["__part"].to_numpy().astype("<U5"),
        feature_names=names, class_names=["<=50K", ">50K"], notes=notes,
    )  # fmt: skip


def read_locations(
    spec: DatasetSpec, root: Path, *, download: bool | None = None, dtype=np.float32
) -> Dataset:

    check_dtype(dtype, allow_uint8=True)
    form = resolve_form(spec, root, download)
    path = root / form.files[0]
    verify_source(path, FILES[form.files[0]])
    if form.key == "canonical":
        with open_tar(path, FILES[form.files[0]]) as tar:
            raw = read_csv_uint8(tar_member(tar, r"(^|/)bangkok$", path), str(path))
        if raw.ndim != 2 or raw.shape[1] < 2:
            raise CorruptFileError(f"{path}: expected a label column and features. " + DELETE_HINT)
        labels, X = raw[:, 0].astype(np.int64), np.ascontiguousarray(raw[:, 1:])
    else:
        try:
            with np.load(path, allow_pickle=False) as z:
                X, labels = z["X"], z["y"]
        except (OSError, ValueError, KeyError, EOFError) as exc:
            raise CorruptFileError(
                f"{path}: not an npz file with arrays X and y ({type(exc).__name__}: {exc}). "
                + DELETE_HINT
            ) from exc
        if (
            X.ndim != 2
            or labels.shape != (len(X),)
            or not (np.issubdtype(X.dtype, np.integer) and np.issubdtype(labels.dtype, np.integer))
        ):
            raise CorruptFileError(
                f"{path}: X should be a 2-D integer array and y one integer label per row, "
                f"got X {X.dtype}{X.shape} and y {labels.dtype}{labels.shape}. " + DELETE_HINT
            )
        check_binary(X, str(path))
        if X.size and X.min() < 0:
            raise CorruptFileError(f"{path}: features should be binary (0/1). " + DELETE_HINT)
        X, labels = X.astype(np.uint8), labels.astype(np.int64)
    check_label_range(labels, 1, 30, str(path))
    check_binary(X, str(path))
    note = count_note(spec, len(labels))
    return finish(
        spec, form, X=as_binary_dtype(X, dtype), y=labels - 1, n_classes=30, part=all_train(len(X)),
        feature_names=[f"region_{i}" for i in range(X.shape[1])],
        class_names=[str(i) for i in range(1, 31)], notes=note,
    )  # fmt: skip


def _parsed_tabular(spec, root, form, digest, parse) -> tuple[np.ndarray, np.ndarray]:
    """Parse once, then reuse a bit-packed cache keyed by the archive's sha256."""
    cached = cache_load(f"{spec.name}-parsed", digest, root, ("Xbits", "d", "labels"))
    if cached is not None:
        X = np.unpackbits(cached["Xbits"], axis=1, count=int(cached["d"]))
        return X, cached["labels"]
    X, labels = parse()
    cache_save(
        f"{spec.name}-parsed", digest, root,
        Xbits=np.packbits(X, axis=1), d=np.int64(X.shape[1]), labels=labels,
    )  # fmt: skip
    return X, labels


def recluster_labels(X, n_classes: int, *, random_state=0, minibatch: bool = False) -> np.ndarray:
    """New labels ``0..n_classes-1`` for ``X`` by k-means, as Shokri et al. made Purchase-2...100.

    The records are clustered on their features and the cluster becomes the label. Clusters
    are numbered by decreasing size (label 0 is the largest), so the labels do not depend on
    k-means' internal order. ``minibatch=True`` uses MiniBatchKMeans for large data.

    ``X`` must be numeric, finite and at least 2-D (records first; images are flattened),
    ``n_classes`` an integer from 2 to the number of records, ``random_state`` None, an int in
    0..2**32-1 or a ``numpy.random.RandomState``; anything else is a ValueError or TypeError
    saying what was wrong.

    >>> X = np.r_[np.zeros((5, 2)), np.ones((3, 2))]
    >>> recluster_labels(X, 2).tolist()
    [0, 0, 0, 0, 0, 1, 1, 1]
    >>> recluster_labels(X, 9)
    Traceback (most recent call last):
    ...
    ValueError: n_classes must be an integer from 2 to the number of records (8), got 9.
    """
    from sklearn.cluster import KMeans, MiniBatchKMeans

    X2 = check_features(X, "X", allow_nd=True)
    X2 = X2.reshape(len(X2), -1)
    if (
        isinstance(n_classes, bool)
        or not isinstance(n_classes, numbers.Integral)
        or not 2 <= n_classes <= len(X2)
    ):
        raise ValueError(
            f"n_classes must be an integer from 2 to the number of records ({len(X2)}), got "
            f"{n_classes!r}."
        )
    n_classes = int(n_classes)
    random_state = None if random_state is None else int_seed(random_state)
    if not isinstance(minibatch, bool | np.bool_):
        raise TypeError(f"minibatch must be True or False, got {minibatch!r}.")
    if minibatch:
        km = MiniBatchKMeans(
            n_clusters=n_classes, random_state=random_state, n_init=3, batch_size=4096
        )
    else:
        km = KMeans(n_clusters=n_classes, n_init=3, random_state=random_state)
    raw = km.fit_predict(X2)
    order = np.argsort(-np.bincount(raw, minlength=n_classes), kind="stable")
    relabel = np.empty(n_classes, dtype=np.int64)
    relabel[order] = np.arange(n_classes)
    return relabel[raw]


def _check_seed(seed, name: str):
    """None, an int in 0..2**32-1 or a RandomState, as scikit-learn accepts."""
    if seed is None or isinstance(seed, np.random.RandomState):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(
            f"{name} must be None, an integer in 0..2**32-1 or a numpy RandomState, got "
            f"{type(seed).__name__} {seed!r}."
        )
    if not 0 <= seed < 2**32:
        raise ValueError(f"{name} must be an integer in 0..2**32-1, got {seed!r}.")
    return int(seed)


def _kmeans_labels(X: np.ndarray, k: int, seed: int, digest: str, root: Path) -> np.ndarray:
    key = f"{digest[:24]}-k{k}-s{seed}"
    cached = cache_load("purchase-kmeans-v1", key, root, ("labels",))
    if cached is not None:
        return cached["labels"]
    labels = recluster_labels(X, k, random_state=seed, minibatch=True)
    cache_save("purchase-kmeans-v1", key, root, labels=labels)
    return labels


def read_purchase(
    spec: DatasetSpec,
    root: Path,
    *,
    download: bool | None = None,
    n_classes: int = 100,
    cluster_seed: int = 0,
    dtype=np.float32,
) -> Dataset:
    if (
        isinstance(n_classes, bool)
        or not isinstance(n_classes, numbers.Integral)
        or not 2 <= n_classes <= 100
    ):
        raise ValueError(
            f"n_classes must be an integer in 2..100 (Shokri et al. used 2, 10, 20, 50, 100), "
            f"got {n_classes!r}."
        )
    if isinstance(cluster_seed, bool) or not isinstance(cluster_seed, numbers.Integral):
        raise TypeError(
            f"cluster_seed must be an integer in 0..2**32-1 (it also names the cache), got "
            f"{type(cluster_seed).__name__} {cluster_seed!r}."
        )
    cluster_seed = _check_seed(cluster_seed, "cluster_seed")
    check_dtype(dtype, allow_uint8=True)
    form = resolve_form(spec, root, download)
    path = root / form.files[0]
    digest = verify_source(path, FILES[form.files[0]])

    def parse():
        with open_tar(path, FILES[form.files[0]]) as tar:
            raw = read_csv_uint8(tar_member(tar, r"(^|/)dataset_purchase$", path), str(path))
        if raw.ndim != 2 or raw.shape[1] < 2:
            raise CorruptFileError(
                f"{path}: expected a label column and 600 features. " + DELETE_HINT
            )
        X, labels = np.ascontiguousarray(raw[:, 1:]), raw[:, 0].copy()
        check_label_range(labels, 1, 100, str(path))
        check_binary(X, str(path))
        return X, labels

    X, labels = _parsed_tabular(spec, root, form, digest, parse)
    note = count_note(spec, len(labels))
    if n_classes == 100:
        y = labels.astype(np.int64) - 1
        class_names = [str(i) for i in range(1, 101)]
        how = "The 100 classes are Shokri et al.'s published labels (1..100, shifted to 0..99)."
    else:
        y = _kmeans_labels(X, int(n_classes), int(cluster_seed), digest, root)
        class_names = [f"cluster {i}" for i in range(n_classes)]
        how = (
            f"The {n_classes} classes are k-means clusters of the 600 features (scikit-learn "
            f"MiniBatchKMeans, random_state={cluster_seed}, numbered by decreasing size), as "
            "Shokri et al. re-clustered Purchase for fewer classes; our clusters are not theirs."
        )
    return finish(
        spec, form, X=as_binary_dtype(X, dtype), y=y, n_classes=int(n_classes), part=all_train(len(y)),
        feature_names=[f"product_{i}" for i in range(X.shape[1])], class_names=class_names,
        notes=" ".join(s for s in (how, note) if s),
    )  # fmt: skip


def read_texas(
    spec: DatasetSpec, root: Path, *, download: bool | None = None, dtype=np.float32
) -> Dataset:
    check_dtype(dtype, allow_uint8=True)
    form = resolve_form(spec, root, download)
    path = root / form.files[0]
    digest = verify_source(path, FILES[form.files[0]])

    def parse():
        with open_tar(path, FILES[form.files[0]]) as tar:
            X = read_csv_uint8(tar_member(tar, r"(^|/)100/feats$", path), f"{path} feats")
            labels = read_csv_uint8(tar_member(tar, r"(^|/)100/labels$", path), f"{path} labels")
        labels = labels.reshape(-1)
        if len(labels) != len(X):
            raise CorruptFileError(
                f"{path}: {len(X)} feature rows but {len(labels)} labels. " + DELETE_HINT
            )
        check_label_range(labels, 1, 100, str(path))
        check_binary(X, str(path))
        return np.ascontiguousarray(X), labels

    X, labels = _parsed_tabular(spec, root, form, digest, parse)
    note = count_note(spec, len(labels))
    return finish(
        spec, form, X=as_binary_dtype(X, dtype), y=labels.astype(np.int64) - 1, n_classes=100,
        part=all_train(len(X)), feature_names=[f"attribute_{i}" for i in range(X.shape[1])],
        class_names=[str(i) for i in range(1, 101)], notes=note,
    )  # fmt: skip
