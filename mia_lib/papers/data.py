"""The figures and claims, read from the package's data files, and how to look them up.

``figures.toml`` holds one ``[[figure]]`` table per published number and ``claims.toml`` one
``[[claim]]`` table per published statement (see the comments at the top of each file). They
are read once, on import, into :data:`FIGURES` and :data:`CLAIMS`; a malformed entry stops
the import with an error that names the file and the entry.
"""

from __future__ import annotations

import tomllib
from importlib.resources import files

from .model import PAPERS, STATUSES, PaperClaim, PaperFigure

__all__ = [
    "load_figures",
    "load_claims",
    "FIGURES",
    "CLAIMS",
    "figures",
    "get",
    "claims",
    "get_claim",
]

_FIGURE_FIELDS = {"paper", "key", "description", "value", "source", "status"}
_CLAIM_FIELDS = {"paper", "key", "claim", "source", "status"}
_OPTIONAL = {"figure": {"note"}, "claim": {"note", "rule", "experiment"}}


def _read(name: str) -> str:
    return files(__package__).joinpath(name).read_text(encoding="utf-8")


def _entries(text: str, name: str, table: str) -> list[dict]:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ValueError(f"{name}: not valid TOML: {e}") from None
    unknown = set(doc) - {table}
    if unknown:
        raise ValueError(f"{name}: unknown top-level keys {sorted(unknown)}; only [[{table}]]")
    entries = doc.get(table, [])
    if not isinstance(entries, list):
        raise ValueError(f"{name}: {table!r} must be an array of tables [[{table}]]")
    return entries


def _build(entries, name: str, table: str, required: set, make) -> tuple:
    out, seen = [], {}
    allowed = required | _OPTIONAL[table]
    for i, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise ValueError(f"{name}: {table} #{i} is not a table: {entry!r}")
        where = f"{name}: {table} #{i} ({entry.get('paper', '?')}/{entry.get('key', '?')})"
        missing = sorted(required - set(entry))
        if missing:
            raise ValueError(f"{where}: missing field(s) {missing}")
        extra = sorted(set(entry) - allowed)
        if extra:
            raise ValueError(f"{where}: unknown field(s) {extra}; allowed: {sorted(allowed)}")
        ident = (entry["paper"], entry["key"])
        if ident in seen:
            raise ValueError(f"{where}: duplicate key, first given in {table} #{seen[ident]}")
        seen[ident] = i
        try:
            out.append(make(entry))
        except (TypeError, ValueError) as e:
            raise ValueError(f"{where}: {e}") from None
    return tuple(out)


def _figure(entry: dict) -> PaperFigure:
    value = entry["value"]
    return PaperFigure(**{**entry, "value": tuple(value) if isinstance(value, list) else value})


def load_figures(text: str | None = None, name: str = "figures.toml") -> tuple[PaperFigure, ...]:
    """The figures of a ``figures.toml`` text (the package's own file when ``text`` is None).

    Checks every entry: the fields present and known, ``(paper, key)`` unique, and what
    :class:`~mia_lib.papers.PaperFigure` checks (status, paper, source, a finite value or an
    ordered range); the error names ``name`` and the entry.

    >>> load_figures('[[figure]]\\npaper = "jia2019"\\nkey = "x"\\ndescription = "d"\\n'
    ...              'value = 0.5\\nsource = "README"\\nstatus = "meh"', name="mine.toml")
    Traceback (most recent call last):
    ...
    ValueError: mine.toml: figure #1 (jia2019/x): status must be one of ('survey', 'repo', 'figure', 'transcribed'), got 'meh'
    """
    text = _read(name) if text is None else text
    return _build(_entries(text, name, "figure"), name, "figure", _FIGURE_FIELDS, _figure)


def load_claims(text: str | None = None, name: str = "claims.toml") -> tuple[PaperClaim, ...]:
    """The claims of a ``claims.toml`` text (the package's own file when ``text`` is None),
    checked like :func:`load_figures`."""
    text = _read(name) if text is None else text
    return _build(
        _entries(text, name, "claim"), name, "claim", _CLAIM_FIELDS, lambda e: PaperClaim(**e)
    )


#: Every published figure, in the order of ``figures.toml`` (that of ``PAPER_NUMBERS.md``).
FIGURES: tuple[PaperFigure, ...] = load_figures()
#: Every claim, in the order of ``claims.toml``.
CLAIMS: tuple[PaperClaim, ...] = load_claims()


def figures(paper: str | None = None, status: str | None = None) -> list[PaperFigure]:
    """The figures of one paper and/or one status (all when both are None).

    >>> len(figures("jia2019"))
    6
    """
    _check_paper(paper)
    if status is not None and status not in STATUSES:
        raise ValueError(f"status must be one of {STATUSES}, got {status!r}")
    return [
        f
        for f in FIGURES
        if (paper is None or f.paper == paper) and (status is None or f.status == status)
    ]


def get(paper: str, key: str) -> PaperFigure:
    """The figure ``key`` of ``paper``; a KeyError lists the keys of that paper if unknown.

    >>> get("shokri2017", "test_acc_locations").value
    0.673
    """
    for f in FIGURES:
        if f.paper == paper and f.key == key:
            return f
    known = [f.key for f in FIGURES if f.paper == paper]
    if not known:
        raise KeyError(f"unknown paper {paper!r}; known: {sorted(PAPERS)}")
    raise KeyError(f"no figure {key!r} for {paper!r}; known: {known}")


def _check_paper(paper, allow_none: bool = True) -> None:
    if paper is None and allow_none:
        return
    if not isinstance(paper, str) or paper not in PAPERS:
        raise KeyError(f"unknown paper {paper!r}; known: {sorted(PAPERS)}")


def claims(paper: str | None = None) -> list[PaperClaim]:
    """The claims of one paper (all when None).

    >>> [c.key for c in claims("truex2018")][:2]
    ['n_classes', 'in_class_std']
    """
    _check_paper(paper)
    return [c for c in CLAIMS if paper is None or c.paper == paper]


def get_claim(paper: str, key: str) -> PaperClaim:
    """The claim ``key`` of ``paper``; a KeyError lists the keys of that paper if unknown.

    >>> get_claim("salem2019", "one_shadow").status
    'survey'
    """
    for c in CLAIMS:
        if c.paper == paper and c.key == key:
            return c
    _check_paper(paper, allow_none=False)
    known = [c.key for c in CLAIMS if c.paper == paper]
    raise KeyError(f"no claim {key!r} for {paper!r}; known: {known}")
