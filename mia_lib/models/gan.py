"""A small DCGAN for 28 x 28 and 32 x 32 images, usable like a scikit-learn estimator.

The target of Hayes et al.'s LOGAN attacks (2019) is a generative adversarial network
(Goodfellow et al. 2014): a generator ``G`` maps noise ``z`` to images, a discriminator
``D`` tells real images from generated ones, and the two are trained against each other.
:class:`DCGAN` is Radford et al.'s deep convolutional GAN, sized for a CPU:

* ``G``: ``z`` (``latent_dim``) → a transposed convolution to a 4 x 4 (32 x 32 images) or
  7 x 7 (28 x 28) map of ``4 * width`` channels, then transposed convolutions of stride 2
  that halve the channels and double the side, batch normalisation and ReLU between, and
  ``tanh`` at the end;
* ``D``: the mirror image, convolutions of stride 2 with leaky ReLU (slope 0.2), batch
  normalisation after the first, and one output unit whose sigmoid is the probability
  that the image is real. ``dropout`` adds dropout after each hidden layer of ``D``, and
  ``weight_norm`` re-parametrises its convolutions with weight normalisation (the two
  defences Hayes et al. compare).

Training is the usual alternation (Adam with β1 = 0.5, binary cross-entropy, the
generator's non-saturating loss), one step of each per mini-batch. Everything random comes
from the estimator's private generators, so a fixed ``random_state`` gives the same GAN.
Images are ``(n, C, H, W)`` or ``(n, H, W)`` with pixels in [0, 1] (scaled to [-1, 1]
inside); :meth:`mia_lib.models.DCGAN.sample` returns images in [0, 1].
"""

from __future__ import annotations

import copy
import math
import time

import numpy as np
import torch
from sklearn.base import BaseEstimator, clone
from sklearn.utils.validation import check_is_fitted
from torch import nn
from torch.nn import functional as F
from torch.nn.utils import parametrize

from mia_lib._validation import check_bool, check_finite_number, check_positive_int
from mia_lib.seeding import child_seed, int_seed

from .base import as_features
from .training import SeededDropout, progress

__all__ = ["DCGAN", "IMAGE_SIDES"]

#: The image sides the networks are built for.
IMAGE_SIDES = (28, 32)
#: Streams of the estimator's seed: weights (the seed itself), noise and shuffling, dropout.
_NOISE_STREAM, _DROPOUT_STREAM = 1, 2


def _init_(module: nn.Module, generator: torch.Generator) -> None:
    """DCGAN's initialisation: N(0, 0.02) convolutions, N(1, 0.02) batch-norm scales.

    A weight-normalised convolution (``w = g v / |v|``) gets ``v`` from N(0, 0.02) and
    ``g = |v|``, so that its weight starts where a plain one does.
    """
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, nn.Conv2d | nn.ConvTranspose2d):
                if parametrize.is_parametrized(m, "weight"):
                    g, v = m.parametrizations.weight.original0, m.parametrizations.weight.original1
                    v.normal_(0.0, 0.02, generator=generator)
                    g.copy_(torch.linalg.vector_norm(v, dim=(1, 2, 3), keepdim=True))
                else:
                    m.weight.normal_(0.0, 0.02, generator=generator)
                if m.bias is not None:
                    m.bias.zero_()
            elif isinstance(m, nn.BatchNorm2d):
                m.weight.normal_(1.0, 0.02, generator=generator)
                m.bias.zero_()


def generator_network(side: int, channels: int, latent_dim: int, width: int) -> nn.Module:
    """DCGAN's generator for ``side`` x ``side`` images of ``channels`` channels."""
    first = 4 if side == 32 else 7
    layers: list[nn.Module] = [
        nn.Unflatten(1, (latent_dim, 1, 1)),
        nn.ConvTranspose2d(latent_dim, 4 * width, first, 1, 0, bias=False),
        nn.BatchNorm2d(4 * width),
        nn.ReLU(),
        nn.ConvTranspose2d(4 * width, 2 * width, 4, 2, 1, bias=False),
        nn.BatchNorm2d(2 * width),
        nn.ReLU(),
    ]
    if side == 32:
        layers += [
            nn.ConvTranspose2d(2 * width, width, 4, 2, 1, bias=False),
            nn.BatchNorm2d(width),
            nn.ReLU(),
            nn.ConvTranspose2d(width, channels, 4, 2, 1, bias=False),
        ]
    else:
        layers.append(nn.ConvTranspose2d(2 * width, channels, 4, 2, 1, bias=False))
    return nn.Sequential(*layers, nn.Tanh())


def discriminator_network(
    side: int,
    channels: int,
    width: int,
    dropout: float = 0.0,
    weight_norm: bool = False,
    bias: bool | None = None,
) -> nn.Module:
    """DCGAN's discriminator (logits of "real") for ``side`` x ``side`` images; its
    convolutions have biases when ``bias`` (default: with ``weight_norm``)."""
    bias = weight_norm if bias is None else bias

    def conv(c_in, c_out, k, s, p):
        layer = nn.Conv2d(c_in, c_out, k, s, p, bias=bias)
        return nn.utils.parametrizations.weight_norm(layer) if weight_norm else layer

    def act():
        return [nn.LeakyReLU(0.2)] + ([SeededDropout(dropout)] if dropout > 0 else [])

    layers: list[nn.Module] = [conv(channels, width, 4, 2, 1), *act()]
    layers += [conv(width, 2 * width, 4, 2, 1), nn.BatchNorm2d(2 * width), *act()]
    if side == 32:
        layers += [conv(2 * width, 4 * width, 4, 2, 1), nn.BatchNorm2d(4 * width), *act()]
        layers.append(conv(4 * width, 1, 4, 1, 0))
    else:
        layers.append(conv(2 * width, 1, 7, 1, 0))
    return nn.Sequential(*layers, nn.Flatten(0))


class DCGAN(BaseEstimator):
    """A deep convolutional GAN for small images, trained with a known seed.

    Parameters
    ----------
    latent_dim : int
        Size of the noise ``z``.
    width : int
        Channels of the first (discriminator) or last (generator) hidden layer; the others
        have 2 and 4 times as many.
    epochs, batch_size : int
        Passes over the training images, and images per step.
    learning_rate, beta1 : float
        Adam's step size and first-moment decay (DCGAN: 2e-4 and 0.5).
    dropout : float
        Dropout after each hidden layer of the discriminator (a defence).
    weight_norm : bool
        Weight normalisation of the discriminator's convolutions (another defence).
    random_state : None, int, Generator, RandomState or SeedSequence
        Seeds the initial weights, the noise, the shuffling and the dropout masks.
    verbose : bool
        Show a progress bar over epochs.
    device : str
        Torch device.

    Attributes
    ----------
    generator_, discriminator_ : torch.nn.Module, the trained networks (in eval mode)
    image_shape_ : tuple (C, H, W)
    loss_d_curve_, loss_g_curve_ : list of float, the mean losses of each epoch
    n_epochs_ : int, the epochs trained
    fit_time_ : float, the training's wall time in seconds (machine-dependent)

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).random((64, 28, 28), dtype=np.float32)
    >>> gan = DCGAN(width=8, latent_dim=16, epochs=1, random_state=0).fit(X)
    >>> gan.sample(3, random_state=0).shape
    (3, 1, 28, 28)
    >>> gan.discriminate(X[:2]).shape
    (2,)
    """

    _chunk = 1024

    def __init__(
        self,
        latent_dim=100,
        width=32,
        epochs=25,
        batch_size=64,
        learning_rate=2e-4,
        beta1=0.5,
        dropout=0.0,
        weight_norm=False,
        random_state=None,
        verbose=False,
        device="cpu",
    ):
        self.latent_dim = latent_dim
        self.width = width
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.beta1 = beta1
        self.dropout = dropout
        self.weight_norm = weight_norm
        self.random_state = random_state
        self.verbose = verbose
        self.device = device

    # -- checks ------------------------------------------------------------------------
    def _check_params(self) -> None:
        check_positive_int(self.latent_dim, "latent_dim")
        check_positive_int(self.width, "width")
        check_positive_int(self.epochs, "epochs")
        check_positive_int(self.batch_size, "batch_size")
        check_finite_number(self.learning_rate, "learning_rate", low=0, low_open=True)
        if not 0 <= check_finite_number(self.beta1, "beta1", low=0) < 1:
            raise ValueError(f"beta1 must be in [0, 1), got {self.beta1!r}.")
        if check_finite_number(self.dropout, "dropout", low=0) >= 1:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout!r}.")
        check_bool(self.weight_norm, "weight_norm")
        check_bool(self.verbose, "verbose")

    def _images(self, X, reset: bool) -> np.ndarray:
        X = as_features(X, allow_nd=True)
        if X.ndim == 3:
            X = X[:, None]
        if X.ndim != 4 or X.shape[2] != X.shape[3] or X.shape[2] not in IMAGE_SIDES:
            raise ValueError(
                f"X must hold square images of side {' or '.join(map(str, IMAGE_SIDES))}, "
                f"as (n, C, H, W) or (n, H, W); got shape {X.shape}."
            )
        if X.size and (X.min() < 0 or X.max() > 1):
            raise ValueError(
                f"pixels must be in [0, 1] (got {X.min():.3g} to {X.max():.3g}); divide "
                "8-bit images by 255."
            )
        if not reset and X.shape[1:] != self.image_shape_:
            raise ValueError(
                f"X has images of shape {X.shape[1:]}, but the GAN was trained on "
                f"{self.image_shape_}."
            )
        return X

    # -- training ----------------------------------------------------------------------
    def fit(self, X, y=None):
        """Train the GAN on the images ``X`` (``y`` is ignored); returns ``self``."""
        self._check_params()
        (fitted,) = self._fit(X, [int(self.epochs)])
        self.__dict__.update({k: v for k, v in vars(fitted).items() if k.endswith("_")})
        return self

    def fit_snapshots(self, X, epochs) -> list:
        """Train once for ``max(epochs)`` epochs and return a fitted copy of the GAN after
        each number of epochs in ``epochs`` (its ``epochs`` parameter set to it).

        Each copy is the GAN that ``clone(self).set_params(epochs=e).fit(X)`` trains (the
        first ``e`` epochs of a longer run draw the same random numbers), at the cost of
        one run. ``self`` is left as it is.

        >>> X = np.random.default_rng(0).random((64, 28, 28), dtype=np.float32)
        >>> gans = DCGAN(width=8, latent_dim=16, random_state=0).fit_snapshots(X, [1, 2])
        >>> [g.epochs for g in gans]
        [1, 2]
        """
        self._check_params()
        if isinstance(epochs, (str, bytes)) or not hasattr(epochs, "__iter__"):
            raise TypeError(f"epochs must be a list of epoch counts, got {epochs!r}.")
        epochs = [check_positive_int(e, "each of epochs") for e in epochs]
        if not epochs or len(set(epochs)) != len(epochs):
            raise ValueError(f"epochs must list distinct epoch counts, got {epochs!r}.")
        return self._fit(X, epochs)

    def _fit(self, X, at: list[int]) -> list:
        X = self._images(X, reset=True)
        if len(X) < 2:
            raise ValueError(f"a GAN needs at least 2 training images, got {len(X)}.")
        shape = tuple(int(s) for s in X.shape[1:])
        channels, side = shape[0], shape[1]
        seed = int_seed(self.random_state)
        wgen = torch.Generator().manual_seed(seed)
        ngen = torch.Generator().manual_seed(child_seed(seed, _NOISE_STREAM))
        with torch.random.fork_rng(devices=[]):
            G = generator_network(side, channels, int(self.latent_dim), int(self.width))
            D = discriminator_network(
                side, channels, int(self.width), float(self.dropout), bool(self.weight_norm)
            )
        _init_(G, wgen)
        _init_(D, wgen)
        G, D = G.to(self.device), D.to(self.device)
        dgen = torch.Generator(device=self.device)
        dgen.manual_seed(child_seed(seed, _DROPOUT_STREAM))
        drops = [m for m in D.modules() if isinstance(m, SeededDropout)]
        snaps = {}

        def snapshot(epoch, d_curve, g_curve, seconds):
            for m in drops:  # a torch.Generator is not copied with the network
                m.generator = None
            try:
                g, d = copy.deepcopy(G).eval(), self._plain(D, side, channels)
            finally:
                for m in drops:
                    m.generator = dgen
            gan = clone(self).set_params(epochs=epoch)
            gan.image_shape_ = shape
            gan.generator_, gan.discriminator_ = g, d
            gan.loss_d_curve_, gan.loss_g_curve_ = list(d_curve), list(g_curve)
            gan.n_epochs_ = epoch
            gan.fit_time_ = seconds
            snaps[epoch] = gan

        for m in drops:
            m.generator = dgen
        try:
            self._train(G, D, torch.from_numpy(2 * X - 1).to(self.device), ngen, at, snapshot)
        finally:
            for m in drops:
                m.generator = None
        return [snaps[e] for e in at]

    def _plain(self, D, side: int, channels: int) -> nn.Module:
        """A copy of ``D`` in eval mode; with weight normalisation, a plain network holding
        the weights ``w = g v / |v|`` it computes (the same function, and it pickles)."""
        if not self.weight_norm:
            return copy.deepcopy(D).eval()
        with torch.random.fork_rng(devices=[]):
            plain = discriminator_network(
                side, channels, int(self.width), float(self.dropout), bias=True
            )
        modules = dict(D.named_modules())
        state = {}
        for key in plain.state_dict():
            name, _, attr = key.rpartition(".")
            state[key] = getattr(modules[name], attr).detach().clone()
        plain.load_state_dict(state)
        return plain.to(self.device).eval()

    def _train(self, G, D, Xt, ngen, at, snapshot) -> None:
        n = len(Xt)
        batch = min(int(self.batch_size), n)
        betas = (float(self.beta1), 0.999)
        opt_d = torch.optim.Adam(D.parameters(), lr=self.learning_rate, betas=betas)
        opt_g = torch.optim.Adam(G.parameters(), lr=self.learning_rate, betas=betas)
        d_curve, g_curve = [], []
        last = max(at)
        t0 = time.perf_counter()
        for epoch in progress(range(1, last + 1), self.verbose, "DCGAN"):
            G.train()
            D.train()
            perm = torch.randperm(n, generator=ngen).to(self.device)
            tot_d = tot_g = 0.0
            steps = 0
            for start in range(0, n - batch + 1, batch):  # full batches (batch norm)
                real = Xt.index_select(0, perm[start : start + batch])
                z = torch.randn(batch, int(self.latent_dim), generator=ngen).to(self.device)
                fake = G(z)
                ones = torch.ones(batch, device=self.device)
                zeros = torch.zeros(batch, device=self.device)
                loss_d = F.binary_cross_entropy_with_logits(
                    D(real), ones
                ) + F.binary_cross_entropy_with_logits(D(fake.detach()), zeros)
                opt_d.zero_grad(set_to_none=True)
                loss_d.backward()
                opt_d.step()
                loss_g = F.binary_cross_entropy_with_logits(D(fake), ones)
                opt_g.zero_grad(set_to_none=True)
                loss_g.backward()
                opt_g.step()
                tot_d += float(loss_d.detach())
                tot_g += float(loss_g.detach())
                steps += 1
            d_curve.append(tot_d / steps)
            g_curve.append(tot_g / steps)
            if not (math.isfinite(d_curve[-1]) and math.isfinite(g_curve[-1])):
                raise FloatingPointError(
                    f"DCGAN diverged at epoch {epoch} of {last} (losses "
                    f"{d_curve[-1]}, {g_curve[-1]}); use a smaller learning_rate."
                )
            if epoch in at:
                snapshot(epoch, d_curve, g_curve, time.perf_counter() - t0)

    # -- use ---------------------------------------------------------------------------
    @torch.no_grad()
    def sample(self, n: int, random_state=None) -> np.ndarray:
        """``n`` images from the generator, float32 ``(n, C, H, W)`` in [0, 1]."""
        check_is_fitted(self, "generator_")
        n = check_positive_int(n, "n")
        gen = torch.Generator().manual_seed(int_seed(random_state))
        out = []
        for start in range(0, n, self._chunk):
            k = min(self._chunk, n - start)
            z = torch.randn(k, int(self.latent_dim), generator=gen).to(self.device)
            out.append(((self.generator_(z) + 1) / 2).clamp(0, 1).cpu())
        return torch.cat(out).numpy()

    @torch.no_grad()
    def discriminate(self, X, *, logits: bool = False) -> np.ndarray:
        """The discriminator's probability that each image of ``X`` is real (float64), or
        with ``logits=True`` its logit (the same ranking, without the sigmoid's
        saturation at 0 and 1: what the attacks rank by)."""
        check_is_fitted(self, "discriminator_")
        check_bool(logits, "logits")
        X = self._images(X, reset=False)
        out = []
        for start in range(0, len(X), self._chunk):
            xb = torch.from_numpy(2 * X[start : start + self._chunk] - 1).to(self.device)
            out.append(self.discriminator_(xb).double().cpu())
        z = torch.cat(out) if out else torch.zeros(0, dtype=torch.float64)
        return (z if logits else torch.sigmoid(z)).numpy()
