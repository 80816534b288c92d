"""Shadow training (Shokri et al. 2017, Sec. IV-C/D).

The attacker trains ``k`` *shadow models* that imitate the target, each on its own "in" set
drawn from data of the same distribution, and keeps an "out" set of the same size that the
shadow never sees. Because the attacker knows which records each shadow was trained on, every
shadow's outputs become labelled examples of member / non-member behaviour:

    for each shadow i, for each record (x, y) in in_i:  (y, f_i(x), in)
                        for each record (x, y) in out_i: (y, f_i(x), out)

The union over the ``k`` shadows is the **attack training set** (:class:`AttackData`), which
trains the attack models of :mod:`mia_lib.attacks`:
``attack.fit(data.posteriors, data.membership, labels=data.labels)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator

from ._validation import (
    check_bool,
    check_features,
    check_labels,
    check_positive_int,
    check_same_length,
    check_training_data,
)
from .models.zoo import check_model_spec, model_template
from .parallel import train_models
from .query import apply_transforms, as_distribution, full_proba
from .seeding import int_seed, spawn
from .splits import shadow_splits

__all__ = ["AttackData", "ShadowModels", "attack_dataset", "released_view"]


@dataclass(frozen=True)
class AttackData:
    """Labelled membership examples: (true label, posterior vector, in/out) per record.

    Train an attack on it with ``attack.fit(data.posteriors, data.membership,
    labels=data.labels)``. ``source`` says which shadow model produced each row.
    """

    posteriors: np.ndarray
    labels: np.ndarray
    membership: np.ndarray
    source: np.ndarray

    def subset(self, mask) -> AttackData:
        """The rows selected by a boolean ``mask`` (or an index array), as a new AttackData.

        >>> d = AttackData(np.eye(2), np.array([0, 1]), np.array([1, 0]), np.array([0, 1]))
        >>> len(d.subset(d.source == 0))
        1
        """
        mask = _check_rows(mask, len(self), "mask")
        return AttackData(
            posteriors=self.posteriors[mask],
            labels=self.labels[mask],
            membership=self.membership[mask],
            source=self.source[mask],
        )

    def released(self, transforms=(), output: str = "proba") -> AttackData:
        """The same examples as the attacker sees them through a service's output
        ``transforms`` (and ``output="label"``): the shadows' posteriors are transformed
        (:func:`mia_lib.query.apply_transforms`) and read back as distributions
        (:func:`mia_lib.query.as_distribution`), exactly as the target's answers are.

        >>> from mia_lib.query import TopK
        >>> d = AttackData(np.array([[0.7, 0.2, 0.1]]), np.array([0]), np.array([1]),
        ...                np.array([0]))
        >>> d.released([TopK(1, renormalise=False)]).posteriors.round(2).tolist()
        [[0.7, 0.15, 0.15]]
        """
        R = released_view(self.posteriors, transforms, output)
        return AttackData(R, self.labels, self.membership, self.source)

    def __len__(self):
        return len(self.labels)

    def __repr__(self):
        n_in = int(self.membership.sum())
        return (
            f"AttackData(n={len(self)}, members={n_in}, non_members={len(self) - n_in}, "
            f"n_classes={self.posteriors.shape[1]}, sources={len(np.unique(self.source))})"
        )


def released_view(P, transforms=(), output: str = "proba") -> np.ndarray:
    """What an attacker reads from a service that releases posteriors ``P`` through
    ``transforms`` and ``output``: distributions of the same width (one-hot for labels)."""
    if output not in ("proba", "label"):
        raise ValueError(f"output must be 'proba' or 'label', got {output!r}.")
    R = apply_transforms(P, transforms)
    if output == "label":
        return as_distribution(np.argmax(R, axis=1), n_classes=R.shape[1])
    return as_distribution(R)


def _check_rows(rows, n: int, name: str) -> np.ndarray:
    """Row indices from a boolean mask of ``n`` entries or an array of indices ``0..n-1``."""
    arr = np.asarray(rows) if rows is not None else None
    if arr is None or arr.ndim != 1 or (arr.dtype.kind not in "biu" and arr.size):
        raise TypeError(f"{name} must be a boolean mask or an array of row indices, got {rows!r}.")
    if arr.dtype == bool:
        if arr.size != n:
            raise ValueError(f"{name} has {arr.size} entries for {n} rows; a mask needs one a row.")
        return np.flatnonzero(arr)
    arr = arr.astype(np.int64)
    if arr.size and (arr.min() < 0 or arr.max() >= n):
        bad = arr.min() if arr.min() < 0 else arr.max()
        raise ValueError(f"{name} has row indices outside 0..{n - 1} (found {bad}).")
    return arr


def attack_dataset(models, X, y, splits, n_classes: int) -> AttackData:
    """Query each shadow model on its own in and out records and label the outputs.

    Parameters
    ----------
    models : fitted shadow models, one per split.
    X, y : the attacker's records and labels that the splits index.
    splits : :class:`mia_lib.splits.ShadowSplit` objects (``in_idx``, ``out_idx``).
    n_classes : width of every posterior vector.
    """
    n_classes = check_positive_int(n_classes, "n_classes")
    X = check_features(X, allow_nd=True)
    y = check_labels(y, n_classes=n_classes)
    check_same_length(X=X, y=y)
    if len(models) != len(splits):
        raise ValueError(f"{len(models)} models but {len(splits)} splits; pass one split a model.")
    for i, split in enumerate(splits):
        if not (hasattr(split, "in_idx") and hasattr(split, "out_idx")):
            raise TypeError(f"splits[{i}] must be a ShadowSplit (in_idx, out_idx), got {split!r}.")
        both = np.intersect1d(
            _check_rows(split.in_idx, len(X), f"splits[{i}].in_idx"),
            _check_rows(split.out_idx, len(X), f"splits[{i}].out_idx"),
        )
        if both.size:
            raise ValueError(
                f"splits[{i}] has {both.size} record(s) both in and out (row {both[0]}); a "
                "record cannot be a member and a non-member of the same shadow model."
            )
    P, L, M, S = [], [], [], []
    for i, (model, split) in enumerate(zip(models, splits, strict=True)):
        for idx, member in ((split.in_idx, 1), (split.out_idx, 0)):
            P.append(full_proba(model, X[idx], n_classes))
            L.append(y[idx])
            M.append(np.full(len(idx), member, dtype=np.int64))
            S.append(np.full(len(idx), i, dtype=np.int64))
    return AttackData(
        posteriors=np.vstack(P),
        labels=np.concatenate(L).astype(np.int64),
        membership=np.concatenate(M),
        source=np.concatenate(S),
    )


class ShadowModels(BaseEstimator):
    """Train ``n_shadows`` shadow models on the attacker's data and build the attack set.

    Parameters
    ----------
    model : a model name of :func:`mia_lib.models.make_model` (``"mlp"``, ``"cnn"``,
        ``"random_forest"``, ...) or an unfitted estimator, cloned for every shadow. A list
        of them makes a *combined* shadow (Salem et al. 2019): each of the ``k`` in/out
        splits trains one model of every kind in the list, and the attack set pools all
        their outputs.
    n_shadows : number of shadow models ``k`` (number of in/out splits for a list).
    shadow_size : records in each shadow's training ("in") set; its "out" set has as many.
        Defaults to the largest size for which one in/out pair fits in the data.
    model_params : keyword arguments for :func:`~mia_lib.models.make_model`; with a list of
        models, a list of such dicts (or None), one per model.
    n_classes : width of every posterior vector (the target's number of classes); ``None``
        means ``y.max() + 1`` of the data passed to ``fit``.
    disjoint : draw non-overlapping data for different shadows (Shokri et al. allow overlap).
    batched : train the ``"mlp"`` shadows together with :func:`~mia_lib.models.train_many`
        (the same training as one by one, several times faster).
    random_state : None, int, Generator or SeedSequence (:mod:`mia_lib.seeding`). The splits
        and every model's seed are spawned from it, so ``batched`` does not change the models.
    verbose : show a progress bar over the shadow models (over chunks of batched MLPs).
    n_jobs : shadow trainings run at once (:func:`mia_lib.parallel.train_models`). None: those
        of the active :func:`mia_lib.parallel.use_backend` (local processes, Dask or Ray),
        else 1, a loop in this process. The models do not depend on it: every shadow's seed
        is fixed.

    Attributes
    ----------
    models_ : the fitted shadow models. With a list of ``m`` models, ``models_[i * m + j]``
        is the model of kind ``j`` trained on split ``i``.
    splits_ : their :class:`~mia_lib.splits.ShadowSplit` index sets into the data passed to
        fit, one per model (models of one split share it).
    kinds_ : for each of ``models_``, the position of its kind in the list (all 0 for a
        single model); ``attack_data_.source`` indexes ``models_``, so
        ``kinds_[attack_data_.source]`` says which kind produced each row.
    attack_data_ : the :class:`AttackData` built from all shadows.
    n_classes_ : width of the posterior vectors.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> X, y = load_digits(return_X_y=True)
    >>> shadows = ShadowModels("logistic_regression", n_shadows=2, shadow_size=300,
    ...                        random_state=0).fit(X / 16, y)
    >>> shadows.attack_data_
    AttackData(n=1200, members=600, non_members=600, n_classes=10, sources=2)
    >>> combined = ShadowModels(["logistic_regression", "random_forest"], n_shadows=1,
    ...                         shadow_size=300, random_state=0).fit(X / 16, y)
    >>> combined.attack_data_, combined.kinds_.tolist()
    (AttackData(n=1200, members=600, non_members=600, n_classes=10, sources=2), [0, 1])
    """

    def __init__(
        self,
        model="mlp",
        n_shadows: int = 10,
        shadow_size: int | None = None,
        model_params: dict | list | None = None,
        n_classes: int | None = None,
        disjoint: bool = False,
        batched: bool = True,
        random_state=None,
        verbose: bool = False,
        n_jobs: int | None = None,
    ):
        self.model = model
        self.n_shadows = n_shadows
        self.shadow_size = shadow_size
        self.model_params = model_params
        self.n_classes = n_classes
        self.disjoint = disjoint
        self.batched = batched
        self.random_state = random_state
        self.verbose = verbose
        self.n_jobs = n_jobs

    def fit(self, X, y):
        """Train the shadows on the attacker's records ``X``, labels ``y``; returns self."""
        kinds, kind_params = self._kinds()
        n_shadows = check_positive_int(self.n_shadows, "n_shadows")
        check_bool(self.disjoint, "disjoint")
        check_bool(self.batched, "batched")
        check_bool(self.verbose, "verbose")
        X, y, k = check_training_data(X, y, self.n_classes)
        split_seq, *kind_seqs = spawn(self.random_state, 1 + len(kinds))
        if self.shadow_size is None:
            size = len(X) // 2
        else:
            size = check_positive_int(self.shadow_size, "shadow_size")
        self.splits_ = shadow_splits(
            np.arange(len(X)), n_shadows, size, disjoint=self.disjoint, random_state=split_seq
        )
        trained = []  # trained[j][i]: the model of kind j on split i
        subsets = [s.in_idx for s in self.splits_]
        for j, (kind, params) in enumerate(zip(kinds, kind_params, strict=True)):
            seeds = [int_seed(s) for s in spawn(kind_seqs[j], n_shadows)]
            template = model_template(kind, k, params)
            trained.append(
                train_models(
                    template,
                    X,
                    y,
                    subsets,
                    seeds,
                    batched=self.batched and isinstance(kind, str) and kind == "mlp",
                    n_jobs=self.n_jobs,
                    verbose=self.verbose,
                )
            )
        m = len(kinds)
        self.models_ = [trained[j][i] for i in range(n_shadows) for j in range(m)]
        self.kinds_ = np.tile(np.arange(m, dtype=np.int64), n_shadows)
        self.splits_ = [split for split in self.splits_ for _ in range(m)]
        self.n_classes_ = k
        self.n_features_in_ = int(np.prod(X.shape[1:]))
        self.attack_data_ = attack_dataset(self.models_, X, y, self.splits_, k)
        return self

    def _kinds(self) -> tuple[list, list[dict]]:
        """The model kinds and their parameters, checked (one kind unless a list is given)."""
        if not isinstance(self.model, list | tuple):
            if self.model_params is not None and not isinstance(self.model_params, dict):
                raise ValueError(
                    "model_params must be a dict of keyword arguments for one model, got "
                    f"{type(self.model_params).__name__}."
                )
            check_model_spec(self.model)
            return [self.model], [dict(self.model_params or {})]
        kinds = list(self.model)
        if not kinds:
            raise ValueError("model is an empty list; give at least one model name or estimator.")
        params = self.model_params
        if params is None:
            params = [{}] * len(kinds)
        for kind in kinds:
            check_model_spec(kind)
        if isinstance(params, dict) or len(params) != len(kinds):
            raise ValueError(
                f"with a list of {len(kinds)} models, model_params must be a list of "
                f"{len(kinds)} dicts (one per model) or None, got {params!r}."
            )
        return kinds, [dict(p or {}) for p in params]
