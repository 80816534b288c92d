"""One thread context for every heavy fit: torch and the BLAS/OpenMP pools set together.

Torch has its own intra-op thread pool; scikit-learn's boosted trees and k-means, and numpy's
BLAS, use OpenMP and BLAS pools whose default is one thread per core. On a machine whose
cores are busy with other work, a pool of 2 OpenMP threads was measured 100 times slower than
one thread (each thread waits at every barrier for a descheduled sibling). So the library
never relies on the defaults: :func:`limit_threads` sets torch's pool *and* every
threadpoolctl-controlled pool to one known number and restores them afterwards, and
:func:`set_threads` does the same for the rest of a session (a notebook's first cell, the
command line).

The number is ``n`` when given, else the number last passed to :func:`set_threads` in this
session, else the environment variable ``MIA_THREADS``, else :data:`DEFAULT_THREADS` (1):
independent models are the unit of parallel work, not threads.

>>> with limit_threads(1):
...     import torch
...     torch.get_num_threads()
1
"""

from __future__ import annotations

import numbers
import os
from contextlib import contextmanager

__all__ = ["DEFAULT_THREADS", "default_threads", "limit_threads", "set_threads"]

#: Threads per process when neither ``n``, :func:`set_threads` nor ``MIA_THREADS`` says otherwise.
DEFAULT_THREADS = 1

_session: dict[str, int] = {}  # the number set by set_threads, if any


def _check_n(n, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(f"{what} must be a positive integer number of threads, got {n!r}.")
    return int(n)


def default_threads() -> int:
    """The number last set by :func:`set_threads`, else ``MIA_THREADS`` when set (a positive
    integer), else :data:`DEFAULT_THREADS`.

    >>> default_threads() >= 1
    True
    """
    if "n" in _session:
        return _session["n"]
    env = os.environ.get("MIA_THREADS")
    if env is None or not env.strip():
        return DEFAULT_THREADS
    try:
        value = int(env)
    except ValueError:
        raise ValueError(f"MIA_THREADS must be a positive integer, got {env!r}.") from None
    return _check_n(value, "MIA_THREADS")


def _resolve(n) -> int:
    return default_threads() if n is None else _check_n(n, "n")


@contextmanager
def limit_threads(n: int | None = None):
    """Run the block with ``n`` torch threads and ``n`` threads in every BLAS/OpenMP pool.

    Both are restored on exit, also after an exception. Nested contexts work.
    """
    import torch
    from threadpoolctl import threadpool_limits

    n = _resolve(n)
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        with threadpool_limits(limits=n):
            yield n
    finally:
        torch.set_num_threads(before)


def set_threads(n: int | None = None) -> int:
    """Set torch's and every BLAS/OpenMP pool's thread count for the rest of the session.

    For a notebook's first cell and the command line; library code uses
    :func:`limit_threads`. Returns the number set.
    """
    import torch
    from threadpoolctl import threadpool_limits

    n = _resolve(n)
    torch.set_num_threads(n)
    threadpool_limits(limits=n)
    _session["n"] = n
    return n
