"""Anonymising a table by generalising its quasi-identifiers, and measuring k-anonymity.

Truex et al. list "anonymise the data" among the ways to harden a model. The classic
anonymisation of a table is *generalisation* (Sweeney's k-anonymity): the quasi-identifiers
(attributes that, combined, single a person out: age, sex, race, marital status, education,
country of birth) are coarsened until every record shares its combination with at least
``k - 1`` others. It protects against re-identification from those attributes; it is not a
defence against membership inference, which asks whether a record was in the training set
at all, and a model trained on generalised records can still remember them.

* :func:`generalise_adult`: Adult's quasi-identifiers generalised (age in bands, fewer
  education, marital status, race and country categories), the same records in the same
  order, in the layout of ``load_dataset("adult")``.
* :func:`group_sizes` and :func:`k_anonymous_share`: how many records share each record's
  quasi-identifier combination, and the share of records hidden in a group of ``k`` or more.

>>> names = ["age", "sex=Female", "sex=Male", "race=Black", "race=White"]
>>> X = [[24, 1, 0, 0, 1], [28, 1, 0, 1, 0], [47, 0, 1, 0, 1]]   # ages in years
>>> group_sizes(X, names, ["age", "sex", "race"]).tolist()
[1, 1, 1]
>>> G, gnames = generalise_adult(X, names, age_range=None, drop=(),
...                              merges={"race": {"White": "White", "*": "Other"}})
>>> gnames, G[:, 0].tolist()
(['age', 'sex=Female', 'sex=Male', 'race=Other', 'race=White'], [20.0, 20.0, 40.0])
>>> group_sizes(G, gnames, ["age", "sex"]).tolist(), k_anonymous_share(G, gnames, 2, ["age"])
([2, 2, 1], 0.6666666666666666)
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence

import numpy as np

from ._validation import check_features, check_finite_number, check_positive_int

__all__ = [
    "ADULT_QUASI_IDENTIFIERS",
    "ADULT_AGE_RANGE",
    "ADULT_MERGES",
    "ADULT_DROP",
    "generalise_adult",
    "group_sizes",
    "k_anonymous_share",
]

#: The quasi-identifiers of Adult (those of the k-anonymity literature that the census
#: extract holds; it has no ZIP code or birth date).
ADULT_QUASI_IDENTIFIERS = ("age", "sex", "race", "marital-status", "education", "native-country")

#: The ages of all 48,842 Adult records span 17 to 90: ``load_dataset("adult")`` min-max
#: scales the age column with these, so ``age = 17 + 73 * x``.
ADULT_AGE_RANGE = (17.0, 90.0)

#: The category merges of :func:`generalise_adult`: per attribute, old category -> new one
#: (``"*"``: every category not listed).
ADULT_MERGES = {
    "education": {
        **dict.fromkeys(
            ["Preschool", "1st-4th", "5th-6th", "7th-8th", "9th", "10th", "11th", "12th"],
            "No-diploma",
        ),
        "HS-grad": "HS-grad",
        **dict.fromkeys(["Some-college", "Assoc-acdm", "Assoc-voc"], "Some-college-or-Assoc"),
        "Bachelors": "Bachelors",
        **dict.fromkeys(["Masters", "Prof-school", "Doctorate"], "Advanced"),
    },
    "marital-status": {
        **dict.fromkeys(
            ["Married-civ-spouse", "Married-AF-spouse", "Married-spouse-absent"], "Married"
        ),
        "Never-married": "Never-married",
        **dict.fromkeys(["Divorced", "Separated", "Widowed"], "Previously-married"),
    },
    "race": {"White": "White", "*": "Other"},
    "native-country": {"United-States": "United-States", "*": "Other"},
}

#: Columns :func:`generalise_adult` removes: ``education-num`` is the education category as
#: a number, which would undo the merged education levels.
ADULT_DROP = ("education-num",)


def _check_names(feature_names, n_columns: int) -> list[str]:
    if isinstance(feature_names, str) or not isinstance(feature_names, Sequence | np.ndarray):
        raise TypeError(
            "feature_names must be a list of column names (Dataset.feature_names), got "
            f"{type(feature_names).__name__}."
        )
    names = [str(n) if isinstance(n, np.str_) else n for n in feature_names]
    if not all(isinstance(n, str) for n in names):
        raise TypeError("feature_names must hold strings (column names such as 'age').")
    if len(names) != n_columns:
        raise ValueError(
            f"feature_names has {len(names)} names for {n_columns} columns of X; pass the "
            "names of X's columns (Dataset.feature_names)."
        )
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise ValueError(f"feature_names holds {dup!r} twice; column names must be unique.")
    return names


def _columns(names: list[str], attribute: str) -> list[int]:
    """Positions of ``attribute``: its numeric column or its one-hot columns."""
    return [i for i, n in enumerate(names) if n == attribute or n.startswith(attribute + "=")]


def _check_attributes(attributes, names: list[str]) -> list[str]:
    if isinstance(attributes, str):
        attributes = [attributes]
    try:
        attributes = list(attributes)
    except TypeError:
        raise TypeError(
            f"attributes must be a list of attribute names, got {attributes!r}."
        ) from None
    if not attributes:
        raise ValueError("attributes is empty; name at least one quasi-identifier.")
    missing = [a for a in attributes if not isinstance(a, str) or not _columns(names, a)]
    if missing:
        raise ValueError(
            f"no column of X belongs to attribute(s) {missing}; an attribute is a column "
            "name ('age') or the prefix of one-hot columns ('sex' for 'sex=Female')."
        )
    return attributes


def _age_years(x: np.ndarray, age_range) -> np.ndarray:
    if age_range is None:
        return x.astype(np.float64)
    try:
        lo, hi = (check_finite_number(v, "age_range") for v in age_range)
    except TypeError:
        raise TypeError(
            f"age_range must be a pair (low, high) or None, got {age_range!r}."
        ) from None
    if not lo < hi:
        raise ValueError(f"age_range must be (low, high) with low < high, got {age_range!r}.")
    years = lo + (hi - lo) * x.astype(np.float64)
    outside = np.any((years < lo - 1e-3) | (years > hi + 1e-3))
    if outside or np.any(np.abs(years - np.round(years)) > 1e-3):
        raise ValueError(
            f"the age column does not hold ages min-max scaled from {age_range} (whole years "
            "after unscaling); pass age_range=None for ages in years, or the range the "
            "column was scaled with."
        )
    return np.round(years)


def _scale_back(years: np.ndarray, age_range) -> np.ndarray:
    if age_range is None:
        return years
    lo, hi = (float(v) for v in age_range)
    return (years - lo) / (hi - lo)


def _check_merges(merges) -> dict:
    if not isinstance(merges, Mapping):
        raise TypeError(
            "merges must be a dict {attribute: {old category: new category}}, got "
            f"{type(merges).__name__}."
        )
    for attr, mapping in merges.items():
        if not isinstance(mapping, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()
        ):
            raise TypeError(
                f"merges[{attr!r}] must map category names to new category names (strings), "
                f"got {mapping!r}."
            )
    return dict(merges)


def generalise_adult(
    X,
    feature_names,
    *,
    age_band: int | None = 10,
    age_range=ADULT_AGE_RANGE,
    merges=ADULT_MERGES,
    drop=ADULT_DROP,
) -> tuple[np.ndarray, list[str]]:
    """Adult's records with their quasi-identifiers generalised: ``(X, feature_names)``.

    Exactly this, on the layout of ``load_dataset("adult")`` (one-hot columns named
    ``attribute=category``, numeric ones by the attribute's name); every other column is
    copied unchanged, and the records keep their number and order:

    * ``age`` is replaced by the start of its ``age_band``-year band (ages 20 to 29 all
      become 20 with 10-year bands), in the column's own scale: ``age_range`` is the
      (min, max) it was min-max scaled with (:data:`ADULT_AGE_RANGE`, the loader's default;
      the youngest band then starts at the youngest age, 17, so values stay in [0, 1]), or
      None for ages in years.
      ``age_band=None`` leaves ages as they are.
    * each attribute of ``merges`` has its one-hot columns replaced by one column per
      merged category (sorted by name, at the place of the first old column), a record's
      new category being ``merges[attr][old]`` (or ``merges[attr]["*"]``; a category
      neither lists stays itself). The default :data:`ADULT_MERGES`: education in five
      levels (no diploma, high school, some college or associate, bachelor's, advanced),
      marital status in three (married, never married, previously married), race as White
      or other, native country as United States or other.
    * the columns in ``drop`` are removed (:data:`ADULT_DROP`: ``education-num``, the
      education category as a number).

    It does not touch the other attributes (workclass, occupation, relationship, capital
    gains and losses, hours per week, and ``fnlwgt``, the census sampling weight, which is
    nearly unique to each record), and it adds no noise: a model trained on the result can
    still tell its training records from others.
    """
    X = check_features(X)
    names = _check_names(feature_names, X.shape[1])
    merges = _check_merges(merges)
    if isinstance(drop, str):
        drop = [drop]
    drop = list(drop)
    unknown = [d for d in drop if d not in names]
    if unknown:
        raise ValueError(f"drop names column(s) {unknown} that X does not have.")
    cols = {i: X[:, i].astype(np.float64) for i in range(X.shape[1])}
    if age_band is not None:
        band = check_positive_int(age_band, "age_band")
        if "age" not in names:
            raise ValueError("X has no 'age' column; pass age_band=None to keep ages.")
        i = names.index("age")
        years = _age_years(cols[i], age_range)
        start = np.floor(years / band) * band
        if age_range is not None:  # the youngest band starts at the youngest age
            start = np.maximum(start, float(age_range[0]))
        cols[i] = _scale_back(start, age_range)
    out_cols, out_names = [], []
    merged_at = {}
    for attr, mapping in merges.items():
        idx = [i for i in _columns(names, attr) if names[i] != attr]
        if not idx:
            raise ValueError(
                f"merges names attribute {attr!r}, which has no one-hot columns in X "
                f"('{attr}=...'); generalise_adult needs the one-hot encoding."
            )
        groups: dict[str, np.ndarray] = {}
        for i in idx:
            old = names[i].split("=", 1)[1]
            new = mapping.get(old, mapping.get("*", old))
            groups[new] = groups.get(new, 0) + cols[i]
        merged_at[idx[0]] = [(f"{attr}={g}", np.minimum(groups[g], 1.0)) for g in sorted(groups)]
        for i in idx[1:]:
            merged_at[i] = []
    for i, name in enumerate(names):
        if name in drop:
            continue
        if i in merged_at:
            for new_name, col in merged_at[i]:
                out_names.append(new_name)
                out_cols.append(col)
            continue
        out_names.append(name)
        out_cols.append(cols[i])
    return np.column_stack(out_cols).astype(np.float32), out_names


def group_sizes(X, feature_names, attributes=ADULT_QUASI_IDENTIFIERS) -> np.ndarray:
    """For each record of ``X``, the number of records of ``X`` (itself included) with the
    same values of every column of ``attributes`` (an equivalence class of k-anonymity).

    ``attributes`` are column names or one-hot prefixes (``"sex"`` for ``sex=...``).
    """
    X = check_features(X)
    names = _check_names(feature_names, X.shape[1])
    attributes = _check_attributes(attributes, names)
    idx = sorted({i for a in attributes for i in _columns(names, a)})
    _, inverse, counts = np.unique(X[:, idx], axis=0, return_inverse=True, return_counts=True)
    return counts[inverse.ravel()].astype(np.int64)


def k_anonymous_share(X, feature_names, k, attributes=ADULT_QUASI_IDENTIFIERS) -> float:
    """The share of ``X``'s records whose quasi-identifier combination is shared by at least
    ``k`` records of ``X`` (themselves included): 1.0 when ``X`` is k-anonymous.

    >>> names = ["age", "sex=Female", "sex=Male"]
    >>> k_anonymous_share([[30, 1, 0], [30, 1, 0], [41, 0, 1]], names, 2, ["age", "sex"])
    0.6666666666666666
    """
    if isinstance(k, bool) or not isinstance(k, numbers.Integral):
        raise ValueError(f"k must be an integer >= 1, got {k!r}.")
    k = check_positive_int(k, "k")
    return float(np.mean(group_sizes(X, feature_names, attributes) >= k))
