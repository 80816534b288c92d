"""Loaders of the image datasets (MNIST, Fashion-MNIST, CIFAR-10, CIFAR-100)."""

from __future__ import annotations

import hashlib
import io
import pickle
import re
import struct
import tarfile
from pathlib import Path

import numpy as np

from ..download import CorruptFileError
from .base import Dataset, DatasetSpec, Form
from .files import FILES
from .verify import (
    DELETE_HINT,
    as_image_dtype,
    cache_load,
    cache_save,
    check_dtype,
    check_label_range,
    finish,
    open_tar,
    read_gz_verified,
    resolve_form,
    tar_member,
    verify_source,
)


def _parse_idx(data: bytes, what: str, ndim: int) -> np.ndarray:
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08 or data[3] != ndim:
        raise CorruptFileError(
            f"{what}: not an idx file of {ndim}-D unsigned bytes. " + DELETE_HINT
        )
    dims = struct.unpack(">" + "I" * ndim, data[4 : 4 + 4 * ndim])
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if arr.size != int(np.prod(dims)):
        raise CorruptFileError(
            f"{what}: header says {dims}, but holds {arr.size} values. " + DELETE_HINT
        )
    return arr.reshape(dims)


def _load_idx_pair(root: Path, images_key: str, labels_key: str) -> tuple[np.ndarray, np.ndarray]:
    img, _ = read_gz_verified(root / images_key, FILES[images_key])
    lab, _ = read_gz_verified(root / labels_key, FILES[labels_key])
    X = _parse_idx(img, str(root / images_key), 3)
    y = _parse_idx(lab, str(root / labels_key), 1)
    if len(X) != len(y):
        raise CorruptFileError(
            f"{root / images_key} has {len(X)} images but {root / labels_key} {len(y)} labels. "
            + DELETE_HINT
        )
    return X[:, None, :, :], y.astype(np.int64)


def _load_idx_dataset(root: Path, form: Form) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    tr_img, tr_lab, te_img, te_lab = form.files
    Xtr, ytr = _load_idx_pair(root, tr_img, tr_lab)
    Xte, yte = _load_idx_pair(root, te_img, te_lab)
    X = np.concatenate([Xtr, Xte])
    y = np.concatenate([ytr, yte])
    part = np.array(["train"] * len(ytr) + ["test"] * len(yte), dtype="<U5")
    return X, y, part


_FASHION_CLASSES = [
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
]  # fmt: skip


def read_mnist(
    spec: DatasetSpec,
    root: Path,
    *,
    download: bool | None = None,
    allow_partial: bool = True,
    dtype=np.float32,
) -> Dataset:
    import pandas as pd

    check_dtype(dtype, allow_uint8=True)
    form = resolve_form(spec, root, download, allowed=lambda f: allow_partial or not f.partial)
    if form.key == "canonical":
        X, y, part = _load_idx_dataset(root, form)
    else:
        sub_key, te_img, te_lab = form.files
        verify_source(root / sub_key, FILES[sub_key])
        try:
            raw = pd.read_csv(root / sub_key, header=None, dtype=np.uint8).to_numpy()
        except (ValueError, OverflowError, EOFError, OSError) as exc:
            raise CorruptFileError(
                f"{root / sub_key}: not a CSV of 785 byte values per row ({exc}). " + DELETE_HINT
            ) from exc
        if raw.ndim != 2 or raw.shape[1] != 785:
            raise CorruptFileError(
                f"{root / sub_key}: expected 785 columns, got {raw.shape[1:]}. " + DELETE_HINT
            )
        Xs = raw[:, :784].reshape(-1, 1, 28, 28)
        ys = raw[:, 784].astype(np.int64)
        Xte, yte = _load_idx_pair(root, te_img, te_lab)
        X, y = np.concatenate([Xs, Xte]), np.concatenate([ys, yte])
        part = np.array(["train"] * len(ys) + ["test"] * len(yte), dtype="<U5")
    check_label_range(y, 0, 9, ", ".join(str(root / k) for k in form.files))
    return finish(
        spec, form, X=as_image_dtype(X, dtype), y=y, n_classes=10, part=part, feature_names=None,
        class_names=[str(i) for i in range(10)], image_shape=(1, 28, 28),
    )  # fmt: skip


def read_fashion(
    spec: DatasetSpec, root: Path, *, download: bool | None = None, dtype=np.float32
) -> Dataset:
    check_dtype(dtype, allow_uint8=True)
    form = resolve_form(spec, root, download)
    X, y, part = _load_idx_dataset(root, form)
    check_label_range(y, 0, 9, ", ".join(str(root / k) for k in form.files))
    return finish(
        spec, form, X=as_image_dtype(X, dtype), y=y, n_classes=10, part=part, feature_names=None,
        class_names=list(_FASHION_CLASSES), image_shape=(1, 28, 28),
    )  # fmt: skip


_CIFAR10_CLASSES = [
    "airplane", "automobile", "bird", "cat", "deer",
    "dog", "frog", "horse", "ship", "truck",
]  # fmt: skip


def _unpickle(tar: tarfile.TarFile, pattern: str, archive: Path) -> dict:
    # The archive's sha256 was verified before this point, so unpickling is safe.
    fh = tar_member(tar, pattern, archive)
    try:
        d = pickle.load(fh, encoding="bytes")  # noqa: S301
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError) as exc:
        raise CorruptFileError(
            f"{archive}: the member matching {pattern!r} is not a CIFAR pickle ({exc}). "
            + DELETE_HINT
        ) from exc
    if not isinstance(d, dict):
        raise CorruptFileError(
            f"{archive}: the member matching {pattern!r} is not a CIFAR batch. " + DELETE_HINT
        )
    return d


def _cifar_batch(d: dict, label_key: bytes, what: str) -> tuple[np.ndarray, np.ndarray]:
    if b"data" not in d or label_key not in d:
        raise CorruptFileError(
            f"{what}: a CIFAR batch should hold {b'data'!r} and {label_key!r}, found "
            f"{sorted(d)[:6]}. " + DELETE_HINT
        )
    data = np.asarray(d[b"data"], dtype=np.uint8)
    labels = np.asarray(d[label_key], dtype=np.int64)
    if data.ndim != 2 or data.shape[1] != 3072 or labels.shape != (len(data),):
        raise CorruptFileError(
            f"{what}: expected rows of 3072 bytes and one label per row, got {data.shape} "
            f"and {labels.shape}. " + DELETE_HINT
        )
    return data.reshape(-1, 3, 32, 32), labels


def _decode_cifar_jpegs(root: Path, form: Form) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from PIL import Image

    rx = re.compile(r"(?:^|/)(train|test)/([A-Za-z_]+)/(\d+)\.jpe?g$")
    records = []  # (part_is_test, class, index, pixels)
    for key in form.files:
        path = root / key
        with open_tar(path, FILES[key]) as tar:
            for m in tar:
                hit = rx.search(m.name) if m.isfile() else None
                if hit is None:
                    continue
                part, cls, idx = hit.groups()
                if cls not in _CIFAR10_CLASSES:
                    raise CorruptFileError(
                        f"{path}: unknown class folder {cls!r} in {m.name}. " + DELETE_HINT
                    )
                try:
                    with Image.open(io.BytesIO(tar.extractfile(m).read())) as im:
                        px = np.asarray(im.convert("RGB"), dtype=np.uint8)
                except (OSError, ValueError, SyntaxError) as exc:
                    raise CorruptFileError(
                        f"{path}: {m.name} is not a readable image ({exc}). " + DELETE_HINT
                    ) from exc
                if px.shape != (32, 32, 3):
                    raise CorruptFileError(
                        f"{path}: {m.name} is {px.shape}, not 32x32 RGB. " + DELETE_HINT
                    )
                records.append((part == "test", _CIFAR10_CLASSES.index(cls), int(idx), px))
    if not records:
        raise CorruptFileError(
            f"{', '.join(str(root / k) for k in form.files)} hold no CIFAR-10 JPEG images "
            "(train|test/<class>/<index>.jpg). " + DELETE_HINT
        )
    records.sort(key=lambda r: r[:3])
    X = np.stack([r[3] for r in records]).transpose(0, 3, 1, 2).copy()
    y = np.array([r[1] for r in records], dtype=np.int64)
    is_test = np.array([r[0] for r in records], dtype=bool)
    return X, y, is_test


def read_cifar10(
    spec: DatasetSpec, root: Path, *, download: bool | None = None, dtype=np.float32
) -> Dataset:
    check_dtype(dtype, allow_uint8=True)
    form = resolve_form(spec, root, download)
    digests = [verify_source(root / k, FILES[k]) for k in form.files]
    if form.key == "canonical":
        path = root / form.files[0]
        Xs, ys = [], []
        with open_tar(path, FILES[form.files[0]]) as tar:
            for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
                X_, y_ = _cifar_batch(
                    _unpickle(tar, rf"(^|/){name}$", path), b"labels", f"{path} ({name})"
                )
                Xs.append(X_)
                ys.append(y_)
        X, y = np.concatenate(Xs), np.concatenate(ys)
        is_test = np.arange(len(y)) >= sum(len(v) for v in ys[:5])
    else:
        key = hashlib.sha256("".join(digests).encode()).hexdigest()
        cached = cache_load("cifar10-jpeg-decoded", key, root, ("X", "y", "is_test"))
        if cached is not None:
            X, y, is_test = cached["X"], cached["y"], cached["is_test"]
        else:
            X, y, is_test = _decode_cifar_jpegs(root, form)
            cache_save("cifar10-jpeg-decoded", key, root, X=X, y=y, is_test=is_test)
    check_label_range(y, 0, 9, ", ".join(str(root / k) for k in form.files))
    part = np.where(is_test, "test", "train").astype("<U5")
    return finish(
        spec, form, X=as_image_dtype(X, dtype), y=y, n_classes=10, part=part, feature_names=None,
        class_names=list(_CIFAR10_CLASSES), image_shape=(3, 32, 32),
    )  # fmt: skip


def read_cifar100(
    spec: DatasetSpec,
    root: Path,
    *,
    download: bool | None = None,
    label: str = "fine",
    dtype=np.float32,
) -> Dataset:
    if label not in ("fine", "coarse"):
        raise ValueError(f"label must be 'fine' or 'coarse', got {label!r}.")
    check_dtype(dtype, allow_uint8=True)
    form = resolve_form(spec, root, download)
    path = root / form.files[0]
    verify_source(path, FILES[form.files[0]])
    lk = f"{label}_labels".encode()
    with open_tar(path, FILES[form.files[0]]) as tar:
        Xtr, ytr = _cifar_batch(_unpickle(tar, r"(^|/)train$", path), lk, f"{path} (train)")
        Xte, yte = _cifar_batch(_unpickle(tar, r"(^|/)test$", path), lk, f"{path} (test)")
        meta = _unpickle(tar, r"(^|/)meta$", path)
    try:
        names = [n.decode() for n in meta[f"{label}_label_names".encode()]]
    except (KeyError, AttributeError, TypeError, UnicodeDecodeError) as exc:
        raise CorruptFileError(
            f"{path}: its meta member has no list of {label} label names ({exc!r}). " + DELETE_HINT
        ) from exc
    X, y = np.concatenate([Xtr, Xte]), np.concatenate([ytr, yte])
    check_label_range(y, 0, len(names) - 1, str(path))
    part = np.array(["train"] * len(ytr) + ["test"] * len(yte), dtype="<U5")
    return finish(
        spec, form, X=as_image_dtype(X, dtype), y=y, n_classes=len(names), part=part,
        feature_names=None, class_names=names, image_shape=(3, 32, 32),
        notes=f"Labels: the {len(names)} {label} classes.",
    )  # fmt: skip
