"""Temporary files named after this host and process, their cleanup after a killed process,
and atomic writes."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import socket
import stat
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from .paths import as_path, is_writable, require_writable

__all__ = [
    "STALE_TEMP_SECONDS",
    "HOST_TAG",
    "temp_prefix",
    "remove_stale_temp_files",
    "atomic_write",
]

#: A temporary file of the library that has not been written to for this many seconds is
#: stale whoever made it (see :func:`remove_stale_temp_files`).
STALE_TEMP_SECONDS = 3600


def _host_tag() -> str:
    """8 hex digits naming this host and PID namespace (containers sharing a disk differ)."""
    ident = socket.gethostname()
    try:
        ident += os.readlink("/proc/self/ns/pid")
    except OSError:  # not Linux
        pass
    return hashlib.sha256(ident.encode()).hexdigest()[:8]


HOST_TAG = _host_tag()
# Our temporary names: ".<name>.mia-<host tag>-<pid>-<random>.part" (downloads) or ".tmp"
# (caches, extraction directories). Older versions wrote ".<name>.<random>.part".
_TEMP_RE = re.compile(r"^\..+\.mia-(?P<host>[0-9a-f]{8})-(?P<pid>\d+)-[a-z0-9_]{8}\.(?:part|tmp)$")
_OLD_TEMP_RE = re.compile(r"^\..+\.[a-z0-9_]{8}\.(?:part|tmp)$")


def temp_prefix(name: str) -> str:
    return f".{name}.mia-{HOST_TAG}-{os.getpid()}-"


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
    d = as_path(directory, "directory")
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
        dead = hit is not None and hit["host"] == HOST_TAG and not _pid_running(int(hit["pid"]))
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
    dest = as_path(dest_path, "dest_path")
    if not callable(write):
        raise TypeError(f"write must be a callable taking a binary file, got {write!r}.")
    require_writable(dest.parent, "directory")
    dest.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temp_files(dest.parent)
    tmp = None
    try:
        with tempfile.NamedTemporaryFile(
            dir=dest.parent, prefix=temp_prefix(dest.name), suffix=".tmp", delete=False
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
