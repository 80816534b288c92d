"""Autograder check of exercise ex-ch8-noise (chapter 8): the flip probability on the target."""

from otter.test_files import test_case

OK_FORMAT = False
name = "ex-ch8-noise"
points = 2
ANSWER = {
    "target_auc": "dict from each flip probability of label_only.shadow_auc_ to the target "
    "AUC of the label-only attack at that level (10 queries)",
}
WRONG = (
    "target_auc = {flip: auc(target.membership,\n"
    "                        LabelOnlyAttack(noise=flip, random_state=0).robustness(\n"
    "                            target.blackbox.query, locations.X[target.eval_idx],\n"
    "                            target.labels))\n"
    "              for flip in label_only.shadow_auc_}"
)


@test_case()
def test_levels(target_auc, label_only):
    assert isinstance(target_auc, dict), "target_auc must be a dict from flip probability to AUC"
    assert sorted(map(float, target_auc)) == sorted(map(float, label_only.shadow_auc_)), (
        "target_auc must have one entry for each flip probability of the shadows' grid"
    )


@test_case()
def test_aucs(target_auc, label_only, target, locations):
    from mia_lib.label_only import LabelOnlyAttack
    from mia_lib.metrics import auc

    got = {float(k): float(v) for k, v in dict(target_auc).items()}
    X_eval = locations.X[target.eval_idx]
    for flip in label_only.shadow_auc_:
        lo = LabelOnlyAttack(n_queries=10, noise=flip, random_state=0)
        s = lo.robustness(target.blackbox.query, X_eval, target.labels)
        want = auc(target.membership, s)
        # another seed of the perturbations moves the AUC by about 0.005
        assert abs(got[float(flip)] - want) < 0.015, (
            f"target_auc[{flip}] is not the target AUC of the label-only attack with 10 "
            "queries at that flip probability"
        )
