"""Autograder check of exercise ex-ch11-topn (chapter 11): the top-n accuracy at other n."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "ex-ch11-topn"
points = 1
ANSWER = {
    "top_at": "dict from n (20, 200, 1000) to the share of members among the n candidates "
    "the white-box ranking of the 150-epoch target puts first",
}
WRONG = "top_at = {n: float(np.mean(m[np.argsort(white_scores)[:n]])) for n in [20, 200, 1000]}"


@test_case()
def test_top_at(top_at, m, white_scores):
    from mia_lib.gan_attacks import top_n_accuracy

    assert isinstance(top_at, dict), "top_at must be a dict from n to the accuracy"
    assert sorted(int(k) for k in top_at) == [20, 200, 1000], "top_at needs n = 20, 200, 1000"
    for n, v in dict(top_at).items():
        assert np.isclose(float(v), top_n_accuracy(m, white_scores, n=int(n))), (
            f"top_at[{n}] is not the share of members among the {n} highest white-box scores"
        )
