"""Model-based synthesis of shadow data: Shokri et al.'s (2017) Algorithm 1.

A random binary record is changed, a few features at a time, by hill climbing on the target
model's confidence in a chosen class ``c``, queried through the black box; once the target
classifies the record as ``c`` with confidence above ``conf_min``, the record is kept with
probability equal to that confidence. It needs only query access to the target, no data at
all, and costs queries. :func:`hill_climb_synthesize` runs the algorithm;
:class:`ModelBasedSynthesizer` is the same as a scikit-learn estimator. The other ways to get
shadow data are in :mod:`mia_lib.synthesis`, which re-exports these names.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from ._validation import check_labels, check_positive_int, check_probability
from .seeding import generator

__all__ = [
    "CONF_MIN",
    "HillClimbResult",
    "ModelBasedSynthesizer",
    "flip_features",
    "hill_climb_synthesize",
]

# Our defaults for Algorithm 1 (see hill_climb_synthesize for the reasons).
K_MAX = 64
K_MIN = 4
CONF_MIN = 0.8
REJ_MAX = 10
ITER_MAX = 1000
P_INIT = 0.5


# ------------------------------------------------------------------------------ helpers


def _check_blackbox(blackbox) -> None:
    if not callable(getattr(blackbox, "query", None)):
        raise TypeError(
            f"blackbox must have a query(X) method returning posteriors (a "
            f"mia_lib.query.BlackBox), got {type(blackbox).__name__}."
        )
    if getattr(blackbox, "output", "proba") != "proba":
        raise ValueError(
            "model-based synthesis climbs on the target's confidence; it needs a black box "
            "that releases posteriors (output='proba'), not labels only."
        )


def _check_algorithm_params(k_max, k_min, conf_min, rej_max, iter_max, p_init, n_features):
    k_max = min(K_MAX, n_features) if k_max is None else check_positive_int(k_max, "k_max")
    k_min = min(K_MIN, k_max) if k_min is None else check_positive_int(k_min, "k_min")
    if k_min > k_max:
        raise ValueError(f"k_min ({k_min}) must not exceed k_max ({k_max}).")
    if k_max > n_features:
        raise ValueError(
            f"k_max ({k_max}) exceeds n_features ({n_features}); a proposal cannot flip more "
            "features than a record has."
        )
    conf_min = check_probability(conf_min, "conf_min", hi_open=True)
    rej_max = check_positive_int(rej_max, "rej_max", minimum=0)
    iter_max = check_positive_int(iter_max, "iter_max")
    p_init = check_probability(p_init, "p_init")
    return k_max, k_min, conf_min, rej_max, iter_max, p_init


def flip_features(X: np.ndarray, k: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Copy of binary ``X`` with ``k[i]`` distinct random features of row ``i`` flipped.

    >>> flip_features(np.zeros((2, 4)), np.array([1, 3]), np.random.default_rng(0)).sum(axis=1)
    array([1., 3.])
    """
    n, d = X.shape
    order = np.argsort(rng.random((n, d)), axis=1)
    flip = np.zeros((n, d), dtype=bool)
    np.put_along_axis(flip, order, np.arange(d)[None, :] < k[:, None], axis=1)
    return np.where(flip, 1.0 - X, X).astype(X.dtype)


def _hill_climb_batch(
    blackbox, n_features, classes, k_max, k_min, conf_min, rej_max, iter_max, p_init, rng
):
    """Run Algorithm 1 for every entry of ``classes`` at once (one chain each).

    Every iteration sends the current proposal of every chain still running to the black box
    in one call. Chains are independent; a chain that stops (success or ``iter_max``) is
    never queried again, so the black box's counter grows by exactly the sum of the chains'
    query counts.

    Returns (records (m, d) float32 with NaN rows for failures, success (m,) bool,
    queries (m,) int64).
    """
    classes = np.asarray(classes, dtype=np.int64)
    m = len(classes)
    x = (rng.random((m, n_features)) < p_init).astype(np.float32)  # RANDRECORD()
    x_star = x.copy()
    y_star = np.zeros(m)  # y*_c <- 0
    j = np.zeros(m, dtype=np.int64)  # consecutive rejections
    k = np.full(m, k_max, dtype=np.int64)
    queries = np.zeros(m, dtype=np.int64)
    success = np.zeros(m, dtype=bool)
    out = np.full((m, n_features), np.nan, dtype=np.float32)
    active = np.arange(m)
    for _ in range(iter_max):
        if active.size == 0:
            break
        P = np.asarray(blackbox.query(x[active]), dtype=np.float64)  # y <- f_target(x)
        if P.ndim != 2 or P.shape[0] != active.size:
            raise ValueError(f"the black box returned shape {P.shape}; expected posteriors.")
        queries[active] += 1
        c = classes[active]
        if c.max() >= P.shape[1]:
            raise ValueError(
                f"target_class {int(c.max())} is outside the black box's {P.shape[1]} classes."
            )
        yc = P[np.arange(active.size), c]
        accept = yc >= y_star[active]
        confident = accept & (yc > conf_min) & (np.argmax(P, axis=1) == c)
        sampled = confident & (rng.random(active.size) < yc)
        done = active[sampled]
        out[done] = x[done]
        success[done] = True
        moved = active[accept & ~sampled]
        x_star[moved] = x[moved]
        y_star[moved] = yc[accept & ~sampled]
        j[moved] = 0
        rejected = active[~accept]
        j[rejected] += 1
        halve = rejected[j[rejected] > rej_max]
        k[halve] = np.maximum(k_min, -(-k[halve] // 2))  # max(k_min, ceil(k / 2))
        j[halve] = 0
        active = active[~sampled]
        if active.size:
            x[active] = flip_features(x_star[active], k[active], rng)  # RANDRECORD(x*, k)
    return out, success, queries


# ------------------------------------------------------------------------ model-based


@dataclass(frozen=True)
class HillClimbResult:
    """Outcome of one run of Algorithm 1.

    Iterating gives ``(record, n_queries)``.

    Attributes
    ----------
    record : float32 vector of 0/1 features, or None if the search failed.
    n_queries : records sent to the black box by this run.
    """

    record: np.ndarray | None
    n_queries: int

    def __iter__(self):
        return iter((self.record, self.n_queries))

    @property
    def success(self) -> bool:
        return self.record is not None


def hill_climb_synthesize(
    blackbox,
    n_features: int,
    target_class: int,
    *,
    k_max: int | None = None,
    k_min: int | None = None,
    conf_min: float = CONF_MIN,
    rej_max: int = REJ_MAX,
    iter_max: int = ITER_MAX,
    p_init: float = P_INIT,
    random_state=None,
) -> HillClimbResult:
    """Synthesize one record of ``target_class`` by hill climbing on the target's posteriors.

    Shokri et al. (2017), Algorithm 1, for binary features::

        x <- random record;  y*_c <- 0;  j <- 0;  k <- k_max
        repeat iter_max times:
            y <- f_target(x)                             # one query
            if y_c >= y*_c:                               # accept the proposal
                if y_c > conf_min and c = argmax(y):
                    with probability y_c: return x        # sample it as synthetic
                x* <- x;  y*_c <- y_c;  j <- 0
            else:
                j <- j + 1
                if j > rej_max: k <- max(k_min, ceil(k / 2));  j <- 0
            x <- x* with k random features changed
        return failure

    Phase one (the climb) searches for a record the target classifies as ``c`` with high
    confidence; phase two (the coin flip with probability ``y_c``) samples among such
    records so that the synthetic data are not all extreme.

    Parameters
    ----------
    blackbox : :class:`mia_lib.query.BlackBox` (or anything with ``query(X)`` returning
        posteriors); every record sent is counted by its ``n_queries``.
    n_features : number of binary features of a record.
    target_class : the class ``c`` (an integer ``0..n_classes-1``).
    k_max : features changed per proposal at the start. Large steps explore fast while the
        record is far from class ``c``. Default ``None``: ``min(64, n_features)`` (our
        choice, about a seventh of the 446 Locations features; we could not verify values
        from the paper).
    k_min : the smallest step, reached by halving ``k`` after ``rej_max`` consecutive
        rejections, for fine-tuning near a local optimum. Default ``None``:
        ``min(4, k_max)`` (ours).
    conf_min : the target's confidence in ``c`` that a record must exceed (and ``c`` must be
        the predicted class) before it may be sampled. Default 0.8 (ours).
    rej_max : consecutive rejected proposals tolerated before ``k`` is halved. Default 10
        (ours).
    iter_max : queries after which the search gives up and reports failure. Default 1000
        (ours; the paper reports 156 queries per synthetic record on average on Purchase).
    p_init : probability that a feature of the random start record is 1. Default 0.5
        (uniform over binary records, the paper's ``RANDRECORD``); sparse data such as
        Locations (12% ones) may start closer with a smaller value.
    random_state : None, int, RandomState or Generator; seeds the start record, the
        proposals and the sampling coin.

    Returns
    -------
    :class:`HillClimbResult` ``(record, n_queries)``: the record (float32 0/1 vector) or
    None if no record was sampled within ``iter_max`` queries, and the queries this search
    sent (which equals the growth of ``blackbox.n_queries``).

    Notes
    -----
    Two details differ in wording from the paper: a proposal *flips* ``k`` distinct features
    (the paper "randomizes" them, which for a binary feature re-draws it and so changes about
    half of them), and the acceptance test is ``y_c >= y*_c`` as in the paper (equal
    confidence also moves the climb), so the first query is always accepted.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from mia_lib.query import BlackBox
    >>> rng = np.random.default_rng(0)
    >>> X = rng.integers(0, 2, size=(300, 20)); y = (X[:, :3].sum(axis=1) >= 2).astype(int)
    >>> bb = BlackBox(LogisticRegression().fit(X, y))
    >>> record, n_queries = hill_climb_synthesize(bb, 20, target_class=1, k_max=8, k_min=1,
    ...                                           random_state=0)
    >>> bool(bb.query(record[None])[0, 1] > 0.8), n_queries + 1 == bb.n_queries
    (True, True)
    """
    _check_blackbox(blackbox)
    n_features = check_positive_int(n_features, "n_features")
    target_class = check_positive_int(target_class, "target_class", minimum=0)
    params = _check_algorithm_params(k_max, k_min, conf_min, rej_max, iter_max, p_init, n_features)
    rng = generator(random_state)
    out, success, queries = _hill_climb_batch(blackbox, n_features, [target_class], *params, rng)
    return HillClimbResult(out[0] if success[0] else None, int(queries[0]))


class ModelBasedSynthesizer(BaseEstimator):
    """Synthesize ``n_per_class`` records of every class with Algorithm 1, counting queries.

    Each attempt is one independent run of :func:`hill_climb_synthesize`. All running
    attempts of all classes advance together, so one call to the black box carries one
    proposal per running attempt (a few hundred records) instead of one record: the same
    algorithm and the same query count, with far less overhead. A class whose attempts keep
    failing gets at most ``max_attempts`` of them; if it still has fewer than
    ``n_per_class`` records it is listed in ``failed_classes_``.

    Parameters
    ----------
    n_per_class : records wanted for each class.
    k_max, k_min, conf_min, rej_max, iter_max, p_init : as for :func:`hill_climb_synthesize`.
    max_attempts : attempts (runs of Algorithm 1) allowed per class, successful or not;
        default ``2 * n_per_class``.
    random_state : None, int, RandomState or Generator.

    Attributes
    ----------
    X_, y_ : the synthetic records (float32 0/1) and their labels (the class each was
        synthesized for), grouped by class. All attributes are set by :meth:`generate`.
    stats_ : DataFrame indexed by class with columns ``records``, ``attempts``,
        ``failures`` (attempts that hit ``iter_max``), ``failure_rate``, ``queries`` and
        ``queries_per_record`` (all queries of the class, failed attempts included, divided
        by its records; NaN for a class without records).
    n_queries_ : all records sent to the black box.
    queries_per_record_ : ``n_queries_`` divided by the number of synthetic records.
    failed_classes_ : classes that got fewer than ``n_per_class`` records.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from mia_lib.query import BlackBox
    >>> rng = np.random.default_rng(0)
    >>> X = rng.integers(0, 2, size=(300, 20)); y = (X[:, :3].sum(axis=1) >= 2).astype(int)
    >>> bb = BlackBox(LogisticRegression().fit(X, y))
    >>> syn = ModelBasedSynthesizer(5, k_max=8, k_min=1, random_state=0)
    >>> Xs, ys = syn.generate(bb, n_features=20, n_classes=2)
    >>> Xs.shape, np.bincount(ys).tolist(), syn.n_queries_ == bb.n_queries
    ((10, 20), [5, 5], True)
    >>> syn.get_params()["k_max"], syn.set_params(iter_max=200).iter_max
    (8, 200)
    """

    def __init__(
        self,
        n_per_class: int = 10,
        *,
        k_max: int | None = None,
        k_min: int | None = None,
        conf_min: float = CONF_MIN,
        rej_max: int = REJ_MAX,
        iter_max: int = ITER_MAX,
        p_init: float = P_INIT,
        max_attempts: int | None = None,
        random_state=None,
    ):
        self.n_per_class = n_per_class
        self.k_max = k_max
        self.k_min = k_min
        self.conf_min = conf_min
        self.rej_max = rej_max
        self.iter_max = iter_max
        self.p_init = p_init
        self.max_attempts = max_attempts
        self.random_state = random_state

    def generate(self, blackbox, n_features: int, n_classes: int | None = None, classes=None):
        """Synthesize the records; return ``(X, y)`` and set the fitted attributes.

        Parameters
        ----------
        blackbox : the target's :class:`~mia_lib.query.BlackBox`.
        n_features : number of binary features.
        n_classes : synthesize for classes ``0..n_classes-1`` ...
        classes : ... or for these classes only (give one of the two).
        """
        _check_blackbox(blackbox)
        n_features = check_positive_int(n_features, "n_features")
        n_per_class = check_positive_int(self.n_per_class, "n_per_class")
        params = _check_algorithm_params(
            self.k_max,
            self.k_min,
            self.conf_min,
            self.rej_max,
            self.iter_max,
            self.p_init,
            n_features,
        )
        max_attempts = (
            2 * n_per_class
            if self.max_attempts is None
            else check_positive_int(self.max_attempts, "max_attempts")
        )
        if max_attempts < n_per_class:
            raise ValueError(
                f"max_attempts ({max_attempts}) is below n_per_class ({n_per_class}); every "
                "record needs at least one attempt."
            )
        if (n_classes is None) == (classes is None):
            raise ValueError("pass exactly one of n_classes and classes.")
        if classes is None:
            classes = np.arange(check_positive_int(n_classes, "n_classes"))
        else:
            classes = np.unique(check_labels(np.asarray(classes).ravel(), name="classes"))
        rng = generator(self.random_state)

        records = {int(c): [] for c in classes}
        attempts = dict.fromkeys(records, 0)
        queries = dict.fromkeys(records, 0)
        start = getattr(blackbox, "n_queries", None)
        while True:
            # one new attempt for every record still missing, within each class's budget
            launch = []
            for c in records:
                need = n_per_class - len(records[c])
                launch += [c] * min(need, max_attempts - attempts[c])
            if not launch:
                break
            out, ok, q = _hill_climb_batch(blackbox, n_features, launch, *params, rng)
            for c, rec, s, nq in zip(launch, out, ok, q, strict=True):
                attempts[c] += 1
                queries[c] += int(nq)
                if s:
                    records[c].append(rec)

        rows = []
        for c in records:
            n = len(records[c])
            rows.append(
                {
                    "records": n,
                    "attempts": attempts[c],
                    "failures": attempts[c] - n,
                    "failure_rate": (attempts[c] - n) / attempts[c],
                    "queries": queries[c],
                    "queries_per_record": queries[c] / n if n else np.nan,
                }
            )
        self.stats_ = pd.DataFrame(rows, index=pd.Index(list(records), name="class"))
        parts = [np.asarray(records[c]) for c in records if records[c]]
        self.X_ = (
            np.vstack(parts).astype(np.float32)
            if parts
            else np.zeros((0, n_features), dtype=np.float32)
        )
        self.y_ = np.concatenate([np.full(len(records[c]), c, dtype=np.int64) for c in records])
        self.n_queries_ = int(sum(queries.values()))
        if start is not None and blackbox.n_queries - start != self.n_queries_:
            raise RuntimeError("query count mismatch; was the black box queried concurrently?")
        self.queries_per_record_ = self.n_queries_ / len(self.y_) if len(self.y_) else np.nan
        self.failed_classes_ = [c for c in records if len(records[c]) < n_per_class]
        return self.X_, self.y_

    def __repr__(self):
        return (
            f"ModelBasedSynthesizer(n_per_class={self.n_per_class}, k_max={self.k_max}, "
            f"k_min={self.k_min}, conf_min={self.conf_min}, rej_max={self.rej_max}, "
            f"iter_max={self.iter_max}, p_init={self.p_init})"
        )
