"""mia_lib.download: verified, atomic downloads; safe extraction; clear offline errors."""

from __future__ import annotations

import hashlib
import io
import os
import socket
import tarfile
import warnings
import zipfile
from pathlib import Path

import pytest

from mia_lib import download as dl
from mia_lib.download import (
    ChecksumMismatchError,
    DatasetUnavailableError,
    DownloadError,
    MiaDataError,
    UnsafeArchiveError,
    UnverifiedFileWarning,
    cache_dir,
    data_dir,
    extract_archive,
    fetch,
    is_writable,
)

pytestmark = pytest.mark.network

PAYLOAD = os.urandom(300_000)
DIGEST = hashlib.sha256(PAYLOAD).hexdigest()


def listing(d: Path) -> list[str]:
    return sorted(str(p.relative_to(d)) for p in d.rglob("*"))


# --------------------------------------------------------------------------- fetch


def test_download_then_cache_hit(http_server, tmp_path):
    http_server.routes["/f.bin"] = (PAYLOAD, "ok")
    dest = tmp_path / "sub" / "f.bin"
    assert fetch(http_server.url("/f.bin"), dest, DIGEST, progress=False) == dest
    assert dest.read_bytes() == PAYLOAD
    assert listing(tmp_path) == ["sub", "sub/f.bin"]  # no temporary file left
    mtime = dest.stat().st_mtime_ns
    fetch(http_server.url("/f.bin"), dest, DIGEST, progress=False)
    assert http_server.hits == {"/f.bin": 1}  # the second call did not touch the network
    assert dest.stat().st_mtime_ns == mtime


def test_progress_bar_runs(http_server, tmp_path, capsys):
    http_server.routes["/f.bin"] = (PAYLOAD, "ok")
    fetch(http_server.url("/f.bin"), tmp_path / "f.bin", DIGEST, progress=True)
    assert "f.bin" in capsys.readouterr().err


def test_sha256_mismatch_leaves_nothing(http_server, tmp_path):
    http_server.routes["/f.bin"] = (PAYLOAD, "ok")
    wrong = "0" * 64
    with pytest.raises(ChecksumMismatchError) as info:
        fetch(http_server.url("/f.bin"), tmp_path / "f.bin", wrong, progress=False)
    msg = str(info.value)
    assert wrong in msg and DIGEST in msg and http_server.url("/f.bin") in msg
    assert listing(tmp_path) == []


def test_wrong_local_file_is_replaced(http_server, tmp_path):
    http_server.routes["/f.bin"] = (PAYLOAD, "ok")
    dest = tmp_path / "f.bin"
    dest.write_bytes(b"corrupt")
    fetch(http_server.url("/f.bin"), dest, DIGEST, progress=False)
    assert dest.read_bytes() == PAYLOAD and http_server.hits["/f.bin"] == 1


def test_truncated_transfer_leaves_nothing(http_server, tmp_path):
    http_server.routes["/f.bin"] = (PAYLOAD, "truncate")
    with pytest.raises(DownloadError) as info:
        fetch(http_server.url("/f.bin"), tmp_path / "f.bin", DIGEST, progress=False)
    assert str(len(PAYLOAD)) in str(info.value)
    assert listing(tmp_path) == []


def test_truncated_transfer_keeps_previous_file(http_server, tmp_path):
    http_server.routes["/f.bin"] = (PAYLOAD, "truncate")
    dest = tmp_path / "f.bin"
    dest.write_bytes(b"old")
    with pytest.raises(DownloadError):
        fetch(http_server.url("/f.bin"), dest, DIGEST, progress=False)
    assert dest.read_bytes() == b"old" and listing(tmp_path) == ["f.bin"]


def test_http_error_is_unavailable(http_server, tmp_path):
    with pytest.raises(DatasetUnavailableError, match="HTTP 404"):
        fetch(http_server.url("/missing.bin"), tmp_path / "m.bin", DIGEST, progress=False)
    assert listing(tmp_path) == []


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_offline_error_names_url_path_and_sha(tmp_path):
    url = f"http://127.0.0.1:{_closed_port()}/data/f.bin"
    dest = tmp_path / "adult" / "f.bin"
    with pytest.raises(DatasetUnavailableError) as info:
        fetch(url, dest, DIGEST, progress=False, timeout=5)
    msg = str(info.value)
    assert url in msg and str(dest) in msg and DIGEST in msg and "MIA_DATA_DIR" in msg
    assert isinstance(info.value, MiaDataError) and isinstance(info.value, RuntimeError)
    assert not dest.parent.exists()  # not even the directory was created


def test_read_only_directory_is_never_written(http_server, tmp_path):
    http_server.routes["/f.bin"] = (PAYLOAD, "ok")
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        assert not is_writable(ro) and not is_writable(ro / "sub")
        with pytest.raises(DatasetUnavailableError) as info:
            fetch(http_server.url("/f.bin"), ro / "sub" / "f.bin", DIGEST, progress=False)
        assert "read-only" in str(info.value) and str(ro / "sub" / "f.bin") in str(info.value)
        assert http_server.hits == {}  # refused before any network access
        assert listing(ro) == []
    finally:
        ro.chmod(0o755)


def test_no_published_checksum_warns(http_server, tmp_path):
    http_server.routes["/f.bin"] = (PAYLOAD, "ok")
    with pytest.warns(UnverifiedFileWarning, match=DIGEST):
        fetch(http_server.url("/f.bin"), tmp_path / "f.bin", None, progress=False)
    with pytest.warns(UnverifiedFileWarning):
        fetch(http_server.url("/f.bin"), tmp_path / "f.bin", None, progress=False)
    assert http_server.hits["/f.bin"] == 1


def test_verify_callback_accepts_alternative_bytes(http_server, tmp_path):
    http_server.routes["/f.bin"] = (PAYLOAD, "ok")
    seen = []

    def verify(p):
        seen.append(Path(p).read_bytes() == PAYLOAD)

    fetch(http_server.url("/f.bin"), tmp_path / "f.bin", "1" * 64, progress=False, verify=verify)
    assert seen == [True] and (tmp_path / "f.bin").read_bytes() == PAYLOAD

    def reject(p):
        raise ChecksumMismatchError("no")

    with pytest.raises(ChecksumMismatchError):
        fetch(
            http_server.url("/f.bin"), tmp_path / "g.bin", "1" * 64, progress=False, verify=reject
        )
    assert not (tmp_path / "g.bin").exists()


def test_file_url_and_several_accepted_digests(tmp_path):
    src = tmp_path / "src.bin"
    src.write_bytes(PAYLOAD)
    out = fetch(
        src.as_uri(), tmp_path / "out" / "x.bin", ["2" * 64, DIGEST.upper()], progress=False
    )
    assert out.read_bytes() == PAYLOAD


# --------------------------------------------------------------------------- locations


def test_data_dir_resolution(monkeypatch, tmp_path):
    monkeypatch.setenv("MIA_DATA_DIR", str(tmp_path / "env"))
    assert data_dir(tmp_path / "explicit") == tmp_path / "explicit"
    assert data_dir() == tmp_path / "env"
    monkeypatch.delenv("MIA_DATA_DIR")
    assert data_dir() == Path(dl.__file__).resolve().parents[2] / "data"  # <repo>/data


def test_cache_dir_resolution(monkeypatch, tmp_path):
    monkeypatch.setenv("MIA_CACHE_DIR", str(tmp_path / "c"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "c"
    monkeypatch.delenv("MIA_CACHE_DIR")
    assert cache_dir() == tmp_path / "xdg" / "mia_lib"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "mia_lib"


# --------------------------------------------------------------------------- archives


def _tar(path: Path, members: list[tarfile.TarInfo | tuple[str, bytes]]) -> Path:
    with tarfile.open(path, "w:gz") as t:
        for m in members:
            if isinstance(m, tarfile.TarInfo):
                t.addfile(m)
            else:
                info = tarfile.TarInfo(m[0])
                info.size = len(m[1])
                t.addfile(info, io.BytesIO(m[1]))
    return path


def _link(name: str, target: str, kind=tarfile.SYMTYPE) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info


def test_extract_tar_and_zip(tmp_path):
    tgz = _tar(tmp_path / "a.tgz", [("d/x.txt", b"x"), ("y.txt", b"yy"), _link("d/l", "x.txt")])
    out = extract_archive(tgz, tmp_path / "out")
    assert (out / "d" / "x.txt").read_bytes() == b"x" and (out / "y.txt").read_bytes() == b"yy"
    assert (out / "d" / "l").is_symlink()
    zpath = tmp_path / "a.zip"
    with zipfile.ZipFile(zpath, "w") as z:
        z.writestr("p/q.txt", "q")
    assert (extract_archive(zpath, tmp_path / "zout") / "p" / "q.txt").read_text() == "q"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.tgz", "a.zip", "out", "zout"]


@pytest.mark.parametrize(
    "bad",
    [
        ("../evil.txt", b"evil"),
        ("d/../../evil.txt", b"evil"),
        ("/tmp/evil_absolute.txt", b"evil"),
        _link("d/l", "../../evil.txt"),
        _link("d/l", "/etc/passwd"),
        _link("d/h", "../evil.txt", tarfile.LNKTYPE),
    ],
    ids=["dotdot", "nested-dotdot", "absolute", "symlink-out", "symlink-abs", "hardlink-out"],
)
def test_extract_refuses_escaping_members(tmp_path, bad):
    work = tmp_path / "work"
    work.mkdir()
    tgz = _tar(work / "bad.tgz", [("ok.txt", b"fine"), bad])
    with pytest.raises(UnsafeArchiveError, match="refusing"):
        extract_archive(tgz, work / "out")
    assert listing(tmp_path) == ["work", "work/bad.tgz"]  # nothing extracted, no temp dir
    assert not Path("/tmp/evil_absolute.txt").exists()


def test_extract_refuses_zip_slip(tmp_path):
    zpath = tmp_path / "bad.zip"
    with zipfile.ZipFile(zpath, "w") as z:
        z.writestr("ok.txt", "fine")
        z.writestr("../evil.txt", "evil")
    with pytest.raises(UnsafeArchiveError):
        extract_archive(zpath, tmp_path / "out")
    assert listing(tmp_path) == ["bad.zip"]


def test_extract_into_non_empty_dir_refused(tmp_path):
    tgz = _tar(tmp_path / "a.tgz", [("x", b"x")])
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep").write_text("k")
    with pytest.raises(FileExistsError):
        extract_archive(tgz, tmp_path / "out")
    assert listing(tmp_path / "out") == ["keep"]


def test_extract_not_an_archive(tmp_path):
    p = tmp_path / "plain.txt"
    p.write_text("hello")
    with pytest.raises(MiaDataError, match="neither"):
        extract_archive(p, tmp_path / "out")


def test_no_warning_for_verified_cache_hit(tmp_path):
    p = tmp_path / "f.bin"
    p.write_bytes(PAYLOAD)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fetch("http://127.0.0.1:9/unused", p, DIGEST, progress=False)
