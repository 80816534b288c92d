"""Downloads that are safe to interrupt, verified by sha256, and honest when offline.

Everything that touches the network or unpacks an archive lives here:

- :func:`fetch` downloads one file with a progress bar into a temporary file in the target
  directory, checks its sha256 while streaming, and moves it into place with ``os.replace``
  only when it is complete and correct. A cut connection, a short transfer or a wrong checksum
  leaves nothing behind.
- :func:`extract_archive` unpacks a tar(.gz) or zip archive after refusing any member that would
  land outside the target directory (``../``, absolute paths, links pointing out).
- :func:`data_dir` and :func:`cache_dir` say where source files and derived caches live. The
  data directory may be read-only (a shared offline copy); nothing is ever written into a
  read-only data directory, and derived caches always go to :func:`cache_dir`.

When a file cannot be had (no network, or a read-only data directory), the error is a
:class:`DatasetUnavailableError` whose message names the URL, the exact path to place the file
at, its sha256, and the ``MIA_DATA_DIR`` environment variable.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import shutil
import stat
import sys
import tarfile
import tempfile
import urllib.error
import urllib.request
import warnings
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath

__all__ = [
    "MiaDataError",
    "DatasetUnavailableError",
    "DownloadError",
    "ChecksumMismatchError",
    "UnsafeArchiveError",
    "UnverifiedFileWarning",
    "fetch",
    "extract_archive",
    "sha256_file",
    "data_dir",
    "cache_dir",
    "is_writable",
    "unavailable_message",
]

USER_AGENT = "mia_lib/0.1 (+https://github.com/; membership inference textbook)"
_CHUNK = 1 << 16


class MiaDataError(RuntimeError):
    """Base class of every data-access error raised by :mod:`mia_lib`."""


class DatasetUnavailableError(MiaDataError):
    """A needed file is missing and cannot be downloaded (offline, or read-only data dir).

    The message says which URL to download, where to put the file and its sha256.
    """


class DownloadError(MiaDataError):
    """A download started but did not complete (connection cut, short transfer)."""


class ChecksumMismatchError(MiaDataError):
    """A file's sha256 is not the expected one."""


class UnsafeArchiveError(MiaDataError):
    """An archive holds a member that would be written outside the target directory."""


class UnverifiedFileWarning(UserWarning):
    """A file was used without a checksum to verify it against (none is published)."""


# --------------------------------------------------------------------------- locations


def data_dir(explicit: str | os.PathLike | None = None) -> Path:
    """Return the data directory: ``explicit``, else ``$MIA_DATA_DIR``, else ``<repo>/data``.

    The directory need not exist (it is created only when a download is written into it).

    >>> data_dir("/tmp/somewhere")
    PosixPath('/tmp/somewhere')
    """
    if explicit is not None:
        return Path(explicit).expanduser()
    env = os.environ.get("MIA_DATA_DIR")
    if env:
        return Path(env).expanduser()
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
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "mia_lib"


def is_writable(path: str | os.PathLike) -> bool:
    """Whether files may be created at ``path`` (a directory, existing or not).

    The nearest existing ancestor decides. A directory counts as read-only when the process
    may not write to it *or* when its permission bits grant write access to nobody
    (``chmod a-w``), so a deliberately read-only data directory is respected even by root.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     is_writable(d), is_writable(Path(d) / "not" / "yet")
    (True, True)
    """
    p = Path(path).absolute()
    while not p.exists():
        if p.parent == p:
            return False
        p = p.parent
    if not p.is_dir():
        return False
    mode = p.stat().st_mode
    return os.access(p, os.W_OK | os.X_OK) and bool(
        mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    )


# --------------------------------------------------------------------------- checksums


def sha256_file(path: str | os.PathLike) -> str:
    """Return the hex sha256 of a file, read in chunks.

    >>> import tempfile
    >>> with tempfile.NamedTemporaryFile() as f:
    ...     _ = f.write(b"abc"); f.flush()
    ...     sha256_file(f.name)[:16]
    'ba7816bf8f01cfea'
    """
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _expected_set(sha256: str | Iterable[str] | None) -> frozenset[str]:
    if sha256 is None:
        return frozenset()
    if isinstance(sha256, str):
        return frozenset({sha256.lower()})
    return frozenset(s.lower() for s in sha256)


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
    dest = Path(dest_path)
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


# --------------------------------------------------------------------------- fetch


def _progress_enabled(progress: bool | None) -> bool:
    if progress is not None:
        return bool(progress)
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # pragma: no cover - closed or odd stderr
        return False


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
        Accepted hex digest(s) of the file. ``None`` means that no checksum is published:
        the file is downloaded (or reused) unverified and an :class:`UnverifiedFileWarning`
        is issued. When ``verify`` is given, a digest mismatch is forgiven if ``verify``
        accepts the file (used for re-gzipped copies checked by their content).
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
        The transfer stopped before the announced Content-Length.
    ChecksumMismatchError
        The downloaded bytes have another sha256.

    On any error the temporary file is removed; ``dest_path`` is either the previous file
    or absent, never a partial download.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> src = d / "src.txt"; _ = src.write_bytes(b"abc")
    >>> digest = sha256_file(src)
    >>> fetch(src.as_uri(), d / "copy.txt", digest, progress=False).read_bytes()
    b'abc'
    """
    dest = Path(dest_path)
    expected = _expected_set(sha256)

    if dest.is_file():
        if not expected:
            warnings.warn(
                f"{dest} is used without checksum verification (none is published for {url}).",
                UnverifiedFileWarning,
                stacklevel=2,
            )
            return dest
        if _accepts(dest, expected, verify):
            return dest

    if not is_writable(dest.parent):
        reason = (
            "the file is missing and its directory is read-only"
            if not dest.exists()
            else "the file there has the wrong sha256 and its directory is read-only"
        )
        raise DatasetUnavailableError(unavailable_message(url, dest, sha256, reason))

    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        raise DatasetUnavailableError(
            unavailable_message(url, dest, sha256, f"the server answered HTTP {exc.code}")
        ) from exc
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        why = getattr(exc, "reason", exc)
        raise DatasetUnavailableError(
            unavailable_message(url, dest, sha256, f"the URL cannot be reached ({why})")
        ) from exc

    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        response.close()
        raise
    tmp = tempfile.NamedTemporaryFile(
        dir=dest.parent, prefix=f".{dest.name}.", suffix=".part", delete=False
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
            if verify is not None:
                verify(tmp_path)
            warnings.warn(
                f"{dest.name} downloaded from {url} without checksum verification "
                f"(none is published); its sha256 is {sha256_file(tmp_path)}.",
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
        except ChecksumMismatchError:
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


def _inside(root: Path, candidate: Path) -> bool:
    try:
        candidate.relative_to(root)
    except ValueError:
        return False
    return True


def _resolve_member(root: Path, name: str) -> Path:
    # Normalise without touching the file system (the target does not exist yet).
    return Path(os.path.normpath(root / name))


def _check_name(root: Path, name: str, archive: Path) -> Path:
    pure = PurePosixPath(name.replace("\\", "/"))
    if pure.is_absolute() or (len(name) > 1 and name[1] == ":"):
        raise UnsafeArchiveError(
            f"{archive} has a member with an absolute path ({name!r}); refusing to extract anything."
        )
    target = _resolve_member(root, str(pure))
    if not _inside(root, target):
        raise UnsafeArchiveError(
            f"{archive} has a member that would be written outside {root} ({name!r}); "
            "refusing to extract anything."
        )
    return target


def _check_tar(tar: tarfile.TarFile, root: Path, archive: Path) -> None:
    for m in tar.getmembers():
        target = _check_name(root, m.name, archive)
        if m.issym():
            link = PurePosixPath(m.linkname)
            dest = (
                Path(os.path.normpath(link))
                if link.is_absolute()
                else Path(os.path.normpath(target.parent / m.linkname))
            )
            if link.is_absolute() or not _inside(root, dest):
                raise UnsafeArchiveError(
                    f"{archive} has a symlink {m.name!r} -> {m.linkname!r} pointing outside "
                    f"{root}; refusing to extract anything."
                )
        elif m.islnk():
            link = PurePosixPath(m.linkname)
            dest = Path(os.path.normpath(root / m.linkname))
            if link.is_absolute() or not _inside(root, dest):
                raise UnsafeArchiveError(
                    f"{archive} has a hard link {m.name!r} -> {m.linkname!r} pointing outside "
                    f"{root}; refusing to extract anything."
                )
        elif not (m.isfile() or m.isdir()):
            raise UnsafeArchiveError(
                f"{archive} has a special member {m.name!r} (device or fifo); "
                "refusing to extract anything."
            )


def _check_zip(zf: zipfile.ZipFile, root: Path, archive: Path) -> None:
    for info in zf.infolist():
        _check_name(root, info.filename, archive)
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise UnsafeArchiveError(
                f"{archive} has a symlink member {info.filename!r}; refusing to extract anything."
            )


def extract_archive(archive: str | os.PathLike, target_dir: str | os.PathLike) -> Path:
    """Safely unpack a ``.tar``, ``.tar.gz``/``.tgz`` or ``.zip`` archive into ``target_dir``.

    All members are checked before anything is written: a member whose path is absolute,
    climbs out with ``..``, or is a link pointing outside ``target_dir`` (or a device file)
    makes the whole call fail with :class:`UnsafeArchiveError`, and nothing is extracted.
    The archive is unpacked into a temporary sibling directory that is then renamed to
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
    archive = Path(archive)
    target = Path(target_dir).absolute()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise FileExistsError(f"{target} already exists and is not empty; choose a new directory.")
    is_zip = zipfile.is_zipfile(archive)
    if not is_zip and not tarfile.is_tarfile(archive):
        raise MiaDataError(f"{archive} is neither a tar nor a zip archive.")

    if not is_writable(target.parent):
        raise MiaDataError(f"cannot extract {archive}: {target.parent} is read-only.")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"))
    try:
        if is_zip:
            with zipfile.ZipFile(archive) as zf:
                _check_zip(zf, target, archive)
                zf.extractall(tmp)
        else:
            with tarfile.open(archive) as tar:
                _check_tar(tar, target, archive)
                if hasattr(tarfile, "data_filter"):
                    tar.extractall(tmp, filter="data")
                else:  # pragma: no cover - Python without PEP 706 filters
                    tar.extractall(tmp)  # noqa: S202 - every member was checked above
        if target.exists():
            target.rmdir()
        os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target
