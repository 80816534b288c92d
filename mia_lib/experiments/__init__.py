"""The book's replications as functions with named profiles, and their results with provenance.

Each replication is registered under a name and is a function
``run(profile, seed, progress, **options) -> dict``; the profiles are

* ``"smoke"``: seconds, on the built-in ``digits`` data (tests);
* ``"quick"``: what the book executes live on 2 CPU cores (under about a minute each);
* ``"full"``: the paper's sizes where our data allows (minutes to hours on a CPU).

:func:`run_experiment` runs one, adds provenance (git commit, date, machine, duration,
profile, seed, dataset sources with their lossy/partial flags) and, given ``out_dir``, writes
``<name>-<profile>.json`` atomically (a temporary file, then ``os.replace``).
:func:`load_result` reads such a file back. The command line is ``python -m mia_lib
replicate NAME --profile quick|full``.

The package holds the runner (``runner``: registry, provenance, files) and one module per
paper, which registers its replications when imported:

* ``shokri`` (Shokri et al. 2017): ``shokri_datasets`` (the attack on every dataset we
  have), ``shokri_n_classes`` (Locations re-clustered by k-means into 2 to 50 classes, the
  paper's Purchase-2...100 construction), ``shokri_gap`` (train-test gap against attack
  accuracy over models that overfit to different degrees) and ``shokri_cifar_size``
  (CIFAR-10 training-set size);
* ``truex`` (Truex et al. 2018): ``truex_transfer`` (target model type against the
  attacker's), ``truex_data_factors`` (number of classes and in-class spread) and
  ``truex_knowledge`` (features replaced by noise, shadow training-set size);
* ``salem`` (Salem et al. 2019, ML-Leaks): ``salem_adversary1`` (one shadow model, top-3
  features, unknown hyperparameters, combined shadow), ``salem_data_transfer`` (adversary 2)
  and ``salem_threshold`` (adversary 3 beside adversaries 1 and 2).

>>> [n for n in sorted(EXPERIMENTS) if n.startswith("shokri")]
['shokri_cifar_size', 'shokri_datasets', 'shokri_gap', 'shokri_n_classes']
>>> len(EXPERIMENTS)
10
"""

from __future__ import annotations

from . import salem, truex  # noqa: F401  (importing registers their replications)
from .runner import (
    EXPERIMENTS,
    PROFILES,
    Experiment,
    default_results_dir,
    list_experiments,
    load_result,
    merge_results,
    provenance,
    register,
    result_path,
    run_experiment,
    write_result,
)
from .shokri import SHOKRI_DATASETS, shokri_attack_run

__all__ = [
    "PROFILES",
    "EXPERIMENTS",
    "Experiment",
    "register",
    "list_experiments",
    "run_experiment",
    "write_result",
    "load_result",
    "result_path",
    "default_results_dir",
    "provenance",
    "merge_results",
    "shokri_attack_run",
    "SHOKRI_DATASETS",
]
