"""Shokri et al.'s shadow-model attack end to end on Locations; prints figures, asserts nothing.

Setting (Shokri et al. 2017, Sec. V): target trained on 1,200 Locations records; the attacker
holds disjoint records of the same distribution and trains shadow models of the same
architecture (one hidden layer of 128 tanh units) on 1,200 records each; one attack model per
class. Evaluated on the target's 1,200 members and 1,200 non-members. The pipeline is
:func:`mia_lib.pipeline.run_attack`, the one every replication and chapter runs, inside
:func:`mia_lib.threads.limit_threads`.

    python benchmarks/bench_shokri_locations.py [--shadows 10] [--epochs 200] [--seed 0]
        [--threads 1]
"""

from __future__ import annotations

import argparse
import time

from mia_lib.datasets import load_dataset
from mia_lib.pipeline import run_attack
from mia_lib.threads import limit_threads


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shadows", type=int, default=10)
    ap.add_argument("--epochs", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=None, help="default: MIA_THREADS or 1")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    data = load_dataset("locations")
    mlp = {
        "hidden_layer_sizes": (128,),
        "activation": "tanh",
        "epochs": args.epochs,
        "learning_rate": 1e-3,
        "batch_size": 64,
    }
    with limit_threads(args.threads) as n_threads:
        r = run_attack(
            data.X,
            data.y,
            data.n_classes,
            target_size=1200,
            n_shadows=args.shadows,
            shadow_size=1200,
            model="mlp",
            model_params=mlp,
            random_state=args.seed,
        ).row()
    wall = time.perf_counter() - t0

    print(
        f"records: {r['n_records']}; target in/out: {r['target_size']}/{r['n_non_members']}; "
        f"shadows: {r['n_shadows']} x {r['shadow_size']}"
    )
    print(f"target train accuracy: {r['train_acc']:.3f}")
    print(f"target test accuracy:  {r['test_acc']:.3f}")
    print(f"attack precision:      {r['precision']:.3f}   (survey: 0.6-0.8 on Locations)")
    print(f"attack recall:         {r['recall']:.3f}")
    print(f"attack accuracy:       {r['accuracy']:.3f}")
    print(f"attack AUC:            {r['auc']:.3f}")
    print(f"TPR at 1% FPR:         {r['tpr_at_1pct_fpr']:.3f}")
    print(
        f"confidence-threshold baseline: precision {r['baseline_precision']:.3f}, "
        f"AUC {r['baseline_auc']:.3f}"
    )
    print(f"wall time: {wall:.1f} s on {n_threads} thread(s)")
    return r


if __name__ == "__main__":
    main()
