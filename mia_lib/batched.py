"""Train many small MLPs at once as one batched tensor program.

Shadow-model attacks (Shokri et al. 2017) and LiRA train tens to hundreds of identical
small networks on different subsets of the data. Trained one by one, each step of each
model pays Python, autograd and optimiser overhead for a few small matrix products.
:func:`train_many` stacks the K models' parameters (weights of shape ``(K, in, out)``) and
runs every mini-batch step of all of them as a handful of batched matrix products
(``torch.baddbmm``/``torch.bmm``) with a hand-written backward pass and one Adam update
over the stacked parameters.

The result is *the same training*, not an approximation:

* each model starts from PyTorch's default initialisation drawn from its own seed, in the
  same order as :meth:`TorchMLPClassifier.fit <mia_lib.models.TorchMLPClassifier.fit>`;
* each model shuffles its own subset each epoch with its own generator, in mini-batches of
  ``batch_size`` (the last one smaller);
* the loss is the **sum over models of each model's mean mini-batch loss**, so the gradient
  with respect to one model's parameters is exactly that model's own gradient; Adam (and
  SGD with momentum) act element by element, so one optimiser over the stacked parameters
  is K independent optimisers.

Hence ``clone(models[k]).fit(X[subsets[k]], y[subsets[k]])`` retraces the same trajectory
(up to floating-point rounding; dropout masks are drawn differently). Subsets of different
sizes are grouped by their number of mini-batches per epoch; each group is one program, in
which a smaller last mini-batch is padded and its padding weighted zero.

Speed: on 2 CPU cores, 16 Locations-sized shadow models (446 features, 128 tanh units,
1,200 records each) train about 4x faster than a loop over ``TorchMLPClassifier.fit``
(``benchmarks/bench_shadow_training.py``); the two large batched matrix products of the
first layer then take about two thirds of each step, so more models do not go faster per
model. The speed comes from batching (about 2x) and from skipping autograd and the
optimiser's per-step Python bookkeeping (about 2x).
"""

from __future__ import annotations

import math

import numpy as np
import torch

from mia_lib._validation import check_features, check_labels, check_same_length

__all__ = ["train_many"]


def _check_subsets(subsets, n: int) -> list[np.ndarray]:
    if isinstance(subsets, np.ndarray) and subsets.ndim == 2:
        subsets = list(subsets)
    try:
        subsets = list(subsets)
    except TypeError:
        raise TypeError("subsets must be a list of index arrays (one per model).") from None
    if not subsets:
        raise ValueError("subsets is empty; pass one index array per model to train.")
    out = []
    for k, s in enumerate(subsets):
        arr = np.asarray(s)
        if arr.dtype == bool:
            if arr.shape != (n,):
                raise ValueError(
                    f"subsets[{k}] is a boolean mask of shape {arr.shape}; it must have "
                    f"shape ({n},), one entry per record of X."
                )
            arr = np.flatnonzero(arr)
        elif arr.ndim != 1 or not (np.issubdtype(arr.dtype, np.integer) or arr.size == 0):
            raise ValueError(
                f"subsets[{k}] must be a 1-D array of integer row indices (or a boolean "
                f"mask), got dtype {arr.dtype} and shape {arr.shape}."
            )
        if arr.size == 0:
            raise ValueError(f"subsets[{k}] is empty; every model needs training records.")
        if arr.min() < 0 or arr.max() >= n:
            raise ValueError(
                f"subsets[{k}] has row indices outside 0..{n - 1} (found "
                f"{arr.min() if arr.min() < 0 else arr.max()})."
            )
        out.append(arr.astype(np.int64))
    return out


def _model_seeds(random_state, k: int) -> np.ndarray:
    """K distinct seeds below 2**31 drawn from ``random_state``."""
    if isinstance(random_state, np.random.RandomState):
        rng = np.random.default_rng(random_state.randint(0, 2**31 - 1))
    elif isinstance(random_state, np.random.Generator):
        rng = random_state
    elif random_state is None or (
        isinstance(random_state, int | np.integer) and not isinstance(random_state, bool)
    ):
        rng = np.random.default_rng(random_state)
    else:
        raise TypeError(
            "random_state must be None, an int, a numpy RandomState or a numpy Generator, "
            f"got {type(random_state).__name__}."
        )
    return rng.choice(2**31 - 1, size=k, replace=False)


def _linear_act_(out, bias, x, W, name: str) -> None:
    """``out = f(x @ W + bias)`` in place, for the activation ``f`` called ``name``."""
    if name == "tanh":
        # tanh(z) = 2 sigmoid(2z) - 1: several times faster than torch.tanh on some CPUs;
        # the factor 2 rides along in the matrix product
        torch.baddbmm(bias, x, W, beta=2.0, alpha=2.0, out=out)
        out.sigmoid_().mul_(2.0).sub_(1.0)
        return
    torch.baddbmm(bias, x, W, out=out)
    if name == "relu":
        out.clamp_(min=0.0)
    elif name == "logistic":
        out.sigmoid_()


def _activation_backward_(d: torch.Tensor, h: torch.Tensor, tmp: torch.Tensor, name: str):
    """``d *= f'(z)`` written in terms of the activation's output ``h = f(z)``."""
    if name == "tanh":  # f' = 1 - h^2
        torch.ops.aten.tanh_backward.grad_input(d, h, grad_input=d)  # elementwise: may alias
    elif name == "logistic":  # f' = h (1 - h)
        torch.mul(d, h, out=tmp)
        torch.addcmul(tmp, tmp, h, value=-1.0, out=d)
    elif name == "relu":
        d.masked_fill_(h <= 0, 0.0)


class _Group:
    """K models with the same number of mini-batches per epoch, trained together."""

    def __init__(self, Xt, yt, subsets, seeds, dims, cfg, device):
        self.Xt, self.yt, self.cfg, self.device = Xt, yt, cfg, device
        self.sizes = [len(s) for s in subsets]
        self.K = K = len(subsets)
        bs = cfg["batch_size"]
        max_n = max(self.sizes)
        self.S = S = math.ceil(max_n / bs)
        self.B = B = min(bs, max_n)
        assert all(math.ceil(n / bs) == S for n in self.sizes)

        pad = torch.zeros(K, max_n, dtype=torch.int64)
        for k, s in enumerate(subsets):
            pad[k, : len(s)] = torch.from_numpy(s)
        self.subsets = pad.to(device)

        # step weights: 1/batch size for real records, 0 for padding, so that the loss is
        # the sum over models of each model's mean loss over its own mini-batch
        pos = torch.arange(S * B).view(1, S, B)
        n = torch.tensor(self.sizes).view(K, 1, 1)
        valid = (pos < n).float()  # (K, S, B)
        batch_len = valid.sum(2, keepdim=True)
        weight = valid / batch_len.clamp(min=1)
        self.valid = valid.transpose(0, 1).unsqueeze(3).contiguous().to(device)  # (S,K,B,1)
        self.weight = weight.transpose(0, 1).unsqueeze(3).contiguous().to(device)

        # Output layer padded to a multiple of 16 classes: batched GEMMs are much faster
        # with vector-aligned widths. Padded logits are masked to -inf, so their gradients,
        # and hence their weights (zero from the start), stay exactly zero.
        self.n_out = dims[-1]
        dims = [*dims[:-1], -(-dims[-1] // 16) * 16]
        self.dims = dims

        # stacked parameters in one flat buffer, so the optimiser makes one pass over them
        L = len(dims) - 1
        sizes = [(K * dims[i] * dims[i + 1], K * dims[i + 1]) for i in range(L)]
        total = sum(a + b for a, b in sizes)
        self.theta = torch.zeros(total, device=device)
        self.grad = torch.zeros(total, device=device)
        self.W, self.b, self.gW, self.gb = [], [], [], []
        off = 0
        for i, (nw, nb) in enumerate(sizes):
            din, dout = dims[i], dims[i + 1]
            self.W.append(self.theta[off : off + nw].view(K, din, dout))
            self.gW.append(self.grad[off : off + nw].view(K, din, dout))
            off += nw
            self.b.append(self.theta[off : off + nb].view(K, 1, dout))
            self.gb.append(self.grad[off : off + nb].view(K, 1, dout))
            off += nb

        # the initialisation TorchMLPClassifier.fit draws: per model, layer by layer,
        # weight (out, in) then bias, U(-1/sqrt(fan_in), 1/sqrt(fan_in))
        self.gens = [torch.Generator().manual_seed(int(s)) for s in seeds]
        with torch.no_grad():
            for k, g in enumerate(self.gens):
                for i in range(L):
                    din = dims[i]
                    dout = dims[i + 1] if i < L - 1 else self.n_out
                    bound = 1.0 / math.sqrt(din)
                    w = torch.empty(dout, din).uniform_(-bound, bound, generator=g)
                    bias = torch.empty(dout).uniform_(-bound, bound, generator=g)
                    self.W[i][k, :, :dout].copy_(w.T)
                    self.b[i][k, 0, :dout].copy_(bias)

        self.drop_gen = None
        if cfg["dropout"] > 0:
            self.drop_gen = torch.Generator(device=device).manual_seed(int(seeds[0]) + 1)

        # work buffers, allocated once
        d_in = dims[0]
        hidden = dims[1:-1]
        self.x = torch.empty(K * B, d_in, device=device)
        if Xt.dtype == torch.uint8:
            self.x_u8 = torch.empty(K * B, d_in, dtype=torch.uint8, device=device)
        self.h = [torch.empty(K, B, w, device=device) for w in hidden]
        self.dh = [torch.empty(K, B, w, device=device) for w in hidden]
        self.tmp = [torch.empty(K, B, w, device=device) for w in hidden]
        self.mask = [torch.empty(K, B, w, device=device) for w in hidden]
        self.a = [torch.empty(K, B, w, device=device) for w in hidden]
        self.logits = torch.empty(K, B, dims[-1], device=device)
        self.dl = torch.empty(K, B, dims[-1], device=device)
        self.neg_one = torch.full((K, B, 1), -1.0, device=device)
        self.perm = torch.zeros(K, S * B, dtype=torch.int64)

        self.opt = _optimizer(cfg, self.theta, self.grad)

    @torch.no_grad()
    def epoch(self) -> torch.Tensor:
        """One epoch of every model; returns each model's mean training loss (K,)."""
        K, S, B = self.K, self.S, self.B
        for k, g in enumerate(self.gens):
            self.perm[k, : self.sizes[k]] = torch.randperm(self.sizes[k], generator=g)
        rows = torch.gather(self.subsets, 1, self.perm.to(self.device))
        rows = rows.view(K, S, B).transpose(0, 1).contiguous()  # (S, K, B)
        labels = self.yt[rows].unsqueeze(3)  # (S, K, B, 1)
        loss = torch.zeros(K, B, 1, device=self.device)
        for j in range(S):
            if self.Xt.dtype == torch.uint8:  # a quarter of the memory traffic
                torch.index_select(self.Xt, 0, rows[j].view(-1), out=self.x_u8)
                self.x.copy_(self.x_u8)
            else:
                torch.index_select(self.Xt, 0, rows[j].view(-1), out=self.x)
            logp_y = self._step(self.x.view(K, B, -1), labels[j], self.weight[j])
            loss.addcmul_(logp_y, self.valid[j], value=-1.0)
        return loss.sum((1, 2)) / torch.tensor(self.sizes, device=self.device)

    def _step(self, x, y, weight) -> torch.Tensor:
        """One optimiser step of every model; returns log p(y | x) of the batch (K, B, 1)."""
        act, p = self.cfg["activation"], self.cfg["dropout"]
        L = len(self.W)
        inputs = [x]
        for i in range(L - 1):
            h = self.h[i]
            _linear_act_(h, self.b[i], inputs[-1], self.W[i], act)
            if p > 0:
                self.mask[i].bernoulli_(1.0 - p, generator=self.drop_gen).div_(1.0 - p)
                torch.mul(h, self.mask[i], out=self.a[i])
                h = self.a[i]
            inputs.append(h)
        logits, dl = self.logits, self.dl
        torch.baddbmm(self.b[-1], inputs[-1], self.W[-1], out=logits)
        if self.n_out < logits.shape[2]:
            logits[:, :, self.n_out :] = -math.inf
        logp = torch.log_softmax(logits, 2)
        logp_y = logp.gather(2, y)
        # d(mean loss)/d logits = (softmax - onehot) / batch size
        torch.exp(logp, out=dl).scatter_add_(2, y, self.neg_one).mul_(weight)
        d = dl
        for i in range(L - 1, -1, -1):
            torch.bmm(inputs[i].transpose(1, 2), d, out=self.gW[i])
            torch.sum(d, 1, keepdim=True, out=self.gb[i])
            if i > 0:
                dh = self.dh[i - 1]
                torch.bmm(d, self.W[i].transpose(1, 2), out=dh)
                if p > 0:
                    dh.mul_(self.mask[i - 1])
                _activation_backward_(dh, self.h[i - 1], self.tmp[i - 1], act)
                d = dh
        self.opt.step()
        return logp_y

    def unstack(self, k: int) -> list[torch.Tensor]:
        """Model k's parameters in ``nn.Linear`` layout: [w0 (out, in), b0, w1, b1, ...]."""
        out = []
        for W, b in zip(self.W, self.b, strict=True):
            out += [W[k].T.contiguous(), b[k, 0].clone()]
        out[-2], out[-1] = out[-2][: self.n_out], out[-1][: self.n_out]
        return out


class _FlatAdam:
    """``torch.optim.Adam`` (the fused kernel) on one flat tensor, minus the per-step
    Python bookkeeping of ``Optimizer.step``, which costs as much as the update itself."""

    def __init__(self, theta, grad, lr, weight_decay):
        from mia_lib.models import ADAM_BETAS, ADAM_EPS

        self.theta, self.grad = theta, grad
        self.m, self.v = torch.zeros_like(theta), torch.zeros_like(theta)
        self.t = torch.zeros((), dtype=torch.float32, device=theta.device)
        self.kw = dict(
            lr=lr,
            beta1=ADAM_BETAS[0],
            beta2=ADAM_BETAS[1],
            weight_decay=weight_decay,
            eps=ADAM_EPS,
            amsgrad=False,
            maximize=False,
            grad_scale=None,
            found_inf=None,
        )

    def step(self):
        self.t.add_(1)
        torch._fused_adam_([self.theta], [self.grad], [self.m], [self.v], [], [self.t], **self.kw)


class _FlatSGD:
    """``torch.optim.SGD(momentum=0.9, weight_decay=wd)`` on one flat tensor."""

    def __init__(self, theta, grad, lr, weight_decay):
        from mia_lib.models import SGD_MOMENTUM

        self.theta, self.grad, self.lr, self.wd = theta, grad, lr, weight_decay
        self.momentum, self.buf = SGD_MOMENTUM, None

    def step(self):
        g = self.grad
        if self.wd:
            g.add_(self.theta, alpha=self.wd)
        if self.buf is None:
            self.buf = g.clone()
        else:
            self.buf.mul_(self.momentum).add_(g)
        self.theta.add_(self.buf, alpha=-self.lr)


def _optimizer(cfg, theta: torch.Tensor, grad: torch.Tensor):
    """The optimiser TorchMLPClassifier uses, over the flat stacked parameters."""
    lr, wd = cfg["learning_rate"], cfg["weight_decay"]
    if cfg["optimizer"] == "sgd":
        return _FlatSGD(theta, grad, lr, wd)
    if hasattr(torch, "_fused_adam_"):
        try:
            opt = _FlatAdam(theta.clone(), grad.clone(), lr, wd)
            opt.step()  # a trial on copies: the private kernel exists and takes these
            return _FlatAdam(theta, grad, lr, wd)
        except (RuntimeError, TypeError):  # pragma: no cover - other torch versions
            pass
    from mia_lib.models import _make_optimizer  # pragma: no cover

    theta.grad = grad  # pragma: no cover
    return _make_optimizer("adam", [theta], lr, wd)  # pragma: no cover


def train_many(
    X,
    y,
    subsets,
    *,
    n_classes=None,
    hidden_layer_sizes=(128,),
    activation="tanh",
    epochs=100,
    learning_rate=1e-3,
    batch_size=64,
    weight_decay=0.0,
    dropout=0.0,
    optimizer="adam",
    random_state=None,
    max_models=None,
    verbose=False,
    device="cpu",
):
    """Train one :class:`~mia_lib.models.TorchMLPClassifier` per subset, all at once.

    Model ``k`` is trained on ``X[subsets[k]], y[subsets[k]]`` exactly as
    ``TorchMLPClassifier(..., random_state=seed_k).fit`` would train it (same
    initialisation, shuffling, mini-batches, optimiser and epochs; see the module
    docstring), but the K models run as one batched tensor program, several times faster
    than a Python loop over models.

    Parameters
    ----------
    X : array (n, n_features)
        The pool of records the subsets index into.
    y : array (n,)
        Integer labels ``0..n_classes-1``.
    subsets : sequence of index arrays (or boolean masks over ``X``'s rows)
        One per model; sizes may differ, indices may repeat (bootstrap).
    n_classes : int or None
        Posterior columns of every model; ``None`` means ``y.max() + 1`` over the whole
        ``y``, so all models agree even if a subset lacks a class.
    hidden_layer_sizes, activation, epochs, learning_rate, batch_size, weight_decay, dropout, optimizer, device
        As for :class:`~mia_lib.models.TorchMLPClassifier`.
    random_state : None, int, RandomState or Generator
        Draws one distinct seed per model; model ``k`` gets ``random_state=seed_k``, so
        ``sklearn.base.clone(models[k]).fit(...)`` on its subset retrains it.
    max_models : int or None
        Train at most this many models in one program (bounds memory); ``None``: all.
    verbose : bool
        Progress bar over epochs.

    Returns
    -------
    list of fitted TorchMLPClassifier, in the order of ``subsets``.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 5)).astype("float32")
    >>> y = (X[:, 0] + X[:, 1] > 0).astype(int)
    >>> subsets = [rng.choice(200, size=100, replace=False) for _ in range(4)]
    >>> models = train_many(X, y, subsets, hidden_layer_sizes=(16,), epochs=30,
    ...                     learning_rate=0.02, batch_size=20, random_state=0)
    >>> len(models), models[0].predict_proba(X[:3]).shape
    (4, (3, 2))
    >>> all(m.score(X, y) > 0.9 for m in models)
    True
    """
    from mia_lib.models import TorchMLPClassifier, _check_hidden_sizes, _progress

    X = check_features(X)
    y = check_labels(y, n_classes)
    check_same_length(X=X, y=y)
    subsets = _check_subsets(subsets, len(y))
    if n_classes is None:
        n_classes = int(y.max()) + 1
    params = dict(
        hidden_layer_sizes=hidden_layer_sizes,
        activation=activation,
        epochs=epochs,
        learning_rate=learning_rate,
        batch_size=batch_size,
        weight_decay=weight_decay,
        dropout=dropout,
        optimizer=optimizer,
        n_classes=int(n_classes),
        verbose=False,
        device=device,
    )
    TorchMLPClassifier(**params)._check_params()  # same messages as fit
    if max_models is not None and (
        isinstance(max_models, bool) or not isinstance(max_models, int) or max_models < 1
    ):
        raise ValueError(f"max_models must be a positive int or None, got {max_models!r}.")
    seeds = _model_seeds(random_state, len(subsets))

    dims = [X.shape[1], *_check_hidden_sizes(hidden_layer_sizes), int(n_classes)]
    cfg = dict(
        activation=activation,
        dropout=float(dropout),
        batch_size=int(batch_size),
        optimizer=optimizer,
        learning_rate=float(learning_rate),
        weight_decay=float(weight_decay),
    )
    Xt = torch.from_numpy(np.ascontiguousarray(X))
    if X.size and X.min() >= 0 and X.max() <= 255 and np.array_equal(X, np.round(X)):
        Xt = Xt.to(torch.uint8)  # binary/count features (Locations, Purchase): exact
    Xt = Xt.to(device)
    yt = torch.from_numpy(y).to(device)

    # models with the same number of mini-batches per epoch take their steps together
    steps = [math.ceil(len(s) / batch_size) for s in subsets]
    groups: list[list[int]] = []
    for s in sorted(set(steps)):
        members = [k for k in range(len(subsets)) if steps[k] == s]
        chunk = max_models or len(members)
        groups += [members[i : i + chunk] for i in range(0, len(members), chunk)]

    models: list = [None] * len(subsets)
    for members in groups:
        group = _Group(Xt, yt, [subsets[k] for k in members], seeds[members], dims, cfg, device)
        curves = []
        desc = f"train_many ({len(members)} models)"
        for _ in _progress(range(int(epochs)), verbose, desc):
            curves.append(group.epoch())
        curves = torch.stack(curves).cpu().numpy() if curves else np.zeros((0, len(members)))
        for j, k in enumerate(members):
            clf = TorchMLPClassifier(**params, random_state=int(seeds[k]))
            clf.n_features_in_ = X.shape[1]
            clf.n_classes_ = int(n_classes)
            clf.classes_ = np.arange(int(n_classes))
            net = clf._new_network()
            linears = [m for m in net if isinstance(m, torch.nn.Linear)]
            tensors = group.unstack(j)
            with torch.no_grad():
                for i, lin in enumerate(linears):
                    lin.weight.copy_(tensors[2 * i])
                    lin.bias.copy_(tensors[2 * i + 1])
            clf.model_ = net.to(device).eval()
            clf.loss_curve_ = [float(v) for v in curves[:, j]]
            clf.n_epochs_ = int(epochs)
            clf.n_steps_ = int(epochs) * group.S
            clf.validation_loss_curve_ = None
            clf.best_epoch_ = None
            models[k] = clf
    return models
