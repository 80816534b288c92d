"""The public functions: load a dataset, list what is available, describe the catalogue."""

from __future__ import annotations

import inspect
import os

import numpy as np

from ..download import data_dir as _data_dir
from ..download import is_writable
from .base import Dataset
from .files import FILES
from .registry import DATASETS, _spec
from .verify import _missing


def load_dataset(name: str, data_dir: str | os.PathLike | None = None, **options) -> Dataset:
    """Load dataset ``name`` with its official parts joined, as numeric arrays plus metadata.

    Parameters
    ----------
    name : str
        One of ``adult``, ``locations``, ``purchase``, ``texas``, ``mnist``,
        ``fashion_mnist``, ``cifar10``, ``cifar100``, ``digits``, ``synthetic``
        (see :func:`dataset_catalog` for what each holds).
    data_dir : path, optional
        Where the source files live (``<data_dir>/<subdir>/<file>``); defaults to
        ``$MIA_DATA_DIR``, then ``data/`` in the repository.
    **options
        Dataset-specific options (``dataset_catalog()`` lists them), e.g.
        ``encoding="ordinal"`` for adult, ``n_classes=20`` for purchase,
        ``label="coarse"`` for cifar100, ``allow_partial=False`` for mnist,
        ``dtype=np.uint8`` for images, ``download=False`` to never download.

    Returns
    -------
    Dataset

    Raises
    ------
    DatasetUnavailableError
        A file is missing and cannot be downloaded (offline or read-only data directory);
        the message names the URL, the path to place the file at and its sha256.
    ChecksumMismatchError
        A local file is not the published one.

    >>> ds = load_dataset("synthetic", n_samples=200, n_features=5, n_classes=4, cluster_std=0.5)
    >>> ds.X.shape, ds.X.dtype, ds.n_classes, ds.class_counts().tolist()
    ((200, 5), dtype('float32'), 4, [50, 50, 50, 50])
    >>> load_dataset("digits", as_images=True).X.shape
    (1797, 1, 8, 8)
    """
    spec = _spec(name)
    params = inspect.signature(spec.loader).parameters
    valid = [p for p in params if params[p].kind is inspect.Parameter.KEYWORD_ONLY]
    unknown = sorted(set(options) - set(valid))
    if unknown:
        raise TypeError(
            f"load_dataset({spec.name!r}) got unknown option(s) {unknown}; valid: {valid}."
        )
    root = _data_dir(data_dir)
    ds = spec.loader(spec, root, **options)
    # invariants every loader promises
    n = len(ds.X)
    if not (len(ds.y) == n == len(ds.part)) or ds.y.dtype != np.int64:
        raise AssertionError(f"{spec.name}: inconsistent arrays")  # pragma: no cover
    if n and (ds.y.min() < 0 or ds.y.max() >= ds.n_classes):
        raise AssertionError(f"{spec.name}: labels out of range")  # pragma: no cover
    return ds


def available_datasets(data_dir: str | os.PathLike | None = None) -> dict[str, tuple[bool, str]]:
    """Which datasets can be loaded from local files (no download), and why or why not.

    Only file presence is checked here; checksums are verified when a dataset is loaded.

    >>> avail = available_datasets("/nonexistent")
    >>> avail["digits"]
    (True, 'built in: always available')
    >>> avail["adult"][0]
    False
    """
    root = _data_dir(data_dir)
    out: dict[str, tuple[bool, str]] = {}
    for name, spec in DATASETS.items():
        if spec.forms[0].key == "builtin":
            out[name] = (True, "built in: always available")
            continue
        for form in spec.forms:
            if not _missing(root, form.files):
                flags = [w for w, on in (("lossy", form.lossy), ("partial", form.partial)) if on]
                kind = "canonical files" if form.key == "canonical" else f"{form.key} form"
                extra = f" ({', '.join(flags)})" if flags else ""
                out[name] = (True, f"{kind}{extra}: " + ", ".join(form.files))
                break
        else:
            missing = _missing(root, spec.forms[0].files)
            how = (
                "will be downloaded on first load"
                if is_writable(root / missing[0])
                else "the data directory is read-only, place the files by hand"
            )
            urls = ", ".join(f"{root / k} <- {FILES[k].url}" for k in missing)
            out[name] = (False, f"missing ({how}): {urls}")
    return out


def dataset_catalog() -> list[dict]:
    """One dict per dataset, for the book's datasets appendix (built from the registry).

    Keys: name, title, description, citation, source_url, license, n_records, record_shape,
    n_classes, files (canonical: path, url, sha256), alternatives (accepted offline forms
    with their notes), lossy_or_partial, notes, options.

    >>> cat = dataset_catalog()
    >>> [d["name"] for d in cat][:3]
    ['adult', 'locations', 'purchase']
    >>> cat[0]["citation"]
    'kohavi1996adult'
    """
    out = []
    for spec in DATASETS.values():
        canonical = spec.forms[0]
        out.append(
            {
                "name": spec.name,
                "title": spec.title,
                "description": spec.description,
                "citation": spec.citation,
                "source_url": spec.source_url,
                "license": spec.license,
                "n_records": spec.n_records,
                "record_shape": spec.record_shape,
                "n_classes": spec.n_classes,
                "files": [
                    {"path": k, "url": FILES[k].url, "sha256": FILES[k].sha256}
                    for k in canonical.files
                ],
                "alternatives": [
                    {
                        "form": f.key,
                        "files": list(f.files),
                        "lossy": f.lossy,
                        "partial": f.partial,
                        "note": f.note,
                    }
                    for f in spec.forms[1:]
                ],
                "lossy_or_partial": " ".join(
                    f.note for f in spec.forms[1:] if f.lossy or f.partial
                ),
                "notes": spec.notes,
                "options": dict(spec.options),
            }
        )
    return out
