"""Hostile inputs to every public function of mia_lib beyond the data layer get a clear error.

Each case names the function, the input, the error type and a pattern its message must
match (what was wrong and how to fix it). A case whose type is ``None`` is an input the
library must *accept* (a Generator or SeedSequence where a seed is expected); its call
returns True when the result is right. The data layer has its own table
(``tests/test_data_bad_inputs.py``). ``python tests/test_bad_inputs.py`` prints the cases as
the markdown table of notes/bad_inputs_lib.md.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import io
import os
import re
import sys
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.naive_bayes import GaussianNB  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402

from mia_lib import papers, seeding, signals, threads  # noqa: E402
from mia_lib.__main__ import main as cli_main  # noqa: E402
from mia_lib.anonymise import generalise_adult, group_sizes, k_anonymous_share  # noqa: E402
from mia_lib.attacks import (  # noqa: E402
    MLLeaksAttack,
    ShokriAttack,
    ThresholdAttack,
    attack_features,
    attack_model_of,
    default_attack_model,
)
from mia_lib.experiments import (  # noqa: E402
    MissingDataError,
    ProfileError,
    ResultFileError,
    load_profile,
    load_result,
    merge_results,
    run_experiment,
    write_result,
)
from mia_lib.experiments.training import part_settings, privacy_utility  # noqa: E402
from mia_lib.intervals import bootstrap_ci  # noqa: E402
from mia_lib.label_only import GapAttack, LabelOnlyAttack, released_labels  # noqa: E402
from mia_lib.memguard import MemGuard, defender_model  # noqa: E402
from mia_lib.metrics import (  # noqa: E402
    accuracy,
    advantage,
    auc,
    balanced_accuracy,
    best_threshold,
    ci_table,
    evaluate,
    generalization_gap,
    per_class_report,
    precision,
    recall,
    roc_curve,
    roc_points,
    tpr_at_fpr,
    train_test_gap,
)
from mia_lib.models import (  # noqa: E402
    DisjointStackingClassifier,
    TorchCNNClassifier,
    TorchMLPClassifier,
    make_model,
    train_many,
)
from mia_lib.papers import verdicts  # noqa: E402
from mia_lib.pipeline import (  # noqa: E402
    attack_scores,
    attacker_view,
    defend,
    evaluate_attack,
    run_attack,
    train_shadows,
    train_target,
)
from mia_lib.plots import (  # noqa: E402
    plot_paper_vs_ours,
    plot_per_class,
    plot_roc,
    plot_rocs,
    plot_score_histograms,
)
from mia_lib.query import (  # noqa: E402
    BlackBox,
    Rounding,
    Temperature,
    TopK,
    apply_transforms,
    as_distribution,
    full_proba,
    model_proba,
)
from mia_lib.shadow import AttackData, ShadowModels, attack_dataset, released_view  # noqa: E402
from mia_lib.splits import ShadowSplit, membership_split, shadow_splits  # noqa: E402
from mia_lib.synthesis import (  # noqa: E402
    ModelBasedSynthesizer,
    hill_climb_synthesize,
    marginal_synthesize,
    noisy_copies,
    random_queries,
)

# --------------------------------------------------------------------------- tiny data


@functools.cache
def _data():
    rng = np.random.default_rng(0)
    y = np.arange(60) % 3
    X = rng.normal(size=(60, 4)) + y[:, None]
    return X, y


@functools.cache
def _posteriors():
    P = np.array(
        [
            [0.9, 0.05, 0.05],
            [0.1, 0.8, 0.1],
            [0.2, 0.2, 0.6],
            [0.7, 0.2, 0.1],
            [0.4, 0.3, 0.3],
            [0.3, 0.4, 0.3],
            [0.3, 0.3, 0.4],
            [0.5, 0.25, 0.25],
        ]
    )
    return P, np.array([1, 1, 1, 1, 0, 0, 0, 0]), np.array([0, 1, 2, 0, 0, 1, 2, 0])


@functools.cache
def _fitted_lr():
    X, y = _data()
    return LogisticRegression().fit(X, y)


@functools.cache
def _binary_blackbox_model():
    rng = np.random.default_rng(0)
    Xb = rng.integers(0, 2, size=(200, 10))
    yb = (Xb[:, :3].sum(axis=1) >= 2).astype(int)
    return LogisticRegression().fit(Xb, yb)


@functools.cache
def _target():
    X, y = _data()
    return train_target(X, y, target_size=15, model="naive_bayes", random_state=0)


@functools.cache
def _shadows():
    X, y = _data()
    return ShadowModels("naive_bayes", n_shadows=1, shadow_size=10, random_state=0).fit(X, y)


def _tiny_defender():
    return TorchMLPClassifier(hidden_layer_sizes=(4,), epochs=1, n_classes=2)


@functools.cache
def _guard():
    P, m, _ = _posteriors()
    return MemGuard(defender=_tiny_defender(), random_state=0).fit(P, m)


@dataclasses.dataclass
class Ctx:
    tmp: Path

    X = property(lambda self: _data()[0])
    y = property(lambda self: _data()[1])
    P = property(lambda self: _posteriors()[0])
    m = property(lambda self: _posteriors()[1])
    labels = property(lambda self: _posteriors()[2])
    s = property(lambda self: np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2]))
    lr = property(lambda self: _fitted_lr())
    target = property(lambda self: _target())
    shadows = property(lambda self: _shadows())
    guard = property(lambda self: _guard())  # MemGuard fitted on P, m
    tiny = property(lambda self: _tiny_defender())
    # four records of an Adult-like table: a scaled age and one-hot sex
    adult = property(lambda self: np.array([[0.0, 1, 0], [30 / 73, 0, 1]] * 2)[:, [0, 0, 1, 2]])
    training_entry = property(
        lambda self: load_profile("defences_training", "smoke").datasets["digits"]
    )

    @property
    def data(self) -> AttackData:
        return AttackData(self.P, self.labels, self.m, np.zeros(8, dtype=int))

    @property
    def bb(self) -> BlackBox:
        return BlackBox(self.lr)

    @property
    def bin_bb(self) -> BlackBox:
        return BlackBox(_binary_blackbox_model())

    @property
    def file(self) -> Path:  # an ordinary file
        p = self.tmp / "plain.txt"
        p.write_text("hello")
        return p

    @property
    def ro(self) -> Path:  # a directory without write bits (read-only even for root)
        p = self.tmp / "ro"
        p.mkdir(exist_ok=True)
        p.chmod(0o555)
        return p

    def put(self, rel: str, text: str) -> Path:
        p = self.tmp / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
        return p


#: The column names of ``Ctx.adult``.
ADULT_NAMES = ["age", "fnlwgt", "sex=F", "sex=M"]


def nan_at(a, i=0):
    a = np.array(a, dtype=float)
    a.flat[i] = np.nan
    return a


def inf_at(a, i=0):
    a = np.array(a, dtype=float)
    a.flat[i] = np.inf
    return a


def to_logits(P):
    """A broken output transform: it returns log-probabilities."""
    return np.log(P)


class CommandLineExit(Exception):
    """What ``python -m mia_lib`` ended with: its exit status and the last line it wrote."""


def cli(*argv: str):
    """Run the command line in this process; raise CommandLineExit with its status and error."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = cli_main(list(argv))
        except SystemExit as exc:
            code = exc.code
    lines = [line for line in err.getvalue().splitlines() if line.strip()]
    raise CommandLineExit(f"exit {code}: {lines[-1] if lines else ''}")


@contextlib.contextmanager
def env(name: str, value: str):
    saved = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if saved is None:
            del os.environ[name]
        else:
            os.environ[name] = saved


def with_env(name, value, fn):
    with env(name, value):
        return fn()


def smoke(c, **kw):
    """run_experiment of the smallest replication; every case fails before it runs."""
    return run_experiment("shokri_datasets", "smoke", **kw)


def result_doc(rows=({"key": "a", "v": 1},), **extra):
    return {
        "name": "shokri_datasets",
        "profile": "smoke",
        "seed": 0,
        "settings": {},
        "results": {"rows": list(rows), "skipped": {}},
        "provenance": {"duration_s": 1.0, "datasets": {}},
        **extra,
    }


# --------------------------------------------------------------------------- the cases

Case = tuple[str, str, Callable[[Ctx], object], type | None, str]

CASES: list[Case] = [
    # ================================================================ pipeline
    ("train_target", "X='abc'", lambda c: train_target("abc", c.y, target_size=5), TypeError,
     "X must be numeric"),
    ("train_target", "X 1-D", lambda c: train_target(c.X[:, 0], c.y, target_size=5), ValueError,
     r"X must be at least 2-D"),
    ("train_target", "X with NaN", lambda c: train_target(nan_at(c.X), c.y, target_size=5),
     ValueError, "X contains 1 NaN or infinite"),
    ("train_target", "X with inf", lambda c: train_target(inf_at(c.X), c.y, target_size=5),
     ValueError, "NaN or infinite"),
    ("train_target", "y shorter than X", lambda c: train_target(c.X, c.y[:-1], target_size=5),
     ValueError, r"different numbers of rows \(X: 60, y: 59\)"),
    ("train_target", "string labels", lambda c: train_target(c.X, c.y.astype(str), target_size=5),
     TypeError, "y must be numeric: integer class labels 0..n_classes-1, got dtype <U"),
    ("train_target", "labels 0.5", lambda c: train_target(c.X, c.y + 0.5, target_size=5),
     ValueError, "y has non-integer values"),
    ("train_target", "negative label", lambda c: train_target(c.X, c.y - 1, target_size=5),
     ValueError, r"labels outside 0\.\.n_classes-1 \(found -1\)"),
    ("train_target", "y 2-D (one-hot)",
     lambda c: train_target(c.X, np.eye(3)[c.y], target_size=5), ValueError,
     r"y must be 1-D \(n_samples,\), got shape \(60, 3\)"),
    ("train_target", "y=None", lambda c: train_target(c.X, None, target_size=5), TypeError,
     "y is None"),
    ("train_target", "n_classes=2 below the labels",
     lambda c: train_target(c.X, c.y, 2, target_size=5), ValueError, r"outside 0\.\.1 \(found 2\)"),
    ("train_target", "n_classes='3'", lambda c: train_target(c.X, c.y, "3", target_size=5),
     ValueError, "n_classes must be an integer >= 2, got '3'"),
    ("train_target", "n_classes=1", lambda c: train_target(c.X, c.y % 1, 1, target_size=5),
     ValueError, "n_classes must be an integer >= 2, got 1"),
    ("train_target", "target_size=0", lambda c: train_target(c.X, c.y, target_size=0),
     ValueError, "target_size must be a positive integer, got 0"),
    ("train_target", "target_size=-5", lambda c: train_target(c.X, c.y, target_size=-5),
     ValueError, "target_size must be a positive integer"),
    ("train_target", "target_size=True", lambda c: train_target(c.X, c.y, target_size=True),
     ValueError, "target_size must be a positive integer, got True"),
    ("train_target", "target_size='10'", lambda c: train_target(c.X, c.y, target_size="10"),
     ValueError, "target_size must be a positive integer"),
    ("train_target", "target_size=10**9", lambda c: train_target(c.X, c.y, target_size=10**9),
     ValueError, "exceeds the 60 records available"),
    ("train_target", "target_out_size=0",
     lambda c: train_target(c.X, c.y, target_size=5, target_out_size=0), ValueError,
     "target_out_size must be a positive integer"),
    ("train_target", "model='resnet'",
     lambda c: train_target(c.X, c.y, target_size=5, model="resnet"), ValueError,
     "unknown model name 'resnet'; valid names"),
    ("train_target", "model=object()",
     lambda c: train_target(c.X, c.y, target_size=5, model=object()), TypeError,
     "model must be a model name .* or an unfitted estimator"),
    ("train_target", "model=LogisticRegression (the class)",
     lambda c: train_target(c.X, c.y, target_size=5, model=LogisticRegression), TypeError,
     "model must be .* an unfitted estimator"),
    ("train_target", "model without predict_proba (LinearSVC)",
     lambda c: train_target(c.X, c.y, target_size=5, model=LinearSVC()), TypeError,
     "has no predict_proba"),
    ("train_target", "model_params='C=1'",
     lambda c: train_target(c.X, c.y, target_size=5, model="knn", model_params="C=1"),
     ValueError, "model_params must be a dict of keyword arguments"),
    ("train_target", "model_params with an unknown name",
     lambda c: train_target(c.X, c.y, target_size=5, model="knn", model_params={"C": 1}),
     ValueError, r"has no parameter\(s\) C; valid parameters"),
    ("train_target", "output='logits'",
     lambda c: train_target(c.X, c.y, target_size=5, model="naive_bayes", output="logits"),
     ValueError, "output must be 'proba' or 'label'"),
    ("train_target", "transforms=TopK(1) (not a list)",
     lambda c: train_target(c.X, c.y, target_size=5, model="naive_bayes", transforms=TopK(1)),
     TypeError, r"wrap a single transform in a list"),
    ("train_target", "random_state='0'",
     lambda c: train_target(c.X, c.y, target_size=5, random_state="0"), TypeError,
     "random_state must be None, an int"),
    ("train_target", "random_state=-1",
     lambda c: train_target(c.X, c.y, target_size=5, random_state=-1), ValueError,
     "random_state must be a non-negative int"),
    ("train_target", "random_state=Generator (accepted)",
     lambda c: train_target(c.X, c.y, target_size=5, model="naive_bayes",
                            random_state=np.random.default_rng(0)).answers.shape == (10, 3),
     None, ""),
    ("train_shadows", "target='abc'", lambda c: train_shadows("abc"), TypeError,
     "target must be a Target made by train_target"),
    ("train_shadows", "n_shadows=0", lambda c: train_shadows(c.target, n_shadows=0), ValueError,
     "n_shadows must be an integer >= 1, got 0"),
    ("train_shadows", "n_shadows=2.5", lambda c: train_shadows(c.target, n_shadows=2.5),
     ValueError, "n_shadows must be an integer >= 1, got 2.5"),
    ("train_shadows", "shadow_size=-1", lambda c: train_shadows(c.target, shadow_size=-1),
     ValueError, "shadow_size must be an integer >= 1"),
    ("train_shadows", "shadow_X of another shape",
     lambda c: train_shadows(c.target, shadow_X=c.X[:, :2]), ValueError,
     r"shadow_X must have the shape of the target's X \(60, 4\)"),
    ("train_shadows", "shadow_X with NaN",
     lambda c: train_shadows(c.target, shadow_X=nan_at(c.X)), ValueError,
     "shadow_X contains 1 NaN"),
    ("train_shadows", "model='bogus'", lambda c: train_shadows(c.target, model="bogus"),
     ValueError, "unknown model name 'bogus'"),
    ("train_shadows", "target leaves a pool of 0 records",
     lambda c: train_shadows(train_target(c.X, c.y, target_size=30, model="naive_bayes",
                                          random_state=0)),
     ValueError, r"pool holds 0 records.* smaller target_size"),
    ("train_shadows", "random_state=SeedSequence (accepted)",
     lambda c: len(train_shadows(c.target, shadow_size=5,
                                 random_state=np.random.SeedSequence(1)).models_) == 1,
     None, ""),
    ("evaluate_attack", "attack='shokri'", lambda c: evaluate_attack("shokri", c.target),
     TypeError, r"attack must be an attack estimator .*ShokriAttack\(\)"),
    ("evaluate_attack", "target=None",
     lambda c: evaluate_attack(ThresholdAttack(threshold=0.5), None), TypeError,
     "target must be a Target made by train_target"),
    ("evaluate_attack", "unfitted attack, no fit_on",
     lambda c: evaluate_attack(ShokriAttack(), c.target), NotFittedError,
     "ShokriAttack instance is not fitted yet"),
    ("evaluate_attack", "fit_on='shadows'",
     lambda c: evaluate_attack(ShokriAttack(), c.target, fit_on="shadows"), TypeError,
     "fit_on must be None, fitted ShadowModels or ReferenceModels, an AttackData or a tuple"),
    ("evaluate_attack", "fit_on unfitted ShadowModels",
     lambda c: evaluate_attack(ShokriAttack(), c.target, fit_on=ShadowModels()), NotFittedError,
     "ShadowModels instance is not fitted yet"),
    ("evaluate_attack", "fit_on=(P, membership) of different lengths",
     lambda c: evaluate_attack(ThresholdAttack(), c.target, fit_on=(c.P, c.m[:5])), ValueError,
     r"different numbers of rows"),
    ("evaluate_attack", "per_class='no'",
     lambda c: evaluate_attack(ThresholdAttack(threshold=0.5), c.target, per_class="no"),
     ValueError, "per_class must be True or False, got 'no'"),
    ("run_attack", "attack='threshold'",
     lambda c: run_attack(c.X, c.y, target_size=10, model="naive_bayes", n_shadows=1,
                          attack="threshold", random_state=0),
     TypeError, "attack must be an attack estimator"),
    ("run_attack", "n_shadows=0",
     lambda c: run_attack(c.X, c.y, target_size=10, model="naive_bayes", n_shadows=0),
     ValueError, "n_shadows must be an integer >= 1, got 0"),
    ("run_attack", "baseline='no'",
     lambda c: run_attack(c.X, c.y, target_size=10, model="naive_bayes", baseline="no"),
     ValueError, "baseline must be True or False, got 'no'"),
    ("run_attack", "shadow_model='bogus'",
     lambda c: run_attack(c.X, c.y, target_size=10, model="naive_bayes", n_shadows=1,
                          shadow_model="bogus", random_state=0),
     ValueError, "unknown model name 'bogus'"),
    ("run_attack", "y with NaN",
     lambda c: run_attack(c.X, nan_at(c.y), target_size=10), ValueError,
     "y contains NaN or infinity; labels must be integers"),
    ("defend", "target=None", lambda c: defend(None, [TopK(1)]), TypeError,
     "target must be a Target made by train_target, got NoneType"),
    ("defend", "transforms=TopK(1) (not a list)", lambda c: defend(c.target, TopK(1)),
     TypeError, r"wrap a single transform in a list: transforms=\[t\]"),
    ("defend", "output='logits'", lambda c: defend(c.target, output="logits"), ValueError,
     "output must be 'proba' or 'label', got 'logits'"),
    ("defend", "transform returning logits", lambda c: defend(c.target, [to_logits]),
     ValueError, r"output transform to_logits returned values outside \[0, 1\]"),
    ("attacker_view", "target=None", lambda c: attacker_view(None), TypeError,
     "target must be a Target made by train_target, got NoneType"),
    ("attacker_view", "a BlackBox instead of a Target", lambda c: attacker_view(c.bb),
     TypeError, "target must be a Target made by train_target, got BlackBox"),
    ("attack_scores", "attack='gap'", lambda c: attack_scores("gap", c.target), TypeError,
     "attack must be an attack estimator"),
    ("attack_scores", "target=None",
     lambda c: attack_scores(ThresholdAttack(threshold=0.5), None), TypeError,
     "target must be a Target made by train_target"),
    ("attack_scores", "fit_on='shadows'",
     lambda c: attack_scores(ThresholdAttack(), c.target, fit_on="shadows"), TypeError,
     "fit_on must be None, fitted ShadowModels or ReferenceModels, an AttackData or a tuple"),
    ("attack_scores", "unfitted attack, no fit_on",
     lambda c: attack_scores(ShokriAttack(), c.target), NotFittedError, "not fitted yet"),
    # ================================================================ attacks
    ("attack_features", "kind='bogus'", lambda c: attack_features(c.P, "bogus"), ValueError,
     r"unknown features 'bogus'; choose one of \('posterior'"),
    ("attack_features", "kind=None", lambda c: attack_features(c.P, None), ValueError,
     "unknown features None"),
    ("attack_features", "rows summing to 1.1",
     lambda c: attack_features([[0.2, 0.9]]), ValueError, "proba row 0 sums to 1.1, not 1"),
    ("attack_features", "logits (values above 1)",
     lambda c: attack_features([[2.0, -1.0]]), ValueError, r"values outside \[0, 1\]"),
    ("attack_features", "1-D posteriors", lambda c: attack_features(c.P[0]), ValueError,
     r"proba must be 2-D \(n_samples, n_classes\)"),
    ("attack_features", "NaN posterior", lambda c: attack_features(nan_at(c.P)), ValueError,
     "proba contains NaN or infinity"),
    ("attack_features", "empty (0, 3)", lambda c: attack_features(np.zeros((0, 3))), ValueError,
     r"proba is empty \(0 rows\)"),
    ("attack_model_of", "kind='resnet'", lambda c: attack_model_of("resnet"), ValueError,
     "unknown attack model type 'resnet'; choose one of"),
    ("attack_model_of", "kind='cnn'", lambda c: attack_model_of("cnn"), ValueError,
     "unknown attack model type 'cnn'"),
    ("attack_model_of", "kind=['knn']", lambda c: attack_model_of(["knn"]), ValueError,
     r"unknown attack model type \['knn'\]"),
    ("attack_model_of", "random_state='x'",
     lambda c: attack_model_of("random_forest", random_state="x"), TypeError,
     "random_state must be None, an int"),
    ("attack_model_of", "random_state=Generator (accepted)",
     lambda c: isinstance(attack_model_of("random_forest", np.random.default_rng(0))
                          .random_state, int), None, ""),
    ("default_attack_model", "random_state='x'", lambda c: default_attack_model("x"), TypeError,
     "random_state must be None, an int"),
    ("default_attack_model", "random_state=Generator (accepted)",
     lambda c: isinstance(default_attack_model(np.random.default_rng(0)).random_state, int),
     None, ""),
    ("ShokriAttack.fit", "attack_model='knn' (a name)",
     lambda c: ShokriAttack(attack_model="knn").fit(c.P, c.m, labels=c.labels), TypeError,
     r"attack_model must be an unfitted classifier .*attack_model_of\('knn'\)"),
    ("ShokriAttack.fit", "attack_model without predict_proba",
     lambda c: ShokriAttack(attack_model=LinearSVC()).fit(c.P, c.m, labels=c.labels),
     ValueError, "has no predict_proba; the attack needs membership probabilities"),
    ("ShokriAttack.fit", "per_class='yes'",
     lambda c: ShokriAttack(per_class="yes").fit(c.P, c.m, labels=c.labels), ValueError,
     "per_class must be True or False, got 'yes'"),
    ("ShokriAttack.fit", "features='logits'",
     lambda c: ShokriAttack(features="logits").fit(c.P, c.m, labels=c.labels), ValueError,
     "unknown features 'logits'"),
    ("ShokriAttack.fit", "min_class_samples=0",
     lambda c: ShokriAttack(min_class_samples=0).fit(c.P, c.m, labels=c.labels), ValueError,
     "min_class_samples must be an integer >= 1, got 0"),
    ("ShokriAttack.fit", "no labels (per class)", lambda c: ShokriAttack().fit(c.P, c.m),
     ValueError, "needs the records' true class labels; pass labels=y_true"),
    ("ShokriAttack.fit", "labels outside the posterior columns",
     lambda c: ShokriAttack().fit(c.P, c.m, labels=c.labels + 1), ValueError,
     r"labels has labels outside 0\.\.2 \(found 3\)"),
    ("ShokriAttack.fit", "membership with a 2",
     lambda c: ShokriAttack().fit(c.P, np.r_[c.m[:-1], 2], labels=c.labels), ValueError,
     r"y \(membership\) must hold only 0 \(non-member\) and 1 \(member\)"),
    ("ShokriAttack.fit", "membership all 1",
     lambda c: ShokriAttack().fit(c.P, np.ones(8), labels=c.labels), ValueError,
     r"has no non-members \(8 labels in all\)"),
    ("ShokriAttack.fit", "membership as strings 'in'/'out'",
     lambda c: ShokriAttack().fit(c.P, np.where(c.m, "in", "out"), labels=c.labels), TypeError,
     r"y \(membership\) must be numeric: 0 \(non-member\) and 1 \(member\), got dtype <U3"),
    ("ShokriAttack.fit", "membership shorter than posteriors",
     lambda c: ShokriAttack().fit(c.P, c.m[:6], labels=c.labels), ValueError,
     r"different numbers of rows \(posteriors: 8, membership: 6\)"),
    ("ShokriAttack.predict_proba", "unfitted", lambda c: ShokriAttack().predict_proba(c.P),
     NotFittedError, "not fitted yet"),
    ("ShokriAttack.predict_proba", "4 columns after fitting on 3",
     lambda c: ShokriAttack(LogisticRegression(), random_state=0).fit(c.P, c.m, labels=c.labels)
     .predict_proba(np.full((2, 4), 0.25), labels=[0, 1]), ValueError,
     "posteriors have 4 columns but the attack was fitted on 3"),
    ("ShokriAttack.fit", "random_state=SeedSequence (accepted)",
     lambda c: ShokriAttack(LogisticRegression(), random_state=np.random.SeedSequence(0))
     .fit(c.P, c.m, labels=c.labels).predict(c.P, labels=c.labels).shape == (8,), None, ""),
    ("MLLeaksAttack.fit", "min_class_samples=-1",
     lambda c: MLLeaksAttack(min_class_samples=-1).fit(c.P, c.m), ValueError,
     "min_class_samples must be an integer >= 1"),
    ("MLLeaksAttack.fit", "posteriors as list of str",
     lambda c: MLLeaksAttack().fit([["0.5", "0.5"]] * 8, c.m), TypeError,
     r"posteriors \(X\) must be numeric"),
    ("ThresholdAttack.fit", "signal='bogus'",
     lambda c: ThresholdAttack("bogus").fit(c.P, c.m), ValueError,
     r"unknown signal 'bogus'; choose one of \['confidence'"),
    ("ThresholdAttack.fit", "threshold=nan",
     lambda c: ThresholdAttack(threshold=float("nan")).fit(c.P, c.m), ValueError,
     "threshold must be a finite number, got nan"),
    ("ThresholdAttack.fit", "threshold='0.5'",
     lambda c: ThresholdAttack(threshold="0.5").fit(c.P, c.m), ValueError,
     "threshold must be a finite number, got '0.5'"),
    ("ThresholdAttack.fit", "reference_quantile=1.5",
     lambda c: ThresholdAttack(reference_quantile=1.5).fit(c.P), ValueError,
     r"reference_quantile must be in \(0, 1\), got 1.5"),
    ("ThresholdAttack.fit", "reference_quantile=nan",
     lambda c: ThresholdAttack(reference_quantile=float("nan")).fit(c.P), ValueError,
     "reference_quantile must be a finite number, got nan"),
    ("ThresholdAttack.fit", "class_dependent='yes'",
     lambda c: ThresholdAttack(class_dependent="yes").fit(c.P, c.m, labels=c.labels),
     ValueError, "class_dependent must be True or False"),
    ("ThresholdAttack.fit", "signal='loss' without labels",
     lambda c: ThresholdAttack("loss").fit(c.P, c.m), ValueError, "pass labels=y_true"),
    ("ThresholdAttack.fit", "membership of 7 for 8 rows",
     lambda c: ThresholdAttack().fit(c.P, c.m[1:]), ValueError,
     r"different numbers of rows \(scores: 8, membership: 7\)"),
    ("ThresholdAttack.predict", "unfitted, no threshold",
     lambda c: ThresholdAttack().predict(c.P), NotFittedError, "not fitted yet"),
    ("ThresholdAttack.score_samples", "NaN posterior",
     lambda c: ThresholdAttack().score_samples(nan_at(c.P)), ValueError,
     r"posteriors \(X\) contains NaN or infinity"),
    # ================================================================ signals
    ("confidence", "P='abc'", lambda c: signals.confidence("abc"), TypeError,
     "proba must be numeric"),
    ("confidence", "P=None", lambda c: signals.confidence(None), TypeError, "proba is None"),
    ("confidence", "empty list", lambda c: signals.confidence([]), ValueError,
     r"proba must be 2-D"),
    ("confidence", "negative probabilities",
     lambda c: signals.confidence([[-0.5, 1.5]]), ValueError, r"values outside \[0, 1\]"),
    ("true_confidence", "label 3 of 3 classes",
     lambda c: signals.true_confidence(c.P, c.labels + 1), ValueError,
     r"y has labels outside 0\.\.2 \(found 3\)"),
    ("loss", "y=None", lambda c: signals.loss(c.P, None), TypeError, "y is None"),
    ("loss", "y shorter than P", lambda c: signals.loss(c.P, c.labels[:3]), ValueError,
     r"different numbers of rows \(posteriors: 8, labels: 3\)"),
    ("modified_entropy", "labels 0.5", lambda c: signals.modified_entropy(c.P, c.labels + 0.5),
     ValueError, "y has non-integer values"),
    ("entropy", "rows summing to 0.5",
     lambda c: signals.entropy([[0.25, 0.25]]), ValueError, "row 0 sums to 0.5"),
    ("compute_signal", "name='bogus'", lambda c: signals.compute_signal("bogus", c.P),
     ValueError, "unknown signal 'bogus'"),
    ("compute_signal", "name=['loss']", lambda c: signals.compute_signal(["loss"], c.P),
     ValueError, r"unknown signal \['loss'\]"),
    ("compute_signal", "'loss' without y", lambda c: signals.compute_signal("loss", c.P),
     ValueError, "needs the true labels y"),
    ("needs_labels", "name={}", lambda c: signals.needs_labels({}), ValueError,
     r"unknown signal \{\}"),
    ("top_k_sorted", "k=0", lambda c: signals.top_k_sorted(c.P, 0), ValueError,
     "k must be a positive integer, got 0"),
    ("top_k_sorted", "k=True", lambda c: signals.top_k_sorted(c.P, True), ValueError,
     "k must be a positive integer, got True"),
    ("top_k_sorted", "k='3'", lambda c: signals.top_k_sorted(c.P, "3"), ValueError,
     "k must be a positive integer"),
    ("median_confidence", "membership all 1",
     lambda c: signals.median_confidence(c.P, np.ones(8)), ValueError,
     "membership has no non-members"),
    ("median_confidence", "membership with a 2",
     lambda c: signals.median_confidence(c.P, np.r_[c.m[:-1], 2]), ValueError,
     r"membership must hold only 0 \(non-member\) and 1"),
    ("median_confidence", "membership=None",
     lambda c: signals.median_confidence(c.P, None), TypeError, "membership is None"),
    ("median_confidence", "membership of 3 for 8 rows",
     lambda c: signals.median_confidence(c.P, [1, 0, 1]), ValueError,
     r"different numbers of rows"),
    # ================================================================ metrics / scoring
    ("evaluate", "NaN score", lambda c: evaluate(c.m, nan_at(c.s)), ValueError,
     "scores contains NaN; every record needs a score"),
    ("evaluate", "membership with a 2", lambda c: evaluate(np.r_[c.m[:-1], 2], c.s), ValueError,
     r"membership must hold only 0 \(non-member\) and 1 \(member\)"),
    ("evaluate", "membership all 0", lambda c: evaluate(np.zeros(8), c.s), ValueError,
     r"membership has no members \(8 labels in all\)"),
    ("evaluate", "scores of 7 for 8 records", lambda c: evaluate(c.m, c.s[:7]), ValueError,
     r"different numbers of rows \(membership: 8, scores: 7\)"),
    ("evaluate", "empty membership", lambda c: evaluate([], []), ValueError,
     "membership is empty; pass one 0/1 membership label per record"),
    ("evaluate", "2-D scores", lambda c: evaluate(c.m, c.s[:, None]), ValueError,
     r"scores must be 1-D \(one score per record\), got shape \(8, 1\)"),
    ("evaluate", "scores as strings", lambda c: evaluate(c.m, c.s.astype(str)), TypeError,
     "scores must be numeric"),
    ("evaluate", "threshold='0.5'", lambda c: evaluate(c.m, c.s, threshold="0.5"), TypeError,
     "threshold must be a number, got '0.5'"),
    ("evaluate", "threshold=nan", lambda c: evaluate(c.m, c.s, threshold=float("nan")),
     ValueError, "threshold is NaN"),
    ("evaluate", "threshold and predicted", lambda c: evaluate(c.m, c.s, threshold=0.5,
                                                               predicted=c.m),
     ValueError, "pass either threshold or predicted, not both"),
    ("evaluate", "predicted = scores", lambda c: evaluate(c.m, c.s, predicted=c.s), ValueError,
     r"predicted must hold only 0 \(non-member\) and 1 \(member\) decisions"),
    ("evaluate", "classes of 5 for 8", lambda c: evaluate(c.m, c.s, classes=[0, 1, 0, 1, 0]),
     ValueError, r"different numbers of rows .*classes: 5"),
    ("per_class_report", "classes=None", lambda c: per_class_report(c.m, c.s, None), ValueError,
     "classes is None; pass the records' true labels"),
    ("per_class_report", "classes with None",
     lambda c: per_class_report(c.m, c.s, [0, 1, None, 0, 1, 0, 1, 0]), ValueError,
     "classes contains None"),
    ("per_class_report", "classes mixing str and int",
     lambda c: per_class_report(c.m, c.s, np.array(["a", 1] * 4, dtype=object)), ValueError,
     "classes mixes strings and numbers"),
    ("per_class_report", "classes 2-D", lambda c: per_class_report(c.m, c.s, c.P), ValueError,
     r"classes must be 1-D \(one label per record\)"),
    ("roc_curve", "scores of 3 for 8", lambda c: roc_curve(c.m, [0.1, 0.2, 0.3]), ValueError,
     "different numbers of rows"),
    ("roc_curve", "membership as strings",
     lambda c: roc_curve(np.where(c.m, "in", "out"), c.s), TypeError,
     r"membership must be numeric: 0 \(non-member\) and 1 \(member\), got dtype"),
    ("auc", "membership=None", lambda c: auc(None, c.s), TypeError, "membership is None"),
    ("auc", "membership 2-D", lambda c: auc(c.m[:, None], c.s), ValueError,
     "membership must be 1-D"),
    ("tpr_at_fpr", "fpr=5 (a percentage)", lambda c: tpr_at_fpr(c.m, c.s, 5), ValueError,
     r"fpr must lie in \[0, 1\] \(a rate, not a percentage\)"),
    ("tpr_at_fpr", "fpr=nan", lambda c: tpr_at_fpr(c.m, c.s, float("nan")), ValueError,
     r"fpr must lie in \[0, 1\]"),
    ("tpr_at_fpr", "fpr=[]", lambda c: tpr_at_fpr(c.m, c.s, []), ValueError, "fpr is empty"),
    ("tpr_at_fpr", "fpr='0.1'", lambda c: tpr_at_fpr(c.m, c.s, "0.1"), TypeError,
     "fpr must be a number or a sequence of numbers, got '0.1'"),
    ("tpr_at_fpr", "fpr=[[0.1]]", lambda c: tpr_at_fpr(c.m, c.s, [[0.1]]), ValueError,
     "fpr must be a number or a 1-D sequence"),
    ("best_threshold", "criterion='auc'", lambda c: best_threshold(c.m, c.s, "auc"), ValueError,
     "criterion must be 'accuracy' or 'advantage', got 'auc'"),
    ("advantage", "scores=None", lambda c: advantage(c.m, None), TypeError, "scores is None"),
    ("precision", "predicted are scores", lambda c: precision(c.m, c.s), ValueError,
     r"predicted must hold only 0 \(non-member\) and 1 \(member\) decisions"),
    ("precision", "predicted=None", lambda c: precision(c.m, None), TypeError,
     "predicted is None"),
    ("recall", "membership all 0", lambda c: recall(np.zeros(8), c.m), ValueError,
     "membership has no members"),
    ("accuracy", "predicted empty", lambda c: accuracy(c.m, []), ValueError, "predicted is empty"),
    ("balanced_accuracy", "predicted strings", lambda c: balanced_accuracy(c.m, ["1"] * 8),
     TypeError, "predicted must be numeric 0/1 decisions"),
    ("generalization_gap", "model=object()",
     lambda c: generalization_gap(object(), c.X, c.y, c.X, c.y), TypeError,
     r"model must have predict\(\) or predict_proba\(\)"),
    ("generalization_gap", "unfitted model",
     lambda c: generalization_gap(LogisticRegression(), c.X, c.y, c.X, c.y), NotFittedError,
     "not fitted yet"),
    ("generalization_gap", "X_test with NaN",
     lambda c: generalization_gap(c.lr, c.X, c.y, nan_at(c.X), c.y), ValueError,
     "X_test contains 1 NaN or infinite"),
    ("generalization_gap", "y_train shorter than X_train",
     lambda c: generalization_gap(c.lr, c.X, c.y[:5], c.X, c.y), ValueError,
     r"different numbers of rows \(X_train: 60, y_train: 5\)"),
    ("train_test_gap", "train_accuracy=1.5", lambda c: train_test_gap(1.5, 0.5), ValueError,
     r"train_accuracy must be an accuracy in \[0, 1\], got 1.5"),
    ("train_test_gap", "test_accuracy=True", lambda c: train_test_gap(0.9, True), ValueError,
     r"test_accuracy must be an accuracy in \[0, 1\], got True"),
    ("roc_points", "grid=[-0.1]", lambda c: roc_points(c.m, c.s, grid=[-0.1]), ValueError,
     r"grid must hold false positive rates in \[0, 1\]"),
    ("roc_points", "grid=[nan]", lambda c: roc_points(c.m, c.s, grid=[float("nan")]),
     ValueError, r"grid must hold false positive rates in \[0, 1\]"),
    ("roc_points", "grid='abc'", lambda c: roc_points(c.m, c.s, grid="abc"), TypeError,
     "grid must be a sequence of numbers"),
    ("roc_points", "grid=[]", lambda c: roc_points(c.m, c.s, grid=[]), ValueError,
     "grid is empty"),
    ("ci_table", "level=1.5", lambda c: ci_table([{"k": 1, "v": 0.5}], "k", "v", level=1.5),
     ValueError, r"level must be in \(0, 1\), got 1.5"),
    ("ci_table", "level='0.95'",
     lambda c: ci_table([{"k": 1, "v": 0.5}], "k", "v", level="0.95"), ValueError,
     r"level must be in \(0, 1\), got '0.95'"),
    ("ci_table", "rows='abc'", lambda c: ci_table("abc", "k", "v"), TypeError,
     "rows must be a list of dicts or a DataFrame"),
    ("ci_table", "by=None", lambda c: ci_table([{"k": 1, "v": 0.5}], None, "v"), TypeError,
     "by must be a column name or a list of column names"),
    ("ci_table", "metric column missing",
     lambda c: ci_table([{"k": 1, "v": 0.5}], "k", "auc"), ValueError,
     r"rows have no column\(s\) \['auc'\]"),
    ("ci_table", "metric of strings",
     lambda c: ci_table([{"k": 1, "v": "high"}], "k", "v"), TypeError,
     "column 'v' must hold numbers"),
    # ================================================================ splits
    ("membership_split", "n_records=0", lambda c: membership_split(0, target_size=1),
     ValueError, "n_records must be a positive integer, got 0"),
    ("membership_split", "n_records=10.5", lambda c: membership_split(10.5, target_size=1),
     ValueError, "n_records must be a positive integer, got 10.5"),
    ("membership_split", "n_records='100'", lambda c: membership_split("100", target_size=1),
     ValueError, "n_records must be a positive integer"),
    ("membership_split", "target_size=0", lambda c: membership_split(10, target_size=0),
     ValueError, "target_size must be a positive integer, got 0"),
    ("membership_split", "target_size > n_records / 2",
     lambda c: membership_split(10, target_size=6), ValueError,
     r"target_size \+ target_out_size = 12 exceeds the 10 records"),
    ("membership_split", "shadow_pool_size=-1",
     lambda c: membership_split(10, target_size=2, shadow_pool_size=-1), ValueError,
     "shadow_pool_size must be between 0 and 6"),
    ("membership_split", "shadow_pool_size=2.5",
     lambda c: membership_split(10, target_size=2, shadow_pool_size=2.5), ValueError,
     "shadow_pool_size must be an integer or None"),
    ("membership_split", "stratify of 3 labels for 10",
     lambda c: membership_split(10, target_size=2, stratify=[0, 1, 0]), ValueError,
     "stratify has 3 labels but there are 10 records"),
    ("membership_split", "stratify with NaN",
     lambda c: membership_split(3, target_size=1, stratify=[0.0, np.nan, 1.0]), ValueError,
     "stratify contains NaN"),
    ("membership_split", "random_state='seed'",
     lambda c: membership_split(10, target_size=2, random_state="seed"), TypeError,
     "random_state must be None, an int"),
    ("membership_split", "random_state=SeedSequence (accepted)",
     lambda c: len(membership_split(10, target_size=2,
                                    random_state=np.random.SeedSequence(0)).shadow_pool) == 6,
     None, ""),
    ("shadow_splits", "pool 2-D", lambda c: shadow_splits(np.zeros((3, 3), int), 1, 1),
     ValueError, "pool must be a 1-D array of integer indices"),
    ("shadow_splits", "pool of floats", lambda c: shadow_splits([0.0, 1.0, 2.0], 1, 1),
     ValueError, "pool must be a 1-D array of integer indices"),
    ("shadow_splits", "negative index in pool", lambda c: shadow_splits([-1, 0, 1, 2], 1, 1),
     ValueError, r"pool contains negative indices \(found -1\)"),
    ("shadow_splits", "repeated index in pool", lambda c: shadow_splits([0, 0, 1, 2], 1, 1),
     ValueError, "pool contains repeated indices"),
    ("shadow_splits", "n_shadows=0", lambda c: shadow_splits(np.arange(10), 0, 2), ValueError,
     "n_shadows must be a positive integer, got 0"),
    ("shadow_splits", "shadow_size too large", lambda c: shadow_splits(np.arange(10), 1, 6),
     ValueError, r"2 \* shadow_size = 12 records are needed but the pool holds 10"),
    ("shadow_splits", "exclude overlaps the pool",
     lambda c: shadow_splits(np.arange(10), 1, 2, exclude=[3]), ValueError,
     "the shadow pool contains 1 of the target's evaluation records"),
    ("shadow_splits", "exclude as strings",
     lambda c: shadow_splits(np.arange(10), 1, 2, exclude=["3"]), ValueError,
     "exclude must be a 1-D array of non-negative integer indices"),
    ("shadow_splits", "disjoint='no'",
     lambda c: shadow_splits(np.arange(10), 1, 2, disjoint="no"), ValueError,
     "disjoint must be True or False, got 'no'"),
    ("shadow_splits", "allow_target_overlap='no'",
     lambda c: shadow_splits(np.arange(10), 1, 2, exclude=[3], allow_target_overlap="no"),
     ValueError, "allow_target_overlap must be True or False"),
    # ================================================================ shadow
    ("ShadowModels.fit", "n_shadows=0",
     lambda c: ShadowModels("naive_bayes", n_shadows=0).fit(c.X, c.y), ValueError,
     "n_shadows must be an integer >= 1, got 0"),
    ("ShadowModels.fit", "n_shadows='3'",
     lambda c: ShadowModels("naive_bayes", n_shadows="3").fit(c.X, c.y), ValueError,
     "n_shadows must be an integer >= 1, got '3'"),
    ("ShadowModels.fit", "shadow_size=0",
     lambda c: ShadowModels("naive_bayes", shadow_size=0).fit(c.X, c.y), ValueError,
     "shadow_size must be an integer >= 1, got 0"),
    ("ShadowModels.fit", "shadow_size above half the data",
     lambda c: ShadowModels("naive_bayes", n_shadows=1, shadow_size=31).fit(c.X, c.y),
     ValueError, r"2 \* shadow_size = 62 records are needed but the pool holds 60"),
    ("ShadowModels.fit", "model='bogus'",
     lambda c: ShadowModels("bogus", n_shadows=1).fit(c.X, c.y), ValueError,
     "unknown model name 'bogus'"),
    ("ShadowModels.fit", "model=[]", lambda c: ShadowModels([]).fit(c.X, c.y), ValueError,
     "model is an empty list"),
    ("ShadowModels.fit", "model=object()",
     lambda c: ShadowModels(object(), n_shadows=1).fit(c.X, c.y), TypeError,
     "model must be a model name .* or an unfitted estimator"),
    ("ShadowModels.fit", "model without predict_proba",
     lambda c: ShadowModels(LinearSVC(), n_shadows=1).fit(c.X, c.y), TypeError,
     "LinearSVC has no predict_proba"),
    ("ShadowModels.fit", "model_params='x'",
     lambda c: ShadowModels("naive_bayes", model_params="x").fit(c.X, c.y), ValueError,
     "model_params must be a dict"),
    ("ShadowModels.fit", "list of 2 models, 1 params dict",
     lambda c: ShadowModels(["knn", "naive_bayes"], model_params=[{}]).fit(c.X, c.y),
     ValueError, "model_params must be a list of 2 dicts"),
    ("ShadowModels.fit", "n_classes=1",
     lambda c: ShadowModels("naive_bayes", n_classes=1).fit(c.X, c.y), ValueError,
     "n_classes must be an integer >= 2, got 1"),
    ("ShadowModels.fit", "labels above n_classes",
     lambda c: ShadowModels("naive_bayes", n_classes=2).fit(c.X, c.y), ValueError,
     r"y has labels outside 0\.\.1 \(found 2\)"),
    ("ShadowModels.fit", "X with inf",
     lambda c: ShadowModels("naive_bayes").fit(inf_at(c.X), c.y), ValueError,
     "X contains 1 NaN or infinite"),
    ("ShadowModels.fit", "disjoint='yes'",
     lambda c: ShadowModels("naive_bayes", disjoint="yes").fit(c.X, c.y), ValueError,
     "disjoint must be True or False, got 'yes'"),
    ("ShadowModels.fit", "batched='no'",
     lambda c: ShadowModels("naive_bayes", batched="no").fit(c.X, c.y), ValueError,
     "batched must be True or False, got 'no'"),
    ("ShadowModels.fit", "random_state=Generator (accepted)",
     lambda c: len(ShadowModels("naive_bayes", n_shadows=2, shadow_size=10,
                                random_state=np.random.default_rng(0)).fit(c.X, c.y).models_)
     == 2, None, ""),
    ("attack_dataset", "2 models, 1 split",
     lambda c: attack_dataset(c.shadows.models_ * 2, c.X, c.y, c.shadows.splits_, 3),
     ValueError, "2 models but 1 splits"),
    ("attack_dataset", "split index beyond X",
     lambda c: attack_dataset(c.shadows.models_, c.X, c.y,
                              [ShadowSplit(np.array([0, 99]), np.array([1, 2]))], 3),
     ValueError, r"splits\[0\].in_idx has row indices outside 0\.\.59 \(found 99\)"),
    ("attack_dataset", "a record both in and out",
     lambda c: attack_dataset(c.shadows.models_, c.X, c.y,
                              [ShadowSplit(np.array([0, 1]), np.array([1, 2]))], 3),
     ValueError, r"splits\[0\] has 1 record\(s\) both in and out \(row 1\)"),
    ("attack_dataset", "X as list of lists",
     lambda c: attack_dataset(c.shadows.models_, c.X.tolist()[:3], c.y[:3],
                              [ShadowSplit(np.array([0]), np.array([1]))], 3).posteriors.shape
     == (2, 3), None, ""),
    ("attack_dataset", "unfitted model",
     lambda c: attack_dataset([GaussianNB()], c.X, c.y, c.shadows.splits_, 3), NotFittedError,
     "not fitted yet"),
    ("attack_dataset", "n_classes=0",
     lambda c: attack_dataset(c.shadows.models_, c.X, c.y, c.shadows.splits_, 0), ValueError,
     "n_classes must be an integer >= 1, got 0"),
    ("attack_dataset", "splits='abc'",
     lambda c: attack_dataset(c.shadows.models_, c.X, c.y, "a", 3), TypeError,
     r"splits\[0\] must be a ShadowSplit"),
    ("AttackData.subset", "mask=None", lambda c: c.shadows.attack_data_.subset(None), TypeError,
     "mask must be a boolean mask or an array of row indices"),
    ("AttackData.subset", "mask of the wrong length",
     lambda c: c.shadows.attack_data_.subset(np.ones(3, bool)), ValueError,
     r"mask has 3 entries for 20 rows"),
    ("AttackData.subset", "index 20 of 20 rows",
     lambda c: c.shadows.attack_data_.subset([0, 20]), ValueError,
     r"mask has row indices outside 0\.\.19 \(found 20\)"),
    ("AttackData.subset", "float indices",
     lambda c: c.shadows.attack_data_.subset([0.5]), TypeError,
     "mask must be a boolean mask or an array of row indices"),
    ("AttackData.released", "output='logits'",
     lambda c: c.data.released([], output="logits"), ValueError,
     "output must be 'proba' or 'label', got 'logits'"),
    ("AttackData.released", "transforms=TopK(1) (not a list)",
     lambda c: c.data.released(TopK(1)), TypeError, "wrap a single transform in a list"),
    ("AttackData.released", "transform returning logits",
     lambda c: c.data.released([to_logits]), ValueError,
     r"output transform to_logits returned values outside \[0, 1\]"),
    ("released_view", "1-D posteriors", lambda c: released_view(c.P[0]), ValueError,
     r"needs posteriors of shape \(n, n_classes\), got shape \(3,\)"),
    ("released_view", "output=None", lambda c: released_view(c.P, output=None), ValueError,
     "output must be 'proba' or 'label', got None"),
    # ================================================================ query
    ("BlackBox", "model=object()", lambda c: BlackBox(object()), TypeError,
     "model must have predict_proba; object has not"),
    ("BlackBox", "output='logits'", lambda c: BlackBox(c.lr, output="logits"), ValueError,
     "output must be 'proba' or 'label', got 'logits'"),
    ("BlackBox", "transforms=TopK(1)", lambda c: BlackBox(c.lr, transforms=TopK(1)), TypeError,
     r"wrap a single transform in a list: transforms=\[t\]"),
    ("BlackBox", "transforms=[1]", lambda c: BlackBox(c.lr, transforms=[1]), TypeError,
     "every transform must be callable, got 1"),
    ("BlackBox", "n_classes=0", lambda c: BlackBox(c.lr, n_classes=0), ValueError,
     "n_classes must be an integer >= 1, got 0"),
    ("BlackBox.query", "X with NaN", lambda c: c.bb.query(nan_at(c.X)), ValueError,
     "X contains 1 NaN"),
    ("BlackBox.query", "X 1-D", lambda c: c.bb.query(c.X[0]), ValueError,
     r"reshape a single record with X.reshape\(1, -1\)"),
    ("BlackBox.query", "unfitted model", lambda c: BlackBox(LogisticRegression()).query(c.X),
     NotFittedError, "not fitted yet"),
    ("BlackBox.query", "transform returning logits",
     lambda c: BlackBox(c.lr, transforms=[to_logits]).query(c.X), ValueError,
     r"output transform to_logits returned values outside \[0, 1\]"),
    ("BlackBox.predict_proba", "label-only service",
     lambda c: BlackBox(c.lr, output="label").predict_proba(c.X), AttributeError,
     "releases labels only; use query"),
    ("TopK", "k=0", lambda c: TopK(0), ValueError, "TopK needs a positive integer k, got 0"),
    ("TopK", "k=True", lambda c: TopK(True), ValueError, "got True"),
    ("TopK", "k=2.5", lambda c: TopK(2.5), ValueError, "got 2.5"),
    ("TopK.__call__", "1-D posteriors", lambda c: TopK(1)(c.P[0]), ValueError,
     r"TopK\(1\) needs posteriors of shape \(n, n_classes\)"),
    ("TopK.__call__", "a row of zeros (as Rounding(0) may leave)",
     lambda c: TopK(1)([[0.0, 0.0, 0.0]]), ValueError,
     r"TopK\(1\) got row 0 of zeros and cannot renormalise it; apply TopK before Rounding"),
    ("Rounding", "decimals=-1", lambda c: Rounding(-1), ValueError,
     "Rounding needs a non-negative integer, got -1"),
    ("Rounding", "decimals=None", lambda c: Rounding(None), ValueError,
     "Rounding needs a non-negative integer, got None"),
    ("Rounding.__call__", "posteriors as str", lambda c: Rounding(1)([["a"]]), TypeError,
     r"Rounding\(1\) needs posteriors of shape \(n, n_classes\)"),
    ("Temperature", "t=0", lambda c: Temperature(0), ValueError,
     "Temperature needs a finite number t > 0, got 0"),
    ("Temperature", "t=inf", lambda c: Temperature(float("inf")), ValueError, "got inf"),
    ("Temperature", "t=nan", lambda c: Temperature(float("nan")), ValueError, "got nan"),
    ("full_proba", "object()", lambda c: full_proba(object(), c.X), TypeError,
     "model must be a fitted classifier with predict_proba"),
    ("full_proba", "unfitted model", lambda c: full_proba(LogisticRegression(), c.X),
     NotFittedError, "not fitted yet"),
    ("full_proba", "n_classes=2 below the model's 3",
     lambda c: full_proba(c.lr, c.X, n_classes=2), ValueError,
     r"the model knows classes 0\.\.2, outside 0\.\.1"),
    ("full_proba", "n_classes=True", lambda c: full_proba(c.lr, c.X, n_classes=True),
     ValueError, "n_classes must be an integer >= 1, got True"),
    ("full_proba", "model with string classes",
     lambda c: full_proba(LogisticRegression().fit(c.X, c.y.astype(str)), c.X), ValueError,
     "the model's classes_ are not integers"),
    ("full_proba", "X with NaN", lambda c: full_proba(c.lr, nan_at(c.X)), ValueError,
     "X contains 1 NaN"),
    ("model_proba", "model=None", lambda c: model_proba(None, c.X), TypeError,
     "model must be a fitted classifier with predict_proba"),
    ("model_proba", "X of strings", lambda c: model_proba(c.lr, [["a"] * 4]), TypeError,
     "X must be numeric"),
    ("TopK", "renormalise='no'", lambda c: TopK(1, renormalise="no"), ValueError,
     "TopK's renormalise must be True or False, got 'no'"),
    ("TopK.__call__", "renormalise=False, 1-D posteriors",
     lambda c: TopK(1, renormalise=False)(c.P[0]), ValueError,
     r"TopK\(1, renormalise=False\) needs posteriors of shape \(n, n_classes\)"),
    ("apply_transforms", "P='abc'", lambda c: apply_transforms("abc"), TypeError,
     r"needs posteriors of shape \(n, n_classes\), got non-numeric input"),
    ("apply_transforms", "1-D posteriors", lambda c: apply_transforms(c.P[0]), ValueError,
     r"needs posteriors of shape \(n, n_classes\), got shape \(3,\)"),
    ("apply_transforms", "posteriors with NaN", lambda c: apply_transforms(nan_at(c.P)),
     ValueError, "apply_transforms needs posteriors, got NaN or infinite values"),
    ("apply_transforms", "logits", lambda c: apply_transforms([[2.0, -1.0]]), ValueError,
     r"needs posteriors in \[0, 1\], got values -1\.\.2; pass probabilities, not logits"),
    ("apply_transforms", "transforms=TopK(1) (not a list)",
     lambda c: apply_transforms(c.P, TopK(1)), TypeError, "wrap a single transform in a list"),
    ("apply_transforms", "transforms=['top1']", lambda c: apply_transforms(c.P, ["top1"]),
     TypeError, "every transform must be callable, got 'top1'"),
    ("apply_transforms", "transform returning logits",
     lambda c: apply_transforms(c.P, [to_logits]), ValueError,
     r"output transform to_logits returned values outside \[0, 1\]"),
    ("apply_transforms", "no transforms (accepted: unchanged)",
     lambda c: np.array_equal(apply_transforms(c.P), c.P), None, ""),
    ("as_distribution", "labels without n_classes", lambda c: as_distribution(c.labels),
     ValueError, r"released labels \(a 1-D array\) need n_classes"),
    ("as_distribution", "label 3 of 3 classes",
     lambda c: as_distribution(c.labels + 1, n_classes=3), ValueError,
     r"released labels must be integers in 0\.\.2"),
    ("as_distribution", "labels as floats",
     lambda c: as_distribution([0.0, 1.0], n_classes=3), ValueError,
     r"released labels must be integers in 0\.\.2"),
    ("as_distribution", "n_classes=0", lambda c: as_distribution(c.labels, n_classes=0),
     ValueError, "n_classes must be an integer >= 1, got 0"),
    ("as_distribution", "logits", lambda c: as_distribution([[2.0, -1.0]]), ValueError,
     r"released outputs must be finite values in \[0, 1\]"),
    ("as_distribution", "NaN", lambda c: as_distribution(nan_at(c.P)), ValueError,
     r"released outputs must be finite values in \[0, 1\]"),
    ("as_distribution", "3-D", lambda c: as_distribution(np.zeros((2, 2, 2))), ValueError,
     r"needs posteriors of shape \(n, n_classes\), got shape \(2, 2, 2\)"),
    ("as_distribution", "no labels (accepted: 0 rows)",
     lambda c: as_distribution(np.zeros(0, dtype=int), n_classes=3).shape == (0, 3), None, ""),
    # ================================================================ defences
    ("MemGuard.fit", "budget=-1", lambda c: MemGuard(budget=-1).fit(c.P, c.m), ValueError,
     "budget must be >= 0.0, got -1"),
    ("MemGuard.fit", "budget=nan", lambda c: MemGuard(budget=float("nan")).fit(c.P, c.m),
     ValueError, "budget must be a finite number, got nan"),
    ("MemGuard.fit", "budget='1'", lambda c: MemGuard(budget="1").fit(c.P, c.m), ValueError,
     "budget must be a finite number, got '1'"),
    ("MemGuard.fit", "max_iter=0", lambda c: MemGuard(max_iter=0).fit(c.P, c.m), ValueError,
     "max_iter must be an integer >= 1, got 0"),
    ("MemGuard.fit", "step=0", lambda c: MemGuard(step=0).fit(c.P, c.m), ValueError,
     "step must be > 0.0, got 0"),
    ("MemGuard.fit", "c3_max below c3_start",
     lambda c: MemGuard(c3_start=10, c3_max=1).fit(c.P, c.m), ValueError,
     r"c3_max \(1\) must be >= c3_start \(10\)"),
    ("MemGuard.fit", "defender=TorchMLPClassifier (the class)",
     lambda c: MemGuard(defender=TorchMLPClassifier).fit(c.P, c.m), TypeError,
     r"defender must be an unfitted classifier instance such as defender_model\(\)"),
    ("MemGuard.fit", "defender='mlp'", lambda c: MemGuard(defender="mlp").fit(c.P, c.m),
     TypeError, "defender must be an unfitted classifier instance .*, got 'mlp'"),
    ("MemGuard.fit", "defender without a torch network",
     lambda c: MemGuard(defender=LogisticRegression()).fit(c.P, c.m), TypeError,
     "the defender must be a torch classifier with a fitted network model_"),
    ("MemGuard.fit", "logits", lambda c: MemGuard(defender=c.tiny).fit(to_logits(c.P), c.m),
     ValueError, r"posteriors has values outside \[0, 1\]; pass probabilities, not logits"),
    ("MemGuard.fit", "rows summing to 1.1",
     lambda c: MemGuard(defender=c.tiny).fit([[0.2, 0.9]] * 8, c.m), ValueError,
     "posteriors row 0 sums to 1.1, not 1"),
    ("MemGuard.fit", "membership all 1",
     lambda c: MemGuard(defender=c.tiny).fit(c.P, np.ones(8)), ValueError,
     r"y \(membership\) has no non-members"),
    ("MemGuard.fit", "membership shorter than posteriors",
     lambda c: MemGuard(defender=c.tiny).fit(c.P, c.m[:5]), ValueError,
     r"different numbers of rows \(posteriors: 8, membership: 5\)"),
    ("MemGuard.perturb", "unfitted", lambda c: MemGuard().perturb(c.P), NotFittedError,
     "This MemGuard instance is not fitted yet"),
    ("MemGuard.perturb", "4 columns after fitting on 3",
     lambda c: c.guard.perturb(np.full((2, 4), 0.25)), ValueError,
     "posteriors have 4 columns but MemGuard was fitted on 3"),
    ("MemGuard.__call__", "unfitted, as a BlackBox transform",
     lambda c: BlackBox(c.lr, transforms=[MemGuard()]).query(c.X), NotFittedError,
     "This MemGuard instance is not fitted yet"),
    ("MemGuard.membership_score", "NaN posterior",
     lambda c: c.guard.membership_score(nan_at(c.P)), ValueError,
     "posteriors contains NaN or infinity"),
    ("MemGuard.release_probability", "budget=-1",
     lambda c: c.guard.release_probability(c.P, c.P, budget=-1), ValueError,
     "budget must be >= 0.0, got -1"),
    ("MemGuard.release_probability", "perturbed of 3 rows for 8",
     lambda c: c.guard.release_probability(c.P, c.P[:3]), ValueError,
     r"different numbers of rows \(posteriors: 8, perturbed: 3\)"),
    ("MemGuard.release_probability", "perturbed with 2 of the 3 columns",
     lambda c: c.guard.release_probability(c.P, c.P[:, :2]), ValueError,
     "perturbed row 0 sums to 0.95, not 1"),
    ("MemGuard.release_probability", "unperturbed rows (accepted: probability 0)",
     lambda c: bool(np.all(c.guard.release_probability(c.P, c.P) == 0)), None, ""),
    ("defender_model", "random_state='x'", lambda c: defender_model("x").fit(c.P, c.m),
     TypeError, "random_state must be None, an int"),
    ("GapAttack.score_samples", "no labels", lambda c: GapAttack().score_samples(c.P),
     ValueError, r"the gap attack needs the records' true labels \(labels=\.\.\.\)"),
    ("GapAttack.score_samples", "labels of 3 for 8 answers",
     lambda c: GapAttack().score_samples(c.P, labels=c.labels[:3]), ValueError,
     r"different numbers of rows \(answers: 8, labels: 3\)"),
    ("GapAttack.score_samples", "labels as strings",
     lambda c: GapAttack().score_samples(c.P, labels=c.labels.astype(str)), TypeError,
     "labels must be numeric: integer class labels"),
    ("GapAttack.score_samples", "answers as strings",
     lambda c: GapAttack().score_samples(["a", "b"], labels=[0, 1]), TypeError,
     r"answers must be numeric: released labels \(n,\) or vectors \(n, k\)"),
    ("GapAttack.score_samples", "answers 0.5 and 1.5 (not labels)",
     lambda c: GapAttack().score_samples([0.5, 1.5], labels=[0, 1]), ValueError,
     "answers has non-integer values"),
    ("GapAttack.score_target", "target=None", lambda c: GapAttack().score_target(None),
     TypeError, "target must be a Target made by train_target, got NoneType"),
    ("released_labels", "3-D answers", lambda c: released_labels(np.zeros((2, 2, 2))),
     ValueError, r"answers must be labels \(n,\) or vectors \(n, k\), got \(2, 2, 2\)"),
    ("LabelOnlyAttack.robustness", "n_queries=0",
     lambda c: LabelOnlyAttack(n_queries=0).robustness(c.bb.query, c.X, c.y), ValueError,
     "n_queries must be an integer >= 1, got 0"),
    ("LabelOnlyAttack.robustness", "noise=0",
     lambda c: LabelOnlyAttack(noise=0).robustness(c.bb.query, c.X, c.y), ValueError,
     "noise must be > 0.0, got 0"),
    ("LabelOnlyAttack.robustness", "noise=nan",
     lambda c: LabelOnlyAttack(noise=float("nan")).robustness(c.bb.query, c.X, c.y),
     ValueError, "noise must be a finite number, got nan"),
    ("LabelOnlyAttack.robustness", "kind='bogus'",
     lambda c: LabelOnlyAttack(kind="bogus").robustness(c.bb.query, c.X, c.y), ValueError,
     r"unknown kind 'bogus'; choose one of \('auto', 'flip', 'gaussian'\)"),
    ("LabelOnlyAttack.robustness", "kind='flip', noise=2",
     lambda c: LabelOnlyAttack(kind="flip", noise=2).robustness(c.bb.query, c.X, c.y),
     ValueError, "a flip probability must be at most 1, got noise=2"),
    ("LabelOnlyAttack.robustness", "kind='flip' on continuous features",
     lambda c: LabelOnlyAttack(kind="flip", n_queries=1).robustness(c.bb.query, c.X, c.y),
     ValueError, "kind='flip' needs binary features"),
    ("LabelOnlyAttack.robustness", "threshold=1.5",
     lambda c: LabelOnlyAttack(threshold=1.5).robustness(c.bb.query, c.X, c.y), ValueError,
     "threshold must be <= 1.0, got 1.5"),
    ("LabelOnlyAttack.robustness", "query = the model (not callable)",
     lambda c: LabelOnlyAttack().robustness(c.lr, c.X, c.y), TypeError,
     r"query must be callable \(e.g. blackbox.query\)"),
    ("LabelOnlyAttack.robustness", "X with NaN",
     lambda c: LabelOnlyAttack().robustness(c.bb.query, nan_at(c.X), c.y), ValueError,
     "X contains 1 NaN"),
    ("LabelOnlyAttack.robustness", "y shorter than X",
     lambda c: LabelOnlyAttack().robustness(c.bb.query, c.X, c.y[:5]), ValueError,
     r"different numbers of rows \(X: 60, y: 5\)"),
    ("LabelOnlyAttack.fit", "2-D scores",
     lambda c: LabelOnlyAttack().fit(np.zeros((8, 2)), c.m), ValueError,
     r"X must hold one robustness score per record, got \(8, 2\)"),
    ("LabelOnlyAttack.fit", "scores as strings",
     lambda c: LabelOnlyAttack().fit(["a"] * 8, c.m), TypeError,
     "X must be numeric: robustness scores, one per record"),
    ("LabelOnlyAttack.fit", "scores outside [0, 1]",
     lambda c: LabelOnlyAttack().fit(np.linspace(-1, 2, 8), c.m), ValueError,
     r"X must hold robustness scores, shares of answers in \[0, 1\]"),
    ("LabelOnlyAttack.fit", "membership with a 2",
     lambda c: LabelOnlyAttack().fit(c.s, np.r_[c.m[:-1], 2]), ValueError,
     r"y \(membership\) must hold only 0 \(non-member\) and 1 \(member\)"),
    ("LabelOnlyAttack.fit_shadows", "shadows='abc'",
     lambda c: LabelOnlyAttack().fit_shadows("abc", c.X, c.y), TypeError,
     r"shadows must be fitted ShadowModels \(e.g. train_shadows\(target\)\), got str"),
    ("LabelOnlyAttack.fit_shadows", "unfitted ShadowModels",
     lambda c: LabelOnlyAttack().fit_shadows(ShadowModels(), c.X, c.y), NotFittedError,
     "ShadowModels instance is not fitted yet"),
    ("LabelOnlyAttack.fit_shadows", "y shorter than X",
     lambda c: LabelOnlyAttack().fit_shadows(c.shadows, c.X, c.y[:5]), ValueError,
     r"different numbers of rows \(X: 60, y: 5\)"),
    ("LabelOnlyAttack.score_target", "target=None",
     lambda c: LabelOnlyAttack().score_target(None), TypeError,
     "target must be a Target made by train_target"),
    ("bootstrap_ci", "metrics=['bogus']", lambda c: bootstrap_ci(c.m, c.s, metrics=["bogus"]),
     ValueError, r"unknown metric\(s\) \['bogus'\]; choose among \['accuracy'"),
    ("bootstrap_ci", "metrics=['threshold_rule'] (not a number)",
     lambda c: bootstrap_ci(c.m, c.s, metrics=["threshold_rule"]), ValueError,
     r"unknown metric\(s\) \['threshold_rule'\]"),
    ("bootstrap_ci", "metrics=None", lambda c: bootstrap_ci(c.m, c.s, metrics=None), TypeError,
     "metrics must be a metric name or a sequence of names, got None"),
    ("bootstrap_ci", "metrics=[]", lambda c: bootstrap_ci(c.m, c.s, metrics=[]), ValueError,
     "metrics is empty; name at least one"),
    ("bootstrap_ci", "level=1.0", lambda c: bootstrap_ci(c.m, c.s, level=1.0), ValueError,
     r"level must be in \(0, 1\), got 1.0"),
    ("bootstrap_ci", "level=0", lambda c: bootstrap_ci(c.m, c.s, level=0), ValueError,
     "level must be > 0.0, got 0"),
    ("bootstrap_ci", "level=95 (a percentage)", lambda c: bootstrap_ci(c.m, c.s, level=95),
     ValueError, "level must be <= 1.0, got 95"),
    ("bootstrap_ci", "level='0.95'", lambda c: bootstrap_ci(c.m, c.s, level="0.95"),
     ValueError, "level must be a finite number, got '0.95'"),
    ("bootstrap_ci", "n_boot=0", lambda c: bootstrap_ci(c.m, c.s, n_boot=0), ValueError,
     "n_boot must be an integer >= 1, got 0"),
    ("bootstrap_ci", "predicted of 3 for 8", lambda c: bootstrap_ci(c.m, c.s, c.m[:3]),
     ValueError, "predicted has 3 decisions for 8 records"),
    ("bootstrap_ci", "predicted = scores", lambda c: bootstrap_ci(c.m, c.s, c.s), ValueError,
     r"predicted must hold only 0 \(non-member\) and 1 \(member\) decisions"),
    ("bootstrap_ci", "NaN score", lambda c: bootstrap_ci(c.m, nan_at(c.s)), ValueError,
     "scores contains NaN; every record needs a score"),
    ("bootstrap_ci", "membership all 1", lambda c: bootstrap_ci(np.ones(8), c.s), ValueError,
     "membership has no non-members"),
    ("bootstrap_ci", "random_state='x'", lambda c: bootstrap_ci(c.m, c.s, random_state="x"),
     TypeError, "random_state must be None, an int"),
    ("bootstrap_ci", "metrics='auc' (accepted: one name)",
     lambda c: set(bootstrap_ci(c.m, c.s, metrics="auc", n_boot=5, random_state=0)) == {"auc"},
     None, ""),
    # ================================================================ defences in training
    ("DisjointStackingClassifier.fit", "estimators=[]",
     lambda c: DisjointStackingClassifier([]).fit(c.X, c.y), ValueError,
     "estimators is empty; give at least one first-level model"),
    ("DisjointStackingClassifier.fit", "estimators=[GaussianNB()] (no names)",
     lambda c: DisjointStackingClassifier([GaussianNB()]).fit(c.X, c.y), ValueError,
     r"estimators must be a list of \(name, estimator\) pairs"),
    ("DisjointStackingClassifier.fit", "a class, not an instance",
     lambda c: DisjointStackingClassifier([("nb", GaussianNB)]).fit(c.X, c.y), TypeError,
     "estimator 'nb' must be an unfitted estimator instance, got GaussianNB"),
    ("DisjointStackingClassifier.fit", "a first-level model without predict_proba",
     lambda c: DisjointStackingClassifier([("svc", LinearSVC())]).fit(c.X, c.y), TypeError,
     r"estimator 'svc' \(LinearSVC\) has no predict_proba"),
    ("DisjointStackingClassifier.fit", "names not unique",
     lambda c: DisjointStackingClassifier([("a", GaussianNB()), ("a", GaussianNB())])
     .fit(c.X, c.y), ValueError, "Names provided are not unique"),
    ("DisjointStackingClassifier.fit", "a name that is a parameter",
     lambda c: DisjointStackingClassifier([("n_classes", GaussianNB())]).fit(c.X, c.y),
     ValueError, r"Estimator names conflict with constructor arguments: \['n_classes'\]"),
    ("DisjointStackingClassifier.fit", "final_estimator=LinearSVC()",
     lambda c: DisjointStackingClassifier(final_estimator=LinearSVC()).fit(c.X, c.y), TypeError,
     "final_estimator must be an unfitted classifier instance with predict_proba"),
    ("DisjointStackingClassifier.fit", "2 records for 3 parts",
     lambda c: DisjointStackingClassifier([("a", GaussianNB()), ("b", GaussianNB())])
     .fit(c.X[:2], c.y[:2]), ValueError,
     r"got 2 sample\(s\); it trains 3 models on disjoint parts .* needs at least 3 records"),
    ("DisjointStackingClassifier.fit", "one class",
     lambda c: DisjointStackingClassifier([("a", GaussianNB())]).fit(c.X, np.zeros(60)),
     ValueError, r"y holds only one class \(0.0\)"),
    ("DisjointStackingClassifier.fit", "n_classes=2 with label 2",
     lambda c: DisjointStackingClassifier([("a", GaussianNB())], n_classes=2).fit(c.X, c.y),
     ValueError, r"y has labels outside 0..1 \(found 2\)"),
    ("DisjointStackingClassifier.fit", "X with NaN",
     lambda c: DisjointStackingClassifier([("a", GaussianNB())]).fit(nan_at(c.X), c.y),
     ValueError, "Input X contains NaN"),
    ("DisjointStackingClassifier.fit", "random_state='x'",
     lambda c: DisjointStackingClassifier([("a", GaussianNB())], random_state="x")
     .fit(c.X, c.y), TypeError, "random_state must be None, an int"),
    ("DisjointStackingClassifier.predict_proba", "unfitted",
     lambda c: DisjointStackingClassifier().predict_proba(c.X), NotFittedError,
     "This DisjointStackingClassifier instance is not fitted yet"),
    ("DisjointStackingClassifier.predict_proba", "3 features after fitting on 4",
     lambda c: DisjointStackingClassifier([("a", GaussianNB())], random_state=0)
     .fit(c.X, c.y).predict_proba(c.X[:, :3]), ValueError,
     "X has 3 features, but DisjointStackingClassifier is expecting 4 features"),
    ("generalise_adult", "3 names for 4 columns",
     lambda c: generalise_adult(c.adult, ADULT_NAMES[:3]), ValueError,
     r"feature_names has 3 names for 4 columns of X"),
    ("generalise_adult", "feature_names='age'", lambda c: generalise_adult(c.adult, "age"),
     TypeError, "feature_names must be a list of column names"),
    ("generalise_adult", "a name twice",
     lambda c: generalise_adult(c.adult, ["age", "age", "sex=F", "sex=M"]), ValueError,
     "feature_names holds 'age' twice"),
    ("generalise_adult", "a name that is not a string",
     lambda c: generalise_adult(c.adult, ["age", 1, "sex=F", "sex=M"]), TypeError,
     "feature_names must hold strings"),
    ("generalise_adult", "no age column",
     lambda c: generalise_adult(c.adult[:, 2:], ["sex=F", "sex=M"], merges={}, drop=()),
     ValueError, "X has no 'age' column; pass age_band=None"),
    ("generalise_adult", "age_band=0",
     lambda c: generalise_adult(c.adult, ADULT_NAMES, age_band=0, merges={}, drop=()),
     ValueError, "age_band must be an integer >= 1, got 0"),
    ("generalise_adult", "age_range=(90, 17)",
     lambda c: generalise_adult(c.adult, ADULT_NAMES, age_range=(90, 17), merges={}, drop=()),
     ValueError, r"age_range must be \(low, high\) with low < high"),
    ("generalise_adult", "age_range='x'",
     lambda c: generalise_adult(c.adult, ADULT_NAMES, age_range="x", merges={}, drop=()),
     ValueError, "age_range must be a finite number, got 'x'"),
    ("generalise_adult", "ages in years with the default scaling",
     lambda c: generalise_adult(np.c_[[30, 41], c.adult[:2, 1:]], ADULT_NAMES, merges={},
                                drop=()), ValueError,
     r"does not hold ages min-max scaled from \(17.0, 90.0\).*pass age_range=None"),
    ("generalise_adult", "merges of an attribute X lacks",
     lambda c: generalise_adult(c.adult, ADULT_NAMES, age_band=None, drop=(),
                                merges={"race": {"White": "White"}}), ValueError,
     "merges names attribute 'race', which has no one-hot columns"),
    ("generalise_adult", "ordinal encoding (no one-hot columns)",
     lambda c: generalise_adult(c.adult[:, :2], ["age", "sex"], age_band=None, drop=(),
                                merges={"sex": {"F": "F"}}), ValueError,
     "generalise_adult needs the one-hot encoding"),
    ("generalise_adult", "merges=['race']",
     lambda c: generalise_adult(c.adult, ADULT_NAMES, merges=["race"], drop=()), TypeError,
     r"merges must be a dict \{attribute: \{old category: new category\}\}"),
    ("generalise_adult", "merges to a number",
     lambda c: generalise_adult(c.adult, ADULT_NAMES, merges={"sex": {"F": 1}}, drop=()),
     TypeError, r"merges\['sex'\] must map category names to new category names"),
    ("generalise_adult", "drop a column X lacks (the default education-num)",
     lambda c: generalise_adult(c.adult, ADULT_NAMES, merges={}), ValueError,
     r"drop names column\(s\) \['education-num'\] that X does not have"),
    ("generalise_adult", "X with NaN", lambda c: generalise_adult(nan_at(c.adult), ADULT_NAMES),
     ValueError, "X contains 1 NaN or infinite value"),
    ("generalise_adult", "raw ages with age_range=None (accepted)",
     lambda c: generalise_adult(np.c_[[30, 41], c.adult[:2, 1:]], ADULT_NAMES, age_range=None,
                                merges={}, drop=())[0][:, 0].tolist() == [30, 40], None, ""),
    ("group_sizes", "attribute X lacks",
     lambda c: group_sizes(c.adult, ADULT_NAMES, ["race"]), ValueError,
     r"no column of X belongs to attribute\(s\) \['race'\]"),
    ("group_sizes", "attributes=[]", lambda c: group_sizes(c.adult, ADULT_NAMES, []),
     ValueError, "attributes is empty"),
    ("group_sizes", "attributes=5", lambda c: group_sizes(c.adult, ADULT_NAMES, 5), TypeError,
     "attributes must be a list of attribute names, got 5"),
    ("group_sizes", "attributes='sex' (accepted: one name)",
     lambda c: group_sizes(c.adult, ADULT_NAMES, "sex").tolist() == [2, 2, 2, 2], None, ""),
    ("k_anonymous_share", "k=0", lambda c: k_anonymous_share(c.adult, ADULT_NAMES, 0, ["sex"]),
     ValueError, "k must be an integer >= 1, got 0"),
    ("k_anonymous_share", "k=2.5",
     lambda c: k_anonymous_share(c.adult, ADULT_NAMES, 2.5, ["sex"]), ValueError,
     "k must be an integer >= 1, got 2.5"),
    ("k_anonymous_share", "k=True",
     lambda c: k_anonymous_share(c.adult, ADULT_NAMES, True, ["sex"]), ValueError,
     "k must be an integer >= 1, got True"),
    ("privacy_utility", "no rows", lambda c: privacy_utility([]), ValueError,
     "rows is empty; pass the result rows of defences_training"),
    ("privacy_utility", "rows of another replication",
     lambda c: privacy_utility([{"key": "x", "auc": 0.5}]), ValueError,
     r"rows have no column\(s\) \['part', 'dataset'"),
    ("part_settings", "part='bogus'",
     lambda c: part_settings("bogus", c.training_entry, {}), ValueError,
     r"unknown part 'bogus'; choose among \('l2', 'dropout'"),
    ("part_settings", "an entry without a model",
     lambda c: part_settings("l2", dataclasses.replace(c.training_entry, model=None),
                             {"weight_decays": [0]}), ValueError,
     "entry digits has no model preset"),
    ("part_settings", "no sweep in the options",
     lambda c: part_settings("l2", c.training_entry, {}), ValueError,
     "part 'l2' needs the option 'weight_decays'"),
    # ================================================================ models
    ("TorchMLPClassifier.fit", "hidden_layer_sizes=0",
     lambda c: TorchMLPClassifier(hidden_layer_sizes=0).fit(c.X, c.y), ValueError,
     "hidden_layer_sizes must be an integer >= 1, got 0"),
    ("TorchMLPClassifier.fit", "hidden_layer_sizes='abc'",
     lambda c: TorchMLPClassifier(hidden_layer_sizes="abc").fit(c.X, c.y), ValueError,
     "hidden_layer_sizes must be a tuple of positive ints, got 'abc'"),
    ("TorchMLPClassifier.fit", "activation='swish'",
     lambda c: TorchMLPClassifier(activation="swish").fit(c.X, c.y), ValueError,
     "activation must be one of 'tanh', 'relu', 'logistic', 'identity'; got 'swish'"),
    ("TorchMLPClassifier.fit", "epochs=0", lambda c: TorchMLPClassifier(epochs=0).fit(c.X, c.y),
     ValueError, "epochs must be an integer >= 1, got 0"),
    ("TorchMLPClassifier.fit", "epochs=2.5",
     lambda c: TorchMLPClassifier(epochs=2.5).fit(c.X, c.y), ValueError, "got 2.5"),
    ("TorchMLPClassifier.fit", "learning_rate=nan",
     lambda c: TorchMLPClassifier(learning_rate=float("nan")).fit(c.X, c.y), ValueError,
     "learning_rate must be a finite number, got nan"),
    ("TorchMLPClassifier.fit", "learning_rate=-0.1",
     lambda c: TorchMLPClassifier(learning_rate=-0.1).fit(c.X, c.y), ValueError,
     "learning_rate must be > 0, got -0.1"),
    ("TorchMLPClassifier.fit", "learning_rate='0.1'",
     lambda c: TorchMLPClassifier(learning_rate="0.1").fit(c.X, c.y), ValueError,
     "learning_rate must be a finite number, got '0.1'"),
    ("TorchMLPClassifier.fit", "batch_size=0",
     lambda c: TorchMLPClassifier(batch_size=0).fit(c.X, c.y), ValueError,
     "batch_size must be an integer >= 1, got 0"),
    ("TorchMLPClassifier.fit", "dropout=1.0",
     lambda c: TorchMLPClassifier(dropout=1.0).fit(c.X, c.y), ValueError,
     r"dropout must be in \[0, 1\), got 1.0"),
    ("TorchMLPClassifier.fit", "weight_decay=inf",
     lambda c: TorchMLPClassifier(weight_decay=float("inf")).fit(c.X, c.y), ValueError,
     "weight_decay must be a finite number, got inf"),
    ("TorchMLPClassifier.fit", "optimizer='rmsprop'",
     lambda c: TorchMLPClassifier(optimizer="rmsprop").fit(c.X, c.y), ValueError,
     "optimizer must be one of 'adam', 'sgd'; got 'rmsprop'"),
    ("TorchMLPClassifier.fit", "validation_fraction=1.5",
     lambda c: TorchMLPClassifier(early_stopping=True, validation_fraction=1.5).fit(c.X, c.y),
     ValueError, r"validation_fraction must be in \(0, 1\), got 1.5"),
    ("TorchMLPClassifier.fit", "early_stopping='no'",
     lambda c: TorchMLPClassifier(early_stopping="no").fit(c.X, c.y), ValueError,
     "early_stopping must be True or False, got 'no'"),
    ("TorchMLPClassifier.fit", "device='gpu'",
     lambda c: TorchMLPClassifier(device="gpu").fit(c.X, c.y), ValueError,
     "device must be 'auto' or a torch device such as 'cpu' or 'cuda', got 'gpu'"),
    ("TorchMLPClassifier.fit", "n_classes=1",
     lambda c: TorchMLPClassifier(n_classes=1).fit(c.X, c.y), ValueError,
     "n_classes must be an integer >= 2, got 1"),
    ("TorchMLPClassifier.fit", "random_state='x'",
     lambda c: TorchMLPClassifier(random_state="x", epochs=1).fit(c.X, c.y), TypeError,
     "random_state must be None, an int"),
    ("TorchMLPClassifier.fit", "X with NaN",
     lambda c: TorchMLPClassifier().fit(nan_at(c.X), c.y), ValueError, "X contains 1 NaN"),
    ("TorchMLPClassifier.fit", "X 1-D", lambda c: TorchMLPClassifier().fit(c.X[:, 0], c.y),
     ValueError, r"X must be 2-D .*X.reshape\(-1, 1\) for a single feature"),
    ("TorchMLPClassifier.fit", "y=None", lambda c: TorchMLPClassifier().fit(c.X, None),
     ValueError, "requires y to be passed"),
    ("TorchMLPClassifier.fit", "y of one class",
     lambda c: TorchMLPClassifier().fit(c.X, np.zeros(60)), ValueError,
     r"y holds only one class .*pass n_classes=K"),
    ("TorchMLPClassifier.fit", "y shorter than X",
     lambda c: TorchMLPClassifier(epochs=1).fit(c.X, c.y[:10]), ValueError,
     "different numbers of rows"),
    ("TorchMLPClassifier.fit", "random_state=SeedSequence (accepted)",
     lambda c: TorchMLPClassifier(hidden_layer_sizes=(4,), epochs=1,
                                  random_state=np.random.SeedSequence(0))
     .fit(c.X, c.y).predict_proba(c.X[:2]).shape == (2, 3), None, ""),
    ("TorchMLPClassifier.predict_proba", "unfitted",
     lambda c: TorchMLPClassifier().predict_proba(c.X), NotFittedError, "not fitted yet"),
    ("TorchMLPClassifier.predict_proba", "3 features after fitting on 4",
     lambda c: TorchMLPClassifier(hidden_layer_sizes=(4,), epochs=1, random_state=0)
     .fit(c.X, c.y).predict_proba(c.X[:, :3]), ValueError,
     "X has 3 features, but TorchMLPClassifier is expecting 4"),
    ("TorchMLPClassifier.loss", "a label never trained on",
     lambda c: TorchMLPClassifier(hidden_layer_sizes=(4,), epochs=1, random_state=0)
     .fit(c.X, c.y).loss(c.X[:2], [0, 7]), ValueError,
     r"y has a label the model was not trained on \(7\)"),
    ("TorchCNNClassifier.fit", "flat X without input_shape",
     lambda c: TorchCNNClassifier().fit(c.X, c.y), ValueError,
     r"X is flat .*set input_shape=\(C, H, W\)"),
    ("TorchCNNClassifier.fit", "input_shape=(3,)",
     lambda c: TorchCNNClassifier(input_shape=(3,)).fit(c.X, c.y), ValueError,
     r"input_shape must be \(C, H, W\) or \(H, W\)"),
    ("TorchCNNClassifier.fit", "kernel_size=0",
     lambda c: TorchCNNClassifier(kernel_size=0).fit(c.X, c.y), ValueError,
     "kernel_size must be an integer >= 1, got 0"),
    ("TorchCNNClassifier.fit", "padding='full'",
     lambda c: TorchCNNClassifier(padding="full").fit(c.X, c.y), ValueError,
     "padding must be one of 'valid', 'same'; got 'full'"),
    ("TorchCNNClassifier.fit", "images too small for the kernels",
     lambda c: TorchCNNClassifier(kernel_size=5).fit(np.zeros((4, 1, 6, 6)), [0, 1, 0, 1]),
     ValueError, r"images of shape \(1, 6, 6\) are too small"),
    ("TorchCNNClassifier.fit", "5-D X",
     lambda c: TorchCNNClassifier().fit(np.zeros((2, 1, 1, 4, 4)), [0, 1]), ValueError,
     r"X must be \(n, C, H, W\), \(n, H, W\) or flat"),
    ("TorchCNNClassifier.fit", "hidden_units=-1",
     lambda c: TorchCNNClassifier(hidden_units=-1).fit(c.X, c.y), ValueError,
     "hidden_units must be an integer >= 0, got -1"),
    ("make_model", "name='resnet'", lambda c: make_model("resnet"), ValueError,
     "unknown model name 'resnet'; valid names: logistic_regression"),
    ("make_model", "name=None", lambda c: make_model(None), ValueError,
     "unknown model name None"),
    ("make_model", "unknown parameter", lambda c: make_model("mlp", hidden=3), ValueError,
     r"TorchMLPClassifier \('mlp'\) has no parameter\(s\) hidden"),
    ("make_model", "n_classes='3'", lambda c: make_model("mlp", n_classes="3"), ValueError,
     "n_classes must be an integer >= 2, got '3'"),
    ("make_model", "n_classes=2.7", lambda c: make_model("mlp", n_classes=2.7), ValueError,
     "n_classes must be an integer >= 2, got 2.7"),
    ("make_model", "random_state='x'",
     lambda c: make_model("logistic_regression", random_state="x"), TypeError,
     "random_state must be None, an int"),
    ("make_model", "random_state=Generator (accepted)",
     lambda c: make_model("logistic_regression", random_state=np.random.default_rng(0))
     .fit(c.X, c.y) is not None, None, ""),
    ("train_many", "estimator=LogisticRegression()",
     lambda c: train_many(LogisticRegression(), c.X, c.y, [np.arange(10)]), TypeError,
     "estimator must be an \\(unfitted\\) TorchMLPClassifier"),
    ("train_many", "subsets=[]", lambda c: train_many(TorchMLPClassifier(), c.X, c.y, []),
     ValueError, "subsets is empty"),
    ("train_many", "subsets=None", lambda c: train_many(TorchMLPClassifier(), c.X, c.y, None),
     TypeError, "subsets must be a list of index arrays"),
    ("train_many", "index 60 of 60 records",
     lambda c: train_many(TorchMLPClassifier(), c.X, c.y, [[0, 60]]), ValueError,
     r"subsets\[0\] has row indices outside 0\.\.59 \(found 60\)"),
    ("train_many", "float indices",
     lambda c: train_many(TorchMLPClassifier(), c.X, c.y, [[0.5, 1.5]]), ValueError,
     r"subsets\[0\] must be a 1-D array of integer row indices"),
    ("train_many", "boolean mask of the wrong length",
     lambda c: train_many(TorchMLPClassifier(), c.X, c.y, [np.ones(5, bool)]), ValueError,
     r"subsets\[0\] is a boolean mask of shape \(5,\)"),
    ("train_many", "max_models=0",
     lambda c: train_many(TorchMLPClassifier(), c.X, c.y, [np.arange(5)], max_models=0),
     ValueError, "max_models must be an integer >= 1, got 0"),
    ("train_many", "y with NaN",
     lambda c: train_many(TorchMLPClassifier(), c.X, nan_at(c.y), [np.arange(5)]), ValueError,
     "y contains NaN"),
    ("train_many", "random_state='x'",
     lambda c: train_many(TorchMLPClassifier(), c.X, c.y, [np.arange(5)], random_state="x"),
     TypeError, "random_state must be None, an int"),
    # ================================================================ synthesis / hillclimb
    ("marginal_synthesize", "n=0", lambda c: marginal_synthesize(c.X, c.y, 0), ValueError,
     "n must be an integer >= 1, got 0"),
    ("marginal_synthesize", "n=2.5", lambda c: marginal_synthesize(c.X, c.y, 2.5), ValueError,
     r"n must be an int or a sequence of 3 integer counts"),
    ("marginal_synthesize", "n=True", lambda c: marginal_synthesize(c.X, c.y, True), ValueError,
     r"n must be an int or a sequence of 3 integer counts"),
    ("marginal_synthesize", "n=[1, 2] for 3 classes",
     lambda c: marginal_synthesize(c.X, c.y, [1, 2]), ValueError,
     r"n must be an int or a sequence of 3 integer counts"),
    ("marginal_synthesize", "negative count",
     lambda c: marginal_synthesize(c.X, c.y, [1, -1, 1]), ValueError,
     "per-class counts in n must be non-negative"),
    ("marginal_synthesize", "n_classes='3'",
     lambda c: marginal_synthesize(c.X, c.y, 5, n_classes="3"), ValueError,
     "n_classes must be an integer >= 1, got '3'"),
    ("marginal_synthesize", "count for a class absent from y",
     lambda c: marginal_synthesize(c.X, c.y, [1, 1, 1, 1], n_classes=4), ValueError,
     "class 3 has no records in y"),
    ("marginal_synthesize", "X of 3 rows, y of 60",
     lambda c: marginal_synthesize(c.X[:3], c.y, 5), ValueError, "different numbers of rows"),
    ("noisy_copies", "fraction=1.5", lambda c: noisy_copies(c.X, 1.5), ValueError,
     r"fraction must be a number in \[0, 1\], got 1.5"),
    ("noisy_copies", "fraction=nan", lambda c: noisy_copies(c.X, float("nan")), ValueError,
     "got nan"),
    ("noisy_copies", "fraction='0.1'", lambda c: noisy_copies(c.X, "0.1"), ValueError,
     "got '0.1'"),
    ("noisy_copies", "kind='bogus'", lambda c: noisy_copies(c.X, 0.1, kind="bogus"), ValueError,
     "kind must be 'auto', 'flip', 'gaussian' or 'marginal', got 'bogus'"),
    ("noisy_copies", "kind='flip' on continuous features",
     lambda c: noisy_copies(c.X, 0.1, kind="flip"), ValueError,
     "kind='flip' needs binary features"),
    ("noisy_copies", "X 1-D", lambda c: noisy_copies(c.X[0], 0.1), ValueError,
     "X must be 2-D"),
    ("random_queries", "shape=(0,)", lambda c: random_queries((0,), 2), ValueError,
     r"shape must be the positive shape of one record"),
    ("random_queries", "shape='abc'", lambda c: random_queries("abc", 2), ValueError,
     r"shape must be the positive shape of one record .*got 'abc'"),
    ("random_queries", "shape=(2.5,)", lambda c: random_queries((2.5,), 2), ValueError,
     r"shape must be the positive shape of one record .*got \(2.5,\)"),
    ("random_queries", "shape=3 (an int, accepted as (3,))",
     lambda c: random_queries(3, 2, random_state=0).shape == (2, 3), None, ""),
    ("random_queries", "n=0", lambda c: random_queries((3,), 0), ValueError,
     "n must be an integer >= 1, got 0"),
    ("hill_climb_synthesize", "blackbox = the model", lambda c: hill_climb_synthesize(c.lr, 4, 0),
     TypeError, r"blackbox must have a query\(X\) method"),
    ("hill_climb_synthesize", "label-only black box",
     lambda c: hill_climb_synthesize(BlackBox(c.lr, output="label"), 4, 0), ValueError,
     r"needs a black box that releases posteriors \(output='proba'\)"),
    ("hill_climb_synthesize", "n_features=0", lambda c: hill_climb_synthesize(c.bin_bb, 0, 0),
     ValueError, "n_features must be an integer >= 1, got 0"),
    ("hill_climb_synthesize", "target_class=-1",
     lambda c: hill_climb_synthesize(c.bin_bb, 10, -1), ValueError,
     "target_class must be an integer >= 0, got -1"),
    ("hill_climb_synthesize", "target_class=5 of 2 classes",
     lambda c: hill_climb_synthesize(c.bin_bb, 10, 5), ValueError,
     "target_class 5 is outside the black box's 2 classes"),
    ("hill_climb_synthesize", "k_max > n_features",
     lambda c: hill_climb_synthesize(c.bin_bb, 10, 0, k_max=11), ValueError,
     r"k_max \(11\) exceeds n_features \(10\)"),
    ("hill_climb_synthesize", "k_min > k_max",
     lambda c: hill_climb_synthesize(c.bin_bb, 10, 0, k_max=2, k_min=3), ValueError,
     r"k_min \(3\) must not exceed k_max \(2\)"),
    ("hill_climb_synthesize", "conf_min=1.0",
     lambda c: hill_climb_synthesize(c.bin_bb, 10, 0, conf_min=1.0), ValueError,
     r"conf_min must be a number in \[0, 1\), got 1.0"),
    ("hill_climb_synthesize", "rej_max=-1",
     lambda c: hill_climb_synthesize(c.bin_bb, 10, 0, rej_max=-1), ValueError,
     "rej_max must be an integer >= 0, got -1"),
    ("hill_climb_synthesize", "iter_max=0",
     lambda c: hill_climb_synthesize(c.bin_bb, 10, 0, iter_max=0), ValueError,
     "iter_max must be an integer >= 1, got 0"),
    ("hill_climb_synthesize", "p_init=nan",
     lambda c: hill_climb_synthesize(c.bin_bb, 10, 0, p_init=float("nan")), ValueError,
     r"p_init must be a number in \[0, 1\], got nan"),
    ("hill_climb_synthesize", "random_state=Generator (accepted)",
     lambda c: hill_climb_synthesize(c.bin_bb, 10, 1, k_max=4, k_min=1, iter_max=50,
                                     random_state=np.random.default_rng(0)).n_queries >= 1,
     None, ""),
    ("ModelBasedSynthesizer.generate", "n_per_class=0",
     lambda c: ModelBasedSynthesizer(0).generate(c.bin_bb, 10, 2), ValueError,
     "n_per_class must be an integer >= 1, got 0"),
    ("ModelBasedSynthesizer.generate", "max_attempts below n_per_class",
     lambda c: ModelBasedSynthesizer(5, max_attempts=2).generate(c.bin_bb, 10, 2), ValueError,
     r"max_attempts \(2\) is below n_per_class \(5\)"),
    ("ModelBasedSynthesizer.generate", "both n_classes and classes",
     lambda c: ModelBasedSynthesizer(1).generate(c.bin_bb, 10, 2, classes=[0]), ValueError,
     "pass exactly one of n_classes and classes"),
    ("ModelBasedSynthesizer.generate", "classes=[-1]",
     lambda c: ModelBasedSynthesizer(1).generate(c.bin_bb, 10, classes=[-1]), ValueError,
     r"classes has labels outside 0\.\.n_classes-1 \(found -1\)"),
    ("ModelBasedSynthesizer.generate", "classes=['a']",
     lambda c: ModelBasedSynthesizer(1).generate(c.bin_bb, 10, classes=["a"]), TypeError,
     "classes must be numeric: integer class labels"),
    # ================================================================ seeding
    ("seed_sequence", "'3'", lambda c: seeding.seed_sequence("3"), TypeError,
     r"random_state must be None, an int, .* got str \('3'\)"),
    ("seed_sequence", "-1", lambda c: seeding.seed_sequence(-1), ValueError,
     "random_state must be a non-negative int, got -1"),
    ("seed_sequence", "True", lambda c: seeding.seed_sequence(True), TypeError,
     r"got bool \(True\)"),
    ("seed_sequence", "1.5", lambda c: seeding.seed_sequence(1.5), TypeError,
     r"got float \(1.5\)"),
    ("spawn", "n=-1", lambda c: seeding.spawn(0, -1), ValueError,
     "n must be a non-negative int, got -1"),
    ("spawn", "n=2.5", lambda c: seeding.spawn(0, 2.5), ValueError, "got 2.5"),
    ("int_seed", "2**40", lambda c: seeding.int_seed(2**40), ValueError,
     "random_state must be below 2\\*\\*32"),
    ("int_seed", "np.int64(-1)", lambda c: seeding.int_seed(np.int64(-1)), ValueError,
     "random_state must be a non-negative int, got -1"),
    ("child_seed", "seed='a'", lambda c: seeding.child_seed("a", 0), TypeError,
     "seed must be a non-negative int, got 'a'"),
    ("child_seed", "index=-1", lambda c: seeding.child_seed(0, -1), ValueError,
     "index must be a non-negative int, got -1"),
    ("generator", "[1, 2]", lambda c: seeding.generator([1, 2]), TypeError,
     r"got list \(\[1, 2\]\)"),
    ("generator", "SeedSequence (accepted)",
     lambda c: bool(seeding.generator(np.random.SeedSequence(0)).integers(10)
                    == np.random.default_rng(np.random.SeedSequence(0)).integers(10)), None, ""),
    # ================================================================ threads
    ("limit_threads", "n=0", lambda c: threads.limit_threads(0).__enter__(), ValueError,
     "n must be a positive integer number of threads, got 0"),
    ("limit_threads", "n='2'", lambda c: threads.limit_threads("2").__enter__(), ValueError,
     "got '2'"),
    ("limit_threads", "n=True", lambda c: threads.limit_threads(True).__enter__(), ValueError,
     "got True"),
    ("set_threads", "n=-1", lambda c: threads.set_threads(-1), ValueError,
     "n must be a positive integer number of threads, got -1"),
    ("default_threads", "MIA_THREADS='abc'",
     lambda c: with_env("MIA_THREADS", "abc", threads.default_threads), ValueError,
     "MIA_THREADS must be a positive integer, got 'abc'"),
    ("default_threads", "MIA_THREADS='0'",
     lambda c: with_env("MIA_THREADS", "0", threads.default_threads), ValueError,
     "MIA_THREADS must be a positive integer number of threads, got 0"),
    # ================================================================ plots
    ("plot_roc", "NaN score", lambda c: plot_roc(c.m, nan_at(c.s)), ValueError,
     "scores contains NaN"),
    ("plot_roc", "membership all 1", lambda c: plot_roc(np.ones(8), c.s), ValueError,
     "membership has no non-members"),
    ("plot_roc", "ax='left'", lambda c: plot_roc(c.m, c.s, ax="left"), TypeError,
     "ax must be a matplotlib Axes or None, got str"),
    ("plot_rocs", "curves={}", lambda c: plot_rocs({}), ValueError,
     r"curves must be a non-empty dict \{label: \(membership, scores\)\}"),
    ("plot_rocs", "curves as a list", lambda c: plot_rocs([(c.m, c.s)]), ValueError,
     "curves must be a non-empty dict"),
    ("plot_rocs", "a curve without scores", lambda c: plot_rocs({"A": (c.m,)}), ValueError,
     r"curves\['A'\] must be a pair \(membership, scores\)"),
    ("plot_score_histograms", "bins=0", lambda c: plot_score_histograms(c.m, c.s, bins=0),
     ValueError, "bins must be a positive integer, got 0"),
    ("plot_score_histograms", "bins='10'",
     lambda c: plot_score_histograms(c.m, c.s, bins="10"), ValueError, "got '10'"),
    ("plot_score_histograms", "infinite score",
     lambda c: plot_score_histograms(c.m, inf_at(c.s)), ValueError,
     "scores contain infinite values"),
    ("plot_score_histograms", "labels=('a',)",
     lambda c: plot_score_histograms(c.m, c.s, labels=("a",)), ValueError,
     r"labels must be a pair \(non-member label, member label\)"),
    ("plot_per_class", "value 1.5", lambda c: plot_per_class({"a": 1.5}), ValueError,
     r"per-class precision values must lie in \[0, 1\]"),
    ("plot_per_class", "values=['x']", lambda c: plot_per_class(["x"]), TypeError,
     "per-class values must be numbers"),
    ("plot_per_class", "DataFrame without the metric",
     lambda c: plot_per_class(pd.DataFrame({"auc": [0.5]})), ValueError,
     r"the DataFrame needs a 'precision' column"),
    ("plot_per_class", "baseline=2", lambda c: plot_per_class([0.5], baseline=2), ValueError,
     r"baseline must be a number in \[0, 1\] or None, got 2"),
    ("plot_per_class", "values=[]", lambda c: plot_per_class([]), ValueError,
     "no per-class values to plot"),
    ("plot_paper_vs_ours", "df as a dict",
     lambda c: plot_paper_vs_ours({"paper": [0.5], "ours": [0.5]}), TypeError,
     "df must be a pandas DataFrame, got dict"),
    ("plot_paper_vs_ours", "no 'ours' column",
     lambda c: plot_paper_vs_ours(pd.DataFrame({"paper": [0.5]})), ValueError,
     r"df is missing column\(s\) \['ours'\]"),
    ("plot_paper_vs_ours", "infinite value",
     lambda c: plot_paper_vs_ours(pd.DataFrame({"paper": [np.inf], "ours": [0.5]})),
     ValueError, "'paper' and 'ours' must be finite"),
    # ================================================================ papers
    ("papers.get", "unknown paper", lambda c: papers.get("nobody2020", "x"), KeyError,
     "unknown paper 'nobody2020'; known"),
    ("papers.get", "unknown key", lambda c: papers.get("shokri2017", "nokey"), KeyError,
     "no figure 'nokey' for 'shokri2017'; known"),
    ("papers.figures", "paper='nobody2020'", lambda c: papers.figures("nobody2020"), KeyError,
     "unknown paper 'nobody2020'; known"),
    ("papers.figures", "status='verified'", lambda c: papers.figures(status="verified"),
     ValueError, r"status must be one of \('survey', 'repo', 'figure', 'transcribed'\)"),
    ("papers.claims", "paper='nobody2020'", lambda c: papers.claims("nobody2020"), KeyError,
     "unknown paper 'nobody2020'; known"),
    ("papers.get_claim", "unknown paper", lambda c: papers.get_claim("nobody2020", "x"),
     KeyError, "unknown paper 'nobody2020'; known"),
    ("paper_vs_ours", "unknown key",
     lambda c: papers.paper_vs_ours([("shokri2017", "nokey", 0.5)]), KeyError,
     "no figure 'nokey' for 'shokri2017'"),
    ("paper_vs_ours", "row ('shokri2017',)",
     lambda c: papers.paper_vs_ours([("shokri2017",)]), ValueError,
     r"a row is \(paper, key, ours\[, quantity\]\) or \(PaperFigure, ours"),
    ("paper_vs_ours", "ours='high'",
     lambda c: papers.paper_vs_ours([("shokri2017", "locations_precision", "high")]),
     TypeError, "ours must be a number or None, got 'high'"),
    ("paper_vs_ours", "ours=inf",
     lambda c: papers.paper_vs_ours([("shokri2017", "locations_precision", float("inf"))]),
     ValueError, "ours must be finite"),
    ("paper_vs_ours", "a row with 5 items",
     lambda c: papers.paper_vs_ours([("shokri2017", "locations_precision", 0.5, "q", "x")]),
     ValueError, r"a row is \(paper, key, ours\[, quantity\]\)"),
    ("paper_vs_ours", "dict row without key",
     lambda c: papers.paper_vs_ours([{"paper": "shokri2017", "ours": 0.5}]), ValueError,
     "a dict row needs 'paper' and 'key'"),
    ("paper_vs_ours", "same_setting='yes'",
     lambda c: papers.paper_vs_ours([{"paper": "shokri2017", "key": "locations_precision",
                                      "ours": 0.5, "same_setting": "yes"}]),
     ValueError, "same_setting must be True, False or None"),
    ("paper_vs_ours", "differences='some'",
     lambda c: papers.paper_vs_ours([], differences="some"), ValueError,
     r"differences must be one of \('all', 'same_setting'\)"),
    ("paper_vs_ours", "digits='3'",
     lambda c: papers.paper_vs_ours([("shokri2017", "locations_precision", 0.5)], digits="3"),
     ValueError, "digits must be an integer >= 0, got '3'"),
    ("claims_vs_ours", "verdict='yes'",
     lambda c: papers.claims_vs_ours([("truex2018", "n_classes", "x", "yes")]), ValueError,
     r"verdict must be one of \('reproduced'"),
    ("claims_vs_ours", "a row of 3 items",
     lambda c: papers.claims_vs_ours([("truex2018", "n_classes", "x")]), ValueError,
     r"a row is \(paper, key, ours, verdict\) or \(Verdict, ours\)"),
    ("claims_vs_ours", "(str, ours) instead of (Verdict, ours)",
     lambda c: papers.claims_vs_ours([("truex2018", "x")]), ValueError,
     r"a row is \(paper, key, ours, verdict\) or \(Verdict, ours\)"),
    ("verdicts.judge", "unknown claim",
     lambda c: verdicts.judge("truex2018", "nokey", []), KeyError,
     "no claim 'nokey' for 'truex2018'"),
    ("verdicts.judge", "paper=None", lambda c: verdicts.judge(None, "x", []), KeyError,
     "unknown paper None; known"),
    ("verdicts.judge", "an option the rule does not take",
     lambda c: verdicts.judge("truex2018", "shadow_size", [], min_gain=0.1), TypeError,
     "got an unexpected keyword argument 'min_gain'"),
    ("verdicts.judge", "no rows (accepted: not testable)",
     lambda c: verdicts.judge("truex2018", "shadow_size", []).word == "not testable here",
     None, ""),
    # ================================================================ experiments
    ("run_experiment", "name='nope'", lambda c: run_experiment("nope", "smoke"), KeyError,
     "unknown experiment 'nope'; known"),
    ("run_experiment", "profile='huge'",
     lambda c: run_experiment("shokri_datasets", "huge"), ValueError,
     r"unknown profile 'huge'; choose one of \('smoke', 'quick', 'full'\)"),
    ("run_experiment", "seed=-1", lambda c: smoke(c, seed=-1), ValueError,
     "seed must be a non-negative int, got -1"),
    ("run_experiment", "seed='0'", lambda c: smoke(c, seed="0"), ValueError,
     "seed must be a non-negative int, got '0'"),
    ("run_experiment", "seed=True", lambda c: smoke(c, seed=True), ValueError,
     "seed must be a non-negative int, got True"),
    ("run_experiment", "n_shadows=0", lambda c: smoke(c, n_shadows=0), ProfileError,
     "n_shadows must be an integer >= 1, got 0"),
    ("run_experiment", "epochs='5'", lambda c: smoke(c, epochs="5"), ProfileError,
     "epochs must be an integer >= 1, got '5'"),
    ("run_experiment", "datasets=['nope']", lambda c: smoke(c, datasets=["nope"]), ProfileError,
     r"datasets \['nope'\] are not in profile 'smoke'"),
    ("run_experiment", "datasets=[]", lambda c: smoke(c, datasets=[]), ProfileError,
     "datasets .* are not in profile"),
    ("run_experiment", "unknown override", lambda c: smoke(c, n_epochs=3), ProfileError,
     r"unknown override\(s\) \['n_epochs'\]"),
    ("run_experiment", "threads=0", lambda c: smoke(c, threads=0), ValueError,
     "threads must be a positive integer number of threads, got 0"),
    ("run_experiment", "skip_missing='no'", lambda c: smoke(c, skip_missing="no"), ValueError,
     "skip_missing must be True or False, got 'no'"),
    ("run_experiment", "out_dir is a file", lambda c: smoke(c, out_dir=c.file), ResultFileError,
     "cannot write results to .*plain.txt is a file"),
    ("run_experiment", "out_dir under a read-only folder",
     lambda c: smoke(c, out_dir=c.ro / "sub"), ResultFileError, "is not writable"),
    ("run_experiment", "out_dir=123", lambda c: smoke(c, out_dir=123), TypeError,
     "out_dir must be a path"),
    ("run_experiment", "out_dir=''", lambda c: smoke(c, out_dir=""), ValueError,
     "out_dir is an empty string"),
    ("run_experiment", "merge into a broken result file",
     lambda c: smoke(c, out_dir=c.put("res/shokri_datasets-smoke.json", "{").parent, merge=True),
     ResultFileError, "is not a valid result file"),
    ("run_experiment", "missing data (MIA_DATA_DIR empty)",
     lambda c: with_env("MIA_DATA_DIR", str(c.tmp),
                        lambda: run_experiment("shokri_datasets", "quick")),
     MissingDataError, "needs data that is not in the data directory"),
    ("load_profile", "replication=['x']", lambda c: load_profile(["x"], "smoke"), ProfileError,
     r"unknown replication \['x'\]"),
    ("load_profile", "profile='fast'", lambda c: load_profile("shokri_datasets", "fast"),
     ProfileError, "unknown profile 'fast' for shokri_datasets"),
    ("load_profile", "max_target_size=-1",
     lambda c: load_profile("shokri_datasets", "smoke", max_target_size=-1), ProfileError,
     "max_target_size must be an integer >= 1, got -1"),
    ("load_result", "name='nope'", lambda c: load_result("nope", "quick", c.tmp), ValueError,
     "unknown replication 'nope'; known"),
    ("load_result", "profile='fast'",
     lambda c: load_result("shokri_datasets", "fast", c.tmp), ValueError,
     r"unknown profile 'fast'; choose one of \('smoke', 'quick', 'full'\)"),
    ("load_result", "results_dir is a file",
     lambda c: load_result("shokri_datasets", "quick", c.file), ResultFileError,
     "is a file, not a folder"),
    ("load_result", "a broken result file",
     lambda c: load_result("shokri_datasets", "quick",
                           c.put("r/shokri_datasets-quick.json", "[1, 2]").parent),
     ResultFileError, r"is JSON but not a result file \(no results.rows\)"),
    ("merge_results", "old='abc'", lambda c: merge_results("abc", result_doc()), ResultFileError,
     "old is not a result"),
    ("merge_results", "new without provenance",
     lambda c: merge_results(result_doc(), {k: v for k, v in result_doc().items()
                                            if k != "provenance"}),
     ResultFileError, "new is not a result: it has no provenance"),
    ("merge_results", "different seeds",
     lambda c: merge_results(result_doc(), result_doc(seed=1)), ValueError,
     "cannot merge results with different seed: 0 vs 1"),
    ("write_result", "result='abc'", lambda c: write_result("abc", c.tmp / "r.json"),
     ResultFileError, r"result must be a dict \(a JSON object\), got str"),
    ("write_result", "path=None", lambda c: write_result(result_doc(), None), TypeError,
     "path must be a path"),
    ("write_result", "path is a folder", lambda c: write_result(result_doc(), c.tmp),
     ResultFileError, "is a folder"),
    ("write_result", "read-only folder",
     lambda c: write_result(result_doc(), c.ro / "r.json"), ResultFileError,
     "cannot write .* not writable"),
    ("write_result", "a value JSON cannot hold (a set)",
     lambda c: write_result(result_doc(extra={1, 2}), c.tmp / "r.json"), ResultFileError,
     "cannot be written as JSON.*set"),
    # ================================================================ command line
    ("python -m mia_lib", "no command", lambda c: cli(), CommandLineExit,
     "exit 2: .*the following arguments are required: command"),
    ("python -m mia_lib replicate", "no NAME", lambda c: cli("replicate"), CommandLineExit,
     r"exit 2: .*replicate needs a NAME \(or --list\)"),
    ("python -m mia_lib replicate", "unknown NAME", lambda c: cli("replicate", "nope"),
     CommandLineExit, "exit 2: .*unknown replication 'nope'; known"),
    ("python -m mia_lib replicate", "--profile huge",
     lambda c: cli("replicate", "shokri_datasets", "--profile", "huge"), CommandLineExit,
     "exit 2: .*argument --profile: invalid choice: 'huge'"),
    ("python -m mia_lib replicate", "--seed -1",
     lambda c: cli("replicate", "shokri_datasets", "--seed", "-1"), CommandLineExit,
     "exit 2: .*argument --seed: expected a non-negative integer, got -1"),
    ("python -m mia_lib replicate", "--seed abc",
     lambda c: cli("replicate", "shokri_datasets", "--seed", "abc"), CommandLineExit,
     "exit 2: .*argument --seed: expected a non-negative integer, got 'abc'"),
    ("python -m mia_lib replicate", "--seed 1.5",
     lambda c: cli("replicate", "shokri_datasets", "--seed", "1.5"), CommandLineExit,
     "exit 2: .*got '1.5'"),
    ("python -m mia_lib replicate", "--n-shadows 0",
     lambda c: cli("replicate", "shokri_datasets", "--n-shadows", "0"), CommandLineExit,
     "exit 2: .*argument --n-shadows: expected a positive integer, got 0"),
    ("python -m mia_lib replicate", "--n-shadows x",
     lambda c: cli("replicate", "shokri_datasets", "--n-shadows", "x"), CommandLineExit,
     "exit 2: .*argument --n-shadows: expected a positive integer, got 'x'"),
    ("python -m mia_lib replicate", "--epochs -3",
     lambda c: cli("replicate", "shokri_datasets", "--epochs", "-3"), CommandLineExit,
     "exit 2: .*argument --epochs: expected a positive integer, got -3"),
    ("python -m mia_lib replicate", "--max-target-size 0",
     lambda c: cli("replicate", "shokri_datasets", "--max-target-size", "0"), CommandLineExit,
     "exit 2: .*argument --max-target-size: expected a positive integer"),
    ("python -m mia_lib replicate", "--n-seeds 2.5",
     lambda c: cli("replicate", "shokri_datasets", "--n-seeds", "2.5"), CommandLineExit,
     "exit 2: .*argument --n-seeds: expected a positive integer, got '2.5'"),
    ("python -m mia_lib replicate", "--threads 0",
     lambda c: cli("replicate", "shokri_datasets", "--threads", "0"), CommandLineExit,
     "exit 2: .*argument --threads: expected a positive integer, got 0"),
    ("python -m mia_lib replicate", "--datasets ''",
     lambda c: cli("replicate", "shokri_datasets", "--datasets", ""), CommandLineExit,
     "exit 2: .*--datasets needs at least one dataset name"),
    ("python -m mia_lib replicate", "--datasets nope",
     lambda c: cli("replicate", "shokri_datasets", "--datasets", "nope"), CommandLineExit,
     r"exit 2: .*datasets \['nope'\] are not in profile 'quick'"),
    ("python -m mia_lib replicate", "--merge --force",
     lambda c: cli("replicate", "shokri_datasets", "--merge", "--force"), CommandLineExit,
     "exit 2: .*argument --force: not allowed with argument --merge"),
    ("python -m mia_lib replicate", "unknown option --fast",
     lambda c: cli("replicate", "shokri_datasets", "--fast"), CommandLineExit,
     "exit 2: .*unrecognized arguments: --fast"),
    ("python -m mia_lib replicate", "--out ''",
     lambda c: cli("replicate", "shokri_datasets", "--out", ""), CommandLineExit,
     "exit 2: .*out_dir is an empty string"),
    ("python -m mia_lib replicate", "--out names a file",
     lambda c: cli("replicate", "shokri_datasets", "--profile", "smoke", "--out", str(c.file)),
     CommandLineExit, "exit 1: error: cannot write results to .*plain.txt is a file"),
    ("python -m mia_lib replicate", "--out under a read-only folder",
     lambda c: cli("replicate", "shokri_datasets", "--profile", "smoke", "--out",
                   str(c.ro / "sub")), CommandLineExit, "exit 1: error: .*is not writable"),
    ("python -m mia_lib replicate", "--merge into a broken result",
     lambda c: cli("replicate", "shokri_datasets", "--profile", "smoke", "--merge", "--out",
                   str(c.put("o/shokri_datasets-smoke.json", "not json").parent)),
     CommandLineExit, "exit 1: error: .*is not a valid result file"),
    ("python -m mia_lib replicate", "MIA_RESULTS_DIR names a file",
     lambda c: with_env("MIA_RESULTS_DIR", str(c.file),
                        lambda: cli("replicate", "shokri_datasets", "--profile", "smoke")),
     CommandLineExit, "exit 1: error: cannot write results to .*plain.txt is a file"),
    ("python -m mia_lib replicate", "missing data",
     lambda c: with_env("MIA_DATA_DIR", str(c.tmp),
                        lambda: cli("replicate", "shokri_datasets", "--out", str(c.tmp))),
     CommandLineExit, "exit 1: error: shokri_datasets \\(quick\\) needs data"),
]  # fmt: skip


#: Every public function and class the cases must cover (the name before a case's dot).
COVERED = (
    """
    train_target train_shadows evaluate_attack run_attack ShokriAttack MLLeaksAttack
    ThresholdAttack attack_features attack_model_of default_attack_model confidence loss
    compute_signal top_k_sorted median_confidence evaluate per_class_report roc_curve auc
    tpr_at_fpr best_threshold precision recall accuracy generalization_gap roc_points ci_table
    membership_split shadow_splits ShadowModels attack_dataset AttackData BlackBox TopK Rounding
    Temperature full_proba model_proba TorchMLPClassifier TorchCNNClassifier make_model
    train_many marginal_synthesize noisy_copies random_queries hill_climb_synthesize
    ModelBasedSynthesizer seed_sequence spawn int_seed child_seed generator limit_threads
    set_threads plot_roc plot_rocs plot_score_histograms plot_per_class plot_paper_vs_ours
    papers paper_vs_ours claims_vs_ours verdicts run_experiment load_profile load_result
    merge_results write_result defend attacker_view attack_scores apply_transforms
    as_distribution released_view MemGuard defender_model GapAttack LabelOnlyAttack
    released_labels bootstrap_ci DisjointStackingClassifier generalise_adult group_sizes
    k_anonymous_share privacy_utility part_settings
""".split()
    + ["python -m mia_lib replicate"]
)


# --------------------------------------------------------------------------- the test


def run_case(case: Case, ctx: Ctx):
    """The exception the case's call raises, or ``("accepted", value)``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            value = case[2](ctx)
        except Exception as exc:  # noqa: BLE001 - the point is to look at any exception
            return exc
        finally:
            plt.close("all")
    return ("accepted", value)


@pytest.fixture(autouse=True)
def _threads_and_results(monkeypatch, tmp_path):
    monkeypatch.setenv("MIA_THREADS", "1")
    monkeypatch.setenv("MIA_RESULTS_DIR", str(tmp_path / "results"))


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}: {c[1]}" for c in CASES])
def test_bad_input_gets_a_clear_error(case, tmp_path):
    function, what, _, exc_type, pattern = case
    ctx = Ctx(tmp_path / "work")
    ctx.tmp.mkdir()
    try:
        with threads.limit_threads(1):
            out = run_case(case, ctx)
    finally:
        if (ctx.tmp / "ro").exists():
            (ctx.tmp / "ro").chmod(0o755)
    if exc_type is None:
        assert not isinstance(out, BaseException), f"{function}({what}) raised {out!r}"
        assert out[1] is True or bool(out[1]), f"{function}({what}) returned {out[1]!r}"
        return
    assert isinstance(out, BaseException), f"{function}({what}) raised nothing: {out!r}"
    assert isinstance(out, exc_type), f"{function}({what}): {type(out).__name__}: {out}"
    text = out.args[0] if isinstance(out, KeyError) and out.args else str(out)
    assert re.search(pattern, str(text), re.S), f"{function}({what}): {out}"


def test_there_are_enough_cases():
    assert len(CASES) >= 120
    functions = {c[0].split(".")[0] for c in CASES}
    missing = [name for name in COVERED if name not in functions]
    assert not missing, f"no case for {missing}"


# --------------------------------------------------------------------------- the table


def markdown_table() -> str:
    rows = ["| function | input | error type | message start |", "|---|---|---|---|"]
    for case in CASES:
        with tempfile.TemporaryDirectory() as d:
            ctx = Ctx(Path(d) / "work")
            ctx.tmp.mkdir()
            with env("MIA_RESULTS_DIR", str(Path(d) / "results")):
                out = run_case(case, ctx)
            if (ctx.tmp / "ro").exists():
                (ctx.tmp / "ro").chmod(0o755)
        if isinstance(out, BaseException):
            kind = type(out).__name__
            text = out.args[0] if isinstance(out, KeyError) and out.args else str(out)
            msg = str(text).replace(d, "<tmp>").replace("\n", " ")
        else:
            kind, msg = "(accepted)", f"returns a correct result ({out[1]!r})"
        msg = msg if len(msg) <= 110 else msg[:107] + "..."
        cells = [case[0], case[1], kind, msg]
        rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(rows)


if __name__ == "__main__":
    os.environ.setdefault("MIA_THREADS", "1")
    warnings.simplefilter("ignore")
    sys.stdout.write(markdown_table() + "\n")
