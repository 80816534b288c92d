"""The public functions: load a dataset, list what is available, describe the catalogue."""

from __future__ import annotations

import inspect
import os
import threading

import numpy as np

from ..download import data_dir as _data_dir
from .base import Dataset
from .files import FILES
from .registry import DATASETS, get_spec
from .verify import missing_files


def load_dataset(name: str, data_dir: str | os.PathLike | None = None, **options) -> Dataset:
    """Load dataset ``name`` with its official parts joined, as numeric arrays plus metadata.

    Every source file is verified (by sha256, or without a published one by reading it to
    its end) before anything is parsed from it. The leftovers of killed downloads next to
    the dataset's files are removed first (:func:`mia_lib.download.remove_stale_temp_files`).
    The content fingerprint of what is returned is recorded for :func:`loaded_datasets`.

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
    CorruptFileError
        A local file is damaged: truncated, fails its CRC, or cannot be parsed. The message
        names it and says to delete it (a fresh copy is then downloaded).
    ValueError, TypeError
        A bad name, option or ``data_dir``; the message says what was wrong.

    >>> ds = load_dataset("synthetic", n_samples=200, n_features=5, n_classes=4, cluster_std=0.5)
    >>> ds.X.shape, ds.X.dtype, ds.n_classes, ds.class_counts().tolist()
    ((200, 5), dtype('float32'), 4, [50, 50, 50, 50])
    >>> load_dataset("digits", as_images=True).X.shape
    (1797, 1, 8, 8)
    """
    spec = get_spec(name)
    params = inspect.signature(spec.loader).parameters
    valid = [p for p in params if params[p].kind is inspect.Parameter.KEYWORD_ONLY]
    unknown = sorted(set(options) - set(valid))
    if unknown:
        raise TypeError(
            f"load_dataset({spec.name!r}) got unknown option(s) {unknown}; valid: {valid}."
        )
    for opt in ("download", "allow_partial", "as_images"):
        if opt in options and not _is_flag(options[opt], none_ok=opt == "download"):
            allowed = "True, False or None" if opt == "download" else "True or False"
            raise TypeError(f"{opt} must be {allowed}, got {options[opt]!r}.")
    root = _data_dir(data_dir)
    ds = spec.loader(spec, root, **options)
    # invariants every loader promises
    n = len(ds.X)
    if not (len(ds.y) == n == len(ds.part)) or ds.y.dtype != np.int64:
        raise AssertionError(f"{spec.name}: inconsistent arrays")  # pragma: no cover
    if n and (ds.y.min() < 0 or ds.y.max() >= ds.n_classes):
        raise AssertionError(f"{spec.name}: labels out of range")  # pragma: no cover
    _record(_content_key(spec, params, valid, options), ds.fingerprint)
    return ds


def _is_flag(value, none_ok: bool) -> bool:
    return (none_ok and value is None) or isinstance(value, bool | np.bool_)


_LOADED: dict[str, str] = {}
_LOADED_LOCK = threading.Lock()


def _option_text(value) -> str:
    if isinstance(value, type) or isinstance(value, np.dtype):
        try:
            return np.dtype(value).name
        except TypeError:  # pragma: no cover - not a dtype
            return repr(value)
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, np.random.Generator | np.random.SeedSequence | np.random.RandomState):
        return f"<{type(value).__name__}>"  # its repr holds a memory address
    return repr(value)


def _content_key(spec, params, valid, options) -> str:
    """``name[opt=value,...]``: every option that can change the content, in signature order,
    with its effective value (defaults included); ``download`` is left out."""
    parts = []
    for p in valid:
        if p == "download":
            continue
        value = options.get(p, params[p].default)
        if p == "dtype":
            parts.append(f"dtype={np.dtype(value).name}")
        else:
            parts.append(f"{p}={_option_text(value)}")
    return f"{spec.name}[{','.join(parts)}]" if parts else spec.name


def _record(key: str, fingerprint: str) -> None:
    with _LOADED_LOCK:
        candidate, i = key, 1
        while _LOADED.get(candidate, fingerprint) != fingerprint:
            i += 1
            candidate = f"{key}#{i}"
        _LOADED[candidate] = fingerprint


def loaded_datasets() -> dict[str, str]:
    """``{key: fingerprint}`` for every dataset loaded by :func:`load_dataset` in this process.

    The key is the dataset's name with every option that can change its content, at its
    effective value (defaults included, ``download`` left out), in the loader's order, e.g.
    ``purchase[n_classes=100,cluster_seed=0,dtype=float32]``; the value is
    :attr:`Dataset.fingerprint`, the sha256 of the content. Loading the same data again adds
    nothing; if the same key later gives other content (another data directory, another
    form of the files, ``random_state=None``), it is listed as ``key#2``, ``key#3``... so
    nothing is hidden. In load order. A notebook runner records this to say which data a
    notebook's outputs came from.

    >>> _ = load_dataset("synthetic", n_samples=20, n_classes=2)
    >>> key = "synthetic[n_samples=20,n_features=20,n_classes=2,class_sep=1.0,"
    >>> key += "cluster_std=1.0,random_state=0,dtype=float32]"
    >>> len(loaded_datasets()[key])
    64
    """
    with _LOADED_LOCK:
        return dict(_LOADED)


def available_datasets(data_dir: str | os.PathLike | None = None) -> dict[str, tuple[bool, str]]:
    """Which datasets can be loaded from local files (no download), and why or why not.

    Returns ``{name: (ok, reason)}``. Only file presence is checked here; checksums are
    verified when a dataset is loaded. The reasons name files relative to the data directory
    and say the same on every machine (they do not depend on whether the directory is
    writable): a missing dataset's reason starts with ``"not in the data directory"`` and
    says where :func:`load_dataset` downloads it from (into a writable data directory), or
    that the files can be placed by hand.

    >>> avail = available_datasets("/nonexistent")
    >>> avail["digits"]
    (True, 'built in: always available')
    >>> print(avail["adult"][1])  # doctest: +ELLIPSIS
    not in the data directory: adult/adult.data, adult/adult.test; load_dataset('adult') downloads them from https://archive.ics.uci.edu/...
    """
    root = _data_dir(data_dir)
    out: dict[str, tuple[bool, str]] = {}
    for name, spec in DATASETS.items():
        if spec.forms[0].key == "builtin":
            out[name] = (True, "built in: always available")
            continue
        for form in spec.forms:
            if not missing_files(root, form.files):
                flags = [w for w, on in (("lossy", form.lossy), ("partial", form.partial)) if on]
                kind = "canonical files" if form.key == "canonical" else f"{form.key} form"
                extra = f" ({', '.join(flags)})" if flags else ""
                out[name] = (True, f"{kind}{extra}: " + ", ".join(form.files))
                break
        else:
            out[name] = (False, _missing_reason(name, spec, root))
    return out


def _missing_reason(name: str, spec, root) -> str:
    missing = missing_files(root, spec.forms[0].files)
    them = "it" if len(missing) == 1 else "them"
    urls = [FILES[k].url for k in missing]
    if all(urls):
        where = ", ".join(urls)
        how = (
            f"load_dataset({name!r}) downloads {them} from {where} into a writable data "
            f"directory, or place {them} there by hand"
        )
    else:
        how = f"no download URL is known: place {them} there by hand (see data/README.md)"
    alternatives = ""
    if len(spec.forms) > 1:
        alternatives = "; other accepted forms: " + "; ".join(
            f"{f.key} ({', '.join(f.files)})" for f in spec.forms[1:]
        )
    return f"not in the data directory: {', '.join(missing)}; {how}{alternatives}"


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
