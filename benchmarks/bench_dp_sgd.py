"""Benchmark: the cost of an epoch of DP-SGD against ordinary training.

Three ways to train the same network for the same number of epochs:

* ``plain``: ordinary training (``TorchMLPClassifier`` / ``TorchCNNClassifier``);
* ``dp ghost``: the library's DP-SGD (``dp_epsilon=8``): Opacus's ghost clipping, which
  never stores a gradient per record;
* ``dp hooks``: Opacus's default ``PrivacyEngine.make_private`` path on the same network,
  optimiser and batches (a ``GradSampleModule`` that stores every record's gradient, a
  ``DPOptimizer`` and a Poisson ``DPDataLoader``), the usual way to use Opacus.

The noise multiplier is found once, before the clock starts (it is memoised), so the
figures are training alone. Models: Shokri et al.'s Locations MLP (446 features, 128 tanh
units, 30 classes) on random binary records, and the book's CNN (32 and 64 channels) on
random 28 x 28 images; random data cost what real data cost. One thread
(:func:`mia_lib.threads.limit_threads`).

    python benchmarks/bench_dp_sgd.py [--records 1200] [--epochs 5] [--repeats 3]

Each figure is the best of ``--repeats`` runs, in seconds per epoch, then the ratios to
``plain``.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import torch
from torch import nn

from mia_lib.models import TorchCNNClassifier, TorchMLPClassifier
from mia_lib.models.private import noise_multiplier, schedule
from mia_lib.threads import limit_threads


def data(kind: str, n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    if kind == "mlp":
        return (rng.random((n, 446)) < 0.1).astype("float32"), rng.integers(0, 30, n)
    return rng.random((n, 1, 28, 28), dtype=np.float32), rng.integers(0, 10, n)


def estimator(kind: str, epochs: int, eps):
    common = dict(epochs=epochs, batch_size=128, learning_rate=0.01, dp_epsilon=eps, random_state=0)
    if kind == "mlp":
        return TorchMLPClassifier(n_classes=30, **common)
    return TorchCNNClassifier(conv_channels=(32, 64), hidden_units=128, n_classes=10, **common)


def hooks_epoch_s(kind: str, X, y, epochs: int, noise: float) -> float:
    """Opacus's make_private path, timed over ``epochs`` epochs (per epoch)."""
    from opacus import PrivacyEngine
    from torch.utils.data import DataLoader, TensorDataset

    est = estimator(kind, 1, None).fit(X[:256], y[:256])  # builds the network's shape
    net = est.new_network()
    opt = torch.optim.Adam(net.parameters(), lr=0.01)
    loader = DataLoader(
        TensorDataset(torch.from_numpy(X), torch.from_numpy(y)),
        batch_size=128,
        generator=torch.Generator().manual_seed(0),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Secure RNG turned off", backward-hook notes
        engine = PrivacyEngine(accountant="prv")
        net, opt, loader = engine.make_private(
            module=net, optimizer=opt, data_loader=loader, noise_multiplier=noise, max_grad_norm=1.0
        )
        t0 = time.perf_counter()
        for _ in range(epochs):
            for xb, yb in loader:
                if len(yb) == 0:
                    continue
                opt.zero_grad()
                nn.functional.cross_entropy(net(xb), yb).backward()
                opt.step()
    return (time.perf_counter() - t0) / epochs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=1200)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    with limit_threads():
        for kind in ("mlp", "cnn"):
            X, y = data(kind, args.records)
            q, steps = schedule(args.records, 128, args.epochs)
            noise = noise_multiplier(8.0, 1e-5, q, steps, "prv")  # memoised: off the clock
            estimator(kind, 1, None).fit(X[:256], y[:256])  # torch's one-off start-up
            times = {}
            for name in ("plain", "dp ghost", "dp hooks"):
                best = np.inf
                for _ in range(args.repeats):
                    if name == "dp hooks":
                        best = min(best, hooks_epoch_s(kind, X, y, args.epochs, noise))
                        continue
                    est = estimator(kind, args.epochs, None if name == "plain" else 8.0)
                    t0 = time.perf_counter()
                    est.fit(X, y)
                    best = min(best, (time.perf_counter() - t0) / args.epochs)
                times[name] = best
            print(f"{kind}: {args.records} records, batches of 128, one thread")
            for name, t in times.items():
                print(f"  {name:9} {t:7.3f} s per epoch   x{t / times['plain']:.2f}")


if __name__ == "__main__":
    main()
