"""Autograder check of exercise ex-ch3-gap (chapter 3): the gap and the AUC on Fashion-MNIST."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "ex-ch3-gap"
points = 3
SHOKRI, LOSS = "Shokri AUC (1 shadow)", "loss AUC"
ANSWER = {
    "t1000": "your new Fashion-MNIST target (train_target): 1,000 images, or 10 or 60 epochs",
    "sh1000": "its one shadow (train_shadows)",
    "gaps": "DataFrame, a row for the chapter's target and one for t1000; columns gap, "
    "'Shokri AUC (1 shadow)', 'loss AUC'",
}
WRONG = """\
from mia_lib.pipeline import evaluate_attack, stage_seeds, train_shadows, train_target

target_seed, shadow_seed, attack_seed = stage_seeds(SEED)
t1000 = train_target(fm.X, fm.y, fm.n_classes, target_size=1000, model="cnn",
                     model_params=CNN, random_state=target_seed)
sh1000 = train_shadows(t1000, n_shadows=1, random_state=shadow_seed)
gaps = pd.DataFrame(
    {"gap": [fm_train_acc - fm_test_acc, t1000.summary.gap],
     "Shokri AUC (1 shadow)": [fm_report.auc,
                  evaluate_attack(ShokriAttack(random_state=attack_seed), t1000,
                                  fit_on=sh1000).auc],
     "loss AUC": [comparison.loc[("Fashion-MNIST", "loss threshold"), "AUC"],
                evaluate_attack(ThresholdAttack("loss"), t1000, fit_on=sh1000).auc]},
    index=["2500 images (above)", "1000 images"]).round(3)
"""


def _find(gaps, gap):
    g = gaps["gap"].astype(float).to_numpy()
    hit = np.flatnonzero(np.abs(g - gap) < 1e-3)
    assert len(hit) >= 1, f"gaps has no row with the gap {gap:.3f}"
    return gaps.iloc[hit[0]]


@test_case()
def test_new_target(t1000, fm, CNN):
    s = t1000.summary
    assert t1000.n_classes == fm.n_classes and len(t1000.y) == len(fm.y), (
        "t1000 must be trained on Fashion-MNIST"
    )
    epochs = t1000.model_params.get("epochs", CNN["epochs"])
    assert s.target_size != 2500 or epochs != CNN["epochs"], (
        "t1000 must change the recipe: fewer training images or another number of epochs"
    )


@test_case()
def test_columns(gaps):
    for c in ("gap", SHOKRI, LOSS):
        assert c in gaps.columns, f"gaps needs a column {c!r}"


@test_case()
def test_chapter_row(
    gaps, fm_train_acc, fm_test_acc, fad, comparison, f_member, fP_target, fy_eval
):
    from mia_lib.attacks import ShokriAttack
    from mia_lib.metrics import evaluate

    row = _find(gaps, fm_train_acc - fm_test_acc)
    loss = comparison.loc[("Fashion-MNIST", "loss threshold"), "AUC"]
    assert abs(float(row[LOSS]) - loss) < 1.5e-3, (
        "the chapter target's loss AUC is not the loss threshold's of the comparison table"
    )
    first = fad.subset(fad.source == 0)
    a = ShokriAttack(random_state=0).fit(first.posteriors, first.membership, labels=first.labels)
    want = evaluate(f_member, a.score_samples(fP_target, labels=fy_eval)).auc
    assert abs(float(row[SHOKRI]) - want) < 2e-3, (
        "the chapter target's Shokri AUC must come from an attack trained on one shadow "
        "(its first), like the new target's"
    )


@test_case()
def test_new_row(gaps, t1000, sh1000):
    from mia_lib.attacks import ShokriAttack, ThresholdAttack
    from mia_lib.pipeline import evaluate_attack

    assert len(sh1000.models_) == 1, "sh1000 must hold one shadow"
    row = _find(gaps, t1000.summary.gap)
    loss = evaluate_attack(ThresholdAttack("loss"), t1000, fit_on=sh1000).auc
    assert abs(float(row[LOSS]) - loss) < 1.5e-3, (
        "t1000's loss AUC is not the loss threshold's fitted on sh1000"
    )
    shokri = evaluate_attack(ShokriAttack(random_state=0), t1000, fit_on=sh1000).auc
    assert abs(float(row[SHOKRI]) - shokri) < 2e-3, (
        "t1000's Shokri AUC is not that of the Shokri attack fitted on sh1000"
    )
