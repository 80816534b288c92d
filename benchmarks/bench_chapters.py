"""How long each chapter takes to run and to grade: the figures of the instructor's guide.

For every chapter, builds its assignment (``mia_lib.classroom``) and grades the *solution*
notebook end to end with Otter (``otter run``): the whole chapter runs from the top in a fresh
kernel, every exercise answer included, then every check. That is what a student's "Run All"
costs plus what grading one submission costs, one chapter after the other, each with one
thread (the chapters call ``set_threads(1)``). Prints one line per chapter and the total.

    python benchmarks/bench_chapters.py [--chapters a,b] [--out book/results/chapter_times-full.json]

Run it on a quiet machine: other processes on the cores make every figure larger. With
``--out`` the figures are stored (atomically, with the machine and commit) for the
instructor's guide, which reads them; the data directory comes from ``MIA_DATA_DIR``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from mia_lib.classroom import book_dir, build_all, grade
from mia_lib.experiments.results import provenance, write_result


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chapters", default=None, help="comma-separated chapter names")
    ap.add_argument("--out", default=None, help="store the figures in this JSON file")
    args = ap.parse_args(argv)
    chapters = args.chapters.split(",") if args.chapters else None
    rows = []
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as out:
        for built in build_all(Path(out), book_dir(), chapters):
            t0 = time.perf_counter()
            scores = grade(built.solution, built.autograder) if built.checks else {}
            seconds = time.perf_counter() - t0
            rows.append(
                {
                    "chapter": built.stem,
                    "seconds": round(seconds, 1),
                    "autograded": len(built.checks),
                    "points": built.points,
                    "solution_points": sum(scores.values()),
                }
            )
            print(
                f"{built.stem:<28} {seconds:6.1f} s  ({len(built.checks)} autograded "
                f"exercises, solution {sum(scores.values()):g} of {built.points:g} points)",
                flush=True,
            )
    total = time.perf_counter() - start
    print(f"{'total':<28} {total:6.1f} s")
    if args.out:
        result = {
            "name": "chapter_times",
            "description": "each chapter's solution notebook run from the top and graded "
            "with otter run, one chapter at a time, one thread",
            "results": {"rows": rows},
            "provenance": provenance("full", 0, total, threads=1),
        }
        print(f"stored in {write_result(result, Path(args.out))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
