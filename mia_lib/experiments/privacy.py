"""Differential privacy against membership inference, on the one attack pipeline: ``dp_sgd``.

For each dataset entry and each ε of ``epsilons`` (``inf``: ordinary training with the same
hyper-parameters), the entry's model is trained with DP-SGD
(:mod:`mia_lib.models.private`: ``dp_epsilon``, ``dp_delta`` = the profile's ``delta``,
``dp_accountant`` = its ``accountant``) as the target, and as each shadow model: the
attacker knows the training procedure, privacy included. Every ε of a dataset uses the
same seeds, hence the same split, records and initial weights: settings differ only by the
privacy. The four attackers of the Defences part
(:func:`mia_lib.experiments.training.four_attacks`: Shokri et al.'s attack, the best
threshold attack, the gap attack, Choquette-Choo et al.'s label-only attack) attack each
target, every figure with its bootstrap interval.

Each row (one per dataset, ε and attacker) adds what the theory says beside what the attack
did:

* ``epsilon`` (None for ∞), ``epsilon_spent`` (the accountant's ε for the steps taken),
  ``noise_multiplier``, ``sample_rate``, ``steps``, ``delta``, ``accountant``;
* ``yeom_bound`` (``e^ε − 1``) and ``advantage_bound`` (``(e^ε − 1 + 2δ) / (e^ε + 1)``,
  :mod:`mia_lib.dp_bounds`) beside the measured ``advantage``;
* ``epsilon_low`` and its parts (``eps_threshold``, ``eps_tpr``, ``eps_fpr``,
  ``eps_tpr_low``, ``eps_fpr_high``): the ε the attack proves, at 95% confidence
  (:func:`mia_lib.dp_bounds.empirical_epsilon`, its threshold chosen on half the records);
* ``roc``: the attack's ROC curve on a logarithmic grid of false positive rates, for the
  log-log figure against the region of (ε, δ)-DP;
* ``fit_s`` (the target's training and queries, wall time), ``epoch_s`` (``fit_s`` per
  epoch) and ``accounting_s`` (finding the noise multiplier, done once per ε before the
  clock starts): machine-dependent, compare ratios within one result.

``part`` is ``"dp"`` and ``setting`` is ``"eps=<ε>"``, so the rows join
``defences_training``'s in :func:`mia_lib.experiments.training.privacy_utility`. Profiles
in ``profiles/privacy.toml``.
"""

from __future__ import annotations

import math
import time

import numpy as np

from ..dp_bounds import advantage_bound, empirical_epsilon, yeom_bound
from ..metrics import roc_points
from ..models.private import noise_multiplier, schedule
from ..seeding import child_seed, int_seed
from .runner import progress_bar, register
from .training import each_entry, run_setting, warm_up

__all__ = ["ROC_FPRS", "dp_settings", "dp_sgd"]

#: The false positive rates of each row's stored ROC curve (log-spaced, 1e-4 to 1).
ROC_FPRS = tuple(float(f) for f in np.r_[0.0, np.logspace(-4, 0, 33)])
#: The stream of each attacker's empirical-ε split (``child_seed(seed, EPS_STREAM + k)``).
EPS_STREAM = 100


def dp_settings(entry, options: dict) -> list[tuple[str, float | None, dict]]:
    """The settings of one dataset entry: ``(setting, ε or None, model parameters)``, one per
    ε of ``epsilons`` (``inf`` trains without DP, with the same hyper-parameters).

    >>> from mia_lib.experiments import load_profile
    >>> p = load_profile("dp_sgd", "smoke")
    >>> [(s, e) for s, e, _ in dp_settings(p.datasets["digits"], p.options)]
    [('eps=1', 1.0), ('eps=inf', None)]
    """
    opts = {**options, **entry.options}
    if "epsilons" not in opts:
        raise ValueError("dp_sgd needs the option 'epsilons' (the sweep) in the profile.")
    if not entry.model:
        raise ValueError(f"entry {entry.key} has no model preset; give it one (preset = ...).")
    delta = float(opts.get("delta", 1e-5))
    accountant = str(opts.get("accountant", "prv"))
    out = []
    for eps in opts["epsilons"]:
        eps = float(eps)
        if not eps > 0:
            raise ValueError(f"epsilons must be > 0 (inf for no privacy), got {eps!r}.")
        private = not math.isinf(eps)
        params = {
            **entry.params,
            "dp_epsilon": eps if private else None,
            "dp_delta": delta,
            "dp_accountant": accountant,
        }
        out.append((f"eps={eps:g}", eps if private else None, params))
    return out


def _accounting(entry, params, eps) -> dict:
    """The DP schedule of the entry's target, and the noise multiplier found (and memoised
    for the target and its shadows) before the target's clock starts."""
    if eps is None:
        return {"noise_multiplier": None, "sample_rate": None, "steps": None, "accounting_s": 0.0}
    q, steps = schedule(entry.target_size, params["batch_size"], params["epochs"])
    t0 = time.perf_counter()
    noise = noise_multiplier(eps, params["dp_delta"], q, steps, params["dp_accountant"])
    return {
        "noise_multiplier": noise,
        "sample_rate": q,
        "steps": steps,
        "accounting_s": time.perf_counter() - t0,
    }


def _theory(target, attacks, eps, delta, seed) -> dict:
    """Per attacker: the bounds at ε, the ε its scores prove and its ROC curve."""
    m = target.membership
    out = {}
    for k, (name, _, scores) in enumerate(attacks):
        lb = empirical_epsilon(
            m, scores, delta=delta, random_state=child_seed(int_seed(seed), EPS_STREAM + k)
        )
        e = math.inf if eps is None else eps
        out[name] = {
            "yeom_bound": None if math.isinf(e) else yeom_bound(e),
            "advantage_bound": advantage_bound(e, delta),
            "epsilon_low": lb.epsilon_low,
            "eps_threshold": lb.threshold,
            "eps_tpr": lb.tpr,
            "eps_fpr": lb.fpr,
            "eps_tpr_low": lb.tpr_low,
            "eps_fpr_high": lb.fpr_high,
            "roc": roc_points(m, scores, grid=list(ROC_FPRS)),
        }
    return out


def _entry_rows(key, entry, data, X, opts, seed, progress) -> list[dict]:
    rows = []
    delta = float(opts.get("delta", 1e-5))
    warm_up(entry, X, data.y, data.n_classes)
    for setting, eps, params in progress_bar(dp_settings(entry, opts), progress, f"dp_sgd {key}"):
        acct = _accounting(entry, params, eps)
        target, common, attacks = run_setting(X, data, entry, entry.model, params, seed, opts)
        model = target.model
        info = {
            **common,
            **acct,
            "epsilon": eps,
            "epsilon_spent": getattr(model, "epsilon_", None),
            "delta": delta,
            "accountant": params["dp_accountant"],
            "max_grad_norm": params.get("max_grad_norm", 1.0),
            "epoch_s": common["fit_s"] / max(int(common["n_epochs"] or 1), 1),
        }
        theory = _theory(target, attacks, eps, delta, seed)
        for attacker, figures, _ in attacks:
            rows.append(
                {
                    "key": f"dp/{key}/{setting}/{attacker}",
                    "part": "dp",
                    "dataset": key,
                    "setting": setting,
                    "model": str(entry.model),
                    **info,
                    "attack": attacker,
                    **figures,
                    **theory[attacker],
                }
            )
    return rows


@register("dp_sgd", "Differential privacy (DP-SGD) against membership inference: an ε sweep")
def dp_sgd(prof, seed: int = 0, progress: bool = False) -> dict:
    """Each dataset entry at each ε of the profile against the four attackers, with the
    bounds of differential privacy and the ε each attack proves: one row per (dataset, ε,
    attacker)."""
    return each_entry(prof, _entry_rows, seed, progress)
