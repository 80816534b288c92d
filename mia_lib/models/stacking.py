"""Model stacking on disjoint data (Salem et al. 2019), a training-side defence.

Salem et al. proposed *model stacking* against membership inference: an ensemble whose parts
never see the same records. The training set is split into disjoint parts; each first-level
model is trained on its own part, and a second-level model is trained, on a further part,
on the first-level models' posteriors. No single model fits all of the training data, so
the ensemble overfits less than one model trained on all of it (their default: an MLP and a
random forest on the first level, logistic regression on the second).
:class:`DisjointStackingClassifier` is that ensemble as a scikit-learn classifier, so the
attack pipeline trains it (and the attacker's shadow copies) like any other model
(``make_model("stacking")``).
"""

from __future__ import annotations

import numpy as np
from sklearn.base import ClassifierMixin, clone
from sklearn.utils.metaestimators import _BaseComposition
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from mia_lib._validation import check_labels, check_positive_int
from mia_lib.seeding import generator, int_seed, spawn

__all__ = ["DisjointStackingClassifier"]


def _default_estimators() -> list[tuple[str, object]]:
    from sklearn.ensemble import RandomForestClassifier

    from .mlp import TorchMLPClassifier

    return [("mlp", TorchMLPClassifier()), ("random_forest", RandomForestClassifier())]


def _default_final():
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(max_iter=1000)


class DisjointStackingClassifier(ClassifierMixin, _BaseComposition):
    """Salem et al.'s model stacking: first-level models and a second-level model, each
    trained on its own disjoint part of the training set.

    ``fit(X, y)`` splits the records into ``len(estimators) + 1`` disjoint parts of equal
    size (stratified by class: the records of each class are shuffled and dealt to the parts
    in turn). First-level model ``i`` is trained on part ``i``; the second-level model is
    trained on the last part, on the first-level models' posteriors of its records (their
    columns side by side, one column per class of ``classes_`` each, a class a first-level
    model did not see having probability 0). ``predict_proba`` is the second-level model's.

    Parameters
    ----------
    estimators : list of (name, estimator), or None
        The first-level models (unfitted classifiers with ``predict_proba``; each is cloned).
        None: ``[("mlp", TorchMLPClassifier()), ("random_forest",
        RandomForestClassifier())]``, Salem et al.'s choice. Their parameters can be set as
        ``<name>__<parameter>`` (``mlp__epochs=50``).
    final_estimator : estimator or None
        The second-level model (cloned). None: ``LogisticRegression(max_iter=1000)``.
    n_classes : int or None
        None: the classes are the labels seen in ``y`` (any labels). An int ``K``: labels
        must be integers ``0..K-1`` and the model always outputs ``K`` columns (as the
        library's torch models do, for shadow models on small subsets).
    random_state : None, int, Generator or SeedSequence
        Seeds the split into parts and, through spawned seeds, every model that takes a
        ``random_state``.

    Attributes
    ----------
    estimators_ : list of the fitted first-level models, in the order of ``estimators``
    final_estimator_ : the fitted second-level model
    parts_ : list of index arrays into the training records, one per first-level model and
        the last one for the second-level model (disjoint, together all the records)
    classes_ : ndarray, the labels in the order of the posterior columns
    n_classes_, n_features_in_ : int

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.naive_bayes import GaussianNB
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = DisjointStackingClassifier(
    ...     [("lr", LogisticRegression(max_iter=500)), ("nb", GaussianNB())],
    ...     random_state=0).fit(X[:900] / 16, y[:900])
    >>> [len(p) for p in clf.parts_], clf.predict_proba(X[900:902] / 16).shape
    ([300, 300, 300], (2, 10))
    >>> bool(clf.score(X[900:] / 16, y[900:]) > 0.85)   # each part saw 300 records
    True
    """

    def __init__(self, estimators=None, final_estimator=None, n_classes=None, random_state=None):
        self.estimators = estimators
        self.final_estimator = final_estimator
        self.n_classes = n_classes
        self.random_state = random_state

    # -- parameters of the nested models (scikit-learn's composition protocol) -----------
    def get_params(self, deep: bool = True) -> dict:
        """The parameters, with each first-level model's as ``<name>__<parameter>``."""
        return self._get_params("estimators", deep=deep)

    def set_params(self, **params):
        """Set parameters, a first-level model's as ``<name>__<parameter>``; returns self."""
        self._set_params("estimators", **params)
        return self

    def _first_level(self) -> list[tuple[str, object]]:
        if self.estimators is None:
            return _default_estimators()
        try:
            pairs = [(name, est) for name, est in self.estimators]
        except (TypeError, ValueError):
            raise ValueError(
                "estimators must be a list of (name, estimator) pairs such as "
                f"[('mlp', TorchMLPClassifier()), ('rf', RandomForestClassifier())], got "
                f"{self.estimators!r}."
            ) from None
        if not pairs:
            raise ValueError("estimators is empty; give at least one first-level model.")
        names = [n for n, _ in pairs]
        if not all(isinstance(n, str) for n in names):
            raise ValueError(f"estimator names must be strings, got {names!r}.")
        self._validate_names(names)
        for name, est in pairs:
            if isinstance(est, type) or not hasattr(est, "fit") or not hasattr(est, "get_params"):
                raise TypeError(
                    f"estimator {name!r} must be an unfitted estimator instance, got "
                    f"{est.__name__ if isinstance(est, type) else type(est).__name__}."
                )
            if not hasattr(est, "predict_proba"):
                raise TypeError(
                    f"estimator {name!r} ({type(est).__name__}) has no predict_proba; the "
                    "second level is trained on the first level's posteriors."
                )
        return pairs

    # -- fitting -----------------------------------------------------------------------
    def _encode(self, y) -> np.ndarray:
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        y = column_or_1d(y, warn=True)
        if self.n_classes is not None:
            k = check_positive_int(self.n_classes, "n_classes", minimum=2)
            self.classes_ = np.arange(k)
            return check_labels(y, k)
        check_classification_targets(y)
        self.classes_, codes = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            only = self.classes_[0]
            only = only.item() if isinstance(only, np.generic) else only
            raise ValueError(
                f"y holds only one class ({only!r}); a classifier needs two "
                "classes, or pass n_classes=K (labels 0..K-1)."
            )
        return codes.astype(np.int64)

    def _split(self, codes: np.ndarray, n_parts: int, seq) -> list[np.ndarray]:
        """Disjoint parts of equal size, stratified by class."""
        rng = generator(seq)
        order = rng.permutation(len(codes))
        order = order[np.argsort(codes[order], kind="stable")]  # by class, shuffled within
        part_of = np.empty(len(codes), dtype=np.int64)
        part_of[order] = (np.arange(len(codes)) + rng.integers(n_parts)) % n_parts
        return [np.flatnonzero(part_of == i) for i in range(n_parts)]

    def _new(self, est, seq):
        est = clone(est)
        names = est.get_params(deep=False)
        if "random_state" in names:
            est.set_params(random_state=int_seed(seq))
        if "n_classes" in names:
            est.set_params(n_classes=self.n_classes_)
        return est

    def fit(self, X, y):
        """Split ``X``, ``y`` into disjoint parts and train the first-level models and the
        second-level model, each on its own part; returns ``self``."""
        pairs = self._first_level()
        final = _default_final() if self.final_estimator is None else self.final_estimator
        if isinstance(final, type) or not hasattr(final, "predict_proba"):
            raise TypeError(
                "final_estimator must be an unfitted classifier instance with predict_proba "
                f"(e.g. LogisticRegression()), got {final!r}."
            )
        X, y = validate_data(self, X, y, allow_nd=True, dtype="numeric", y_numeric=False)
        codes = self._encode(y)
        self.n_classes_ = len(self.classes_)
        n_parts = len(pairs) + 1
        if len(codes) < n_parts:
            raise ValueError(
                f"{type(self).__name__} got {len(codes)} sample(s); it trains {n_parts} "
                f"models on disjoint parts of the training set and needs at least {n_parts} "
                "records (one per part)."
            )
        split_seq, final_seq, *seqs = spawn(self.random_state, n_parts + 1)
        self.parts_ = self._split(codes, n_parts, split_seq)
        self.estimators_ = [
            self._new(est, seq).fit(X[part], codes[part])
            for (_, est), seq, part in zip(pairs, seqs, self.parts_, strict=False)
        ]
        last = self.parts_[-1]
        if len(np.unique(codes[last])) < 2:
            raise ValueError(
                f"the second-level part of the training set ({len(last)} records) holds only "
                "one class; the second-level model needs two. Pass more records."
            )
        self.final_estimator_ = self._new(final, final_seq).fit(self._meta(X[last]), codes[last])
        return self

    # -- prediction --------------------------------------------------------------------
    def _aligned(self, model, X) -> np.ndarray:
        """``model``'s posteriors with one column per class position 0..n_classes_-1."""
        P = np.asarray(model.predict_proba(X), dtype=np.float64)
        seen = np.asarray(model.classes_).astype(np.int64)
        out = np.zeros((len(P), self.n_classes_))
        out[:, seen] = P
        return out

    def _meta(self, X) -> np.ndarray:
        return np.hstack([self._aligned(m, X) for m in self.estimators_])

    def predict_proba(self, X) -> np.ndarray:
        """The second-level model's posteriors, shape ``(n, n_classes_)``, columns in the
        order of ``classes_``."""
        check_is_fitted(self, "final_estimator_")
        X = validate_data(self, X, reset=False, allow_nd=True, dtype="numeric")
        return self._aligned(self.final_estimator_, self._meta(X))

    def predict(self, X) -> np.ndarray:
        """The most likely label of ``classes_`` for each record."""
        best = np.argmax(self.predict_proba(X), axis=1)
        return self.classes_[best]
