"""Verified, atomic, offline-honest downloads: :func:`fetch`."""

from __future__ import annotations

import http.client
import numbers
import os
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path

from .errors import (
    ChecksumMismatchError,
    CorruptFileError,
    DatasetUnavailableError,
    DownloadError,
    MiaDataError,
    UnverifiedFileWarning,
)
from .integrity import check_complete, expected_digests, sha256_file, unavailable_message
from .paths import as_path, why_not_writable
from .tempfiles import remove_stale_temp_files, temp_prefix

__all__ = ["fetch", "USER_AGENT"]

USER_AGENT = "mia_lib/0.1 (+https://github.com/; membership inference textbook)"
_CHUNK = 1 << 16


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

    The download goes to a temporary file next to ``dest_path`` whose name holds this host
    and process (see :func:`remove_stale_temp_files`, which this function calls first to
    remove the leftovers of killed downloads). On any error the temporary file is removed;
    ``dest_path`` is either the previous file or absent, never a partial download.

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

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> src = d / "src.txt"; _ = src.write_bytes(b"abc")
    >>> digest = sha256_file(src)
    >>> fetch(src.as_uri(), d / "copy.txt", digest, progress=False).read_bytes()
    b'abc'
    """
    url = _check_url(url)
    dest = as_path(dest_path, "dest_path")
    expected = expected_digests(sha256)
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

    why = why_not_writable(dest.parent)
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
        dir=dest.parent, prefix=temp_prefix(dest.name), suffix=".part", delete=False
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
