"""Where files live and whether the library may write there: argument paths, the data and
cache directories, write permission (respecting missing write bits even for root)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import MiaDataError, ReadOnlyError

__all__ = [
    "as_path",
    "data_dir",
    "cache_dir",
    "why_not_writable",
    "is_writable",
    "require_writable",
]


def as_path(value, name: str) -> Path:
    """``value`` as a Path, with a clear error (naming ``name``) for what cannot be one."""
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
        return _check_dir_path(as_path(explicit, "data_dir"), "the data_dir argument")
    env = os.environ.get("MIA_DATA_DIR")
    if env:
        return _check_dir_path(as_path(env, "MIA_DATA_DIR"), "from MIA_DATA_DIR")
    return Path(__file__).resolve().parents[2] / "data"


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
        return as_path(env, "MIA_CACHE_DIR")
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = as_path(xdg, "XDG_CACHE_HOME") if xdg else Path.home() / ".cache"
    return base / "mia_lib"


def why_not_writable(path: Path) -> str | None:
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
    return why_not_writable(as_path(path, "path")) is None


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
    p = as_path(path, what)
    why = why_not_writable(p)
    if why is not None:
        raise ReadOnlyError(
            f"cannot write the {what} {p}: {why}. Give a writable directory instead, or make "
            "it writable (chmod u+w) if it should be.",
            p,
            why,
        )
    return p
