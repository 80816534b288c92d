"""Checksums and completeness: sha256 of files, accepted digests, the text of an
unavailable-file error, and :func:`check_complete` for files without a published digest."""

from __future__ import annotations

import bz2
import gzip
import hashlib
import lzma
import os
import re
import tarfile
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path

from .errors import CorruptFileError
from .paths import as_path

__all__ = [
    "sha256_file",
    "expected_digests",
    "unavailable_message",
    "check_complete",
    "STREAM_ERRORS",
]


def sha256_file(path: str | os.PathLike) -> str:
    """Return the hex sha256 of a file, read in chunks.

    >>> import tempfile
    >>> with tempfile.NamedTemporaryFile() as f:
    ...     _ = f.write(b"abc"); f.flush()
    ...     sha256_file(f.name)[:16]
    'ba7816bf8f01cfea'
    """
    p = as_path(path, "path")
    if p.is_dir():
        raise IsADirectoryError(f"cannot compute the sha256 of {p}: it is a directory.")
    if not p.exists():
        raise FileNotFoundError(f"cannot compute the sha256 of {p}: there is no such file.")
    h = hashlib.sha256()
    with open(p, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")


def expected_digests(sha256: str | Iterable[str] | None) -> frozenset[str]:
    if sha256 is None:
        return frozenset()
    if isinstance(sha256, str):
        items = [sha256]
    elif isinstance(sha256, Iterable) and not isinstance(sha256, bytes | bytearray):
        items = list(sha256)
    else:
        raise TypeError(
            f"sha256 must be a hex digest, a list of them, or None; got "
            f"{type(sha256).__name__} {sha256!r}."
        )
    for s in items:
        if not isinstance(s, str) or not _HEX64.match(s):
            raise ValueError(f"sha256 must be 64 hexadecimal digits, got {s!r}.")
    return frozenset(s.lower() for s in items)


def _describe_sha(expected: frozenset[str]) -> str:
    if not expected:
        return "sha256: not published (the file is used unverified)"
    return "sha256: " + " or ".join(sorted(expected))


def unavailable_message(url: str | None, dest_path: str | os.PathLike, sha256, reason: str) -> str:
    """Build the text of a :class:`DatasetUnavailableError`: URL, path, sha256, MIA_DATA_DIR.

    >>> print(unavailable_message("https://x/a.gz", "/d/a.gz", "ab" * 32, "offline"))
    ... # doctest: +ELLIPSIS
    cannot obtain a.gz: offline.
      download it from: https://x/a.gz
      and place it at:  /d/a.gz
      sha256: abab...
    ...MIA_DATA_DIR...
    """
    dest = as_path(dest_path, "dest_path")
    expected = _describe_sha(expected_digests(sha256))
    where = url if url else "(no public URL known; see data/README.md)"
    return (
        f"cannot obtain {dest.name}: {reason}.\n"
        f"  download it from: {where}\n"
        f"  and place it at:  {dest}\n"
        f"  {expected}\n"
        "Or set the MIA_DATA_DIR environment variable (or pass data_dir=...) to a directory "
        f"that holds '{dest.parent.name}/{dest.name}'."
    )


_COMPRESSED = (
    (b"\x1f\x8b", "gzip", gzip.open),
    (b"BZh", "bzip2", bz2.open),
    (b"\xfd7zXZ\x00", "xz", lzma.open),
)
STREAM_ERRORS = (OSError, EOFError, zlib.error, lzma.LZMAError, tarfile.TarError, ValueError)


def _is_tar_header(block: bytes) -> bool:
    return len(block) >= 512 and block[257:262] == b"ustar"


def _drain(fh) -> None:
    while fh.read(1 << 20):
        pass


def check_complete(path: str | os.PathLike) -> Path:
    """Check that a compressed file or archive reads to its end; return ``path``.

    By the file's first bytes (not its name): a gzip, bzip2 or xz stream must decompress to
    its end-of-stream marker with a valid CRC; a tar archive (compressed or not) must hold
    the data of every member; a zip archive must pass every member's CRC. Other files have
    no structure to check and pass. This is what a file without a published sha256 can be
    checked by: a truncated download or a flipped byte fails here.

    Raises :class:`CorruptFileError` naming the file and what is wrong.

    >>> import gzip, tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "ok.gz").write_bytes(gzip.compress(b"hello" * 1000))
    >>> check_complete(d / "ok.gz").name
    'ok.gz'
    >>> _ = (d / "cut.gz").write_bytes(gzip.compress(b"hello" * 1000)[:30])
    >>> check_complete(d / "cut.gz")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    mia_lib.download.CorruptFileError: .../cut.gz is damaged or incomplete (gzip ...
    """
    p = as_path(path, "path")
    if p.is_dir():
        raise IsADirectoryError(f"cannot check {p}: it is a directory, not a file.")
    if not p.exists():
        raise FileNotFoundError(f"cannot check {p}: there is no such file.")
    with open(p, "rb") as fh:
        head = fh.read(512)
    kind = "file"
    try:
        for magic, name, opener in _COMPRESSED:
            if head.startswith(magic):
                kind = name
                with opener(p, "rb") as stream:
                    first = stream.read(512)
                    if _is_tar_header(first):
                        kind = f"tar.{name}"
                        _check_tar_stream(_Prefixed(first, stream))
                    _drain(stream)  # to the end: the CRC and the length are checked there
                return p
        if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
            kind = "zip"
            with zipfile.ZipFile(p) as zf:
                bad = zf.testzip()
            if bad is not None:
                raise zipfile.BadZipFile(f"member {bad!r} fails its CRC")
            return p
        if _is_tar_header(head):
            kind = "tar"
            with open(p, "rb") as fh:
                _check_tar_stream(fh)
    except (*STREAM_ERRORS, zipfile.BadZipFile) as exc:
        raise CorruptFileError(
            f"{p} is damaged or incomplete ({kind} data: {type(exc).__name__}: {exc}). "
            "It may be a truncated download: delete it and download it again."
        ) from exc
    return p


class _Prefixed:
    """A read-only stream that yields ``prefix`` and then the rest of ``stream``."""

    def __init__(self, prefix: bytes, stream):
        self._prefix = prefix
        self._stream = stream

    def read(self, size: int = -1) -> bytes:
        if self._prefix:
            if size is None or size < 0:
                out, self._prefix = self._prefix + self._stream.read(), b""
                return out
            out, self._prefix = self._prefix[:size], self._prefix[size:]
            if len(out) < size:
                out += self._stream.read(size - len(out))
            return out
        return self._stream.read(size)


def _check_tar_stream(fh) -> None:
    with tarfile.open(fileobj=fh, mode="r|") as tar:
        for member in tar:
            if member.isfile():
                data = tar.extractfile(member)
                while data.read(1 << 20):
                    pass
