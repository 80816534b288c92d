"""The query layer: a trained model seen only through its predictions.

Everything that asks a fitted model for posteriors lives here, so that models never need to
know how they are queried:

* :func:`model_proba` and :func:`full_proba`: posteriors as float64, with one column per
  class even when the model never saw some classes (shadow models on small subsets);
* :class:`BlackBox`: the MLaaS endpoint. The attacker may call :meth:`BlackBox.query` (and
  nothing else): it returns posterior vectors, or labels only, after the service's output
  transforms, and it counts every record queried;
* the output transforms :class:`TopK`, :class:`Rounding` and :class:`Temperature` (the
  first line of defence Shokri et al. study). Any callable mapping an (n, k) posterior matrix
  to an (n, k) matrix is a transform; one whose rows need not sum to 1 says so with an
  attribute ``normalised = False`` (as :class:`Rounding` does).

>>> import numpy as np
>>> from sklearn.linear_model import LogisticRegression
>>> X = np.array([[0.0], [1.0], [2.0], [3.0]]); y = np.array([0, 0, 1, 1])
>>> bb = BlackBox(LogisticRegression().fit(X, y), transforms=[Rounding(1)])
>>> bb.query(X[:2]).round(1).tolist()
[[0.8, 0.2], [0.6, 0.4]]
>>> bb.n_queries
2
"""

from __future__ import annotations

import inspect
import numbers

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._validation import check_features, check_positive_int

__all__ = [
    "BlackBox",
    "TopK",
    "Rounding",
    "Temperature",
    "apply_transforms",
    "as_distribution",
    "full_proba",
    "model_proba",
]

#: Rows of a transform that keeps posteriors normalised must sum to 1 within this.
SUM_TOLERANCE = 1e-6


def model_proba(model, X) -> np.ndarray:
    """``model.predict_proba(X)`` as float64, feeding scikit-learn models float64 input.

    Some scikit-learn models compute in the input's precision; GaussianNB on float32
    binary features returns rows that sum to as much as 4. The library's torch models
    (those with ``predict_logits``) get ``X`` unchanged (they compute in float32).

    >>> from sklearn.naive_bayes import GaussianNB
    >>> X = np.eye(4, dtype=np.float32)
    >>> model_proba(GaussianNB().fit(X, [0, 1, 2, 3]), X).sum(axis=1).round(6).tolist()
    [1.0, 1.0, 1.0, 1.0]
    """
    _check_model(model)
    if not hasattr(model, "predict_logits"):
        check_features(X, allow_nd=True)  # clear errors for NaN, text, 1-D input
        X = np.asarray(X, dtype=np.float64)
    return np.asarray(model.predict_proba(X), dtype=np.float64)


def full_proba(model, X, n_classes: int | None = None) -> np.ndarray:
    """Posteriors of a fitted classifier with one column for each class ``0..n_classes-1``.

    scikit-learn models trained without some class have no column for it; this puts
    their columns at ``model.classes_`` and zeros elsewhere. Rows still sum to 1.
    ``n_classes`` defaults to ``max(model.classes_) + 1`` (for a model whose classes are
    ``0..k-1``, its number of classes).

    >>> from sklearn.linear_model import LogisticRegression
    >>> clf = LogisticRegression().fit([[0.0], [1.0], [4.0], [5.0]], [0, 0, 2, 2])
    >>> clf.predict_proba([[0.0]]).shape       # classes 1 and 3 never seen
    (1, 2)
    >>> full_proba(clf, [[0.0]], n_classes=4).round(2)
    array([[0.92, 0.  , 0.08, 0.  ]])
    """
    _check_model(model)
    check_is_fitted(model)
    classes = np.asarray(model.classes_)
    as_float = np.asarray(classes, dtype=float) if classes.dtype.kind in "biuf" else None
    if as_float is None or not np.all(as_float == np.round(as_float)):
        raise ValueError(
            f"the model's classes_ are not integers ({classes[:5]}...); full_proba needs "
            "labels 0..n_classes-1."
        )
    classes = classes.astype(np.int64)
    if n_classes is None:
        n_classes = int(classes.max()) + 1
    n_classes = check_positive_int(n_classes, "n_classes")
    if classes.min() < 0 or classes.max() >= n_classes:
        raise ValueError(
            f"the model knows classes {classes.min()}..{classes.max()}, outside "
            f"0..{n_classes - 1}; pass the right n_classes."
        )
    proba = model_proba(model, X)
    if proba.shape[1] == n_classes and np.array_equal(classes, np.arange(n_classes)):
        return proba
    out = np.zeros((proba.shape[0], n_classes))
    out[:, classes] = proba
    return out


def _check_model(model) -> None:
    if not hasattr(model, "predict_proba"):
        raise TypeError(
            f"model must be a fitted classifier with predict_proba, got {type(model).__name__}."
        )


# ------------------------------------------------------------------------------ transforms


def _posterior_matrix(P, transform) -> np.ndarray:
    """A transform's input as a float64 (n, k) matrix, with a clear error otherwise."""
    try:
        arr = np.asarray(P, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"{transform!r} needs posteriors of shape (n, n_classes), got non-numeric input."
        ) from None
    if arr.ndim != 2:
        raise ValueError(
            f"{transform!r} needs posteriors of shape (n, n_classes), got shape {arr.shape}."
        )
    return arr


class TopK:
    """Keep the ``k`` largest posteriors and zero the rest.

    ``renormalise=True`` (the default) rescales the kept values to sum to 1; with ``False``
    the service releases them as they are (Shokri et al.'s "top-k" restriction: the top-1
    value is still the model's confidence), so its rows need not sum to 1.

    >>> TopK(1)(np.array([[0.6, 0.3, 0.1]])).tolist()
    [[1.0, 0.0, 0.0]]
    >>> TopK(1, renormalise=False)(np.array([[0.6, 0.3, 0.1]])).tolist()
    [[0.6, 0.0, 0.0]]
    """

    def __init__(self, k: int, renormalise: bool = True):
        if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 1:
            raise ValueError(f"TopK needs a positive integer k, got {k!r}.")
        if not isinstance(renormalise, bool | np.bool_):
            raise ValueError(f"TopK's renormalise must be True or False, got {renormalise!r}.")
        self.k = int(k)
        self.renormalise = bool(renormalise)

    @property
    def normalised(self) -> bool:
        """Whether released rows sum to 1 (only when renormalised)."""
        return self.renormalise

    def __call__(self, P):
        P = _posterior_matrix(P, self)
        if self.k >= P.shape[1]:
            return P
        keep = np.argsort(-P, axis=1, kind="stable")[:, : self.k]
        out = np.zeros_like(P)
        rows = np.arange(P.shape[0])[:, None]
        out[rows, keep] = P[rows, keep]
        if not self.renormalise:
            return out
        sums = out.sum(axis=1, keepdims=True)
        if np.any(sums <= 0):
            raise ValueError(
                f"{self!r} got row {int(np.flatnonzero(sums <= 0)[0])} of zeros and cannot "
                "renormalise it; apply TopK before Rounding, not after."
            )
        return out / sums

    def __repr__(self):
        return f"TopK({self.k})" if self.renormalise else f"TopK({self.k}, renormalise=False)"


class Rounding:
    """Round posteriors to ``decimals`` digits (Shokri et al.'s "rounding" defence).

    The result is not renormalised: the service reports rounded numbers as they are, so its
    rows need not sum to 1 (``normalised = False``).

    >>> Rounding(1)(np.array([[0.64, 0.36]])).tolist()
    [[0.6, 0.4]]
    """

    normalised = False

    def __init__(self, decimals: int):
        if isinstance(decimals, bool) or not isinstance(decimals, numbers.Integral) or decimals < 0:
            raise ValueError(f"Rounding needs a non-negative integer, got {decimals!r}.")
        self.decimals = int(decimals)

    def __call__(self, P):
        return np.round(_posterior_matrix(P, self), self.decimals)

    def __repr__(self):
        return f"Rounding({self.decimals})"


class Temperature:
    """Soften (``t > 1``) or sharpen (``t < 1``) posteriors: :math:`p_i^{1/t} / \\sum_j p_j^{1/t}`.

    This equals dividing the logits by ``t`` before the softmax.

    >>> Temperature(2.0)(np.array([[0.8, 0.2]])).round(3).tolist()
    [[0.667, 0.333]]
    >>> Temperature("2")
    Traceback (most recent call last):
    ...
    ValueError: Temperature needs a finite number t > 0, got '2'.
    """

    normalised = True

    def __init__(self, t: float):
        if isinstance(t, bool) or not isinstance(t, numbers.Real) or not np.isfinite(t) or t <= 0:
            raise ValueError(f"Temperature needs a finite number t > 0, got {t!r}.")
        self.t = float(t)

    def __call__(self, P):
        logp = np.log(np.clip(_posterior_matrix(P, self), 1e-300, 1.0)) / self.t
        logp -= logp.max(axis=1, keepdims=True)
        e = np.exp(logp)
        return e / e.sum(axis=1, keepdims=True)

    def __repr__(self):
        return f"Temperature({self.t:g})"


def _check_transform_output(out, shape, transform) -> np.ndarray:
    """A transform must map an (n, k) posterior matrix to an (n, k) one in [0, 1]."""
    name = transform.__name__ if inspect.isroutine(transform) else repr(transform)
    try:
        out = np.asarray(out, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"output transform {name} returned non-numeric output: {exc}") from None
    if out.shape != shape:
        raise ValueError(
            f"output transform {name} returned shape {out.shape} for posteriors of shape "
            f"{shape}; a transform must return one row of {shape[1]} values per record."
        )
    if not np.all(np.isfinite(out)):
        raise ValueError(f"output transform {name} returned NaN or infinite values.")
    if out.min() < 0 or out.max() > 1:
        raise ValueError(
            f"output transform {name} returned values outside [0, 1] "
            f"({out.min():.3g}..{out.max():.3g}); transforms must map posteriors to posteriors."
        )
    if getattr(transform, "normalised", True):
        sums = out.sum(axis=1)
        bad = np.flatnonzero(np.abs(sums - 1.0) > SUM_TOLERANCE)
        if bad.size:
            raise ValueError(
                f"output transform {name} returned row {int(bad[0])} summing to "
                f"{sums[bad[0]]:.6g}, not 1; renormalise its rows, or give the transform "
                "an attribute normalised = False if the service releases them as they are."
            )
    return out


def apply_transforms(P, transforms=()) -> np.ndarray:
    """Posteriors ``P`` (n, k) after the service's output ``transforms``, each checked.

    This is what a :class:`BlackBox` releases; the attacker applies it to its shadow models'
    outputs to see them as the service would release them.

    >>> apply_transforms([[0.64, 0.36]], [Rounding(1)]).tolist()
    [[0.6, 0.4]]
    """
    P = _posterior_matrix(P, "apply_transforms")
    if not np.all(np.isfinite(P)):
        raise ValueError("apply_transforms needs posteriors, got NaN or infinite values.")
    if P.size and (P.min() < -SUM_TOLERANCE or P.max() > 1 + SUM_TOLERANCE):
        raise ValueError(
            f"apply_transforms needs posteriors in [0, 1], got values {P.min():.3g}.."
            f"{P.max():.3g}; pass probabilities, not logits."
        )
    for t in _check_transforms(transforms):
        P = _check_transform_output(t(P), P.shape, t)
    return P


def as_distribution(R, n_classes: int | None = None) -> np.ndarray:
    """Read released outputs ``R`` as probability distributions, as an attacker does.

    * labels (a 1-D array, ``output="label"``) become one-hot rows of ``n_classes``;
    * a row summing to less than 1 (top-k values released as they are) keeps its values and
      spreads the missing mass evenly over its zero entries (or is rescaled if it has none);
    * a row summing to more than 1 (rounded values) is divided by its sum.

    Rows that already sum to 1 are returned unchanged, so the kept values (the model's top
    confidences) reach the attack as the service released them.

    >>> as_distribution([[0.6, 0.0, 0.0]]).tolist()
    [[0.6, 0.2, 0.2]]
    >>> as_distribution([2, 0], n_classes=3).tolist()
    [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]
    """
    R = np.asarray(R)
    if R.ndim == 1:
        if n_classes is None:
            raise ValueError("released labels (a 1-D array) need n_classes to become one-hot rows.")
        n_classes = check_positive_int(n_classes, "n_classes")
        labels = np.asarray(R)
        if labels.dtype.kind not in "iu" or (
            labels.size and (labels.min() < 0 or labels.max() >= n_classes)
        ):
            raise ValueError(
                f"released labels must be integers in 0..{n_classes - 1}, got {labels[:5]}."
            )
        out = np.zeros((len(labels), n_classes))
        out[np.arange(len(labels)), labels] = 1.0
        return out
    R = _posterior_matrix(R, "as_distribution")
    if not np.all(np.isfinite(R)) or (R.size and (R.min() < 0 or R.max() > 1)):
        raise ValueError("released outputs must be finite values in [0, 1].")
    sums = R.sum(axis=1, keepdims=True)
    out = R.copy()
    short = sums[:, 0] < 1.0 - SUM_TOLERANCE
    zeros = (R == 0) & short[:, None]
    n_zero = zeros.sum(axis=1, keepdims=True)
    fill = np.divide(1.0 - sums, n_zero, out=np.zeros_like(sums), where=n_zero > 0)
    out = np.where(zeros, fill, out)
    sums = out.sum(axis=1, keepdims=True)
    off = np.abs(sums[:, 0] - 1.0) > SUM_TOLERANCE
    empty = sums[:, 0] <= 0
    out[off & ~empty] /= sums[off & ~empty]
    out[empty] = 1.0 / R.shape[1]
    return out


def _check_transforms(transforms) -> tuple:
    if transforms is None:
        return ()
    if callable(transforms) or isinstance(transforms, str | bytes):
        raise TypeError(
            f"transforms must be a sequence of callables, got {transforms!r}; "
            "wrap a single transform in a list: transforms=[t]."
        )
    try:
        transforms = tuple(transforms)
    except TypeError:
        raise TypeError(
            f"transforms must be a sequence of callables, got {type(transforms).__name__}."
        ) from None
    for t in transforms:
        if not callable(t):
            raise TypeError(f"every transform must be callable, got {t!r}.")
    return transforms


# ------------------------------------------------------------------------------- black box


class BlackBox:
    """Prediction-only access to a fitted classifier, as an MLaaS API gives it.

    Parameters
    ----------
    model : a fitted classifier with ``predict_proba``.
    output : ``"proba"`` (posterior vectors) or ``"label"`` (the predicted label only).
    transforms : callables applied in order to the posterior matrix before it is released
        (for example :class:`TopK`, :class:`Rounding`, :class:`Temperature`); ``None`` or
        an empty sequence for none. Each must return a matrix of the same shape with values
        in [0, 1] whose rows sum to 1, unless it has ``normalised = False``.
    n_classes : width of the posterior vector; defaults to the model's number of classes.
        Columns of classes the model never saw are filled with zeros.

    Attributes
    ----------
    n_queries : number of records queried so far.
    n_calls : number of calls to :meth:`query`.
    """

    def __init__(self, model, *, output: str = "proba", transforms=(), n_classes=None):
        if not hasattr(model, "predict_proba"):
            raise TypeError(f"model must have predict_proba; {type(model).__name__} has not.")
        if output not in ("proba", "label"):
            raise ValueError(f"output must be 'proba' or 'label', got {output!r}.")
        transforms = _check_transforms(transforms)
        if n_classes is not None:
            n_classes = check_positive_int(n_classes, "n_classes")
        self.model = model
        self.output = output
        self.transforms = transforms
        self.n_classes = n_classes
        self.n_queries = 0
        self.n_calls = 0

    def posteriors(self, X) -> np.ndarray:
        """The model's posteriors before the service's transforms; not counted as queries.

        For the service's owner (accuracy, defences), never for the attacker.
        """
        X = check_features(X, allow_nd=True)
        if self.n_classes is not None and hasattr(self.model, "classes_"):
            P = full_proba(self.model, X, self.n_classes)
        else:
            P = model_proba(self.model, X)
        if P.ndim != 2 or len(P) != len(X) or not np.all(np.isfinite(P)):
            raise ValueError(
                f"the model's predict_proba returned {'non-finite values' if P.ndim == 2 else P.shape} "
                f"for {len(X)} records; it must return finite (n, n_classes) posteriors."
            )
        return P

    def query(self, X) -> np.ndarray:
        """Return the released output for the records ``X`` and count them as queries."""
        P = self.posteriors(X)
        self.n_queries += len(P)
        self.n_calls += 1
        P = apply_transforms(P, self.transforms)
        if self.output == "label":
            return np.argmax(P, axis=1)
        return P

    def predict_proba(self, X) -> np.ndarray:
        """Same as :meth:`query` for a posterior-releasing service (scikit-learn's name)."""
        if self.output != "proba":
            raise AttributeError("this black box releases labels only; use query().")
        return self.query(X)

    def reset_counter(self) -> None:
        """Set the query counters back to zero."""
        self.n_queries = 0
        self.n_calls = 0

    def __repr__(self):
        t = ", ".join(map(repr, self.transforms)) or "none"
        return (
            f"BlackBox({type(self.model).__name__}, output={self.output!r}, "
            f"transforms=[{t}], n_queries={self.n_queries})"
        )
