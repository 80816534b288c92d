"""Autograder check of exercise ex-ch11-aux (chapter 11): known members for the auxiliary attack."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "ex-ch11-aux"
points = 2
ANSWER = {
    "aux2": "the AuxiliaryGANAttack fitted on the target with the known non-members and 60 "
    "known members",
    "left2": "the candidates it scores: those of `left` less the known members",
    "lift_both": "its top-n accuracy on left2 minus left2's baseline (share of members)",
    "lift_nonmembers": "the same lift of the chapter's attack `aux` (non-members known)",
}
WRONG = (
    "known_in = rng.permutation(200)[:60]\n"
    "left2 = left\n"
    "aux2 = AuxiliaryGANAttack(n_samples=1000, classifier=TorchCNNClassifier(epochs=10),\n"
    "                          random_state=SEED)\n"
    "aux2.fit(target, X_nonmembers=X[known], X_members=X[known_in])\n"
    "lift_both = top_n_accuracy(m[left2], aux2.score_samples(X[left2])) - m[left2].mean()\n"
    "lift_nonmembers = top_n_accuracy(m[left], aux_scores)"
)


@test_case()
def test_candidates(left2, left, m):
    left2, left = np.asarray(left2), np.asarray(left)
    assert set(left2) <= set(left), "left2 must hold only candidates of `left`"
    dropped = np.setdiff1d(left, left2)
    assert len(dropped) == 60, (
        f"left2 must leave out the 60 known members; it leaves out {len(dropped)} candidates"
    )
    assert np.all(m[dropped] == 1), "the candidates left out must be members"


@test_case()
def test_lift_both(aux2, left2, lift_both, X, m):
    from mia_lib.gan_attacks import top_n_accuracy

    left2 = np.asarray(left2)
    assert len(getattr(aux2, "samples_", [])) == 1000, (
        "aux2 must be an AuxiliaryGANAttack with 1,000 samples, fitted on the target"
    )
    assert getattr(aux2, "n_members_known_", 0) == 60, (
        "aux2 must be fitted with the 60 known members (X_members) as well"
    )
    s = aux2.score_samples(X[left2])
    want = top_n_accuracy(m[left2], s) - m[left2].mean()
    assert np.isclose(float(lift_both), want, atol=1e-6), (
        "lift_both is not aux2's top-n accuracy on left2 minus the share of members there"
    )


@test_case()
def test_lift_nonmembers(lift_nonmembers, left, aux_scores, m):
    from mia_lib.gan_attacks import top_n_accuracy

    left = np.asarray(left)
    want = top_n_accuracy(m[left], aux_scores) - m[left].mean()
    assert np.isclose(float(lift_nonmembers), want, atol=1e-6), (
        "lift_nonmembers is not the top-n accuracy of `aux` on `left` minus its baseline"
    )
