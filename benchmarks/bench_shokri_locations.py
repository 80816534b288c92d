"""Shokri et al.'s shadow-model attack end to end on Locations; prints figures, asserts nothing.

Setting (Shokri et al. 2017, Sec. V): target trained on 1,200 Locations records; the attacker
holds disjoint records of the same distribution and trains shadow models of the same
architecture (one hidden layer of 128 tanh units) on 1,200 records each; one attack model per
class. Evaluated on the target's 1,200 members and 1,200 non-members.

    python benchmarks/bench_shokri_locations.py [--shadows 10] [--epochs 200] [--seed 0]
"""

from __future__ import annotations

import argparse
import time

import torch

from mia_lib.attacks import ShokriAttack, ThresholdAttack
from mia_lib.blackbox import BlackBox
from mia_lib.datasets import load_dataset
from mia_lib.metrics import evaluate
from mia_lib.models import TorchMLPClassifier
from mia_lib.shadow import ShadowModels
from mia_lib.splits import membership_split


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shadows", type=int, default=10)
    ap.add_argument("--epochs", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    torch.set_num_threads(2)
    t0 = time.perf_counter()
    data = load_dataset("locations")
    split = membership_split(len(data), target_size=1200, random_state=args.seed)
    mlp = {
        "hidden_layer_sizes": (128,),
        "activation": "tanh",
        "epochs": args.epochs,
        "learning_rate": 1e-3,
        "batch_size": 64,
    }
    target = TorchMLPClassifier(random_state=args.seed, **mlp)
    target.fit(data.X[split.target_in], data.y[split.target_in])
    train_acc = target.score(data.X[split.target_in], data.y[split.target_in])
    test_acc = target.score(data.X[split.target_out], data.y[split.target_out])
    t_target = time.perf_counter()

    pool = split.shadow_pool
    shadows = ShadowModels(
        "mlp",
        n_shadows=args.shadows,
        shadow_size=min(1200, len(pool) // 2),
        model_params=mlp,
        random_state=args.seed + 1,
    )
    shadows.fit(data.X[pool], data.y[pool], n_classes=data.n_classes)
    t_shadow = time.perf_counter()

    attack = ShokriAttack(random_state=args.seed).fit(*shadows.attack_data_)
    idx, member = split.evaluation()
    api = BlackBox(target)
    P = api.query(data.X[idx])
    y = data.y[idx]
    rep = evaluate(member, attack.score_samples(P, y), predicted=attack.predict(P, y))
    base = ThresholdAttack("confidence").fit(*shadows.attack_data_)
    rep_base = evaluate(member, base.score_samples(P), predicted=base.predict(P))
    t_end = time.perf_counter()

    print(
        f"records: {len(data)}; target in/out: {len(split.target_in)}/{len(split.target_out)}; "
        f"shadow pool: {len(pool)}; shadows: {args.shadows} x {shadows.splits_[0].in_idx.size}"
    )
    print(f"target train accuracy: {train_acc:.3f}")
    print(f"target test accuracy:  {test_acc:.3f}")
    print(f"attack precision:      {rep.precision:.3f}   (survey: 0.6-0.8 on Locations)")
    print(f"attack recall:         {rep.recall:.3f}")
    print(f"attack accuracy:       {rep.accuracy:.3f}")
    print(f"attack AUC:            {rep.auc:.3f}")
    print(f"TPR at 1% FPR:         {rep.tpr_at_1pct_fpr:.3f}")
    print(
        f"confidence-threshold baseline: precision {rep_base.precision:.3f}, "
        f"recall {rep_base.recall:.3f}, AUC {rep_base.auc:.3f}"
    )
    print(
        f"wall time: {t_end - t0:.1f} s (target {t_target - t0:.1f} s, shadows "
        f"{t_shadow - t_target:.1f} s, attack {t_end - t_shadow:.1f} s)"
    )
    return rep


if __name__ == "__main__":
    main()
