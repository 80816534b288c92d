"""Autograder check of exercise ex-ch2-shadow-mean (chapter 2): the shadows' mean loss."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "ex-ch2-shadow-mean"
points = 2
ANSWER = {
    "tau_shadow": "the Adult shadows' average training loss (the threshold)",
    "guess": "the rule's membership guesses (1 = member) on the Adult target's evaluation records",
}
WRONG = """\
ad = shadow_sets["Adult"].attack_data_
tau_shadow = ce_loss(ad.posteriors, ad.labels).mean()
P, y, member = targets["Adult"]
guess = (ce_loss(P, y) < tau_shadow).astype(int)
"""


@test_case()
def test_threshold(tau_shadow, shadow_sets, ce_loss):
    ad = shadow_sets["Adult"].attack_data_
    want = ce_loss(ad.posteriors, ad.labels)[ad.membership == 1].mean()
    assert np.isclose(float(tau_shadow), want, rtol=1e-9), (
        "tau_shadow is not the mean loss of the Adult shadows on their own training "
        "records (their members only)"
    )


@test_case()
def test_guesses(guess, tau_shadow, targets, ce_loss):
    P, y, member = targets["Adult"]
    g = np.asarray(guess)
    assert g.shape == (len(y),), f"one guess per evaluation record: shape {(len(y),)}"
    want = (ce_loss(P, y) < float(tau_shadow)).astype(int)
    assert np.mean(g.astype(int) == want) == 1.0, (
        "guess must say 'member' (1) exactly when the record's loss on the Adult target "
        "is below tau_shadow"
    )
