"""Benchmark: 16 shadow MLPs trained one by one versus batched with ``train_many``.

Shokri et al.'s Locations setting: 446 binary features, 30 classes, shadow training sets of
~1,200 records, one hidden layer of 128 tanh units, Adam. Uses the real Locations data at
``$MIA_DATA_DIR/location/location.npz`` when present, otherwise synthetic data of the same
shape. Both paths train the same models (same seeds, epochs, batch size, optimiser); the
baseline is a plain loop over ``TorchMLPClassifier.fit`` (autograd + ``torch.optim.Adam``;
with several threads its plain kernel, because the fused CPU kernel stalls on shared cores).
Both run inside :func:`mia_lib.threads.limit_threads` (``--threads``, else ``MIA_THREADS``,
else 1 thread).

    python benchmarks/bench_shadow_training.py [--models 16] [--epochs 50] [--repeats 3]

Each path is timed ``--repeats`` times (alternating) and the best time counts.

The last line is ``speedup: X.XX`` (batched models/s over one-by-one models/s).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.base import clone

from mia_lib.models import TorchMLPClassifier, train_many
from mia_lib.seeding import int_seed, spawn
from mia_lib.threads import limit_threads


def load_locations(seed: int = 0):
    """Return X (float32, 0/1), y (0..29) and a description of where they came from."""
    candidates = []
    if os.environ.get("MIA_DATA_DIR"):
        candidates.append(Path(os.environ["MIA_DATA_DIR"]) / "location" / "location.npz")
    candidates.append(Path(__file__).resolve().parents[1] / "data" / "location" / "location.npz")
    for path in candidates:
        if path.is_file():
            with np.load(path) as npz:
                X = np.ascontiguousarray(npz["X"], dtype=np.float32)
                y = npz["y"].astype(np.int64) - 1  # stored 1-based
            return X, y, f"Locations ({path})"
    # synthetic stand-in: 30 class prototypes over 446 binary features; a record keeps
    # each prototype bit with probability 0.2 and gains noise bits with probability 0.1
    # (~12% ones, like Locations; a 1,200-record logistic regression gets ~60% right)
    rng = np.random.default_rng(seed)
    n, d, k = 5010, 446, 30
    protos = rng.random((k, d)) < 0.12
    y = rng.integers(k, size=n)
    keep, noise = rng.random((n, d)) < 0.2, rng.random((n, d)) < 0.1
    X = ((protos[y] & keep) | noise).astype(np.float32)
    return X, y, "synthetic Locations-shaped data (446 binary features, 30 classes)"


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", type=int, default=16)
    ap.add_argument("--epochs", type=int, default=50)
    ap.add_argument("--size", type=int, default=1200, help="records per shadow model")
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--threads", type=int, default=None, help="default: MIA_THREADS, else 1")
    ap.add_argument("--repeats", type=int, default=3, help="timed rounds; the best counts")
    args = ap.parse_args(argv)
    with limit_threads(args.threads):
        run(args)


def run(args) -> None:
    X, y, source = load_locations()
    rng = np.random.default_rng(0)
    order = rng.permutation(len(y))
    test, pool = order[:1000], order[1000:]
    subsets = [rng.choice(pool, size=args.size, replace=False) for _ in range(args.models)]
    template = TorchMLPClassifier(
        hidden_layer_sizes=(128,),
        activation="tanh",
        epochs=args.epochs,
        learning_rate=1e-3,
        batch_size=args.batch_size,
        n_classes=30,
    )
    print(
        f"data: {source}; X {X.shape}; {args.models} models x {args.size} records, "
        f"{args.epochs} epochs, batch {args.batch_size}, {torch.get_num_threads()} threads"
    )

    # warm up both code paths (first calls pay one-off allocation and dispatch costs)
    clone(template).set_params(epochs=1, random_state=0).fit(X[subsets[0]], y[subsets[0]])
    train_many(clone(template).set_params(epochs=1), X, y, subsets[:2], random_state=0)

    # the same per-model seeds for both paths (train_many spawns them the same way)
    seeds = [int_seed(s) for s in spawn(1, args.models)]
    times_loop, times_batched, times_k1 = [], [], []
    for _ in range(args.repeats):  # alternate, keep the best: robust to a busy machine
        t0 = time.perf_counter()
        loop = [
            clone(template).set_params(random_state=s).fit(X[idx], y[idx])
            for s, idx in zip(seeds, subsets, strict=True)
        ]
        times_loop.append(time.perf_counter() - t0)

        t0 = time.perf_counter()
        batched = train_many(template, X, y, subsets, random_state=1)
        times_batched.append(time.perf_counter() - t0)

        # decomposition: the batched engine fed one model per call (no batching)
        t0 = time.perf_counter()
        for s, idx in zip(seeds, subsets, strict=True):
            train_many(template, X, y, [idx], random_state=s)
        times_k1.append(time.perf_counter() - t0)
    assert [m.random_state for m in batched] == [int(s) for s in seeds]
    t_loop, t_batched, t_k1 = min(times_loop), min(times_batched), min(times_k1)

    acc_loop = np.array([m.score(X[test], y[test]) for m in loop])
    acc_batched = np.array([m.score(X[test], y[test]) for m in batched])
    train_acc = np.mean([m.score(X[idx], y[idx]) for m, idx in zip(batched, subsets, strict=True)])
    rate_loop, rate_batched = args.models / t_loop, args.models / t_batched
    print(
        f"one-by-one: {t_loop:7.2f} s  {rate_loop:7.2f} models/s  "
        f"mean test accuracy {acc_loop.mean():.4f}"
    )
    print(
        f"batched:    {t_batched:7.2f} s  {rate_batched:7.2f} models/s  "
        f"mean test accuracy {acc_batched.mean():.4f} (train {train_acc:.4f})"
    )
    print(
        f"(batched engine fed one model per call: {t_k1:7.2f} s  {args.models / t_k1:7.2f} "
        "models/s; the rest of the gain is batching)"
    )
    print(f"largest per-model test accuracy difference: {np.abs(acc_loop - acc_batched).max():.4f}")
    print(f"speedup: {rate_batched / rate_loop:.2f}")


if __name__ == "__main__":
    main()
