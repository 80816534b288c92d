"""The replication runner: registry, checks before a run, provenance and safe result files.

:func:`run_experiment` runs a registered replication under one of its profiles
(:mod:`mia_lib.experiments.profiles`), inside :func:`mia_lib.threads.limit_threads`, adds
provenance and, given ``out_dir``, writes ``<name>-<profile>.json`` atomically. Everything
that can be checked is checked *before* the run, so that a long run is never lost at the
end: the options, the data files, the output folder and a file to merge into. Nothing is
lost afterwards either: a run that produces no rows writes nothing, and a stored result is
never replaced by one with fewer rows unless ``force=True`` (or ``merge=True``, which keeps
the stored rows the run does not produce).
"""

from __future__ import annotations

import numbers
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from .._validation import check_bool
from ..parallel import backend_info
from ..threads import limit_threads
from .profiles import PROFILES, Profile, ProfileError, load_profile, profile_names
from .results import (
    ResultFileError,
    git_state,
    jsonable,
    merge_results,
    provenance,
    read_result,
    result_path,
    row_key,
    write_result,
)

__all__ = [
    "Experiment",
    "EXPERIMENTS",
    "MissingDataError",
    "register",
    "list_experiments",
    "run_experiment",
    "check_output",
    "progress_bar",
]


class MissingDataError(RuntimeError):
    """Datasets a run needs are not in the data directory (and it was not asked to skip)."""


@dataclass(frozen=True)
class Experiment:
    """A registered replication: ``func(profile: Profile, seed, progress) -> dict`` with
    ``rows`` (each with a unique ``key``), and optionally ``datasets`` (sources used),
    ``skipped`` and other result entries."""

    name: str
    func: Callable[..., dict]
    description: str

    @property
    def profiles(self) -> tuple[str, ...]:
        return profile_names().get(self.name, ())


EXPERIMENTS: dict[str, Experiment] = {}


def register(name: str, description: str):
    """Decorator adding a replication function to :data:`EXPERIMENTS` under ``name``; its
    profiles are read from the profile files."""

    def deco(func):
        if name not in profile_names():
            raise ProfileError(f"replication {name!r} has no profiles in the profile files")
        EXPERIMENTS[name] = Experiment(name, func, description)
        return func

    return deco


def list_experiments() -> list[tuple[str, str]]:
    """(name, description) of every registered replication, sorted by name."""
    return [(n, EXPERIMENTS[n].description) for n in sorted(EXPERIMENTS)]


def progress_bar(iterable, progress: bool, desc: str, total=None):
    """A tqdm bar on stderr over ``iterable``, or none when ``progress`` is false."""
    from tqdm import tqdm  # plain text bar on stderr (tqdm.auto warns in notebooks)

    return tqdm(iterable, desc=desc, total=total, disable=not progress, file=sys.stderr)


def _missing_data(prof: Profile) -> dict[str, str]:
    """Entry key -> why its dataset cannot be loaded from local files."""
    from ..datasets import available_datasets

    avail = available_datasets()
    out = {}
    for key, entry in prof.datasets.items():
        if entry.source == "synthetic":
            continue
        ok, why = avail.get(entry.source, (False, f"unknown dataset {entry.source!r}"))
        if not ok:
            out[key] = why
    return out


def check_output(path: Path, *, merge: bool, force: bool, planned: list[str]) -> dict | None:
    """Check, before a run, that its result can be written to ``path``; return the stored
    result to merge into (or None).

    Refuses a folder that cannot be created or written, a ``merge`` into a file that is not
    a valid result, and a run that would drop stored dataset entries (``planned`` are the
    entry keys the run makes) unless ``merge`` or ``force``.
    """
    from ..download.paths import why_not_writable

    folder = path.parent
    why = why_not_writable(folder)  # the nearest existing ancestor decides, as for data
    if why is not None:
        raise ResultFileError(
            f"cannot write results to {folder}: it is not writable ({why}); choose another "
            "folder with --out (or MIA_RESULTS_DIR)."
        )
    if not path.exists():
        return None
    stored = read_result(path)
    if merge:
        return stored
    if not force:
        have = set(stored.get("settings", {}).get("datasets", {}))
        dropped = sorted(have - set(planned))
        if dropped:
            raise ResultFileError(
                f"{path} holds results for {', '.join(dropped)}, which this run does not "
                "make; pass --merge (merge=True) to update only the rows this run makes, or "
                "--force (force=True) to replace the file."
            )
    return None


def _side_path(path: Path) -> Path:
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    return path.with_name(f"{path.stem}.new-{stamp}.json")


def run_experiment(
    name: str,
    profile: str,
    seed: int = 0,
    progress: bool = False,
    out_dir=None,
    merge: bool = False,
    force: bool = False,
    skip_missing: bool = False,
    threads: int | None = None,
    **overrides,
) -> dict:
    """Run replication ``name`` under ``profile``; add provenance; write JSON if ``out_dir``.

    ``overrides`` are those of :data:`mia_lib.experiments.profiles.OVERRIDES` (``datasets``,
    ``n_shadows``, ``epochs``, ``max_target_size``, ``n_seeds``). Datasets missing from the
    data directory raise :class:`MissingDataError` before anything runs, unless
    ``skip_missing``; then they are listed in ``results["skipped"]``. ``merge`` updates a
    stored result rather than replacing it; ``force`` replaces a stored result even when it
    has rows this run does not make. Models are trained where the caller's
    :func:`mia_lib.parallel.use_backend` block sends them (the command line's ``--backend``),
    recorded as ``provenance["backend"]``; the results do not depend on it. Returns the
    result document.
    """
    if not isinstance(name, str) or name not in EXPERIMENTS:
        raise KeyError(f"unknown experiment {name!r}; known: {sorted(EXPERIMENTS)}")
    if not isinstance(profile, str) or profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; choose one of {PROFILES}")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}.")
    for flag, value in (("progress", progress), ("merge", merge), ("force", force)):
        check_bool(value, flag)
    check_bool(skip_missing, "skip_missing")
    if threads is not None and (
        isinstance(threads, bool) or not isinstance(threads, numbers.Integral) or threads < 1
    ):
        raise ValueError(f"threads must be a positive integer number of threads, got {threads!r}.")
    prof = load_profile(name, profile, **overrides)
    missing = _missing_data(prof)
    if missing and not skip_missing:
        lines = "; ".join(f"{k}: {why}" for k, why in missing.items())
        raise MissingDataError(
            f"{name} ({profile}) needs data that is not in the data directory: {lines}. Place "
            "the files or let load_dataset download them, restrict the run with --datasets, "
            "or pass --skip-missing (skip_missing=True) to run the rest."
        )
    runnable = {k: e for k, e in prof.datasets.items() if k not in missing}
    if not runnable:
        raise MissingDataError(f"{name} ({profile}): no dataset of the run is available.")
    prof = replace(prof, datasets=runnable)
    path = stored = None
    if out_dir is not None:
        path = result_path(name, profile, out_dir)
        stored = check_output(path, merge=merge, force=force, planned=list(runnable))
    git = git_state()
    backend = backend_info()
    t0 = time.perf_counter()
    with limit_threads(threads) as n_threads:
        out = EXPERIMENTS[name].func(prof, seed=seed, progress=progress)
    duration = time.perf_counter() - t0
    rows = out.pop("rows")
    if not rows:
        raise ResultFileError(f"{name} ({profile}) produced no rows; nothing was written.")
    keys = [row_key(r) for r in rows]
    if len(set(keys)) != len(keys):  # pragma: no cover - a replication's bug
        raise RuntimeError(f"{name} produced rows with repeated keys; nothing was written.")
    datasets = out.pop("datasets", {})
    skipped = {**out.pop("skipped", {}), **missing}
    result = jsonable(
        {
            "name": name,
            "description": EXPERIMENTS[name].description,
            "profile": profile,
            "seed": int(seed),
            "options": prof.overrides,
            "settings": prof.settings(),
            "results": {"rows": rows, "skipped": skipped, **out},
            "provenance": provenance(
                profile, seed, duration, datasets, git=git, threads=n_threads, backend=backend
            ),
        }
    )
    if path is not None:
        if stored is not None:
            result = merge_results(stored, result)
        elif path.exists() and not force:
            on_disk = read_result(path)
            if len(on_disk["results"]["rows"]) > len(rows):
                side = write_result(result, _side_path(path))
                raise ResultFileError(
                    f"{path} has {len(on_disk['results']['rows'])} rows and this run made "
                    f"{len(rows)}; the stored file was kept and this run written to {side}. "
                    "Pass --merge or --force to update or replace the stored file."
                )
        write_result(result, path)
    return result
