"""The model zoo: an unfitted classifier by name, with membership-friendly defaults."""

from __future__ import annotations

import numpy as np

from mia_lib._validation import check_positive_int
from mia_lib.seeding import int_seed

from .base import TorchClassifierBase
from .cnn import TorchCNNClassifier
from .mlp import TorchMLPClassifier
from .stacking import DisjointStackingClassifier

__all__ = ["MODEL_NAMES", "make_model", "model_template", "check_model_spec"]

MODEL_NAMES = (
    "logistic_regression",
    "random_forest",
    "decision_tree",
    "knn",
    "naive_bayes",
    "svm",
    "mlp",
    "cnn",
    "sklearn_mlp",
    "gradient_boosting",
    "stacking",
)


def _zoo_estimator(name: str):
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import GaussianNB
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.neural_network import MLPClassifier
    from sklearn.svm import SVC
    from sklearn.tree import DecisionTreeClassifier

    factories = {
        "logistic_regression": lambda: LogisticRegression(max_iter=1000),
        "random_forest": lambda: RandomForestClassifier(n_estimators=100),
        "decision_tree": lambda: DecisionTreeClassifier(),
        "knn": lambda: KNeighborsClassifier(n_neighbors=5),
        "naive_bayes": lambda: GaussianNB(),
        "svm": lambda: CalibratedClassifierCV(SVC(), ensemble=False),
        "mlp": lambda: TorchMLPClassifier(),
        "cnn": lambda: TorchCNNClassifier(),
        "sklearn_mlp": lambda: MLPClassifier(
            hidden_layer_sizes=(128,), activation="tanh", max_iter=200
        ),
        "gradient_boosting": lambda: HistGradientBoostingClassifier(),
        "stacking": lambda: DisjointStackingClassifier(
            estimators=[
                ("mlp", TorchMLPClassifier()),
                ("random_forest", RandomForestClassifier(n_estimators=100)),
            ],
            final_estimator=LogisticRegression(max_iter=1000),
        ),
    }
    return factories[name]()


def make_model(name: str, random_state=None, n_classes: int | None = None, **params):
    """Return an unfitted classifier of the zoo by name, with membership-friendly defaults.

    ``name`` is one of :data:`MODEL_NAMES`: ``"logistic_regression"`` (max_iter=1000),
    ``"random_forest"`` (100 trees), ``"decision_tree"``, ``"knn"`` (5 neighbours),
    ``"naive_bayes"`` (Gaussian), ``"svm"`` (an RBF ``SVC`` whose scores are calibrated into
    probabilities by ``CalibratedClassifierCV(SVC(), ensemble=False)``, scikit-learn's
    replacement for ``SVC(probability=True)``; its parameters are ``estimator__C``...), ``"mlp"``
    (:class:`TorchMLPClassifier`), ``"cnn"`` (:class:`TorchCNNClassifier`) and
    ``"sklearn_mlp"`` (``MLPClassifier``, 128 tanh units), ``"gradient_boosting"``
    (``HistGradientBoostingClassifier``) and ``"stacking"``
    (:class:`~mia_lib.models.DisjointStackingClassifier`, Salem et al.'s model
    stacking: an MLP and a random forest of 100 trees on disjoint parts of the training set,
    logistic regression on their posteriors for a further part; its parameters are
    ``mlp__epochs``, ``random_forest__n_estimators``, ``final_estimator__C``...). ``random_state`` is passed to
    models that take one (k-NN and naive Bayes are deterministic), and so is ``n_classes``
    (the torch networks fix their output width before ``fit``; scikit-learn models learn
    their classes from the data); ``params`` override the defaults through ``set_params``.

    scikit-learn models only output columns for the classes they saw in training; use
    :func:`mia_lib.query.full_proba` to get all ``n_classes`` columns.

    >>> make_model("logistic_regression", random_state=0, C=0.5)
    LogisticRegression(C=0.5, max_iter=1000, random_state=0)
    >>> make_model("mlp", epochs=5).epochs
    5
    >>> make_model("cnn", n_classes=30).n_classes, make_model("knn", n_classes=30)
    (30, KNeighborsClassifier())
    >>> make_model("resnet")
    Traceback (most recent call last):
    ...
    ValueError: unknown model name 'resnet'; valid names: logistic_regression, random_forest, decision_tree, knn, naive_bayes, svm, mlp, cnn, sklearn_mlp, gradient_boosting, stacking.
    """
    if not isinstance(name, str) or name not in MODEL_NAMES:
        raise ValueError(f"unknown model name {name!r}; valid names: {', '.join(MODEL_NAMES)}.")
    if n_classes is not None:
        n_classes = check_positive_int(n_classes, "n_classes", minimum=2)
    model = _zoo_estimator(name)
    valid = model.get_params()
    if "random_state" in valid and random_state is not None:
        model.set_params(random_state=_model_seed(random_state, model))
    if "n_classes" in valid and n_classes is not None:
        model.set_params(n_classes=n_classes)
    unknown = sorted(set(params) - set(valid))
    if unknown:
        raise ValueError(
            f"{type(model).__name__} ({name!r}) has no parameter(s) {', '.join(unknown)}; "
            f"valid parameters: {', '.join(sorted(valid))}."
        )
    return model.set_params(**params)


def _model_seed(random_state, model):
    """``random_state`` in a form ``model`` takes: scikit-learn models take an int or a
    RandomState, not a Generator or SeedSequence (those are drawn to an int seed)."""
    if isinstance(random_state, np.random.RandomState):
        return random_state
    if isinstance(model, TorchClassifierBase) and isinstance(
        random_state, np.random.Generator | np.random.SeedSequence
    ):
        return random_state
    return int_seed(random_state)  # an int unchanged (range checked); a wrong type raises


def model_template(model, n_classes: int | None, params: dict):
    """The unfitted model that many trainings copy (shadow or reference models), each with
    its own seed: :func:`make_model` of a name with ``n_classes`` and ``params`` (which may
    override ``n_classes``), or a clone of an estimator with ``params`` set.

    >>> model_template("logistic_regression", 10, {"C": 0.5})
    LogisticRegression(C=0.5, max_iter=1000)
    """
    from sklearn.base import clone

    if isinstance(model, str):
        return make_model(model, **{"n_classes": n_classes, **params})
    return clone(model).set_params(**params)


def check_model_spec(model, name: str = "model") -> None:
    """Raise unless ``model`` is a name of :data:`MODEL_NAMES` (checked by
    :func:`make_model`) or an unfitted estimator instance with ``predict_proba``.

    >>> check_model_spec("svm"); check_model_spec(TorchMLPClassifier())
    >>> check_model_spec(object())
    Traceback (most recent call last):
    ...
    TypeError: model must be a model name of mia_lib.models.make_model (such as 'mlp') or an unfitted estimator instance, got object.
    """
    if isinstance(model, str):
        return
    if isinstance(model, type) or not (hasattr(model, "fit") and hasattr(model, "get_params")):
        what = f"the class {model.__name__}" if isinstance(model, type) else type(model).__name__
        raise TypeError(
            f"{name} must be a model name of mia_lib.models.make_model (such as 'mlp') or an "
            f"unfitted estimator instance, got {what}."
        )
    if not hasattr(model, "predict_proba"):
        raise TypeError(
            f"{name} {type(model).__name__} has no predict_proba; membership inference needs "
            "posteriors. Use a probabilistic classifier (SVC(probability=True), or wrap it "
            "in CalibratedClassifierCV)."
        )
