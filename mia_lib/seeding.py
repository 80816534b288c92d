"""One way to turn a ``random_state`` into random numbers, used by every module of mia_lib.

Every public function and estimator of the library takes ``random_state`` as scikit-learn
does: ``None`` (fresh entropy), an ``int`` (reproducible), a ``numpy.random.Generator`` or a
legacy ``numpy.random.RandomState`` (both advanced by one draw), or a
``numpy.random.SeedSequence``. This module is the only place that interprets it.

Independent streams are **spawned**, never made by adding to a seed: with ``seed + r`` the
shadow models of repeat ``r`` reuse the seed of the target of repeat ``r + 1``; children of a
:class:`numpy.random.SeedSequence` are independent by construction.

>>> a, b = spawn(0, 2)
>>> int_seed(a) != int_seed(b)
True
>>> [int_seed(s) for s in spawn(0, 2)] == [int_seed(a), int_seed(b)]   # reproducible
True
>>> int_seed(7)              # an int seeds torch and scikit-learn as it is
7
>>> generator(0).integers(10) == np.random.default_rng(0).integers(10)
np.True_
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["RandomStateLike", "seed_sequence", "spawn", "generator", "int_seed", "child_seed"]

#: What ``random_state`` may be, everywhere in the library.
RandomStateLike = None | int | np.random.Generator | np.random.RandomState | np.random.SeedSequence

_MAX_INT_SEED = 2**31 - 1  # torch, scikit-learn and legacy numpy all accept this range


def _check_int(random_state) -> int:
    if random_state < 0:
        raise ValueError(f"random_state must be a non-negative int, got {random_state}.")
    return int(random_state)


def _type_error(random_state) -> TypeError:
    return TypeError(
        "random_state must be None, an int, a numpy Generator, a numpy RandomState or a "
        f"numpy SeedSequence, got {type(random_state).__name__} ({random_state!r})."
    )


def seed_sequence(random_state=None) -> np.random.SeedSequence:
    """A :class:`numpy.random.SeedSequence` for ``random_state``.

    An int gives ``SeedSequence(int)``; ``None`` fresh OS entropy; a ``Generator`` or
    ``RandomState`` is advanced by one draw, whose value seeds the sequence (so that passing
    the same generator twice gives two different streams, as in scikit-learn); a
    ``SeedSequence`` is returned as it is.

    >>> seed_sequence(3).entropy
    3
    >>> seed_sequence("3")
    Traceback (most recent call last):
    ...
    TypeError: random_state must be None, an int, a numpy Generator, a numpy RandomState or a numpy SeedSequence, got str ('3').
    """
    if random_state is None:
        return np.random.SeedSequence()
    if isinstance(random_state, np.random.SeedSequence):
        return random_state
    if isinstance(random_state, bool):
        raise _type_error(random_state)
    if isinstance(random_state, numbers.Integral):
        return np.random.SeedSequence(_check_int(random_state))
    if isinstance(random_state, np.random.Generator):
        return np.random.SeedSequence(int(random_state.integers(0, 2**63 - 1)))
    if isinstance(random_state, np.random.RandomState):
        return np.random.SeedSequence(int(random_state.randint(0, _MAX_INT_SEED)))
    raise _type_error(random_state)


def spawn(random_state, n: int) -> list[np.random.SeedSequence]:
    """``n`` independent child sequences of ``random_state`` (one per model, repeat, ...).

    The children of an int seed are always the same; child ``i`` does not depend on ``n``.

    >>> [int_seed(s) for s in spawn(0, 3)][:2] == [int_seed(s) for s in spawn(0, 2)]
    True
    """
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 0:
        raise ValueError(f"n must be a non-negative int, got {n!r}.")
    ss = seed_sequence(random_state)
    if isinstance(random_state, np.random.SeedSequence):
        # spawning from a caller's sequence advances its child counter; take fresh children
        # of a copy so that the same sequence gives the same children every time
        ss = np.random.SeedSequence(ss.entropy, spawn_key=ss.spawn_key, pool_size=ss.pool_size)
    return ss.spawn(int(n))


def generator(random_state=None) -> np.random.Generator:
    """A :class:`numpy.random.Generator` for ``random_state`` (a Generator is used as it is).

    >>> g = np.random.default_rng(0)
    >>> generator(g) is g
    True
    """
    if isinstance(random_state, np.random.Generator):
        return random_state
    return np.random.default_rng(seed_sequence(random_state))


def int_seed(random_state=None) -> int:
    """One integer seed in ``[0, 2**31 - 1)`` for torch or a scikit-learn estimator.

    An int is returned unchanged (so ``random_state=0`` means torch seed 0); anything else is
    drawn through :func:`seed_sequence`.

    >>> int_seed(np.random.SeedSequence(0)) == int_seed(np.random.SeedSequence(0))
    True
    """
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        seed = _check_int(random_state)
        if seed >= 2**32:
            raise ValueError(f"random_state must be below 2**32, got {random_state}.")
        return seed
    state = seed_sequence(random_state).generate_state(1, dtype=np.uint32)[0]
    return int(state) % _MAX_INT_SEED


def child_seed(seed: int, index: int) -> int:
    """The integer seed of child ``index`` of ``SeedSequence(seed)``: a second, independent
    stream from one integer seed (a model's dropout masks beside its initialisation).

    >>> child_seed(0, 1) == int_seed(spawn(0, 2)[1])
    True
    """
    for name, value in (("seed", seed), ("index", index)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(f"{name} must be a non-negative int, got {value!r}.")
        if value < 0:
            raise ValueError(f"{name} must be a non-negative int, got {value!r}.")
    ss = np.random.SeedSequence(int(seed), spawn_key=(int(index),))
    return int_seed(ss)
