"""mia_lib.datasets: every dataset loads with the right shape, classes and balance.

Datasets in ``MIA_DATA_DIR`` (the offline copies) are loaded for real; a missing one is
skipped with the reason. Purchase, Texas, CIFAR-100 (and the canonical forms of MNIST and
CIFAR-10, which the offline copy lacks) are tested on tiny files in the published formats,
written by the tests into ``tmp_path``.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import io
import pickle
import re
import shutil
import struct
import tarfile
import warnings
from pathlib import Path

import numpy as np
import pytest

from mia_lib.datasets import (
    DATASETS,
    FILES,
    ChecksumMismatchError,
    Dataset,
    DatasetUnavailableError,
    available_datasets,
    dataset_catalog,
    load_dataset,
)
from mia_lib.datasets import registry as mds_registry
from mia_lib.datasets import verify as mds_verify
from mia_lib.download import UnverifiedFileWarning, is_writable, sha256_file

REPO = Path(__file__).resolve().parents[1]


def need(data_dir: Path, name: str) -> None:
    ok, reason = available_datasets(data_dir)[name]
    if not ok:
        pytest.skip(f"{name} not in {data_dir}: {reason}")


def check_common(ds: Dataset, n: int, n_classes: int) -> None:
    assert isinstance(ds, Dataset) and len(ds) == n
    assert ds.y.dtype == np.int64 and ds.y.shape == (n,)
    assert ds.n_classes == n_classes == len(ds.class_names)
    assert ds.y.min() >= 0 and ds.y.max() < n_classes
    assert ds.part.shape == (n,) and set(np.unique(ds.part)) <= {"train", "test"}
    assert ds.X.dtype == np.float32 and np.isfinite(ds.X).all()
    assert ds.citation and ds.description and ds.name in repr(ds)
    assert len(repr(ds)) < 300


def snapshot(d: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(d)): (p.stat().st_size, p.stat().st_mtime_ns) for p in d.rglob("*")}


def patch_sha(monkeypatch, key: str, path: Path, **extra) -> None:
    new = dataclasses.replace(FILES[key], sha256=sha256_file(path), alt_sha256=(), **extra)
    monkeypatch.setitem(FILES, key, new)


# =========================================================================== offline copies


def test_adult(mia_data_dir):
    need(mia_data_dir, "adult")
    ds = load_dataset("adult", mia_data_dir)
    check_common(ds, 48842, 2)
    assert ds.y.mean() == pytest.approx(11687 / 48842) and round(ds.y.mean(), 3) == 0.239
    assert (ds.part == "train").sum() == 32561 and (ds.part == "test").sum() == 16281
    assert ds.X.shape == (48842, 108) and len(ds.feature_names) == 108
    assert ds.X.min() == 0.0 and ds.X.max() == 1.0
    assert {"workclass=?", "occupation=?", "native-country=?", "fnlwgt"} <= set(ds.feature_names)
    onehot = [i for i, f in enumerate(ds.feature_names) if f.startswith("sex=")]
    assert np.all(ds.X[:, onehot].sum(axis=1) == 1)
    # test-part labels carried a trailing dot: both parts must have positives
    assert ds.y[ds.part == "test"].sum() == 3846 and ds.y[ds.part == "train"].sum() == 7841

    ordinal = load_dataset("adult", mia_data_dir, encoding="ordinal", scale="standard")
    assert ordinal.X.shape == (48842, 14) and np.array_equal(ordinal.y, ds.y)
    age = ordinal.X[:, ordinal.feature_names.index("age")]
    assert abs(age.mean()) < 1e-4 and age.std() == pytest.approx(1.0, rel=1e-3)
    with pytest.raises(ValueError, match="encoding"):
        load_dataset("adult", mia_data_dir, encoding="binary")


def test_locations(mia_data_dir, tmp_path):
    need(mia_data_dir, "locations")
    ds = load_dataset("locations", mia_data_dir)
    check_common(ds, 5010, 30)
    assert ds.X.shape == (5010, 446) and set(np.unique(ds.X)) == {0.0, 1.0}
    counts = ds.class_counts()
    assert counts.min() == 97 and counts.max() == 308 and counts.sum() == 5010
    assert ds.X.sum(axis=1).mean() == pytest.approx(53.7, abs=0.05)
    assert ds.files == ["location/dataset_location.tgz"]
    # the npz copy (1-based labels) is accepted when the tgz is missing, and is identical
    npz = mia_data_dir / "location" / "location.npz"
    if npz.is_file():
        (tmp_path / "location").mkdir()
        shutil.copy(npz, tmp_path / "location")
        alt = load_dataset("locations", tmp_path, dtype=np.uint8)
        assert alt.files == ["location/location.npz"] and alt.X.dtype == np.uint8
        assert np.array_equal(alt.X, ds.X) and np.array_equal(alt.y, ds.y)


def test_mnist_partial(mia_data_dir):
    need(mia_data_dir, "mnist")
    ds = load_dataset("mnist", mia_data_dir)
    if not ds.partial:
        assert len(ds) == 70000 and ds.X.shape[1:] == (1, 28, 28)
        return
    check_common(ds, 15000, 10)
    assert ds.X.shape == (15000, 1, 28, 28) and ds.image_shape == (1, 28, 28)
    assert ds.X.min() == 0.0 and ds.X.max() == 1.0
    assert (ds.part == "train").sum() == 5000 and (ds.part == "test").sum() == 10000
    assert np.all(np.bincount(ds.y[ds.part == "train"]) == 500)
    assert np.bincount(ds.y[ds.part == "test"]).tolist() == [
        980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009,
    ]  # fmt: skip
    assert ds.X[ds.part == "test"].mean() * 255 == pytest.approx(33.79, abs=0.01)
    assert "PARTIAL" in ds.notes
    # refusing the partial form needs the training images: the shared directory is read-only
    # and none is downloaded; the error names the URL, the path and the sha256
    if not is_writable(mia_data_dir / "mnist"):
        with pytest.raises(DatasetUnavailableError) as info:
            load_dataset("mnist", mia_data_dir, allow_partial=False)
        msg = str(info.value)
        sf = FILES["mnist/train-images-idx3-ubyte.gz"]
        assert sf.url in msg and sf.sha256 in msg and "MIA_DATA_DIR" in msg
        assert str(mia_data_dir / "mnist" / "train-images-idx3-ubyte.gz") in msg


def test_fashion_mnist(mia_data_dir):
    need(mia_data_dir, "fashion_mnist")
    ds = load_dataset("fashion_mnist", mia_data_dir)
    check_common(ds, 70000, 10)
    assert ds.X.shape == (70000, 1, 28, 28) and not ds.partial and not ds.lossy
    assert np.all(ds.class_counts() == 7000)
    assert (ds.part == "train").sum() == 60000
    assert ds.class_names[0] == "T-shirt/top" and ds.class_names[9] == "Ankle boot"


def test_cifar10_jpeg(mia_data_dir):
    need(mia_data_dir, "cifar10")
    ds = load_dataset("cifar10", mia_data_dir)  # decoded once, then cached (~3 s)
    check_common(ds, 60000, 10)
    assert ds.X.shape == (60000, 3, 32, 32) and ds.image_shape == (3, 32, 32)
    assert np.all(ds.class_counts() == 6000)
    assert (ds.part == "train").sum() == 50000 and (ds.part == "test").sum() == 10000
    if ds.files == ["cifar10/cifar10_jpeg_train.tar.gz", "cifar10/cifar10_jpeg_test.tar.gz"]:
        assert ds.lossy and "LOSSY" in ds.notes
        assert ds.X[ds.part == "test"].mean() * 255 == pytest.approx(121.5, abs=0.1)
    assert 0.0 <= ds.X.min() and ds.X.max() <= 1.0


def test_digits():
    ds = load_dataset("digits", "/nonexistent/dir")
    check_common(ds, 1797, 10)
    assert ds.X.shape == (1797, 64) and ds.X.max() == 1.0 and ds.files == []
    assert ds.citation == "pedregosa2011scikit"


def test_synthetic_controls():
    kw = dict(n_samples=4000, n_features=6, n_classes=4, class_sep=3.0, cluster_std=0.5)
    ds = load_dataset("synthetic", random_state=1, **kw)
    check_common(ds, 4000, 4)
    assert ds.class_counts().tolist() == [1000] * 4
    stds = np.array([ds.X[ds.y == c].std(axis=0) for c in range(4)])
    assert np.allclose(stds, 0.5, rtol=0.1)  # the in-class spread is what was asked
    centres = np.array([ds.X[ds.y == c].mean(axis=0) for c in range(4)])
    assert np.linalg.norm(centres[0] - centres[1]) > 2.0
    again = load_dataset("synthetic", random_state=1, **kw)
    assert np.array_equal(again.X, ds.X) and np.array_equal(again.y, ds.y)
    other = load_dataset("synthetic", random_state=2, **kw)
    assert not np.array_equal(other.X, ds.X)
    tight = load_dataset("synthetic", n_samples=400, class_sep=0.0, cluster_std=0.0)
    assert np.ptp(tight.X) == 0.0  # no spread at all when both are zero
    with pytest.raises(ValueError):
        load_dataset("synthetic", n_classes=1)


def test_unknown_name_and_option():
    with pytest.raises(ValueError, match="unknown dataset"):
        load_dataset("imagenet")
    with pytest.raises(TypeError, match="cluster_std"):
        load_dataset("synthetic", clusterstd=1.0)
    assert mds_registry.get_spec("Fashion-MNIST").name == "fashion_mnist"
    with pytest.raises(ValueError, match="dtype"):
        load_dataset("digits", dtype=np.uint8)


# =========================================================================== tiny fixtures


def make_purchase(root: Path, n: int = 90, d: int = 600, seed: int = 0):
    """A tiny dataset_purchase.tgz: 3 planted clusters of shoppers, labels 1..100."""
    rng = np.random.default_rng(seed)
    group = np.arange(n) % 3
    protos = rng.random((3, d)) < 0.5
    X = np.where(rng.random((n, d)) < 0.05, ~protos[group], protos[group]).astype(np.uint8)
    labels = rng.integers(1, 101, size=n)
    labels[:2] = (1, 100)
    text = "\n".join(",".join(map(str, [lab, *row])) for lab, row in zip(labels, X, strict=True))
    (root / "purchase").mkdir(parents=True, exist_ok=True)
    path = root / "purchase" / "dataset_purchase.tgz"
    with tarfile.open(path, "w:gz") as t:
        data = (text + "\n").encode()
        info = tarfile.TarInfo("dataset_purchase")
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    return path, X, labels, group


def test_purchase_tiny(tmp_path, tmp_cache, monkeypatch):
    path, X, labels, group = make_purchase(tmp_path)
    mds_verify._WARNED_UNVERIFIED.discard(str(path))
    with pytest.warns(UnverifiedFileWarning), pytest.warns(UserWarning, match="197,324"):
        ds = load_dataset("purchase", tmp_path)
    check_common(ds, 90, 100)
    assert np.array_equal(ds.X, X) and np.array_equal(ds.y, labels - 1)
    assert ds.X.shape[1] == 600 and ds.part.tolist() == ["train"] * 90
    assert any(tmp_cache.glob("purchase-parsed-*.npz"))  # parsed once, into the cache

    patch_sha(monkeypatch, "purchase/dataset_purchase.tgz", path)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnverifiedFileWarning)
        warnings.simplefilter("ignore", UserWarning)
        ds3 = load_dataset("purchase", tmp_path, n_classes=3, dtype=np.uint8)
    assert ds3.n_classes == 3 and ds3.X.dtype == np.uint8
    # k-means recovers the planted groups (up to renumbering)
    pairs = set(zip(group.tolist(), ds3.y.tolist(), strict=True))
    assert len(pairs) == 3 and len({p[1] for p in pairs}) == 3
    assert any(tmp_cache.glob("purchase-kmeans-v1-*.npz"))

    # second time: the cluster labels come from the cache, k-means is not run
    import sklearn.cluster

    def boom(*a, **k):
        raise AssertionError("k-means should have been cached")

    monkeypatch.setattr(sklearn.cluster, "MiniBatchKMeans", boom)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        again = load_dataset("purchase", tmp_path, n_classes=3)
    assert np.array_equal(again.y, ds3.y)
    with pytest.raises(ValueError, match="n_classes"):
        load_dataset("purchase", tmp_path, n_classes=101)

    monkeypatch.setitem(FILES, "purchase/dataset_purchase.tgz",
                        dataclasses.replace(FILES["purchase/dataset_purchase.tgz"], sha256="0" * 64))  # fmt: skip
    with pytest.raises(ChecksumMismatchError, match="0000"):
        load_dataset("purchase", tmp_path)


def test_texas_tiny(tmp_path, tmp_cache, monkeypatch):
    rng = np.random.default_rng(3)
    X = (rng.random((40, 25)) < 0.2).astype(np.uint8)
    labels = rng.integers(1, 101, size=40)
    (tmp_path / "texas").mkdir()
    path = tmp_path / "texas" / "dataset_texas.tgz"
    with tarfile.open(path, "w:gz") as t:
        for name, text in (
            ("texas/100/feats", "\n".join(",".join(map(str, r)) for r in X)),
            ("texas/100/labels", "\n".join(map(str, labels))),
        ):
            data = (text + "\n").encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    patch_sha(monkeypatch, "texas/dataset_texas.tgz", path)
    with pytest.warns(UserWarning, match="67,330"):
        ds = load_dataset("texas", tmp_path)
    check_common(ds, 40, 100)
    assert np.array_equal(ds.X, X) and np.array_equal(ds.y, labels - 1)


def _pickle_member(t: tarfile.TarFile, name: str, obj) -> None:
    data = pickle.dumps(obj)
    info = tarfile.TarInfo(name)
    info.size = len(data)
    t.addfile(info, io.BytesIO(data))


def test_cifar100_tiny(tmp_path, monkeypatch):
    rng = np.random.default_rng(5)
    tr = rng.integers(0, 256, size=(6, 3072), dtype=np.uint8)
    te = rng.integers(0, 256, size=(4, 3072), dtype=np.uint8)
    tr[0, 1024 + 5] = 200  # green plane, row 0, column 5
    fine_tr, fine_te = [0, 99, 5, 5, 7, 42], [1, 2, 3, 99]
    (tmp_path / "cifar100").mkdir()
    path = tmp_path / "cifar100" / "cifar-100-python.tar.gz"
    with tarfile.open(path, "w:gz") as t:
        _pickle_member(
            t,
            "cifar-100-python/train",
            {b"data": tr, b"fine_labels": fine_tr, b"coarse_labels": [0, 19, 1, 1, 2, 3]},
        )
        _pickle_member(
            t,
            "cifar-100-python/test",
            {b"data": te, b"fine_labels": fine_te, b"coarse_labels": [4, 5, 6, 19]},
        )
        _pickle_member(t, "cifar-100-python/meta",
                       {b"fine_label_names": [f"f{i}".encode() for i in range(100)],
                        b"coarse_label_names": [f"c{i}".encode() for i in range(20)]})  # fmt: skip
    patch_sha(monkeypatch, "cifar100/cifar-100-python.tar.gz", path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # 10 records, not 60,000
        ds = load_dataset("cifar100", tmp_path)
        coarse = load_dataset("cifar100", tmp_path, label="coarse", dtype=np.uint8)
    check_common(ds, 10, 100)
    assert ds.X.shape == (10, 3, 32, 32) and ds.X[0, 1, 0, 5] == pytest.approx(200 / 255)
    assert ds.y.tolist() == fine_tr + fine_te and ds.class_names[99] == "f99"
    assert ds.part.tolist() == ["train"] * 6 + ["test"] * 4
    assert coarse.n_classes == 20 and coarse.y[1] == 19 and coarse.X.dtype == np.uint8
    assert np.array_equal(coarse.X.reshape(10, -1), np.concatenate([tr, te]))


def test_cifar10_canonical_pickles_preferred(tmp_path, monkeypatch):
    rng = np.random.default_rng(6)
    (tmp_path / "cifar10").mkdir()
    path = tmp_path / "cifar10" / "cifar-10-python.tar.gz"
    batches = []
    with tarfile.open(path, "w:gz") as t:
        for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
            data = rng.integers(0, 256, size=(2, 3072), dtype=np.uint8)
            labels = rng.integers(0, 10, size=2).tolist()
            batches.append((data, labels))
            _pickle_member(t, f"cifar-10-batches-py/{name}", {b"data": data, b"labels": labels})
    # a JPEG form next to it must be ignored: the canonical pickles come first
    (tmp_path / "cifar10" / "cifar10_jpeg_train.tar.gz").write_bytes(b"not used")
    (tmp_path / "cifar10" / "cifar10_jpeg_test.tar.gz").write_bytes(b"not used")
    patch_sha(monkeypatch, "cifar10/cifar-10-python.tar.gz", path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        ds = load_dataset("cifar10", tmp_path, dtype=np.uint8)
    assert len(ds) == 12 and not ds.lossy and ds.files == ["cifar10/cifar-10-python.tar.gz"]
    assert np.array_equal(ds.X.reshape(12, -1), np.concatenate([b[0] for b in batches]))
    assert ds.y.tolist() == sum((b[1] for b in batches), [])
    assert ds.part.tolist() == ["train"] * 10 + ["test"] * 2


def _idx(arr: np.ndarray) -> bytes:
    return (
        bytes([0, 0, 8, arr.ndim]) + struct.pack(">" + "I" * arr.ndim, *arr.shape) + arr.tobytes()
    )


def test_mnist_canonical_idx_and_regzipped_copies(tmp_path, monkeypatch):
    rng = np.random.default_rng(7)
    arrays = {
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, (8, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte.gz": np.arange(8, dtype=np.uint8) % 10,
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (3, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte.gz": np.array([9, 0, 4], dtype=np.uint8),
    }
    (tmp_path / "mnist").mkdir()
    for name, arr in arrays.items():
        raw = _idx(arr)
        (tmp_path / "mnist" / name).write_bytes(gzip.compress(raw, mtime=1))
        # the published gz digest is unknown for this fixture: accept it by its content only
        monkeypatch.setitem(FILES, f"mnist/{name}", dataclasses.replace(
            FILES[f"mnist/{name}"], sha256="f" * 64, alt_sha256=(),
            content_sha256=hashlib.sha256(raw).hexdigest()))  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        ds = load_dataset("mnist", tmp_path, dtype=np.uint8)
    assert len(ds) == 11 and not ds.partial and ds.X.shape == (11, 1, 28, 28)
    assert np.array_equal(ds.X[:8, 0], arrays["train-images-idx3-ubyte.gz"])
    assert ds.y.tolist() == list(range(8)) + [9, 0, 4]
    # a corrupted copy is rejected even though it is valid gzip
    bad = _idx(arrays["t10k-labels-idx1-ubyte.gz"][::-1].copy())
    (tmp_path / "mnist" / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(bad))
    with pytest.raises(ChecksumMismatchError, match="t10k-labels"):
        load_dataset("mnist", tmp_path)


# =========================================================================== data dir rules


def test_read_only_data_dir_is_never_written(tmp_path, tmp_cache, monkeypatch):
    data = tmp_path / "data"
    path, *_ = make_purchase(data, n=30)
    patch_sha(monkeypatch, "purchase/dataset_purchase.tgz", path)
    for p in (data / "purchase", data):
        p.chmod(0o555)
    try:
        before = snapshot(data)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            load_dataset("purchase", data, n_classes=2)
            load_dataset("purchase", data, n_classes=2)
        assert snapshot(data) == before  # no cache, no temp file in the data directory
        assert len(list(tmp_cache.glob("*.npz"))) == 2  # parsed + k-means, in the cache

        # a missing file in a read-only directory: a clear error, and nothing is created
        with pytest.raises(DatasetUnavailableError) as info:
            load_dataset("texas", data)
        msg = str(info.value)
        assert FILES["texas/dataset_texas.tgz"].url in msg and "read-only" in msg
        assert str(data / "texas" / "dataset_texas.tgz") in msg and "MIA_DATA_DIR" in msg
        assert snapshot(data) == before
        assert available_datasets(data)["texas"][0] is False
    finally:
        for p in (data, data / "purchase"):
            p.chmod(0o755)


def test_shared_data_dir_unchanged_by_loads(mia_data_dir, tmp_cache):
    need(mia_data_dir, "locations")
    before = snapshot(mia_data_dir)
    load_dataset("locations", mia_data_dir)
    with pytest.raises(DatasetUnavailableError):
        load_dataset("cifar100", mia_data_dir, download=False)
    assert snapshot(mia_data_dir) == before


def test_download_into_writable_data_dir(tmp_path, tmp_cache, monkeypatch, http_server):
    src, X, labels, _ = make_purchase(tmp_path / "server", n=12)
    http_server.routes["/dataset_purchase.tgz"] = (src.read_bytes(), "ok")
    key = "purchase/dataset_purchase.tgz"
    monkeypatch.setitem(FILES, key, dataclasses.replace(
        FILES[key], url=http_server.url("/dataset_purchase.tgz"), sha256=sha256_file(src)))  # fmt: skip
    data = tmp_path / "data"
    with pytest.raises(DatasetUnavailableError, match="download=False"):
        load_dataset("purchase", data, download=False)
    assert not data.exists()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        ds = load_dataset("purchase", data)
        load_dataset("purchase", data)
    assert np.array_equal(ds.y, labels - 1) and http_server.hits == {"/dataset_purchase.tgz": 1}
    assert sorted(p.name for p in (data / "purchase").iterdir()) == ["dataset_purchase.tgz"]


# =========================================================================== registry


def test_available_datasets_reasons(tmp_path):
    avail = available_datasets(tmp_path)
    assert set(avail) == set(DATASETS)
    assert avail["digits"][0] and avail["synthetic"][0]
    ok, reason = avail["adult"]
    assert not ok and FILES["adult/adult.data"].url in reason
    assert reason.startswith("not in the data directory: adult/adult.data, adult/adult.test;")
    assert "load_dataset('adult') downloads them" in reason and "by hand" in reason
    assert str(tmp_path) not in reason  # the same text on every machine


def test_catalog_matches_registry_and_bibliography():
    cat = dataset_catalog()
    assert [c["name"] for c in cat] == list(DATASETS)
    bib = (REPO / "book" / "references.bib").read_text()
    keys = set(re.findall(r"@\w+\{([^,]+),", bib))
    for c in cat:
        assert c["citation"] in keys, c["name"]
        assert c["description"] and c["title"]
        for f in c["files"]:
            assert f["path"] in FILES and (f["url"] or "").startswith(("https://", "http://"))
    by_name = {c["name"]: c for c in cat}
    assert "LOSSY" in by_name["cifar10"]["lossy_or_partial"]
    assert "PARTIAL" in by_name["mnist"]["lossy_or_partial"]
    assert by_name["purchase"]["files"][0]["sha256"] is None
    assert by_name["cifar10"]["files"][0]["sha256"].startswith("6d958be0")


def test_every_loader_documents_its_options():
    import inspect

    for spec in DATASETS.values():
        params = inspect.signature(spec.loader).parameters
        kw = {p for p in params if params[p].kind is inspect.Parameter.KEYWORD_ONLY}
        assert kw == set(spec.options), spec.name


def test_data_readme_lists_every_file_and_checksum():
    readme = (REPO / "data" / "README.md").read_text()
    for key, sf in FILES.items():
        assert f"`{key}`" in readme, key
        if sf.sha256:
            assert sf.sha256 in readme, key
        if sf.url:
            assert sf.url in readme, key
