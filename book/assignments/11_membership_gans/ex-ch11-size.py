"""Autograder check of exercise ex-ch11-size (chapter 11): fewer members, more epochs."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "ex-ch11-size"
points = 2
ANSWER = {
    "size_results": "dict from the number of members (100, 1000) to {'gan': the DCGAN "
    "(width 16) trained on member_split(..., random_state=SEED)'s members, 'top_n': the "
    "white-box attack's top-n accuracy, 'auc': its AUC}",
}
WRONG = (
    "size_results = {}\n"
    "for n_members in [100, 1000]:\n"
    "    mem, cand = member_split(len(fmnist.X), n_members, 9, random_state=SEED)\n"
    "    truth = np.r_[np.ones(n_members), np.zeros(9 * n_members)]\n"
    "    gan = DCGAN(width=16, epochs=10, random_state=SEED).fit(fmnist.X[mem])\n"
    "    s = WhiteBoxGANAttack().fit(gan).score_samples(fmnist.X[cand])\n"
    "    size_results[n_members] = {'gan': gan, 'top_n': top_n_accuracy(truth, s),\n"
    "                               'auc': auc(truth, s)}"
)

SETTINGS = {100: 100, 1000: 10}  # members: epochs (the same number of steps)


@test_case()
def test_settings(size_results):
    assert isinstance(size_results, dict), "size_results must be a dict from member count"
    assert sorted(int(k) for k in size_results) == [100, 1000], (
        "size_results needs the member counts 100 and 1000"
    )
    for n, epochs in SETTINGS.items():
        gan = dict(size_results)[n]["gan"]
        assert getattr(gan, "width", None) == 16, f"the GAN of {n} members must have width 16"
        assert getattr(gan, "epochs", None) == epochs, (
            f"the GAN of {n} members must train for {epochs} epochs (the same number of "
            "steps as the other)"
        )


@test_case()
def test_attack(size_results, fmnist, SEED):
    from mia_lib.experiments.logan import member_split
    from mia_lib.gan_attacks import WhiteBoxGANAttack, top_n_accuracy
    from mia_lib.metrics import auc

    for n in SETTINGS:
        got = dict(size_results)[n]
        _, cand = member_split(len(fmnist.X), n, 9, random_state=SEED)
        truth = np.r_[np.ones(n), np.zeros(9 * n)]
        s = WhiteBoxGANAttack().fit(got["gan"]).score_samples(fmnist.X[cand])
        assert np.isclose(float(got["top_n"]), top_n_accuracy(truth, s), atol=1e-6), (
            f"the top-n accuracy of {n} members is not the white-box attack's on the "
            "candidates of member_split (members first, nine non-members per member)"
        )
        assert np.isclose(float(got["auc"]), auc(truth, s), atol=1e-6), (
            f"the AUC of {n} members is not the white-box attack's on those candidates"
        )
