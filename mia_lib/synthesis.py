"""Data for shadow models when the attacker has no real records (Shokri et al. 2017, Sec. V-C).

Shadow training needs records that resemble the target's training data. Shokri et al. list
three ways for an attacker to get them, and this module implements each:

* **Model-based synthesis** (:func:`hill_climb_synthesize`, :class:`ModelBasedSynthesizer`):
  their Algorithm 1. A random binary record is changed, a few features at a time, by hill
  climbing on the target model's confidence in a chosen class ``c``, queried through the
  black box; once the target classifies the record as ``c`` with confidence above
  ``conf_min``, the record is kept with probability equal to that confidence. It needs only
  query access to the target, no data at all, and costs queries.
* **Statistics-based synthesis** (:func:`marginal_synthesize`): every feature is drawn
  independently from its marginal distribution. Shokri et al. assume the attacker knows the
  marginals of the population; we use the per-class marginals, so each synthetic record comes
  with a label.
* **Noisy real data** (:func:`noisy_copies`): real records from the same population with a
  share of their features flipped (Shokri et al. flip 10% or 20% of the binary features), a
  model of an attacker whose data is only roughly like the target's.

>>> import numpy as np
>>> X = np.array([[1, 0, 0, 0], [0, 1, 1, 1]])
>>> (noisy_copies(X, 0.5, random_state=0) != X).sum(axis=1).tolist()   # 2 of 4 flipped
[2, 2]
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from ._validation import check_features, check_labels, check_same_length
from .seeding import generator

__all__ = [
    "HillClimbResult",
    "ModelBasedSynthesizer",
    "hill_climb_synthesize",
    "marginal_synthesize",
    "noisy_copies",
    "random_queries",
]

# Our defaults for Algorithm 1 (see hill_climb_synthesize for the reasons).
K_MAX = 64
K_MIN = 4
CONF_MIN = 0.8
REJ_MAX = 10
ITER_MAX = 1000
P_INIT = 0.5


# ------------------------------------------------------------------------------ helpers


def _int_param(value, name: str, minimum: int = 1) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}.")
    return int(value)


def _prob_param(value, name: str, *, lo_open: bool = False, hi_open: bool = False) -> float:
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)
    if ok:
        v = float(value)
        ok = (v > 0 if lo_open else v >= 0) and (v < 1 if hi_open else v <= 1)
    if not ok:
        lo = "(0" if lo_open else "[0"
        hi = "1)" if hi_open else "1]"
        raise ValueError(f"{name} must be a number in {lo}, {hi}, got {value!r}.")
    return float(value)


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
    k_max = min(K_MAX, n_features) if k_max is None else _int_param(k_max, "k_max")
    k_min = min(K_MIN, k_max) if k_min is None else _int_param(k_min, "k_min")
    if k_min > k_max:
        raise ValueError(f"k_min ({k_min}) must not exceed k_max ({k_max}).")
    if k_max > n_features:
        raise ValueError(
            f"k_max ({k_max}) exceeds n_features ({n_features}); a proposal cannot flip more "
            "features than a record has."
        )
    conf_min = _prob_param(conf_min, "conf_min", hi_open=True)
    rej_max = _int_param(rej_max, "rej_max", minimum=0)
    iter_max = _int_param(iter_max, "iter_max")
    p_init = _prob_param(p_init, "p_init")
    return k_max, k_min, conf_min, rej_max, iter_max, p_init


def _flip_k(X: np.ndarray, k: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Copy of binary ``X`` with ``k[i]`` distinct random features of row ``i`` flipped."""
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
            x[active] = _flip_k(x_star[active], k[active], rng)  # RANDRECORD(x*, k)
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
    n_features = _int_param(n_features, "n_features")
    target_class = _int_param(target_class, "target_class", minimum=0)
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
        n_features = _int_param(n_features, "n_features")
        n_per_class = _int_param(self.n_per_class, "n_per_class")
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
            else _int_param(self.max_attempts, "max_attempts")
        )
        if max_attempts < n_per_class:
            raise ValueError(
                f"max_attempts ({max_attempts}) is below n_per_class ({n_per_class}); every "
                "record needs at least one attempt."
            )
        if (n_classes is None) == (classes is None):
            raise ValueError("pass exactly one of n_classes and classes.")
        if classes is None:
            classes = np.arange(_int_param(n_classes, "n_classes"))
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


# -------------------------------------------------------------------- statistics-based


def marginal_synthesize(X, y, n, *, n_classes: int | None = None, random_state=None):
    """Sample records feature by feature from the per-class marginal distributions of ``X``.

    Shokri et al.'s *statistics-based synthesis*: the attacker knows the marginal distribution
    of each feature and samples every feature independently. We estimate the marginals
    within each class from the records ``X, y`` the attacker has (for binary features this
    is just the share of ones, 446 x 30 numbers for Locations), so that each synthetic
    record has a label; correlations between features are lost. Each feature's value is
    drawn from the empirical distribution of that feature in the class (for binary data:
    Bernoulli with the class's share of ones), so continuous features keep their observed
    values too.

    Parameters
    ----------
    X : array (n_records, n_features), the records whose statistics are used.
    y : labels ``0..n_classes-1``.
    n : records to synthesize; an int (spread over the classes in the proportions of ``y``,
        largest remainders first) or a sequence with one count per class.
    n_classes : number of classes (default ``y.max() + 1``); classes absent from ``y`` get
        no records and must have count 0.
    random_state : None, int, RandomState or Generator.

    Returns
    -------
    ``(X_syn, y_syn)``: float32 records and int64 labels, grouped by class.

    >>> import numpy as np
    >>> X = np.array([[1, 0], [1, 1], [0, 0], [0, 0]]); y = np.array([0, 0, 1, 1])
    >>> Xs, ys = marginal_synthesize(X, y, 400, random_state=0)
    >>> np.bincount(ys).tolist(), float(Xs[ys == 0, 0].mean()), float(Xs[ys == 1].sum())
    ([200, 200], 1.0, 0.0)
    """
    X = check_features(X)
    y = check_labels(y, n_classes=n_classes)
    check_same_length(X=X, y=y)
    k = int(y.max()) + 1 if n_classes is None else _int_param(n_classes, "n_classes")
    counts = np.bincount(y, minlength=k)
    if isinstance(n, numbers.Integral) and not isinstance(n, bool):
        total = _int_param(n, "n")
        share = counts / counts.sum() * total
        per_class = np.floor(share).astype(np.int64)
        rest = total - per_class.sum()
        order = np.argsort(-(share - per_class), kind="stable")
        per_class[order[:rest]] += 1
    else:
        per_class = np.asarray(n)
        if per_class.shape != (k,) or not np.issubdtype(per_class.dtype, np.integer):
            raise ValueError(
                f"n must be an int or a sequence of {k} integer counts (one per class), got {n!r}."
            )
        if np.any(per_class < 0):
            raise ValueError("per-class counts in n must be non-negative.")
        per_class = per_class.astype(np.int64)
    empty = np.flatnonzero((counts == 0) & (per_class > 0))
    if empty.size:
        raise ValueError(
            f"class {int(empty[0])} has no records in y, so it has no marginals to sample "
            "from; ask for 0 records of it."
        )
    rng = generator(random_state)
    Xs, ys = [], []
    for c in range(k):
        m = int(per_class[c])
        if m == 0:
            continue
        Xc = X[y == c]
        # for each feature independently, pick the value of a random record of the class
        rows = rng.integers(0, len(Xc), size=(m, X.shape[1]))
        Xs.append(np.take_along_axis(Xc, rows, axis=0))
        ys.append(np.full(m, c, dtype=np.int64))
    if not Xs:
        raise ValueError("n asks for 0 records; ask for at least one.")
    return np.vstack(Xs).astype(np.float32), np.concatenate(ys)


# ----------------------------------------------------------------------- noisy real data


def noisy_copies(X, fraction: float, *, kind: str = "auto", random_state=None) -> np.ndarray:
    """Copies of real records with a share ``fraction`` of their features perturbed.

    Shokri et al.'s *noisy real data*: the attacker's records come from the same population as
    the target's but are noisy; they simulate this by flipping 10% or 20% of the binary
    features of each record.

    Parameters
    ----------
    X : array (n, n_features).
    fraction : in [0, 1]. For ``kind="flip"``: each record gets exactly
        ``round(fraction * n_features)`` (halves to even) distinct, randomly chosen features
        flipped (0 <-> 1).
        For ``kind="gaussian"``: every feature ``j`` gets independent Gaussian noise of
        standard deviation ``fraction * std_j`` (the feature's standard deviation over ``X``),
        so ``fraction`` is the noise-to-signal ratio.
        For ``kind="marginal"`` (Truex et al.'s noisy attacker): ``round(fraction *
        n_features)`` features, the same for every record, are chosen at random, and in
        every record each of them is replaced by an independent draw from that feature's
        values over ``X`` (its empirical marginal). The noise keeps each feature's
        distribution and destroys its relation to the label and to the other features.
    kind : ``"flip"`` (binary features, 0/1 only), ``"gaussian"`` (continuous features),
        ``"marginal"``, or ``"auto"``: ``"flip"`` if ``X`` holds only 0 and 1, else
        ``"gaussian"``.
    random_state : None, int, Generator or SeedSequence (:mod:`mia_lib.seeding`).

    Returns
    -------
    float32 array of the shape of ``X`` (labels are unchanged: reuse those of ``X``).

    >>> import numpy as np
    >>> X = np.zeros((3, 10))
    >>> (noisy_copies(X, 0.2, random_state=0) != X).sum(axis=1).tolist()
    [2, 2, 2]
    >>> Xm = np.arange(20.0).reshape(5, 4)
    >>> changed = (noisy_copies(Xm, 0.5, kind="marginal", random_state=0) != Xm).any(axis=0)
    >>> int(changed.sum()) <= 2       # two features replaced (a draw may repeat a value)
    True
    >>> noisy_copies([[0.5, 2.0]], 0.1, kind="flip")
    Traceback (most recent call last):
    ...
    ValueError: kind='flip' needs binary features (only 0 and 1); use kind='gaussian' for continuous ones.
    """
    X = check_features(X)
    fraction = _prob_param(fraction, "fraction")
    binary = bool(np.all((X == 0) | (X == 1)))
    if kind == "auto":
        kind = "flip" if binary else "gaussian"
    if kind not in ("flip", "gaussian", "marginal"):
        raise ValueError(f"kind must be 'auto', 'flip', 'gaussian' or 'marginal', got {kind!r}.")
    rng = generator(random_state)
    if kind == "marginal":
        d = X.shape[1]
        feats = rng.choice(d, size=int(round(fraction * d)), replace=False)
        out = X.copy()
        rows = rng.integers(0, len(X), size=(len(X), len(feats)))
        out[:, feats] = X[rows, feats[None, :]]
        return out
    if kind == "flip":
        if not binary:
            raise ValueError(
                "kind='flip' needs binary features (only 0 and 1); use kind='gaussian' for "
                "continuous ones."
            )
        n_flip = int(round(fraction * X.shape[1]))
        return _flip_k(X, np.full(len(X), n_flip, dtype=np.int64), rng)
    std = X.std(axis=0)
    return (X + rng.normal(size=X.shape) * (fraction * std)).astype(np.float32)


# ----------------------------------------------------------------------- random inputs


def random_queries(shape, n: int, *, random_state=None) -> np.ndarray:
    """``n`` inputs of ``shape`` with every feature uniform on [0, 1] (our features' range):
    random points whose answers tell an attacker how the target treats data it never saw
    (Salem et al.'s adversary 3 chooses its threshold from them).

    >>> random_queries((3,), 2, random_state=0).shape
    (2, 3)
    """
    n = _int_param(n, "n")
    shape = tuple(int(s) for s in shape)
    if not shape or min(shape) < 1:
        raise ValueError(f"shape must be the positive shape of one record, got {shape}.")
    rng = generator(random_state)
    return rng.uniform(0.0, 1.0, size=(n, *shape)).astype(np.float32)
