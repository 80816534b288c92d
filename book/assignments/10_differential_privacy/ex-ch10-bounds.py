"""Autograder check of exercise ex-ch10-bounds (chapter 10): where the bounds reach 0.5."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "ex-ch10-bounds"
points = 1
ANSWER = {
    "eps_yeom": "the ε at which Yeom's bound e^ε - 1 reaches 0.5",
    "eps_tight": "the ε at which the tight bound (e^ε - 1)/(e^ε + 1) (δ = 0) reaches 0.5",
}
WRONG = "eps_yeom, eps_tight = math.log(3), math.log(1.5)"


@test_case()
def test_yeom(eps_yeom):
    from mia_lib.dp_bounds import yeom_bound

    eps = float(eps_yeom)
    assert eps > 0, "eps_yeom must be a positive ε"
    assert np.isclose(yeom_bound(eps), 0.5, atol=1e-3), (
        f"Yeom's bound at eps_yeom is {yeom_bound(eps):.3f}, not 0.5"
    )


@test_case()
def test_tight(eps_tight):
    from mia_lib.dp_bounds import advantage_bound

    eps = float(eps_tight)
    assert eps > 0, "eps_tight must be a positive ε"
    assert np.isclose(advantage_bound(eps), 0.5, atol=1e-3), (
        f"the tight bound at eps_tight is {advantage_bound(eps):.3f}, not 0.5"
    )
