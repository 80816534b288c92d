"""Membership inference attacks: estimators that turn a model's outputs into membership scores.

Every attack follows one interface, with posteriors ``P`` (n, k) and true labels ``y``:

* ``fit(P, y, membership)`` learns from labelled examples (usually shadow-model outputs,
  :class:`mia_lib.shadow.AttackData`); threshold attacks can also fit without labels;
* ``score_samples(P, y)`` returns one score per record, **higher for members**;
* ``predict_proba(P, y)`` returns an (n, 2) array, column 1 the probability of "member";
* ``predict(P, y)`` returns 0/1 decisions (1 = member).

=====================  ======================================================================
class                  attack
=====================  ======================================================================
ShokriAttack           one attack classifier per class over the posterior vector (Shokri 2017)
ThresholdAttack        a threshold on one signal: confidence, loss (Yeom 2018), entropy,
                       modified entropy (Song and Mittal 2021); global or per class; with
                       shadow data or without any (ML-Leaks adversary 3)
MLLeaksAttack          ML-Leaks adversaries 1 and 2: one attack model on the top-3 sorted
                       posteriors (Salem et al. 2019)
=====================  ======================================================================
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.utils.validation import check_is_fitted

from ._validation import check_labels, check_membership, check_probabilities, check_same_length
from .metrics import best_threshold
from .signals import compute_signal, needs_labels, top_k_sorted

__all__ = [
    "ShokriAttack",
    "MLLeaksAttack",
    "ThresholdAttack",
    "attack_features",
    "default_attack_model",
]

FEATURES = ("posterior", "log_posterior", "sorted", "top3")


def attack_features(P, kind: str = "posterior") -> np.ndarray:
    """The attack model's input built from posteriors ``P``.

    ``"posterior"`` is the raw vector (Shokri et al.); ``"log_posterior"`` its logarithm
    (spreads the values near 1 that separate members); ``"sorted"`` the vector in decreasing
    order (class-agnostic); ``"top3"`` the three largest values (ML-Leaks).

    >>> attack_features([[0.1, 0.7, 0.2]], "sorted").tolist()
    [[0.7, 0.2, 0.1]]
    """
    P = check_probabilities(P)
    if kind == "posterior":
        return P
    if kind == "log_posterior":
        return np.log(np.clip(P, 1e-12, 1.0))
    if kind == "sorted":
        return top_k_sorted(P, P.shape[1])
    if kind == "top3":
        return top_k_sorted(P, 3)
    raise ValueError(f"unknown features {kind!r}; choose one of {FEATURES}.")


def default_attack_model(random_state=None):
    """The attack classifier used when none is given: gradient-boosted trees.

    Shokri et al. used neural networks (trained by the ML service itself); any probabilistic
    scikit-learn classifier can stand in. Boosted trees are fast on a CPU, need no feature
    scaling and capture the non-linear "confidence near 1" pattern well.
    """
    return HistGradientBoostingClassifier(
        max_iter=100, learning_rate=0.1, max_leaf_nodes=15, random_state=random_state
    )


def _check_inputs(P, y, membership=None, *, need_y=True):
    P = check_probabilities(P, name="posteriors")
    if y is None:
        if need_y:
            raise ValueError("this attack needs the records' true labels y.")
    else:
        y = check_labels(y, n_classes=P.shape[1], name="labels")
        check_same_length(posteriors=P, labels=y)
    if membership is not None:
        membership = check_membership(membership)
        check_same_length(posteriors=P, membership=membership)
    return P, y, membership


class _ProbaMixin:
    def predict(self, P, y=None):
        """0/1 membership decisions (1 = member): ``predict_proba(P, y)[:, 1] >= 0.5``."""
        return (self.predict_proba(P, y)[:, 1] >= 0.5).astype(np.int64)


class ShokriAttack(_ProbaMixin, BaseEstimator):
    """Shokri et al.'s attack: a binary "in / out" classifier per class over posteriors.

    Parameters
    ----------
    attack_model : unfitted scikit-learn classifier with ``predict_proba``, cloned per class;
        ``None`` uses :func:`mia_lib.attacks.default_attack_model`.
    per_class : one attack model per true class (Shokri et al.) or one shared model.
    features : see :func:`attack_features`.
    min_class_samples : classes with fewer attack examples (or lacking members or
        non-members) fall back to the shared model, which is always trained.
    random_state : seed passed to the attack models.

    Attributes
    ----------
    models_ : dict class -> fitted attack model (classes that had enough data).
    global_model_ : the shared model trained on every class.
    n_classes_ : width of the posterior vectors.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> m = rng.integers(0, 2, 400); y = rng.integers(0, 2, 400)
    >>> conf = np.where(m == 1, 0.99, rng.uniform(0.5, 1.0, 400))
    >>> P = np.where(y[:, None] == 0, np.c_[conf, 1 - conf], np.c_[1 - conf, conf])
    >>> attack = ShokriAttack(random_state=0).fit(P, y, m)
    >>> float(np.mean(attack.predict(P, y) == m)) > 0.9
    True
    """

    def __init__(
        self,
        attack_model=None,
        per_class: bool = True,
        features: str = "posterior",
        min_class_samples: int = 20,
        random_state=None,
    ):
        self.attack_model = attack_model
        self.per_class = per_class
        self.features = features
        self.min_class_samples = min_class_samples
        self.random_state = random_state

    def _new_model(self):
        if self.attack_model is None:
            return default_attack_model(self.random_state)
        est = clone(self.attack_model)
        if "random_state" in est.get_params() and self.random_state is not None:
            est.set_params(random_state=self.random_state)
        return est

    def fit(self, P, y, membership):
        """Train the attack model(s) on labelled posteriors (usually from shadow models)."""
        P, y, membership = _check_inputs(P, y, membership, need_y=self.per_class)
        F = attack_features(P, self.features)
        self.n_classes_ = P.shape[1]
        self.global_model_ = self._new_model().fit(F, membership)
        self.models_ = {}
        if self.per_class:
            for c in range(self.n_classes_):
                mask = y == c
                m = membership[mask]
                if mask.sum() >= self.min_class_samples and 0 < m.sum() < len(m):
                    self.models_[c] = self._new_model().fit(F[mask], m)
        return self

    def predict_proba(self, P, y=None):
        """(n, 2) array: probability of "non-member" and of "member"."""
        check_is_fitted(self, "global_model_")
        P, y, _ = _check_inputs(P, y, need_y=self.per_class)
        if P.shape[1] != self.n_classes_ and (self.per_class or self.features != "top3"):
            raise ValueError(
                f"posteriors have {P.shape[1]} columns but the attack was fitted on "
                f"{self.n_classes_}; query the target with the same classes as the shadows, "
                "or use features='top3' with per_class=False (ML-Leaks adversary 2)."
            )
        F = attack_features(P, self.features)
        member = self.global_model_.predict_proba(F)[:, 1]
        for c, model in self.models_.items():
            mask = y == c
            if mask.any():
                member[mask] = model.predict_proba(F[mask])[:, 1]
        return np.column_stack([1.0 - member, member])

    def score_samples(self, P, y=None):
        """Membership score of each record (the attack model's probability of "member")."""
        return self.predict_proba(P, y)[:, 1]


class MLLeaksAttack(ShokriAttack):
    """Salem et al.'s (ML-Leaks) adversaries 1 and 2: one attack model on sorted top-3 posteriors.

    The attack input ignores the class and the vector's length, so one shadow model suffices
    (adversary 1) and the shadow may even be trained on another dataset (adversary 2). It is
    :class:`ShokriAttack` with ``per_class=False`` and ``features="top3"``; the labels ``y``
    are not needed.
    """

    def __init__(
        self,
        attack_model=None,
        per_class: bool = False,
        features: str = "top3",
        min_class_samples: int = 20,
        random_state=None,
    ):
        super().__init__(
            attack_model=attack_model,
            per_class=per_class,
            features=features,
            min_class_samples=min_class_samples,
            random_state=random_state,
        )

    def fit(self, P, y=None, membership=None):
        """Fit on shadow posteriors; ``y`` may be None since the features ignore the class."""
        if membership is None:
            raise ValueError("MLLeaksAttack.fit needs membership labels (from a shadow model).")
        return super().fit(P, y, membership)


class ThresholdAttack(_ProbaMixin, BaseEstimator):
    """Decide "member" when a signal exceeds a threshold.

    Parameters
    ----------
    signal : ``"confidence"``, ``"true_confidence"``, ``"loss"``, ``"entropy"`` or
        ``"modified_entropy"`` (see :mod:`mia_lib.signals`).
    class_dependent : one threshold per true class (Song and Mittal 2021).
    threshold : a fixed threshold; when given, ``fit`` is optional.
    reference_quantile : used by ``fit`` without membership labels (ML-Leaks adversary 3): the
        records passed are then taken as *non-members* (for example the target's answers to
        random queries), and the threshold is this quantile of their scores, so that about
        ``1 - reference_quantile`` of non-members are wrongly called members.

    Attributes
    ----------
    threshold_ : the global threshold.
    thresholds_ : per-class thresholds (``class_dependent=True``).
    scale_ : spread of the scores seen in fit, used by ``predict_proba``.

    Notes
    -----
    ``score_samples`` needs no fit: it is the signal itself (class-dependent attacks subtract
    each class's threshold). ``predict_proba`` is a logistic squashing of
    ``(score - threshold) / scale_``: monotone in the score, not a calibrated probability.

    Examples
    --------
    >>> import numpy as np
    >>> P = np.array([[0.99, 0.01], [0.6, 0.4], [0.98, 0.02], [0.55, 0.45]])
    >>> attack = ThresholdAttack("confidence").fit(P, [0, 0, 0, 0], [1, 0, 1, 0])
    >>> attack.predict(P).tolist()
    [1, 0, 1, 0]
    """

    def __init__(
        self,
        signal: str = "confidence",
        class_dependent: bool = False,
        threshold: float | None = None,
        reference_quantile: float = 0.9,
    ):
        self.signal = signal
        self.class_dependent = class_dependent
        self.threshold = threshold
        self.reference_quantile = reference_quantile

    def _signal(self, P, y):
        P, y, _ = _check_inputs(P, y, need_y=needs_labels(self.signal) or self.class_dependent)
        return compute_signal(self.signal, P, y), y

    def fit(self, P, y=None, membership=None):
        """Choose the threshold(s): best accuracy on labelled data, or a reference quantile."""
        s, y = self._signal(P, y)
        if not 0.0 < self.reference_quantile < 1.0:
            raise ValueError(
                f"reference_quantile must be in (0, 1), got {self.reference_quantile}."
            )
        if membership is not None:
            membership = check_membership(membership)
            check_same_length(scores=s, membership=membership)

        def choose(scores, member):
            if self.threshold is not None:
                return float(self.threshold)
            if member is None:
                return float(np.quantile(scores, self.reference_quantile))
            return float(best_threshold(member, scores, criterion="accuracy"))

        self.threshold_ = choose(s, membership)
        self.thresholds_ = {}
        if self.class_dependent:
            for c in np.unique(y):
                mask = y == c
                m = None if membership is None else membership[mask]
                if m is None or 0 < m.sum() < len(m):
                    self.thresholds_[int(c)] = choose(s[mask], m)
        self.scale_ = float(np.std(s)) or 1.0
        return self

    def score_samples(self, P, y=None):
        """The signal (higher = member); minus the class's threshold if class-dependent."""
        s, y = self._signal(P, y)
        if self.class_dependent:
            check_is_fitted(self, "thresholds_")
            t = np.array([self.thresholds_.get(int(c), self.threshold_) for c in y])
            return s - t
        return s

    def _decision_threshold(self):
        if self.class_dependent:
            return 0.0
        if self.threshold is not None and not hasattr(self, "threshold_"):
            return float(self.threshold)
        check_is_fitted(self, "threshold_")
        return self.threshold_

    def predict_proba(self, P, y=None):
        """(n, 2): a logistic squashing of the distance of the score to the threshold."""
        t = self._decision_threshold()
        s = self.score_samples(P, y)
        scale = getattr(self, "scale_", None) or (float(np.std(s)) or 1.0)
        z = np.clip((s - t) / scale * 4.0, -50, 50)
        member = 1.0 / (1.0 + np.exp(-z))
        return np.column_stack([1.0 - member, member])

    def predict(self, P, y=None):
        """1 where the score reaches the threshold."""
        t = self._decision_threshold()
        return (self.score_samples(P, y) >= t).astype(np.int64)
