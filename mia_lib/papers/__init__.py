"""Published figures and claims that the book's replications compare with, each with its source.

The numbers and statements live in two data files of this package, ``figures.toml`` and
``claims.toml``, drawn from ``PAPER_NUMBERS.md`` of the project (the list the book's "paper"
columns come from); :mod:`mia_lib.papers.data` reads them. Every figure and claim carries a
**status**:

* ``"survey"``: stated in the survey this book grows from, which cites the paper;
* ``"repo"``: printed in the authors' official code README (named in ``source``);
* ``"figure"``: read off a plot of the paper or of the authors' own write-up, to the
  precision its ``note`` gives;
* ``"transcribed"``: transcribed from a table of the paper and **not** checked against the
  PDF here. :func:`paper_vs_ours` marks such a figure with a dagger (``†``) and the status
  ``"transcribed — check the original"``; never quote it as a verified fact.

A figure's ``value`` is a float or a ``(lo, hi)`` range (the survey's "0.6 to 0.8").
The rules that judge a claim against our results are in :mod:`mia_lib.papers.verdicts`.

>>> fig = get("shokri2017", "locations_precision")
>>> fig.value, fig.status
((0.6, 0.8), 'survey')
>>> df = paper_vs_ours([("shokri2017", "locations_precision", 0.85)])
>>> df.loc[0, "paper"], float(df.loc[0, "ours"]), float(df.loc[0, "difference"])
('0.6–0.8', 0.85, 0.05)
"""

from __future__ import annotations

from . import verdicts
from .data import CLAIMS, FIGURES, claims, figures, get, get_claim, load_claims, load_figures
from .model import (
    DAGGER,
    PAPERS,
    STATUSES,
    TRANSCRIBED_STATUS,
    VERDICTS,
    PaperClaim,
    PaperFigure,
)
from .tables import DIFFERENCES, claims_vs_ours, difference, format_value, paper_vs_ours

__all__ = [
    "PaperFigure",
    "FIGURES",
    "PAPERS",
    "STATUSES",
    "figures",
    "get",
    "format_value",
    "difference",
    "paper_vs_ours",
    "DIFFERENCES",
    "PaperClaim",
    "CLAIMS",
    "VERDICTS",
    "claims",
    "get_claim",
    "claims_vs_ours",
    "load_figures",
    "load_claims",
    "TRANSCRIBED_STATUS",
    "DAGGER",
    "verdicts",
]
