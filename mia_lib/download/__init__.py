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
- :func:`atomic_write` writes any file so that it appears complete or not at all.

When a file cannot be had (no network, or a read-only data directory), the error is a
:class:`DatasetUnavailableError` whose message names the URL, the exact path to place the file
at, its sha256, and the ``MIA_DATA_DIR`` environment variable. Every error about a file is a
:class:`MiaDataError` whose message names the file and says how to fix the problem.

The package holds the errors (``errors``), paths and write permission (``paths``), temporary
files (``tempfiles``), checksums and completeness (``integrity``), downloads (``transfer``)
and archives (``archives``); everything public is imported from :mod:`mia_lib.download`.
"""

from __future__ import annotations

from .archives import extract_archive
from .errors import (
    ChecksumMismatchError,
    CorruptFileError,
    DatasetUnavailableError,
    DownloadError,
    MiaDataError,
    ReadOnlyError,
    UnsafeArchiveError,
    UnverifiedFileWarning,
)
from .integrity import check_complete, sha256_file, unavailable_message
from .paths import cache_dir, data_dir, is_writable, require_writable
from .tempfiles import STALE_TEMP_SECONDS, atomic_write, remove_stale_temp_files
from .transfer import USER_AGENT, fetch

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
    "USER_AGENT",
]
