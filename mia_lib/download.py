"""Downloads that are safe to interrupt, verified by sha256, and honest when offline.

Everything that touches the network or unpacks an archive lives here:

- :func:`fetch` downloads one file with a progress bar into a temporary file in the target
  directory, checks its sha256 while streaming, and moves it into place with ``os.replace``
  only when it is complete and correct. A cut connection, a short transfer or a wrong checksum
  leaves nothing behind. A file without a published sha256 is checked for completeness
  instead (:func:`check_complete`: its gzip/bzip2/xz stream must decode to its end with a
  valid CRC, a tar archive must hold every member's data, a zip archive every member's CRC).
- :func:`extract_archive` unpacks a tar(.gz) or zip archive after refusing any member that would
  land outside the target directory (``../``, absolute paths, links pointing out, and paths
  that climb out *through* a link of the same archive), with its own checks: it does not rely
  on Python's ``filter="data"``, which it still uses as a second line where it exists.
- :func:`data_dir` and :func:`cache_dir` say where source files and derived caches live. The
  data directory may be read-only (a shared offline copy); nothing is ever written into a
  read-only data directory, and derived caches always go to :func:`cache_dir`.
- :func:`is_writable` and :func:`require_writable` decide whether the library may write into a
  directory. A directory whose permission bits grant write access to nobody counts as
  read-only even for root, who could write there anyway.
- :func:`remove_stale_temp_files` removes the temporary files of downloads and caches that a
  killed process left behind (see its docstring for the rule that spares running downloads).

When a file cannot be had (no network, or a read-only data directory), the error is a
:class:`DatasetUnavailableError` whose message names the URL, the exact path to place the file
at, its sha256, and the ``MIA_DATA_DIR`` environment variable. Every error about a file is a
:class:`MiaDataError` whose message names the file and says how to fix the problem.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import http.client
import lzma
import numbers
import os
import re
import shutil
import socket
import stat
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path

__all__ = [
    "MiaDataError",
    "DatasetUnavailableError",
    "DownloadError",
    "ChecksumMismatchError",
    "CorruptFileError",
    "ReadOnlyError",
    "UnsafeArchiveError",
    "UnverifiedFileWarning",
    "fetch",
    "extract_archive",
    "check_complete",
    "sha256_file",
    "data_dir",
    "cache_dir",
    "is_writable",
    "require_writable",
    "remove_stale_temp_files",
    "atomic_write",
    "unavailable_message",
    "STALE_TEMP_SECONDS",
]

USER_AGENT = "mia_lib/0.1 (+https://github.com/; membership inference textbook)"
_CHUNK = 1 << 16

#: A temporary file of the library that has not been written to for this many seconds is
#: stale whoever made it (see :func:`remove_stale_temp_files`).
STALE_TEMP_SECONDS = 3600


class MiaDataError(RuntimeError):
    """Base class of every data-access error raised by :mod:`mia_lib`."""


class DatasetUnavailableError(MiaDataError):
    """A needed file is missing and cannot be downloaded (offline, or read-only data dir).

    The message says which URL to download, where to put the file and its sha256.
    """


class DownloadError(MiaDataError):
    """A download started but did not complete (connection cut, short or damaged transfer)."""


class ChecksumMismatchError(MiaDataError):
    """A file's sha256 is not the expected one."""


class CorruptFileError(ChecksumMismatchError):
    """A file is damaged or incomplete: a truncated or CRC-failing compressed stream, a tar or
    zip archive that does not read to its end, or a file that cannot be parsed.

    A subclass of :class:`ChecksumMismatchError`: whoever handles a wrong checksum handles a
    damaged file the same way. The message names the file and says to delete it.
    """


class ReadOnlyError(MiaDataError):
    """The library may not write into a directory (see :func:`require_writable`).

    ``path`` is the directory asked about and ``reason`` says why, in words.
    """

    def __init__(self, message: str, path: Path | None = None, reason: str = ""):
        super().__init__(message)
        self.path = path
        self.reason = reason


class UnsafeArchiveError(MiaDataError):
    """An archive holds a member that would be written outside the target directory."""


class UnverifiedFileWarning(UserWarning):
    """A file was used without a checksum to verify it against (none is published)."""


# --------------------------------------------------------------------------- arguments


def _as_path(value, name: str) -> Path:
    """``value`` as a Path, with a clear error for what cannot be one."""
    if isinstance(value, bytes):
        value = os.fsdecode(value)
    if not isinstance(value, str | os.PathLike):
        raise TypeError(
            f"{name} must be a path (str or os.PathLike), got {type(value).__name__} {value!r}."
        )
    text = os.fspath(value)
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    if text == "":
        raise ValueError(f"{name} is an empty string; give a path (use '.' for this directory).")
    if "\x00" in text:
        raise ValueError(f"{name} contains a NUL character, which no path can hold: {text!r}.")
    return Path(text).expanduser()


# --------------------------------------------------------------------------- locations


def _check_dir_path(path: Path, source: str) -> Path:
    """Refuse a directory path that is, or lies under, an existing file."""
    p = path.absolute()
    while True:
        try:
            exists = p.exists()
        except OSError:  # pragma: no cover - e.g. a name too long
            exists = False
        if exists:
            break
        if p.parent == p:
            return path
        p = p.parent
    if not p.is_dir():
        where = "is" if p == path.absolute() else f"lies under {p}, which is"
        raise MiaDataError(
            f"the data directory {path} ({source}) {where} a file, not a directory; set "
            "MIA_DATA_DIR or pass data_dir=... to a directory."
        )
    return path


def data_dir(explicit: str | os.PathLike | None = None) -> Path:
    """Return the data directory: ``explicit``, else ``$MIA_DATA_DIR``, else ``<repo>/data``.

    The directory need not exist (it is created only when a download is written into it), but
    it must not be a file: that is a :class:`MiaDataError` naming where the path came from.

    >>> data_dir("/tmp/somewhere")
    PosixPath('/tmp/somewhere')
    >>> data_dir(42)
    Traceback (most recent call last):
    ...
    TypeError: data_dir must be a path (str or os.PathLike), got int 42.
    """
    if explicit is not None:
        return _check_dir_path(_as_path(explicit, "data_dir"), "the data_dir argument")
    env = os.environ.get("MIA_DATA_DIR")
    if env:
        return _check_dir_path(_as_path(env, "MIA_DATA_DIR"), "from MIA_DATA_DIR")
    return Path(__file__).resolve().parents[1] / "data"


def cache_dir() -> Path:
    """Return the writable cache directory for derived files (decoded images, clusterings).

    ``$MIA_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/mia_lib``, else ``~/.cache/mia_lib``.
    It is never the data directory, which may be read-only. The directory is not created here.

    >>> import os
    >>> saved = os.environ.pop("MIA_CACHE_DIR", None)
    >>> os.environ["MIA_CACHE_DIR"] = "/tmp/mia-cache"
    >>> cache_dir()
    PosixPath('/tmp/mia-cache')
    >>> del os.environ["MIA_CACHE_DIR"]
    >>> if saved is not None:
    ...     os.environ["MIA_CACHE_DIR"] = saved
    """
    env = os.environ.get("MIA_CACHE_DIR")
    if env:
        return _as_path(env, "MIA_CACHE_DIR")
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = _as_path(xdg, "XDG_CACHE_HOME") if xdg else Path.home() / ".cache"
    return base / "mia_lib"


def _why_not_writable(path: Path) -> str | None:
    """``None`` if files may be created at ``path``, else the reason in words."""
    p = path.absolute()
    while True:
        try:
            exists = p.exists()
        except OSError as exc:  # pragma: no cover - e.g. a name too long
            return f"it cannot be inspected ({exc})"
        if exists:
            break
        if p.parent == p:  # pragma: no cover - the root always exists
            return "no part of it exists"
        p = p.parent
    if not p.is_dir():
        return f"{p} is a file, not a directory"
    mode = p.stat().st_mode
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        return f"{p} is read-only (its permission bits grant write access to nobody)"
    if not os.access(p, os.W_OK | os.X_OK):
        return f"{p} is read-only for this user"
    return None


def is_writable(path: str | os.PathLike) -> bool:
    """Whether the library may create files at ``path`` (a directory, existing or not).

    The nearest existing ancestor decides. A directory counts as read-only when the process
    may not write to it *or* when its permission bits grant write access to nobody
    (``chmod a-w``), so a deliberately read-only directory is respected even by root. A path
    that is, or lies under, a file is not writable. :func:`require_writable` raises a clear
    error instead of returning ``False``.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     is_writable(d), is_writable(Path(d) / "not" / "yet")
    (True, True)
    """
    return _why_not_writable(_as_path(path, "path")) is None


def require_writable(path: str | os.PathLike, what: str = "directory") -> Path:
    """Return ``path`` (a directory, existing or not) if the library may write there.

    The same rule as :func:`is_writable`: a directory without write bits is read-only even
    for root. Otherwise raise :class:`ReadOnlyError` whose message names ``what`` and the
    directory, says why, and how to fix it. Nothing is created.

    >>> import os, tempfile
    >>> d = tempfile.mkdtemp()
    >>> require_writable(d) == Path(d)
    True
    >>> os.chmod(d, 0o555)
    >>> require_writable(Path(d) / "results", "results directory")
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    mia_lib.download.ReadOnlyError: cannot write the results directory .../results: ...
    >>> os.chmod(d, 0o755); os.rmdir(d)
    """
    p = _as_path(path, what)
    why = _why_not_writable(p)
    if why is not None:
        raise ReadOnlyError(
            f"cannot write the {what} {p}: {why}. Give a writable directory instead, or make "
            "it writable (chmod u+w) if it should be.",
            p,
            why,
        )
    return p


# --------------------------------------------------------------------------- temporary files


def _host_tag() -> str:
    """8 hex digits naming this host and PID namespace (containers sharing a disk differ)."""
    ident = socket.gethostname()
    try:
        ident += os.readlink("/proc/self/ns/pid")
    except OSError:  # not Linux
        pass
    return hashlib.sha256(ident.encode()).hexdigest()[:8]


_HOST_TAG = _host_tag()
# Our temporary names: ".<name>.mia-<host tag>-<pid>-<random>.part" (downloads) or ".tmp"
# (caches, extraction directories). Older versions wrote ".<name>.<random>.part".
_TEMP_RE = re.compile(r"^\..+\.mia-(?P<host>[0-9a-f]{8})-(?P<pid>\d+)-[a-z0-9_]{8}\.(?:part|tmp)$")
_OLD_TEMP_RE = re.compile(r"^\..+\.[a-z0-9_]{8}\.(?:part|tmp)$")


def _temp_prefix(name: str) -> str:
    return f".{name}.mia-{_HOST_TAG}-{os.getpid()}-"


def _pid_running(pid: int) -> bool:
    if pid <= 0:
        return True  # not a real pid: do not decide by it
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True
    return True


def remove_stale_temp_files(directory: str | os.PathLike) -> list[Path]:
    """Remove the temporary files a killed download or cache write left in ``directory``.

    Only names of the library's own making are considered: ``.<file>.mia-<host>-<pid>-
    <random>.part`` (downloads) and ``...tmp`` (cache files, extraction directories), and the
    older ``.<file>.<random>.part``. One is stale, and removed, when

    - it was made on this host (and PID namespace) by a process that is no longer running, or
    - nothing has written to it for :data:`STALE_TEMP_SECONDS` (an hour): a running download
      writes at least once per socket timeout, so only a dead one is that quiet.

    A download still running in another process keeps its file. Nothing happens in a
    directory that is missing or read-only. Returns what was removed.

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / ".adult.data.mia-00000000-1-abcdefgh.part").write_bytes(b"x")
    >>> os.utime(d / ".adult.data.mia-00000000-1-abcdefgh.part", (0, 0))  # 1970: stale
    >>> [p.name for p in remove_stale_temp_files(d)]
    ['.adult.data.mia-00000000-1-abcdefgh.part']
    """
    d = _as_path(directory, "directory")
    if not d.is_dir() or not is_writable(d):
        return []
    removed = []
    now = time.time()
    try:
        entries = list(os.scandir(d))
    except OSError:  # pragma: no cover - vanished or unreadable
        return []
    for entry in entries:
        hit = _TEMP_RE.match(entry.name)
        if hit is None and not _OLD_TEMP_RE.match(entry.name):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:  # pragma: no cover - removed meanwhile
            continue
        dead = hit is not None and hit["host"] == _HOST_TAG and not _pid_running(int(hit["pid"]))
        if not (dead or now - st.st_mtime > STALE_TEMP_SECONDS):
            continue
        path = Path(entry.path)
        try:
            if stat.S_ISDIR(st.st_mode):
                shutil.rmtree(path)
            else:
                path.unlink()
        except OSError:  # pragma: no cover - removed by someone else meanwhile
            continue
        removed.append(path)
    return removed


def atomic_write(dest_path: str | os.PathLike, write: Callable) -> Path:
    """Write a file so that it appears complete or not at all; return its path.

    ``write(fh)`` writes into a temporary file (binary mode) in the same directory, named
    like the library's other temporary files (so :func:`remove_stale_temp_files` can clean
    it up if the process is killed); the file is then made readable by all (0644) and moved
    to ``dest_path`` with ``os.replace``. The directory is created if needed and must be
    writable (:func:`require_writable`). On any error the temporary file is removed and
    ``dest_path`` keeps its previous content.

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> atomic_write(d / "x.bin", lambda fh: fh.write(b"abc")).read_bytes()
    b'abc'
    >>> sorted(p.name for p in d.iterdir())
    ['x.bin']
    """
    dest = _as_path(dest_path, "dest_path")
    if not callable(write):
        raise TypeError(f"write must be a callable taking a binary file, got {write!r}.")
    require_writable(dest.parent, "directory")
    dest.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temp_files(dest.parent)
    tmp = None
    try:
        with tempfile.NamedTemporaryFile(
            dir=dest.parent, prefix=_temp_prefix(dest.name), suffix=".tmp", delete=False
        ) as fh:
            tmp = Path(fh.name)
            write(fh)
        os.chmod(tmp, 0o644)  # NamedTemporaryFile creates 0600
        os.replace(tmp, dest)
    except BaseException:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        raise
    return dest


# --------------------------------------------------------------------------- checksums


def sha256_file(path: str | os.PathLike) -> str:
    """Return the hex sha256 of a file, read in chunks.

    >>> import tempfile
    >>> with tempfile.NamedTemporaryFile() as f:
    ...     _ = f.write(b"abc"); f.flush()
    ...     sha256_file(f.name)[:16]
    'ba7816bf8f01cfea'
    """
    p = _as_path(path, "path")
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


def _expected_set(sha256: str | Iterable[str] | None) -> frozenset[str]:
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
    dest = _as_path(dest_path, "dest_path")
    expected = _describe_sha(_expected_set(sha256))
    where = url if url else "(no public URL known; see data/README.md)"
    return (
        f"cannot obtain {dest.name}: {reason}.\n"
        f"  download it from: {where}\n"
        f"  and place it at:  {dest}\n"
        f"  {expected}\n"
        "Or set the MIA_DATA_DIR environment variable (or pass data_dir=...) to a directory "
        f"that holds '{dest.parent.name}/{dest.name}'."
    )


# --------------------------------------------------------------------------- completeness

_COMPRESSED = (
    (b"\x1f\x8b", "gzip", gzip.open),
    (b"BZh", "bzip2", bz2.open),
    (b"\xfd7zXZ\x00", "xz", lzma.open),
)
_STREAM_ERRORS = (OSError, EOFError, zlib.error, lzma.LZMAError, tarfile.TarError, ValueError)


_FILTER_ERROR = getattr(tarfile, "FilterError", ())  # Python's PEP 706 tar filter, if any


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
    p = _as_path(path, "path")
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
    except (*_STREAM_ERRORS, zipfile.BadZipFile) as exc:
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


# --------------------------------------------------------------------------- fetch


def _progress_enabled(progress: bool | None) -> bool:
    if progress is not None:
        return bool(progress)
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # pragma: no cover - closed or odd stderr
        return False


def _check_url(url) -> str:
    if not isinstance(url, str):
        raise TypeError(f"url must be a string, got {type(url).__name__} {url!r}.")
    scheme = urllib.parse.urlsplit(url).scheme.lower()
    if scheme not in ("http", "https", "file"):
        raise ValueError(f"url must be an http://, https:// or file:// URL, got {url!r}.")
    return url


def _check_timeout(timeout) -> float:
    if isinstance(timeout, bool) or not isinstance(timeout, numbers.Real):
        raise TypeError(f"timeout must be a number of seconds, got {timeout!r}.")
    if not 0 < float(timeout) < float("inf"):
        raise ValueError(f"timeout must be a positive, finite number of seconds, got {timeout!r}.")
    return float(timeout)


def fetch(
    url: str,
    dest_path: str | os.PathLike,
    sha256: str | Iterable[str] | None,
    *,
    progress: bool | None = None,
    timeout: float = 60.0,
    verify: Callable[[Path], None] | None = None,
) -> Path:
    """Download ``url`` to ``dest_path`` unless a verified copy is already there.

    Parameters
    ----------
    url : str
        Where to download from (http, https or file).
    dest_path : path
        Final location of the file. Its directory is created if needed.
    sha256 : str, iterable of str, or None
        Accepted hex digest(s) of the file (64 hexadecimal digits each). ``None`` means that
        no checksum is published: the file is checked for completeness instead
        (:func:`check_complete`), and used with an :class:`UnverifiedFileWarning`; an
        existing unverified file that fails that check is downloaded again. When ``verify``
        is given, a digest mismatch is forgiven if ``verify`` accepts the file (used for
        re-gzipped copies checked by their content).
    progress : bool or None
        Show a tqdm progress bar; ``None`` shows it only when stderr is a terminal.
    timeout : float
        Socket timeout in seconds (connect and each read).
    verify : callable, optional
        ``verify(path)`` raises :class:`ChecksumMismatchError` to reject a file.

    Returns
    -------
    pathlib.Path
        ``dest_path``.

    Raises
    ------
    DatasetUnavailableError
        The server cannot be reached, answers with an HTTP error, or the destination
        directory is read-only. The message names the URL, the path and the sha256.
    DownloadError
        The transfer stopped before the announced Content-Length, or (without a sha256)
        the file received is incomplete or damaged.
    ChecksumMismatchError
        The downloaded bytes have another sha256.

    The download goes to a temporary file next to ``dest_path`` whose name holds this host
    and process (see :func:`remove_stale_temp_files`, which this function calls first to
    remove the leftovers of killed downloads). On any error the temporary file is removed;
    ``dest_path`` is either the previous file or absent, never a partial download.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> src = d / "src.txt"; _ = src.write_bytes(b"abc")
    >>> digest = sha256_file(src)
    >>> fetch(src.as_uri(), d / "copy.txt", digest, progress=False).read_bytes()
    b'abc'
    """
    url = _check_url(url)
    dest = _as_path(dest_path, "dest_path")
    expected = _expected_set(sha256)
    timeout = _check_timeout(timeout)
    if verify is not None and not callable(verify):
        raise TypeError(f"verify must be a callable or None, got {verify!r}.")
    if dest.is_dir():
        raise MiaDataError(
            f"dest_path {dest} is a directory; give the path of the file to write, e.g. "
            f"{dest / Path(urllib.parse.urlsplit(url).path).name}."
        )

    if dest.is_file():
        if not expected:
            try:
                check_complete(dest)
            except CorruptFileError as exc:
                damaged = str(exc)
            else:
                warnings.warn(
                    f"{dest} is used without checksum verification (none is published for "
                    f"{url}); it was checked for completeness only.",
                    UnverifiedFileWarning,
                    stacklevel=2,
                )
                return dest
        elif _accepts(dest, expected, verify):
            return dest
        else:
            damaged = "the file there has the wrong sha256"
    else:
        damaged = None

    why = _why_not_writable(dest.parent)
    if why is not None:
        reason = (
            f"the file is missing and its directory cannot be written ({why})"
            if damaged is None
            else f"{damaged}, and its directory cannot be written ({why})"
        )
        raise DatasetUnavailableError(unavailable_message(url, dest, sha256, reason))

    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        raise DatasetUnavailableError(
            unavailable_message(url, dest, sha256, f"the server answered HTTP {exc.code}")
        ) from exc
    except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
        why = getattr(exc, "reason", exc)
        raise DatasetUnavailableError(
            unavailable_message(url, dest, sha256, f"the URL cannot be reached ({why})")
        ) from exc

    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        response.close()
        raise
    remove_stale_temp_files(dest.parent)
    tmp = tempfile.NamedTemporaryFile(
        dir=dest.parent, prefix=_temp_prefix(dest.name), suffix=".part", delete=False
    )
    tmp_path = Path(tmp.name)
    try:
        with response, tmp:
            _stream(response, tmp, url, dest.name, progress)
        if expected:
            got = sha256_file(tmp_path)
            if got not in expected:
                rescued = False
                if verify is not None:
                    try:
                        verify(tmp_path)
                        rescued = True
                    except ChecksumMismatchError:
                        rescued = False
                if not rescued:
                    raise ChecksumMismatchError(
                        f"sha256 mismatch for {url}: expected {' or '.join(sorted(expected))}, "
                        f"got {got}. The download was discarded; nothing was written to {dest}."
                    )
        else:
            try:
                check_complete(tmp_path)
            except CorruptFileError as exc:
                raise DownloadError(
                    f"download of {url} is incomplete or damaged ({exc.__cause__!s}); "
                    f"the file was discarded and nothing was written to {dest}. Try again."
                ) from exc
            if verify is not None:
                verify(tmp_path)
            warnings.warn(
                f"{dest.name} downloaded from {url} without checksum verification "
                f"(none is published; it was checked for completeness only); its sha256 is "
                f"{sha256_file(tmp_path)}.",
                UnverifiedFileWarning,
                stacklevel=2,
            )
        os.chmod(tmp_path, 0o644)  # NamedTemporaryFile creates 0600
        os.replace(tmp_path, dest)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise
    return dest


def _accepts(path: Path, expected: frozenset[str], verify) -> bool:
    if sha256_file(path) in expected:
        return True
    if verify is not None:
        try:
            verify(path)
            return True
        except ChecksumMismatchError:  # CorruptFileError included
            return False
    return False


def _stream(response, out, url: str, name: str, progress: bool | None) -> None:
    from tqdm.auto import tqdm

    length_header = response.headers.get("Content-Length")
    total = int(length_header) if length_header and length_header.isdigit() else None
    got = 0
    with tqdm(
        total=total,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        desc=name,
        disable=not _progress_enabled(progress),
        leave=False,
    ) as bar:
        try:
            while True:
                block = response.read(_CHUNK)
                if not block:
                    break
                out.write(block)
                got += len(block)
                bar.update(len(block))
        except (http.client.IncompleteRead, OSError) as exc:  # includes timeouts
            raise DownloadError(
                f"download of {url} was interrupted after {got} of "
                f"{total if total is not None else 'unknown'} bytes ({exc!r}); "
                "the partial file was removed. Try again."
            ) from exc
    if total is not None and got != total:
        raise DownloadError(
            f"download of {url} is incomplete: got {got} of {total} bytes announced by "
            "Content-Length; the partial file was removed. Try again."
        )


# --------------------------------------------------------------------------- archives


def _parts(name: str) -> list[str]:
    """Path components of an archive name or link target; '.' and empty ones dropped."""
    return [p for p in name.replace("\\", "/").split("/") if p not in ("", ".")]


def _is_absolute(name: str) -> bool:
    n = name.replace("\\", "/")
    return n.startswith("/") or (len(n) > 1 and n[1] == ":")


class _Escape(Exception):
    pass


def _walk(parts: list[str], links: dict[tuple[str, ...], str], follow_last: bool):
    """Resolve ``parts`` (relative to the target root) as the file system will once the
    archive's symlinks in ``links`` exist: each component that is one of them is replaced by
    its target, ``..`` climbs. Raises :class:`_Escape` if the path leaves the root, goes
    through an absolute link, or loops."""
    stack: list[str] = []
    todo = list(parts)
    hops = 0
    while todo:
        part = todo.pop(0)
        if part == "..":
            if not stack:
                raise _Escape("climbs above the target directory")
            stack.pop()
            continue
        stack.append(part)
        target = links.get(tuple(stack))
        if target is not None and (todo or follow_last):
            hops += 1
            if hops > 64:
                raise _Escape("goes round a loop of symlinks")
            if _is_absolute(target):
                raise _Escape(f"goes through a symlink to the absolute path {target!r}")
            stack.pop()
            todo = _parts(target) + todo
    return tuple(stack)


def _check_members(members, root: Path, archive: Path) -> None:
    """Refuse the whole archive if any member, followed through the archive's own symlinks
    as they will exist when it is written, lands outside ``root``."""
    links: dict[tuple[str, ...], str] = {}
    for kind, name, linkname in members:
        if _is_absolute(name):
            raise UnsafeArchiveError(
                f"{archive} has a member with an absolute path ({name!r}); refusing to "
                "extract anything."
            )
        try:
            where = _walk(_parts(name), links, follow_last=kind not in ("symlink", "dir"))
        except _Escape as exc:
            raise UnsafeArchiveError(
                f"{archive} has a member {name!r} that would be written outside {root} (it "
                f"{exc}); refusing to extract anything."
            ) from None
        if not where and kind != "dir":
            raise UnsafeArchiveError(
                f"{archive} has a {kind} member {name!r} that would replace the target "
                f"directory {root} itself; refusing to extract anything."
            )
        if kind == "symlink":
            if _is_absolute(linkname):
                raise UnsafeArchiveError(
                    f"{archive} has a symlink {name!r} -> {linkname!r} pointing outside "
                    f"{root} (an absolute path); refusing to extract anything."
                )
            links[where] = linkname
            _check_link(where, linkname, links, root, archive, name)
        elif kind == "hardlink":
            try:
                if _is_absolute(linkname):
                    raise _Escape("is an absolute path")
                _walk(_parts(linkname), links, follow_last=True)
            except _Escape as exc:
                raise UnsafeArchiveError(
                    f"{archive} has a hard link {name!r} -> {linkname!r} pointing outside "
                    f"{root} (it {exc}); refusing to extract anything."
                ) from None
    # links added later can change where an earlier one points: check them all again
    for where, linkname in links.items():
        _check_link(where, linkname, links, root, archive, "/".join(where))


def _check_link(where, linkname, links, root, archive, name) -> None:
    try:
        _walk(list(where[:-1]) + _parts(linkname), links, follow_last=True)
    except _Escape as exc:
        raise UnsafeArchiveError(
            f"{archive} has a symlink {name!r} -> {linkname!r} pointing outside {root} (it "
            f"{exc}); refusing to extract anything."
        ) from None


def _tar_members(tar: tarfile.TarFile, archive: Path):
    out = []
    for m in tar.getmembers():
        if m.issym():
            out.append(("symlink", m.name, m.linkname))
        elif m.islnk():
            out.append(("hardlink", m.name, m.linkname))
        elif m.isdir():
            out.append(("dir", m.name, ""))
        elif m.isfile():
            out.append(("file", m.name, ""))
        else:
            raise UnsafeArchiveError(
                f"{archive} has a special member {m.name!r} (device or fifo); "
                "refusing to extract anything."
            )
    return out


def _zip_members(zf: zipfile.ZipFile, archive: Path):
    out = []
    for info in zf.infolist():
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise UnsafeArchiveError(
                f"{archive} has a symlink member {info.filename!r}; refusing to extract anything."
            )
        out.append(("dir" if info.is_dir() else "file", info.filename, ""))
    return out


def _sanitise_for_old_python(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    """What ``filter="data"`` would also do, for a Python without it: plain permissions."""
    members = tar.getmembers()
    for m in members:
        m.mode = (m.mode & 0o755) | (0o644 if m.isfile() else 0o700 if m.isdir() else 0)
        m.uid = m.gid = 0
        m.uname = m.gname = ""
    return members


def extract_archive(archive: str | os.PathLike, target_dir: str | os.PathLike) -> Path:
    """Safely unpack a ``.tar``, ``.tar.gz``/``.tgz`` or ``.zip`` archive into ``target_dir``.

    The archive is first read to its end (:func:`check_complete`: a truncated or damaged
    archive is a :class:`CorruptFileError` naming it). Then all members are checked before
    anything is written: a member whose path is absolute, climbs out with ``..``, is a link
    pointing outside ``target_dir``, climbs out *through* one of the archive's own symlinks
    (``a -> .`` then ``a/../x``, or a chain of links), or is a device file, makes the whole
    call fail with :class:`UnsafeArchiveError`, and nothing is extracted. These checks are
    the library's own; Python's ``filter="data"`` is applied too where it exists. The
    archive is unpacked into a temporary sibling directory that is then renamed to
    ``target_dir``, so ``target_dir`` appears complete or not at all. ``target_dir`` must not
    exist yet, or be empty.

    >>> import io, tarfile, tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with tarfile.open(d / "a.tar.gz", "w:gz") as t:
    ...     info = tarfile.TarInfo("sub/hello.txt"); info.size = 2
    ...     t.addfile(info, io.BytesIO(b"hi"))
    >>> (extract_archive(d / "a.tar.gz", d / "out") / "sub" / "hello.txt").read_text()
    'hi'
    """
    archive = _as_path(archive, "archive")
    target = _as_path(target_dir, "target_dir").absolute()
    if not archive.exists():
        raise FileNotFoundError(f"the archive {archive} does not exist.")
    if archive.is_dir():
        raise MiaDataError(f"{archive} is a directory, not an archive file.")
    if target.exists() and not target.is_dir():
        raise FileExistsError(f"target_dir {target} is a file; choose a new directory.")
    if target.exists() and any(target.iterdir()):
        raise FileExistsError(f"{target} already exists and is not empty; choose a new directory.")
    check_complete(archive)
    is_zip = zipfile.is_zipfile(archive)
    if not is_zip and not tarfile.is_tarfile(archive):
        raise MiaDataError(
            f"{archive} is neither a tar nor a zip archive (tar, tar.gz, tar.bz2, tar.xz and "
            "zip are supported)."
        )

    why = _why_not_writable(target.parent)
    if why is not None:
        raise ReadOnlyError(f"cannot extract {archive} into {target}: {why}.", target.parent, why)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temp_files(target.parent)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=_temp_prefix(target.name), suffix=".tmp"))
    try:
        try:
            if is_zip:
                with zipfile.ZipFile(archive) as zf:
                    _check_members(_zip_members(zf, archive), target, archive)
                    zf.extractall(tmp)
            else:
                with tarfile.open(archive) as tar:
                    _check_members(_tar_members(tar, archive), target, archive)
                    if hasattr(tarfile, "data_filter"):
                        tar.extractall(tmp, filter="data")
                    else:  # a Python without PEP 706 filters (tested by deleting it)
                        tar.extractall(tmp, members=_sanitise_for_old_python(tar))  # noqa: S202
        except _FILTER_ERROR as exc:  # pragma: no cover - our checks come first
            raise UnsafeArchiveError(
                f"{archive} has a member refused by Python's tar filter ({exc}); refusing to "
                "extract anything."
            ) from exc
        except (*_STREAM_ERRORS, zipfile.BadZipFile) as exc:
            if isinstance(exc, OSError) and exc.errno is not None:
                raise  # a local problem (disk full, permissions), not a damaged archive
            raise CorruptFileError(
                f"{archive} could not be unpacked ({type(exc).__name__}: {exc}); it is damaged: "
                "delete it and download it again."
            ) from exc
        if target.exists():
            target.rmdir()
        os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target
