"""What a published figure and a published claim are: the two records of :mod:`mia_lib.papers`.

Both carry the paper they come from (a key of :data:`PAPERS`), a ``source`` naming the
table, section or README, and a ``status`` (one of :data:`STATUSES`) saying how far the book
may trust them. The records check themselves when made, so an invalid one never exists.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = [
    "STATUSES",
    "PAPERS",
    "VERDICTS",
    "TRANSCRIBED_STATUS",
    "DAGGER",
    "PaperFigure",
    "PaperClaim",
]

#: How a figure or claim reached the book: ``"survey"`` (stated in the survey the book grows
#: from, which cites the paper), ``"repo"`` (the authors' official code README),
#: ``"figure"`` (read off a plot of the paper or of the authors' own write-up, to the
#: precision its ``note`` gives) or ``"transcribed"`` (from a table of the paper, not checked
#: against the PDF here).
STATUSES = ("survey", "repo", "figure", "transcribed")

#: Short paper key -> BibTeX key in ``book/references.bib``.
PAPERS = {
    "shokri2017": "shokri2017membership",
    "truex2018": "truex2018demystifying",
    "salem2019": "salem2018mlleaks",
    "hayes2019": "hayes2017logan",
    "jia2019": "jia2019memguard",
    "choquette2021": "choquette2021label",
    "carlini2022": "carlini2022membership",
    "zarifzadeh2024": "zarifzadeh2024low",
    "abadi2016": "abadi2016deep",
    "jayaraman2019": "jayaraman2019evaluating",
    "opacus2021": "yousefpour2021opacus",
    "tfprivacy": "tfprivacy2019",
    "hilprecht2019": "hilprecht2019monte",
    "ye2022": "ye2022enhanced",
    "gehrke2021": "gehrke2021introduction",
}

#: What a replication may conclude about a claim.
VERDICTS = ("reproduced", "partly reproduced", "not reproduced", "not testable here")

#: The status column of a transcribed figure in a paper-vs-ours table.
TRANSCRIBED_STATUS = "transcribed — check the original"
#: The mark after a transcribed figure's value.
DAGGER = "†"


def _check_origin(item, what: str) -> None:
    """A figure's or claim's status, paper and source must be known and given."""
    if item.status not in STATUSES:
        raise ValueError(f"status must be one of {STATUSES}, got {item.status!r}")
    if item.paper not in PAPERS:
        raise ValueError(f"unknown paper {item.paper!r}; known: {sorted(PAPERS)}")
    if not isinstance(item.key, str) or not item.key.strip():
        raise ValueError(f"{what} of {item.paper} has no key")
    if not isinstance(item.source, str) or not item.source.strip():
        raise ValueError(f"{what} {item.paper}/{item.key} has no source")


def _finite(v, key: str) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise ValueError(f"value of {key} must be a number, got {v!r}")
    if not math.isfinite(v):
        raise ValueError(f"value of {key} must be finite, got {v!r}")
    return float(v)


@dataclass(frozen=True)
class PaperFigure:
    """One published number: which paper, what it measures, its value and where it is from.

    ``value`` is a float or a ``(lo, hi)`` tuple for a stated range (the survey's "0.6 to
    0.8"); ``source`` names the table, figure or README it comes from; ``status`` is one of
    :data:`STATUSES`; ``note`` says anything else a reader should know (a corroboration, a
    caveat), or is empty.

    >>> PaperFigure("shokri2017", "k", "a range", (0.6, 0.8), "Sec. VI", "survey").is_range
    True
    >>> PaperFigure("shokri2017", "k", "d", float("nan"), "Sec. VI", "survey")
    Traceback (most recent call last):
    ...
    ValueError: value of k must be finite, got nan
    """

    paper: str
    key: str
    description: str
    value: float | tuple[float, float]
    source: str
    status: str
    note: str = ""

    def __post_init__(self):
        _check_origin(self, "figure")
        if not isinstance(self.description, str) or not self.description.strip():
            raise ValueError(f"figure {self.paper}/{self.key} has no description")
        if isinstance(self.value, tuple | list):
            if len(self.value) != 2:
                raise ValueError(f"range of {self.key} must be (lo, hi), got {self.value!r}")
            lo, hi = (_finite(v, self.key) for v in self.value)
            if not lo <= hi:
                raise ValueError(f"range {tuple(self.value)} of {self.key} is not ordered")
            object.__setattr__(self, "value", (lo, hi))
        else:
            object.__setattr__(self, "value", _finite(self.value, self.key))

    @property
    def citation(self) -> str:
        """BibTeX key of the paper."""
        return PAPERS[self.paper]

    @property
    def is_range(self) -> bool:
        return isinstance(self.value, tuple)


@dataclass(frozen=True)
class PaperClaim:
    """A published statement about an effect (no table value), with its source and status.

    Truex et al. and much of Salem et al. reach the book through the survey as directions
    ("more classes give higher attack accuracy"); a replication measures the effect and says
    whether it reproduces it (:func:`mia_lib.papers.claims_vs_ours`). ``rule`` names the
    function of :mod:`mia_lib.papers.verdicts` that judges the claim (``"truex.n_classes"``)
    and ``experiment`` the replication whose result rows it reads; both may be empty.
    """

    paper: str
    key: str
    claim: str
    source: str
    status: str
    note: str = ""
    rule: str = ""
    experiment: str = ""

    def __post_init__(self):
        _check_origin(self, "claim")
        if not isinstance(self.claim, str) or not self.claim.strip():
            raise ValueError(f"claim {self.paper}/{self.key} has no text")

    @property
    def citation(self) -> str:
        """BibTeX key of the paper."""
        return PAPERS[self.paper]
