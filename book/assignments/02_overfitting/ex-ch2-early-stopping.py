"""Autograder check of exercise ex-ch2-early-stopping (chapter 2): the stopping epoch."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "ex-ch2-early-stopping"
points = 2
ANSWER = {"e": "the epoch (a label of loc_curve's index) with the lowest test loss"}
WRONG = 'e = int(loc_curve["test_loss"].argmin())'


@test_case()
def test_epoch(e, loc_curve):
    assert isinstance(e, (int, np.integer)), "e must be an epoch number (an integer)"
    assert int(e) in loc_curve.index, "e is not one of the epochs of loc_curve"
    assert loc_curve.loc[int(e), "test_loss"] == loc_curve["test_loss"].min(), (
        "at epoch e the test loss is not the lowest of the curve (epochs are numbered "
        "from 1: mind the difference between a position and an epoch)"
    )
