"""Autograder check of exercise ex-ch4-rounding (chapter 4): synthesis against defences."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "ex-ch4-rounding"
points = 2
ANSWER = {
    "synths": "dict: 'none', 'Rounding(2)', 'TopK(3)' -> the ModelBasedSynthesizer (10 "
    "records per class, a fixed random_state) run against that service",
}
WRONG = """\
synths = {}
for name in ["none", "Rounding(2)", "TopK(3)"]:
    s = synths[name] = ModelBasedSynthesizer(10, random_state=SEED)
    s.generate(BlackBox(target), d, n_classes=data.n_classes)
"""


def _service(key):
    from mia_lib.query import Rounding, TopK

    return {"none": [], "Rounding(2)": [Rounding(2)], "TopK(3)": [TopK(3)]}[key]


@test_case()
def test_synthesizers(synths):
    from mia_lib.hillclimb import ModelBasedSynthesizer

    for key in ("none", "Rounding(2)", "TopK(3)"):
        s = synths[key]
        assert isinstance(s, ModelBasedSynthesizer), f"synths[{key!r}] is no synthesizer"
        assert s.n_per_class == 10, "synthesise ten records per class"
        assert hasattr(s, "n_queries_"), f"synths[{key!r}] has not generated its records"


@test_case()
def test_services(synths, target, d, data):
    from sklearn.base import clone

    from mia_lib.query import BlackBox

    for key in ("none", "Rounding(2)", "TopK(3)"):
        s = synths[key]
        ref = clone(s)
        ref.generate(BlackBox(target, transforms=_service(key)), d, n_classes=data.n_classes)
        assert ref.n_queries_ == s.n_queries_ and np.array_equal(ref.X_, s.X_), (
            f"synths[{key!r}] was not run against the target behind that service (and "
            "with a fixed random_state)"
        )
