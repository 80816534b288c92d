"""How much a busy machine slows the Locations Shokri replication (known thread counts).

Runs ``shokri_datasets --profile full --datasets locations`` (a 1,200-record MLP target, 10
shadow models, the per-class attack) once on a quiet machine, then again while a CPU-bound
process that this script starts (and stops) spins on one core, and prints both times and
``slowdown: X.XX``. With the library's thread context (one thread for torch and every
BLAS/OpenMP pool) the run should slow by at most 2.5 times; with default pools of one thread
per core, a run beside two busy processes had not finished after 1,200 s.

    python benchmarks/bench_under_load.py [--threads N] [--busy K]

The result is not stored (no ``--out``); the data directory comes from ``MIA_DATA_DIR``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

from mia_lib.experiments import run_experiment
from mia_lib.threads import limit_threads

BUSY = "import time\nt = time.time()\nwhile time.time() - t < 3600:\n    pass\n"


def one_run(threads: int) -> tuple[float, float]:
    t0 = time.perf_counter()
    with limit_threads(threads):
        res = run_experiment("shokri_datasets", "full", datasets=["locations"], threads=threads)
    return time.perf_counter() - t0, res["results"]["rows"][0]["auc"]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=1, help="threads of the run (default 1)")
    ap.add_argument("--busy", type=int, default=1, help="CPU-bound processes beside it")
    args = ap.parse_args(argv)
    quiet, auc = one_run(args.threads)
    print(f"quiet: {quiet:.1f} s (attack AUC {auc:.3f})")
    hogs = [subprocess.Popen([sys.executable, "-c", BUSY]) for _ in range(args.busy)]
    try:
        time.sleep(0.5)
        loaded, auc_loaded = one_run(args.threads)
    finally:
        for h in hogs:
            h.kill()
            h.wait()
    print(f"beside {args.busy} busy process(es): {loaded:.1f} s (attack AUC {auc_loaded:.3f})")
    assert auc == auc_loaded, "the same seed must give the same result under load"
    print(f"slowdown: {loaded / quiet:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
