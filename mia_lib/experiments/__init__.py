"""The book's replications as loops over the attack pipeline, with profiles as data.

Each replication is registered under a name and runs under a profile read from the TOML
files in ``profiles/`` (:mod:`mia_lib.experiments.profiles`):

* ``"smoke"``: seconds, on built-in data (tests);
* ``"quick"``: what the book can execute live on 2 CPU cores (a minute or two each);
* ``"full"``: the paper's sizes where our data allow (minutes to hours on a CPU).

:func:`run_experiment` runs one inside the library's thread context, adds provenance (git
commit, date, machine, duration, profile, seed, dataset sources with their lossy/partial
flags and content fingerprints) and, given ``out_dir``, writes ``<name>-<profile>.json``
atomically, never replacing a stored result by one with fewer rows unless asked.
:func:`load_result` reads such a file back. The command line is ``python -m mia_lib
replicate NAME --profile quick|full``.

The package holds the runner (``runner``), the profiles (``profiles``), the result files
(``results``) and one module per paper, which registers its replications when imported:

* ``shokri`` (Shokri et al. 2017): ``shokri_datasets``, ``shokri_n_classes`` (Locations
  re-clustered into 2 to 50 classes, the paper's Purchase-k construction), ``shokri_gap``
  and ``shokri_cifar_size``;
* ``truex`` (Truex et al. 2018): ``truex_transfer``, ``truex_data_factors``,
  ``truex_knowledge``;
* ``salem`` (Salem et al. 2019, ML-Leaks): ``salem_adversary1``, ``salem_data_transfer``,
  ``salem_threshold``;
* ``defences`` (defences at the prediction API): ``defences_api`` (Shokri et al.'s output
  restrictions against four attackers) and ``memguard`` (Jia et al. 2019);
* ``training`` (defences in training): ``defences_training`` (L2, dropout, early stopping,
  model choice, model stacking and anonymisation against the same four attackers);
* ``privacy`` (differential privacy): ``dp_sgd`` (an ε sweep of DP-SGD against the same
  four attackers, beside the bounds of differential privacy);
* ``logan`` (Hayes et al. 2019): ``hayes_logan`` (white- and black-box attacks on a DCGAN);
* ``modern`` (modern evaluation): ``n_reference_models`` (Shokri's attack, LiRA, RMIA and
  Attack-R against the number of shadow/reference models) and ``dimensionality`` (the
  survey's conjecture that attacks succeed more on data of higher dimension).

>>> [n for n in sorted(EXPERIMENTS) if n.startswith("shokri")]
['shokri_cifar_size', 'shokri_datasets', 'shokri_gap', 'shokri_n_classes']
>>> len(EXPERIMENTS)
17
"""

from __future__ import annotations

from . import defences, logan, modern, privacy, salem, shokri, training, truex  # noqa: F401  (importing registers them)
from .profiles import OVERRIDES, PROFILES, Profile, ProfileError, load_profile
from .results import (
    ResultFileError,
    default_results_dir,
    load_result,
    merge_results,
    provenance,
    read_result,
    result_path,
    write_result,
)
from .runner import (
    EXPERIMENTS,
    Experiment,
    MissingDataError,
    list_experiments,
    register,
    run_experiment,
)

__all__ = [
    "PROFILES",
    "OVERRIDES",
    "EXPERIMENTS",
    "Experiment",
    "Profile",
    "ProfileError",
    "MissingDataError",
    "ResultFileError",
    "register",
    "list_experiments",
    "load_profile",
    "run_experiment",
    "write_result",
    "read_result",
    "load_result",
    "result_path",
    "default_results_dir",
    "provenance",
    "merge_results",
]
