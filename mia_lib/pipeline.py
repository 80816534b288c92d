"""The one attack pipeline: target, data split, black box, shadows, attack and report.

Every experiment and chapter of the book runs a membership inference attack through these
functions, so that a new attack, defence or model plugs in here and is never copied:

* :func:`train_target` splits the data (:func:`mia_lib.splits.membership_split`), trains the
  target on its members, puts it behind a :class:`mia_lib.query.BlackBox` (with the
  service's output transforms, a defence at the API) and queries it on the evaluation
  records (the members and as many non-members). Training-side defences are model
  parameters (``weight_decay``, ``dropout``, ``early_stopping``...).
* :func:`train_shadows` trains the attacker's shadow models on the records left to it.
* :func:`evaluate_attack` fits an attack (any estimator of :mod:`mia_lib.attacks`, or an
  object with ``score_target``) and scores the target's evaluation records: one
  :class:`mia_lib.metrics.AttackReport` with the same fields for every attack.
* :func:`run_attack` chains the three, Shokri et al.'s attack by default, and returns a
  :class:`RunResult`.

Randomness: ``random_state`` is spawned (:mod:`mia_lib.seeding`) into independent streams for
the split, the target, the shadows and the attack; two calls with the same ``random_state``
share the split and the target, whatever model or attack they use, so their results differ
only by what changed. Every step runs inside :func:`mia_lib.threads.limit_threads`.

>>> from sklearn.datasets import load_digits
>>> X, y = load_digits(return_X_y=True)
>>> res = run_attack(X / 16, y, target_size=300, model="random_forest", n_shadows=2,
...                  random_state=0)
>>> res.target.train_acc, res.target.test_acc, res.n_shadows, res.attack.auc > 0.8
(1.0, 0.95, 2, True)
>>> sorted(res.row())[:4]
['accuracy', 'advantage', 'auc', 'balanced_accuracy']
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._validation import (
    check_bool,
    check_features,
    check_positive_int,
    check_training_data,
)
from .attacks import ShokriAttack, ThresholdAttack
from .metrics import AttackReport, evaluate
from .models import make_model
from .models.zoo import check_model_spec
from .query import BlackBox, as_distribution
from .reference import ReferenceModels
from .seeding import int_seed, spawn
from .shadow import AttackData, ShadowModels
from .splits import membership_split
from .target import Target, TargetSummary
from .threads import limit_threads

__all__ = [
    "Target",
    "TargetSummary",
    "RunResult",
    "train_target",
    "train_shadows",
    "train_references",
    "evaluate_attack",
    "run_attack",
    "stage_seeds",
    "defend",
    "attacker_view",
    "attack_scores",
]


def _check_data(X, y, n_classes):
    X, y, k = check_training_data(X, y, n_classes)
    return X, y, check_positive_int(k, "n_classes", minimum=2)


def _check_model_params(params, name: str = "model_params") -> dict:
    if params is not None and not isinstance(params, dict):
        raise ValueError(
            f"{name} must be a dict of keyword arguments for the model, got "
            f"{type(params).__name__} {params!r}."
        )
    return dict(params or {})


def _check_target(target) -> None:
    if not isinstance(target, Target):
        raise TypeError(
            f"target must be a Target made by train_target, got {type(target).__name__}."
        )


def _check_attack(attack) -> None:
    if hasattr(attack, "score_target"):
        return
    if isinstance(attack, type) or not all(
        hasattr(attack, m) for m in ("fit", "score_samples", "predict")
    ):
        raise TypeError(
            "attack must be an attack estimator (with fit, score_samples and predict, such as "
            "ShokriAttack() or ThresholdAttack('loss')) or an object with "
            f"score_target(target); got {type(attack).__name__} {attack!r}."
        )


def _accuracy(P, y) -> float:
    return float(np.mean(np.argmax(P, axis=1) == y))


def train_target(
    X,
    y,
    n_classes: int | None = None,
    *,
    target_size: int,
    target_out_size: int | None = None,
    model="mlp",
    model_params: dict | None = None,
    transforms=(),
    output: str = "proba",
    random_state=None,
) -> Target:
    """Split the data, train a target on ``target_size`` members and query it, through a
    :class:`~mia_lib.query.BlackBox` with ``transforms`` and ``output``, on the members and
    ``target_out_size`` (default as many) non-members.

    ``model`` is a name of :func:`mia_lib.models.make_model` (with ``model_params``) or an
    unfitted estimator (cloned). The split and the model's seed are spawned from
    ``random_state``. When you chain the steps yourself, give the target, the shadows and
    the attack the independent seeds of :func:`stage_seeds` (as :func:`run_attack` does),
    not one ``random_state`` each.

    >>> from sklearn.datasets import load_digits
    >>> X, y = load_digits(return_X_y=True)
    >>> t = train_target(X / 16, y, target_size=200, model="naive_bayes", random_state=0)
    >>> t.answers.shape, int(t.membership.sum()), len(t.pool)
    ((400, 10), 200, 1397)
    """
    from sklearn.base import clone

    X, y, n_classes = _check_data(X, y, n_classes)
    check_model_spec(model)
    split_seq, model_seq = spawn(random_state, 2)
    params = _check_model_params(model_params)
    with limit_threads():
        split = membership_split(
            len(y),
            target_size=target_size,
            target_out_size=target_out_size,
            random_state=split_seq,
        )
        if isinstance(model, str):
            est = make_model(model, random_state=int_seed(model_seq), n_classes=n_classes, **params)
        else:
            est = clone(model).set_params(**params)
            if "random_state" in est.get_params():
                est.set_params(random_state=int_seed(model_seq))
        est.fit(X[split.target_in], y[split.target_in])
        bb = BlackBox(est, output=output, transforms=transforms, n_classes=n_classes)
        idx, member = split.evaluation()
        raw = bb.posteriors(X[idx])
        answers = bb.query(X[idx])
    labels = y[idx]
    summary = TargetSummary(
        n_records=int(len(y)),
        n_classes=int(n_classes),
        target_size=int(len(split.target_in)),
        n_non_members=int(len(split.target_out)),
        train_acc=_accuracy(raw[member == 1], labels[member == 1]),
        test_acc=_accuracy(raw[member == 0], labels[member == 0]),
    )
    return Target(
        model=est,
        blackbox=bb,
        split=split,
        X=X,
        y=y,
        n_classes=int(n_classes),
        model_name=model,
        model_params=params,
        summary=summary,
        eval_idx=idx,
        membership=member,
        labels=labels,
        answers=answers,
    )


def defend(target: Target, transforms=(), *, output: str = "proba") -> Target:
    """The same trained target behind another API: ``transforms`` and ``output`` replace
    the black box's, and the evaluation records are queried again.

    Nothing is retrained, so every defence at the API is compared on one model, split and
    set of shadows. The summary's accuracies are those of the undefended posteriors; a
    defence that keeps the predicted label (all but rounding ties) leaves them unchanged.

    >>> from sklearn.datasets import load_digits
    >>> from mia_lib.query import TopK
    >>> X, y = load_digits(return_X_y=True)
    >>> t = train_target(X / 16, y, target_size=200, model="naive_bayes", random_state=0)
    >>> top1 = defend(t, [TopK(1)])
    >>> top1.model is t.model, top1.answers.max(axis=1).min()
    (True, np.float64(1.0))
    """
    _check_target(target)
    bb = BlackBox(target.model, output=output, transforms=transforms, n_classes=target.n_classes)
    with limit_threads():
        answers = bb.query(target.X[target.eval_idx])
    return replace(target, blackbox=bb, answers=answers)


def attacker_view(target: Target) -> np.ndarray:
    """The target's released answers read as distributions (one-hot rows for labels), the
    input of every posterior-based attack (:func:`mia_lib.query.as_distribution`)."""
    _check_target(target)
    return as_distribution(target.answers, n_classes=target.n_classes)


def train_shadows(
    target: Target,
    *,
    n_shadows: int = 1,
    model=None,
    model_params=None,
    shadow_size: int | None = None,
    shadow_X=None,
    random_state=None,
) -> ShadowModels:
    """Fitted :class:`~mia_lib.shadow.ShadowModels` on ``target``'s attacker pool only.

    ``model`` defaults to the target's kind, with the target's parameters when
    ``model_params`` is None; it may be a list of kinds (a combined shadow, with a list of
    parameter dicts). ``shadow_size`` defaults to the target's training-set size, capped at
    half the pool (one in/out pair must fit). ``shadow_X`` is the attacker's copy of the
    records (same shape as the target's ``X``, e.g. with features replaced by noise).
    """
    _check_target(target)
    if model is None:
        model = target.model_name
        if model_params is None:
            model_params = target.model_params
    X = target.X
    if shadow_X is not None:
        shadow_X = check_features(shadow_X, "shadow_X", allow_nd=True)
        if shadow_X.shape != X.shape:
            raise ValueError(
                f"shadow_X must have the shape of the target's X {X.shape} (the attacker's "
                f"copy of the same records), got {shadow_X.shape}."
            )
        X = shadow_X
    pool = target.pool
    if len(pool) < 2:
        raise ValueError(
            f"the attacker's pool holds {len(pool)} records (of {len(target.y)}) after the "
            "target's members and non-members; shadows need at least 2. Use a smaller "
            "target_size (or target_out_size)."
        )
    size = target.summary.target_size if shadow_size is None else shadow_size
    size = min(check_positive_int(size, "shadow_size"), len(pool) // 2)
    shadows = ShadowModels(
        model,
        n_shadows=n_shadows,
        shadow_size=size,
        model_params=model_params,
        n_classes=target.n_classes,
        random_state=random_state,
    )
    with limit_threads():
        return shadows.fit(X[pool], target.y[pool])


def train_references(
    target: Target,
    *,
    n_models: int = 16,
    online: bool = True,
    model=None,
    model_params=None,
    training_size: int | None = None,
    random_state=None,
) -> ReferenceModels:
    """Fitted :class:`~mia_lib.reference.ReferenceModels` for ``target``: ``n_models``
    models trained as the target was (``model`` and ``model_params`` default to the
    target's), each on ``training_size`` records (default the target's training-set size)
    drawn at random from the records under attack and the attacker's pool (``online``), or
    from the pool only (offline: no reference model sees a record under attack). They score
    every record of the target's data, for LiRA, RMIA and Attack-R
    (:mod:`mia_lib.reference_attacks`).
    """
    _check_target(target)
    check_bool(online, "online")
    if model is None:
        model = target.model_name
        if model_params is None:
            model_params = target.model_params
    pool = target.pool
    candidates = np.concatenate([target.eval_idx, pool]) if online else pool
    size = target.summary.target_size if training_size is None else training_size
    size = check_positive_int(size, "training_size")
    if size >= len(candidates):
        raise ValueError(
            f"training_size={size} but the reference models can draw from {len(candidates)} "
            f"records ({'evaluation records and pool' if online else 'the pool'}); each must "
            "leave records out. Use a smaller training_size or target_size."
        )
    ref = ReferenceModels(
        model,
        n_models=n_models,
        training_size=size,
        model_params=model_params,
        n_classes=target.n_classes,
        random_state=random_state,
    )
    with limit_threads():
        return ref.fit(target.X, target.y, candidates=candidates)


def _fit_attack(attack, fit_on, target) -> None:
    if fit_on is None:
        return
    if isinstance(fit_on, ReferenceModels):
        attack.fit(fit_on)
        return
    if isinstance(fit_on, ShadowModels) and hasattr(attack, "fit_shadows"):
        # an attack that queries the shadows itself (label-only): on the attacker's pool
        attack.fit_shadows(fit_on, target.X[target.pool], target.y[target.pool])
        return
    if isinstance(fit_on, ShadowModels):
        check_is_fitted(fit_on, "attack_data_")
        fit_on = fit_on.attack_data_
    if isinstance(fit_on, AttackData):
        attack.fit(fit_on.posteriors, fit_on.membership, labels=fit_on.labels)
        return
    if isinstance(fit_on, tuple) and len(fit_on) in (2, 3):
        X, y, *labels = fit_on
        attack.fit(X, y, labels=labels[0] if labels else None)
        return
    raise TypeError(
        "fit_on must be None, fitted ShadowModels or ReferenceModels, an AttackData or a tuple "
        f"(X, membership[, labels]); got {type(fit_on).__name__}."
    )


def evaluate_attack(attack, target: Target, *, fit_on=None, per_class: bool = False):
    """Fit ``attack`` on ``fit_on`` when given, score ``target``'s evaluation records and
    return an :class:`~mia_lib.metrics.AttackReport` (decisions: the attack's own rule).

    ``fit_on`` is fitted :class:`~mia_lib.shadow.ShadowModels`, an
    :class:`~mia_lib.shadow.AttackData`, a tuple ``(X, membership[, labels])``, or fitted
    :class:`~mia_lib.reference.ReferenceModels` (:func:`train_references`) for the attacks
    of :mod:`mia_lib.reference_attacks`. An attack
    that needs more than the black box's answers (e.g. one that queries perturbed records)
    implements ``score_target(target) -> (scores, decisions)`` instead of
    ``score_samples``/``predict``. ``per_class`` adds the per-class table to the report.
    Attack estimators see the answers as distributions (:func:`attacker_view`): released
    top-k values, rounded rows and labels are read as the attacker would read them, and its
    shadow data should be released the same way (:meth:`AttackData.released
    <mia_lib.shadow.AttackData.released>`).
    """
    check_bool(per_class, "per_class")
    scores, decisions = attack_scores(attack, target, fit_on=fit_on)
    classes = target.labels if per_class else None
    return evaluate(target.membership, scores, predicted=decisions, classes=classes)


def attack_scores(attack, target: Target, *, fit_on=None) -> tuple[np.ndarray, np.ndarray]:
    """The scoring step of :func:`evaluate_attack`: fit ``attack`` on ``fit_on`` when given
    and return its scores and 0/1 decisions for ``target``'s evaluation records (members
    first, in the order of ``target.membership``), e.g. for bootstrap intervals
    (:func:`mia_lib.intervals.bootstrap_ci`)."""
    _check_attack(attack)
    _check_target(target)
    with limit_threads():
        _fit_attack(attack, fit_on, target)
        if hasattr(attack, "score_target"):
            return attack.score_target(target)
        view = attacker_view(target)
        return (
            attack.score_samples(view, labels=target.labels),
            attack.predict(view, labels=target.labels),
        )


@dataclass(frozen=True)
class RunResult:
    """One end-to-end attack: the target, the shadows, the attack's report and a baseline's."""

    target: TargetSummary
    n_shadows: int
    shadow_size: int
    attack: AttackReport
    baseline: AttackReport | None = None

    def row(self, per_class: bool = False) -> dict:
        """The result as one flat dict of plain values (a row of a stored result): the
        target's sizes and accuracies, the shadows, every field of the attack's report, the
        median per-class precision, and the baseline's precision and AUC."""
        out = {**self.target.to_dict(), "n_shadows": self.n_shadows}
        out["shadow_size"] = self.shadow_size
        out.update(self.attack.to_dict())
        pc = self.attack.per_class
        if pc is not None:
            out["median_class_precision"] = float(np.median(pc["precision"].to_numpy()))
            if per_class:
                out["per_class_precision"] = {str(k): float(v) for k, v in pc["precision"].items()}
        if self.baseline is not None:
            out["baseline_precision"] = self.baseline.precision
            out["baseline_auc"] = self.baseline.auc
        return out


def stage_seeds(random_state) -> tuple:
    """The independent seeds of a run's target (split and model), shadows and attack, as
    :func:`run_attack` spawns them: an experiment that trains one target for many attackers
    uses them to get the same models as separate runs would."""
    return tuple(spawn(random_state, 3))


def run_attack(
    X,
    y,
    n_classes: int | None = None,
    *,
    target_size: int,
    model="mlp",
    model_params: dict | None = None,
    n_shadows: int = 10,
    shadow_size: int | None = None,
    shadow_model=None,
    shadow_params: dict | None = None,
    shadow_X=None,
    attack=None,
    baseline=True,
    transforms=(),
    random_state=None,
) -> RunResult:
    """Shokri et al.'s attack end to end on one dataset (or ``attack`` in its place).

    A target of ``model`` is trained on ``target_size`` records and as many non-members are
    held out (:func:`train_target`, behind ``transforms``); ``n_shadows`` shadow models of
    ``shadow_model`` (default: the target's kind and parameters) are trained on
    ``shadow_size`` records each (default ``target_size``) from the rest
    (:func:`train_shadows`); ``attack`` (default :class:`~mia_lib.attacks.ShokriAttack`, one
    attack model per class) is fitted on their outputs and scores the target's members and
    non-members (:func:`evaluate_attack`, with the per-class table). ``baseline=True`` adds a
    confidence threshold fitted on the same shadow data. With ``transforms`` (a defence at
    the API) the attacker sees its shadows' outputs through the same transforms.
    """
    check_positive_int(n_shadows, "n_shadows")
    check_bool(baseline, "baseline")
    if attack is not None:
        _check_attack(attack)
    target_seq, shadow_seq, attack_seq = stage_seeds(random_state)
    target = train_target(
        X,
        y,
        n_classes,
        target_size=target_size,
        model=model,
        model_params=model_params,
        transforms=transforms,
        random_state=target_seq,
    )
    if shadow_model is not None and (shadow_model is model or shadow_model == model):
        shadow_model = None  # the target's kind: with the target's parameters by default
    elif shadow_model is not None and shadow_params is None:
        shadow_params = {}  # another kind: its own defaults
    shadows = train_shadows(
        target,
        n_shadows=n_shadows,
        model=shadow_model,
        model_params=shadow_params,
        shadow_size=shadow_size,
        shadow_X=shadow_X,
        random_state=shadow_seq,
    )
    if attack is None:
        attack = ShokriAttack(random_state=int_seed(attack_seq))
    # the attacker queries its shadows through the same API as the target
    fit_on = shadows.attack_data_.released(target.blackbox.transforms) if transforms else shadows
    report = evaluate_attack(attack, target, fit_on=fit_on, per_class=True)
    base = None
    if baseline:
        base = evaluate_attack(ThresholdAttack("confidence"), target, fit_on=fit_on)
    return RunResult(
        target=target.summary,
        n_shadows=int(n_shadows),
        shadow_size=int(shadows.splits_[0].in_idx.size),
        attack=report,
        baseline=base,
    )
