"""Command line of mia_lib: run the book's replications and store their results.

    python -m mia_lib replicate --list
    python -m mia_lib replicate NAME --profile quick|full [--seed N] [--out DIR]
        [--datasets a,b] [--max-target-size N] [--n-shadows K] [--epochs E] [--merge]
        [--threads N] [--no-progress]

Results go to ``DIR/NAME-PROFILE.json`` (default ``book/results``), written atomically, with
provenance (commit, date, machine, duration, profile, seed, dataset sources).
"""

from __future__ import annotations

import argparse
import inspect
import sys
import time


def _parser() -> argparse.ArgumentParser:
    from .experiments import PROFILES, default_results_dir

    ap = argparse.ArgumentParser(prog="python -m mia_lib", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    rp = sub.add_parser("replicate", help="run a replication and write its JSON result")
    rp.add_argument("name", nargs="?", help="replication name (see --list)")
    rp.add_argument("--list", action="store_true", help="list the replications and exit")
    rp.add_argument("--profile", default="quick", choices=PROFILES)
    rp.add_argument("--seed", type=int, default=0)
    rp.add_argument("--out", default=None, help=f"output folder (default {default_results_dir()})")
    rp.add_argument("--datasets", default=None, help="comma-separated subset (shokri_datasets)")
    rp.add_argument(
        "--max-target-size",
        type=int,
        default=None,
        help="cap the target training-set size (shokri_datasets)",
    )
    rp.add_argument(
        "--n-shadows",
        type=int,
        default=None,
        help="override the profile's number of shadow models (replications that take it)",
    )
    rp.add_argument(
        "--epochs",
        type=int,
        default=None,
        help="override the profile's training epochs (replications that take it)",
    )
    rp.add_argument(
        "--merge",
        action="store_true",
        help="update the stored result (rows of other datasets are kept)",
    )
    rp.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    rp.add_argument("--no-progress", action="store_true", help="no progress bar")
    return ap


def main(argv=None) -> int:
    ap = _parser()
    args = ap.parse_args(argv)
    from .experiments import (
        EXPERIMENTS,
        default_results_dir,
        list_experiments,
        result_path,
        run_experiment,
    )

    if args.list:
        for name, desc in list_experiments():
            print(f"{name:<20} {desc}")
        return 0
    if not args.name:
        ap.error("replicate needs a NAME (or --list)")
    if args.name not in EXPERIMENTS:
        ap.error(f"unknown replication {args.name!r}; known: {', '.join(sorted(EXPERIMENTS))}")
    exp = EXPERIMENTS[args.name]
    if args.profile not in exp.profiles:
        ap.error(f"replication {args.name} has no profile {args.profile!r}")
    accepted = inspect.signature(exp.func).parameters
    options = {}
    if args.datasets is not None:
        options["datasets"] = [d.strip() for d in args.datasets.split(",") if d.strip()]
    if args.max_target_size is not None:
        options["max_target_size"] = args.max_target_size
    if args.n_shadows is not None:
        options["n_shadows"] = args.n_shadows
    if args.epochs is not None:
        options["epochs"] = args.epochs
    for opt in options:
        if opt not in accepted:
            ap.error(f"replication {args.name} takes no --{opt.replace('_', '-')} option")
    if args.threads is not None:
        import torch

        torch.set_num_threads(args.threads)
    out_dir = args.out or default_results_dir()
    t0 = time.perf_counter()
    try:
        run_experiment(
            args.name,
            args.profile,
            seed=args.seed,
            progress=not args.no_progress,
            out_dir=out_dir,
            merge=args.merge,
            **options,
        )
    except ValueError as exc:
        ap.error(str(exc))
    path = result_path(args.name, args.profile, out_dir)
    print(f"wrote {path} ({time.perf_counter() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
