"""Train many small MLPs at once, from one template estimator.

Shadow-model attacks (Shokri et al. 2017) and LiRA train tens to hundreds of identical
small networks on different subsets of the data. Trained one by one, each step of each
model pays Python, autograd and optimiser overhead for a few small matrix products;
:func:`train_many` runs all of them as one batched tensor program
(``StackedMLPs`` in ``mia_lib.models.stacked``), with the same result: model ``k`` is what
``clone(estimator).set_params(random_state=seed_k).fit(X[subsets[k]], y[subsets[k]])``
gives, up to floating-point rounding. Every parameter of
:class:`~mia_lib.models.TorchMLPClassifier` is honoured, early stopping (each model with its
own validation split, patience and best weights) and dropout included.

Speed: on one CPU core, 16 Locations-sized shadow models (446 features, 128 tanh units,
1,200 records each) train several times faster than a loop over ``TorchMLPClassifier.fit``
(``benchmarks/bench_shadow_training.py``). The speed comes from batching (about 2x) and from
skipping autograd and the optimiser's per-step Python bookkeeping (about 2x).
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import torch
from sklearn.base import clone

from mia_lib._validation import check_labels, check_positive_int, check_same_length
from mia_lib.seeding import int_seed, spawn

from .base import as_features, check_hidden_sizes, check_training_params, resolve_device
from .mlp import TorchMLPClassifier
from .stacked import StackedMLPs
from .training import divergence_message, progress

__all__ = ["BATCHED_DEVICES", "check_seeds", "check_subsets", "train_many"]

#: Device types on which the batched program runs; elsewhere the models are trained one by
#: one (the program has only been verified against one-by-one training on the CPU). A
#: template's ``device="auto"`` is resolved first (:func:`~mia_lib.models.base.resolve_device`).
BATCHED_DEVICES = ("cpu",)


def check_subsets(subsets, n: int) -> list[np.ndarray]:
    """``subsets`` as a list of int64 row-index arrays into ``n`` records (boolean masks are
    converted); a clear error for an empty list, an empty subset or an index out of range.

    >>> check_subsets([[0, 2], np.array([True, False, True])], 3)
    [array([0, 2]), array([0, 2])]
    >>> check_subsets([[0, 5]], 3)
    Traceback (most recent call last):
    ...
    ValueError: subsets[0] has row indices outside 0..2 (found 5).
    """
    if isinstance(subsets, np.ndarray) and subsets.ndim == 2:
        subsets = list(subsets)
    try:
        subsets = list(subsets)
    except TypeError:
        raise TypeError("subsets must be a list of index arrays (one per model).") from None
    if not subsets:
        raise ValueError("subsets is empty; pass one index array per model to train.")
    out = []
    for k, s in enumerate(subsets):
        arr = np.asarray(s)
        if arr.dtype == bool:
            if arr.shape != (n,):
                raise ValueError(
                    f"subsets[{k}] is a boolean mask of shape {arr.shape}; it must have "
                    f"shape ({n},), one entry per record of X."
                )
            arr = np.flatnonzero(arr)
        elif arr.ndim != 1 or not (np.issubdtype(arr.dtype, np.integer) or arr.size == 0):
            raise ValueError(
                f"subsets[{k}] must be a 1-D array of integer row indices (or a boolean "
                f"mask), got dtype {arr.dtype} and shape {arr.shape}."
            )
        if arr.size == 0:
            raise ValueError(f"subsets[{k}] is empty; every model needs training records.")
        if arr.min() < 0 or arr.max() >= n:
            raise ValueError(
                f"subsets[{k}] has row indices outside 0..{n - 1} (found "
                f"{arr.min() if arr.min() < 0 else arr.max()})."
            )
        out.append(arr.astype(np.int64))
    return out


def train_many(
    estimator, X, y, subsets, *, random_state=None, seeds=None, max_models=None, verbose=False
):
    """Train one copy of ``estimator`` per subset, all at once.

    Model ``k`` is trained on ``X[subsets[k]], y[subsets[k]]`` exactly as
    ``clone(estimator).set_params(random_state=seed_k).fit`` would train it (same
    initialisation, early-stopping split, shuffling, mini-batches, dropout masks, optimiser
    and epochs), but the models run as one batched tensor program, several times faster
    than a Python loop over models. On a device other than the CPU (see
    :data:`BATCHED_DEVICES`), or with DP-SGD (``dp_epsilon`` set), the models are trained
    by such a loop instead.

    Parameters
    ----------
    estimator : TorchMLPClassifier
        The template; its parameters are cloned for every model. Its ``n_classes`` sets
        the posterior columns of every model (``None``: ``y.max() + 1`` over the whole
        ``y``, so all models agree even if a subset lacks a class); its ``random_state``
        is used when ``random_state`` is None.
    X : array (n, n_features)
        The pool of records the subsets index into.
    y : array (n,)
        Integer labels ``0..n_classes-1``.
    subsets : sequence of index arrays (or boolean masks over ``X``'s rows)
        One per model; sizes may differ, indices may repeat (bootstrap).
    random_state : None, int, Generator, RandomState or SeedSequence
        Model ``k`` gets ``random_state=seed_k``, the k-th seed spawned from it
        (:func:`mia_lib.seeding.spawn`), so ``clone(models[k]).fit(X[subsets[k]],
        y[subsets[k]])`` retrains model ``k``.
    seeds : sequence of int or None
        The integer seed of each model, one per subset, instead of ``random_state`` (give
        one or the other): models trained in several calls (chunks of
        :func:`mia_lib.parallel.train_models`) keep their own seeds.
    max_models : int or None
        Train at most this many models in one program (bounds memory); ``None``: all.
    verbose : bool
        Progress bar over epochs (also shown when the template's ``verbose`` is set).

    Returns
    -------
    list of fitted TorchMLPClassifier, in the order of ``subsets``.

    Raises ``FloatingPointError`` naming the model and the epoch if a model's training
    diverges (a non-finite loss).

    Examples
    --------
    >>> import numpy as np
    >>> from mia_lib.models import TorchMLPClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 5)).astype("float32")
    >>> y = (X[:, 0] + X[:, 1] > 0).astype(int)
    >>> subsets = [rng.choice(200, size=100, replace=False) for _ in range(4)]
    >>> template = TorchMLPClassifier(hidden_layer_sizes=(16,), epochs=30,
    ...                               learning_rate=0.02, batch_size=20)
    >>> models = train_many(template, X, y, subsets, random_state=0)
    >>> len(models), models[0].predict_proba(X[:3]).shape
    (4, (3, 2))
    >>> all(m.score(X, y) > 0.9 for m in models)
    True
    """
    if not isinstance(estimator, TorchMLPClassifier):
        raise TypeError(
            "estimator must be an (unfitted) TorchMLPClassifier whose parameters every model "
            f"copies, got {type(estimator).__name__}; train other models one by one."
        )
    params = estimator.get_params(deep=False)
    check_hidden_sizes(params["hidden_layer_sizes"])
    check_training_params(estimator)  # the messages fit gives
    X = as_features(X)
    y = check_labels(y, params["n_classes"])
    check_same_length(X=X, y=y)
    subsets = check_subsets(subsets, len(y))
    n_classes = params["n_classes"] or int(y.max()) + 1
    if n_classes < 2:
        raise ValueError("y holds a single class (0); set n_classes=K on the template.")
    params.update(n_classes=int(n_classes))
    if max_models is not None:
        max_models = check_positive_int(max_models, "max_models")
    if seeds is None:
        seed_from = params["random_state"] if random_state is None else random_state
        seeds = [int_seed(s) for s in spawn(seed_from, len(subsets))]
    else:
        if random_state is not None:
            raise ValueError(
                "pass random_state or seeds, not both: seeds fixes every model's seed, "
                "random_state spawns them."
            )
        seeds = check_seeds(seeds, len(subsets))
    show = bool(verbose or params["verbose"])
    device = resolve_device(params["device"])

    if torch.device(device).type not in BATCHED_DEVICES or params["dp_epsilon"]:
        # DP-SGD (per-record clipping, noise) is not in the batched program: one by one
        return [
            _fit_one(
                clone(estimator).set_params(random_state=seed, n_classes=n_classes), k, X, y, s
            )
            for k, (seed, s) in enumerate(zip(seeds, subsets, strict=True))
        ]

    cfg = {
        name: params[name] for name in ("activation", "batch_size", "optimizer", "early_stopping")
    }
    for name in ("dropout", "learning_rate", "weight_decay", "validation_fraction"):
        cfg[name] = float(params[name])
    dims = [X.shape[1], *check_hidden_sizes(params["hidden_layer_sizes"]), int(n_classes)]
    X = np.ascontiguousarray(X)
    if not X.flags.writeable:  # a read-only memory map (joblib workers): torch needs a copy
        X = X.copy()
    Xt = torch.from_numpy(X)
    if X.min() >= 0 and X.max() <= 255 and np.array_equal(X, np.round(X)):
        Xt = Xt.to(torch.uint8)  # binary/count features (Locations, Purchase): exact
    Xt, yt = Xt.to(device), torch.from_numpy(y).to(device)

    # models with the same number of mini-batches per epoch take their steps together
    n_train = []
    for k, s in enumerate(subsets):
        n_val = (
            max(1, int(round(cfg["validation_fraction"] * len(s)))) if cfg["early_stopping"] else 0
        )
        if len(s) - n_val < 1:
            raise ValueError(
                f"subsets[{k}] has {len(s)} record(s); early_stopping needs at least 2 per "
                "model. Pass larger subsets or set early_stopping=False."
            )
        n_train.append(len(s) - n_val)
    steps = [math.ceil(n / cfg["batch_size"]) for n in n_train]
    groups: list[list[int]] = []
    for s in sorted(set(steps)):
        members = [k for k in range(len(subsets)) if steps[k] == s]
        chunk = max_models or len(members)
        groups += [members[i : i + chunk] for i in range(0, len(members), chunk)]

    models: list = [None] * len(subsets)
    for members in groups:
        group = StackedMLPs(
            Xt, yt, [subsets[k] for k in members], [seeds[k] for k in members], dims, cfg
        )
        for k, result in _train_group(group, members, params, show).items():
            clf = TorchMLPClassifier(**{**params, "random_state": seeds[k]})
            clf.n_features_in_ = X.shape[1]
            clf.classes_ = np.arange(int(n_classes))
            clf.n_classes_ = int(n_classes)
            net = clf.new_network()
            linears = [m for m in net if isinstance(m, torch.nn.Linear)]
            with torch.no_grad():
                for i, lin in enumerate(linears):
                    lin.weight.copy_(result["tensors"][2 * i])
                    lin.bias.copy_(result["tensors"][2 * i + 1])
            clf.model_ = net.to(device).eval()
            clf.device_ = device
            clf.loss_curve_ = result["loss_curve"]
            clf.n_epochs_ = result["n_epochs"]
            clf.n_steps_ = result["n_epochs"] * group.S
            clf.validation_loss_curve_ = result["validation_loss_curve"]
            clf.best_epoch_ = result["best_epoch"]
            clf.epsilon_ = clf.noise_multiplier_ = None  # as fit without DP-SGD
            models[k] = clf
    return models


def check_seeds(seeds, n: int) -> list[int]:
    """``n`` int seeds, one per model (checked: a sequence of ints, not a SeedSequence).

    >>> check_seeds([3, 1], 2)
    [3, 1]
    """
    if isinstance(seeds, str | bytes | np.random.SeedSequence) or not hasattr(seeds, "__len__"):
        raise TypeError(
            "seeds must be a sequence of int seeds, one per subset, got "
            f"{type(seeds).__name__}; from one random_state use "
            "[int_seed(s) for s in spawn(random_state, len(subsets))] (mia_lib.seeding)."
        )
    if len(seeds) != n:
        raise ValueError(
            f"{len(seeds)} seeds for {n} subsets; pass one seed per model (the seeds fix each "
            "model, wherever it is trained)."
        )
    out = []
    for k, seed in enumerate(seeds):
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
            raise TypeError(f"seeds[{k}] must be an int, got {seed!r}.")
        out.append(int_seed(int(seed)))
    return out


def _fit_one(est, k: int, X, y, subset):
    try:
        return est.fit(X[subset], y[subset])
    except FloatingPointError as exc:
        raise FloatingPointError(f"train_many: model {k} (subsets[{k}]): {exc}") from exc


def _train_group(group: StackedMLPs, members: list[int], params: dict, show: bool) -> dict:
    """Run a group's epochs with per-model early stopping; results by model index."""
    epochs, patience, lr = int(params["epochs"]), int(params["patience"]), params["learning_rate"]
    early = bool(params["early_stopping"])
    ids = list(members)  # the model index of each position in the group
    curves = {k: [] for k in ids}
    val_curves = {k: [] for k in ids}
    best = {k: [math.inf, 0, None, 0] for k in ids}  # loss, epoch, tensors, bad epochs
    n_epochs = {}

    def diverged(k, epoch, problem):
        what = f"train_many: model {k} (subsets[{k}])"
        return FloatingPointError(divergence_message(what, epoch, epochs, problem, lr))

    desc = f"train_many ({len(ids)} models)"
    for epoch in progress(range(1, epochs + 1), show, desc):
        losses = group.epoch().cpu().numpy().astype(np.float64)
        for k, loss in zip(ids, losses, strict=True):
            curves[k].append(float(loss))
            if not math.isfinite(loss):
                raise diverged(k, epoch, f"the training loss is {loss}")
        if not early:
            continue
        stopped = []
        for j, (k, loss) in enumerate(zip(ids, group.validation_loss(), strict=True)):
            val_curves[k].append(float(loss))
            if not math.isfinite(loss):
                raise diverged(k, epoch, f"the validation loss is {loss}")
            b = best[k]
            if loss < b[0] - 1e-7:
                b[:] = [float(loss), epoch, group.unstack(j), 0]
            else:
                b[3] += 1
                if b[3] >= patience:
                    stopped.append(j)
                    n_epochs[k] = epoch
        if stopped:
            left = [j for j in range(len(ids)) if j not in stopped]
            ids = [ids[j] for j in left]
            if not ids:
                break
            group.keep(left)

    finals = {k: best[k][2] for k in members} if early else {}
    for j, k in enumerate(ids):
        n_epochs.setdefault(k, epochs)
        if not early:
            finals[k] = group.unstack(j)
    results = {}
    for k in members:
        if not all(bool(torch.isfinite(t).all()) for t in finals[k]):
            raise diverged(k, n_epochs[k], "the weights are not finite")
        results[k] = dict(
            tensors=finals[k],
            loss_curve=curves[k],
            n_epochs=n_epochs[k],
            validation_loss_curve=val_curves[k] if early else None,
            best_epoch=best[k][1] if early else None,
        )
    return results
