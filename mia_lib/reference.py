"""Reference models: many copies of the target's training, each on a known random subset.

Modern attacks (LiRA, Carlini et al. 2022; RMIA, Zarifzadeh et al. 2024; Attack-R, Ye et
al. 2022) compare the target's output on a record with the outputs of *reference models*
(LiRA calls them shadow models) trained the same way on random subsets of data the attacker
holds. Because the attacker knows which records each reference model was trained on, it
sees, record by record, the distribution of the signal when the record is **in** the
training set and when it is **out**.

:class:`ReferenceModels` trains them and keeps, for every model and every record of the data
passed to ``fit``, the record's scaled logit (:func:`mia_lib.signals.scaled_logit`) and
whether the model was trained on it. That (models x records) table is everything the
attacks of :mod:`mia_lib.reference_attacks` need; the models themselves are kept too.

* **Online** references may train on the records under attack: each model draws its
  training set from ``candidates`` that include them, so each target record is *in* about
  ``training_size / len(candidates)`` of the models.
* **Offline** references never see them: ``candidates`` exclude the records under attack.

:func:`mia_lib.pipeline.train_references` chooses the candidates from a
:class:`~mia_lib.pipeline.Target`.

>>> from sklearn.datasets import load_digits
>>> X, y = load_digits(return_X_y=True)
>>> ref = ReferenceModels("logistic_regression", n_models=4, training_size=300,
...                       random_state=0).fit(X / 16, y)
>>> ref.logits_.shape, ref.in_.shape, ref.in_.sum(axis=1).tolist()
((4, 1797), (4, 1797), [300, 300, 300, 300])
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, clone

from ._validation import check_bool, check_positive_int, check_training_data
from .models.zoo import check_model_spec, model_template
from .parallel import train_models
from .query import full_proba
from .seeding import generator, int_seed, spawn
from .signals import scaled_logit
from .threads import limit_threads

__all__ = ["ReferenceModels", "sigmoid"]


def sigmoid(z) -> np.ndarray:
    """The inverse of the scaled logit: the true-class confidence ``1 / (1 + e^-z)``.

    >>> sigmoid([0.0, 2.1972]).round(3)
    array([0.5, 0.9])
    """
    z = np.asarray(z, dtype=np.float64)
    return np.exp(-np.logaddexp(0.0, -z))


class ReferenceModels(BaseEstimator):
    """Train ``n_models`` reference models on random subsets and record their signals.

    Parameters
    ----------
    model : a model name of :func:`mia_lib.models.make_model` or an unfitted estimator
        (cloned for every model), trained as the target was.
    n_models : number of reference models ``k``.
    training_size : records in each model's training set, drawn without replacement from
        the candidates (default half of them, as in LiRA).
    model_params : keyword arguments for :func:`~mia_lib.models.make_model`.
    n_classes : width of every posterior vector (default ``y.max() + 1``).
    batched : train torch MLPs together with :func:`~mia_lib.models.train_many` (the same
        models as one by one, several times faster).
    random_state : None, int, Generator or SeedSequence; the subsets and every model's seed
        are spawned from it, one seed per model.

    Attributes
    ----------
    models_ : the fitted reference models.
    subsets_ : each model's training records (indices into the data passed to ``fit``).
    in_ : bool array (n_models, n_records): ``in_[m, i]`` iff model ``m`` trained on record ``i``.
    logits_ : array (n_models, n_records): record ``i``'s scaled logit of its true class
        under model ``m``.
    candidates_ : the indices the subsets were drawn from.
    n_classes_ : width of the posterior vectors.
    """

    def __init__(
        self,
        model="mlp",
        n_models: int = 16,
        training_size: int | None = None,
        model_params: dict | None = None,
        n_classes: int | None = None,
        batched: bool = True,
        n_jobs: int | None = None,
        random_state=None,
    ):
        self.model = model
        self.n_models = n_models
        self.training_size = training_size
        self.model_params = model_params
        self.n_classes = n_classes
        self.batched = batched
        self.n_jobs = n_jobs
        self.random_state = random_state

    def fit(self, X, y, *, candidates=None):
        """Train the models on random subsets of ``candidates`` (indices into ``X``; default
        every record) and score every record of ``X`` under every model; returns self."""
        check_model_spec(self.model)
        n_models = check_positive_int(self.n_models, "n_models")
        check_bool(self.batched, "batched")
        if self.model_params is not None and not isinstance(self.model_params, dict):
            raise ValueError(
                "model_params must be a dict of keyword arguments for the model, got "
                f"{type(self.model_params).__name__}."
            )
        X, y, k = check_training_data(X, y, self.n_classes)
        cand = np.arange(len(y)) if candidates is None else np.asarray(candidates)
        if cand.ndim != 1 or cand.dtype.kind not in "iu" or cand.size < 2:
            raise ValueError(
                "candidates must be a 1-D array of at least 2 row indices of X (the records "
                f"the reference models may train on), got {candidates!r}."
            )
        if cand.min() < 0 or cand.max() >= len(y) or np.unique(cand).size != cand.size:
            raise ValueError(
                f"candidates must be distinct row indices in 0..{len(y) - 1}; got values "
                f"from {cand.min()} to {cand.max()} ({cand.size - np.unique(cand).size} repeated)."
            )
        size = cand.size // 2 if self.training_size is None else self.training_size
        size = check_positive_int(size, "training_size")
        if size >= cand.size:
            raise ValueError(
                f"training_size={size} leaves no candidate out of {cand.size}; each reference "
                "model must leave records out. Pass a smaller training_size (LiRA uses half)."
            )
        subset_seq, model_seq = spawn(self.random_state, 2)
        rng = generator(subset_seq)
        subsets = [np.sort(rng.choice(cand, size=size, replace=False)) for _ in range(n_models)]
        params = dict(self.model_params or {})
        with limit_threads():
            models = self._train(X, y, subsets, model_seq, k, params)
            logits = np.empty((n_models, len(y)))
            for m, model in enumerate(models):
                logits[m] = scaled_logit(full_proba(model, X, k), y)
        inside = np.zeros((n_models, len(y)), dtype=bool)
        for m, s in enumerate(subsets):
            inside[m, s] = True
        self.models_ = models
        self.subsets_ = subsets
        self.in_ = inside
        self.logits_ = logits
        self.candidates_ = np.sort(cand.astype(np.int64))
        self.n_classes_ = k
        return self

    def _train(self, X, y, subsets, model_seq, k, params) -> list:
        template = model_template(self.model, k, params)
        seeds = [int_seed(s) for s in spawn(model_seq, len(subsets))]
        return train_models(
            template, X, y, subsets, seeds, batched=self.batched, n_jobs=self.n_jobs
        )

    def select(self, n_models: int) -> ReferenceModels:
        """The first ``n_models`` of the fitted models as a fitted copy (the subsets are
        drawn independently, so the first k are k reference models of their own).

        >>> from sklearn.datasets import load_digits
        >>> X, y = load_digits(return_X_y=True)
        >>> ref = ReferenceModels("naive_bayes", n_models=4, random_state=0).fit(X, y)
        >>> ref.select(2).logits_.shape
        (2, 1797)
        """
        if not hasattr(self, "logits_"):
            raise ValueError("these ReferenceModels are not fitted yet; call fit first.")
        n = check_positive_int(n_models, "n_models")
        if n > len(self.models_):
            raise ValueError(f"n_models={n} but only {len(self.models_)} models were fitted.")
        out = clone(self).set_params(n_models=n)
        out.models_ = self.models_[:n]
        out.subsets_ = self.subsets_[:n]
        out.in_ = self.in_[:n]
        out.logits_ = self.logits_[:n]
        out.candidates_ = self.candidates_
        out.n_classes_ = self.n_classes_
        return out
