"""The book's datasets, loaded into numeric arrays with their metadata.

:func:`load_dataset` returns a :class:`Dataset`: ``X`` (float32; images channels-first in
[0, 1]), ``y`` (int64 labels 0..n_classes-1), the official train/test part of each record,
and everything the book needs to say where the data came from (description, BibTeX key,
source URL, files used, and whether the copy is lossy or partial).

Source files are looked up at ``<data_dir>/<subdir>/<file>``, where ``data_dir`` is the
explicit argument, else ``$MIA_DATA_DIR``, else ``data/`` in the repository (see
:func:`mia_lib.download.data_dir`). Every file is verified by its sha256 before it is parsed
(Purchase and Texas, which have no published sha256, are read to their end with their CRC
instead); a damaged file is a :class:`CorruptFileError` that names it and says to delete it.
A missing file is downloaded when the data directory is writable; otherwise the error names
the URL, the path to place the file at and its sha256. Some offline copies are not the
canonical files (CIFAR-10 as JPEG, a partial MNIST, re-gzipped idx files): the loaders accept
them, and the :class:`Dataset` says so in ``lossy``, ``partial`` and ``notes``.

Derived caches (decoded JPEGs, parsed CSVs, k-means labels of Purchase) are written to
:func:`mia_lib.download.cache_dir`, keyed by the sha256 of the source files, never into the
data directory; each carries the shape and sha256 of what it holds and is rebuilt when it
does not match.

Every loaded dataset has a content fingerprint (:attr:`Dataset.fingerprint`, the sha256 of
its arrays, the same on every machine however the files were compressed), and
:func:`loaded_datasets` lists those of every dataset loaded in this process, so that a
notebook can record which data its outputs came from.

>>> ds = load_dataset("digits")
>>> ds.X.shape, ds.n_classes, ds.citation
((1797, 64), 10, 'pedregosa2011scikit')
>>> ds.fingerprint == loaded_datasets()["digits[as_images=False,dtype=float32]"]
True

The package holds the :class:`Dataset` and the specifications (``base``), the source files and
their checksums (``files``), verification and caching (``verify``), the loaders (``tabular``,
``images``, ``builtin``), the registry of datasets (``registry``) and the public functions
(``load``).
"""

from __future__ import annotations

from ..download import (
    ChecksumMismatchError,
    CorruptFileError,
    DatasetUnavailableError,
    MiaDataError,
)
from .base import Dataset, DatasetSpec, Form, SourceFile
from .files import FILES
from .load import available_datasets, dataset_catalog, load_dataset, loaded_datasets
from .measures import in_class_std, relative_in_class_std
from .registry import DATASETS
from .tabular import recluster_labels

__all__ = [
    "in_class_std",
    "relative_in_class_std",
    "Dataset",
    "SourceFile",
    "Form",
    "DatasetSpec",
    "FILES",
    "DATASETS",
    "load_dataset",
    "loaded_datasets",
    "available_datasets",
    "dataset_catalog",
    "recluster_labels",
    "MiaDataError",
    "DatasetUnavailableError",
    "ChecksumMismatchError",
    "CorruptFileError",
]
