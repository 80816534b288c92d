"""What every verdict rule shares: the :class:`Verdict` record and the small tests it uses.

A rule judges one claim against our result rows and returns a :class:`Verdict`: the verdict
*word* (one of :data:`~mia_lib.papers.VERDICTS`), the *numbers* it rests on and the *rule*'s
thresholds. The book writes the sentence in Markdown and glues the word and the numbers
(:meth:`Verdict.flat` gives them as one flat dict of glue-able values).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from ..model import VERDICTS

__all__ = [
    "Verdict",
    "overall",
    "spearman",
    "series_rises",
    "at_least",
    "EFFECT",
    "RISING_SPEARMAN",
    "CHANCE_AUC",
    "ATTACKABLE_PRECISION",
]

#: An effect: a difference of at least 5 points of attack accuracy.
EFFECT = 0.05
#: A series "rises" with a Spearman correlation of at least this (and at least EFFECT).
RISING_SPEARMAN = 0.8
#: An attack "beats chance" on a target when its AUC is at least this.
CHANCE_AUC = 0.6
#: An attack "reaches" a target (there is something to attack) at this precision or more.
ATTACKABLE_PRECISION = 0.7


@dataclass(frozen=True)
class Verdict:
    """The verdict on claim ``paper``/``key``: the ``word`` and what it rests on.

    ``numbers`` maps names to our measured values (floats, ints, booleans such as ``holds``,
    names such as a dataset, or a dict of those per dataset); ``rule`` maps the rule's
    threshold names to their values.

    >>> v = Verdict("truex2018", "shadow_size", "reproduced",
    ...             {"datasets": {"locations": {"acc_smallest": 0.54, "holds": True}}},
    ...             {"size_effect": 0.02})
    >>> v.flat()
    {'datasets_locations_acc_smallest': 0.54, 'datasets_locations_holds': True}
    """

    paper: str
    key: str
    word: str
    numbers: Mapping = field(default_factory=dict)
    rule: Mapping = field(default_factory=dict)

    def __post_init__(self):
        if self.word not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {self.word!r}")

    def flat(self, sep: str = "_") -> dict:
        """The numbers as one flat dict: nested names joined with ``sep``."""
        out: dict = {}

        def walk(prefix, value):
            if isinstance(value, Mapping):
                for k, v in value.items():
                    walk(f"{prefix}{sep}{k}" if prefix else str(k), v)
            else:
                out[prefix] = value

        walk("", self.numbers)
        return out


def overall(holds) -> str:
    """The verdict word from the parts of a claim that were tested: every part holds:
    ``"reproduced"``; some: ``"partly reproduced"``; none: ``"not reproduced"``; no part
    tested: ``"not testable here"``.

    >>> overall([True, False]), overall([]), overall([True, True])
    ('partly reproduced', 'not testable here', 'reproduced')
    """
    holds = [bool(h) for h in holds]
    if not holds:
        return "not testable here"
    if all(holds):
        return "reproduced"
    return "partly reproduced" if any(holds) else "not reproduced"


def spearman(a, b) -> float:
    """Spearman's rank correlation of ``a`` and ``b``; NaN with fewer than 3 points or when
    either is constant.

    The correlation of a few ranks is a simple fraction (one swapped pair among four points
    gives exactly 0.8), which floating point can miss by one unit in the last place; it is
    rounded to 12 decimals, so that a rule's threshold is met when it is met exactly.

    >>> spearman([1, 2, 3], [0.1, 0.5, 0.4]), spearman([1, 2], [3, 4])
    (0.5, nan)
    >>> spearman([1, 2, 3, 4], [0.6, 0.5, 0.7, 0.9])
    0.8
    """
    from scipy.stats import spearmanr

    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if len(a) < 3 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return float("nan")
    return round(float(spearmanr(a, b).statistic), 12)


def at_least(a, b) -> bool:
    """``a >= b`` up to floating point (12 decimals), so that a threshold met exactly is
    met: 0.7 - 0.65 is 0.04999999999999993 in binary floating point.

    >>> 0.7 - 0.65 >= 0.05, at_least(0.7 - 0.65, 0.05)
    (False, True)
    """
    return round(float(a) - float(b), 12) >= 0


def series_rises(x, y, effect: float = EFFECT, min_spearman: float = RISING_SPEARMAN) -> bool:
    """Whether ``y`` rises with ``x``: a Spearman correlation of at least ``min_spearman``
    and a gain of at least ``effect`` from the smallest ``x`` to the largest. With two points
    the correlation is the sign of the change.

    >>> series_rises([2, 10, 30], [0.6, 0.7, 0.9]), series_rises([2, 10], [0.6, 0.62])
    (True, False)
    """
    order = np.argsort(x)
    x, y = np.asarray(x)[order], np.asarray(y, dtype=float)[order]
    rho = spearman(x, y) if len(x) >= 3 else (1.0 if y[-1] > y[0] else -1.0)
    return bool(rho >= min_spearman and y[-1] - y[0] >= effect)
