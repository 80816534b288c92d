"""The errors and the warning of the data layer (re-exported by :mod:`mia_lib.download`)."""

from __future__ import annotations

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
]


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


# Shown and documented as mia_lib.download.<name>, where users import them from.
for _cls in (MiaDataError, DatasetUnavailableError, DownloadError, ChecksumMismatchError,
             CorruptFileError, ReadOnlyError, UnsafeArchiveError, UnverifiedFileWarning):  # fmt: skip
    _cls.__module__ = "mia_lib.download"
del _cls
