"""Hostile inputs to every public function of the data layer get a clear error.

Each case names the function, the input, the error type and a pattern its message must
match (what was wrong, and which file or argument). ``python tests/test_data_bad_inputs.py``
prints the cases as the markdown table of notes/bad_inputs_data.md.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gzip
import http.server
import io
import os
import re
import socket
import sys
import tarfile
import tempfile
import threading
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from mia_lib.datasets import (
    FILES,
    ChecksumMismatchError,
    CorruptFileError,
    DatasetUnavailableError,
    MiaDataError,
    available_datasets,
    dataset_catalog,
    load_dataset,
    recluster_labels,
)
from mia_lib.download import (
    ReadOnlyError,
    UnsafeArchiveError,
    atomic_write,
    cache_dir,
    check_complete,
    data_dir,
    extract_archive,
    fetch,
    is_writable,
    remove_stale_temp_files,
    require_writable,
    sha256_file,
    unavailable_message,
)

# --------------------------------------------------------------------------- context


class Server:
    """127.0.0.1: ``/ok`` serves b"payload", ``/missing`` is a 404."""

    def __init__(self):
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                if self.path != "/ok":
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", "7")
                self.end_headers()
                self.wfile.write(b"payload")

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@dataclasses.dataclass
class Ctx:
    tmp: Path
    server: Server

    @property
    def file(self) -> Path:  # an ordinary file
        p = self.tmp / "plain.txt"
        p.write_text("hello")
        return p

    @property
    def ro(self) -> Path:  # a directory without write bits (read-only even for root)
        p = self.tmp / "ro"
        p.mkdir(exist_ok=True)
        p.chmod(0o555)
        return p

    def put(self, rel: str, data: bytes) -> Path:
        p = self.tmp / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
        return p


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@contextlib.contextmanager
def env(name: str, value: str):
    saved = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if saved is None:
            del os.environ[name]
        else:
            os.environ[name] = saved


@contextlib.contextmanager
def patched_file(key: str, **changes):
    saved = FILES[key]
    FILES[key] = dataclasses.replace(saved, **changes)
    try:
        yield
    finally:
        FILES[key] = saved


def targz(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as t:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def tar_with(info: tarfile.TarInfo, mode: str = "w") -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode) as t:
        t.addfile(info)
    return buf.getvalue()


def special(name: str, kind) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    return info


def zip_bytes(entries: dict[str, bytes], symlink: str | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (0o120777 << 16) | 0
            z.writestr(info, "target")
    return buf.getvalue()


def purchase_dir(c: Ctx, data: bytes) -> Path:
    c.put("p/purchase/dataset_purchase.tgz", data)
    return c.tmp / "p"


def load_purchase_file(c: Ctx, data: bytes, **kw):
    root = purchase_dir(c, data)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*records; the published data")
        warnings.filterwarnings("ignore", message=".*without checksum verification")
        return load_dataset("purchase", root, **kw)


def good_zip_then(c: Ctx, damage: Callable[[bytes], bytes]) -> Path:
    raw = zip_bytes({"a.txt": b"hello world" * 50})
    return c.put("z.zip", damage(raw))


def flip_in_zip(raw: bytes) -> bytes:
    bad = bytearray(raw)
    bad[bad.index(b"hello")] ^= 1
    return bytes(bad)


def x_small() -> np.ndarray:
    return np.r_[np.zeros((5, 2)), np.ones((3, 2))]


# --------------------------------------------------------------------------- the cases

Case = tuple[str, str, Callable[[Ctx], object], type, str]

CASES: list[Case] = [
    # ---- load_dataset: name
    ("load_dataset", "name=None", lambda c: load_dataset(None), TypeError, "name must be a string"),
    ("load_dataset", "name=123", lambda c: load_dataset(123), TypeError, "got int 123"),
    ("load_dataset", "name=['adult']", lambda c: load_dataset(["adult"]), TypeError, "string"),
    ("load_dataset", "name=''", lambda c: load_dataset(""), ValueError, "unknown dataset ''"),
    ("load_dataset", "name='   '", lambda c: load_dataset("   "), ValueError, "unknown dataset"),
    (
        "load_dataset",
        "name='imagenet'",
        lambda c: load_dataset("imagenet"),
        ValueError,
        r"unknown dataset 'imagenet'; choose one of",
    ),
    (
        "load_dataset",
        "unknown option clusterstd=1",
        lambda c: load_dataset("synthetic", clusterstd=1),
        TypeError,
        r"unknown option\(s\) \['clusterstd'\]; valid",
    ),
    (
        "load_dataset",
        "extra positional argument",
        lambda c: load_dataset("digits", None, 3),
        TypeError,
        "positional argument",
    ),
    # ---- load_dataset: flags
    (
        "load_dataset",
        "download='yes'",
        lambda c: load_dataset("adult", c.tmp, download="yes"),
        TypeError,
        "download must be True, False or None",
    ),
    (
        "load_dataset",
        "download=1",
        lambda c: load_dataset("adult", c.tmp, download=1),
        TypeError,
        "download must be",
    ),
    (
        "load_dataset",
        "mnist allow_partial='no'",
        lambda c: load_dataset("mnist", c.tmp, allow_partial="no"),
        TypeError,
        "allow_partial must be True or False",
    ),
    (
        "load_dataset",
        "digits as_images='yes'",
        lambda c: load_dataset("digits", as_images="yes"),
        TypeError,
        "as_images must be True or False",
    ),
    # ---- load_dataset: data_dir
    (
        "load_dataset",
        "data_dir=123",
        lambda c: load_dataset("adult", 123),
        TypeError,
        r"data_dir must be a path \(str or os.PathLike\), got int",
    ),
    (
        "load_dataset",
        "data_dir=''",
        lambda c: load_dataset("adult", ""),
        ValueError,
        "data_dir is an empty string",
    ),
    (
        "load_dataset",
        "data_dir='a\\x00b'",
        lambda c: load_dataset("adult", "a\x00b"),
        ValueError,
        "NUL character",
    ),
    (
        "load_dataset",
        "data_dir is a file",
        lambda c: load_dataset("adult", c.file),
        MiaDataError,
        r"plain.txt \(the data_dir argument\) is a file, not a directory",
    ),
    (
        "load_dataset",
        "data_dir under a file",
        lambda c: load_dataset("adult", c.file / "sub"),
        MiaDataError,
        r"lies under .*plain.txt, which is a file",
    ),
    (
        "load_dataset",
        "MIA_DATA_DIR names a file",
        lambda c: _with_env_data_dir(c),
        MiaDataError,
        r"\(from MIA_DATA_DIR\) is a file",
    ),
    (
        "load_dataset",
        "data_dir missing, download=False",
        lambda c: load_dataset("texas", c.tmp / "none", download=False),
        DatasetUnavailableError,
        r"dataset 'texas' is not available.*download=False was given",
    ),
    (
        "load_dataset",
        "data_dir without write bits, file missing",
        lambda c: load_dataset("texas", c.ro),
        DatasetUnavailableError,
        r"dataset_texas.tgz: it is missing and the data directory cannot be written .*read-only"
        r".*download it from: https://",
    ),
    # ---- load_dataset: dtype
    (
        "load_dataset",
        "dtype='foo'",
        lambda c: load_dataset("digits", dtype="foo"),
        ValueError,
        r"dtype must be one of \['float32', 'float64'\], got 'foo'",
    ),
    (
        "load_dataset",
        "dtype=None",
        lambda c: load_dataset("digits", dtype=None),
        ValueError,
        "got None",
    ),
    (
        "load_dataset",
        "dtype=np.int32",
        lambda c: load_dataset("digits", dtype=np.int32),
        ValueError,
        "got int32",
    ),
    (
        "load_dataset",
        "digits dtype=np.uint8",
        lambda c: load_dataset("digits", dtype=np.uint8),
        ValueError,
        "got uint8",
    ),
    (
        "load_dataset",
        "adult encoding='binary'",
        lambda c: load_dataset("adult", c.tmp, encoding="binary"),
        ValueError,
        "encoding must be 'onehot' or 'ordinal'",
    ),
    (
        "load_dataset",
        "adult scale='MinMax'",
        lambda c: load_dataset("adult", c.tmp, scale="MinMax"),
        ValueError,
        "scale must be",
    ),
    (
        "load_dataset",
        "cifar100 label=1",
        lambda c: load_dataset("cifar100", c.tmp, label=1),
        ValueError,
        "label must be 'fine' or 'coarse'",
    ),
    # ---- load_dataset: purchase options
    (
        "load_dataset",
        "purchase n_classes=1",
        lambda c: load_dataset("purchase", c.tmp, n_classes=1),
        ValueError,
        r"n_classes must be an integer in 2..100",
    ),
    (
        "load_dataset",
        "purchase n_classes=True",
        lambda c: load_dataset("purchase", c.tmp, n_classes=True),
        ValueError,
        "got True",
    ),
    (
        "load_dataset",
        "purchase n_classes=2.0",
        lambda c: load_dataset("purchase", c.tmp, n_classes=2.0),
        ValueError,
        "got 2.0",
    ),
    (
        "load_dataset",
        "purchase n_classes='10'",
        lambda c: load_dataset("purchase", c.tmp, n_classes="10"),
        ValueError,
        "got '10'",
    ),
    (
        "load_dataset",
        "purchase cluster_seed=-1",
        lambda c: load_dataset("purchase", c.tmp, cluster_seed=-1),
        ValueError,
        r"cluster_seed must be an integer in 0..2\*\*32-1, got -1",
    ),
    (
        "load_dataset",
        "purchase cluster_seed='a'",
        lambda c: load_dataset("purchase", c.tmp, cluster_seed="a"),
        TypeError,
        r"cluster_seed must be an integer in 0..2\*\*32-1 \(it also names the cache\), got str",
    ),
    (
        "load_dataset",
        "purchase cluster_seed=None",
        lambda c: load_dataset("purchase", c.tmp, cluster_seed=None),
        TypeError,
        "got None",
    ),
    # ---- load_dataset: synthetic options
    (
        "load_dataset",
        "synthetic n_samples=0",
        lambda c: load_dataset("synthetic", n_samples=0),
        ValueError,
        "n_samples must be an integer >= 1, got 0",
    ),
    (
        "load_dataset",
        "synthetic n_samples=True",
        lambda c: load_dataset("synthetic", n_samples=True),
        ValueError,
        "got True",
    ),
    (
        "load_dataset",
        "synthetic n_samples=2.5",
        lambda c: load_dataset("synthetic", n_samples=2.5),
        ValueError,
        "got 2.5",
    ),
    (
        "load_dataset",
        "synthetic n_features=-3",
        lambda c: load_dataset("synthetic", n_features=-3),
        ValueError,
        "n_features",
    ),
    (
        "load_dataset",
        "synthetic n_classes=1",
        lambda c: load_dataset("synthetic", n_classes=1),
        ValueError,
        "n_classes must be an integer >= 2",
    ),
    (
        "load_dataset",
        "synthetic n_samples < n_classes",
        lambda c: load_dataset("synthetic", n_samples=3, n_classes=4),
        ValueError,
        r"n_samples \(3\) must be at least n_classes \(4\)",
    ),
    (
        "load_dataset",
        "synthetic class_sep='1'",
        lambda c: load_dataset("synthetic", class_sep="1"),
        ValueError,
        "class_sep must be a finite number >= 0, got '1'",
    ),
    (
        "load_dataset",
        "synthetic class_sep=nan",
        lambda c: load_dataset("synthetic", class_sep=float("nan")),
        ValueError,
        "got nan",
    ),
    (
        "load_dataset",
        "synthetic cluster_std=inf",
        lambda c: load_dataset("synthetic", cluster_std=float("inf")),
        ValueError,
        "got inf",
    ),
    (
        "load_dataset",
        "synthetic cluster_std=-1",
        lambda c: load_dataset("synthetic", cluster_std=-1),
        ValueError,
        "cluster_std",
    ),
    (
        "load_dataset",
        "synthetic random_state='a'",
        lambda c: load_dataset("synthetic", random_state="a"),
        TypeError,
        "random_state must be None, an int, a numpy Generator",
    ),
    (
        "load_dataset",
        "synthetic random_state=-1",
        lambda c: load_dataset("synthetic", random_state=-1),
        ValueError,
        "got -1",
    ),
    (
        "load_dataset",
        "synthetic n_samples=10**9, n_features=10**3",
        lambda c: load_dataset("synthetic", n_samples=10**9, n_features=1000),
        ValueError,
        "too many",
    ),
    # ---- load_dataset: bad files
    (
        "load_dataset",
        "purchase .tgz is gzip of text, not tar",
        lambda c: load_purchase_file(c, gzip.compress(b"1,0,1\n")),
        CorruptFileError,
        r"dataset_purchase.tgz is not a readable tar archive.*Delete it",
    ),
    (
        "load_dataset",
        "purchase .tgz is empty",
        lambda c: load_purchase_file(c, b""),
        CorruptFileError,
        "dataset_purchase.tgz is not a readable tar archive",
    ),
    (
        "load_dataset",
        "purchase .tgz without dataset_purchase",
        lambda c: load_purchase_file(c, targz({"other": b"1,0\n"})),
        CorruptFileError,
        r"dataset_purchase.tgz should hold exactly one member matching",
    ),
    (
        "load_dataset",
        "purchase features not binary",
        lambda c: load_purchase_file(c, targz({"dataset_purchase": b"1,0,2\n5,1,0\n"})),
        CorruptFileError,
        r"dataset_purchase.tgz: features should be binary \(0/1\), found value 2",
    ),
    (
        "load_dataset",
        "purchase label 101",
        lambda c: load_purchase_file(c, targz({"dataset_purchase": b"101,0,1\n5,1,0\n"})),
        CorruptFileError,
        r"labels should lie in 1..100, found 5..101",
    ),
    (
        "load_dataset",
        "purchase text, not numbers",
        lambda c: load_purchase_file(c, targz({"dataset_purchase": b"a,b,c\n"})),
        CorruptFileError,
        "not a CSV of small non-negative integers",
    ),
    (
        "load_dataset",
        "purchase truncated .tgz",
        lambda c: load_purchase_file(c, targz({"dataset_purchase": os.urandom(5000)})[:300]),
        CorruptFileError,
        r"dataset_purchase.tgz is damaged or incomplete.*delete it",
    ),
    (
        "load_dataset",
        "adult.data with the wrong sha256",
        lambda c: (
            c.put("a/adult/adult.data", b"x"),
            c.put("a/adult/adult.test", b"x"),
            load_dataset("adult", c.tmp / "a"),
        )[-1],
        ChecksumMismatchError,
        r"adult.data has sha256 .*, expected 5b00.*delete it",
    ),
    (
        "load_dataset",
        "location.npz (digest accepted) without X and y",
        lambda c: _npz_without_keys(c),
        CorruptFileError,
        r"location.npz: not an npz file with arrays X and y",
    ),
    (
        "load_dataset",
        "mnist .gz that is not gzip (content-verified file)",
        lambda c: _mnist_not_gzip(c),
        CorruptFileError,
        r"train-images-idx3-ubyte.gz is damaged or incomplete \(not a valid gzip file.*delete it",
    ),
    # ---- available_datasets / dataset_catalog
    (
        "available_datasets",
        "data_dir=123",
        lambda c: available_datasets(123),
        TypeError,
        "data_dir must be a path",
    ),
    (
        "available_datasets",
        "data_dir=''",
        lambda c: available_datasets(""),
        ValueError,
        "empty string",
    ),
    (
        "available_datasets",
        "data_dir is a file",
        lambda c: available_datasets(c.file),
        MiaDataError,
        "is a file, not a directory",
    ),
    (
        "dataset_catalog",
        "an argument",
        lambda c: dataset_catalog("adult"),
        TypeError,
        "positional argument",
    ),
    # ---- recluster_labels
    (
        "recluster_labels",
        "X=[]",
        lambda c: recluster_labels([], 2),
        ValueError,
        r"X must be at least 2-D",
    ),
    (
        "recluster_labels",
        "X with 0 rows",
        lambda c: recluster_labels(np.zeros((0, 3)), 2),
        ValueError,
        r"X is empty \(0 rows\)",
    ),
    (
        "recluster_labels",
        "X 1-D",
        lambda c: recluster_labels(np.zeros(5), 2),
        ValueError,
        "at least 2-D",
    ),
    (
        "recluster_labels",
        "X with NaN",
        lambda c: recluster_labels(np.full((4, 2), np.nan), 2),
        ValueError,
        "NaN or infinite",
    ),
    (
        "recluster_labels",
        "X of strings",
        lambda c: recluster_labels([["a", "b"], ["c", "d"]], 2),
        TypeError,
        "X must be numeric",
    ),
    (
        "recluster_labels",
        "n_classes=0",
        lambda c: recluster_labels(x_small(), 0),
        ValueError,
        r"n_classes must be an integer from 2 to the number of records \(8\), got 0",
    ),
    (
        "recluster_labels",
        "n_classes=1",
        lambda c: recluster_labels(x_small(), 1),
        ValueError,
        "got 1",
    ),
    (
        "recluster_labels",
        "n_classes > records",
        lambda c: recluster_labels(x_small(), 100),
        ValueError,
        "got 100",
    ),
    (
        "recluster_labels",
        "n_classes=2.5",
        lambda c: recluster_labels(x_small(), 2.5),
        ValueError,
        "got 2.5",
    ),
    (
        "recluster_labels",
        "n_classes=True",
        lambda c: recluster_labels(x_small(), True),
        ValueError,
        "got True",
    ),
    (
        "recluster_labels",
        "random_state='a'",
        lambda c: recluster_labels(x_small(), 2, random_state="a"),
        TypeError,
        "random_state must be None, an int, a numpy Generator",
    ),
    (
        "recluster_labels",
        "random_state=-1",
        lambda c: recluster_labels(x_small(), 2, random_state=-1),
        ValueError,
        "got -1",
    ),
    (
        "recluster_labels",
        "random_state=2**40",
        lambda c: recluster_labels(x_small(), 2, random_state=2**40),
        ValueError,
        "got 1099511627776",
    ),
    (
        "recluster_labels",
        "minibatch='yes'",
        lambda c: recluster_labels(x_small(), 2, minibatch="yes"),
        TypeError,
        "minibatch must be True or False",
    ),
    # ---- Dataset methods
    (
        "Dataset.subset",
        "None",
        lambda c: load_dataset("digits").subset(None),
        IndexError,
        "subset: indices must be a 1-D array of integers",
    ),
    (
        "Dataset.subset",
        "[0.5]",
        lambda c: load_dataset("digits").subset([0.5]),
        IndexError,
        "got float64",
    ),
    (
        "Dataset.subset",
        "[10**6]",
        lambda c: load_dataset("digits").subset([10**6]),
        IndexError,
        r"indices must lie in 0..1796",
    ),
    (
        "Dataset.subset",
        "mask of the wrong length",
        lambda c: load_dataset("digits").subset(np.ones(5, bool)),
        IndexError,
        r"boolean mask must have one entry per record \(1797\)",
    ),
    (
        "Dataset.subset",
        "2-D indices",
        lambda c: load_dataset("digits").subset([[0, 1]]),
        IndexError,
        r"shape \(1, 2\)",
    ),
    # ---- fetch
    (
        "fetch",
        "url=None",
        lambda c: fetch(None, c.tmp / "f", None),
        TypeError,
        "url must be a string, got NoneType",
    ),
    (
        "fetch",
        "url=''",
        lambda c: fetch("", c.tmp / "f", None),
        ValueError,
        r"url must be an http://, https:// or file:// URL, got ''",
    ),
    (
        "fetch",
        "url='not a url'",
        lambda c: fetch("not a url", c.tmp / "f", None),
        ValueError,
        "got 'not a url'",
    ),
    (
        "fetch",
        "url='ftp://host/x'",
        lambda c: fetch("ftp://host/x", c.tmp / "f", None),
        ValueError,
        "ftp://host/x",
    ),
    (
        "fetch",
        "url='http://' (no host)",
        lambda c: fetch("http://", c.tmp / "f", None),
        DatasetUnavailableError,
        r"the URL cannot be reached",
    ),
    (
        "fetch",
        "closed port",
        lambda c: fetch(f"http://127.0.0.1:{closed_port()}/x", c.tmp / "f", None, timeout=5),
        DatasetUnavailableError,
        r"cannot obtain f: the URL cannot be reached",
    ),
    (
        "fetch",
        "HTTP 404",
        lambda c: fetch(c.server.url("/missing"), c.tmp / "f", None),
        DatasetUnavailableError,
        "the server answered HTTP 404",
    ),
    (
        "fetch",
        "file:// URL of a missing file",
        lambda c: fetch((c.tmp / "nope").as_uri(), c.tmp / "f", None),
        DatasetUnavailableError,
        "the URL cannot be reached",
    ),
    (
        "fetch",
        "wrong sha256",
        lambda c: fetch(c.server.url("/ok"), c.tmp / "f", "0" * 64),
        ChecksumMismatchError,
        r"sha256 mismatch for http://.*nothing was written to .*/f",
    ),
    (
        "fetch",
        "sha256='xyz'",
        lambda c: fetch(c.server.url("/ok"), c.tmp / "f", "xyz"),
        ValueError,
        "sha256 must be 64 hexadecimal digits, got 'xyz'",
    ),
    (
        "fetch",
        "sha256=123",
        lambda c: fetch(c.server.url("/ok"), c.tmp / "f", 123),
        TypeError,
        "sha256 must be a hex digest, a list of them, or None; got int",
    ),
    (
        "fetch",
        "sha256=['0'*64, 5]",
        lambda c: fetch(c.server.url("/ok"), c.tmp / "f", ["0" * 64, 5]),
        ValueError,
        "got 5",
    ),
    (
        "fetch",
        "sha256=b'...' (bytes)",
        lambda c: fetch(c.server.url("/ok"), c.tmp / "f", b"0" * 64),
        TypeError,
        "got bytes",
    ),
    (
        "fetch",
        "dest_path=None",
        lambda c: fetch(c.server.url("/ok"), None, None),
        TypeError,
        "dest_path must be a path",
    ),
    (
        "fetch",
        "dest_path=''",
        lambda c: fetch(c.server.url("/ok"), "", None),
        ValueError,
        "dest_path is an empty string",
    ),
    (
        "fetch",
        "dest_path is a directory",
        lambda c: fetch(c.server.url("/ok"), c.tmp, None),
        MiaDataError,
        r"dest_path .* is a directory; give the path of the file",
    ),
    (
        "fetch",
        "dest_path under a file",
        lambda c: fetch(c.server.url("/ok"), c.file / "f", None),
        DatasetUnavailableError,
        r"plain.txt is a file, not a directory",
    ),
    (
        "fetch",
        "dest_path in a directory without write bits",
        lambda c: fetch(c.server.url("/ok"), c.ro / "f", None),
        DatasetUnavailableError,
        r"its directory cannot be written \(.*ro is read-only",
    ),
    (
        "fetch",
        "timeout=0",
        lambda c: fetch(c.server.url("/ok"), c.tmp / "f", None, timeout=0),
        ValueError,
        "timeout must be a positive, finite number of seconds, got 0",
    ),
    (
        "fetch",
        "timeout=-1",
        lambda c: fetch(c.server.url("/ok"), c.tmp / "f", None, timeout=-1),
        ValueError,
        "got -1",
    ),
    (
        "fetch",
        "timeout='5'",
        lambda c: fetch(c.server.url("/ok"), c.tmp / "f", None, timeout="5"),
        TypeError,
        "timeout must be a number of seconds, got '5'",
    ),
    (
        "fetch",
        "timeout=True",
        lambda c: fetch(c.server.url("/ok"), c.tmp / "f", None, timeout=True),
        TypeError,
        "got True",
    ),
    (
        "fetch",
        "verify='x'",
        lambda c: fetch(c.server.url("/ok"), c.tmp / "f", None, verify="x"),
        TypeError,
        "verify must be a callable or None",
    ),
    # ---- extract_archive
    (
        "extract_archive",
        "archive=None",
        lambda c: extract_archive(None, c.tmp / "o"),
        TypeError,
        "archive must be a path",
    ),
    (
        "extract_archive",
        "target_dir=''",
        lambda c: extract_archive(c.file, ""),
        ValueError,
        "target_dir is an empty string",
    ),
    (
        "extract_archive",
        "missing archive",
        lambda c: extract_archive(c.tmp / "no.tgz", c.tmp / "o"),
        FileNotFoundError,
        r"the archive .*no.tgz does not exist",
    ),
    (
        "extract_archive",
        "archive is a directory",
        lambda c: extract_archive(c.tmp, c.tmp / "o"),
        MiaDataError,
        "is a directory, not an archive file",
    ),
    (
        "extract_archive",
        "empty file",
        lambda c: extract_archive(c.put("e.tgz", b""), c.tmp / "o"),
        MiaDataError,
        "e.tgz is neither a tar nor a zip archive",
    ),
    (
        "extract_archive",
        "plain text",
        lambda c: extract_archive(c.file, c.tmp / "o"),
        MiaDataError,
        "neither a tar nor a zip",
    ),
    (
        "extract_archive",
        "gzip of text",
        lambda c: extract_archive(c.put("t.gz", gzip.compress(b"hello")), c.tmp / "o"),
        MiaDataError,
        "t.gz is neither a tar nor a zip",
    ),
    (
        "extract_archive",
        "truncated .tgz",
        lambda c: extract_archive(
            c.put("cut.tgz", targz({"a": os.urandom(4000)})[:500]), c.tmp / "o"
        ),
        CorruptFileError,
        r"cut.tgz is damaged or incomplete \(tar.gzip data: EOFError",
    ),
    (
        "extract_archive",
        "truncated .tar.bz2",
        lambda c: extract_archive(c.put("cut.tbz", _tar_bz2()[:200]), c.tmp / "o"),
        CorruptFileError,
        r"cut.tbz is damaged or incomplete \(.*bzip2",
    ),
    (
        "extract_archive",
        "truncated plain .tar",
        lambda c: extract_archive(c.put("cut.tar", _plain_tar()[:700]), c.tmp / "o"),
        CorruptFileError,
        r"cut.tar is damaged or incomplete \(tar data",
    ),
    (
        "extract_archive",
        "truncated .zip",
        lambda c: extract_archive(good_zip_then(c, lambda r: r[:100]), c.tmp / "o"),
        CorruptFileError,
        r"z.zip is damaged or incomplete \(zip data",
    ),
    (
        "extract_archive",
        "zip member with a bad CRC",
        lambda c: extract_archive(good_zip_then(c, flip_in_zip), c.tmp / "o"),
        CorruptFileError,
        "fails its CRC",
    ),
    (
        "extract_archive",
        "tar with a fifo",
        lambda c: extract_archive(
            c.put("f.tar", tar_with(special("p", tarfile.FIFOTYPE))), c.tmp / "o"
        ),
        UnsafeArchiveError,
        r"special member 'p' \(device or fifo\)",
    ),
    (
        "extract_archive",
        "tar with a character device",
        lambda c: extract_archive(
            c.put("d.tar", tar_with(special("null", tarfile.CHRTYPE))), c.tmp / "o"
        ),
        UnsafeArchiveError,
        "special member 'null'",
    ),
    (
        "extract_archive",
        "tar member '/etc/x'",
        lambda c: extract_archive(c.put("a.tgz", targz({"/etc/x": b"x"})), c.tmp / "o"),
        UnsafeArchiveError,
        r"absolute path \('/etc/x'\)",
    ),
    (
        "extract_archive",
        "tar member 'C:/x'",
        lambda c: extract_archive(c.put("w.tgz", targz({"C:/x": b"x"})), c.tmp / "o"),
        UnsafeArchiveError,
        "absolute path",
    ),
    (
        "extract_archive",
        "tar member '..\\\\evil'",
        lambda c: extract_archive(c.put("b.tgz", targz({"..\\evil": b"x"})), c.tmp / "o"),
        UnsafeArchiveError,
        "climbs above the target directory",
    ),
    (
        "extract_archive",
        "zip member '../evil'",
        lambda c: extract_archive(c.put("s.zip", zip_bytes({"../evil": b"x"})), c.tmp / "o"),
        UnsafeArchiveError,
        "would be written outside",
    ),
    (
        "extract_archive",
        "zip with a symlink member",
        lambda c: extract_archive(c.put("l.zip", zip_bytes({"a": b"x"}, symlink="l")), c.tmp / "o"),
        UnsafeArchiveError,
        "has a symlink member 'l'",
    ),
    (
        "extract_archive",
        "target_dir is a file",
        lambda c: extract_archive(c.put("a.tgz", targz({"x": b"x"})), c.file),
        FileExistsError,
        r"target_dir .*plain.txt is a file; choose a new directory",
    ),
    (
        "extract_archive",
        "target_dir not empty",
        lambda c: (
            c.put("full/keep", b"k"),
            extract_archive(c.put("a.tgz", targz({"x": b"x"})), c.tmp / "full"),
        )[-1],
        FileExistsError,
        "choose a new directory",
    ),
    (
        "extract_archive",
        "target_dir in a directory without write bits",
        lambda c: extract_archive(c.put("a.tgz", targz({"x": b"x"})), c.ro / "out"),
        ReadOnlyError,
        r"cannot extract .*a.tgz into .*ro/out: .*read-only",
    ),
    # ---- the other helpers
    (
        "sha256_file",
        "missing file",
        lambda c: sha256_file(c.tmp / "none"),
        FileNotFoundError,
        r"cannot compute the sha256 of .*none: there is no such file",
    ),
    (
        "sha256_file",
        "a directory",
        lambda c: sha256_file(c.tmp),
        IsADirectoryError,
        "is a directory",
    ),
    ("sha256_file", "None", lambda c: sha256_file(None), TypeError, "path must be a path"),
    (
        "check_complete",
        "a directory",
        lambda c: check_complete(c.tmp),
        IsADirectoryError,
        "is a directory, not a file",
    ),
    (
        "check_complete",
        "missing file",
        lambda c: check_complete(c.tmp / "none"),
        FileNotFoundError,
        r"cannot check .*none: there is no such file",
    ),
    ("data_dir", "42", lambda c: data_dir(42), TypeError, "data_dir must be a path"),
    ("data_dir", "a file", lambda c: data_dir(c.file), MiaDataError, "is a file"),
    (
        "cache_dir",
        "MIA_CACHE_DIR names a file (purchase loads)",
        lambda c: _cache_is_file(c),
        UserWarning,
        r"not cached: cannot write the cache directory .*cachefile: .*is a file",
    ),
    ("is_writable", "None", lambda c: is_writable(None), TypeError, "path must be a path"),
    ("is_writable", "''", lambda c: is_writable(""), ValueError, "path is an empty string"),
    (
        "require_writable",
        "a directory without write bits",
        lambda c: require_writable(c.ro / "x", "results directory"),
        ReadOnlyError,
        r"cannot write the results directory .*ro/x: .*write access to nobody",
    ),
    (
        "require_writable",
        "a path under a file",
        lambda c: require_writable(c.file / "x"),
        ReadOnlyError,
        "is a file, not a directory",
    ),
    (
        "remove_stale_temp_files",
        "None",
        lambda c: remove_stale_temp_files(None),
        TypeError,
        "directory must be a path",
    ),
    (
        "atomic_write",
        "write='x'",
        lambda c: atomic_write(c.tmp / "a", "x"),
        TypeError,
        "write must be a callable",
    ),
    (
        "atomic_write",
        "directory without write bits",
        lambda c: atomic_write(c.ro / "a", lambda fh: fh.write(b"x")),
        ReadOnlyError,
        "read-only",
    ),
    (
        "atomic_write",
        "write raises",
        lambda c: _failing_write(c),
        ZeroDivisionError,
        "division by zero",
    ),
    (
        "unavailable_message",
        "dest_path=None",
        lambda c: unavailable_message("https://x/a", None, None, "r"),
        TypeError,
        "dest_path must be a path",
    ),
    (
        "unavailable_message",
        "sha256='xyz'",
        lambda c: unavailable_message("https://x/a", "/d/a", "xyz", "r"),
        ValueError,
        "64 hexadecimal digits",
    ),
]


def _with_env_data_dir(c: Ctx):
    with env("MIA_DATA_DIR", str(c.file)):
        return load_dataset("adult")


def _cache_is_file(c: Ctx):
    from mia_lib.datasets import verify

    verify._WARNED_CACHE.clear()
    cache = c.put("cachefile", b"not a directory")
    with env("MIA_CACHE_DIR", str(cache)):
        assert cache_dir() == cache
        ds = load_purchase_file(c, targz({"dataset_purchase": b"1,0,1\n2,1,0\n"}))
    assert len(ds) == 2 and cache.read_bytes() == b"not a directory"


def _npz_without_keys(c: Ctx):
    buf = io.BytesIO()
    np.savez(buf, A=np.zeros(3))
    path = c.put("l/location/location.npz", buf.getvalue())
    from mia_lib.download import sha256_file as digest

    with patched_file("location/location.npz", sha256=digest(path)):
        return load_dataset("locations", c.tmp / "l")


def _mnist_not_gzip(c: Ctx):
    keys = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
            "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]  # fmt: skip
    with contextlib.ExitStack() as stack:
        for k in keys:
            c.put(f"m/mnist/{k}", b"no such gzip")
            stack.enter_context(  # accepted by its decompressed content only
                patched_file(f"mnist/{k}", sha256="f" * 64, alt_sha256=(), content_sha256="e" * 64)
            )
        return load_dataset("mnist", c.tmp / "m", download=False)


def _tar_bz2() -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:bz2") as t:
        data = os.urandom(5000)
        info = tarfile.TarInfo("a")
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _plain_tar() -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        data = os.urandom(3000)
        info = tarfile.TarInfo("a")
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _failing_write(c: Ctx):
    try:
        return atomic_write(c.tmp / "a.bin", lambda fh: (fh.write(b"half"), 1 / 0))
    finally:
        assert sorted(os.listdir(c.tmp)) == [], "atomic_write left a file behind"


def run_case(case: Case, ctx: Ctx) -> BaseException | Warning | None:
    """The error raised by the case, or (for a case that expects a warning) the warning."""
    _, _, call, expected, _ = case
    if issubclass(expected, Warning):
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            try:
                call(ctx)
            except BaseException as exc:  # noqa: BLE001
                return exc
        hits = [w.message for w in seen if isinstance(w.message, expected)]
        return hits[-1] if hits else None
    try:
        call(ctx)
    except BaseException as exc:  # noqa: BLE001 - recorded and checked by the caller
        return exc
    return None


# --------------------------------------------------------------------------- the test


@pytest.fixture(scope="module")
def server():
    srv = Server()
    yield srv
    srv.close()


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}:{c[1]}" for c in CASES])
def test_bad_input_gets_a_clear_error(case, tmp_path, tmp_cache, server):
    function, what, _, exc_type, pattern = case
    ctx = Ctx(tmp_path / "work", server)
    ctx.tmp.mkdir()
    try:
        err = run_case(case, ctx)
    finally:
        if (ctx.tmp / "ro").exists():
            (ctx.tmp / "ro").chmod(0o755)
    assert err is not None, f"{function}({what}) raised (or warned) nothing"
    assert isinstance(err, exc_type), f"{function}({what}): {type(err).__name__}: {err}"
    assert re.search(pattern, str(err), re.S), f"{function}({what}): {err}"


def test_there_are_enough_cases():
    assert len(CASES) >= 60


# --------------------------------------------------------------------------- the table


def markdown_table() -> str:
    rows = ["| function | input | error type | message start |", "|---|---|---|---|"]
    srv = Server()
    try:
        for case in CASES:
            with tempfile.TemporaryDirectory() as d:
                ctx = Ctx(Path(d) / "work", srv)
                ctx.tmp.mkdir()
                with env("MIA_CACHE_DIR", str(Path(d) / "cache")):
                    err = run_case(case, ctx)
                if (ctx.tmp / "ro").exists():
                    (ctx.tmp / "ro").chmod(0o755)
            msg = str(err).replace(d, "<tmp>").replace("\n", " ")
            msg = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:<port>", msg)
            msg = msg if len(msg) <= 110 else msg[:107] + "..."
            kind = type(err).__name__ if err is not None else "(none)"
            cells = [case[0], case[1], kind, msg]
            rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    finally:
        srv.close()
    return "\n".join(rows)


if __name__ == "__main__":
    warnings.simplefilter("ignore")
    sys.stdout.write(markdown_table() + "\n")
