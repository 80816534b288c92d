"""The Dataset returned by the loaders, and the specifications of datasets and their files."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True, eq=False, repr=False)
class Dataset:
    """A loaded dataset: arrays plus the metadata the book cites.

    Attributes
    ----------
    X : np.ndarray
        Features, shape (n, d) for tabular data or (n, C, H, W) for images (channels first,
        values in [0, 1] when float). float32 unless another ``dtype`` was asked for.
    y : np.ndarray
        int64 labels in ``0..n_classes-1``.
    n_classes : int
    name, description : str
    citation : str
        BibTeX key in ``book/references.bib``.
    files : list of str
        Source files used, relative to the data directory.
    lossy : bool
        The pixels are a lossy re-encoding of the canonical data (CIFAR-10 JPEGs).
    partial : bool
        Only part of the canonical records are present (MNIST without its training images).
    part : np.ndarray of str
        ``"train"`` or ``"test"`` per record: the official part. Datasets without an
        official split are all ``"train"``.
    feature_names : list of str or None
    class_names : list of str
    source_url : str
        The canonical origin.
    notes : str
        What differs from the canonical data (partial, lossy, unverified) and how encoded.
    image_shape : tuple or None
        (C, H, W) for image datasets.

    The property :attr:`fingerprint` is the sha256 of the content: the same data give the
    same fingerprint on every machine, however their files were compressed.
    """

    X: np.ndarray
    y: np.ndarray
    n_classes: int
    name: str
    description: str
    citation: str
    files: list[str]
    lossy: bool
    partial: bool
    part: np.ndarray
    feature_names: list[str] | None
    class_names: list[str]
    source_url: str
    notes: str = ""
    image_shape: tuple[int, ...] | None = None

    def __len__(self) -> int:
        return int(self.X.shape[0])

    @property
    def n_features(self) -> int:
        """Number of input values per record (C*H*W for images)."""
        return int(np.prod(self.X.shape[1:]))

    @property
    def fingerprint(self) -> str:
        """sha256 (hex) of the dataset's content, independent of its files' encoding.

        Hashed, in this order: a version tag; the shape of ``X`` and ``X`` itself as
        little-endian float32 in C order; the shape of ``y`` and ``y`` as little-endian
        int64; the official part (``"train"``/``"test"``) of every record. Nothing else:
        not the file names, the gzip wrappers (Fashion-MNIST's offline copies are re-gzipped
        but give the upstream fingerprint), the metadata or the machine. A dataset loaded
        with ``dtype=np.uint8`` holds other numbers (0..255, not 0..1) and has another
        fingerprint; one loaded as float64 has the float32 one. Computed from the arrays at
        each access (about 0.4 s for CIFAR-10), so it follows in-place changes.
        :func:`mia_lib.datasets.loaded_datasets` lists the fingerprints of every dataset
        loaded in this process.

        >>> from mia_lib.datasets import load_dataset
        >>> load_dataset("digits").fingerprint[:16]
        'e76113e4558f9f1e'
        >>> load_dataset("digits", dtype=np.float64).fingerprint[:16]
        'e76113e4558f9f1e'
        """
        h = hashlib.sha256(b"mia_lib.Dataset.fingerprint v1\n")
        X = np.asarray(self.X)
        h.update(f"X float32 <f4 C shape={tuple(X.shape)}\n".encode())
        row = max(1, int(np.prod(X.shape[1:], dtype=np.int64)))
        step = max(1, (1 << 22) // row)  # blocks of about 16 MB as float32
        for i in range(0, len(X), step):
            h.update(np.ascontiguousarray(X[i : i + step], dtype="<f4"))
        y = np.asarray(self.y)
        h.update(f"\ny int64 <i8 shape={tuple(y.shape)}\n".encode())
        h.update(np.ascontiguousarray(y, dtype="<i8"))
        h.update(b"\npart\n")
        h.update("\n".join(np.asarray(self.part).astype(str).tolist()).encode())
        return h.hexdigest()

    def class_counts(self) -> np.ndarray:
        """Number of records per class, length ``n_classes``.

        >>> from mia_lib.datasets import load_dataset
        >>> load_dataset("synthetic", n_samples=10, n_classes=2).class_counts()
        array([5, 5])
        """
        return np.bincount(self.y, minlength=self.n_classes)

    def subset(self, indices) -> Dataset:
        """A new :class:`Dataset` with only the records at ``indices`` (same metadata).

        >>> from mia_lib.datasets import load_dataset
        >>> len(load_dataset("digits").subset([0, 1, 2]))
        3
        """
        idx = np.asarray(indices)
        n = len(self)
        if idx.dtype == bool:
            if idx.shape != (n,):
                raise IndexError(
                    f"subset: a boolean mask must have one entry per record ({n}), got shape "
                    f"{idx.shape}."
                )
        elif idx.ndim != 1 or not (np.issubdtype(idx.dtype, np.integer) or idx.size == 0):
            raise IndexError(
                f"subset: indices must be a 1-D array of integers (or a boolean mask), got "
                f"{idx.dtype} of shape {idx.shape}."
            )
        else:
            idx = idx.astype(np.int64)
            if idx.size and (idx.min() < -n or idx.max() >= n):
                raise IndexError(
                    f"subset: indices must lie in 0..{n - 1} (or -{n}..-1), got "
                    f"{idx.min()}..{idx.max()}."
                )
        return dataclasses.replace(self, X=self.X[idx], y=self.y[idx], part=self.part[idx])

    def __repr__(self) -> str:
        order = ["train", "test"] + sorted(set(self.part.tolist()) - {"train", "test"})
        split = ", ".join(f"{p}: {int(np.sum(self.part == p))}" for p in order if p in self.part)
        flags = [f for f, on in (("lossy", self.lossy), ("partial", self.partial)) if on]
        return (
            f"Dataset({self.name!r}, X={self.X.dtype}{tuple(self.X.shape)}, "
            f"y=int64({len(self.y)}), n_classes={self.n_classes}, parts={{{split}}}"
            + (f", {'/'.join(flags)}" if flags else "")
            + f", citation={self.citation!r})"
        )


# =========================================================================== registry


@dataclass(frozen=True)
class SourceFile:
    """One source file: where it lives under the data directory and how it is verified.

    ``sha256`` is the digest of the file as published (``None``: no digest is known, the file
    is used unverified with an :class:`~mia_lib.download.UnverifiedFileWarning`).
    ``alt_sha256`` lists other accepted whole-file digests; ``content_sha256`` is the digest
    of the decompressed bytes of a ``.gz`` file, so that re-gzipped copies are accepted.
    """

    path: str  # relative to the data directory: "<subdir>/<file>"
    url: str | None
    sha256: str | None
    alt_sha256: tuple[str, ...] = ()
    content_sha256: str | None = None
    size: int | None = None

    @property
    def accepted(self) -> tuple[str, ...]:
        return ((self.sha256,) if self.sha256 else ()) + tuple(self.alt_sha256)


@dataclass(frozen=True)
class Form:
    """A complete set of files from which a dataset can be loaded."""

    key: str
    files: tuple[str, ...]  # keys of FILES
    lossy: bool = False
    partial: bool = False
    note: str = ""


@dataclass(frozen=True)
class DatasetSpec:
    """Registry entry of one dataset; the book's datasets appendix is generated from it."""

    name: str
    title: str
    description: str
    citation: str
    source_url: str
    license: str
    n_records: int | None
    record_shape: str
    n_classes: int | str
    forms: tuple[Form, ...]  # forms[0] is the canonical, downloadable one
    loader: Callable[..., Dataset]
    notes: str = ""
    options: dict[str, str] = field(default_factory=dict)
