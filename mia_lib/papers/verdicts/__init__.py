"""Verdict rules: each published claim judged against our result rows, by a stated rule.

A rule is a function of the result rows of one replication (``claims.toml`` names it in the
claim's ``rule`` field, and the replication in ``experiment``) that returns a
:class:`Verdict`: the verdict word (one of :data:`~mia_lib.papers.VERDICTS`), the numbers it
rests on, and the rule's thresholds. Sentences are the book's to write: it states the rule
in Markdown and glues the word and the numbers.

One module per replication, one function per claim it tests (named after the claim):

* Truex et al. (chapter 6): :mod:`~mia_lib.papers.verdicts.truex_transfer`,
  :mod:`~mia_lib.papers.verdicts.truex_data_factors`,
  :mod:`~mia_lib.papers.verdicts.truex_knowledge`;
* Salem et al. (chapter 7): :mod:`~mia_lib.papers.verdicts.salem_adversary1`,
  :mod:`~mia_lib.papers.verdicts.salem_data_transfer`,
  :mod:`~mia_lib.papers.verdicts.salem_threshold`;
* defences at the API (chapter 8): :mod:`~mia_lib.papers.verdicts.defences_api`,
  :mod:`~mia_lib.papers.verdicts.memguard`;
* defences in training (chapter 9): :mod:`~mia_lib.papers.verdicts.defences_training`;
* Hayes et al.'s LOGAN (chapter 11): :mod:`~mia_lib.papers.verdicts.hayes_logan`;
* the number of shadow models and the dimensionality conjecture (chapter 13):
  :mod:`~mia_lib.papers.verdicts.n_reference_models`,
  :mod:`~mia_lib.papers.verdicts.dimensionality`;
* :mod:`~mia_lib.papers.verdicts.rules`: :class:`Verdict`, :func:`overall`,
  :func:`spearman`, :func:`series_rises` and the shared thresholds.

>>> from mia_lib.papers import get_claim
>>> rule_of(get_claim("truex2018", "shadow_size")).__name__
'shadow_size'
>>> rows = [{"experiment": "shadow_size", "dataset": "d", "shadow_size": n,
...          "accuracy_mean": a} for n, a in [(150, 0.55), (300, 0.7), (1200, 0.9)]]
>>> v = judge("truex2018", "shadow_size", rows)
>>> v.word, round(v.numbers["datasets"]["d"]["acc_largest"], 2)
('reproduced', 0.9)
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from ..data import get_claim
from ..model import PaperClaim
from . import (
    defences_api,
    defences_training,
    hayes_logan,
    memguard,
    salem_adversary1,
    salem_data_transfer,
    salem_threshold,
    truex_data_factors,
    truex_knowledge,
    truex_transfer,
)
from .rules import (
    ATTACKABLE_PRECISION,
    CHANCE_AUC,
    EFFECT,
    RISING_SPEARMAN,
    Verdict,
    overall,
    series_rises,
    spearman,
)

__all__ = [
    "Verdict",
    "overall",
    "spearman",
    "series_rises",
    "EFFECT",
    "RISING_SPEARMAN",
    "CHANCE_AUC",
    "ATTACKABLE_PRECISION",
    "rule_of",
    "judge",
    "truex_transfer",
    "truex_data_factors",
    "truex_knowledge",
    "salem_adversary1",
    "salem_data_transfer",
    "salem_threshold",
    "defences_api",
    "defences_training",
    "hayes_logan",
    "memguard",
]


def rule_of(claim: PaperClaim) -> Callable[..., Verdict]:
    """The verdict function named in ``claim.rule`` (``"module.function"`` of this package;
    the module is the claim's ``experiment``).

    A ValueError when the claim names no rule or one that does not exist.
    """
    if not claim.rule:
        raise ValueError(f"claim {claim.paper}/{claim.key} names no verdict rule")
    module, _, name = claim.rule.rpartition(".")
    try:
        fn = getattr(import_module(f"{__name__}.{module}"), name)
    except (ImportError, AttributeError, ValueError):
        raise ValueError(
            f"claim {claim.paper}/{claim.key}: no verdict rule {claim.rule!r} in {__name__}"
        ) from None
    return fn


def judge(paper: str, key: str, rows, **options) -> Verdict:
    """The verdict on claim ``paper``/``key`` from ``rows``, the result rows of the claim's
    ``experiment`` (``result["results"]["rows"]``), by the claim's rule."""
    return rule_of(get_claim(paper, key))(rows, **options)
