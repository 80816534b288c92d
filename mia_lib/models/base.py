"""What the library's torch classifiers share: parameter checks, the training loop, prediction.

:class:`TorchClassifierBase` follows the scikit-learn estimator conventions, so the rest of
the library (and the reader) can treat a torch network exactly like a
``LogisticRegression``: hyper-parameters are stored verbatim by ``__init__``, ``fit``
validates its inputs, seeds itself from ``random_state`` and returns ``self``, fitted
attributes end in ``_``, and ``classes_`` holds the labels (``np.unique(y)``, or
``0..n_classes-1`` when ``n_classes`` is given). A subclass implements two hooks,
``_prepare_X(X, reset)`` and ``_build_network()``.

The parameter checks below are public: :func:`mia_lib.models.train_many` validates its
template estimator with them, and :mod:`mia_lib.models.training` holds the torch pieces that
one-by-one and batched training share.
"""

from __future__ import annotations

import copy
import math
import numbers

import numpy as np
import torch
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d
from torch import nn
from torch.nn import functional as F

from mia_lib._validation import (
    check_bool,
    check_features,
    check_finite_number,
    check_labels,
    check_positive_int,
    check_same_length,
)
from mia_lib.seeding import child_seed, int_seed

from .private import NOISE_STREAM, PlainSteps, PrivateSteps, check_privacy_params
from .training import (
    DROPOUT_STREAM,
    SeededDropout,
    divergence_message,
    init_uniform_,
    make_optimizer,
    progress,
    validation_split,
)

__all__ = [
    "ACTIVATIONS",
    "OPTIMIZERS",
    "TorchClassifierBase",
    "as_features",
    "check_choice",
    "check_hidden_sizes",
    "check_training_params",
    "resolve_device",
]

ACTIVATIONS = ("tanh", "relu", "logistic", "identity")
OPTIMIZERS = ("adam", "sgd")


# --------------------------------------------------------------------------------------
# parameter and input checks
# --------------------------------------------------------------------------------------
def check_choice(value, name: str, choices) -> None:
    """Raise ``ValueError`` unless ``value`` is one of ``choices``.

    >>> check_choice("swish", "activation", ACTIVATIONS)
    Traceback (most recent call last):
    ...
    ValueError: activation must be one of 'tanh', 'relu', 'logistic', 'identity'; got 'swish'.
    """
    if not isinstance(value, str | None) or value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}.")


def check_hidden_sizes(sizes, name: str = "hidden_layer_sizes") -> tuple[int, ...]:
    """``sizes`` (an int or a sequence of positive ints) as a tuple of ints.

    >>> check_hidden_sizes(8), check_hidden_sizes([16, 4])
    ((8,), (16, 4))
    """
    if isinstance(sizes, numbers.Integral):
        sizes = (sizes,)
    if isinstance(sizes, str | bytes):
        raise ValueError(f"{name} must be a tuple of positive ints, got {sizes!r}.")
    try:
        sizes = tuple(sizes)
    except TypeError:
        raise ValueError(f"{name} must be a tuple of positive ints, got {sizes!r}.") from None
    return tuple(check_positive_int(s, name) for s in sizes)


def check_training_params(est) -> None:
    """Validate the training hyper-parameters shared by the torch estimators.

    Every number must be finite: an infinite learning rate or weight decay would train to
    NaN weights.

    >>> from mia_lib.models import TorchMLPClassifier
    >>> check_training_params(TorchMLPClassifier(learning_rate=float("inf")))
    Traceback (most recent call last):
    ...
    ValueError: learning_rate must be a finite number, got inf.
    """
    check_choice(est.activation, "activation", ACTIVATIONS)
    check_choice(est.optimizer, "optimizer", OPTIMIZERS)
    check_positive_int(est.epochs, "epochs")
    check_positive_int(est.batch_size, "batch_size")
    check_positive_int(est.patience, "patience")
    check_finite_number(est.learning_rate, "learning_rate", low=0, low_open=True)
    check_finite_number(est.weight_decay, "weight_decay", low=0)
    if check_finite_number(est.dropout, "dropout", low=0) >= 1:
        raise ValueError(f"dropout must be in [0, 1), got {est.dropout!r}.")
    check_bool(est.early_stopping, "early_stopping")
    try:
        torch.device(resolve_device(est.device))
    except (RuntimeError, TypeError, ValueError):
        raise ValueError(
            f"device must be 'auto' or a torch device such as 'cpu' or 'cuda', got {est.device!r}."
        ) from None
    if est.early_stopping:
        vf = check_finite_number(
            est.validation_fraction, "validation_fraction", low=0, low_open=True
        )
        if vf >= 1:
            raise ValueError(f"validation_fraction must be in (0, 1), got {vf!r}.")
    if est.n_classes is not None:
        check_positive_int(est.n_classes, "n_classes", minimum=2)
    check_privacy_params(est)


def resolve_device(device):
    """The torch device a model with parameter ``device`` trains on: ``"auto"`` is
    ``"cuda"`` when torch sees a GPU (``torch.cuda.is_available()``), else ``"cpu"``; any
    other value is returned as it is (checked by :func:`check_training_params`).

    >>> resolve_device("cpu")
    'cpu'
    >>> resolve_device("auto") == ("cuda" if torch.cuda.is_available() else "cpu")
    True
    """
    if isinstance(device, str) and device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return device


def as_features(X, *, allow_nd: bool = False) -> np.ndarray:
    """``X`` as a finite float32 array (the library's shared ``check_features``).

    Also converts object arrays of numbers, and says clearly why sparse, complex and
    featureless input is refused.

    >>> as_features(np.array([[1, 2]], dtype=object))
    array([[1., 2.]], dtype=float32)
    """
    if sparse.issparse(X):
        raise TypeError(
            "X is a scipy sparse matrix; the torch models need dense input: pass X.toarray()."
        )
    arr = np.asarray(X)
    if arr.dtype.kind == "c":
        raise ValueError("Complex data not supported; pass real-valued features.")
    if arr.dtype == object:
        arr = arr.astype(np.float64)  # TypeError/ValueError with numpy's message if not numbers
    if arr.ndim < 2:
        raise ValueError(
            f"X must be {'at least ' if allow_nd else ''}2-D (n_samples, n_features), got "
            f"shape {arr.shape}. Reshape your data: X.reshape(1, -1) for a single record, "
            "X.reshape(-1, 1) for a single feature."
        )
    if arr.shape[0] > 0 and math.prod(arr.shape[1:]) == 0:
        raise ValueError(
            f"Found array with 0 feature(s) (shape={arr.shape}) while a minimum of 1 is required."
        )
    return check_features(arr, allow_nd=allow_nd)


# --------------------------------------------------------------------------------------
# the estimator base
# --------------------------------------------------------------------------------------
class TorchClassifierBase(ClassifierMixin, BaseEstimator):
    """Training loop, prediction and validation shared by the torch classifiers.

    Subclasses set the hyper-parameters in ``__init__`` and implement ``_check_params()``,
    ``_prepare_X(X, reset)`` (validate and shape the features; set ``n_features_in_`` when
    ``reset``) and ``_build_network()`` (an ``nn.Module`` mapping prepared features to
    ``n_classes_`` logits).

    >>> from mia_lib.models import TorchCNNClassifier, TorchMLPClassifier
    >>> all(issubclass(c, TorchClassifierBase) for c in (TorchMLPClassifier, TorchCNNClassifier))
    True
    >>> TorchMLPClassifier().fit([[0.0], [1.0]], None)
    Traceback (most recent call last):
    ...
    ValueError: TorchMLPClassifier requires y to be passed, but the target y is None.
    """

    _predict_chunk = 4096

    # -- subclass hooks -----------------------------------------------------------------
    def _check_params(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _prepare_X(self, X, reset: bool) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _build_network(self) -> nn.Module:  # pragma: no cover - abstract
        raise NotImplementedError

    def _device(self):
        """The device the fitted network lives on (``device_``), else ``device`` resolved."""
        return getattr(self, "device_", None) or resolve_device(self.device)

    def _to_tensor(self, X: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(np.ascontiguousarray(X)).to(self._device())

    def new_network(self) -> nn.Module:
        """A freshly built, untrained network for the fitted input and output shapes.

        ``nn.Linear`` and ``nn.Conv2d`` draw a default initialisation from torch's global
        generator; it is forked, so that this leaves the caller's random state alone
        (``fit`` redraws the weights from the estimator's own generator anyway).
        """
        with torch.random.fork_rng(devices=[]):
            return self._build_network()

    def _check_n_features(self, X: np.ndarray, reset: bool) -> None:
        n_features = int(np.prod(X.shape[1:]))
        if reset:
            self.n_features_in_ = n_features
        elif n_features != self.n_features_in_:
            raise ValueError(
                f"X has {n_features} features, but {type(self).__name__} is expecting "
                f"{self.n_features_in_} features as input."
            )

    # -- labels -------------------------------------------------------------------------
    def _encode_y(self, y) -> np.ndarray:
        """Set ``classes_`` and ``n_classes_``; return ``y`` as positions in ``classes_``."""
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        y = column_or_1d(y, warn=True)
        if self.n_classes is not None:
            self.classes_ = np.arange(int(self.n_classes))
            encoded = check_labels(y, int(self.n_classes))
        else:
            check_classification_targets(y)
            self.classes_, encoded = np.unique(y, return_inverse=True)
            if len(self.classes_) < 2:
                raise ValueError(
                    f"y holds only one class ({self.classes_[0].item()!r}) and n_classes is None; "
                    "a classifier needs two classes, or pass n_classes=K (labels 0..K-1) to "
                    "train a model that outputs K posterior columns."
                )
        self.n_classes_ = len(self.classes_)
        return encoded.astype(np.int64)

    def _label_positions(self, y) -> np.ndarray:
        """The position of each label of ``y`` in ``classes_`` (unknown labels raise)."""
        y = column_or_1d(y)
        classes = self.classes_
        try:
            pos = np.clip(np.searchsorted(classes, y), 0, len(classes) - 1)
            known = classes[pos] == y
        except TypeError:  # labels of another type than classes_
            known = np.zeros(len(y), dtype=bool)
            pos = np.zeros(len(y), dtype=np.int64)
        if not np.all(known):
            bad = y[np.flatnonzero(~known)[0]]
            bad = bad.item() if isinstance(bad, np.generic) else bad
            raise ValueError(
                f"y has a label the model was not trained on ({bad!r}); its classes_ are "
                f"{classes.tolist() if len(classes) <= 10 else classes[:10].tolist() + ['...']}."
            )
        return pos.astype(np.int64)

    # -- fitting ------------------------------------------------------------------------
    def fit(self, X, y):
        """Train the network on ``X`` and labels ``y``; returns ``self``.

        Deterministic for a fixed integer ``random_state`` (same torch version, device and
        number of threads). Raises ``FloatingPointError`` if training diverges.
        """
        self._check_params()
        X = self._prepare_X(X, reset=True)
        y = self._encode_y(y)
        check_same_length(X=X, y=y)

        self.device_ = resolve_device(self.device)
        seed = int_seed(self.random_state)
        gen = torch.Generator().manual_seed(seed)
        net = self.new_network()
        init_uniform_(net, gen)
        net = net.to(self.device_)
        dropouts = [m for m in net.modules() if isinstance(m, SeededDropout)]
        if dropouts:
            drop_gen = torch.Generator(device=self.device_)
            drop_gen.manual_seed(child_seed(seed, DROPOUT_STREAM))
            for m in dropouts:
                m.generator = drop_gen

        Xt = self._to_tensor(X)
        yt = torch.from_numpy(y).to(self.device_)
        Xv = yv = None
        if self.early_stopping:
            val_idx, tr_idx = validation_split(len(y), self.validation_fraction, gen)
            val_idx, tr_idx = val_idx.to(self.device_), tr_idx.to(self.device_)
            Xv, yv = Xt[val_idx], yt[val_idx]
            Xt, yt = Xt[tr_idx], yt[tr_idx]
        try:
            self._train_loop(net, Xt, yt, gen, Xv, yv)
        finally:
            for m in dropouts:
                m.generator = None
        net.eval()
        self.model_ = net
        return self

    def _train_loop(self, net, Xt, yt, gen, Xv, yv) -> None:
        n = len(yt)
        opt = make_optimizer(
            self.optimizer, net.parameters(), self.learning_rate, self.weight_decay
        )
        if self.dp_epsilon is None:
            steps = PlainSteps(net, opt, n, self.batch_size, gen, self.device_)
        else:
            noise_gen = torch.Generator(device=self.device_)
            noise_gen.manual_seed(child_seed(int_seed(self.random_state), NOISE_STREAM))
            steps = PrivateSteps(self, net, opt, n, int(self.epochs), gen, noise_gen)
        name, lr = type(self).__name__, self.learning_rate
        loss_curve, val_curve = [], []
        best_loss, best_state, best_epoch, bad_epochs = math.inf, None, 0, 0
        epoch = 0
        for epoch in progress(range(1, int(self.epochs) + 1), self.verbose, name):
            net.train()
            total = torch.zeros((), device=self.device_)
            seen = 0
            for idx in steps.batches():
                total += steps.step(Xt.index_select(0, idx), yt.index_select(0, idx))
                seen += len(idx)
            # NaN for a DP epoch whose Poisson batches were all empty (noise-only steps)
            loss_curve.append(float(total) / seen if seen else math.nan)
            if seen and not math.isfinite(loss_curve[-1]):
                raise FloatingPointError(
                    divergence_message(
                        name, epoch, self.epochs, f"the training loss is {loss_curve[-1]}", lr
                    )
                )
            if Xv is not None:
                val_loss = float(self._mean_loss(net, Xv, yv))
                val_curve.append(val_loss)
                if not math.isfinite(val_loss):
                    raise FloatingPointError(
                        divergence_message(
                            name, epoch, self.epochs, f"the validation loss is {val_loss}", lr
                        )
                    )
                if val_loss < best_loss - 1e-7:
                    best_loss, best_epoch, bad_epochs = val_loss, epoch, 0
                    best_state = copy.deepcopy(net.state_dict())
                else:
                    bad_epochs += 1
                    if bad_epochs >= self.patience:
                        break
        for key, value in steps.finish().items():
            setattr(self, key, value)
        if best_state is not None:
            net.load_state_dict(best_state)
        if not all(bool(torch.isfinite(p).all()) for p in net.parameters()):
            raise FloatingPointError(
                divergence_message(name, epoch, self.epochs, "the weights are not finite", lr)
            )
        self.loss_curve_ = loss_curve
        self.n_epochs_ = epoch
        self.n_steps_ = steps.steps
        self.validation_loss_curve_ = val_curve if Xv is not None else None
        self.best_epoch_ = best_epoch if Xv is not None else None

    @torch.no_grad()
    def _mean_loss(self, net, X, y) -> torch.Tensor:
        net.eval()
        total = torch.zeros((), device=self.device_, dtype=torch.float64)
        for start in range(0, len(y), self._predict_chunk):
            sl = slice(start, start + self._predict_chunk)
            total += F.cross_entropy(net(X[sl]), y[sl], reduction="sum").double()
        return total / len(y)

    # -- prediction ---------------------------------------------------------------------
    @torch.no_grad()
    def _logits(self, X) -> torch.Tensor:
        check_is_fitted(self, "model_")
        X = self._prepare_X(X, reset=False)
        self.model_.eval()
        out = []
        for start in range(0, len(X), self._predict_chunk):
            xb = self._to_tensor(X[start : start + self._predict_chunk])
            out.append(self.model_(xb).to("cpu", torch.float64))
        return torch.cat(out)

    @torch.no_grad()
    def hidden_features(self, X) -> np.ndarray:
        """Return the activations of the last hidden layer (the network without its output
        layer), float64 of shape ``(n, units)``: a learned feature space of the records."""
        check_is_fitted(self, "model_")
        X = self._prepare_X(X, reset=False)
        body = self.model_[:-1].eval()
        out = [
            body(self._to_tensor(X[start : start + self._predict_chunk])).flatten(1)
            for start in range(0, len(X), self._predict_chunk)
        ]
        return torch.cat(out).to("cpu", torch.float64).numpy() if out else np.zeros((0, 0))

    def predict_logits(self, X) -> np.ndarray:
        """Return the pre-softmax outputs, float64 of shape ``(n, n_classes_)``."""
        return self._logits(X).numpy()

    def predict_proba(self, X) -> np.ndarray:
        """Return softmax posteriors, float64 of shape ``(n, n_classes_)``, columns in the order
        of ``classes_``; rows sum to 1."""
        return torch.softmax(self._logits(X), dim=1).numpy()

    def predict(self, X) -> np.ndarray:
        """Return the most likely label of ``classes_`` for each record."""
        best = self._logits(X).argmax(dim=1).numpy()
        return self.classes_[best]

    def loss(self, X, y) -> np.ndarray:
        """Return each record's cross-entropy loss ``-log p(y | x)`` (float64, shape (n,))."""
        logits = self._logits(X)
        pos = self._label_positions(y)
        check_same_length(X=logits, y=pos)
        logp = torch.log_softmax(logits, dim=1)
        return (-logp[torch.arange(len(pos)), torch.from_numpy(pos)]).numpy()
