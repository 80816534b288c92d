"""Autograder check of exercise ex-ch3-attackmodel (chapter 3): other attack models."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "ex-ch3-attackmodel"
points = 2
LIN, SHARED = "per class, logistic regression", "shared, boosted trees"
ANSWER = {
    "attacks": "dict: 'per class, logistic regression' and 'shared, boosted trees' -> "
    "those two fitted ShokriAttacks",
    "lin": "the evaluate report of the logistic-regression attack on the target",
    "shared": "the evaluate report of the attack with one shared model",
}
WRONG = """\
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

linear = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
attacks = {
    "per class, logistic regression": ShokriAttack(attack_model=linear, random_state=SEED),
    "shared, boosted trees": ShokriAttack(random_state=SEED),
}
for a in attacks.values():
    a.fit(ad.posteriors, ad.membership, labels=ad.labels)
lin, shared = (evaluate(is_member, a.score_samples(P_target, labels=y_eval))
               for a in attacks.values())
"""


def _steps(model):
    return [s for _, s in getattr(model, "steps", [("model", model)])]


@test_case()
def test_linear_attack(attacks):
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    a = attacks[LIN]
    steps = _steps(a.attack_model)
    assert any(isinstance(s, LogisticRegression) for s in steps), (
        "the attack model must be a logistic regression"
    )
    assert any(isinstance(s, StandardScaler) for s in steps), (
        "the features must be standardised before the logistic regression"
    )
    assert a.features == "log_posterior", "the features must be the log-posteriors"
    assert a.per_class, "the logistic-regression attack keeps one model per class"
    assert len(getattr(a, "models_", {})) > 0, "the attack must be fitted"


@test_case()
def test_shared_attack(attacks):
    a = attacks[SHARED]
    assert not a.per_class, "the shared attack must use one model for all classes"
    assert a.attack_model is None, "the shared attack keeps the default boosted trees"
    assert hasattr(a, "global_model_"), "the attack must be fitted"


@test_case()
def test_reports(attacks, lin, shared, is_member, P_target, y_eval):
    from mia_lib.metrics import evaluate

    for key, r in [(LIN, lin), (SHARED, shared)]:
        want = evaluate(is_member, attacks[key].score_samples(P_target, labels=y_eval))
        for field in ("auc", "tpr_at_1pct_fpr"):
            assert np.isclose(getattr(r, field), getattr(want, field), atol=1e-9), (
                f"the report of '{key}' is not that attack's on the target's records"
            )
