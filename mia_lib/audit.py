"""Audit a trained classifier: how much does it leak about its training records?

:func:`audit` takes a fitted model, records it was trained on (members) and records it
never saw (non-members), runs the book's attacks on them, and returns an
:class:`AuditReport`:

* per attack, the AUC with a bootstrap interval, and the true positive rate at 1%, 0.1% and
  0.01% false positive rate, each with a Clopper–Pearson interval and the number of
  non-members the false positive rate rests on (an FPR of 0.1% on 2,000 non-members allows
  2 false positives: a TPR there rests on very little);
* per attack, the lower bound on ε that its scores prove
  (:func:`mia_lib.dp_bounds.empirical_epsilon`);
* per class, the strongest attack's results, and the members most at risk (by index).

The attacks are those of the book that need no knowledge beyond the audit's records:

* ``"loss"``: Yeom et al.'s threshold on the record's loss (:func:`mia_lib.signals.loss`);
* ``"modified_entropy"``: Song and Mittal's threshold on the modified entropy;
* ``"shokri"``: Shokri et al.'s shadow-model attack (:class:`mia_lib.attacks.ShokriAttack`),
  when ``population`` records (neither members nor non-members) are given and the model
  can be retrained: an unfitted copy of it (``sklearn.base.clone``), or ``shadow_model``.

A threshold attack's ROC is computed over all thresholds on the audit's own records: the
auditor knows who is a member, so the curve is what an attacker who had chosen the
threshold well would reach. The intervals say how much that curve could move with other
records of the same kind.

The model may be any scikit-learn classifier (pipelines included), one of the library's
torch estimators, or a function mapping ``X`` to class probabilities (a black box; it
cannot be retrained, so ``"shokri"`` needs ``shadow_model``).

>>> from sklearn.datasets import load_digits
>>> from sklearn.ensemble import RandomForestClassifier
>>> X, y = load_digits(return_X_y=True)
>>> model = RandomForestClassifier(random_state=0).fit(X[:600], y[:600])
>>> report = audit(model, X[:600], y[:600], X[600:1200], y[600:1200], random_state=0)
>>> [a.name for a in report.attacks], report.skipped
(['loss', 'modified_entropy'], {'shokri': 'needs population records to train shadow models on'})
>>> loss = report.attack("loss")
>>> bool(loss.auc > 0.7), loss.rates[0].fpr, loss.rates[0].n_false_positives
(True, 0.01, 6)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone

from ._validation import check_features, check_labels, check_positive_int, check_probability
from .dp_bounds import EmpiricalEpsilon, clopper_pearson, empirical_epsilon
from .experiments.results import jsonable
from .intervals import bootstrap_ci
from .metrics import per_class_report
from .query import full_proba, model_proba
from .scoring import auc, tpr_at_fpr
from .seeding import int_seed, spawn
from .signals import compute_signal
from .threads import limit_threads

__all__ = ["ATTACKS", "DEFAULT_FPRS", "RateAtFPR", "AttackAudit", "AuditReport", "audit"]

#: The attacks :func:`audit` knows, in the order it runs them.
ATTACKS = ("loss", "modified_entropy", "shokri")
#: The false positive rates of the report (those the non-members can support).
DEFAULT_FPRS = (0.01, 0.001, 0.0001)


@dataclass(frozen=True)
class RateAtFPR:
    """The attack's true positive rate at false positive rate ``fpr``: ``tpr`` with its
    Clopper–Pearson interval, and ``n_false_positives``, the non-members that may be called
    members at this rate (what the rate rests on)."""

    fpr: float
    tpr: float
    tpr_low: float
    tpr_high: float
    n_false_positives: int


@dataclass(frozen=True)
class AttackAudit:
    """One attack's results; ``scores`` are its scores of the members then the
    non-members (higher: more likely a member)."""

    name: str
    auc: float
    auc_low: float
    auc_high: float
    rates: tuple[RateAtFPR, ...]
    epsilon: EmpiricalEpsilon
    scores: np.ndarray = field(repr=False, compare=False)

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "auc": self.auc,
            "auc_interval": [self.auc_low, self.auc_high],
            "rates": [vars(r).copy() for r in self.rates],
            "epsilon": self.epsilon.to_dict(),
        }


@dataclass(frozen=True)
class AuditReport:
    """What :func:`audit` found. ``strongest`` names the attack of highest AUC, whose
    ``per_class`` table and ``at_risk`` members (indices into ``X_members``, the highest
    scores first) the report gives; ``skipped`` maps attacks not run to the reason."""

    n_members: int
    n_non_members: int
    n_classes: int
    train_accuracy: float
    test_accuracy: float
    confidence: float
    attacks: tuple[AttackAudit, ...]
    strongest: str
    per_class: pd.DataFrame = field(repr=False, compare=False)
    at_risk: np.ndarray = field(repr=False, compare=False)
    skipped: dict = field(default_factory=dict)

    def attack(self, name: str) -> AttackAudit:
        """The results of attack ``name``."""
        for a in self.attacks:
            if a.name == name:
                return a
        raise KeyError(
            f"no attack {name!r} in the report; it has {[a.name for a in self.attacks]}."
        )

    def to_dict(self) -> dict:
        """The report as plain JSON-ready values (NaN as None)."""

        return jsonable(
            {
                "n_members": self.n_members,
                "n_non_members": self.n_non_members,
                "n_classes": self.n_classes,
                "train_accuracy": self.train_accuracy,
                "test_accuracy": self.test_accuracy,
                "confidence": self.confidence,
                "strongest": self.strongest,
                "attacks": [a.to_dict() for a in self.attacks],
                "skipped": dict(self.skipped),
                "per_class": {
                    str(c): {
                        col: int(v) if col.startswith("n") else float(v) for col, v in row.items()
                    }
                    for c, row in self.per_class.iterrows()
                },
                "at_risk": [int(i) for i in self.at_risk],
            }
        )

    def summary(self) -> str:
        """A plain-language summary of the report, a few sentences long."""
        a = self.attack(self.strongest)
        first = a.rates[0]
        lines = [
            f"The model was audited on {self.n_members:,} training records (members) and "
            f"{self.n_non_members:,} records it never saw (non-members). Its accuracy is "
            f"{self.train_accuracy:.3f} on the members and {self.test_accuracy:.3f} on the "
            "non-members.",
            f"The strongest attack, {a.name}, tells them apart with an AUC of {a.auc:.3f} "
            f"({100 * self.confidence:.0f}% interval {a.auc_low:.3f} to {a.auc_high:.3f}); "
            "0.5 is guessing.",
            f"Allowed to wrongly accuse {first.n_false_positives} of the non-members "
            f"({100 * first.fpr:g}%), it finds {100 * first.tpr:.1f}% of the members "
            f"(interval {100 * first.tpr_low:.1f}% to {100 * first.tpr_high:.1f}%).",
            f"Its scores prove that the training cannot be differentially private with an ε "
            f"below {a.epsilon.epsilon_low:.2f} (at {100 * a.epsilon.confidence:.0f}% "
            "confidence).",
        ]
        if self.skipped:
            lines.append(
                "Not run: " + "; ".join(f"{k} ({v})" for k, v in self.skipped.items()) + "."
            )
        return " ".join(lines)


# -- inputs ------------------------------------------------------------------------------
def _predictor(model):
    """A function ``X -> probabilities`` for ``model``, whether it can be retrained, and
    the classes it knows (None when it does not say)."""
    if hasattr(model, "predict_proba"):
        retrainable = isinstance(model, BaseEstimator)
        if hasattr(model, "classes_") and not hasattr(model, "predict_logits"):
            known = np.asarray(model.classes_)
            return (lambda X: full_proba(model, X)), retrainable, known
        return (lambda X: model_proba(model, X)), retrainable, None
    if callable(model):
        return (lambda X: np.asarray(model(X), dtype=np.float64)), False, None
    raise TypeError(
        f"model must be a fitted classifier with predict_proba or a function returning "
        f"class probabilities, got {type(model).__name__}."
    )


def _probabilities(predict, X, y, which: str) -> np.ndarray:
    P = predict(X)
    if P.ndim != 2 or len(P) != len(X):
        raise ValueError(
            f"the model returned an array of shape {P.shape} for {len(X)} {which}; it must "
            "return one row of class probabilities per record."
        )
    bad = ~np.isfinite(P).all(axis=1) | (P < -1e-6).any(axis=1)
    bad |= np.abs(P.sum(axis=1) - 1) > 1e-3
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"the model's outputs are not probabilities: {int(bad.sum())} rows for the "
            f"{which} are negative, non-finite or do not sum to 1 (row {i} sums to "
            f"{P[i].sum():.4g}). Pass a model with predict_proba, or a function returning "
            "softmax outputs, not logits."
        )
    if y.max() >= P.shape[1]:
        raise ValueError(
            f"the {which} have labels up to {int(y.max())}, but the model gives "
            f"{P.shape[1]} class probabilities: classes unseen by the model. Labels must be "
            "0..n_classes-1, the model's classes."
        )
    return np.clip(P, 0.0, 1.0)


def _overlap(Xa, ya, Xb, yb) -> int:
    """How many records of ``(Xb, yb)`` also appear in ``(Xa, ya)`` (same features and label)."""

    def keys(X, y):
        rows = np.ascontiguousarray(X.reshape(len(X), -1), dtype=np.float64)
        return [r.tobytes() + int(c).to_bytes(8, "little") for r, c in zip(rows, y, strict=True)]

    seen = set(keys(Xa, ya))
    return sum(k in seen for k in keys(Xb, yb))


def _unseen(known, y, which: str) -> None:
    """Refuse labels of classes the model was not trained on."""
    if known is None:
        return
    missing = np.setdiff1d(np.unique(y), known)
    if missing.size:
        raise ValueError(
            f"the {which} have labels {missing[:10].tolist()} of classes unseen by the model "
            f"(it knows {known[:20].tolist()}); audit with records of the model's classes."
        )


def _fprs(fprs, n_non: int) -> tuple[float, ...]:
    if fprs is None:
        out = tuple(f for f in DEFAULT_FPRS if f * n_non >= 1)
        if not out:
            raise ValueError(
                f"{n_non} non-members are too few: a TPR at 1% FPR needs at least 100 "
                "non-members (one false positive). Give more non-members."
            )
        return out
    values = np.atleast_1d(np.asarray(fprs, dtype=object))
    if values.size == 0 or any(
        isinstance(f, bool) or not isinstance(f, int | float | np.number) for f in values
    ):
        raise ValueError(
            f"fprs must be a non-empty list of false positive rates such as [0.01, 0.001], "
            f"got {fprs!r}."
        )
    out = tuple(sorted({float(f) for f in values}, reverse=True))
    for f in out:
        if not 0 < f < 1:
            raise ValueError(f"each of fprs must be a rate in (0, 1), got {f!r}.")
        if f * n_non < 1:
            raise ValueError(
                f"a TPR at {100 * f:g}% FPR needs at least {math.ceil(1 / f):,} non-members "
                f"(one false positive); there are {n_non:,}. Give more non-members or a "
                "larger FPR."
            )
    return out


# -- the audit ---------------------------------------------------------------------------
def _attack_audit(name, m, s, fprs, confidence, seed) -> AttackAudit:
    boot_seq, eps_seq = spawn(seed, 2)
    lo, hi = bootstrap_ci(m, s, metrics=("auc",), level=confidence, random_state=boot_seq)["auc"]
    n_pos, n_neg = int(m.sum()), int((m == 0).sum())
    alpha = 1 - confidence
    rates = []
    for f, tpr in zip(fprs, tpr_at_fpr(m, s, list(fprs)), strict=True):
        tpr = float(tpr)
        tlo, thi = clopper_pearson(round(tpr * n_pos), n_pos, alpha)
        rates.append(RateAtFPR(f, tpr, tlo, thi, int(math.floor(f * n_neg + 1e-9))))
    eps = empirical_epsilon(m, s, confidence=confidence, random_state=eps_seq)
    return AttackAudit(name, auc(m, s), float(lo), float(hi), tuple(rates), eps, s)


def _shokri_scores(model, shadow_model, population, P, y, n_classes, n_shadows, seed, verbose):
    from .attacks import ShokriAttack
    from .shadow import ShadowModels

    Xp, yp = population
    shadow_seq, attack_seq = spawn(seed, 2)
    shadows = ShadowModels(
        shadow_model if shadow_model is not None else clone(model),
        n_shadows=n_shadows,
        n_classes=n_classes,
        random_state=shadow_seq,
        verbose=verbose,
    ).fit(Xp, yp)
    ad = shadows.attack_data_
    attack = ShokriAttack(random_state=int_seed(attack_seq))
    attack.fit(ad.posteriors, ad.membership, labels=ad.labels)
    return attack.score_samples(P, labels=y)


def audit(
    model,
    X_members,
    y_members,
    X_nonmembers,
    y_nonmembers,
    *,
    population=None,
    attacks=ATTACKS,
    shadow_model=None,
    n_shadows: int = 4,
    fprs=None,
    confidence: float = 0.95,
    n_at_risk: int = 20,
    random_state=None,
    verbose: bool = False,
) -> AuditReport:
    """Audit the fitted ``model`` on its training records ``X_members, y_members`` and
    records it never saw ``X_nonmembers, y_nonmembers`` (labels ``0..n_classes-1``).

    ``population``: ``(X, y)`` of other records of the same kind (neither members nor
    non-members), on which the ``"shokri"`` attack trains ``n_shadows`` shadow models
    (copies of ``model``, or of ``shadow_model``). ``attacks``: a subset of
    :data:`ATTACKS`. ``fprs``: the false positive rates of the report (default: those of
    :data:`DEFAULT_FPRS` with at least one false positive among the non-members).
    ``confidence``: the level of every interval. ``n_at_risk``: members listed as most at
    risk. ``verbose``: progress bars while shadow models train.
    """
    if isinstance(attacks, str):
        attacks = (attacks,)
    if not isinstance(attacks, list | tuple) or not attacks:
        raise ValueError(f"attacks must be some of {ATTACKS} (a non-empty list), got {attacks!r}.")
    unknown = [a for a in attacks if a not in ATTACKS]
    if unknown:
        raise ValueError(f"attacks must be some of {ATTACKS}, got {attacks!r}.")
    attacks = tuple(attacks)
    confidence = check_probability(confidence, "confidence", lo_open=True, hi_open=True)
    n_at_risk = check_positive_int(n_at_risk, "n_at_risk")
    n_shadows = check_positive_int(n_shadows, "n_shadows")
    Xm = check_features(X_members, "X_members", allow_nd=True)
    Xn = check_features(X_nonmembers, "X_nonmembers", allow_nd=True)
    ym = check_labels(y_members, name="y_members")
    yn = check_labels(y_nonmembers, name="y_nonmembers")
    for X, yy, which in ((Xm, ym, "members"), (Xn, yn, "non-members")):
        if len(X) != len(yy):
            raise ValueError(f"the {which} have {len(X)} records but {len(yy)} labels.")
    if Xm.shape[1:] != Xn.shape[1:]:
        raise ValueError(
            f"members and non-members disagree in shape: {Xm.shape[1:]} against "
            f"{Xn.shape[1:]} per record."
        )
    if min(len(Xm), len(Xn)) < 4:
        raise ValueError("an audit needs at least 4 members and 4 non-members.")
    shared = _overlap(Xm, ym, Xn, yn)
    if shared:
        raise ValueError(
            f"{shared} non-members also appear among the members (same features and label); "
            "a record is a member or not. Drop the duplicates before auditing."
        )
    fprs = _fprs(fprs, len(Xn))
    if population is not None:
        if not isinstance(population, list | tuple) or len(population) != 2:
            raise ValueError(
                "population must be a pair (X, y) of records and labels, got "
                f"{type(population).__name__}."
            )
        Xp = check_features(population[0], "population X", allow_nd=True)
        yp = check_labels(population[1], name="population y")
        if Xp.shape[1:] != Xm.shape[1:] or len(Xp) != len(yp):
            raise ValueError(
                f"population must be (X, y) with records of shape {Xm.shape[1:]}; got X of "
                f"shape {Xp.shape} and {len(yp)} labels."
            )
        for X, yy, which in ((Xm, ym, "members"), (Xn, yn, "non-members")):
            shared = _overlap(X, yy, Xp, yp)
            if shared:
                raise ValueError(
                    f"{shared} population records also appear among the {which}; the "
                    "population must be other records. Drop them before auditing."
                )
        population = (Xp, yp)
    predict, retrainable, known = _predictor(model)
    _unseen(known, ym, "members")
    _unseen(known, yn, "non-members")
    with limit_threads():
        Pm = _probabilities(predict, Xm, ym, "members")
        Pn = _probabilities(predict, Xn, yn, "non-members")
    if Pm.shape[1] != Pn.shape[1]:
        raise ValueError("the model gave members and non-members different numbers of classes.")
    P, y = np.concatenate([Pm, Pn]), np.concatenate([ym, yn])
    m = np.r_[np.ones(len(Xm), dtype=int), np.zeros(len(Xn), dtype=int)]
    seeds = dict(zip(ATTACKS, spawn(random_state, len(ATTACKS)), strict=True))
    scores, skipped = {}, {}
    for name in attacks:
        if name != "shokri":
            scores[name] = compute_signal(name, P, y)
        elif population is None:
            skipped[name] = "needs population records to train shadow models on"
        elif not retrainable and shadow_model is None:
            skipped[name] = "the model cannot be retrained; pass shadow_model"
        else:
            with limit_threads():
                scores[name] = _shokri_scores(
                    model,
                    shadow_model,
                    population,
                    P,
                    y,
                    P.shape[1],
                    n_shadows,
                    seeds[name],
                    verbose,
                )
    if not scores:
        raise ValueError(f"no attack could run: {skipped}.")
    results = tuple(
        _attack_audit(name, m, s, fprs, confidence, seeds[name]) for name, s in scores.items()
    )
    best = max(results, key=lambda a: a.auc)
    s = best.scores
    per_class = per_class_report(m, s, y)
    order = np.argsort(-s[: len(Xm)], kind="stable")[:n_at_risk]
    return AuditReport(
        n_members=len(Xm),
        n_non_members=len(Xn),
        n_classes=int(P.shape[1]),
        train_accuracy=float((Pm.argmax(1) == ym).mean()),
        test_accuracy=float((Pn.argmax(1) == yn).mean()),
        confidence=confidence,
        attacks=results,
        strongest=best.name,
        per_class=per_class,
        at_risk=order,
        skipped=skipped,
    )
