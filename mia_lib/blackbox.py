"""The MLaaS endpoint: a trained model seen only through its predictions.

:class:`BlackBox` wraps any fitted classifier with ``predict_proba``. The attacker may call
:meth:`BlackBox.query` (and nothing else): it returns posterior vectors, or labels only, after
the service's output transforms (the first line of defence Shokri et al. study), and it counts
every record queried.

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

import numpy as np

from ._validation import check_features
from .models import full_proba, model_proba

__all__ = ["BlackBox", "TopK", "Rounding", "Temperature"]


class TopK:
    """Keep the ``k`` largest posteriors, zero the rest and renormalise.

    >>> TopK(1)(np.array([[0.6, 0.3, 0.1]])).tolist()
    [[1.0, 0.0, 0.0]]
    """

    def __init__(self, k: int):
        if not isinstance(k, int | np.integer) or k < 1:
            raise ValueError(f"TopK needs a positive integer k, got {k!r}.")
        self.k = int(k)

    def __call__(self, P):
        P = np.asarray(P, dtype=np.float64)
        if self.k >= P.shape[1]:
            return P
        keep = np.argsort(-P, axis=1, kind="stable")[:, : self.k]
        out = np.zeros_like(P)
        rows = np.arange(P.shape[0])[:, None]
        out[rows, keep] = P[rows, keep]
        return out / out.sum(axis=1, keepdims=True)

    def __repr__(self):
        return f"TopK({self.k})"


class Rounding:
    """Round posteriors to ``decimals`` digits (Shokri et al.'s "rounding" defence).

    The result is not renormalised: the service reports rounded numbers as they are.

    >>> Rounding(1)(np.array([[0.64, 0.36]])).tolist()
    [[0.6, 0.4]]
    """

    def __init__(self, decimals: int):
        if not isinstance(decimals, int | np.integer) or decimals < 0:
            raise ValueError(f"Rounding needs a non-negative integer, got {decimals!r}.")
        self.decimals = int(decimals)

    def __call__(self, P):
        return np.round(np.asarray(P, dtype=np.float64), self.decimals)

    def __repr__(self):
        return f"Rounding({self.decimals})"


class Temperature:
    """Soften (``t > 1``) or sharpen (``t < 1``) posteriors: :math:`p_i^{1/t} / \\sum_j p_j^{1/t}`.

    This equals dividing the logits by ``t`` before the softmax.

    >>> Temperature(2.0)(np.array([[0.8, 0.2]])).round(3).tolist()
    [[0.667, 0.333]]
    """

    def __init__(self, t: float):
        if not np.isfinite(t) or t <= 0:
            raise ValueError(f"Temperature needs t > 0, got {t!r}.")
        self.t = float(t)

    def __call__(self, P):
        logp = np.log(np.clip(np.asarray(P, dtype=np.float64), 1e-300, 1.0)) / self.t
        logp -= logp.max(axis=1, keepdims=True)
        e = np.exp(logp)
        return e / e.sum(axis=1, keepdims=True)

    def __repr__(self):
        return f"Temperature({self.t:g})"


class BlackBox:
    """Prediction-only access to a fitted classifier, as an MLaaS API gives it.

    Parameters
    ----------
    model : a fitted classifier with ``predict_proba``.
    output : ``"proba"`` (posterior vectors) or ``"label"`` (the predicted label only).
    transforms : callables applied in order to the posterior matrix before it is released
        (for example :class:`TopK`, :class:`Rounding`, :class:`Temperature`).
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
        for t in transforms:
            if not callable(t):
                raise TypeError(f"every transform must be callable, got {t!r}.")
        self._model = model
        self.output = output
        self.transforms = tuple(transforms)
        self.n_classes = n_classes
        self.n_queries = 0
        self.n_calls = 0

    def _posteriors(self, X):
        if self.n_classes is not None and hasattr(self._model, "classes_"):
            return full_proba(self._model, X, self.n_classes)
        return model_proba(self._model, X)

    def query(self, X) -> np.ndarray:
        """Return the released output for the records ``X`` and count them as queries."""
        X = check_features(X, allow_nd=True)
        self.n_queries += len(X)
        self.n_calls += 1
        P = self._posteriors(X)
        for t in self.transforms:
            P = t(P)
        if self.output == "label":
            return np.argmax(P, axis=1)
        if not np.all(np.isfinite(P)) or P.min() < 0 or P.max() > 1:
            raise ValueError(
                "an output transform produced values outside [0, 1] or non-finite values; "
                "transforms must map posteriors to posteriors."
            )
        # Rows need not sum to 1: a rounding service releases its rounded numbers as they are.
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
            f"BlackBox({type(self._model).__name__}, output={self.output!r}, "
            f"transforms=[{t}], n_queries={self.n_queries})"
        )
