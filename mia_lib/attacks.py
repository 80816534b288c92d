"""Membership inference attacks: estimators that turn a model's outputs into membership scores.

Every attack is a scikit-learn binary classifier of *membership*. Its input ``X`` is the
target's posteriors (n, k), its target ``y`` is membership (1 = member, 0 = non-member), and
the records' true class labels, which some attacks use, are passed by keyword:

* ``fit(X, y, *, labels=None)`` learns from labelled examples (usually shadow-model outputs,
  :class:`mia_lib.shadow.AttackData`); a threshold attack can also fit without ``y``;
* ``score_samples(X, *, labels=None)`` returns one score per record, **higher for members**;
* ``predict_proba(X, *, labels=None)`` returns an (n, 2) array, column 1 the probability of
  "member"; ``predict(X, *, labels=None)`` 0/1 decisions (1 = member);
* ``score(X, y, *, labels=None)`` the accuracy of those decisions.

So ``ThresholdAttack("confidence").fit(P, membership)`` reads ``membership`` as membership, as
the scikit-learn habit expects, and ``cross_val_score(attack, P, membership)`` works; with
scikit-learn's metadata routing enabled, ``labels`` can be routed to ``fit`` and ``score``
(``attack.set_fit_request(labels=True).set_score_request(labels=True)``).

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
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.utils.validation import check_is_fitted

from ._validation import (
    check_finite_number,
    check_labels,
    check_membership,
    check_positive_int,
    check_probabilities,
    check_same_length,
)
from .metrics import best_threshold
from .seeding import int_seed
from .signals import SIGNALS, compute_signal, needs_labels, top_k_sorted

__all__ = [
    "ShokriAttack",
    "MLLeaksAttack",
    "ThresholdAttack",
    "attack_features",
    "attack_model_of",
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
    seed = None if random_state is None else int_seed(random_state)  # Generators too
    return HistGradientBoostingClassifier(
        max_iter=100, learning_rate=0.1, max_leaf_nodes=15, random_state=seed
    )


#: Parameters of a model type when it is the *attack* model (one per class, on posteriors):
#: the zoo's defaults except these (Truex et al.'s attacker chooses its attack model's type).
ATTACK_MODEL_PARAMS = {
    "random_forest": {"n_estimators": 50},
    "mlp": {
        "hidden_layer_sizes": (64,),
        "activation": "relu",
        "epochs": 40,
        "learning_rate": 1e-2,
        "batch_size": 64,
    },
}


def attack_model_of(kind: str, random_state=None):
    """An unfitted attack classifier of model type ``kind``, to pass as ``attack_model``.

    The zoo's defaults (:func:`mia_lib.models.make_model`), except those of
    :data:`ATTACK_MODEL_PARAMS`: a random forest of 50 trees and a network of 64 ReLU units
    trained for 40 epochs at learning rate 0.01 (attack models learn from a few hundred
    posterior vectors per class).

    >>> attack_model_of("knn")
    KNeighborsClassifier()
    """
    from .models import MODEL_NAMES, make_model

    if kind not in MODEL_NAMES or kind == "cnn":
        known = ", ".join(m for m in MODEL_NAMES if m != "cnn")
        raise ValueError(f"unknown attack model type {kind!r}; choose one of {known}.")
    seed = None if random_state is None else int_seed(random_state)
    return make_model(kind, random_state=seed, **ATTACK_MODEL_PARAMS.get(kind, {}))


def _check_inputs(X, labels, membership=None, *, need_labels=True):
    """Posteriors, true labels and membership, checked against each other."""
    P = check_probabilities(X, name="posteriors (X)")
    if labels is None:
        if need_labels:
            raise ValueError(
                "this attack needs the records' true class labels; pass labels=y_true "
                "(membership goes in the second argument, y)."
            )
    else:
        labels = check_labels(labels, n_classes=P.shape[1], name="labels")
        check_same_length(posteriors=P, labels=labels)
    if membership is not None:
        membership = check_membership(membership, name="y (membership)")
        check_same_length(posteriors=P, membership=membership)
    return P, labels, membership


def _check_bool(value, name: str) -> None:
    if not isinstance(value, bool | np.bool_):
        raise ValueError(f"{name} must be True or False, got {value!r}.")


class _MembershipClassifier(ClassifierMixin):
    """What every attack shares: 0/1 decisions from probabilities, accuracy as its score."""

    def predict(self, X, *, labels=None):
        """0/1 membership decisions (1 = member): ``predict_proba(X)[:, 1] >= 0.5``."""
        return (self.predict_proba(X, labels=labels)[:, 1] >= 0.5).astype(np.int64)

    def score(self, X, y, *, labels=None, sample_weight=None):
        """Accuracy of :meth:`predict` against the membership ``y``."""
        y = check_membership(y, name="y (membership)")
        correct = (self.predict(X, labels=labels) == y).astype(float)
        return float(np.average(correct, weights=sample_weight))


class ShokriAttack(_MembershipClassifier, BaseEstimator):
    """Shokri et al.'s attack: a binary "in / out" classifier per class over posteriors.

    Parameters
    ----------
    attack_model : unfitted scikit-learn classifier with ``predict_proba``, cloned per class;
        ``None`` uses :func:`mia_lib.attacks.default_attack_model`.
    per_class : one attack model per true class (Shokri et al.) or one shared model.
    features : see :func:`attack_features`.
    min_class_samples : classes with fewer attack examples (or lacking members or
        non-members) fall back to the shared model, which is always trained.
    random_state : seed passed to the attack models (an int, or anything
        :func:`mia_lib.seeding.int_seed` takes).

    Attributes
    ----------
    models_ : dict class -> fitted attack model (classes that had enough data).
    global_model_ : the shared model trained on every class.
    n_classes_ : width of the posterior vectors.
    classes_ : ``array([0, 1])``, the membership classes (scikit-learn's convention).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> m = rng.integers(0, 2, 400); y = rng.integers(0, 2, 400)
    >>> conf = np.where(m == 1, 0.99, rng.uniform(0.5, 1.0, 400))
    >>> P = np.where(y[:, None] == 0, np.c_[conf, 1 - conf], np.c_[1 - conf, conf])
    >>> attack = ShokriAttack(random_state=0).fit(P, m, labels=y)
    >>> attack.score(P, m, labels=y) > 0.9
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

    def _check_params(self) -> None:
        _check_bool(self.per_class, "per_class")
        if self.features not in FEATURES:
            raise ValueError(f"unknown features {self.features!r}; choose one of {FEATURES}.")
        check_positive_int(self.min_class_samples, "min_class_samples")
        model = self.attack_model
        if model is not None and (isinstance(model, type) or not hasattr(model, "get_params")):
            example = (
                f"attack_model_of({model!r})" if isinstance(model, str) else "LogisticRegression()"
            )
            raise TypeError(
                f"attack_model must be an unfitted classifier instance (such as {example}), "
                f"got {type(model).__name__} {model!r}."
            )
        if self.attack_model is not None and not hasattr(clone(self.attack_model), "predict_proba"):
            raise ValueError(
                f"attack_model {self.attack_model!r} has no predict_proba; the attack needs "
                "membership probabilities. Use a probabilistic classifier (or, for an SVM, "
                "SVC(probability=True); for LinearSVC, wrap it in CalibratedClassifierCV)."
            )

    def _new_model(self):
        if self.attack_model is None:
            seed = None if self.random_state is None else int_seed(self.random_state)
            return default_attack_model(seed)
        est = clone(self.attack_model)
        if "random_state" in est.get_params() and self.random_state is not None:
            est.set_params(random_state=int_seed(self.random_state))
        return est

    def fit(self, X, y, *, labels=None):
        """Train the attack model(s) on posteriors ``X`` with membership ``y`` (usually from
        shadow models); ``labels`` are the records' true classes (needed per class)."""
        self._check_params()
        P, labels, membership = _check_inputs(X, labels, y, need_labels=self.per_class)
        F = attack_features(P, self.features)
        self.n_classes_ = self.n_features_in_ = P.shape[1]
        self.classes_ = np.array([0, 1])
        self.global_model_ = self._new_model().fit(F, membership)
        self.models_ = {}
        if self.per_class:
            for c in range(self.n_classes_):
                mask = labels == c
                m = membership[mask]
                if mask.sum() >= self.min_class_samples and 0 < m.sum() < len(m):
                    self.models_[c] = self._new_model().fit(F[mask], m)
        return self

    def predict_proba(self, X, *, labels=None):
        """(n, 2) array: probability of "non-member" and of "member"."""
        check_is_fitted(self, "global_model_")
        P, labels, _ = _check_inputs(X, labels, need_labels=self.per_class)
        if P.shape[1] != self.n_classes_ and (self.per_class or self.features != "top3"):
            raise ValueError(
                f"posteriors have {P.shape[1]} columns but the attack was fitted on "
                f"{self.n_classes_}; query the target with the same classes as the shadows, "
                "or use features='top3' with per_class=False (ML-Leaks adversary 2)."
            )
        F = attack_features(P, self.features)
        member = self.global_model_.predict_proba(F)[:, 1]
        for c, model in self.models_.items():
            mask = labels == c
            if mask.any():
                member[mask] = model.predict_proba(F[mask])[:, 1]
        return np.column_stack([1.0 - member, member])

    def score_samples(self, X, *, labels=None):
        """Membership score of each record (the attack model's probability of "member")."""
        return self.predict_proba(X, labels=labels)[:, 1]


class MLLeaksAttack(ShokriAttack):
    """Salem et al.'s (ML-Leaks) adversaries 1 and 2: one attack model on sorted top-3 posteriors.

    The attack input ignores the class and the vector's length, so one shadow model suffices
    (adversary 1) and the shadow may even be trained on another dataset (adversary 2). It is
    :class:`ShokriAttack` with ``per_class=False`` and ``features="top3"``; ``labels`` are
    not needed.
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


class ThresholdAttack(_MembershipClassifier, BaseEstimator):
    """Decide "member" when a signal reaches a threshold.

    Parameters
    ----------
    signal : ``"confidence"``, ``"true_confidence"``, ``"loss"``, ``"entropy"`` or
        ``"modified_entropy"`` (see :mod:`mia_lib.signals`).
    class_dependent : one threshold per true class (Song and Mittal 2021).
    threshold : a fixed, finite threshold; when given, ``fit`` is optional.
    reference_quantile : used by ``fit`` without membership ``y`` (ML-Leaks adversary 3): the
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
    With membership ``y`` the threshold is the one of highest accuracy on the records passed
    to ``fit`` (shadow data, never the evaluation records).

    Examples
    --------
    >>> import numpy as np
    >>> P = np.array([[0.99, 0.01], [0.6, 0.4], [0.98, 0.02], [0.55, 0.45]])
    >>> attack = ThresholdAttack("confidence").fit(P, [1, 0, 1, 0])
    >>> attack.predict(P).tolist(), attack.threshold_
    ([1, 0, 1, 0], 0.79)
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

    def _check_params(self) -> None:
        if self.signal not in SIGNALS:
            raise ValueError(f"unknown signal {self.signal!r}; choose one of {sorted(SIGNALS)}.")
        _check_bool(self.class_dependent, "class_dependent")
        if self.threshold is not None:
            check_finite_number(self.threshold, "threshold")
        q = check_finite_number(self.reference_quantile, "reference_quantile")
        if not 0.0 < q < 1.0:
            raise ValueError(f"reference_quantile must be in (0, 1), got {q}.")

    def _signal(self, X, labels):
        self._check_params()
        need = needs_labels(self.signal) or self.class_dependent
        P, labels, _ = _check_inputs(X, labels, need_labels=need)
        return compute_signal(self.signal, P, labels), labels

    def fit(self, X, y=None, *, labels=None):
        """Choose the threshold(s): best accuracy on records with membership ``y``, or,
        without ``y``, the ``reference_quantile`` of the scores of reference non-members."""
        s, labels = self._signal(X, labels)
        if y is not None:
            y = check_membership(y, name="y (membership)")
            check_same_length(scores=s, membership=y)

        def choose(scores, member):
            if self.threshold is not None:
                return float(self.threshold)
            if member is None:
                return float(np.quantile(scores, self.reference_quantile))
            return float(best_threshold(member, scores, criterion="accuracy"))

        self.threshold_ = choose(s, y)
        self.thresholds_ = {}
        if self.class_dependent:
            for c in np.unique(labels):
                mask = labels == c
                m = None if y is None else y[mask]
                if m is None or 0 < m.sum() < len(m):
                    self.thresholds_[int(c)] = choose(s[mask], m)
        self.scale_ = float(np.std(s)) or 1.0
        self.classes_ = np.array([0, 1])
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def score_samples(self, X, *, labels=None):
        """The signal (higher = member); minus the class's threshold if class-dependent."""
        s, labels = self._signal(X, labels)
        if self.class_dependent:
            check_is_fitted(self, "thresholds_")
            t = np.array([self.thresholds_.get(int(c), self.threshold_) for c in labels])
            return s - t
        return s

    def _decision_threshold(self):
        if self.class_dependent:
            return 0.0
        if self.threshold is not None and not hasattr(self, "threshold_"):
            return float(check_finite_number(self.threshold, "threshold"))
        check_is_fitted(self, "threshold_")
        return self.threshold_

    def predict_proba(self, X, *, labels=None):
        """(n, 2): a logistic squashing of the distance of the score to the threshold."""
        t = self._decision_threshold()
        s = self.score_samples(X, labels=labels)
        scale = getattr(self, "scale_", None) or (float(np.std(s)) or 1.0)
        z = np.clip((s - t) / scale * 4.0, -50, 50)
        member = 1.0 / (1.0 + np.exp(-z))
        return np.column_stack([1.0 - member, member])

    def predict(self, X, *, labels=None):
        """1 where the score reaches the threshold."""
        t = self._decision_threshold()
        return (self.score_samples(X, labels=labels) >= t).astype(np.int64)
