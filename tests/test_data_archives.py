"""extract_archive stops escapes through the archive's own symlinks by its own checks (issue 11,
item 13): with Python's ``filter="data"`` and without it, the error is UnsafeArchiveError."""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

import pytest

from mia_lib.download import UnsafeArchiveError, extract_archive


def member(name: str, target: str | None = None, kind=tarfile.SYMTYPE, data: bytes = b"x"):
    info = tarfile.TarInfo(name)
    if target is None:
        info.size = len(data)
        return info, data
    info.type = kind
    info.linkname = target
    return info, None


def make_tar(path: Path, members) -> Path:
    with tarfile.open(path, "w") as t:
        for info, data in members:
            t.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def listing(d: Path) -> list[str]:
    return sorted(str(p.relative_to(d)) for p in d.rglob("*"))


@pytest.fixture(params=["with_filter", "without_filter"])
def python_filter(request, monkeypatch):
    """Run with Python's tar filter, and as on a Python that has none."""
    if request.param == "without_filter":
        monkeypatch.delattr(tarfile, "data_filter", raising=False)
    return request.param


ESCAPES = {
    "dot-link-then-dotdot": [member("a", "."), member("a/../outside/x")],
    "two-step-chain": [member("d/l1", ".."), member("d/l2", "l1/.."), member("d/l2/x")],
    "chain-through-dir": [member("l1", "sub"), member("sub/l2", ".."), member("l1/l2/../x")],
    "loop": [member("a", "b"), member("b", "a"), member("a/x")],
    "hardlink-through-symlink": [
        member("a", "."),
        member("h", "a/../outside", tarfile.LNKTYPE),
    ],
    "file-through-dup-symlink": [member("l", "."), member("l/../evil")],
    "later-link-changes-earlier": [
        member("d/e/f"),
        member("x", "d/e/.."),
        member("d/e", ".."),  # now x -> d/e/.. climbs above the target directory
    ],
    "dot-member-symlink": [member(".", "sub")],
}


@pytest.mark.parametrize("case", list(ESCAPES), ids=list(ESCAPES))
def test_escapes_through_own_symlinks_are_refused(tmp_path, python_filter, case):
    work = tmp_path / "work"
    work.mkdir()
    tar = make_tar(work / "bad.tar", ESCAPES[case])
    with pytest.raises(UnsafeArchiveError, match="refusing to extract anything"):
        extract_archive(tar, work / "out")
    assert listing(tmp_path) == ["work", "work/bad.tar"]  # nothing written, no temp dir


def test_links_inside_are_extracted(tmp_path, python_filter):
    tar = make_tar(
        tmp_path / "ok.tar",
        [
            member("d/x.txt", data=b"xx"),
            member("d/l", "x.txt"),
            member("lnk", "d"),
            member("lnk/y.txt", data=b"yy"),  # written through the link, into d/
            member("d/up", "../d/x.txt"),
        ],
    )
    out = extract_archive(tar, tmp_path / "out")
    assert (out / "d" / "y.txt").read_bytes() == b"yy"
    assert (out / "d" / "l").read_bytes() == b"xx" and (out / "d" / "up").read_bytes() == b"xx"
    assert os.path.islink(out / "lnk")
