"""Benchmark: N reference models (the chapter MLP on Locations) trained three ways.

Reference-model attacks (LiRA, RMIA) train tens to hundreds of copies of the target's model.
This trains N copies of the chapter MLP (the ``"mlp"`` preset of
``mia_lib/experiments/profiles/presets.toml``: 128 tanh units, Adam, learning rate 0.001,
batch 64; 200 epochs) on 1,200 Locations records each (``load_dataset("locations")``,
drawn from a pool that excludes 1,000 held-out test records), in one run:

* ``batched``: :func:`mia_lib.parallel.train_models` with ``n_jobs=1``, the batched program
  of :func:`mia_lib.models.train_many` in this process, one thread;
* ``loop``: a plain loop over ``clone(template).set_params(random_state=seed).fit``, one
  thread;
* ``processes``: the same one-by-one fits in two one-thread joblib (loky) worker processes
  (:func:`mia_lib.parallel.use_backend`);
* ``batched_processes`` (not in the default ``--ways``): batched chunks in two workers.

Every way trains the same models (same seeds, subsets and epochs); it prints the wall time,
seconds per model, the speed-up of ``batched`` over each other way, and the mean test
accuracy of each way's models on the held-out records, which agree. It also trains the same
count with IBM ART (``art``) when it is installed, or says it is not (Privacy Meter is only
reported: it trains its models from its own configuration files).

    python benchmarks/bench_reference_models.py [--counts 64,256] [--epochs 200]
        [--ways batched,loop,processes] [--size 1200]

A quick check: ``--counts 4 --epochs 5``. Needs ``MIA_DATA_DIR`` with the Locations data.
"""

from __future__ import annotations

import argparse
import importlib.util
import time

import numpy as np
from sklearn.base import clone

from mia_lib.datasets import load_dataset
from mia_lib.experiments.profiles import resolve_model
from mia_lib.models import make_model
from mia_lib.parallel import train_models, use_backend
from mia_lib.seeding import int_seed, spawn
from mia_lib.threads import limit_threads

WAYS = ("batched", "loop", "processes", "batched_processes")
N_TEST = 1000


def _list(kind):
    def parse(text: str):
        items = [t.strip() for t in text.split(",") if t.strip()]
        if not items:
            raise argparse.ArgumentTypeError(f"expected a comma-separated list, got {text!r}")
        if kind is int:
            try:
                values = [int(t) for t in items]
            except ValueError:
                raise argparse.ArgumentTypeError(f"expected integers, got {text!r}") from None
            if min(values) < 1:
                raise argparse.ArgumentTypeError(f"counts must be positive, got {text!r}")
            return values
        unknown = [t for t in items if t not in WAYS]
        if unknown:
            raise argparse.ArgumentTypeError(f"unknown way(s) {unknown}; choose among {WAYS}")
        return items

    return parse


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--counts", type=_list(int), default=[64, 256], help="models to train")
    ap.add_argument("--epochs", type=int, default=200)
    ap.add_argument("--size", type=int, default=1200, help="records per model")
    ap.add_argument("--ways", type=_list(str), default=["batched", "loop", "processes"])
    ap.add_argument("--workers", type=int, default=2, help="processes of the process ways")
    args = ap.parse_args(argv)
    with limit_threads(1):
        run(args)


def _template(epochs: int, n_classes: int):
    name, params = resolve_model("mlp", {"epochs": epochs})
    return make_model(name, n_classes=n_classes, **params)


def _train(way: str, template, X, y, subsets, seeds, workers: int) -> list:
    if way == "batched":
        return train_models(template, X, y, subsets, seeds, n_jobs=1)
    if way == "loop":
        return [
            clone(template).set_params(random_state=s).fit(X[i], y[i])
            for s, i in zip(seeds, subsets, strict=True)
        ]
    with use_backend("local", n_jobs=workers):
        return train_models(template, X, y, subsets, seeds, batched=way == "batched_processes")


def _art(template, X, y, subsets, seeds, X_test, y_test):
    """The same models trained with IBM ART's PyTorchClassifier.fit; (seconds, accuracy)."""
    import torch
    from art.estimators.classification import PyTorchClassifier

    k, d = template.n_classes, X.shape[1]
    accs, t0 = [], time.perf_counter()
    for seed, idx in zip(seeds, subsets, strict=True):
        torch.manual_seed(seed)
        net = torch.nn.Sequential(torch.nn.Linear(d, 128), torch.nn.Tanh(), torch.nn.Linear(128, k))
        opt = torch.optim.Adam(net.parameters(), lr=template.learning_rate)
        clf = PyTorchClassifier(
            model=net,
            loss=torch.nn.CrossEntropyLoss(),
            optimizer=opt,
            input_shape=(d,),
            nb_classes=k,
            device_type="cpu",
        )
        clf.fit(X[idx], y[idx], batch_size=template.batch_size, nb_epochs=template.epochs)
        accs.append(float(np.mean(clf.predict(X_test).argmax(1) == y_test)))
    return time.perf_counter() - t0, float(np.mean(accs))


def run(args) -> None:
    data = load_dataset("locations")
    X, y = np.ascontiguousarray(data.X, dtype=np.float32), np.asarray(data.y, dtype=np.int64)
    n_classes = int(y.max()) + 1
    order = np.random.default_rng(0).permutation(len(y))
    test, pool = order[:N_TEST], order[N_TEST:]
    template = _template(args.epochs, n_classes)
    print(
        f"Locations {X.shape}, {n_classes} classes; models: 128 tanh units, {args.epochs} "
        f"epochs, {args.size} records each; test accuracy on {N_TEST} held-out records"
    )
    for count in args.counts:
        rng = np.random.default_rng(count)
        subsets = [rng.choice(pool, size=args.size, replace=False) for _ in range(count)]
        seeds = [int_seed(s) for s in spawn(count, count)]
        times, accs = {}, {}
        print(f"\n{count} models")
        for way in args.ways:
            t0 = time.perf_counter()
            models = _train(way, template, X, y, subsets, seeds, args.workers)
            times[way] = time.perf_counter() - t0
            accs[way] = float(np.mean([m.score(X[test], y[test]) for m in models]))
            print(
                f"  {way:<18} {times[way]:9.1f} s  {times[way] / count:7.3f} s/model  "
                f"test accuracy {accs[way]:.4f}"
            )
        if importlib.util.find_spec("art") is not None:
            secs, acc = _art(template, X, y, subsets, seeds, X[test], y[test])
            times["art"] = secs
            print(f"  {'IBM ART':<18} {secs:9.1f} s  {secs / count:7.3f} s/model  "
                  f"test accuracy {acc:.4f}")  # fmt: skip
        else:
            print("  IBM ART (art): not installed; skipped")
        if importlib.util.find_spec("privacy_meter") is not None:
            print(
                "  Privacy Meter: installed; it trains from its own configuration files, not timed"
            )
        else:
            print("  Privacy Meter (privacy_meter): not installed; skipped")
        if "batched" in times:
            for way, secs in times.items():
                if way != "batched":
                    print(f"  speed-up of batched over {way}: {secs / times['batched']:.2f}x")


if __name__ == "__main__":
    main()
