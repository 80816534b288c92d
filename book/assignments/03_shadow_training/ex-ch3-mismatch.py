"""Autograder check of exercise ex-ch3-mismatch (chapter 3): shadows of another recipe."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "ex-ch3-mismatch"
points = 2
ANSWER = {
    "sh50": "the Locations shadows with another recipe (50 epochs, or weight_decay=1e-3)",
    "mismatch": "DataFrame indexed by (attack, shadows): attack 'Shokri attack' or 'loss "
    "threshold', shadows '200 epochs' or '50 epochs' (sh50); columns precision, recall, AUC",
}
WRONG = """\
sh50 = ShadowModels("mlp", n_shadows=K_LOC, shadow_size=1200,
                    model_params={**MLP, "epochs": 50}, n_classes=loc.n_classes,
                    random_state=SEED).fit(loc.X[pool], loc.y[pool])
cols = ["precision", "recall", "AUC"]
mismatch = {}
for name, attack in [("Shokri attack", ShokriAttack(random_state=SEED)),
                     ("loss threshold", ThresholdAttack("loss"))]:
    attack.fit(ad.posteriors, ad.membership, labels=ad.labels)
    r = evaluate(is_member, attack.score_samples(P_target, labels=y_eval),
                 predicted=attack.predict(P_target, labels=y_eval))
    mismatch[(name, "200 epochs")] = comparison.loc[("Locations", name), cols]
    mismatch[(name, "50 epochs")] = pd.Series([r.precision, r.recall, r.auc],
                                              index=cols)
mismatch = pd.DataFrame(mismatch).T.round(3)
"""


def _row(mismatch, attack):
    return mismatch.loc[(attack, "50 epochs"), ["precision", "recall", "AUC"]].astype(float)


def _report(attack, ad50, is_member, P_target, y_eval):
    from mia_lib.metrics import evaluate

    attack.fit(ad50.posteriors, ad50.membership, labels=ad50.labels)
    r = evaluate(
        is_member,
        attack.score_samples(P_target, labels=y_eval),
        predicted=attack.predict(P_target, labels=y_eval),
    )
    return np.array([r.precision, r.recall, r.auc])


@test_case()
def test_recipe(sh50, MLP):
    params = {**MLP, **(getattr(sh50, "model_params", None) or {})}
    assert params["epochs"] != MLP["epochs"] or params.get("weight_decay", 0) > 0, (
        "sh50 must be trained with another recipe than the target (fewer epochs, or weight decay)"
    )
    assert hasattr(sh50, "attack_data_"), "sh50 must be fitted"


@test_case()
def test_threshold_row(mismatch, sh50, is_member, P_target, y_eval):
    from mia_lib.attacks import ThresholdAttack

    got = _row(mismatch, "loss threshold")
    want = _report(ThresholdAttack("loss"), sh50.attack_data_, is_member, P_target, y_eval)
    assert np.allclose(got, want, atol=1e-3), (
        "the row ('loss threshold', '50 epochs') is not the loss threshold fitted on "
        "sh50's attack data, evaluated on the target"
    )


@test_case()
def test_shokri_row(mismatch, sh50, is_member, P_target, y_eval):
    from mia_lib.attacks import ShokriAttack

    got = _row(mismatch, "Shokri attack")
    want = _report(ShokriAttack(random_state=0), sh50.attack_data_, is_member, P_target, y_eval)
    assert np.allclose(got, want, atol=2e-3), (
        "the row ('Shokri attack', '50 epochs') is not the Shokri attack fitted on sh50's "
        "attack data, evaluated on the target"
    )


@test_case()
def test_reference_rows(mismatch, comparison):
    cols = ["precision", "recall", "AUC"]
    for attack in ("Shokri attack", "loss threshold"):
        got = mismatch.loc[(attack, "200 epochs"), cols].astype(float)
        want = comparison.loc[("Locations", attack), cols].astype(float)
        assert np.allclose(got, want, atol=1e-3), (
            f"the row ('{attack}', '200 epochs') must repeat that attack's results with the "
            "chapter's shadows"
        )
