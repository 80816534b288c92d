"""``python -m mia_lib assignments build|prove``: the command line of :mod:`mia_lib.classroom`.

``build`` writes every chapter's student notebook, tests and autograder into ``--out``
(default ``_build/assignments``). ``prove`` builds them, then grades each chapter's solution,
blank and wrong answers (:func:`mia_lib.classroom.grading.prove_chapter`) and exits with status 1 if a
check gives the solution less than full marks, the blank any mark, or the wrong answer full
marks. Exit status 2 for a chapter or check file that is not in the expected form.
"""

from __future__ import annotations

import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

DEFAULT_OUT = "_build/assignments"


def add_parser(sub) -> None:
    """Add the ``assignments`` subcommand to an argparse subparsers object."""
    ap = sub.add_parser(
        "assignments",
        help="build student notebooks and Otter autograders from the chapters; prove the grading",
        description=__doc__.splitlines()[0],
    )
    what = ap.add_subparsers(dest="action", required=True)
    for name, text in [
        ("build", "write student notebooks, tests and autograder.zip for every chapter"),
        (
            "prove",
            "build, then show that solutions get full marks, blanks none, wrong answers less",
        ),
    ]:
        p = what.add_parser(name, help=text, description=text)
        p.add_argument("--out", default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT})")
        p.add_argument("--book", default=None, help="the book's folder (default: this checkout's)")
        p.add_argument(
            "--chapters",
            default=None,
            help="comma-separated chapter notebook names without .ipynb (default: all)",
        )
        if name == "prove":
            p.add_argument(
                "--otter",
                default="",
                help="comma-separated chapters also graded end to end with `otter run` "
                "(student, wrong and solution notebooks, each run from the top)",
            )
            p.add_argument(
                "--jobs", type=int, default=1, help="chapters proven at the same time (default 1)"
            )


def _list(text):
    return [t.strip() for t in text.split(",") if t.strip()] if text else None


def run(args) -> int:
    from .build import build_all
    from .exercises import ChapterFormatError

    try:
        builds = build_all(Path(args.out), args.book, _list(args.chapters))
    except (ChapterFormatError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for b in builds:
        graded = len(b.checks)
        print(
            f"{b.stem}: {len(b.exercises)} exercises, {graded} autograded "
            f"({b.points:g} points) -> {b.folder}"
        )
    if args.action == "build":
        return 0
    return _prove(builds, _list(args.otter) or [], max(1, args.jobs))


def _prove(builds, otter_chapters, jobs) -> int:
    from .grading import prove_chapter

    unknown = sorted(set(otter_chapters) - {b.stem for b in builds})
    if unknown:
        print(f"error: --otter names chapters not built: {', '.join(unknown)}", file=sys.stderr)
        return 2
    tasks = [(b, "kernel") for b in builds if b.checks]
    tasks += [(b, "otter") for b in builds if b.stem in otter_chapters and b.checks]

    def one(task):
        start = time.perf_counter()
        proof = prove_chapter(task[0], method=task[1])
        return proof, time.perf_counter() - start

    failed = []
    with ThreadPoolExecutor(jobs) as pool:
        for proof, seconds in pool.map(one, tasks):
            print(proof.table())
            if proof.totals:
                print(
                    "  whole notebooks: " + ", ".join(f"{k} {v:g}" for k, v in proof.totals.items())
                )
            print(f"  graded in {seconds:.0f} s")
            failed += proof.problems
    if failed:
        print("the grading proof FAILED:", *failed, sep="\n  ", file=sys.stderr)
        return 1
    n = sum(len(b.checks) for b in builds)
    print(f"grading proof passed: {n} autograded exercises in {len(tasks)} runs")
    return 0
