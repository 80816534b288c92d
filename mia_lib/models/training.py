"""Training pieces shared by one-by-one fitting and the batched trainer.

:meth:`TorchClassifierBase.fit <mia_lib.models.TorchClassifierBase.fit>` and
:func:`mia_lib.models.train_many` must draw the same numbers in the same order (initial
weights, then the early-stopping split, then one shuffle per epoch, all from the model's
seed; dropout masks from an independent child stream) and use the same optimiser
constants, so both take them from here.
"""

from __future__ import annotations

import math

import torch
from torch import nn

__all__ = [
    "ADAM_BETAS",
    "ADAM_EPS",
    "DROPOUT_STREAM",
    "SGD_MOMENTUM",
    "SeededDropout",
    "activation_module",
    "divergence_message",
    "init_uniform_",
    "make_optimizer",
    "progress",
    "validation_split",
]

SGD_MOMENTUM = 0.9
ADAM_BETAS = (0.9, 0.999)
ADAM_EPS = 1e-8
#: Dropout masks come from ``child_seed(seed, DROPOUT_STREAM)``, a stream independent of the
#: one (``seed`` itself) that draws the initial weights, the validation split and shuffling.
DROPOUT_STREAM = 1


def activation_module(name: str) -> nn.Module:
    """The ``nn.Module`` of an activation in :data:`ACTIVATIONS`."""
    modules = {"tanh": nn.Tanh, "relu": nn.ReLU, "logistic": nn.Sigmoid, "identity": nn.Identity}
    return modules[name]()


@torch.no_grad()
def init_uniform_(module: nn.Module, generator: torch.Generator) -> None:
    """PyTorch's default initialisation, drawn from ``generator``.

    ``nn.Linear`` and ``nn.Conv2d`` weights and biases are drawn from
    U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (what ``kaiming_uniform_(a=sqrt(5))`` amounts to),
    layer by layer, weight before bias. The batched trainer draws the same numbers in the
    same order, so its models start where one-by-one training starts.
    """
    for layer in module.modules():
        if isinstance(layer, nn.Linear | nn.Conv2d):
            bound = 1.0 / math.sqrt(layer.weight[0].numel())
            layer.weight.uniform_(-bound, bound, generator=generator)
            if layer.bias is not None:
                layer.bias.uniform_(-bound, bound, generator=generator)


def validation_split(n: int, fraction: float, generator: torch.Generator):
    """The early-stopping split of ``n`` training records: (validation, training) positions.

    ``max(1, round(fraction * n))`` records, drawn by one ``torch.randperm`` from
    ``generator`` right after the initial weights.
    """
    n_val = max(1, int(round(fraction * n)))
    if n - n_val < 1:
        raise ValueError(
            f"early_stopping needs at least 2 records, got {n}; pass more data or "
            "set early_stopping=False."
        )
    perm = torch.randperm(n, generator=generator)
    return perm[:n_val], perm[n_val:]


def divergence_message(what: str, epoch: int, epochs: int, problem: str, learning_rate) -> str:
    """The message of the ``FloatingPointError`` raised when training diverges.

    >>> divergence_message("model 3", 2, 10, "the training loss is nan", 0.5)
    'model 3 diverged at epoch 2 of 10 (the training loss is nan). Use a smaller learning_rate (now 0.5), standardise the features, or lower weight_decay.'
    """
    return (
        f"{what} diverged at epoch {epoch} of {epochs} ({problem}). Use a smaller "
        f"learning_rate (now {learning_rate!r}), standardise the features, or lower weight_decay."
    )


class SeededDropout(nn.Module):
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


def make_optimizer(name: str, params, lr: float, weight_decay: float):
    """The ``torch.optim`` optimiser of the torch estimators: Adam or SGD with momentum."""
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


def progress(iterable, verbose: bool, desc: str):
    """``iterable``, wrapped in a tqdm progress bar over epochs when ``verbose``."""
    if not verbose:
        return iterable
    from tqdm.auto import tqdm

    return tqdm(iterable, desc=desc, unit="epoch", leave=False)
