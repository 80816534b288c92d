"""How long each chapter takes to run and to grade: the figures of the instructor's guide.

For every chapter, builds its assignment (``mia_lib.classroom``) and grades the *solution*
notebook end to end with Otter (``otter run``): the whole chapter runs from the top in a fresh
kernel, every exercise answer included, then every check. That is what a student's "Run All"
costs plus what grading one submission costs, one chapter after the other, each with one
thread (the chapters call ``set_threads(1)``). Prints one line per chapter and the total.

    python benchmarks/bench_chapters.py [--chapters a,b] [--out book/results/chapter_times-full.json]
        [--merge]

Run it on a quiet machine: other processes on the cores make every figure larger. With
``--out`` the figures are stored (atomically, with the machine and commit) for the
instructor's guide, which reads them; the data directory comes from ``MIA_DATA_DIR``.
``--merge`` replaces only the rows of the chapters run in a stored file and keeps the
others (with the stored run's provenance under ``merged_from``); without it, a stored file
holding chapters this run does not measure is left alone and the run refuses to start.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from mia_lib.classroom import book_dir, build_all, grade
from mia_lib.experiments.results import provenance, read_result, write_result


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chapters", default=None, help="comma-separated chapter names")
    ap.add_argument("--out", default=None, help="store the figures in this JSON file")
    ap.add_argument(
        "--merge", action="store_true", help="update only these chapters' rows of --out"
    )
    args = ap.parse_args(argv)
    chapters = args.chapters.split(",") if args.chapters else None
    stored = None
    if args.out and Path(args.out).exists():
        stored = read_result(Path(args.out))
        kept = [r["chapter"] for r in stored["results"]["rows"]]
        if chapters is not None and not args.merge and set(kept) - set(chapters):
            ap.error(
                f"{args.out} holds chapters this run does not measure; pass --merge to "
                "update only the chapters run, or run every chapter."
            )
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
        prov = provenance("full", 0, total, threads=1)
        if args.merge and stored is not None:
            run = {r["chapter"] for r in rows}
            rows = [r for r in stored["results"]["rows"] if r["chapter"] not in run] + rows
            rows.sort(key=lambda r: r["chapter"])
            prov["merged_from"] = stored["provenance"]
        result = {
            "name": "chapter_times",
            "description": "each chapter's solution notebook run from the top and graded "
            "with otter run, one chapter at a time, one thread",
            "results": {"rows": rows},
            "provenance": prov,
        }
        print(f"stored in {write_result(result, Path(args.out))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
