"""Autograder check of exercise ex-ch10-ceiling (chapter 10): what a perfect attack proves."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "ex-ch10-ceiling"
points = 2
ANSWER = {
    "proved": "dict from n (500, 5,000, 50,000, 500,000) to the ε ≥ that a perfect attack on "
    "n members and n non-members proves at 95% confidence",
}
WRONG = (
    "from mia_lib.dp_bounds import clopper_pearson, epsilon_from_rates\n"
    "proved = {n: epsilon_from_rates(clopper_pearson(n, n, alpha=0.05)[1],\n"
    "                                clopper_pearson(0, n, alpha=0.05)[1])\n"
    "          for n in [500, 5_000, 50_000, 500_000]}"
)

NS = (500, 5_000, 50_000, 500_000)


@test_case()
def test_keys(proved):
    assert isinstance(proved, dict), "proved must be a dict from the number n to ε"
    assert sorted(int(k) for k in proved) == list(NS), (
        "proved needs the numbers 500, 5,000, 50,000 and 500,000"
    )


@test_case()
def test_values(proved):
    from mia_lib.dp_bounds import clopper_pearson, epsilon_from_rates

    got = {int(k): float(v) for k, v in dict(proved).items()}
    for n in NS:
        assert np.isfinite(got[n]), (
            f"proved[{n}] is infinite: a finite audit can only prove a finite ε; use the "
            "confidence bounds of both rates"
        )
        want = epsilon_from_rates(
            clopper_pearson(n, n, alpha=0.05)[0], clopper_pearson(0, n, alpha=0.05)[1]
        )
        assert np.isclose(got[n], want, rtol=1e-6), (
            f"proved[{n}] is not the ε proved from the 95% Clopper-Pearson bounds of a "
            "perfect attack's TPR (lower) and FPR (upper)"
        )
