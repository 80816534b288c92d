"""Autograder check of exercise ex-ch3-band (chapter 3): the band score."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "ex-ch3-band"
points = 2
ANSWER = {
    "centre": "the median confidence_logit of the shadows' members",
    "band": "the evaluate report of the band score on the Locations target",
}
WRONG = """\
centre = np.median(confidence_logit(ad.posteriors))
band = evaluate(is_member, -np.abs(confidence_logit(P_target) - centre))
"""


@test_case()
def test_centre(centre, ad, confidence_logit):
    want = np.median(confidence_logit(ad.posteriors[ad.membership == 1]))
    assert np.isclose(float(centre), want, rtol=1e-9), (
        "centre is not the median confidence_logit of the shadows' members (members only)"
    )


@test_case()
def test_report(band, centre, is_member, P_target, confidence_logit):
    from mia_lib.metrics import evaluate

    want = evaluate(is_member, -np.abs(confidence_logit(P_target) - float(centre)))
    for field in ("auc", "tpr_at_1pct_fpr"):
        assert np.isclose(getattr(band, field), getattr(want, field), atol=1e-9), (
            "band is not the report of minus the distance of each target record's "
            "confidence_logit to centre"
        )
