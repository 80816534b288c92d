"""K small MLPs as one batched tensor program: the engine of :func:`mia_lib.models.train_many`.

:class:`StackedMLPs` stacks the K models' parameters (weights of shape ``(K, in, out)``) in
one flat buffer and runs every mini-batch step of all of them as a handful of batched matrix
products (``torch.baddbmm``/``torch.bmm``) with a hand-written backward pass and one
optimiser update over the flat buffer. It is *the same training* as
:meth:`TorchMLPClassifier.fit <mia_lib.models.TorchMLPClassifier.fit>`, not an
approximation:

* each model draws its initial weights, then its early-stopping split, then one shuffle per
  epoch from its own generator, in the order ``fit`` draws them, and its dropout masks, row
  by row of each mini-batch, from its own child stream;
* the loss is the **sum over models of each model's mean mini-batch loss**, so the gradient
  with respect to one model's parameters is exactly that model's own gradient; Adam (and
  SGD with momentum) act element by element, so one optimiser over the stacked parameters
  is K independent optimisers.

All models of one program take the same number of mini-batches per epoch; a smaller last
mini-batch is padded and its padding weighted zero. :meth:`StackedMLPs.keep` drops models
(those that stopped early) from the program, so that they stop costing time and their
parameters and optimiser state stay as they were.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from mia_lib.seeding import child_seed

from .training import ADAM_BETAS, ADAM_EPS, DROPOUT_STREAM, SGD_MOMENTUM, validation_split

__all__ = ["FlatAdam", "FlatSGD", "StackedMLPs", "flat_optimizer"]


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


_EVAL_ACT = {"tanh": torch.tanh, "relu": torch.relu, "logistic": torch.sigmoid}


class StackedMLPs:
    """K MLPs with the same layer widths and mini-batches per epoch, trained together.

    ``Xt``, ``yt``: the whole pool as tensors; ``subsets``: one index array per model;
    ``seeds``: one int seed per model; ``dims``: ``[n_features, *hidden, n_classes]``;
    ``cfg``: activation, dropout, batch_size, optimizer, learning_rate, weight_decay,
    early_stopping, validation_fraction.

    >>> X = torch.rand(100, 4)
    >>> y = (X[:, 0] > 0.5).long()
    >>> cfg = dict(activation="tanh", dropout=0.0, batch_size=32, optimizer="adam",
    ...            learning_rate=0.01, weight_decay=0.0, early_stopping=False,
    ...            validation_fraction=0.1)
    >>> group = StackedMLPs(X, y, [np.arange(50), np.arange(50, 100)], [0, 1], [4, 8, 2], cfg)
    >>> group.epoch().shape, group.S, [t.shape for t in group.unstack(1)]
    (torch.Size([2]), 2, [torch.Size([8, 4]), torch.Size([8]), torch.Size([2, 8]), torch.Size([2])])
    """

    def __init__(self, Xt, yt, subsets, seeds, dims, cfg):
        self.Xt, self.yt, self.cfg, self.device = Xt, yt, cfg, Xt.device
        # Output layer padded to a multiple of 16 classes: batched GEMMs are much faster
        # with vector-aligned widths. Padded logits are masked to -inf, so their gradients,
        # and hence their weights (zero from the start), stay exactly zero.
        self.n_out = dims[-1]
        self.dims = [*dims[:-1], -(-dims[-1] // 16) * 16]
        self.K = K = len(subsets)
        L = len(self.dims) - 1
        self.theta = torch.zeros(self._n_params(K), device=self.device)
        W, b = self._views(self.theta, K)
        self.gens = [torch.Generator().manual_seed(int(s)) for s in seeds]
        self.train_rows, self.val_rows = [], []
        with torch.no_grad():
            for k, (g, s) in enumerate(zip(self.gens, subsets, strict=True)):
                # what fit draws: layer by layer, weight (out, in) then bias, from U(+-1/sqrt(in))
                for i in range(L):
                    din, dout = self.dims[i], (self.dims[i + 1] if i < L - 1 else self.n_out)
                    bound = 1.0 / math.sqrt(din)
                    w = torch.empty(dout, din).uniform_(-bound, bound, generator=g)
                    bias = torch.empty(dout).uniform_(-bound, bound, generator=g)
                    W[i][k, :, :dout].copy_(w.T)
                    b[i][k, 0, :dout].copy_(bias)
                if cfg["early_stopping"]:  # then the validation split, from the same stream
                    val, tr = validation_split(len(s), cfg["validation_fraction"], g)
                    self.val_rows.append(s[val.numpy()])
                    s = s[tr.numpy()]
                self.train_rows.append(s)
        self.drop_gens = []
        if cfg["dropout"] > 0:
            for s in seeds:
                g = torch.Generator(device=self.device)
                self.drop_gens.append(g.manual_seed(child_seed(int(s), DROPOUT_STREAM)))
        self.opt = flat_optimizer(cfg, self.theta)
        self._layout()

    # -- the layout of K models' parameters and work buffers ---------------------------
    def _n_params(self, K: int) -> int:
        d = self.dims
        return sum(K * (d[i] * d[i + 1] + d[i + 1]) for i in range(len(d) - 1))

    def _views(self, flat: torch.Tensor, K: int):
        """Per layer, the (K, in, out) weight and (K, 1, out) bias views of a flat buffer."""
        W, b, off = [], [], 0
        for din, dout in zip(self.dims[:-1], self.dims[1:], strict=True):
            W.append(flat[off : off + K * din * dout].view(K, din, dout))
            off += K * din * dout
            b.append(flat[off : off + K * dout].view(K, 1, dout))
            off += K * dout
        return W, b

    def _take(self, flat: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
        """The models ``idx`` of a flat buffer laid out like ``theta``, as a new buffer."""
        W, b = self._views(flat, self.K)
        return torch.cat([t[idx].reshape(-1) for pair in zip(W, b, strict=True) for t in pair])

    def _layout(self) -> None:
        dev, K = self.device, len(self.train_rows)
        self.K, self.sizes = K, [len(s) for s in self.train_rows]
        bs, max_n = self.cfg["batch_size"], max(self.sizes)
        self.S = S = math.ceil(max_n / bs)
        self.B = B = min(bs, max_n)
        assert all(math.ceil(n / bs) == S for n in self.sizes)
        self.rows = self._pad(self.train_rows)
        # step weights: 1/batch size for real records, 0 for padding, so that the loss is
        # the sum over models of each model's mean loss over its own mini-batch
        valid = (torch.arange(S * B).view(1, S, B) < torch.tensor(self.sizes).view(K, 1, 1)).float()
        weight = valid / valid.sum(2, keepdim=True).clamp(min=1)
        self.valid = valid.transpose(0, 1).unsqueeze(3).contiguous().to(dev)  # (S, K, B, 1)
        self.weight = weight.transpose(0, 1).unsqueeze(3).contiguous().to(dev)
        self.batch_rows = valid.sum(2).long().T.tolist()  # [step][model]: real rows
        self.grad = torch.zeros_like(self.theta)
        self.W, self.b = self._views(self.theta, K)
        self.gW, self.gb = self._views(self.grad, K)
        self.opt.attach(self.theta, self.grad)
        if self.val_rows:
            self.val_pad = self._pad(self.val_rows)
            self.val_n = torch.tensor([len(v) for v in self.val_rows], device=dev)
            n_val = self.val_pad.shape[1]
            self.val_valid = torch.arange(n_val, device=dev).view(1, -1) < self.val_n.view(-1, 1)
        hidden = self.dims[1:-1]
        self.x = torch.empty(K * B, self.dims[0], device=dev)
        self.x_u8 = torch.empty(K * B, self.dims[0], dtype=torch.uint8, device=dev)
        self.h, self.dh, self.tmp, self.a = (
            [torch.empty(K, B, w, device=dev) for w in hidden] for _ in range(4)
        )
        self.mask = [torch.zeros(K, B, w, device=dev) for w in hidden]  # 0/1 keep masks
        self.logits = torch.empty(K, B, self.dims[-1], device=dev)
        self.dl = torch.empty(K, B, self.dims[-1], device=dev)
        self.neg_one = torch.full((K, B, 1), -1.0, device=dev)
        self.perm = torch.zeros(K, S * B, dtype=torch.int64)

    def _pad(self, row_lists) -> torch.Tensor:
        out = torch.zeros(len(row_lists), max(len(r) for r in row_lists), dtype=torch.int64)
        for k, r in enumerate(row_lists):
            out[k, : len(r)] = torch.from_numpy(np.asarray(r, dtype=np.int64))
        return out.to(self.device)

    def keep(self, positions) -> None:
        """Keep only the models at ``positions`` (their parameters and optimiser state)."""
        idx = torch.as_tensor(list(positions), dtype=torch.int64, device=self.device)
        self.opt.take(lambda t: self._take(t, idx))
        self.theta = self._take(self.theta, idx)
        for name in ("gens", "drop_gens", "train_rows", "val_rows"):
            old = getattr(self, name)
            setattr(self, name, [old[j] for j in positions] if old else old)
        self._layout()

    # -- training ------------------------------------------------------------------------
    @torch.no_grad()
    def epoch(self) -> torch.Tensor:
        """One epoch of every model; returns each model's mean training loss (K,)."""
        K, S, B = self.K, self.S, self.B
        for k, g in enumerate(self.gens):
            self.perm[k, : self.sizes[k]] = torch.randperm(self.sizes[k], generator=g)
        rows = torch.gather(self.rows, 1, self.perm.to(self.device))
        rows = rows.view(K, S, B).transpose(0, 1).contiguous()  # (S, K, B)
        labels = self.yt[rows].unsqueeze(3)  # (S, K, B, 1)
        loss = torch.zeros(K, B, 1, device=self.device)
        for j in range(S):
            if self.Xt.dtype == torch.uint8:  # a quarter of the memory traffic
                torch.index_select(self.Xt, 0, rows[j].view(-1), out=self.x_u8)
                self.x.copy_(self.x_u8)
            else:
                torch.index_select(self.Xt, 0, rows[j].view(-1), out=self.x)
            logp_y = self._step(self.x.view(K, B, -1), labels[j], self.weight[j], j)
            loss.addcmul_(logp_y, self.valid[j], value=-1.0)
        return loss.sum((1, 2)) / torch.tensor(self.sizes, device=self.device)

    def _step(self, x, y, weight, j: int) -> torch.Tensor:
        """One optimiser step of every model; returns log p(y | x) of the batch (K, B, 1)."""
        act, p = self.cfg["activation"], self.cfg["dropout"]
        L = len(self.W)
        inputs = [x]
        for i in range(L - 1):
            h = self.h[i]
            _linear_act_(h, self.b[i], inputs[-1], self.W[i], act)
            if p > 0:  # as SeededDropout: h * keep / (1 - p), keep drawn per model
                for k, g in enumerate(self.drop_gens):
                    self.mask[i][k, : self.batch_rows[j][k]].bernoulli_(1.0 - p, generator=g)
                h = torch.mul(h, self.mask[i], out=self.a[i]).div_(1.0 - p)
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
                    dh.mul_(self.mask[i - 1]).div_(1.0 - p)
                _activation_backward_(dh, self.h[i - 1], self.tmp[i - 1], act)
                d = dh
        self.opt.step()
        return logp_y

    @torch.no_grad()
    def validation_loss(self) -> np.ndarray:
        """Each model's mean cross-entropy on its validation records (float64, (K,))."""
        K, L, act = self.K, len(self.W), _EVAL_ACT.get(self.cfg["activation"])
        total = torch.zeros(K, dtype=torch.float64, device=self.device)
        chunk = max(1, 2**22 // (K * max(self.dims)))
        for start in range(0, self.val_pad.shape[1], chunk):
            idx = self.val_pad[:, start : start + chunk]
            h = self.Xt[idx.reshape(-1)].to(torch.float32).view(K, idx.shape[1], -1)
            for i in range(L - 1):
                h = torch.baddbmm(self.b[i], h, self.W[i])
                h = act(h) if act is not None else h
            logits = torch.baddbmm(self.b[-1], h, self.W[-1])
            logits[:, :, self.n_out :] = -math.inf
            logp_y = torch.log_softmax(logits, 2).gather(2, self.yt[idx].unsqueeze(2))
            keep = self.val_valid[:, start : start + chunk]
            total -= torch.where(keep, logp_y.squeeze(2), 0.0).double().sum(1)
        return (total / self.val_n).cpu().numpy()

    def unstack(self, k: int) -> list[torch.Tensor]:
        """Model k's parameters in ``nn.Linear`` layout: [w0 (out, in), b0, w1, b1, ...]."""
        out = []
        for W, b in zip(self.W, self.b, strict=True):
            out += [W[k].T.contiguous(), b[k, 0].clone()]
        out[-2], out[-1] = out[-2][: self.n_out], out[-1][: self.n_out]
        return out


# --------------------------------------------------------------------------------------
# optimisers over one flat parameter buffer
# --------------------------------------------------------------------------------------
class FlatAdam:
    """``torch.optim.Adam`` on one flat tensor, minus the per-step Python bookkeeping of
    ``Optimizer.step``, which costs as much as the update itself. ``fused`` uses torch's
    fused kernel (as the estimators do); otherwise the same maths in plain tensor ops."""

    def __init__(self, lr: float, weight_decay: float, fused: bool):
        self.lr, self.wd, self.fused = lr, weight_decay, fused
        self.state: list[torch.Tensor] | None = None  # [m, v], laid out like theta
        self.steps = 0
        self.t = None

    def attach(self, theta: torch.Tensor, grad: torch.Tensor) -> None:
        self.theta, self.grad = theta, grad
        if self.state is None:
            self.state = [torch.zeros_like(theta), torch.zeros_like(theta)]
            self.t = torch.zeros((), dtype=torch.float32, device=theta.device)

    def take(self, select) -> None:
        self.state = [select(s) for s in self.state]

    def step(self) -> None:
        (m, v), (beta1, beta2) = self.state, ADAM_BETAS
        self.steps += 1
        if self.fused:
            self.t.add_(1)
            torch._fused_adam_(
                [self.theta], [self.grad], [m], [v], [], [self.t], lr=self.lr, beta1=beta1,
                beta2=beta2, weight_decay=self.wd, eps=ADAM_EPS, amsgrad=False,
                maximize=False, grad_scale=None, found_inf=None,
            )  # fmt: skip
            return
        g = self.grad.add(self.theta, alpha=self.wd) if self.wd else self.grad
        m.lerp_(g, 1 - beta1)
        v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
        denom = (v.sqrt() / math.sqrt(1 - beta2**self.steps)).add_(ADAM_EPS)
        self.theta.addcdiv_(m, denom, value=-self.lr / (1 - beta1**self.steps))


class FlatSGD:
    """``torch.optim.SGD(momentum=0.9, weight_decay=wd)`` on one flat tensor."""

    def __init__(self, lr: float, weight_decay: float):
        self.lr, self.wd, self.state = lr, weight_decay, []  # [momentum buffer] after step 1

    def attach(self, theta: torch.Tensor, grad: torch.Tensor) -> None:
        self.theta, self.grad = theta, grad

    def take(self, select) -> None:
        self.state = [select(s) for s in self.state]

    def step(self) -> None:
        g = self.grad
        if self.wd:
            g.add_(self.theta, alpha=self.wd)
        if not self.state:
            self.state = [g.clone()]
        else:
            self.state[0].mul_(SGD_MOMENTUM).add_(g)
        self.theta.add_(self.state[0], alpha=-self.lr)


def flat_optimizer(cfg, theta: torch.Tensor, fused: bool | None = None):
    """The optimiser TorchMLPClassifier uses, for a flat buffer like ``theta``.

    ``fused=None`` uses torch's fused Adam kernel when a trial step on a copy works.
    """
    lr, wd = cfg["learning_rate"], cfg["weight_decay"]
    if cfg["optimizer"] == "sgd":
        return FlatSGD(lr, wd)
    if fused is None:
        fused = hasattr(torch, "_fused_adam_")
        if fused:
            try:
                trial = FlatAdam(lr, wd, fused=True)
                trial.attach(theta[:1].clone(), theta[:1].clone())
                trial.step()
            except (RuntimeError, TypeError):  # pragma: no cover - other torch versions
                fused = False
    return FlatAdam(lr, wd, fused=fused)
