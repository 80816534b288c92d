"""Seeded, disjoint index sets for membership experiments.

A membership experiment needs three kinds of records:

* the target's **members** (its training set),
* the target's **non-members** (records from the same distribution it never saw), and
* the attacker's **shadow pool**, from which each shadow model draws its own members and
  non-members.

:func:`membership_split` draws the three disjointly. :func:`shadow_splits` then draws, for
each of ``k`` shadow models, a training ("in") and a held-out ("out") set from the pool.
Different shadow models may overlap each other, as Shokri et al. allow, but never the
target's evaluation records unless ``allow_target_overlap=True``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import check_bool, check_positive_int
from .seeding import generator

__all__ = ["MembershipSplit", "ShadowSplit", "membership_split", "shadow_splits"]


def _positive_int(value, name):
    try:
        return check_positive_int(value, name)
    except ValueError:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.") from None


def _check_stratify(stratify, n_records: int) -> np.ndarray:
    """Class labels for stratification: one per record, no NaN or None."""
    labels = np.asarray(stratify)
    if labels.ndim != 1:
        raise ValueError(f"stratify must be 1-D labels, got shape {labels.shape}.")
    if len(labels) != n_records:
        raise ValueError(
            f"stratify has {len(labels)} labels but there are {n_records} records; pass one "
            "label per record (the y of the whole dataset)."
        )
    if labels.dtype == object:
        if any(v is None or (isinstance(v, float) and np.isnan(v)) for v in labels):
            raise ValueError("stratify contains None or NaN; every record needs a class label.")
        try:
            labels = labels.astype(str)
        except (TypeError, ValueError):
            raise ValueError("stratify must hold class labels (numbers or strings).") from None
    elif labels.dtype.kind == "f" and not np.all(np.isfinite(labels)):
        raise ValueError("stratify contains NaN or infinity; every record needs a class label.")
    elif labels.dtype.kind not in "biufUS":
        raise ValueError(f"stratify must hold class labels, got dtype {labels.dtype}.")
    return labels


@dataclass(frozen=True)
class MembershipSplit:
    """Disjoint index arrays into one dataset.

    Attributes
    ----------
    target_in : indices of the target model's training records (members).
    target_out : indices of records the target never sees (non-members).
    shadow_pool : indices the attacker may use for shadow models.
    """

    target_in: np.ndarray
    target_out: np.ndarray
    shadow_pool: np.ndarray

    def evaluation(self):
        """Indices and 0/1 membership labels of the target's evaluation set (members first).

        >>> s = membership_split(10, target_size=3, random_state=0)
        >>> idx, member = s.evaluation()
        >>> int(member.sum()), len(idx)
        (3, 6)
        """
        idx = np.concatenate([self.target_in, self.target_out])
        member = np.concatenate(
            [np.ones(len(self.target_in), np.int64), np.zeros(len(self.target_out), np.int64)]
        )
        return idx, member

    def __repr__(self):
        return (
            f"MembershipSplit(target_in={len(self.target_in)}, "
            f"target_out={len(self.target_out)}, shadow_pool={len(self.shadow_pool)})"
        )


@dataclass(frozen=True)
class ShadowSplit:
    """Training ("in") and held-out ("out") indices of one shadow model."""

    in_idx: np.ndarray
    out_idx: np.ndarray


def membership_split(
    n_records: int,
    *,
    target_size: int,
    target_out_size: int | None = None,
    shadow_pool_size: int | None = None,
    stratify=None,
    random_state=None,
) -> MembershipSplit:
    """Draw disjoint target members, target non-members and a shadow pool.

    Parameters
    ----------
    n_records : number of records in the dataset.
    target_size : number of target training records (members).
    target_out_size : number of target non-members; defaults to ``target_size`` so that the
        membership game is balanced and 0.5 is the baseline accuracy.
    shadow_pool_size : number of records left to the attacker; defaults to all the rest.
    stratify : optional labels, one per record; when given, every set keeps the class
        proportions.
    random_state : None, int, ``numpy.random.Generator`` or ``SeedSequence`` (see
        :mod:`mia_lib.seeding`).

    >>> s = membership_split(100, target_size=20, random_state=0)
    >>> s
    MembershipSplit(target_in=20, target_out=20, shadow_pool=60)
    >>> len(set(s.target_in) & set(s.shadow_pool))
    0
    """
    n_records = _positive_int(n_records, "n_records")
    target_size = _positive_int(target_size, "target_size")
    n_out = (
        target_size
        if target_out_size is None
        else _positive_int(target_out_size, "target_out_size")
    )
    rest = n_records - target_size - n_out
    if rest < 0:
        raise ValueError(
            f"target_size + target_out_size = {target_size + n_out} exceeds the "
            f"{n_records} records available; use smaller sets."
        )
    if shadow_pool_size is not None and (
        isinstance(shadow_pool_size, bool) or not isinstance(shadow_pool_size, int | np.integer)
    ):
        raise ValueError(f"shadow_pool_size must be an integer or None, got {shadow_pool_size!r}.")
    n_pool = rest if shadow_pool_size is None else int(shadow_pool_size)
    if n_pool < 0 or n_pool > rest:
        raise ValueError(
            f"shadow_pool_size must be between 0 and {rest} (records left after the "
            f"target's {target_size} + {n_out}), got {shadow_pool_size}."
        )
    labels = None if stratify is None else _check_stratify(stratify, n_records)
    rng = generator(random_state)
    if labels is None:
        order = rng.permutation(n_records)
    else:
        order = _stratified_order(labels, rng)
    a, b = target_size, target_size + n_out
    return MembershipSplit(
        target_in=np.sort(order[:a]),
        target_out=np.sort(order[a:b]),
        shadow_pool=np.sort(order[b : b + n_pool]),
    )


def _stratified_order(labels, rng):
    """A permutation whose every prefix keeps the class proportions (round-robin by class)."""
    keys = np.empty(len(labels))
    for c in np.unique(labels):
        members = np.flatnonzero(labels == c)
        rng.shuffle(members)
        # spread each class evenly over [0, 1): position (i + u) / n_c
        keys[members] = (np.arange(len(members)) + rng.uniform(size=len(members))) / len(members)
    return np.argsort(keys, kind="stable")


def shadow_splits(
    pool,
    n_shadows: int,
    shadow_size: int,
    *,
    disjoint: bool = False,
    exclude=None,
    allow_target_overlap: bool = False,
    random_state=None,
) -> list[ShadowSplit]:
    """Draw ``n_shadows`` (in, out) index pairs of ``shadow_size`` records each from ``pool``.

    Within one shadow model "in" and "out" are disjoint. Across shadow models the sets may
    overlap (Shokri et al.'s setting) unless ``disjoint=True``. ``exclude`` lists indices that
    must never be used (the target's evaluation records); passing them while
    ``allow_target_overlap`` is False raises if the pool contains any of them.

    >>> pool = np.arange(100)
    >>> splits = shadow_splits(pool, n_shadows=3, shadow_size=20, random_state=0)
    >>> [(len(s.in_idx), len(s.out_idx)) for s in splits]
    [(20, 20), (20, 20), (20, 20)]
    """
    pool = np.asarray(pool)
    if pool.ndim != 1 or not np.issubdtype(pool.dtype, np.integer):
        raise ValueError("pool must be a 1-D array of integer indices.")
    if pool.size and pool.min() < 0:
        raise ValueError(
            f"pool contains negative indices (found {pool.min()}); pass row indices 0..n-1, "
            "not positions counted from the end."
        )
    if len(np.unique(pool)) != len(pool):
        raise ValueError("pool contains repeated indices; pass each record once.")
    n_shadows = _positive_int(n_shadows, "n_shadows")
    shadow_size = _positive_int(shadow_size, "shadow_size")
    disjoint = check_bool(disjoint, "disjoint")
    check_bool(allow_target_overlap, "allow_target_overlap")
    if exclude is not None and not allow_target_overlap:
        exclude = np.asarray(exclude)
        if exclude.size and (
            not np.issubdtype(exclude.dtype, np.integer) or exclude.ndim != 1 or exclude.min() < 0
        ):
            raise ValueError("exclude must be a 1-D array of non-negative integer indices.")
        clash = np.intersect1d(pool, exclude)
        if clash.size:
            raise ValueError(
                f"the shadow pool contains {clash.size} of the target's evaluation records; "
                "remove them or pass allow_target_overlap=True on purpose."
            )
    need = 2 * shadow_size * (n_shadows if disjoint else 1)
    if need > len(pool):
        what = "n_shadows * 2 * shadow_size" if disjoint else "2 * shadow_size"
        raise ValueError(
            f"{what} = {need} records are needed but the pool holds {len(pool)}; "
            "lower shadow_size or n_shadows."
        )
    rng = generator(random_state)
    out = []
    if disjoint:
        order = rng.permutation(pool)
        for i in range(n_shadows):
            chunk = order[2 * shadow_size * i : 2 * shadow_size * (i + 1)]
            out.append(ShadowSplit(np.sort(chunk[:shadow_size]), np.sort(chunk[shadow_size:])))
    else:
        for _ in range(n_shadows):
            chunk = rng.choice(pool, size=2 * shadow_size, replace=False)
            out.append(ShadowSplit(np.sort(chunk[:shadow_size]), np.sort(chunk[shadow_size:])))
    return out
