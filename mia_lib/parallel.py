"""One dispatcher for training many models: in this process, in local worker processes, on a
Dask cluster or on Ray.

Shadow models, reference models and targets are independent trainings of copies of one
estimator on different subsets of the data. :func:`train_models` trains them; model ``k`` is
always ``clone(template).set_params(random_state=seeds[k]).fit(X[subsets[k]],
y[subsets[k]])``, wherever it runs: its seed is fixed per model, not per worker, and torch
MLPs are batched (:func:`mia_lib.models.train_many`) in chunks of a fixed number of models,
so a run on a cluster gives the same models as a run in this process, model for model.

Where the work goes is chosen around the call, not in it, by :func:`use_backend` (the
command line's ``python -m mia_lib replicate ... --backend dask --scheduler ADDRESS``):

* no backend (the default): a plain loop in this process, in the caller's thread context
  (:func:`mia_lib.threads.limit_threads`), without joblib;
* ``"local"``: joblib's ``loky`` worker processes on this machine;
* ``"dask"``: a ``dask.distributed`` cluster, through joblib's ``"dask"`` backend;
* ``"ray"``: a Ray cluster, through ``ray.util.joblib``.

Every task sent to a worker runs inside ``limit_threads(1)``: independent models are the
unit of parallel work, never threads, so ``n`` workers use ``n`` cores. Dask and Ray are
the optional extra ``pip install "mia_lib[cluster]"``.

>>> from sklearn.linear_model import LogisticRegression
>>> rng = np.random.default_rng(0)
>>> X, y = rng.normal(size=(60, 3)), np.arange(60) % 2
>>> subsets = [np.arange(0, 40), np.arange(20, 60)]
>>> models = train_models(LogisticRegression(), X, y, subsets, seeds=[1, 2])
>>> [m.random_state for m in models]
[1, 2]
>>> backend_info()["backend"]
'sequential'
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np
from sklearn.base import clone

from ._validation import check_bool, check_positive_int
from .models import TorchMLPClassifier, train_many
from .models.batched import check_seeds, check_subsets
from .threads import limit_threads

__all__ = [
    "BACKENDS",
    "CONNECT_TIMEOUT_S",
    "DEFAULT_CHUNK_SIZE",
    "backend_info",
    "local_n_jobs",
    "train_models",
    "use_backend",
]

#: The backends of :func:`use_backend`.
BACKENDS = ("local", "dask", "ray")

#: Torch MLPs trained together in one task. A fixed number, independent of the backend and
#: of ``n_jobs``, so that where a model was trained never changes it; 16 models are enough
#: for most of the speed of batching and still give 2 workers 4 tasks for 64 models.
DEFAULT_CHUNK_SIZE = 16

#: Seconds to wait for a Dask scheduler (or its first worker) before giving up.
CONNECT_TIMEOUT_S = 10

_EXTRA = 'pip install "mia_lib[cluster]"'
_PINS = {"dask": "dask[distributed]==2026.8.0", "ray": "ray>=2.40"}

_active: list[dict] = []  # the backend_info() of each use_backend block, innermost last


# --------------------------------------------------------------------------------------
# where the work runs
# --------------------------------------------------------------------------------------
def local_n_jobs() -> int:
    """The default number of local worker processes: one per CPU this process may use
    (``joblib.cpu_count()``, which honours the CPU affinity and a container's CPU quota;
    not the machine's core count when the process is confined to fewer).

    >>> local_n_jobs() >= 1
    True
    """
    import joblib

    return max(1, int(joblib.cpu_count()))


def backend_info() -> dict:
    """Where :func:`train_models` sends its work now, for a result's provenance.

    A dict with ``backend`` (``"sequential"`` outside any :func:`use_backend` block, else
    ``"local"``, ``"dask"`` or ``"ray"``), ``scheduler`` (the cluster's address, or None),
    ``n_jobs`` (tasks run at once) and ``n_workers`` (worker processes, None when unknown).

    >>> backend_info()
    {'backend': 'sequential', 'scheduler': None, 'n_jobs': 1, 'n_workers': None}
    """
    if _active:
        return dict(_active[-1])
    return {"backend": "sequential", "scheduler": None, "n_jobs": 1, "n_workers": None}


def _import_extra(module: str, backend: str):
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"backend={backend!r} needs {module!r}, which is not installed ({exc}). Install the "
            f"optional dependencies: {_EXTRA} (or pip install {_PINS[backend]!r})."
        ) from None


def _check_n_jobs(n_jobs, name: str = "n_jobs"):
    if n_jobs is None:
        return None
    return check_positive_int(n_jobs, name)


@contextmanager
def use_backend(backend: str = "local", *, scheduler=None, n_jobs: int | None = None):
    """Run the :func:`train_models` calls of the block on ``backend``; yields its
    :func:`backend_info`.

    Parameters
    ----------
    backend : ``"local"``, ``"dask"`` or ``"ray"``
        ``"local"``: joblib's ``loky`` processes on this machine. ``"dask"``: the Dask
        cluster whose scheduler is ``scheduler``. ``"ray"``: a Ray cluster.
    scheduler : str, ``distributed.Client`` or ``distributed.LocalCluster``, or None
        Dask: required; the scheduler's address (``"tcp://10.0.0.5:8786"``), or a client or
        cluster object (tests start a ``LocalCluster``). A client made here from an address
        or a cluster is closed at the end of the block. Ray: the address given to
        ``ray.init`` (None: an already initialised Ray, else a new local one). Local: must
        be None.
    n_jobs : int or None
        Tasks run at once. None: local, :func:`local_n_jobs` (one single-thread worker per
        CPU this process may use); Dask, the cluster's threads (``sum(client.ncores())``);
        Ray, the cluster's CPUs.

    Raises
    ------
    ImportError
        Dask or Ray is missing (the message says what to install).
    ValueError
        A wrong backend, or a missing scheduler.
    ConnectionError
        The scheduler cannot be reached.

    Examples
    --------
    >>> with use_backend("local", n_jobs=2) as info:
    ...     info["backend"], backend_info()["n_jobs"]
    ('local', 2)
    >>> backend_info()["backend"]
    'sequential'
    >>> with use_backend("dask"):
    ...     pass
    Traceback (most recent call last):
    ...
    ValueError: backend='dask' needs scheduler=: the address of a running Dask scheduler (such as 'tcp://10.0.0.5:8786'; --scheduler on the command line), or a distributed.Client or LocalCluster.
    """
    if not isinstance(backend, str) or backend not in BACKENDS:
        raise ValueError(
            f"backend must be one of {', '.join(map(repr, BACKENDS))}, got {backend!r}."
        )
    n_jobs = _check_n_jobs(n_jobs)
    runner = {"local": _local, "dask": _dask, "ray": _ray}[backend]
    with runner(scheduler, n_jobs) as info:
        _active.append(info)
        try:
            yield dict(info)
        finally:
            _active.pop()


@contextmanager
def _local(scheduler, n_jobs):
    from joblib import parallel_config

    if scheduler is not None:
        raise ValueError(
            f"scheduler={scheduler!r} is for backend='dask' or 'ray'; the local backend runs "
            "worker processes on this machine. Drop scheduler or choose backend='dask'."
        )
    n = n_jobs or local_n_jobs()
    with parallel_config(backend="loky", n_jobs=n, inner_max_num_threads=1):
        yield {"backend": "local", "scheduler": None, "n_jobs": n, "n_workers": n}


@contextmanager
def _dask(scheduler, n_jobs):
    if scheduler is None:
        raise ValueError(
            "backend='dask' needs scheduler=: the address of a running Dask scheduler (such "
            "as 'tcp://10.0.0.5:8786'; --scheduler on the command line), or a "
            "distributed.Client or LocalCluster."
        )
    distributed = _import_extra("distributed", "dask")
    from joblib import parallel_config

    own = not isinstance(scheduler, distributed.Client)
    if own:
        if not isinstance(scheduler, str) and not hasattr(scheduler, "scheduler_address"):
            raise TypeError(
                "scheduler must be a scheduler address (str), a distributed.Client or a "
                f"LocalCluster, got {type(scheduler).__name__}."
            )
        address = scheduler if isinstance(scheduler, str) else scheduler.scheduler_address
        try:
            client = distributed.Client(scheduler, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise ConnectionError(
                f"cannot reach the Dask scheduler at {address!r} within {CONNECT_TIMEOUT_S} s "
                f"({exc}). Start one (`dask scheduler`, then `dask worker ADDRESS` on each "
                "machine) or check the address and the firewall."
            ) from None
    else:
        client = scheduler
    try:
        cores = client.ncores()
        if not cores:
            try:
                client.wait_for_workers(1, timeout=CONNECT_TIMEOUT_S)
            except (OSError, TimeoutError):
                raise ConnectionError(
                    f"the Dask scheduler at {client.scheduler.address!r} has no worker after "
                    f"{CONNECT_TIMEOUT_S} s; start workers with `dask worker ADDRESS`."
                ) from None
            cores = client.ncores()
        n = n_jobs or max(1, sum(cores.values()))
        info = {
            "backend": "dask",
            "scheduler": client.scheduler.address,
            "n_jobs": n,
            "n_workers": len(cores),
        }
        with parallel_config(backend="dask", n_jobs=n, client=client):
            yield info
    finally:
        if own:
            client.close()


@contextmanager
def _ray(scheduler, n_jobs):
    ray = _import_extra("ray", "ray")
    from joblib import parallel_config
    from ray.util.joblib import register_ray

    own = not ray.is_initialized()
    if own:
        try:
            ray.init(address=scheduler, include_dashboard=False, log_to_driver=False)
        except ConnectionError as exc:
            raise ConnectionError(
                f"cannot reach the Ray cluster at {scheduler!r} ({exc}). Start one "
                "(`ray start --head`) or check the address."
            ) from None
    elif scheduler is not None:
        raise ValueError(
            f"Ray is already initialised in this process; scheduler={scheduler!r} cannot be "
            "used. Call ray.shutdown() first, or pass scheduler=None to use the running Ray."
        )
    try:
        register_ray()
        resources = ray.cluster_resources()
        n = n_jobs or max(1, int(resources.get("CPU", 1)))
        nodes = [node for node in ray.nodes() if node.get("Alive")]
        address = scheduler if isinstance(scheduler, str) else None
        info = {"backend": "ray", "scheduler": address, "n_jobs": n, "n_workers": len(nodes)}
        with parallel_config(backend="ray", n_jobs=n):
            yield info
    finally:
        if own:
            ray.shutdown()


# --------------------------------------------------------------------------------------
# the dispatcher
# --------------------------------------------------------------------------------------
def _check_template(template):
    if isinstance(template, type) or not (
        hasattr(template, "fit") and hasattr(template, "get_params")
    ):
        raise TypeError(
            "template must be an unfitted estimator (an instance with fit and get_params, "
            f"e.g. make_model('mlp', n_classes=10)), got {template!r}."
        )


def _rows(X, idx):
    return X.iloc[idx] if hasattr(X, "iloc") else X[idx]


def _seeded(template, seed: int):
    est = clone(template)
    if "random_state" in est.get_params():
        est.set_params(random_state=seed)
    return est


def _fit_one(template, X, y, subset, seed):
    return _seeded(template, seed).fit(_rows(X, subset), _rows(y, subset))


def _fit_chunk(template, X, y, subsets, seeds):
    return train_many(template, X, y, subsets, seeds=seeds)


def _in_worker(func, *args):
    """Run one task in a worker: one thread for torch and every BLAS/OpenMP pool."""
    with limit_threads(1):
        return func(*args)


def train_models(
    template,
    X,
    y,
    subsets,
    seeds,
    *,
    batched: bool = True,
    n_jobs: int | None = None,
    chunk_size: int | None = None,
    verbose: bool = False,
) -> list:
    """Train one copy of ``template`` per subset; model ``k`` on ``X[subsets[k]]`` with seed
    ``seeds[k]``, wherever :func:`use_backend` sends the work.

    Parameters
    ----------
    template : an unfitted estimator
        Cloned for every model: ``clone(template).set_params(random_state=seeds[k])``
        (models without a ``random_state`` parameter get no seed). A
        :class:`~mia_lib.models.TorchMLPClassifier` with ``batched`` is trained with
        :func:`~mia_lib.models.train_many`, the same models several times faster.
    X, y : arrays
        The pool of records and labels the subsets index into.
    subsets : sequence of index arrays (or boolean masks over ``X``'s rows)
        One per model.
    seeds : sequence of int
        One seed per model. Fixed per model, not per worker: the models do not depend on
        where they were trained.
    batched : bool
        Train torch MLPs together (chunks of ``chunk_size`` models per task).
    n_jobs : int or None
        Tasks run at once. None: the active :func:`use_backend`'s ``n_jobs``, else 1. With 1
        the models are trained in this process, in the caller's thread context, without
        joblib; otherwise each task runs in a joblib worker (the active backend's, else
        ``loky`` processes) inside ``limit_threads(1)``.
    chunk_size : int or None
        Torch MLPs per batched task (None: :data:`DEFAULT_CHUNK_SIZE`). Other models are one
        task each.
    verbose : bool
        A progress bar over the tasks.

    Returns
    -------
    list of fitted estimators, in the order of ``subsets``.

    Examples
    --------
    >>> from mia_lib.models import make_model
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(120, 4)).astype("float32")
    >>> y = (X[:, 0] > 0).astype(int)
    >>> template = make_model("mlp", n_classes=2, hidden_layer_sizes=(8,), epochs=5)
    >>> subsets = [rng.choice(120, 60, replace=False) for _ in range(3)]
    >>> batched = train_models(template, X, y, subsets, seeds=[0, 1, 2], chunk_size=2)
    >>> alone = [clone(template).set_params(random_state=s).fit(X[i], y[i])
    ...          for s, i in zip([0, 1, 2], subsets)]
    >>> [np.allclose(a.predict_proba(X), b.predict_proba(X), atol=1e-6)
    ...  for a, b in zip(alone, batched)]
    [True, True, True]
    """
    _check_template(template)
    check_bool(batched, "batched")
    check_bool(verbose, "verbose")
    n_jobs = _check_n_jobs(n_jobs)
    chunk_size = DEFAULT_CHUNK_SIZE if chunk_size is None else chunk_size
    chunk_size = check_positive_int(chunk_size, "chunk_size")
    if not hasattr(X, "iloc"):
        X = np.asarray(X)
    if not hasattr(y, "iloc"):
        y = np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} records but y has {len(y)} labels; pass one a record.")
    subsets = check_subsets(subsets, len(y))
    seeds = check_seeds(seeds, len(subsets))
    if n_jobs is None:
        n_jobs = backend_info()["n_jobs"]

    chunked = batched and isinstance(template, TorchMLPClassifier)
    if chunked:
        starts = range(0, len(subsets), chunk_size)
        tasks = [
            (_fit_chunk, template, X, y, subsets[i : i + chunk_size], seeds[i : i + chunk_size])
            for i in starts
        ]
    else:
        tasks = [
            (_fit_one, template, X, y, s, seed) for s, seed in zip(subsets, seeds, strict=True)
        ]

    if n_jobs == 1:
        results = (func(*args) for func, *args in tasks)
    else:
        from joblib import Parallel, delayed

        parallel = Parallel(n_jobs=n_jobs, return_as="generator")
        results = parallel(delayed(_in_worker)(func, *args) for func, *args in tasks)
    if verbose:
        from tqdm.auto import tqdm

        results = tqdm(results, total=len(tasks), desc="training models", unit="task")
    out = []
    for result in results:
        out.extend(result if chunked else [result])
    return out
