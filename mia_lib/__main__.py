"""Command line of mia_lib: run the book's replications and store their results, audit a
trained model, or build the book's assignments.

    python -m mia_lib replicate --list
    python -m mia_lib replicate NAME --profile quick|full [--seed N] [--out DIR]
        [--datasets a,b] [--max-target-size N] [--n-shadows K] [--epochs E] [--n-seeds S]
        [--merge | --force] [--skip-missing] [--threads N] [--no-progress]
        [--backend local|dask|ray] [--scheduler ADDRESS] [--n-jobs N]

Results go to ``DIR/NAME-PROFILE.json`` (default ``$MIA_RESULTS_DIR`` or ``book/results``),
written atomically, with provenance (commit, date, machine, duration, profile, seed, dataset
sources and fingerprints, and where the models were trained). ``--backend`` trains the
independent models (shadow, reference and target models) in parallel
(:mod:`mia_lib.parallel`): ``local`` worker processes (``--n-jobs``, default one per CPU),
a Dask cluster (``--backend dask --scheduler tcp://HOST:8786``) or Ray (``--backend ray``,
``--scheduler`` the address for ``ray.init``; default a running or new local Ray); Dask and
Ray need ``pip install "mia_lib[cluster]"``. The results are the same as without it. Every
option, the data files and the output location are checked
before the run starts. A run that produces no rows writes nothing, and a stored result is
never replaced by one with fewer rows unless ``--force`` (``--merge`` updates it instead).

Exit status: 0 on success, 2 for a wrong command line, 1 when the run cannot be made or
stored (missing data, an unwritable or invalid result file).

    python -m mia_lib audit --model PATH --members PATH --non-members PATH --out DIR
        [--population PATH] [--attacks loss,modified_entropy,shokri] [--fprs 0.01,0.001]
        [--n-shadows K] [--outputs logits|probabilities] [--seed N] [--no-progress]

writes ``DIR/report.html`` (self-contained) and ``DIR/report.json``
(:mod:`mia_lib.audit_cli`). Exit status 2 for a wrong command line or an input the audit
cannot use, with a message that says what was wrong.

    python -m mia_lib assignments build [--out DIR] [--book DIR] [--chapters a,b]
    python -m mia_lib assignments prove [--out DIR] [--book DIR] [--chapters a,b]
        [--otter a,b] [--jobs N]

``build`` writes every chapter's student notebook, tests and Otter autograder (default
``_build/assignments``); ``prove`` builds them and grades each chapter's solution, blank and
wrong answers (:mod:`mia_lib.classroom.cli`). Exit status 1 when a check cannot tell them
apart, 2 for a chapter or check file in the wrong form.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {value}")
    return value


def _dataset_list(text: str) -> list[str]:
    names = [d.strip() for d in text.split(",") if d.strip()]
    if not names:
        raise argparse.ArgumentTypeError(
            f"--datasets needs at least one dataset name (comma-separated), got {text!r}"
        )
    return names


def _attack_list(text: str) -> list[str]:
    from .audit import ATTACKS

    names = [t.strip() for t in text.split(",") if t.strip()]
    unknown = [n for n in names if n not in ATTACKS]
    if not names or unknown:
        raise argparse.ArgumentTypeError(f"choose among {', '.join(ATTACKS)}; got {text!r}")
    return names


def _rate_list(text: str) -> list[float]:
    try:
        rates = [float(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected rates such as 0.01,0.001; got {text!r}"
        ) from None
    if not rates or any(not 0 < r < 1 for r in rates):
        raise argparse.ArgumentTypeError(f"each rate must be in (0, 1); got {text!r}")
    return rates


def _parser() -> argparse.ArgumentParser:
    from .classroom.cli import add_parser as add_assignments
    from .experiments import PROFILES

    ap = argparse.ArgumentParser(
        prog="python -m mia_lib", description=" ".join(__doc__.split("\n\n")[0].split())
    )
    sub = ap.add_subparsers(dest="command", required=True)
    rp = sub.add_parser("replicate", help="run a replication and write its JSON result")
    rp.add_argument("name", nargs="?", help="replication name (see --list)")
    rp.add_argument("--list", action="store_true", help="list the replications and exit")
    rp.add_argument("--profile", default="quick", choices=PROFILES)
    rp.add_argument("--seed", type=_seed, default=0)
    rp.add_argument(
        "--out", default=None, help="output folder (default $MIA_RESULTS_DIR or book/results)"
    )
    rp.add_argument(
        "--datasets",
        type=_dataset_list,
        default=None,
        help="comma-separated subset of the profile's datasets",
    )
    rp.add_argument(
        "--max-target-size",
        type=_positive_int,
        default=None,
        help="cap every target (and shadow) training-set size",
    )
    rp.add_argument("--n-shadows", type=_positive_int, default=None, help="number of shadow models")
    rp.add_argument(
        "--epochs", type=_positive_int, default=None, help="training epochs of every network"
    )
    rp.add_argument(
        "--n-seeds", type=_positive_int, default=None, help="number of repetitions (seeds)"
    )
    what = rp.add_mutually_exclusive_group()
    what.add_argument(
        "--merge", action="store_true", help="update the stored result (its other rows are kept)"
    )
    what.add_argument(
        "--force",
        action="store_true",
        help="replace the stored result even if it has rows this run does not make",
    )
    rp.add_argument(
        "--skip-missing",
        action="store_true",
        help="run the datasets that are present, skipping the others",
    )
    rp.add_argument(
        "--threads",
        type=_positive_int,
        default=None,
        help="threads for torch and the BLAS/OpenMP pools (default $MIA_THREADS or 1)",
    )
    rp.add_argument(
        "--backend",
        default=None,
        choices=("local", "dask", "ray"),
        help="train the models in parallel: local processes, a Dask cluster or Ray "
        "(default: one after the other in this process)",
    )
    rp.add_argument(
        "--scheduler",
        default=None,
        help="the Dask scheduler's address (tcp://HOST:8786), or Ray's address",
    )
    rp.add_argument(
        "--n-jobs",
        type=_positive_int,
        default=None,
        help="models trained at once (default: the backend's workers; alone: --backend local)",
    )
    rp.add_argument("--no-progress", action="store_true", help="no progress bar")
    au = sub.add_parser(
        "audit",
        help="audit a trained model: how much it leaks about its training records",
        description="Audit a trained classifier on records it was trained on (members) and "
        "records it never saw (non-members); write report.html and report.json.",
    )
    au.add_argument(
        "--model", required=True, help=".joblib/.pkl (scikit-learn) or .pt (TorchScript)"
    )
    au.add_argument("--members", required=True, help="training records: .npz (X, y) or .csv")
    au.add_argument("--non-members", required=True, help="records the model never saw")
    au.add_argument("--population", default=None, help="other records, to train shadow models on")
    au.add_argument("--out", required=True, help="folder for report.html and report.json")
    au.add_argument(
        "--attacks",
        type=_attack_list,
        default=None,
        help="comma-separated subset of loss,modified_entropy,shokri (default: all)",
    )
    au.add_argument("--fprs", type=_rate_list, default=None, help="e.g. 0.01,0.001")
    au.add_argument("--n-shadows", type=_positive_int, default=4)
    au.add_argument(
        "--outputs",
        default="logits",
        choices=("logits", "probabilities"),
        help="what a TorchScript model returns (default logits)",
    )
    au.add_argument("--seed", type=_seed, default=0)
    au.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_assignments(sub)
    return ap  # fmt: skip


def main(argv=None) -> int:
    ap = _parser()
    args = ap.parse_args(argv)
    if args.command == "audit":
        from .audit import ATTACKS
        from .audit_cli import run

        if args.attacks is None:
            args.attacks = list(ATTACKS)
        return run(args)
    if args.command == "assignments":
        from .classroom.cli import run as run_assignments

        return run_assignments(args)
    return _replicate(ap, args)


def _replicate(ap, args) -> int:
    from .experiments import (
        EXPERIMENTS,
        MissingDataError,
        ProfileError,
        ResultFileError,
        list_experiments,
        load_profile,
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
    overrides = {
        "datasets": args.datasets,
        "max_target_size": args.max_target_size,
        "n_shadows": args.n_shadows,
        "epochs": args.epochs,
        "n_seeds": args.n_seeds,
    }
    overrides = {k: v for k, v in overrides.items() if v is not None}
    backend = args.backend or ("local" if args.n_jobs is not None else None)
    if args.scheduler is not None and backend not in ("dask", "ray"):
        ap.error("--scheduler is the address of a Dask or Ray cluster; add --backend dask or ray")
    if backend == "dask" and not args.scheduler:
        ap.error(
            "--backend dask needs --scheduler ADDRESS, the address of a running Dask scheduler "
            "(such as tcp://10.0.0.5:8786)"
        )
    try:
        load_profile(args.name, args.profile, **overrides)  # usage errors before anything runs
        out_path = result_path(args.name, args.profile, args.out)
    except (ProfileError, ResultFileError, TypeError, ValueError) as exc:  # --out '' too
        ap.error(str(exc))
    t0 = time.perf_counter()
    try:
        with contextlib.ExitStack() as stack:
            if backend is not None:
                from .parallel import use_backend

                try:
                    stack.enter_context(
                        use_backend(backend, scheduler=args.scheduler, n_jobs=args.n_jobs)
                    )
                except ImportError as exc:  # the optional extra is missing
                    print(f"error: {exc}", file=sys.stderr)
                    return 1
            result = run_experiment(
                args.name,
                args.profile,
                seed=args.seed,
                progress=not args.no_progress,
                out_dir=out_path.parent,
                merge=args.merge,
                force=args.force,
                skip_missing=args.skip_missing,
                threads=args.threads,
                **overrides,
            )
    except (MissingDataError, ResultFileError, ConnectionError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    skipped = result["results"].get("skipped", {})
    for key, why in skipped.items():
        print(f"skipped {key}: {why}", file=sys.stderr)
    print(f"wrote {out_path} ({time.perf_counter() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
