"""Published figures and claims beside ours: the tables of the book's replication chapters."""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable

import pandas as pd

from .._validation import check_positive_int
from .data import get, get_claim
from .model import DAGGER, TRANSCRIBED_STATUS, VERDICTS, PaperFigure

__all__ = ["format_value", "difference", "paper_vs_ours", "claims_vs_ours", "DIFFERENCES"]

#: Which rows of :func:`paper_vs_ours` get a difference: ``"all"`` (but those marked
#: ``same_setting=False``) or ``"same_setting"`` (only those marked ``same_setting=True``).
DIFFERENCES = ("all", "same_setting")

_ROW_KEYS = {"paper", "key", "figure", "ours", "quantity", "note", "same_setting"}


def format_value(fig: PaperFigure, digits: int = 3) -> str:
    """The paper's value as text: ``0.848``, a range ``0.6–0.8``; transcribed ones get ``†``.

    >>> format_value(get("shokri2017", "train_acc_adult"))
    '0.848†'
    """
    if fig.is_range:
        lo, hi = fig.value
        text = f"{_num(lo, digits)}–{_num(hi, digits)}"
    else:
        text = _num(fig.value, digits)
    return text + (DAGGER if fig.status == "transcribed" else "")


def _num(v: float, digits: int) -> str:
    if float(v).is_integer() and abs(v) >= 10:
        return f"{int(v):,}"
    text = f"{round(float(v), digits):g}"
    return text if "." in text or "e" in text else text + ".0"


def difference(fig: PaperFigure, ours: float | None) -> float:
    """``ours - paper``; for a range, 0 inside it and the distance to the nearer bound outside.

    NaN when ``ours`` is missing.

    >>> difference(get("shokri2017", "locations_precision"), 0.55)
    -0.05...
    """
    ours = _check_ours(ours)
    if math.isnan(ours):
        return float("nan")
    if fig.is_range:
        lo, hi = fig.value
        if ours < lo:
            return ours - lo
        if ours > hi:
            return ours - hi
        return 0.0
    return ours - float(fig.value)


def _check_ours(ours) -> float:
    """Our value as a float (NaN when missing): a finite number, NaN or None."""
    if ours is None:
        return float("nan")
    if isinstance(ours, bool) or not isinstance(ours, numbers.Real):
        raise TypeError(f"ours must be a number or None, got {ours!r}.")
    if math.isinf(ours):
        raise ValueError(f"ours must be finite (NaN or None for a missing value), got {ours!r}.")
    return float(ours)


def _resolve(item) -> dict:
    """Accept (paper, key, ours[, quantity]), (PaperFigure, ours[, quantity]) or a dict."""
    if isinstance(item, dict):
        unknown = sorted(set(item) - _ROW_KEYS)
        if unknown:
            raise ValueError(f"unknown row field(s) {unknown}; allowed: {sorted(_ROW_KEYS)}")
        fig = item.get("figure")
        if fig is None:
            if "paper" not in item or "key" not in item:
                raise ValueError(
                    f"a dict row needs 'paper' and 'key' (or 'figure'), got keys {sorted(item)}"
                )
            fig = get(item["paper"], item["key"])
        elif not isinstance(fig, PaperFigure):
            fig = get(*fig.split("/", 1))
        same = item.get("same_setting")
        if same is not None and not isinstance(same, bool):
            raise ValueError(f"same_setting must be True, False or None, got {same!r}")
        return {**item, "figure": fig, "same_setting": same}
    item = tuple(item)
    if item and isinstance(item[0], PaperFigure) and 2 <= len(item) <= 3:
        fig, rest = item[0], item[1:]
    elif not item or isinstance(item[0], PaperFigure) or not 3 <= len(item) <= 4:
        raise ValueError(
            "a row is (paper, key, ours[, quantity]) or (PaperFigure, ours[, quantity]); "
            f"got {item!r}"
        )
    else:
        fig, rest = get(item[0], item[1]), item[2:]
    return {"figure": fig, "ours": rest[0], "quantity": rest[1] if len(rest) > 1 else None}


def paper_vs_ours(rows: Iterable, digits: int = 3, *, differences: str = "all") -> pd.DataFrame:
    """Table of published figures beside ours.

    Each row is ``(paper, key, ours)``, ``(paper, key, ours, quantity)``,
    ``(PaperFigure, ours)`` or a dict with ``paper``/``key`` (or ``figure``: a PaperFigure
    or ``"paper/key"``), ``ours`` and optionally ``quantity`` (the row label; default: the
    figure's description), ``note`` and ``same_setting``.

    Columns: ``quantity``, ``paper`` (text: the value, a range ``lo–hi``, and ``†`` when
    transcribed), ``ours`` (rounded), ``difference`` (``ours - paper``, 0 inside a range),
    ``source`` and ``status`` (``"transcribed — check the original"`` for transcribed
    figures). A ``note`` column is added when any row has one.

    **Different settings.** A difference means something only when ours is measured on the
    paper's dataset and model. Mark a row ``same_setting=False`` (ours on other data or
    another model) and its difference is left empty (NaN); mark it ``True`` when the setting
    is the paper's. A ``setting`` column (``"same"``, ``"differs"`` or empty) is added when
    any row is marked. By default (``differences="all"``) unmarked rows keep their
    difference, as before; with ``differences="same_setting"`` only rows marked True get
    one, and the ``difference`` column is left out when no row has one.

    >>> df = paper_vs_ours([("shokri2017", "test_acc_adult", 0.83, "Adult test accuracy")])
    >>> df.iloc[0].to_dict()["paper"], df.iloc[0].to_dict()["status"]
    ('0.842†', 'transcribed — check the original')
    >>> float(df["difference"].iloc[0])
    -0.012
    >>> df = paper_vs_ours([{"paper": "shokri2017", "key": "purchase20_precision",
    ...                      "ours": 0.55, "same_setting": False}], differences="same_setting")
    >>> list(df.columns)
    ['quantity', 'paper', 'ours', 'source', 'status', 'setting']
    """
    if differences not in DIFFERENCES:
        raise ValueError(f"differences must be one of {DIFFERENCES}, got {differences!r}")
    digits = check_positive_int(digits, "digits", minimum=0)
    records = []
    for item in rows:
        row = _resolve(item)
        fig, ours, same = row["figure"], row.get("ours"), row.get("same_setting")
        shown = same is True or (same is None and differences == "all")
        diff = difference(fig, ours) if shown else float("nan")
        rec = {
            "quantity": row.get("quantity") or fig.description,
            "paper": format_value(fig, digits),
            "ours": round(_check_ours(ours), digits),
            "difference": round(diff, digits) if not math.isnan(diff) else float("nan"),
            "source": fig.source,
            "status": TRANSCRIBED_STATUS if fig.status == "transcribed" else fig.status,
            "setting": {True: "same", False: "differs", None: ""}[same],
        }
        if row.get("note") is not None:
            rec["note"] = row["note"]
        records.append(rec)
    cols = ["quantity", "paper", "ours", "difference", "source", "status"]
    if differences == "same_setting" and not any(r["setting"] == "same" for r in records):
        cols.remove("difference")
    if any(r["setting"] for r in records):
        cols.append("setting")
    if any("note" in r for r in records):
        cols.append("note")
    return pd.DataFrame.from_records(records, columns=cols)


def claims_vs_ours(rows: Iterable) -> pd.DataFrame:
    """Table of claims beside what we measured and our verdict.

    Each row is ``(paper, key, ours, verdict)`` or ``(v, ours)`` for a ``Verdict`` ``v`` of
    :mod:`mia_lib.papers.verdicts`: ``ours`` is a short text with our numbers (made from
    computed values, never typed), ``verdict`` one of :data:`VERDICTS`.
    Columns: ``claim``, ``ours``, ``verdict``, ``source``, ``status``.

    >>> df = claims_vs_ours([("truex2018", "n_classes", "AUC 0.61 at 2 classes, 0.93 at 30",
    ...                       "reproduced")])
    >>> df.loc[0, "verdict"], df.loc[0, "status"]
    ('reproduced', 'survey')
    >>> claims_vs_ours([("truex2018", "n_classes", "x", "yes")])
    Traceback (most recent call last):
    ...
    ValueError: verdict must be one of ('reproduced', 'partly reproduced', 'not reproduced', 'not testable here'), got 'yes'
    """
    records = []
    for row in rows:
        row = tuple(row)
        if len(row) == 2 and all(hasattr(row[0], a) for a in ("paper", "key", "word")):
            v, ours = row
            paper, key, verdict = v.paper, v.key, v.word
        elif len(row) == 4:
            paper, key, ours, verdict = row
        else:
            raise ValueError(
                f"a row is (paper, key, ours, verdict) or (Verdict, ours); got {row!r}"
            )
        if verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {verdict!r}")
        c = get_claim(paper, key)
        records.append(
            {
                "claim": c.claim,
                "ours": ours,
                "verdict": verdict,
                "source": c.source,
                "status": c.status,
            }
        )
    return pd.DataFrame.from_records(
        records, columns=["claim", "ours", "verdict", "source", "status"]
    )
