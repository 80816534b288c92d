"""Differentially private training (DP-SGD) of the torch estimators, with Opacus.

A torch estimator trains privately when its ``dp_epsilon`` is a number. Each step then
follows Abadi et al. (2016):

1. a batch is drawn by **Poisson sampling**: every training record joins it independently
   with probability ``q = 1 / ceil(n / batch_size)`` (so ``batch_size`` records are
   expected, and an epoch is ``ceil(n / batch_size)`` steps, as in Opacus's
   ``DPDataLoader``);
2. each record's gradient is computed on its own (Opacus's ``GradSampleModule``) and
   **clipped** to L2 norm at most ``max_grad_norm``;
3. the clipped gradients are summed, **Gaussian noise** of standard deviation
   ``noise_multiplier * max_grad_norm`` is added, and the sum is divided by the expected
   batch size (Opacus's ``DPOptimizer``, wrapped around the estimator's own optimiser:
   with ``optimizer="adam"`` this is DP-Adam, which has the same guarantee, since Adam only
   post-processes the noisy gradient).

The noise multiplier is the smallest one whose ``epochs * ceil(n / batch_size)`` steps
stay within ``(dp_epsilon, dp_delta)``, by the accountant ``dp_accountant``: ``"prv"``
(Gopi et al.'s privacy random variables, the tightest and Opacus's default), ``"rdp"``
(Rényi DP, Mironov 2017, what TF-Privacy and older papers report) or ``"gdp"``
(Gaussian DP, an approximation that may under-state ε). After training, ``epsilon_`` is
the ε the same accountant gives for the steps actually taken (fewer with early stopping).

Randomness: the Poisson batches come from the estimator's generator (the one that draws
the initial weights), the noise from an independent child stream
(``child_seed(seed, NOISE_STREAM)``), so a fixed ``random_state`` gives the same model.
This is a research setting: Opacus's ``secure_mode`` (a cryptographic generator, which
cannot be seeded) is what a deployment would use.
"""

from __future__ import annotations

import functools
import math
import warnings

import torch
from torch.nn import functional as F

from mia_lib._validation import check_finite_number

__all__ = [
    "ACCOUNTANTS",
    "NOISE_STREAM",
    "PrivateSteps",
    "PlainSteps",
    "check_privacy_params",
    "noise_multiplier",
    "schedule",
    "spent_epsilon",
]

#: The privacy accountants of Opacus that ``dp_accountant`` may name.
ACCOUNTANTS = ("prv", "rdp", "gdp")
#: The DP noise comes from ``child_seed(seed, NOISE_STREAM)`` (dropout takes stream 1).
NOISE_STREAM = 2


def check_privacy_params(est) -> None:
    """Validate ``dp_epsilon``, ``dp_delta``, ``max_grad_norm`` and ``dp_accountant`` (all
    four, also when ``dp_epsilon`` is None: scikit-learn checks every parameter).

    >>> from mia_lib.models import TorchMLPClassifier
    >>> check_privacy_params(TorchMLPClassifier(dp_epsilon=0))
    Traceback (most recent call last):
    ...
    ValueError: dp_epsilon must be > 0, got 0. Pass None to train without differential privacy.
    """
    if est.dp_epsilon is not None:
        try:
            check_finite_number(est.dp_epsilon, "dp_epsilon", low=0, low_open=True)
        except ValueError as exc:
            raise ValueError(f"{exc} Pass None to train without differential privacy.") from None
    delta = check_finite_number(est.dp_delta, "dp_delta", low=0, low_open=True)
    if delta >= 1:
        raise ValueError(f"dp_delta must be in (0, 1), got {est.dp_delta!r}.")
    check_finite_number(est.max_grad_norm, "max_grad_norm", low=0, low_open=True)
    if est.dp_accountant not in ACCOUNTANTS:
        raise ValueError(
            f"dp_accountant must be one of {', '.join(map(repr, ACCOUNTANTS))}; "
            f"got {est.dp_accountant!r}."
        )


def schedule(n: int, batch_size: int, epochs: int) -> tuple[float, int]:
    """DP-SGD's sample rate and number of steps for ``n`` training records: ``q = 1 /
    ceil(n / batch_size)`` and ``epochs / q`` steps (an epoch is ``1 / q`` steps).

    >>> schedule(1000, 128, 30)
    (0.125, 240)
    """
    per_epoch = math.ceil(int(n) / min(int(batch_size), int(n)))
    return 1.0 / per_epoch, int(epochs) * per_epoch


def _accountant(name: str):
    from opacus.accountants import create_accountant

    return create_accountant(mechanism=name)


@functools.lru_cache(maxsize=512)
def noise_multiplier(
    epsilon: float, delta: float, sample_rate: float, steps: int, accountant: str = "prv"
) -> float:
    """A noise multiplier whose ``steps`` Poisson-sampled Gaussian steps at ``sample_rate``
    are ``(epsilon, delta)``-DP by ``accountant``: Opacus's ``get_noise_multiplier``, which
    searches for the smallest one and stops once the ε it gives is within 0.01 below
    ``epsilon`` (an absolute tolerance: at ``epsilon=0.1`` about 0.095 is spent, so the
    guarantee holds with a little more noise than needed). Memoised, since the shadow
    models of one size share it. An ``epsilon`` the accountant cannot certify (RDP, whose
    largest order is 63, cannot go below about ``ln(1/delta) / 62``) raises a
    ``ValueError`` that says so.

    >>> round(noise_multiplier(1.0, 1e-5, 0.01, 1000, "rdp"), 2)
    1.52
    """
    from opacus.accountants.utils import get_noise_multiplier

    # RDP's "optimal order is the largest alpha" (UserWarning); at sample rate 1, PRV's
    # log(1 - q) = log(0) (RuntimeWarning: its numbers are right)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            return float(
                get_noise_multiplier(
                    target_epsilon=float(epsilon),
                    target_delta=float(delta),
                    sample_rate=float(sample_rate),
                    steps=int(steps),
                    accountant=accountant,
                )
            )
        except ValueError as exc:
            if "too low" not in str(exc):
                raise
            raise ValueError(
                f"the {accountant!r} accountant cannot certify dp_epsilon={epsilon!r} at "
                f"dp_delta={delta!r} ({steps} steps at sample rate {sample_rate:.3g}): "
                "use a larger dp_epsilon or dp_delta"
                + (", or dp_accountant='prv' (tighter)." if accountant != "prv" else ".")
            ) from None


@functools.lru_cache(maxsize=512)
def spent_epsilon(
    noise: float, sample_rate: float, steps: int, delta: float, accountant: str = "prv"
) -> float:
    """The ε of ``steps`` Poisson-sampled Gaussian steps (noise multiplier ``noise``, rate
    ``sample_rate``) at ``delta``, by ``accountant``.

    >>> round(spent_epsilon(1.52, 0.01, 1000, 1e-5, "rdp"), 2)
    0.99
    >>> round(spent_epsilon(1.52, 0.01, 1000, 1e-5, "prv"), 2)   # a tighter accountant
    0.91
    """
    if steps == 0:
        return 0.0
    acc = _accountant(accountant)
    acc.history = [(float(noise), float(sample_rate), int(steps))]
    with warnings.catch_warnings():  # as in noise_multiplier
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(acc.get_epsilon(delta=float(delta)))


class PlainSteps:
    """Ordinary mini-batch training: one shuffle per epoch, then consecutive batches."""

    def __init__(self, net, optimizer, n: int, batch_size: int, generator, device):
        self.module, self.optimizer = net, optimizer
        self.n, self.batch = n, min(int(batch_size), n)
        self.generator, self.device = generator, device
        self.steps = 0

    def batches(self):
        """The record positions of each step of one epoch."""
        perm = torch.randperm(self.n, generator=self.generator).to(self.device)
        for start in range(0, self.n, self.batch):
            yield perm[start : start + self.batch]

    def step(self, X, y) -> torch.Tensor:
        """One optimiser step on the batch ``(X, y)``; returns its summed loss."""
        loss = F.cross_entropy(self.module(X), y)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        self.steps += 1
        return loss.detach() * len(y)

    def finish(self) -> dict:
        """The fitted attributes of this kind of training."""
        return {"epsilon_": None, "noise_multiplier_": None}


class PrivateSteps(PlainSteps):
    """DP-SGD steps (see the module docstring): Poisson batches, per-record clipping and
    Gaussian noise, with Opacus's ghost clipping.

    Ghost clipping (Opacus's ``GradSampleModuleFastGradientClipping``,
    ``DPOptimizerFastGradientClipping`` and ``DPLossFastGradientClipping``) gets each
    record's gradient norm without storing the gradient (for a linear layer it is
    ``|a_i| |g_i|``), then back-propagates the loss again with each record weighted by its
    clipping factor: the sum of clipped gradients of DP-SGD, at the cost of a second
    backward pass instead of a gradient per record. Convolutions fall back to per-record
    gradients. (``benchmarks/bench_dp_sgd.py``, one thread: an epoch of the Locations MLP
    took 0.035 s this way against 0.187 s by Opacus's default path, and 0.010 s without
    DP; the book's CNN 1.13 s against 1.42 s.)
    """

    def __init__(self, est, net, optimizer, n: int, epochs: int, generator, noise_generator):
        from opacus.grad_sample import GradSampleModuleFastGradientClipping
        from opacus.optimizers import DPOptimizerFastGradientClipping
        from opacus.utils.fast_gradient_clipping_utils import DPLossFastGradientClipping

        super().__init__(net, optimizer, n, est.batch_size, generator, est.device_)
        delta = float(est.dp_delta)
        if delta >= 1.0 / n:
            raise ValueError(
                f"dp_delta={est.dp_delta!r} is not below 1/n = {1.0 / n:.3g} ({n} training "
                "records): a mechanism that publishes one random record in full is "
                "(0, 1/n)-DP, so such a delta allows leaking a record. Use dp_delta < 1/n "
                "(1e-5 is usual; 0.1/n or less)."
            )
        self.sample_rate, planned = schedule(n, self.batch, epochs)
        self.per_epoch = round(1 / self.sample_rate)
        self.accountant, self.delta = est.dp_accountant, delta
        self.noise = noise_multiplier(
            float(est.dp_epsilon), delta, self.sample_rate, planned, self.accountant
        )
        clip = float(est.max_grad_norm)
        self.net = net
        self.module = GradSampleModuleFastGradientClipping(
            net, max_grad_norm=clip, use_ghost_clipping=True, loss_reduction="mean"
        )
        self.optimizer = DPOptimizerFastGradientClipping(
            optimizer,
            noise_multiplier=self.noise,
            max_grad_norm=clip,
            expected_batch_size=self.n * self.sample_rate,
            loss_reduction="mean",
            generator=noise_generator,
        )
        self.criterion = DPLossFastGradientClipping(
            self.module, self.optimizer, torch.nn.CrossEntropyLoss(), loss_reduction="mean"
        )

    def batches(self):
        for _ in range(self.per_epoch):
            take = torch.rand(self.n, generator=self.generator) < self.sample_rate
            idx = torch.nonzero(take).flatten().to(self.device)
            if len(idx):
                yield idx
            else:  # an empty batch: the step is noise alone (the sum of no gradients)
                self._noise_step()

    def step(self, X, y) -> torch.Tensor:
        loss = self.criterion(self.module(X), y)
        self.optimizer.zero_grad(set_to_none=True)
        with warnings.catch_warnings():
            # Opacus's hooks on the first layer, whose input needs no gradient
            warnings.filterwarnings("ignore", "Full backward hook", UserWarning)
            loss.backward()
        self.optimizer.step()
        self.steps += 1
        return loss.loss_per_sample.detach().sum()

    def _noise_step(self) -> None:
        self.optimizer.zero_grad(set_to_none=True)
        for p in self.net.parameters():
            p.grad = torch.zeros_like(p)
        self.optimizer.step()
        self.steps += 1

    def finish(self) -> dict:
        self.optimizer.zero_grad(set_to_none=True)
        self.module.to_standard_module()  # removes the hooks and per-record norms
        eps = spent_epsilon(self.noise, self.sample_rate, self.steps, self.delta, self.accountant)
        return {"epsilon_": eps, "noise_multiplier_": self.noise}
