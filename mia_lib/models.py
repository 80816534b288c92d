"""Target and shadow models: scikit-learn compatible estimators and a zoo by name.

Everything here follows the scikit-learn estimator conventions, so the rest of the library
(and the reader) can treat a torch network exactly like a ``LogisticRegression``:
hyper-parameters are stored verbatim by ``__init__``, ``fit`` validates its inputs, seeds
itself from ``random_state`` and returns ``self``, and fitted attributes end in ``_``.

* :class:`TorchMLPClassifier`: fully connected network (Shokri et al.'s Purchase and
  Locations model is one hidden layer of 128 ``tanh`` units).
* :class:`TorchCNNClassifier`: two convolution + max-pooling layers, a dense layer of 128
  units and a softmax (Shokri et al.'s CIFAR model).
* :func:`make_model`: the scikit-learn zoo by name (:data:`MODEL_NAMES`).
* :func:`full_proba`: posteriors with one column per class even when the model never saw
  some classes (shadow models trained on small subsets).
* :func:`train_many`: many small MLPs trained at once as one batched tensor program
  (implemented in :mod:`mia_lib.batched`).

Labels are integers ``0..n_classes-1``; the torch models always output ``n_classes_``
posterior columns in that order.
"""

from __future__ import annotations

import copy
import math
import numbers

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted
from torch import nn
from torch.nn import functional as F

from mia_lib._validation import check_features, check_labels, check_same_length
from mia_lib.batched import train_many

__all__ = [
    "MODEL_NAMES",
    "TorchCNNClassifier",
    "TorchMLPClassifier",
    "full_proba",
    "make_model",
    "model_proba",
    "train_many",
]

ACTIVATIONS = ("tanh", "relu", "logistic", "identity")
OPTIMIZERS = ("adam", "sgd")
SGD_MOMENTUM = 0.9
ADAM_BETAS = (0.9, 0.999)
ADAM_EPS = 1e-8


# --------------------------------------------------------------------------------------
# small helpers shared with mia_lib.batched
# --------------------------------------------------------------------------------------
def _resolve_seed(random_state) -> int:
    """Turn a scikit-learn style ``random_state`` into one integer torch seed.

    An int is used as it is; ``None`` draws fresh entropy (without touching numpy's global
    state); a ``RandomState`` or ``Generator`` is advanced by one draw.
    """
    if random_state is None:
        return int(np.random.default_rng().integers(2**31 - 1))
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(f"random_state must be a non-negative int, got {random_state}.")
        return int(random_state)
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(0, 2**31 - 1))
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(0, 2**31 - 1))
    raise TypeError(
        "random_state must be None, an int, a numpy RandomState or a numpy Generator, "
        f"got {type(random_state).__name__}."
    )


def _check_choice(value, name: str, choices) -> None:
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}.")


def _check_positive_int(value, name: str, *, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}.")
    return int(value)


def _check_hidden_sizes(sizes, name: str = "hidden_layer_sizes") -> tuple[int, ...]:
    if isinstance(sizes, numbers.Integral):
        sizes = (sizes,)
    try:
        sizes = tuple(sizes)
    except TypeError:
        raise ValueError(f"{name} must be a tuple of positive ints, got {sizes!r}.") from None
    for s in sizes:
        _check_positive_int(s, name)
    return tuple(int(s) for s in sizes)


def _check_training_params(est) -> None:
    """Validate the training hyper-parameters shared by the torch estimators."""
    _check_choice(est.activation, "activation", ACTIVATIONS)
    _check_choice(est.optimizer, "optimizer", OPTIMIZERS)
    _check_positive_int(est.epochs, "epochs")
    _check_positive_int(est.batch_size, "batch_size")
    _check_positive_int(est.patience, "patience")
    if not (isinstance(est.learning_rate, numbers.Real) and est.learning_rate > 0):
        raise ValueError(f"learning_rate must be a positive number, got {est.learning_rate!r}.")
    if not (isinstance(est.weight_decay, numbers.Real) and est.weight_decay >= 0):
        raise ValueError(f"weight_decay must be >= 0, got {est.weight_decay!r}.")
    if not (isinstance(est.dropout, numbers.Real) and 0 <= est.dropout < 1):
        raise ValueError(f"dropout must be in [0, 1), got {est.dropout!r}.")
    if est.early_stopping and not (0 < est.validation_fraction < 1):
        raise ValueError(f"validation_fraction must be in (0, 1), got {est.validation_fraction!r}.")
    if est.n_classes is not None:
        _check_positive_int(est.n_classes, "n_classes", minimum=2)


def _activation_module(name: str) -> nn.Module:
    return {"tanh": nn.Tanh, "relu": nn.ReLU, "logistic": nn.Sigmoid, "identity": nn.Identity}[
        name
    ]()


@torch.no_grad()
def _init_uniform_(module: nn.Module, generator: torch.Generator) -> None:
    """PyTorch's default initialisation, drawn from ``generator``.

    ``nn.Linear`` and ``nn.Conv2d`` weights and biases are drawn from
    U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (what ``kaiming_uniform_(a=sqrt(5))`` amounts to),
    layer by layer, weight before bias. :func:`mia_lib.batched.train_many` draws the same
    numbers in the same order, so its models start where one-by-one training starts.
    """
    for layer in module.modules():
        if isinstance(layer, nn.Linear | nn.Conv2d):
            fan_in = layer.weight[0].numel()
            bound = 1.0 / math.sqrt(fan_in)
            layer.weight.uniform_(-bound, bound, generator=generator)
            if layer.bias is not None:
                layer.bias.uniform_(-bound, bound, generator=generator)


class _Dropout(nn.Module):
    """Inverted dropout whose masks come from a private ``torch.Generator``.

    ``nn.Dropout`` draws from torch's global random state; this one keeps training
    reproducible without touching it. The generator is attached only while fitting.
    """

    def __init__(self, p: float):
        super().__init__()
        self.p = float(p)
        self.generator: torch.Generator | None = None

    def forward(self, x):
        if not self.training or self.p == 0.0:
            return x
        keep = torch.empty_like(x).bernoulli_(1.0 - self.p, generator=self.generator)
        return x * keep / (1.0 - self.p)

    def extra_repr(self) -> str:
        return f"p={self.p}"


def _make_optimizer(name: str, params, lr: float, weight_decay: float):
    params = list(params)
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=SGD_MOMENTUM, weight_decay=weight_decay)
    kwargs = dict(lr=lr, betas=ADAM_BETAS, eps=ADAM_EPS, weight_decay=weight_decay)
    on_cpu = all(p.device.type == "cpu" for p in params)
    if on_cpu and torch.get_num_threads() > 1:
        # The fused CPU kernel opens an OpenMP region even for tiny tensors; when other
        # processes share the cores, waiting for a descheduled thread made each step up to
        # 20x slower (measured on 2 shared cores). The plain kernel is ~15% slower at best.
        return torch.optim.Adam(params, foreach=False, **kwargs)
    try:  # one fused kernel per step (torch >= 2.4 on CPU); same maths as the default
        return torch.optim.Adam(params, fused=True, **kwargs)
    except (RuntimeError, TypeError, ValueError):  # pragma: no cover - older torch
        return torch.optim.Adam(params, **kwargs)


def _progress(iterable, verbose: bool, desc: str):
    if not verbose:
        return iterable
    from tqdm.auto import tqdm

    return tqdm(iterable, desc=desc, unit="epoch", leave=False)


# --------------------------------------------------------------------------------------
# torch estimators
# --------------------------------------------------------------------------------------
class _TorchClassifierBase(ClassifierMixin, BaseEstimator):
    """Training loop, prediction and validation shared by the torch classifiers.

    Subclasses implement ``_prepare_X(X, reset)`` (validate and shape the features) and
    ``_build_network()`` (an ``nn.Module`` mapping prepared features to logits).
    """

    _predict_chunk = 4096

    # -- subclass hooks -----------------------------------------------------------------
    def _prepare_X(self, X, reset: bool) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _build_network(self) -> nn.Module:  # pragma: no cover - abstract
        raise NotImplementedError

    def _to_tensor(self, X: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(np.ascontiguousarray(X)).to(self.device)

    def _new_network(self) -> nn.Module:
        # nn.Linear and nn.Conv2d draw their default initialisation from torch's global
        # generator; fork it so that fitting leaves the caller's random state alone (the
        # weights are redrawn from our own generator anyway)
        with torch.random.fork_rng(devices=[]):
            return self._build_network()

    # -- fitting ----------------------------------------------------------------------------
    def fit(self, X, y):
        """Train the network on ``X`` and integer labels ``y`` in ``0..n_classes-1``.

        Returns ``self``. Deterministic for a fixed integer ``random_state`` (same torch
        version, device and number of threads).
        """
        self._check_params()
        X = self._prepare_X(X, reset=True)
        y = check_labels(y, self.n_classes)
        check_same_length(X=X, y=y)
        n_classes = int(self.n_classes) if self.n_classes is not None else int(y.max()) + 1
        if n_classes < 2:
            raise ValueError(
                "y holds a single class (0) and n_classes is None; pass n_classes=K to "
                "train a model that outputs K posterior columns."
            )
        self.n_classes_ = n_classes
        self.classes_ = np.arange(n_classes)

        seed = _resolve_seed(self.random_state)
        gen = torch.Generator().manual_seed(seed)
        net = self._new_network()
        _init_uniform_(net, gen)
        net = net.to(self.device)
        drop_gen = None
        if self.dropout > 0:
            drop_gen = torch.Generator(device=self.device).manual_seed(seed + 1)
            for m in net.modules():
                if isinstance(m, _Dropout):
                    m.generator = drop_gen

        Xt = self._to_tensor(X)
        yt = torch.from_numpy(y).to(self.device)
        n = len(y)
        Xv = yv = None
        if self.early_stopping:
            n_val = max(1, int(round(self.validation_fraction * n)))
            if n - n_val < 1:
                raise ValueError(
                    f"early_stopping needs at least 2 records, got {n}; pass more data or "
                    "set early_stopping=False."
                )
            perm = torch.randperm(n, generator=gen).to(self.device)
            val_idx, tr_idx = perm[:n_val], perm[n_val:]
            Xv, yv = Xt[val_idx], yt[val_idx]
            Xt, yt = Xt[tr_idx], yt[tr_idx]

        try:
            self._train_loop(net, Xt, yt, gen, Xv, yv)
        finally:
            for m in net.modules():
                if isinstance(m, _Dropout):
                    m.generator = None
        net.eval()
        self.model_ = net
        return self

    def _train_loop(self, net, Xt, yt, gen, Xv, yv) -> None:
        n = len(yt)
        batch = min(int(self.batch_size), n)
        opt = _make_optimizer(
            self.optimizer, net.parameters(), self.learning_rate, self.weight_decay
        )
        loss_curve, val_curve = [], []
        best_loss, best_state, best_epoch, bad_epochs = math.inf, None, 0, 0
        epoch = 0
        for epoch in _progress(range(1, int(self.epochs) + 1), self.verbose, type(self).__name__):
            net.train()
            perm = torch.randperm(n, generator=gen).to(self.device)
            total = torch.zeros((), device=self.device)
            for start in range(0, n, batch):
                idx = perm[start : start + batch]
                loss = F.cross_entropy(net(Xt.index_select(0, idx)), yt.index_select(0, idx))
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                total += loss.detach() * len(idx)
            loss_curve.append(float(total) / n)
            if Xv is not None:
                val_loss = float(self._mean_loss(net, Xv, yv))
                val_curve.append(val_loss)
                if val_loss < best_loss - 1e-7:
                    best_loss, best_epoch, bad_epochs = val_loss, epoch, 0
                    best_state = copy.deepcopy(net.state_dict())
                else:
                    bad_epochs += 1
                    if bad_epochs >= self.patience:
                        break
        if best_state is not None:
            net.load_state_dict(best_state)
        self.loss_curve_ = loss_curve
        self.n_epochs_ = epoch
        self.n_steps_ = epoch * math.ceil(n / batch)
        self.validation_loss_curve_ = val_curve if Xv is not None else None
        self.best_epoch_ = best_epoch if Xv is not None else None

    @torch.no_grad()
    def _mean_loss(self, net, X, y) -> torch.Tensor:
        net.eval()
        total = torch.zeros((), device=self.device, dtype=torch.float64)
        for start in range(0, len(y), self._predict_chunk):
            sl = slice(start, start + self._predict_chunk)
            total += F.cross_entropy(net(X[sl]), y[sl], reduction="sum").double()
        return total / len(y)

    # -- prediction ---------------------------------------------------------------------------
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

    def predict_logits(self, X) -> np.ndarray:
        """Return the pre-softmax outputs, float64 of shape (n, n_classes_)."""
        return self._logits(X).numpy()

    def predict_proba(self, X) -> np.ndarray:
        """Return softmax posteriors, float64 of shape (n, n_classes_); rows sum to 1."""
        return torch.softmax(self._logits(X), dim=1).numpy()

    def predict(self, X) -> np.ndarray:
        """Return the most likely label (int64) for each record."""
        return self._logits(X).argmax(dim=1).numpy()

    def loss(self, X, y) -> np.ndarray:
        """Return each record's cross-entropy loss ``-log p(y | x)`` (float64, shape (n,))."""
        logits = self._logits(X)
        y = check_labels(y, self.n_classes_)
        check_same_length(X=logits, y=y)
        logp = torch.log_softmax(logits, dim=1)
        return (-logp[torch.arange(len(y)), torch.from_numpy(y)]).numpy()

    def _check_n_features(self, X: np.ndarray, reset: bool) -> None:
        n_features = int(np.prod(X.shape[1:]))
        if reset:
            self.n_features_in_ = n_features
        elif n_features != self.n_features_in_:
            raise ValueError(
                f"X has {n_features} features, but {type(self).__name__} was fitted with "
                f"{self.n_features_in_}."
            )


class TorchMLPClassifier(_TorchClassifierBase):
    """Fully connected network trained with PyTorch, usable like a scikit-learn classifier.

    The default (one hidden layer of 128 ``tanh`` units, Adam, learning rate 1e-3) is the
    model Shokri et al. (2017) used for Purchase and Locations.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int
        Units of each hidden layer.
    activation : {"tanh", "relu", "logistic", "identity"}
        Non-linearity after each hidden layer.
    epochs : int
        Passes over the training data (the maximum, with ``early_stopping``).
    learning_rate : float
        Step size of the optimiser.
    batch_size : int
        Records per mini-batch (capped at the training set size).
    weight_decay : float
        L2 penalty added to the gradient (``torch.optim`` semantics), a classic
        membership-inference defence.
    dropout : float
        Probability of dropping each hidden unit during training (another defence).
    optimizer : {"adam", "sgd"}
        Adam (betas 0.9, 0.999) or SGD with momentum 0.9.
    early_stopping : bool
        Hold out ``validation_fraction`` of the training data, stop when the validation loss
        has not improved for ``patience`` epochs, and restore the best weights.
    validation_fraction, patience
        See ``early_stopping``.
    n_classes : int or None
        Number of posterior columns. ``None`` means ``y.max() + 1``. Set it when a model is
        trained on a subset that may miss some classes (shadow models).
    random_state : None, int, RandomState or Generator
        Seeds weight initialisation, shuffling and dropout (through private torch
        generators; the global torch random state is left alone).
    verbose : bool
        Show a progress bar over epochs.
    device : str
        Torch device, e.g. ``"cpu"`` or ``"cuda"``.

    Attributes
    ----------
    classes_ : ndarray ``0..n_classes_-1``
    n_classes_, n_features_in_ : int
    model_ : torch.nn.Sequential, the trained network (in eval mode)
    loss_curve_ : list of float, mean training loss of each epoch
    n_epochs_, n_steps_ : int, epochs run and optimiser steps taken
    validation_loss_curve_, best_epoch_ : with ``early_stopping``, else None

    See also
    --------
    train_many : many of these models (shadow models) trained at once, several times faster.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(60, 4)).astype("float32")
    >>> y = (X[:, 0] > 0).astype(int)
    >>> clf = TorchMLPClassifier(hidden_layer_sizes=(8,), epochs=50, learning_rate=0.05,
    ...                          batch_size=16, n_classes=3, random_state=0).fit(X, y)
    >>> clf.predict_proba(X[:2]).shape          # a column for class 2 though unseen
    (2, 3)
    >>> bool(clf.score(X, y) > 0.9)
    True
    """

    def __init__(
        self,
        hidden_layer_sizes=(128,),
        activation="tanh",
        epochs=100,
        learning_rate=1e-3,
        batch_size=64,
        weight_decay=0.0,
        dropout=0.0,
        optimizer="adam",
        early_stopping=False,
        validation_fraction=0.1,
        patience=10,
        n_classes=None,
        random_state=None,
        verbose=False,
        device="cpu",
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.weight_decay = weight_decay
        self.dropout = dropout
        self.optimizer = optimizer
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.n_classes = n_classes
        self.random_state = random_state
        self.verbose = verbose
        self.device = device

    def _check_params(self) -> None:
        _check_hidden_sizes(self.hidden_layer_sizes)
        _check_training_params(self)

    def _prepare_X(self, X, reset: bool) -> np.ndarray:
        X = check_features(X)
        self._check_n_features(X, reset)
        return X

    def _build_network(self, n_features: int | None = None, n_classes: int | None = None):
        n_features = self.n_features_in_ if n_features is None else n_features
        n_classes = self.n_classes_ if n_classes is None else n_classes
        sizes = _check_hidden_sizes(self.hidden_layer_sizes)
        layers: list[nn.Module] = []
        fan_in = n_features
        for width in sizes:
            layers += [nn.Linear(fan_in, width), _activation_module(self.activation)]
            if self.dropout > 0:
                layers.append(_Dropout(self.dropout))
            fan_in = width
        layers.append(nn.Linear(fan_in, n_classes))
        return nn.Sequential(*layers)


class TorchCNNClassifier(_TorchClassifierBase):
    """Small convolutional network for images, usable like a scikit-learn classifier.

    Architecture (Shokri et al. 2017's CIFAR model): for each entry of ``conv_channels`` a
    ``kernel_size`` convolution, 2x2 max pooling and the activation; then a dense layer of
    ``hidden_units`` units and a linear output layer whose softmax gives the posteriors.
    (Pooling is applied before the monotone activation, which computes the same function
    with a quarter of the activation work.)

    ``X`` is ``(n, C, H, W)``, ``(n, H, W)`` (one channel), or flat ``(n, C*H*W)`` when
    ``input_shape`` is given. Scale pixels to [0, 1] (or standardise) beforehand.

    Speed (channels-last tensors, pooling before the activation), measured with the defaults:
    5,000 Fashion-MNIST images x 20 epochs take about 20 s on 2 idle CPU cores (54 s on a
    loaded machine); CIFAR-10 (3 x 32 x 32) costs about 0.6 ms per image and epoch on one
    core.

    Parameters
    ----------
    input_shape : tuple (C, H, W) or (H, W), or None
        Needed only for flat input.
    conv_channels : tuple of int
        Output channels of each convolution layer.
    kernel_size : int
        Side of the square convolution kernels.
    padding : {"valid", "same"}
        ``"valid"`` shrinks each map by ``kernel_size - 1``; ``"same"`` keeps its size.
    hidden_units : int
        Units of the dense layer (0 for none).
    Other parameters
        As for :class:`TorchMLPClassifier` (``dropout`` acts on the dense layer).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((40, 1, 12, 12), dtype=np.float32)
    >>> y = np.arange(40) % 2
    >>> X[y == 1, :, :6] += 1.0                 # class 1: bright top half
    >>> cnn = TorchCNNClassifier(conv_channels=(4, 8), kernel_size=3, hidden_units=16,
    ...                          epochs=20, learning_rate=0.01, batch_size=16,
    ...                          random_state=0).fit(X, y)
    >>> cnn.predict_proba(X[:3]).shape
    (3, 2)
    >>> float(cnn.score(X, y))
    1.0
    """

    _predict_chunk = 512

    def __init__(
        self,
        input_shape=None,
        conv_channels=(32, 64),
        kernel_size=5,
        padding="valid",
        hidden_units=128,
        activation="tanh",
        epochs=30,
        learning_rate=1e-3,
        batch_size=64,
        weight_decay=0.0,
        dropout=0.0,
        optimizer="adam",
        early_stopping=False,
        validation_fraction=0.1,
        patience=10,
        n_classes=None,
        random_state=None,
        verbose=False,
        device="cpu",
    ):
        self.input_shape = input_shape
        self.conv_channels = conv_channels
        self.kernel_size = kernel_size
        self.padding = padding
        self.hidden_units = hidden_units
        self.activation = activation
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.weight_decay = weight_decay
        self.dropout = dropout
        self.optimizer = optimizer
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.n_classes = n_classes
        self.random_state = random_state
        self.verbose = verbose
        self.device = device

    def _check_params(self) -> None:
        _check_hidden_sizes(self.conv_channels, "conv_channels")
        _check_positive_int(self.kernel_size, "kernel_size")
        _check_positive_int(self.hidden_units, "hidden_units", minimum=0)
        _check_choice(self.padding, "padding", ("valid", "same"))
        _check_training_params(self)
        if self.input_shape is not None:
            shape = tuple(self.input_shape)
            if len(shape) not in (2, 3):
                raise ValueError(f"input_shape must be (C, H, W) or (H, W), got {shape}.")
            for s in shape:
                _check_positive_int(s, "input_shape")

    def _declared_shape(self):
        if self.input_shape is None:
            return None
        shape = tuple(int(s) for s in self.input_shape)
        return (1, *shape) if len(shape) == 2 else shape

    def _prepare_X(self, X, reset: bool) -> np.ndarray:
        X = check_features(X, allow_nd=True)
        shape = self._declared_shape() if reset else self.input_shape_
        if X.ndim == 2:
            if shape is None:
                raise ValueError(
                    f"X is flat with shape {X.shape}; pass images as (n, C, H, W) or set "
                    "input_shape=(C, H, W)."
                )
            if X.shape[1] != int(np.prod(shape)):
                raise ValueError(
                    f"X has {X.shape[1]} features, but input_shape {shape} needs "
                    f"{int(np.prod(shape))}."
                )
            X = X.reshape(len(X), *shape)
        elif X.ndim == 3:
            X = X[:, None]
        elif X.ndim != 4:
            raise ValueError(f"X must be (n, C, H, W), (n, H, W) or flat; got shape {X.shape}.")
        if shape is not None and X.shape[1:] != tuple(shape):
            what = "input_shape" if reset else "the training images"
            raise ValueError(f"X has images of shape {X.shape[1:]}, but {what} is {shape}.")
        if reset:
            self.input_shape_ = tuple(int(s) for s in X.shape[1:])
        self._check_n_features(X, reset)
        return X

    def _to_tensor(self, X: np.ndarray) -> torch.Tensor:
        t = torch.from_numpy(np.ascontiguousarray(X)).to(self.device)
        return t.contiguous(memory_format=torch.channels_last)

    def _build_network(self):
        channels, height, width = self.input_shape_
        k = int(self.kernel_size)
        pad = k // 2 if self.padding == "same" else 0
        layers: list[nn.Module] = []
        for out_channels in _check_hidden_sizes(self.conv_channels, "conv_channels"):
            height, width = height + 2 * pad - k + 1, width + 2 * pad - k + 1
            if min(height, width) < 2:
                raise ValueError(
                    f"images of shape {self.input_shape_} are too small for "
                    f"{len(self.conv_channels)} convolution layers of kernel {k} with "
                    f"padding={self.padding!r}; use smaller kernel_size, fewer "
                    "conv_channels or padding='same'."
                )
            layers += [
                nn.Conv2d(channels, out_channels, k, padding=pad),
                nn.MaxPool2d(2),
                _activation_module(self.activation),
            ]
            channels, height, width = out_channels, height // 2, width // 2
        layers.append(nn.Flatten())
        fan_in = channels * height * width
        if self.hidden_units:
            layers += [
                nn.Linear(fan_in, int(self.hidden_units)),
                _activation_module(self.activation),
            ]
            if self.dropout > 0:
                layers.append(_Dropout(self.dropout))
            fan_in = int(self.hidden_units)
        layers.append(nn.Linear(fan_in, self.n_classes_))
        return nn.Sequential(*layers).to(memory_format=torch.channels_last)


# --------------------------------------------------------------------------------------
# the zoo
# --------------------------------------------------------------------------------------
MODEL_NAMES = (
    "logistic_regression",
    "random_forest",
    "decision_tree",
    "knn",
    "naive_bayes",
    "svm",
    "mlp",
    "cnn",
    "sklearn_mlp",
)


def _zoo_estimator(name: str):
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import GaussianNB
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.neural_network import MLPClassifier
    from sklearn.svm import SVC
    from sklearn.tree import DecisionTreeClassifier

    factories = {
        "logistic_regression": lambda: LogisticRegression(max_iter=1000),
        "random_forest": lambda: RandomForestClassifier(n_estimators=100),
        "decision_tree": lambda: DecisionTreeClassifier(),
        "knn": lambda: KNeighborsClassifier(n_neighbors=5),
        "naive_bayes": lambda: GaussianNB(),
        "svm": lambda: SVC(probability=True),
        "mlp": lambda: TorchMLPClassifier(),
        "cnn": lambda: TorchCNNClassifier(),
        "sklearn_mlp": lambda: MLPClassifier(
            hidden_layer_sizes=(128,), activation="tanh", max_iter=200
        ),
    }
    return factories[name]()


def make_model(name: str, random_state=None, n_classes: int | None = None, **params):
    """Return an unfitted classifier of the zoo by name, with membership-friendly defaults.

    ``name`` is one of :data:`MODEL_NAMES`: ``"logistic_regression"`` (max_iter=1000),
    ``"random_forest"`` (100 trees), ``"decision_tree"``, ``"knn"`` (5 neighbours),
    ``"naive_bayes"`` (Gaussian), ``"svm"`` (RBF ``SVC(probability=True)``), ``"mlp"``
    (:class:`TorchMLPClassifier`), ``"cnn"`` (:class:`TorchCNNClassifier`) and
    ``"sklearn_mlp"`` (``MLPClassifier``, 128 tanh units). ``random_state`` is passed to
    models that take one (k-NN and naive Bayes are deterministic), and so is ``n_classes``
    (the torch networks fix their output width before ``fit``; scikit-learn models learn
    their classes from the data); ``params`` override the defaults through ``set_params``.

    scikit-learn models only output columns for the classes they saw in training; use
    :func:`full_proba` to get all ``n_classes`` columns.

    >>> make_model("logistic_regression", random_state=0, C=0.5)
    LogisticRegression(C=0.5, max_iter=1000, random_state=0)
    >>> make_model("mlp", epochs=5).epochs
    5
    >>> make_model("cnn", n_classes=30).n_classes, make_model("knn", n_classes=30)
    (30, KNeighborsClassifier())
    >>> make_model("resnet")
    Traceback (most recent call last):
    ...
    ValueError: unknown model name 'resnet'; valid names: logistic_regression, random_forest, decision_tree, knn, naive_bayes, svm, mlp, cnn, sklearn_mlp.
    """
    if name not in MODEL_NAMES:
        raise ValueError(f"unknown model name {name!r}; valid names: {', '.join(MODEL_NAMES)}.")
    model = _zoo_estimator(name)
    valid = model.get_params()
    if "random_state" in valid and random_state is not None:
        model.set_params(random_state=random_state)
    if "n_classes" in valid and n_classes is not None:
        model.set_params(n_classes=int(n_classes))
    unknown = sorted(set(params) - set(valid))
    if unknown:
        raise ValueError(
            f"{type(model).__name__} ({name!r}) has no parameter(s) {', '.join(unknown)}; "
            f"valid parameters: {', '.join(sorted(valid))}."
        )
    return model.set_params(**params)


def model_proba(model, X) -> np.ndarray:
    """``model.predict_proba(X)`` as float64, feeding scikit-learn models float64 input.

    Some scikit-learn models compute in the input's precision; GaussianNB on float32
    binary features returns rows that sum to as much as 4. Torch models get ``X`` unchanged.

    >>> from sklearn.naive_bayes import GaussianNB
    >>> X = np.eye(4, dtype=np.float32)
    >>> model_proba(GaussianNB().fit(X, [0, 1, 2, 3]), X).sum(axis=1).round(6).tolist()
    [1.0, 1.0, 1.0, 1.0]
    """
    if not isinstance(model, _TorchClassifierBase):
        X = np.asarray(X, dtype=np.float64)
    return np.asarray(model.predict_proba(X), dtype=np.float64)


def full_proba(model, X, n_classes: int | None = None) -> np.ndarray:
    """Posteriors of a fitted classifier with one column for each class ``0..n_classes-1``.

    scikit-learn models trained without some class have no column for it; this puts
    their columns at ``model.classes_`` and zeros elsewhere. Rows still sum to 1.
    ``n_classes`` defaults to ``model.n_classes_`` (torch models) or
    ``max(model.classes_) + 1``.

    >>> from sklearn.linear_model import LogisticRegression
    >>> clf = LogisticRegression().fit([[0.0], [1.0], [4.0], [5.0]], [0, 0, 2, 2])
    >>> clf.predict_proba([[0.0]]).shape       # classes 1 and 3 never seen
    (1, 2)
    >>> full_proba(clf, [[0.0]], n_classes=4).round(2)
    array([[0.92, 0.  , 0.08, 0.  ]])
    """
    check_is_fitted(model)
    classes = np.asarray(model.classes_)
    if not np.issubdtype(classes.dtype, np.integer) and not np.all(
        np.asarray(classes, dtype=float) == np.round(np.asarray(classes, dtype=float))
    ):
        raise ValueError(
            f"the model's classes_ are not integers ({classes[:5]}...); full_proba needs "
            "labels 0..n_classes-1."
        )
    classes = classes.astype(np.int64)
    if n_classes is None:
        n_classes = int(getattr(model, "n_classes_", classes.max() + 1))
    n_classes = _check_positive_int(n_classes, "n_classes")
    if classes.min() < 0 or classes.max() >= n_classes:
        raise ValueError(
            f"the model knows classes {classes.min()}..{classes.max()}, outside "
            f"0..{n_classes - 1}; pass the right n_classes."
        )
    proba = model_proba(model, X)
    if proba.shape[1] == n_classes and np.array_equal(classes, np.arange(n_classes)):
        return proba
    out = np.zeros((proba.shape[0], n_classes))
    out[:, classes] = proba
    return out
