"""Safe extraction of tar and zip archives: :func:`extract_archive`, with the library's own
checks against members that would land outside the target directory."""

from __future__ import annotations

import os
import shutil
import stat
import tarfile
import tempfile
import zipfile
from pathlib import Path

from .errors import CorruptFileError, MiaDataError, ReadOnlyError, UnsafeArchiveError
from .integrity import STREAM_ERRORS, check_complete
from .paths import as_path, why_not_writable
from .tempfiles import remove_stale_temp_files, temp_prefix

__all__ = ["extract_archive"]

_FILTER_ERROR = getattr(tarfile, "FilterError", ())  # Python's PEP 706 tar filter, if any


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
    archive = as_path(archive, "archive")
    target = as_path(target_dir, "target_dir").absolute()
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

    why = why_not_writable(target.parent)
    if why is not None:
        raise ReadOnlyError(f"cannot extract {archive} into {target}: {why}.", target.parent, why)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temp_files(target.parent)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=temp_prefix(target.name), suffix=".tmp"))
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
        except (*STREAM_ERRORS, zipfile.BadZipFile) as exc:
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
