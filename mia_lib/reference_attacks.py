"""Attacks that compare the target with reference models: LiRA, RMIA, Attack-R and Attack-P.

Each attack has a plain function over arrays (the method as the paper writes it) and an
estimator for the pipeline: ``attack.fit(reference)`` with fitted
:class:`~mia_lib.reference.ReferenceModels` (not needed by Attack-P), then
``attack.score_target(target)`` returns ``(scores, decisions)`` for the target's evaluation
records, so :func:`mia_lib.pipeline.evaluate_attack` reports it like any other attack.

Notation: ``z`` is a record's scaled logit (:func:`mia_lib.signals.scaled_logit`), under the
target (``t``) or under reference model ``m`` (``S[m]``), and ``IN[m]`` says whether model
``m`` trained on the record.

* **LiRA** (Carlini et al. 2022). Online: fit a Gaussian to the record's logits under the
  models that trained on it and another under those that did not; the score is the log
  likelihood ratio :math:`\\log N(t; \\mu_{in}, \\sigma_{in}^2) - \\log N(t; \\mu_{out},
  \\sigma_{out}^2)`. Offline: only the "out" Gaussian. The paper's offline test is one-sided
  (``scoring="tail"``: :math:`-\\log P[Z > t]`, :math:`Z \\sim N(\\mu_{out}, \\sigma_{out}^2)`);
  the reference code (``scoring="density"``, the default, which gives the README's table)
  scores :math:`-\\log N(t; \\mu_{out}, \\sigma_{out}^2)`, two-sided. Means are medians, as
  in the reference code. ``fixed_variance=True`` uses one standard deviation for all
  records: that of every "in" (or "out") logit together, as the reference code computes it.
* **RMIA** (Zarifzadeh et al. 2024). With :math:`p(x \\mid \\theta)` the confidence in the
  true class and :math:`p(x)` its average over reference models, the score of ``x`` is the
  share of population records ``z`` (known non-members) with
  :math:`\\frac{p(x \\mid \\theta) / p(x)}{p(z \\mid \\theta) / p(z)} \\ge \\gamma`. Online,
  :math:`p(x)` is the mean of the "in" and "out" averages (the offline formula for a
  record that no model trained on); offline it is
  :math:`\\frac{1 + a}{2} \\bar p_{out}(x) + \\frac{1 - a}{2}`, the paper's linear
  approximation of the missing "in" models.
* **Attack-R** (Ye et al. 2022): the target's logit ranked among the record's "out"
  reference logits; a per-record threshold.
* **Attack-P** (Ye et al. 2022): the target's logit ranked among its logits on population
  records; one threshold for all records (the loss attack, calibrated).

Decisions, by a rule stated in advance: online LiRA says "member" when the likelihood ratio
is at least 1 (score >= 0). The other attacks are tests at false positive rate ``alpha``:
offline LiRA when :math:`P[Z > t] \\le \\alpha`, RMIA, Attack-R and Attack-P when the score
(a share of reference values beaten) is at least :math:`1 - \\alpha`.

Records with too few models of a kind (a small ``k``): a record that no model trained on gets
:math:`\\mu_{in} = \\mu_{out} + \\Delta`, with :math:`\\Delta` the median in-out shift of
the records that have both, and a record with fewer than two models of a kind gets the
global standard deviation; with no "out" model at all, it gets the global "out" median.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import stats
from sklearn.base import BaseEstimator

from ._validation import check_bool, check_finite_number
from .query import as_distribution
from .reference import ReferenceModels, sigmoid
from .signals import scaled_logit, true_confidence

__all__ = [
    "LiRAAttack",
    "RMIAAttack",
    "ReferenceAttack",
    "PopulationAttack",
    "lira_scores",
    "rmia_scores",
    "rmia_ratio",
    "reference_rank_scores",
    "population_scores",
]

#: The smallest standard deviation of a Gaussian (as the reference code's ``+ 1e-30``).
MIN_STD = 1e-30


def _check_table(t, S, IN):
    t = np.asarray(t, dtype=np.float64)
    S = np.asarray(S, dtype=np.float64)
    IN = np.asarray(IN, dtype=bool)
    if t.ndim != 1 or S.ndim != 2 or S.shape != IN.shape or S.shape[1] != t.size:
        raise ValueError(
            "pass the target's signals as shape (n,) and the reference signals and in-masks "
            f"as shape (n_models, n); got {t.shape}, {S.shape} and {IN.shape}."
        )
    if not (np.isfinite(t).all() and np.isfinite(S).all()):
        raise ValueError("the signals hold NaN or infinite values; pass finite scaled logits.")
    return t, S, IN


def _masked_stats(S, mask):
    """Per-record median, standard deviation and count of S over the models in ``mask``."""
    V = np.where(mask, S, np.nan)
    n = mask.sum(axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns: handled below
        med = np.nanmedian(V, axis=0)
        sd = np.nanstd(V, axis=0)
    return med, sd, n


def _gaussians(S, mask, fixed_variance):
    med, sd, n = _masked_stats(S, mask)
    pooled = float(np.std(S[mask])) if mask.any() else np.nan
    if fixed_variance:
        sd = np.full(S.shape[1], pooled)
    else:
        sd = np.where(n >= 2, sd, pooled)
    return med, np.maximum(sd, MIN_STD), n


def lira_scores(
    t, S, IN, *, online: bool = True, fixed_variance: bool = False, scoring: str = "density"
) -> np.ndarray:
    """LiRA's scores (higher = member) of ``n`` records from the target's scaled logits
    ``t`` (n,) and the reference models' ``S`` (n_models, n) with in-masks ``IN``.

    >>> S = np.array([[5.0, 1.0], [4.0, 0.0], [1.0, 4.0], [0.0, 5.0]])
    >>> IN = np.array([[1, 0], [1, 0], [0, 1], [0, 1]], dtype=bool)
    >>> lira_scores([4.5, 0.5], S, IN).round(1)   # record 0 looks in, record 1 out
    array([ 32.,  -32.])
    >>> lira_scores([4.5, 0.5], S, IN, online=False, scoring="tail").round(2)
    array([35.01,  0.69])
    """
    t, S, IN = _check_table(t, S, IN)
    check_bool(online, "online")
    check_bool(fixed_variance, "fixed_variance")
    if scoring not in ("density", "tail"):
        raise ValueError(
            f"scoring must be 'density' (reference code) or 'tail' (paper), got {scoring!r}."
        )
    if S.shape[0] < 1:
        raise ValueError("LiRA needs at least one reference model.")
    OUT = ~IN
    mu_out, sd_out, n_out = _gaussians(S, OUT, fixed_variance)
    if (n_out == 0).any():
        fill = float(np.median(S[OUT])) if OUT.any() else float(np.median(S))
        mu_out = np.where(n_out == 0, fill, mu_out)
        if not OUT.any():
            sd_out = np.full_like(sd_out, max(float(np.std(S)), MIN_STD))
    if not online:
        if scoring == "tail":
            return -stats.norm.logsf(t, mu_out, sd_out)
        return -stats.norm.logpdf(t, mu_out, sd_out)
    if not IN.any():
        raise ValueError("online LiRA needs reference models trained on the records (none is).")
    mu_in, sd_in, n_in = _gaussians(S, IN, fixed_variance)
    both = (n_in > 0) & (n_out > 0)
    shift = float(np.median(mu_in[both] - mu_out[both])) if both.any() else 0.0
    mu_in = np.where(n_in == 0, mu_out + shift, mu_in)
    return stats.norm.logpdf(t, mu_in, sd_in) - stats.norm.logpdf(t, mu_out, sd_out)


def _rank(values, pool) -> np.ndarray:
    """For each value, the share of ``pool`` it beats (ties count one half)."""
    pool = np.sort(np.asarray(pool, dtype=np.float64))
    lo = np.searchsorted(pool, values, side="left")
    hi = np.searchsorted(pool, values, side="right")
    return (lo + hi) / (2.0 * pool.size)


def reference_rank_scores(t, S, IN) -> np.ndarray:
    """Attack-R's scores: for each record, the share of its "out" reference logits that the
    target's logit beats (ties one half; 0.5 for a record no model left out).

    >>> S = np.array([[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]])
    >>> reference_rank_scores([1.5, 3.0], S, np.zeros((3, 2), dtype=bool)).round(3)
    array([0.667, 0.167])
    """
    t, S, IN = _check_table(t, S, IN)
    OUT = ~IN
    below = (OUT & (S < t)).sum(axis=0)
    at_most = (OUT & (S <= t)).sum(axis=0)
    n_out = OUT.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):  # no "out" model: 0.5 below
        return np.where(n_out > 0, (below + at_most) / (2.0 * n_out), 0.5)


def population_scores(t, t_population) -> np.ndarray:
    """Attack-P's scores: the share of the target's logits on population records (known
    non-members) that each record's logit beats.

    >>> population_scores([0.0, 2.0], [-1.0, 1.0, 3.0, 5.0]).tolist()
    [0.25, 0.5]
    """
    t = np.asarray(t, dtype=np.float64)
    pop = np.asarray(t_population, dtype=np.float64)
    if t.ndim != 1 or pop.ndim != 1 or pop.size == 0:
        raise ValueError("pass 1-D arrays of scaled logits: the records' and the population's.")
    return _rank(t, pop)


def _marginal(P, IN, online, a):
    """RMIA's p(x) per record from reference confidences P (n_models, n)."""
    n_in = IN.sum(axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns: handled below
        mean_in = np.nanmean(np.where(IN, P, np.nan), axis=0)
        mean_out = np.nanmean(np.where(~IN, P, np.nan), axis=0)
    has_out = n_in < P.shape[0]
    approx = (1.0 + a) / 2.0 * np.where(has_out, mean_out, 0.0) + (1.0 - a) / 2.0
    if not online:
        # no "out" model for a record (a small k): the mean of all models
        return np.where(has_out, approx, P.mean(axis=0))
    # online: the mean of the two worlds; no "in" model: the offline approximation; no
    # "out" model: the "in" mean
    return np.where(n_in == 0, approx, np.where(has_out, (mean_in + mean_out) / 2.0, mean_in))


def rmia_ratio(p, P, IN, *, online: bool = True, a: float = 0.3) -> np.ndarray:
    """RMIA's likelihood ratio :math:`p(x \\mid \\theta) / p(x)` of records with target
    confidences ``p`` (n,) and reference confidences ``P`` (n_models, n), in-masks ``IN``.

    >>> rmia_ratio([0.9, 0.3], np.full((2, 2), 0.6), np.zeros((2, 2), dtype=bool)).round(3)
    array([1.216, 0.405])
    """
    p, P, IN = _check_table(p, P, IN)
    check_bool(online, "online")
    a = check_finite_number(a, "a")
    if not 0.0 <= a <= 1.0:
        raise ValueError(f"a must be in [0, 1], got {a}.")
    return p / np.maximum(_marginal(P, IN, online, a), 1e-30)


def rmia_scores(
    p_x, P_x, IN_x, p_z, P_z, IN_z, *, online: bool = True, a: float = 0.3, gamma: float = 1.0
) -> np.ndarray:
    """RMIA's scores of records ``x`` against population records ``z``.

    ``p_x`` (n,) and ``p_z`` (n_z,): the target's confidence in the true class; ``P_x``,
    ``P_z``: the reference models' (n_models, n) and (n_models, n_z), with in-masks
    ``IN_x``, ``IN_z``. ``a`` is used offline only; ``gamma`` is the likelihood-ratio
    threshold of the pairwise test.

    >>> P = np.full((2, 3), 0.5)
    >>> rmia_scores([0.9, 0.5], P[:, :2], P[:, :2] > 1, [0.4, 0.5, 0.6], P, P > 1).round(3)
    array([1.   , 0.667])
    """
    ratio_x = rmia_ratio(p_x, P_x, IN_x, online=online, a=a)
    ratio_z = rmia_ratio(p_z, P_z, IN_z, online=online, a=a)
    return _dominated(ratio_x, ratio_z, gamma)


def _dominated(ratio_x, ratio_z, gamma) -> np.ndarray:
    """The share of population ratios ``ratio_z`` with ``ratio_x / ratio_z >= gamma``."""
    gamma = check_finite_number(gamma, "gamma")
    if gamma <= 0:
        raise ValueError(f"gamma must be > 0, got {gamma}.")
    ratio_z = np.sort(ratio_z)
    return np.searchsorted(ratio_z, ratio_x / gamma, side="right") / ratio_z.size


def _check_alpha(alpha) -> float:
    alpha = check_finite_number(alpha, "alpha")
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha (the test's false positive rate) must be in (0, 1), got {alpha}.")
    return alpha


class _TargetAttack(BaseEstimator):
    """What the reference attacks share: fit on ReferenceModels, score a pipeline Target."""

    needs_reference = True

    def fit(self, reference=None, y=None):
        """Keep the fitted reference models (``y`` is ignored); returns self."""
        if not self.needs_reference:
            self.reference_ = None
            return self
        if not isinstance(reference, ReferenceModels) or not hasattr(reference, "logits_"):
            raise TypeError(
                f"{type(self).__name__}.fit needs fitted ReferenceModels (see "
                "mia_lib.pipeline.train_references), got "
                f"{type(reference).__name__}."
            )
        self.reference_ = reference
        return self

    def _target_parts(self, target):
        if not hasattr(self, "reference_"):
            raise ValueError(f"this {type(self).__name__} is not fitted; call fit(reference).")
        ref = self.reference_
        if ref is not None and ref.logits_.shape[1] != len(target.y):
            raise ValueError(
                f"the reference models scored {ref.logits_.shape[1]} records but the target's "
                f"data has {len(target.y)}; train them on the target's X (train_references)."
            )
        P = as_distribution(target.answers, n_classes=target.n_classes)
        return ref, P

    def _population(self, target):
        """The target's answers on the attacker's population records (its pool)."""
        pool = target.pool
        if len(pool) == 0:
            raise ValueError("the target leaves no population records to the attacker.")
        answers = target.blackbox.query(target.X[pool])
        return pool, as_distribution(answers, n_classes=target.n_classes)


class LiRAAttack(_TargetAttack):
    """Carlini et al.'s likelihood ratio attack (see :func:`lira_scores`).

    Parameters
    ----------
    online : use the models trained on each record ("in") as well as the others.
    fixed_variance : one standard deviation for every record.
    scoring : offline only: ``"density"`` (the reference code) or ``"tail"`` (the paper).
    alpha : offline decisions: "member" when the one-sided p-value is at most ``alpha``.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from mia_lib.pipeline import train_target, train_references, evaluate_attack
    >>> X, y = load_digits(return_X_y=True)
    >>> t = train_target(X / 16, y, target_size=300, model="decision_tree", random_state=0)
    >>> ref = train_references(t, n_models=8, random_state=1)
    >>> r = evaluate_attack(LiRAAttack(), t, fit_on=ref)
    >>> bool(r.auc > 0.6)
    True
    """

    def __init__(
        self,
        online: bool = True,
        fixed_variance: bool = False,
        scoring: str = "density",
        alpha: float = 0.05,
    ):
        self.online = online
        self.fixed_variance = fixed_variance
        self.scoring = scoring
        self.alpha = alpha

    def score_target(self, target):
        """Scores and decisions for the target's evaluation records."""
        alpha = _check_alpha(self.alpha)
        ref, P = self._target_parts(target)
        idx = target.eval_idx
        t = scaled_logit(P, target.labels)
        S, IN = ref.logits_[:, idx], ref.in_[:, idx]
        scores = lira_scores(
            t, S, IN, online=self.online, fixed_variance=self.fixed_variance, scoring=self.scoring
        )
        if self.online:
            return scores, (scores >= 0).astype(np.int64)
        tail = scores
        if self.scoring != "tail":
            tail = lira_scores(
                t, S, IN, online=False, fixed_variance=self.fixed_variance, scoring="tail"
            )
        return scores, (tail >= -np.log(alpha)).astype(np.int64)


class RMIAAttack(_TargetAttack):
    """Zarifzadeh et al.'s robust membership inference attack (see :func:`rmia_scores`);
    the population records are the attacker's pool, queried through the black box.

    Decisions: "member" when the share of population records beaten is at least
    ``1 - alpha``. Scores: the log of the ratio :func:`rmia_ratio`. For a fixed population
    the share is a non-decreasing step function of that ratio, so both rank the records
    alike, except that many records beat every population record and would tie at a share
    of 1; the ratio keeps them apart (it is the share's limit for an infinite population).
    """

    def __init__(self, online: bool = False, a: float = 0.3, gamma: float = 1.0, alpha=0.05):
        self.online = online
        self.a = a
        self.gamma = gamma
        self.alpha = alpha

    def score_target(self, target):
        """Scores and decisions for the target's evaluation records."""
        alpha = _check_alpha(self.alpha)
        ref, P = self._target_parts(target)
        pool, Pz = self._population(target)
        idx = target.eval_idx
        p_x = true_confidence(P, target.labels)
        p_z = true_confidence(Pz, target.y[pool])
        conf = sigmoid(ref.logits_)
        ratio = rmia_ratio(p_x, conf[:, idx], ref.in_[:, idx], online=self.online, a=self.a)
        ratio_z = rmia_ratio(p_z, conf[:, pool], ref.in_[:, pool], online=self.online, a=self.a)
        share = _dominated(ratio, ratio_z, self.gamma)  # what rmia_scores computes
        # the share is a non-decreasing function of the ratio: rank by the ratio itself,
        # which keeps apart the records that beat every population record
        return np.log(np.maximum(ratio, 1e-300)), (share >= 1.0 - alpha).astype(np.int64)


class ReferenceAttack(_TargetAttack):
    """Ye et al.'s Attack-R: a per-record threshold from the reference models that did not
    train on the record (see :func:`reference_rank_scores`)."""

    def __init__(self, alpha: float = 0.05):
        self.alpha = alpha

    def score_target(self, target):
        """Scores and decisions for the target's evaluation records."""
        alpha = _check_alpha(self.alpha)
        ref, P = self._target_parts(target)
        idx = target.eval_idx
        t = scaled_logit(P, target.labels)
        scores = reference_rank_scores(t, ref.logits_[:, idx], ref.in_[:, idx])
        return scores, (scores >= 1.0 - alpha).astype(np.int64)


class PopulationAttack(_TargetAttack):
    """Ye et al.'s Attack-P: one threshold, from the target's outputs on population records
    (the attacker's pool); needs no reference model (see :func:`population_scores`)."""

    needs_reference = False

    def __init__(self, alpha: float = 0.05):
        self.alpha = alpha

    def score_target(self, target):
        """Scores and decisions for the target's evaluation records."""
        alpha = _check_alpha(self.alpha)
        if not hasattr(self, "reference_"):
            self.fit()
        _, P = self._target_parts(target)
        pool, Pz = self._population(target)
        scores = population_scores(scaled_logit(P, target.labels), scaled_logit(Pz, target.y[pool]))
        return scores, (scores >= 1.0 - alpha).astype(np.int64)
