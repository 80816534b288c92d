"""Verification of source files, the derived-data cache, and the parsing helpers shared by the loaders."""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import tarfile
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..download import (
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
from .base import Dataset, DatasetSpec, Form, SourceFile
from .files import FILES

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
