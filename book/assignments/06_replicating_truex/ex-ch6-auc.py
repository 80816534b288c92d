"""Autograder check of exercise ex-ch6-auc (chapter 6): the transfer verdicts by AUC."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "ex-ch6-auc"
points = 1
ANSWER = {
    "by_metric": "dict: (metric, verdict key) -> the verdict, for the metrics 'accuracy' "
    "and 'auc' and both transfer verdicts (target_type, attacker_types_interchangeable)",
}
WRONG = """\
by_metric = {}
for metric in ["accuracy", "auc"]:
    for rule in [truex_transfer.target_type,
                 truex_transfer.attacker_types_interchangeable]:
        v = rule(t_rows)
        by_metric[metric, v.key] = v"""

KEYS = ["target_type", "attacker_types_interchangeable"]


@test_case()
def test_keys(by_metric):
    assert isinstance(by_metric, dict), "by_metric must be a dict"
    want = sorted((m, k) for m in ["accuracy", "auc"] for k in KEYS)
    assert sorted(by_metric) == want, f"by_metric must have the keys {want}"


@test_case()
def test_verdicts(by_metric, t_rows):
    from mia_lib.papers.verdicts import truex_transfer

    for (metric, key), v in by_metric.items():
        want = getattr(truex_transfer, key)(t_rows, metric=metric)
        assert getattr(v, "word", None) == want.word, (
            f"by_metric[{metric!r}, {key!r}] has not the verdict of the full transfer "
            f"rows measured by {metric}"
        )
        got, ref = v.flat(), want.flat()
        for name_, value in ref.items():
            if isinstance(value, float):
                assert np.isclose(float(got.get(name_, np.nan)), value), (
                    f"by_metric[{metric!r}, {key!r}] does not rest on the {metric} of the "
                    "full transfer rows"
                )
