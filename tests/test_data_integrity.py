"""Nothing lost, nothing silently wrong (issue 11, data layer) and content fingerprints (issue 10).

Regression tests: truncated and corrupted unverified downloads, leftovers of killed
downloads, caches of the right structure but the wrong content, corrupt files parsed before
they were verified, a cache directory without write bits (as root), the skip reasons of
``available_datasets``, and the content fingerprint of a loaded dataset.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import http.server
import io
import os
import signal
import struct
import subprocess
import sys
import tarfile
import threading
import time
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest

from mia_lib import download as dl
from mia_lib.datasets import (
    FILES,
    ChecksumMismatchError,
    CorruptFileError,
    DatasetUnavailableError,
    MiaDataError,
    available_datasets,
    load_dataset,
    loaded_datasets,
)
from mia_lib.download import (
    DownloadError,
    ReadOnlyError,
    UnverifiedFileWarning,
    check_complete,
    extract_archive,
    fetch,
    is_writable,
    remove_stale_temp_files,
    require_writable,
    sha256_file,
)
from mia_lib.download.tempfiles import HOST_TAG

REPO = Path(__file__).resolve().parents[1]
PURCHASE = "purchase/dataset_purchase.tgz"


# --------------------------------------------------------------------------- fixtures


class RawServer:
    """127.0.0.1 server: ``routes[path] = (body, mode)`` with mode ``"ok"`` (no
    Content-Length, closes at the end), ``"cut"`` (no Content-Length, sends half and closes)
    or ``"slow"`` (sends 4 KB, then waits for ``release`` before closing)."""

    def __init__(self):
        self.routes: dict[str, tuple[bytes, str]] = {}
        self.release = threading.Event()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                body, mode = server.routes.get(self.path, (b"", "missing"))
                if mode == "missing":
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.end_headers()  # no Content-Length: the client reads until close
                if mode == "cut":
                    self.wfile.write(body[: len(body) // 2])
                elif mode == "slow":
                    self.wfile.write(body[:4096])
                    self.wfile.flush()
                    server.release.wait(30)
                else:
                    self.wfile.write(body)
                self.wfile.flush()
                self.close_connection = True

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def close(self):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def raw_server():
    srv = RawServer()
    try:
        yield srv
    finally:
        srv.close()


@pytest.fixture
def fresh_memo(monkeypatch):
    """Forget which files were already found complete or warned about in this process."""
    from mia_lib.datasets import verify

    monkeypatch.setattr(verify, "_COMPLETE", set())
    monkeypatch.setattr(verify, "_WARNED_UNVERIFIED", set())
    monkeypatch.setattr(verify, "_WARNED_CACHE", set())


def purchase_tgz(n: int = 90, d: int = 600, seed: int = 0) -> tuple[bytes, np.ndarray, np.ndarray]:
    """Bytes of a tiny dataset_purchase.tgz (labels 1..100, binary features)."""
    rng = np.random.default_rng(seed)
    X = (rng.random((n, d)) < 0.3).astype(np.uint8)
    labels = rng.integers(1, 101, size=n)
    text = "\n".join(",".join(map(str, [lab, *row])) for lab, row in zip(labels, X, strict=True))
    data = (text + "\n").encode()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as t:
        info = tarfile.TarInfo("dataset_purchase")
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    return buf.getvalue(), X, labels


def place(root: Path, key: str, data: bytes) -> Path:
    path = root / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def quiet_load(*args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return load_dataset(*args, **kw)


def npz_files(d: Path) -> list[str]:
    return sorted(p.name for p in d.glob("*.npz"))


# --------------------------------------------------------------------------- 2. truncated


def test_truncated_unverified_download_is_not_kept(raw_server, tmp_path):
    body, *_ = purchase_tgz()
    raw_server.routes["/p.tgz"] = (body, "cut")
    dest = tmp_path / "purchase" / "dataset_purchase.tgz"
    with pytest.raises(DownloadError) as info:
        fetch(raw_server.url("/p.tgz"), dest, None, progress=False)
    msg = str(info.value)
    assert "incomplete or damaged" in msg and raw_server.url("/p.tgz") in msg and str(dest) in msg
    assert sorted(os.listdir(dest.parent)) == []  # no file, no temporary file

    raw_server.routes["/p.tgz"] = (body, "ok")  # the complete file, also without a length
    with pytest.warns(UnverifiedFileWarning, match="completeness"):
        fetch(raw_server.url("/p.tgz"), dest, None, progress=False)
    assert dest.read_bytes() == body


def test_truncated_unverified_file_in_place_names_itself(tmp_path, tmp_cache, fresh_memo):
    body, *_ = purchase_tgz()
    path = place(tmp_path, PURCHASE, body[: len(body) // 2])  # left by an older version
    with pytest.raises(CorruptFileError) as info:
        quiet_load("purchase", tmp_path)
    msg = str(info.value)
    assert str(path) in msg and "delete it" in msg and FILES[PURCHASE].url in msg
    assert isinstance(info.value, MiaDataError)
    assert npz_files(tmp_cache) == []


def test_fetch_replaces_a_truncated_unverified_file(raw_server, tmp_path):
    body, *_ = purchase_tgz()
    raw_server.routes["/p.tgz"] = (body, "ok")
    dest = place(tmp_path, "p.tgz", body[:1000])
    with pytest.warns(UnverifiedFileWarning):
        fetch(raw_server.url("/p.tgz"), dest, None, progress=False)
    assert dest.read_bytes() == body


def test_load_downloads_unverified_and_refuses_a_cut_transfer(
    raw_server, tmp_path, tmp_cache, monkeypatch, fresh_memo
):
    body, X, labels = purchase_tgz(n=30)
    raw_server.routes["/p.tgz"] = (body, "cut")
    sf = dataclasses.replace(FILES[PURCHASE], url=raw_server.url("/p.tgz"))
    monkeypatch.setitem(FILES, PURCHASE, sf)
    data = tmp_path / "data"
    with pytest.raises(DownloadError):
        quiet_load("purchase", data)
    assert not (data / PURCHASE).exists() and os.listdir(data / "purchase") == []
    raw_server.routes["/p.tgz"] = (body, "ok")
    ds = quiet_load("purchase", data)
    assert np.array_equal(ds.X, X) and np.array_equal(ds.y, labels - 1)


# --------------------------------------------------------------------------- 3. corrupted


def flip_silently(body: bytes) -> bytes:
    """``body`` with one byte flipped in the middle such that the deflate stream still
    decodes (to other bytes) and only the gzip CRC catches it."""
    for pos in range(len(body) // 2, len(body) - 8):
        bad = bytearray(body)
        bad[pos] ^= 0x01
        try:
            gzip.decompress(bytes(bad))
        except gzip.BadGzipFile as exc:
            if "CRC" in str(exc):
                return bytes(bad)
        except (OSError, EOFError, Exception):
            continue
    raise AssertionError("no silent flip found")  # pragma: no cover


def test_corrupted_unverified_archive_is_refused_and_not_cached(tmp_path, tmp_cache, fresh_memo):
    body, *_ = purchase_tgz()
    path = place(tmp_path, PURCHASE, flip_silently(body))
    with pytest.raises(CorruptFileError) as info:
        quiet_load("purchase", tmp_path)
    assert str(path) in str(info.value) and "CRC" in str(info.value)
    assert npz_files(tmp_cache) == []  # nothing parsed from the corrupt file was cached


def test_good_unverified_archive_still_loads(tmp_path, tmp_cache, fresh_memo):
    body, X, labels = purchase_tgz()
    place(tmp_path, PURCHASE, body)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        ds = load_dataset("purchase", tmp_path)
    assert any(
        issubclass(w.category, UnverifiedFileWarning) and "completeness" in str(w.message)
        for w in seen
    )
    assert np.array_equal(ds.X, X) and np.array_equal(ds.y, labels - 1)


# --------------------------------------------------------------------------- 4. killed downloads


def _start_download(url: str, dest: Path) -> subprocess.Popen:
    code = (
        "import sys; from mia_lib.download import fetch; "
        "fetch(sys.argv[1], sys.argv[2], None, progress=False, timeout=30)"
    )
    return subprocess.Popen([sys.executable, "-c", code, url, str(dest)], cwd=REPO)


def _wait_for_part(d: Path, proc: subprocess.Popen) -> Path:
    deadline = time.time() + 20
    while time.time() < deadline:
        parts = list(d.glob(".*.part")) if d.is_dir() else []
        if parts:
            return parts[0]
        assert proc.poll() is None, "the download ended before it was killed"
        time.sleep(0.05)
    raise AssertionError("no temporary file appeared")  # pragma: no cover


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_killed_download_leftover_is_removed_on_next_load(
    raw_server, tmp_path, tmp_cache, monkeypatch, sig
):
    body, *_ = purchase_tgz(n=30)
    raw_server.routes["/slow.tgz"] = (body, "slow")
    data = tmp_path / "data"
    dest = data / PURCHASE
    proc = _start_download(raw_server.url("/slow.tgz"), dest)
    try:
        part = _wait_for_part(dest.parent, proc)
        # while the download runs, a load in another process must not remove its file
        with pytest.raises(DatasetUnavailableError):
            load_dataset("purchase", data, download=False)
        assert part.exists()
        proc.send_signal(sig)
        proc.wait(10)
    finally:
        if proc.poll() is None:  # pragma: no cover
            proc.kill()
            proc.wait()
    assert part.exists()  # the killed process could not clean up
    with pytest.raises(DatasetUnavailableError):
        load_dataset("purchase", data, download=False)  # the next load
    assert os.listdir(dest.parent) == []


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_stale_temp_file_rule(tmp_path):
    tag = HOST_TAG
    me = os.getpid()
    dead = _dead_pid()
    other = "0" * 8 if tag != "0" * 8 else "1" * 8
    names = {
        "running": f".a.bin.mia-{tag}-{me}-abcdefgh.part",
        "dead": f".a.bin.mia-{tag}-{dead}-abcdefgh.part",
        "other_host_fresh": f".a.bin.mia-{other}-{dead}-abcdefgh.part",
        "other_host_old": f".b.bin.mia-{other}-{dead}-abcdefgh.part",
        "old_style_fresh": ".a.bin.k2j4h5g6.part",
        "old_style_old": ".c.bin.k2j4h5g6.part",
        "cache_tmp_dead": f".purchase-parsed-x.npz.mia-{tag}-{dead}-abcdefgh.tmp",
        "not_ours": ".a.bin.part",
        "user_file": "a.bin",
    }
    for n in names.values():
        (tmp_path / n).write_bytes(b"x")
    (tmp_path / f".out.mia-{tag}-{dead}-abcdefgh.tmp").mkdir()  # an extraction directory
    old = time.time() - dl.STALE_TEMP_SECONDS - 60
    for key in ("other_host_old", "old_style_old"):
        os.utime(tmp_path / names[key], (old, old))
    removed = sorted(p.name for p in remove_stale_temp_files(tmp_path))
    assert removed == sorted(
        [names[k] for k in ("dead", "other_host_old", "old_style_old", "cache_tmp_dead")]
        + [f".out.mia-{tag}-{dead}-abcdefgh.tmp"]
    )
    kept = sorted(os.listdir(tmp_path))
    assert kept == sorted(
        names[k]
        for k in ("running", "other_host_fresh", "old_style_fresh", "not_ours", "user_file")
    )
    assert remove_stale_temp_files(tmp_path / "missing") == []


# --------------------------------------------------------------------------- 9. + 10. caches


def _purchase_cache(tmp_cache: Path) -> Path:
    (path,) = tmp_cache.glob("purchase-parsed-*.npz")
    return path


def test_cache_with_right_structure_but_wrong_content_is_rebuilt(tmp_path, tmp_cache, fresh_memo):
    body, X, labels = purchase_tgz()
    place(tmp_path, PURCHASE, body)
    quiet_load("purchase", tmp_path)
    cache = _purchase_cache(tmp_cache)
    # three records, with every key the loader reads
    np.savez(cache, Xbits=np.packbits(X[:3], axis=1), d=np.int64(600), labels=labels[:3])
    ds = quiet_load("purchase", tmp_path)
    assert len(ds) == 90 and np.array_equal(ds.X, X)
    with np.load(cache) as z:  # rebuilt, with its record of what it holds
        assert "__meta__" in z.files and len(z["labels"]) == 90


def test_cache_whose_arrays_do_not_match_its_record_is_rebuilt(tmp_path, tmp_cache, fresh_memo):
    body, X, labels = purchase_tgz()
    place(tmp_path, PURCHASE, body)
    quiet_load("purchase", tmp_path)
    cache = _purchase_cache(tmp_cache)
    with np.load(cache) as z:
        arrays = {k: z[k] for k in z.files}
    arrays["labels"] = arrays["labels"][::-1].copy()  # same shape and dtype, other content
    np.savez(cache, **arrays)
    with pytest.warns(UserWarning, match=r"cache file .*damaged or stale.*labels"):
        warnings.filterwarnings("ignore", message=".*records; the published")
        ds = load_dataset("purchase", tmp_path)
    assert np.array_equal(ds.y, labels - 1)


@pytest.mark.parametrize("damage", ["truncated", "no_keys", "not_npz", "empty"])
def test_damaged_cache_is_rebuilt(tmp_path, tmp_cache, fresh_memo, damage):
    body, X, labels = purchase_tgz()
    place(tmp_path, PURCHASE, body)
    quiet_load("purchase", tmp_path)
    cache = _purchase_cache(tmp_cache)
    raw = cache.read_bytes()
    if damage == "truncated":
        cache.write_bytes(raw[: len(raw) // 2])
    elif damage == "no_keys":
        np.savez(cache, other=np.zeros(3))
    elif damage == "not_npz":
        cache.write_bytes(b"not a zip file at all")
    else:
        cache.write_bytes(b"")
    ds = quiet_load("purchase", tmp_path)
    assert np.array_equal(ds.X, X) and np.array_equal(ds.y, labels - 1)
    assert cache.read_bytes() != b"" and zipfile.is_zipfile(cache)


def _idx(arr: np.ndarray) -> bytes:
    return (
        bytes([0, 0, 8, arr.ndim]) + struct.pack(">" + "I" * arr.ndim, *arr.shape) + arr.tobytes()
    )


IDX = {
    "train-images-idx3-ubyte.gz": np.arange(4 * 28 * 28, dtype=np.uint8).reshape(4, 28, 28),
    "train-labels-idx1-ubyte.gz": np.array([0, 1, 2, 3], dtype=np.uint8),
    "t10k-images-idx3-ubyte.gz": np.full((2, 28, 28), 7, dtype=np.uint8),
    "t10k-labels-idx1-ubyte.gz": np.array([9, 8], dtype=np.uint8),
}


def write_idx_set(root: Path, subdir: str, monkeypatch, *, mtime: int = 1, level: int = 9):
    """Tiny idx files, accepted by their decompressed content only (like re-gzipped copies)."""
    (root / subdir).mkdir(parents=True, exist_ok=True)
    for name, arr in IDX.items():
        raw = _idx(arr)
        (root / subdir / name).write_bytes(gzip.compress(raw, compresslevel=level, mtime=mtime))
        key = f"{subdir}/{name}"
        monkeypatch.setitem(FILES, key, dataclasses.replace(
            FILES[key], sha256="f" * 64, alt_sha256=(),
            content_sha256=hashlib.sha256(raw).hexdigest()))  # fmt: skip


@pytest.mark.parametrize(
    "damage, why",
    [
        ("not_gzip", "Not a gzipped file"),
        ("truncated", "EOFError"),
        ("crc", "CRC"),
    ],
)
def test_corrupt_gz_is_verified_before_it_is_parsed(tmp_path, monkeypatch, damage, why):
    write_idx_set(tmp_path, "mnist", monkeypatch)
    path = tmp_path / "mnist" / "t10k-labels-idx1-ubyte.gz"
    good = path.read_bytes()
    if damage == "not_gzip":
        path.write_bytes(b"no such gzip")
    elif damage == "truncated":
        path.write_bytes(good[: len(good) // 2])
    else:
        path.write_bytes(good[:-8] + bytes([good[-8] ^ 1]) + good[-7:])  # the stored CRC
    with pytest.raises(ChecksumMismatchError) as info:
        quiet_load("mnist", tmp_path)
    msg = str(info.value)
    assert isinstance(info.value, CorruptFileError)
    assert str(path) in msg and why in msg and "delete it" in msg


def test_extract_truncated_tgz_names_it(tmp_path):
    body, *_ = purchase_tgz()
    tgz = place(tmp_path, "cut.tgz", body[: len(body) // 2])
    with pytest.raises(CorruptFileError) as info:
        extract_archive(tgz, tmp_path / "out")
    assert str(tgz) in str(info.value)
    assert sorted(os.listdir(tmp_path)) == ["cut.tgz"]


def test_check_complete_kinds(tmp_path):
    body, *_ = purchase_tgz(n=10)
    assert check_complete(place(tmp_path, "ok.tgz", body))
    raw_tar = gzip.decompress(body)
    assert check_complete(place(tmp_path, "ok.tar", raw_tar))
    with pytest.raises(CorruptFileError, match="tar"):
        check_complete(place(tmp_path, "cut.tar", raw_tar[:700]))
    zpath = tmp_path / "ok.zip"
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_STORED) as z:
        z.writestr("a.txt", b"hello world" * 100)
    assert check_complete(zpath)
    bad = bytearray(zpath.read_bytes())
    bad[bad.index(b"hello")] ^= 1
    with pytest.raises(CorruptFileError, match="CRC"):
        check_complete(place(tmp_path, "bad.zip", bytes(bad)))
    with pytest.raises(CorruptFileError, match="zip"):
        check_complete(place(tmp_path, "cut.zip", zpath.read_bytes()[:60]))
    assert check_complete(place(tmp_path, "plain.csv", b"1,2,3\n"))


# --------------------------------------------------------------------------- 14. write bits


def test_cache_dir_without_write_bits_is_not_written(tmp_path, tmp_cache, fresh_memo):
    body, X, _ = purchase_tgz()
    place(tmp_path, PURCHASE, body)
    tmp_cache.chmod(0o555)
    try:
        assert not is_writable(tmp_cache)
        with pytest.warns(UserWarning, match=r"not cached.*MIA_CACHE_DIR"):
            warnings.filterwarnings("ignore", message=".*records; the published")
            warnings.filterwarnings("ignore", category=UnverifiedFileWarning)
            ds = load_dataset("purchase", tmp_path)
        assert np.array_equal(ds.X, X)
        assert os.listdir(tmp_cache) == []  # root could have written: the bits were respected
    finally:
        tmp_cache.chmod(0o755)


def test_require_writable(tmp_path):
    assert require_writable(tmp_path / "new" / "dir") == tmp_path / "new" / "dir"
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        with pytest.raises(ReadOnlyError, match=r"results directory .*ro/x: .*read-only"):
            require_writable(ro / "x", "results directory")
    finally:
        ro.chmod(0o755)
    f = place(tmp_path, "file", b"x")
    with pytest.raises(ReadOnlyError, match="is a file, not a directory"):
        require_writable(f / "sub")
    assert isinstance(ReadOnlyError("x"), MiaDataError)


# --------------------------------------------------------------------------- 1. skip reasons


def test_available_reasons_do_not_depend_on_the_machine(tmp_path):
    writable = tmp_path / "w"
    writable.mkdir()
    ro = tmp_path / "r"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        a, b = available_datasets(writable), available_datasets(ro)
    finally:
        ro.chmod(0o755)
    assert a == b  # writable or not, the same words
    for name in ("purchase", "texas", "cifar100"):
        ok, reason = a[name]
        assert not ok and reason.startswith("not in the data directory: ")
        assert f"load_dataset({name!r}) downloads it from {FILES[DATA_KEYS[name]].url}" in reason
        assert "by hand" in reason and str(tmp_path) not in reason
        assert "will be downloaded" not in reason  # the caller decides; nothing is downloaded


DATA_KEYS = {
    "purchase": PURCHASE,
    "texas": "texas/dataset_texas.tgz",
    "cifar100": "cifar100/cifar-100-python.tar.gz",
}


def test_available_reasons_for_present_data(mia_data_dir):
    avail = available_datasets(mia_data_dir)
    for _ok, reason in avail.values():
        assert str(mia_data_dir) not in reason
    if avail["adult"][0]:
        assert avail["adult"][1] == "canonical files: adult/adult.data, adult/adult.test"


# --------------------------------------------------------------------------- fingerprints


def recorded(key: str) -> list[str]:
    """Fingerprints under ``key``, ``key#2``...: other tests of this process may have loaded
    other files under the same key first."""
    return [v for k, v in loaded_datasets().items() if k.split("#")[0] == key]


def test_fingerprint_ignores_the_gzip_wrapper(tmp_path, monkeypatch):
    a, b = tmp_path / "a", tmp_path / "b"
    write_idx_set(a, "fashion-mnist", monkeypatch, mtime=1, level=9)
    files_a = {k: v for k, v in FILES.items() if k.startswith("fashion-mnist/")}
    write_idx_set(b, "fashion-mnist", monkeypatch, mtime=1234567, level=1)
    for k, v in files_a.items():  # both wrappers accepted by their content
        assert v.content_sha256 == FILES[k].content_sha256
    name = "fashion-mnist/train-images-idx3-ubyte.gz"
    assert sha256_file(a / name) != sha256_file(b / name)
    da, db = quiet_load("fashion_mnist", a), quiet_load("fashion_mnist", b)
    assert da.fingerprint == db.fingerprint and len(da.fingerprint) == 64
    assert da.fingerprint in recorded("fashion_mnist[dtype=float32]")
    assert quiet_load("fashion_mnist", a, dtype=np.float64).fingerprint == da.fingerprint
    u8 = quiet_load("fashion_mnist", a, dtype=np.uint8)
    assert u8.fingerprint != da.fingerprint
    assert u8.fingerprint in recorded("fashion_mnist[dtype=uint8]")
    # the content, not the metadata: a subset differs, an equal copy does not
    assert da.subset([0, 1]).fingerprint != da.fingerprint
    assert da.subset(np.arange(len(da))).fingerprint == da.fingerprint


def test_fingerprint_is_what_it_says():
    ds = load_dataset("synthetic", n_samples=50, n_features=3, random_state=4)
    h = hashlib.sha256(b"mia_lib.Dataset.fingerprint v1\n")
    h.update(b"X float32 <f4 C shape=(50, 3)\n")
    h.update(ds.X.astype("<f4").tobytes())
    h.update(b"\ny int64 <i8 shape=(50,)\n")
    h.update(ds.y.astype("<i8").tobytes())
    h.update(b"\npart\n" + "\n".join(["train"] * 50).encode())
    assert ds.fingerprint == h.hexdigest()


def test_loaded_datasets_keys():
    load_dataset("synthetic", n_samples=30, random_state=11)
    first = load_dataset("synthetic", n_samples=31, random_state=None)
    second = load_dataset("synthetic", n_samples=31, random_state=None)
    got = loaded_datasets()
    key = (
        "synthetic[n_samples=31,n_features=20,n_classes=2,class_sep=1.0,cluster_std=1.0,"
        "random_state=None,dtype=float32]"
    )
    assert got[key] == first.fingerprint
    assert any(k.startswith(key + "#") and v == second.fingerprint for k, v in got.items())
    load_dataset("digits", as_images=True)
    assert "digits[as_images=True,dtype=float32]" in loaded_datasets()
    before = loaded_datasets()
    load_dataset("digits", as_images=True)  # the same content again: nothing new
    assert loaded_datasets() == before


def test_purchase_key_names_its_options(tmp_path, tmp_cache, fresh_memo):
    body, *_ = purchase_tgz()
    place(tmp_path, PURCHASE, body)
    ds = quiet_load("purchase", tmp_path)
    assert ds.fingerprint in recorded("purchase[n_classes=100,cluster_seed=0,dtype=float32]")


def test_offline_fashion_mnist_fingerprint(mia_data_dir):
    """The offline copy is re-gzipped; its content (verified against upstream's decompressed
    sha256) gives this fingerprint, which upstream's files give too."""
    ok, _ = available_datasets(mia_data_dir)["fashion_mnist"]
    if not ok:
        pytest.skip("Fashion-MNIST not in the offline data directory")
    ds = load_dataset("fashion_mnist", mia_data_dir)
    assert ds.fingerprint == FASHION_FINGERPRINT


FASHION_FINGERPRINT = "002140d8ef0b5951e258b138c8b957433d3e120934eab50d5074c24223d0dffb"
