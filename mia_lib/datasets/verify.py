"""Verification of source files, the derived-data cache, and the parsing helpers shared by the loaders.

Source files are verified before anything is parsed from them: by their sha256, else (for a
re-gzipped copy) by the sha256 of their decompressed content, else, when no digest is
published (Purchase, Texas), by reading the compressed stream to its end with its CRC
(:func:`mia_lib.download.check_complete`). A file that fails is a
:class:`~mia_lib.download.ChecksumMismatchError` or :class:`~mia_lib.download.CorruptFileError`
naming it and saying to delete it; nothing parsed from it is cached.

Derived caches are ``.npz`` files in :func:`mia_lib.download.cache_dir` that carry, in a
``__meta__`` entry, what they were built from (kind and source key) and the shape, dtype and
sha256 of every array they hold. A cache that cannot be read, lacks that record, or whose
arrays do not match it, is rebuilt (with a warning when it was damaged). A cache directory
that may not be written (:func:`mia_lib.download.is_writable`, which respects missing write
bits even for root) is not written: the data are then derived again on every load.

These functions are the package's internals, shared by its loaders (``tabular``, ``images``,
``builtin``, ``load``); the public API is what :mod:`mia_lib.datasets` exports.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import tarfile
import warnings
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..download import (
    ChecksumMismatchError,
    CorruptFileError,
    DatasetUnavailableError,
    ReadOnlyError,
    UnverifiedFileWarning,
    atomic_write,
    cache_dir,
    check_complete,
    fetch,
    remove_stale_temp_files,
    require_writable,
    sha256_file,
    unavailable_message,
)
from .base import Dataset, DatasetSpec, Form, SourceFile
from .files import FILES

_DIGEST_MEMO: dict[tuple[str, int, int], str] = {}
_COMPLETE: set[str] = set()  # digests of unverified files that read to their end
_WARNED_UNVERIFIED: set[str] = set()
_WARNED_CACHE: set[str] = set()
_FLOAT_DTYPES = (np.float32, np.float64)
_CACHE_FORMAT = 2
_GZIP_ERRORS = (OSError, EOFError, zlib.error)


def _digest(path: Path) -> str:
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if key not in _DIGEST_MEMO:
        _DIGEST_MEMO[key] = sha256_file(path)
    return _DIGEST_MEMO[key]


def _fix(path: Path, sf: SourceFile) -> str:
    """What to do about a bad source file."""
    if sf.url:
        return (
            f"delete it and load the dataset again to download a fresh copy from {sf.url} "
            "(or place a good copy there by hand)"
        )
    return "delete it and place a good copy there (see data/README.md)"


def _mismatch(path: Path, sf: SourceFile, got: str) -> ChecksumMismatchError:
    want = " or ".join(sf.accepted) or "?"
    extra = f" (or decompressed content {sf.content_sha256})" if sf.content_sha256 else ""
    return ChecksumMismatchError(
        f"{path} has sha256 {got}, expected {want}{extra}. The file is corrupt or not the "
        f"published one: {_fix(path, sf)}."
    )


def _corrupt(path: Path, sf: SourceFile, why: str) -> CorruptFileError:
    return CorruptFileError(
        f"{path} is damaged or incomplete ({why}); nothing was read from it. It may be a "
        f"truncated download: {_fix(path, sf)}."
    )


def _gunzip(path: Path, sf: SourceFile) -> bytes:
    try:
        return gzip.decompress(path.read_bytes())
    except _GZIP_ERRORS as exc:
        if isinstance(exc, OSError) and exc.errno is not None:
            raise  # a local read problem, not a damaged file
        raise _corrupt(path, sf, f"not a valid gzip file: {type(exc).__name__}: {exc}") from exc


def verify_source(path: Path, sf: SourceFile, content: bytes | None = None) -> str:
    """Check ``path`` against ``sf`` before anything is parsed; return its sha256 (used as a
    cache key). Without a published digest, the file must at least read to its end."""
    got = _digest(path)
    if got in sf.accepted:
        return got
    if not sf.accepted and sf.content_sha256 is None:
        if got not in _COMPLETE:
            try:
                check_complete(path)
            except CorruptFileError as exc:
                cause = exc.__cause__
                raise _corrupt(path, sf, f"{type(cause).__name__}: {cause}") from exc
            _COMPLETE.add(got)
        if str(path) not in _WARNED_UNVERIFIED:
            _WARNED_UNVERIFIED.add(str(path))
            warnings.warn(
                f"{path} is used without checksum verification: no sha256 is published for "
                f"it (it was checked for completeness only). Its sha256 is {got}.",
                UnverifiedFileWarning,
                stacklevel=3,
            )
        return got
    if sf.content_sha256 is not None:
        if content is None:
            content = _gunzip(path, sf)
        if hashlib.sha256(content).hexdigest() == sf.content_sha256:
            return got
    raise _mismatch(path, sf, got)


def _gz_verifier(sf: SourceFile) -> Callable[[Path], None] | None:
    """A ``verify`` callback for :func:`fetch` that accepts re-gzipped copies."""
    if sf.content_sha256 is None:
        return None

    def verify(p: Path) -> None:
        content = _gunzip(p, sf)
        if hashlib.sha256(content).hexdigest() != sf.content_sha256:
            raise ChecksumMismatchError(f"{p}: decompressed content has the wrong sha256")

    return verify


def read_gz_verified(path: Path, sf: SourceFile) -> tuple[bytes, str]:
    """Verify a .gz file (by its own digest first), then decompress it once."""
    got = _digest(path)
    if got in sf.accepted or (not sf.accepted and sf.content_sha256 is None):
        digest = verify_source(path, sf)
        return _gunzip(path, sf), digest
    if sf.content_sha256 is None:
        raise _mismatch(path, sf, got)
    content = _gunzip(path, sf)
    return content, verify_source(path, sf, content)


def open_tar(path: Path, sf: SourceFile | None = None) -> tarfile.TarFile:
    """Open a verified tar archive, naming the file if it is not one."""
    try:
        return tarfile.open(path)
    except (tarfile.TarError, EOFError, zlib.error) as exc:
        fix = _fix(path, sf) if sf is not None else "delete it and download it again"
        raise CorruptFileError(
            f"{path} is not a readable tar archive ({type(exc).__name__}: {exc}); is it the "
            f"published file? {fix[0].upper() + fix[1:]}."
        ) from exc


def missing_files(root: Path, keys) -> list[str]:
    return [k for k in keys if not (root / k).is_file()]


def _clean_temp_files(spec: DatasetSpec, root: Path) -> None:
    """Remove the leftovers of killed downloads next to the dataset's files."""
    dirs = {(root / k).parent for form in spec.forms for k in form.files}
    for d in sorted(dirs):
        remove_stale_temp_files(d)


def resolve_form(spec: DatasetSpec, root: Path, download: bool | None, allowed=None) -> Form:
    """Pick the first complete form; otherwise download the canonical one (or explain)."""
    _clean_temp_files(spec, root)
    forms = [f for f in spec.forms if allowed is None or allowed(f)]
    if download is not True:
        for form in forms:
            if not missing_files(root, form.files):
                return form
    canonical = spec.forms[0]
    missing = missing_files(root, canonical.files)
    if not missing:
        return canonical
    alternatives = [f for f in spec.forms[1:] if f in forms]
    alt_text = ""
    if alternatives:
        alt_text = "\nAlternatively, any of these complete sets of files is accepted: " + "; ".join(
            "[" + ", ".join(str(root / k) for k in f.files) + "]" for f in alternatives
        )
    reason = None
    if download is False:
        reason = "it is missing and download=False was given"
    else:
        try:
            require_writable((root / missing[0]).parent, "data directory")
        except ReadOnlyError as exc:
            reason = f"it is missing and the data directory cannot be written ({exc.reason})"
    if reason is not None:
        msgs = [
            unavailable_message(FILES[k].url, root / k, FILES[k].sha256, reason) for k in missing
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


# --------------------------------------------------------------------------- derived caches


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


def _array_digest(a: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(a).view(np.uint8).reshape(-1)).hexdigest()


def _describe(a: np.ndarray) -> dict:
    return {"shape": list(a.shape), "dtype": a.dtype.str, "sha256": _array_digest(a)}


def _cache_problem(z, kind: str, key: str, names: tuple[str, ...]) -> str | None:
    """Why the opened cache ``z`` cannot be trusted, or None; "legacy" for an old format."""
    if "__meta__" not in z.files:
        return "legacy"
    meta = json.loads(str(z["__meta__"][()]))
    if meta.get("format") != _CACHE_FORMAT:
        return "legacy"
    if meta.get("kind") != kind or meta.get("key") != key:
        return f"it was built for {meta.get('kind')}/{meta.get('key')}, not {kind}/{key}"
    arrays = meta.get("arrays", {})
    if set(arrays) != set(names) or set(z.files) != set(names) | {"__meta__"}:
        return f"it holds {sorted(set(z.files) - {'__meta__'})}, expected {sorted(names)}"
    for name in names:
        if _describe(z[name]) != arrays[name]:
            return f"the array {name!r} is not the one recorded (shape, dtype or sha256)"
    return None


def cache_load(kind: str, key: str, root: Path, names: tuple[str, ...]):
    """The arrays ``names`` of a trusted cache, or None (missing, damaged or stale)."""
    if not _cache_usable(root):
        return None
    path = _cache_path(kind, key)
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as z:
            problem = _cache_problem(z, kind, key, names)
            out = None if problem else {n: z[n] for n in names}
    except (OSError, ValueError, EOFError, KeyError, TypeError, AttributeError,
            zipfile.BadZipFile, zlib.error, json.JSONDecodeError) as exc:  # fmt: skip
        problem = f"it cannot be read: {type(exc).__name__}: {exc}"
    if problem and problem != "legacy":
        warnings.warn(
            f"the cache file {path} is damaged or stale ({problem}); it is rebuilt.",
            UserWarning,
            stacklevel=3,
        )
    return None if problem else out


def cache_save(kind: str, key: str, root: Path, **arrays) -> None:
    if not _cache_usable(root):
        return
    path = _cache_path(kind, key)
    try:
        require_writable(path.parent, "cache directory")
    except ReadOnlyError as exc:
        if str(path.parent) not in _WARNED_CACHE:
            _WARNED_CACHE.add(str(path.parent))
            warnings.warn(
                f"derived data are not cached: {exc} Set MIA_CACHE_DIR to a writable "
                "directory to cache them.",
                UserWarning,
                stacklevel=3,
            )
        return
    arrays = {k: np.asarray(v) for k, v in arrays.items()}
    meta = {"format": _CACHE_FORMAT, "kind": kind, "key": key,
            "arrays": {k: _describe(v) for k, v in arrays.items()}}  # fmt: skip
    try:
        atomic_write(path, lambda fh: np.savez(fh, __meta__=np.array(json.dumps(meta)), **arrays))
    except OSError as exc:
        warnings.warn(f"could not write the cache {path}: {exc}", UserWarning, stacklevel=3)


def check_dtype(dtype, allow_uint8: bool) -> np.dtype:
    ok = [np.dtype(d) for d in _FLOAT_DTYPES] + ([np.dtype(np.uint8)] if allow_uint8 else [])
    if dtype is None:
        raise ValueError(f"dtype must be one of {[str(d) for d in ok]}, got None.")
    try:
        dt = np.dtype(dtype)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"dtype must be one of {[str(d) for d in ok]}, got {dtype!r} ({exc})."
        ) from exc
    if dt not in ok:
        raise ValueError(f"dtype must be one of {[str(d) for d in ok]}, got {dt}.")
    return dt


def as_image_dtype(X_u8: np.ndarray, dtype) -> np.ndarray:
    dt = check_dtype(dtype, allow_uint8=True)
    if dt == np.uint8:
        return X_u8
    return np.divide(X_u8, 255, dtype=dt)


def as_binary_dtype(X_u8: np.ndarray, dtype) -> np.ndarray:
    dt = check_dtype(dtype, allow_uint8=True)
    return X_u8 if dt == np.uint8 else X_u8.astype(dt)


def tar_member(tar: tarfile.TarFile, pattern: str, archive: Path):
    rx = re.compile(pattern)
    hits = [m for m in tar.getmembers() if m.isfile() and rx.search(m.name)]
    if len(hits) != 1:
        names = [m.name for m in tar.getmembers()][:10]
        raise CorruptFileError(
            f"{archive} should hold exactly one member matching {pattern!r}, found "
            f"{len(hits)} (members: {names}); is it the published archive? If not, delete it "
            "and load the dataset again to download it."
        )
    return tar.extractfile(hits[0])


DELETE_HINT = (
    "Is it the published file? If not, delete it and load the dataset again to download it "
    "(or place the published file there by hand)."
)


def read_csv_uint8(fh, what: str) -> np.ndarray:
    import pandas as pd

    try:
        frame = pd.read_csv(fh, header=None, dtype=np.uint8, engine="c")
    except (ValueError, OverflowError, UnicodeDecodeError) as exc:
        raise CorruptFileError(
            f"{what}: not a CSV of small non-negative integers ({type(exc).__name__}: {exc}). "
            + DELETE_HINT
        ) from exc
    return frame.to_numpy()


def check_binary(X: np.ndarray, what: str) -> None:
    if X.size and X.max() > 1:
        raise CorruptFileError(
            f"{what}: features should be binary (0/1), found value {X.max()}. " + DELETE_HINT
        )


def check_label_range(raw: np.ndarray, lo: int, hi: int, what: str) -> None:
    if raw.size == 0 or raw.min() < lo or raw.max() > hi:
        found = f"{raw.min()}..{raw.max()}" if raw.size else "no labels at all"
        raise CorruptFileError(
            f"{what}: labels should lie in {lo}..{hi}, found {found}. " + DELETE_HINT
        )


def count_note(spec: DatasetSpec, n: int) -> str:
    if spec.n_records is None or n == spec.n_records:
        return ""
    msg = f"{spec.name} has {n:,} records; the published data has {spec.n_records:,}."
    warnings.warn(msg, UserWarning, stacklevel=4)
    return msg


def finish(spec: DatasetSpec, form: Form, **kw) -> Dataset:
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


def all_train(n: int) -> np.ndarray:
    return np.full(n, "train", dtype="<U5")
