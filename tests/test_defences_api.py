"""Defences at the prediction API: released outputs as the attacker reads them (TopK,
as_distribution, AttackData.released), the same target behind another API (defend), MemGuard,
the label-only attacks, bootstrap intervals and the two replications on their smoke
profiles."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression

from mia_lib.attacks import ShokriAttack, ThresholdAttack
from mia_lib.intervals import METRICS, bootstrap_ci
from mia_lib.label_only import GapAttack, LabelOnlyAttack, released_labels
from mia_lib.memguard import MemGuard
from mia_lib.metrics import evaluate
from mia_lib.models import TorchMLPClassifier
from mia_lib.pipeline import (
    attack_scores,
    attacker_view,
    defend,
    evaluate_attack,
    run_attack,
    stage_seeds,
    train_shadows,
    train_target,
)
from mia_lib.query import (
    BlackBox,
    Rounding,
    Temperature,
    TopK,
    apply_transforms,
    as_distribution,
)
from mia_lib.seeding import int_seed
from mia_lib.shadow import AttackData, released_view

#: The target of most tests: logistic regression that fits its 300 digits perfectly.
TARGET = {"target_size": 300, "model": "logistic_regression"}
TARGET_PARAMS = {"C": 100.0, "max_iter": 2000}


def small_defender(epochs=30):
    """A defender small enough for a test (the official one trains 400 epochs of 256-128-64)."""
    return TorchMLPClassifier(
        hidden_layer_sizes=(32,), activation="relu", epochs=epochs, n_classes=2
    )


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return (X / 16).astype(np.float32), y


@pytest.fixture(scope="module")
def target(digits):
    X, y = digits
    return train_target(X, y, **TARGET, model_params=TARGET_PARAMS, random_state=0)


@pytest.fixture(scope="module")
def shadows(target):
    return train_shadows(target, n_shadows=1, random_state=1)


@pytest.fixture(scope="module")
def posteriors():
    rng = np.random.default_rng(0)
    return rng.dirichlet(np.full(5, 0.5), size=200)


# --------------------------------------------------------------------------- query layer


def test_topk_without_renormalising_releases_the_top_values(posteriors):
    P = posteriors
    t = TopK(2, renormalise=False)
    out = t(P)
    top2 = np.sort(P, axis=1)[:, -2:]
    assert np.array_equal(np.sort(out, axis=1)[:, -2:], top2)  # the values themselves
    assert np.all((out > 0).sum(axis=1) <= 2)
    assert np.all(out.sum(axis=1) < 1 - 1e-9) and not t.normalised
    assert TopK(2).normalised and repr(t) == "TopK(2, renormalise=False)"
    assert np.array_equal(out.argmax(axis=1), P.argmax(axis=1))
    assert np.array_equal(TopK(5, renormalise=False)(P), P)  # k >= classes: all released


def test_blackbox_accepts_unnormalised_topk_and_refuses_an_unmarked_transform():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 4))
    y = np.arange(200) % 3
    clf = LogisticRegression().fit(X, y)
    bb = BlackBox(clf, transforms=[TopK(1, renormalise=False)])
    P = bb.posteriors(X)  # before the transform
    out = bb.query(X)
    assert np.array_equal(out.max(axis=1), P.max(axis=1))
    assert np.all(np.count_nonzero(out, axis=1) == 1)

    def unmarked(Q):  # the same output, without normalised = False
        return TopK(1, renormalise=False)(Q)

    with pytest.raises(ValueError, match="summing to .* normalised = False"):
        BlackBox(clf, transforms=[unmarked]).query(X)


def test_apply_transforms_is_what_the_blackbox_releases():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(150, 4))
    clf = LogisticRegression().fit(X, np.arange(150) % 4)
    chain = [Temperature(3.0), TopK(2), Rounding(2)]
    bb = BlackBox(clf, transforms=chain)
    P = bb.posteriors(X)
    assert np.array_equal(apply_transforms(P, chain), bb.query(X))
    assert np.array_equal(apply_transforms(P), P) and np.array_equal(apply_transforms(P, None), P)


@pytest.mark.parametrize(
    "released, n_classes, expected",
    [
        ([2, 0, 1], 3, [[0, 0, 1], [1, 0, 0], [0, 1, 0]]),  # labels -> one-hot
        ([[0.6, 0.0, 0.0]], None, [[0.6, 0.2, 0.2]]),  # short row: mass on the zeros
        ([[0.5, 0.0, 0.3, 0.0]], None, [[0.5, 0.1, 0.3, 0.1]]),
        ([[0.3, 0.3]], None, [[0.5, 0.5]]),  # short row without zeros: rescaled
        ([[0.6, 0.6]], None, [[0.5, 0.5]]),  # long row (rounding up): divided by its sum
        ([[0.4, 0.4, 0.3]], None, [[0.4 / 1.1, 0.4 / 1.1, 0.3 / 1.1]]),
        ([[0.0, 0.0, 0.0, 0.0]], None, [[0.25, 0.25, 0.25, 0.25]]),  # all zero: uniform
    ],
    ids=["labels", "short", "short-2-zeros", "short-no-zeros", "long", "long-3", "zeros"],
)
def test_as_distribution_cases(released, n_classes, expected):
    out = as_distribution(released, n_classes=n_classes)
    assert out.shape == np.shape(expected)
    assert np.allclose(out, expected, atol=1e-12)
    assert np.allclose(out.sum(axis=1), 1.0)


def test_as_distribution_keeps_normalised_rows_and_the_released_values(posteriors):
    P = posteriors
    assert np.array_equal(as_distribution(P), P)  # exactly unchanged, not renormalised
    top = TopK(2, renormalise=False)(P)
    read = as_distribution(top)
    kept = top > 0
    assert np.array_equal(read[kept], top[kept])  # the model's confidences reach the attack
    assert np.allclose(read.sum(axis=1), 1.0) and np.all(read[~kept] > 0)
    assert np.allclose(as_distribution(Rounding(1)(P)).sum(axis=1), 1.0)
    assert as_distribution(np.zeros(0, dtype=int), n_classes=3).shape == (0, 3)


@pytest.mark.parametrize(
    "transforms, output",
    [
        ([], "proba"),
        ([TopK(1)], "proba"),
        ([TopK(2, renormalise=False)], "proba"),
        ([Rounding(1)], "proba"),
        ([Temperature(5.0)], "proba"),
        ([], "label"),
        ([Temperature(0.5), TopK(3)], "label"),
    ],
    ids=["none", "top1", "top2-raw", "round1", "temp5", "label", "temp-top3-label"],
)
def test_attack_data_released_equals_released_view(posteriors, transforms, output):
    P = posteriors
    n = len(P)
    data = AttackData(P, np.arange(n) % 5, np.arange(n) % 2, np.arange(n) % 3)
    before = P.copy()
    seen = data.released(transforms, output)
    view = released_view(P, transforms, output)
    assert np.array_equal(seen.posteriors, view)
    assert seen.posteriors.shape == P.shape and np.allclose(view.sum(axis=1), 1.0)
    for name in ("labels", "membership", "source"):
        assert np.array_equal(getattr(seen, name), getattr(data, name))
    assert np.array_equal(P, before)  # the shadows' data is not modified
    if output == "label":
        assert np.array_equal(view, np.eye(5)[apply_transforms(P, transforms).argmax(axis=1)])
    else:
        assert np.array_equal(view, as_distribution(apply_transforms(P, transforms)))


# --------------------------------------------------------------------------- pipeline


def test_defend_keeps_the_model_and_split_and_requeries(target):
    top1 = defend(target, [TopK(1)])
    for name in ("model", "split", "X", "y", "eval_idx", "membership", "labels", "summary"):
        assert getattr(top1, name) is getattr(target, name), name
    assert not np.array_equal(top1.answers, target.answers)
    assert np.array_equal(
        top1.answers, BlackBox(target.model, transforms=[TopK(1)]).query(target.X[target.eval_idx])
    )
    assert np.all(top1.answers.max(axis=1) == 1.0)
    assert top1.blackbox is not target.blackbox and top1.blackbox.model is target.model
    assert [repr(t) for t in top1.blackbox.transforms] == ["TopK(1)"]
    assert top1.blackbox.n_queries == len(target.eval_idx)
    # the undefended target is untouched, and its released accuracy is the defended one's
    assert np.allclose(target.answers.sum(axis=1), 1.0) and target.answers.max() < 1.0
    nonmember = target.membership == 0
    acc = np.mean(top1.answers.argmax(axis=1)[nonmember] == target.labels[nonmember])
    assert acc == pytest.approx(target.test_acc) and top1.test_acc == target.test_acc


def test_defend_with_labels_and_the_attackers_view(target):
    labels = defend(target, output="label")
    assert labels.answers.ndim == 1
    assert np.array_equal(labels.answers, target.answers.argmax(axis=1))
    assert np.array_equal(attacker_view(labels), np.eye(10)[labels.answers])
    assert np.array_equal(attacker_view(target), target.answers)  # normalised: unchanged
    raw = defend(target, [TopK(3, renormalise=False)])
    assert np.array_equal(attacker_view(raw), as_distribution(raw.answers))


def test_attack_scores_is_the_scoring_step_of_evaluate_attack(target, shadows):
    attack = ThresholdAttack("loss")
    s, d = attack_scores(attack, target, fit_on=shadows)
    assert s.shape == d.shape == (len(target.eval_idx),) and set(np.unique(d)) <= {0, 1}
    report = evaluate_attack(ThresholdAttack("loss"), target, fit_on=shadows)
    assert evaluate(target.membership, s, predicted=d) == report


def test_run_attack_fits_on_shadow_outputs_released_the_same_way(digits):
    X, y = digits
    kw = dict(**TARGET, model_params=TARGET_PARAMS, n_shadows=1, random_state=0)
    res = run_attack(X, y, transforms=[TopK(1)], **kw)
    # the same run from its building blocks, the attack fitted on released shadow outputs
    t_seq, s_seq, a_seq = stage_seeds(0)
    target = train_target(
        X, y, **TARGET, model_params=TARGET_PARAMS, transforms=[TopK(1)], random_state=t_seq
    )
    sh = train_shadows(target, n_shadows=1, random_state=s_seq)
    seen = sh.attack_data_.released([TopK(1)])
    attack = ShokriAttack(random_state=int_seed(a_seq))
    assert evaluate_attack(attack, target, fit_on=seen).auc == res.attack.auc
    raw_fit = evaluate_attack(ShokriAttack(random_state=int_seed(a_seq)), target, fit_on=sh)
    assert raw_fit.auc != res.attack.auc  # fitting on unreleased outputs is another attack
    # top-1 renormalised leaves the label only: every confidence is 1 and the attack is
    # about as good as the gap attack
    assert res.baseline.auc == 0.5
    gap = evaluate_attack(GapAttack(), target)
    assert abs(res.attack.auc - gap.auc) < 0.05


# --------------------------------------------------------------------------- MemGuard


@pytest.fixture(scope="module")
def memguard_setup(target):
    members = target.split.target_in
    others = target.pool[:300]
    P_fit = target.blackbox.posteriors(target.X[np.r_[members, others]])
    m_fit = np.r_[np.ones(len(members)), np.zeros(len(others))].astype(int)
    guard = MemGuard(budget=1.0, defender=small_defender(), random_state=0).fit(P_fit, m_fit)
    P = target.blackbox.posteriors(target.X[target.eval_idx])
    return guard, P, guard.perturb(P), (P_fit, m_fit)


def test_memguard_keeps_the_label_and_releases_distributions(memguard_setup):
    guard, P, noised, _ = memguard_setup
    assert noised.shape == P.shape
    assert np.array_equal(noised.argmax(axis=1), P.argmax(axis=1))  # every row
    assert np.allclose(noised.sum(axis=1), 1.0) and noised.min() >= 0
    assert np.mean(np.any(noised != P, axis=1)) > 0.5  # it does noise most answers
    assert guard.n_classes_ == 10 and 0.5 <= guard.defender_accuracy_ <= 1.0


def test_memguard_moves_the_defender_towards_one_half(memguard_setup):
    guard, P, noised, _ = memguard_setup
    before = np.abs(guard.membership_score(P) - 0.5)
    after = np.abs(guard.membership_score(noised) - 0.5)
    changed = np.any(noised != P, axis=1)
    assert np.mean(after[changed] < before[changed]) > 0.9
    assert after.mean() < 0.5 * before.mean()
    p = guard.release_probability(P, noised)
    assert np.all(after[p > 0] < before[p > 0])  # Phase II releases only noise that helps
    assert np.all(p[~changed] == 0)


def test_memguard_release_probability_is_the_budget_over_the_distortion(memguard_setup):
    guard, P, noised, _ = memguard_setup
    dist = np.abs(noised - P).sum(axis=1)
    p = guard.release_probability(P, noised, budget=0.05)
    use = p > 0
    assert use.any()
    assert np.allclose(p[use], np.minimum(0.05 / dist[use], 1.0))
    assert np.all(guard.release_probability(P, noised, budget=0.0) == 0)
    wider = guard.release_probability(P, noised, budget=0.5)
    assert np.all(wider >= p)
    assert np.array_equal(guard.release_probability(P, noised), guard.release_probability(P))


def test_memguard_with_budget_zero_releases_the_undefended_answers(target, memguard_setup):
    *_, (P_fit, m_fit) = memguard_setup
    guard = MemGuard(budget=0.0, defender=small_defender(5), random_state=0).fit(P_fit, m_fit)
    X = target.X[target.eval_idx]
    assert np.array_equal(BlackBox(target.model, transforms=[guard]).query(X), target.answers)
    assert np.array_equal(defend(target, [guard]).answers, target.answers)


def test_memguard_is_reproducible_and_label_preserving_at_the_api(target, memguard_setup):
    *_, (P_fit, m_fit) = memguard_setup
    X = target.X[target.eval_idx][:200]

    def released(seed):
        g = MemGuard(budget=0.3, defender=small_defender(10), random_state=seed)
        return BlackBox(target.model, transforms=[g.fit(P_fit, m_fit)]).query(X)

    a, b = released(3), released(3)
    assert np.array_equal(a, b)
    assert np.any(a != target.answers[:200])
    assert np.array_equal(a.argmax(axis=1), target.answers[:200].argmax(axis=1))


def test_memguard_before_fit_raises_not_fitted(target):
    P = target.answers[:5]
    guard = MemGuard(defender=small_defender())
    calls = [(f, P) for f in (guard.perturb, guard, guard.membership_score)]
    calls += [(guard.release_probability, P)]
    calls += [(BlackBox(target.model, transforms=[guard]).query, target.X[:5])]
    for call, arg in calls:
        with pytest.raises(NotFittedError, match="not fitted yet"):
            call(arg)


def test_gap_and_label_only_attacks_are_blind_to_memguard(target, memguard_setup):
    guard = memguard_setup[0]
    defended = defend(target, [guard])
    assert attack_scores(GapAttack(), defended)[0].tolist() == (
        attack_scores(GapAttack(), target)[0].tolist()
    )
    lo = LabelOnlyAttack(n_queries=2, noise=0.3, random_state=0)
    s_def, _ = attack_scores(lo, defended)
    s_raw, _ = attack_scores(lo, target)
    assert np.array_equal(s_def, s_raw)


# --------------------------------------------------------------------------- label only


def test_gap_attack_scores_correctness(target):
    answers = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]])
    assert GapAttack().score_samples(answers, labels=[0, 0, 1]).tolist() == [1.0, 0.0, 0.0]
    assert GapAttack().score_samples([1, 0, 1], labels=[1, 1, 1]).tolist() == [1.0, 0.0, 1.0]
    assert GapAttack().predict(answers, labels=[0, 1, 0]).tolist() == [1, 1, 1]
    assert released_labels([[0.1, 0.9], [0.7, 0.3]]).tolist() == [1, 0]
    report = evaluate_attack(GapAttack(), target)
    assert report.recall == pytest.approx(target.train_acc)
    assert report.fpr == pytest.approx(target.test_acc)  # a right label reads as "member"
    # the same on a service that releases labels only
    assert evaluate_attack(GapAttack(), defend(target, output="label")) == report


def test_label_only_robustness_is_a_share_of_kept_labels(digits):
    X, y = digits
    Xs, ys = X[:40], y[:40]
    lo = LabelOnlyAttack(n_queries=4, noise=0.5, random_state=0)
    assert np.all(lo.robustness(lambda Z: (ys + 1) % 10, Xs, ys) == 0.0)
    assert np.all(lo.robustness(lambda Z: np.eye(10)[ys], Xs, ys) == 1.0)
    clf = LogisticRegression(max_iter=500).fit(X[:300], y[:300])
    r = lo.robustness(clf.predict_proba, Xs, ys)
    assert np.all((0 <= r) & (r <= 1)) and 0 < r.mean() < 1
    assert np.allclose(r * 5, np.round(r * 5))  # shares of the 5 answers


def _recorded_queries(attack, X, y):
    seen = []

    def query(Z):
        seen.append(np.array(Z, copy=True))
        return np.zeros(len(Z), dtype=int)

    attack.robustness(query, X, y)
    return seen


def test_label_only_flips_bits_of_binary_records_and_adds_noise_to_the_others(digits):
    X, y = digits
    binary = (X[:100] > 0.5).astype(np.float32)
    seen = _recorded_queries(
        LabelOnlyAttack(n_queries=3, noise=0.2, random_state=0), binary, y[:100]
    )
    assert len(seen) == 4 and np.array_equal(seen[0], binary)  # the record itself first
    for Z in seen[1:]:
        assert set(np.unique(Z)) <= {0.0, 1.0}
        assert np.mean(Z != binary) == pytest.approx(0.2, abs=0.03)
    cont = X[:100]
    seen = _recorded_queries(LabelOnlyAttack(n_queries=2, noise=0.3, random_state=0), cont, y[:100])
    for Z in seen[1:]:
        assert not set(np.unique(Z)) <= {0.0, 1.0}
        assert np.std(Z - cont) == pytest.approx(0.3, abs=0.03)
    forced = _recorded_queries(
        LabelOnlyAttack(n_queries=1, noise=0.3, kind="gaussian", random_state=0), binary, y[:100]
    )
    assert not set(np.unique(forced[1])) <= {0.0, 1.0}
    with pytest.raises(ValueError, match="kind='flip' needs binary features"):
        LabelOnlyAttack(n_queries=1, kind="flip").robustness(lambda Z: y[: len(Z)], cont, y[:100])


def test_label_only_fit_chooses_the_most_accurate_threshold():
    members = np.linspace(0.8, 1.0, 50)
    others = np.linspace(0.0, 0.6, 50)
    scores, m = np.r_[members, others], np.r_[np.ones(50), np.zeros(50)]
    lo = LabelOnlyAttack().fit(scores, m)
    assert lo is not None and 0.6 < lo.threshold_ <= 0.8
    assert np.array_equal((scores >= lo.threshold_).astype(int), m)
    assert lo.fit(scores[:, None], m).threshold_ == lo.threshold_  # (n, 1) accepted too


def test_label_only_fit_shadows_through_evaluate_attack(target, shadows):
    kw = dict(n_queries=3, noise=0.3, random_state=0)
    via_pipeline = LabelOnlyAttack(**kw)
    report = evaluate_attack(via_pipeline, target, fit_on=shadows)
    direct = LabelOnlyAttack(**kw).fit_shadows(
        shadows, target.X[target.pool], target.y[target.pool]
    )
    assert via_pipeline.threshold_ == direct.threshold_
    s, d = attack_scores(direct, target)
    assert np.array_equal(d, (s >= direct.threshold_).astype(int))
    assert evaluate(target.membership, s, predicted=d) == report
    # unfitted, without a threshold: a member only if its label survives every query
    s0, d0 = attack_scores(LabelOnlyAttack(**kw), target)
    assert np.array_equal(s0, s) and np.array_equal(d0, (s == 1.0).astype(int))
    fixed = LabelOnlyAttack(**kw, threshold=0.5).fit_shadows(
        shadows, target.X[target.pool], target.y[target.pool]
    )
    assert np.array_equal(attack_scores(fixed, target)[1], (s >= 0.5).astype(int))


@pytest.mark.parametrize(
    "transforms, output",
    [([TopK(1)], "proba"), ([TopK(2, renormalise=False)], "proba"), ([Temperature(20.0)], "proba"),
     ([], "label")],
    ids=["top1", "top2-raw", "temp20", "label"],
)  # fmt: skip
def test_label_only_scores_do_not_change_under_label_preserving_defences(
    target, transforms, output
):
    lo = LabelOnlyAttack(n_queries=3, noise=0.3, random_state=5)
    s_raw, d_raw = attack_scores(lo, target)
    s_def, d_def = attack_scores(lo, defend(target, transforms, output=output))
    assert np.array_equal(s_raw, s_def) and np.array_equal(d_raw, d_def)


def test_label_only_is_reproducible(target):
    def scores(seed):
        return attack_scores(LabelOnlyAttack(n_queries=3, noise=0.5, random_state=seed), target)[0]

    assert np.array_equal(scores(1), scores(1))
    assert not np.array_equal(scores(1), scores(2))


# --------------------------------------------------------------------------- intervals


@pytest.fixture(scope="module")
def scored():
    rng = np.random.default_rng(0)
    m = np.r_[np.ones(400), np.zeros(400)].astype(int)
    s = rng.normal(m * 0.8, 1.0)
    return m, s, (s > 0.4).astype(int)


def test_bootstrap_intervals_contain_the_point_estimate(scored):
    m, s, p = scored
    ci = bootstrap_ci(m, s, p, n_boot=200, random_state=0)
    assert set(ci) == set(METRICS)
    point = evaluate(m, s, predicted=p).to_dict()
    for k, (lo, hi) in ci.items():
        assert lo <= point[k] <= hi, (k, lo, point[k], hi)
        assert 0.0 <= lo <= hi <= 1.0
    assert ci["auc"][1] - ci["auc"][0] < 0.1
    # without decisions, the decision metrics use each replicate's best threshold
    free = bootstrap_ci(m, s, metrics=["accuracy", "auc"], n_boot=50, random_state=0)
    assert free["auc"] != ci["auc"] or free["accuracy"] != ci["accuracy"]


def test_bootstrap_intervals_are_reproducible_and_nested_by_level(scored):
    m, s, p = scored
    kw = dict(metrics=("auc", "precision"), n_boot=100)
    a = bootstrap_ci(m, s, p, random_state=4, **kw)
    assert a == bootstrap_ci(m, s, p, random_state=4, **kw)
    assert a != bootstrap_ci(m, s, p, random_state=5, **kw)
    wide = bootstrap_ci(m, s, p, random_state=4, level=0.99, **kw)
    narrow = bootstrap_ci(m, s, p, random_state=4, level=0.5, **kw)
    for k in a:
        assert wide[k][0] <= a[k][0] <= narrow[k][0] <= narrow[k][1] <= a[k][1] <= wide[k][1]
    assert bootstrap_ci(m, s, metrics="auc", n_boot=20, random_state=0).keys() == {"auc"}


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"metrics": ["bogus"]}, ValueError, r"unknown metric\(s\) \['bogus'\]"),
        ({"metrics": ["threshold_rule"]}, ValueError, "unknown metric"),
        ({"metrics": []}, ValueError, "metrics is empty"),
        ({"metrics": None}, TypeError, "metrics must be a metric name"),
        ({"level": 1.0}, ValueError, r"level must be in \(0, 1\)"),
        ({"level": 0}, ValueError, "level must be > 0"),
        ({"level": 95}, ValueError, "level must be <= 1"),
        ({"n_boot": 0}, ValueError, "n_boot must be an integer >= 1"),
    ],
)
def test_bootstrap_bad_arguments(scored, kwargs, error, match):
    m, s, p = scored
    with pytest.raises(error, match=match):
        bootstrap_ci(m, s, p, **kwargs)


# --------------------------------------------------------------------------- replications


@pytest.fixture(scope="module")
def defences_smoke():
    from mia_lib.experiments import load_profile, run_experiment

    return run_experiment("defences_api", "smoke", seed=0), load_profile("defences_api", "smoke")


def test_defences_api_smoke_rows(defences_smoke):
    result, prof = defences_smoke
    rows = result["results"]["rows"]
    attackers = ("shokri", "threshold", "gap", "label_only")
    assert [(r["defence"], r["attack"]) for r in rows] == [
        (d, a) for d in prof.options["defences"] for a in attackers
    ]
    expected = {"key", "dataset", "defence", "attack", "signal", "auc", "auc_ci", "precision"}
    expected |= {"released_test_acc", "distortion_l1", "train_acc", "test_acc", "gap"}
    for r in rows:
        assert expected <= set(r), expected - set(r)
        lo, hi = r["auc_ci"]
        assert lo <= r["auc"] <= hi
        assert (r["signal"] is None) == (r["attack"] != "threshold")
    by = {(r["defence"], r["attack"]): r for r in rows}
    assert by[("none", "gap")]["distortion_l1"] == 0.0
    for d in ("none", "top1"):  # top-1 keeps the label: the released accuracy is the model's
        assert by[(d, "gap")]["released_test_acc"] == pytest.approx(by[(d, "gap")]["test_acc"])
    assert by[("top1", "gap")]["distortion_l1"] > 0
    for attacker in ("gap", "label_only"):  # label-only attackers see the same labels
        assert by[("none", attacker)]["auc"] == by[("top1", attacker)]["auc"]


@pytest.fixture(scope="module")
def memguard_smoke():
    """The smoke replication with a small defender (the official one trains for 400 epochs:
    the smoke run as profiled is tested by tests/test_replications.py)."""
    import mia_lib.memguard
    from mia_lib.experiments import load_profile, run_experiment

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(
            mia_lib.memguard,
            "defender_model",
            lambda random_state=None: small_defender(20).set_params(random_state=random_state),
        )
        result = run_experiment("memguard", "smoke", seed=0)
    return result, load_profile("memguard", "smoke")


def test_memguard_smoke_rows(memguard_smoke):
    result, prof = memguard_smoke
    rows = result["results"]["rows"]
    budgets = [float(b) for b in prof.options["budgets"]]
    curve = [r for r in rows if r["attack"] == "nn"]
    assert [r["budget"] for r in curve] == budgets
    for r in curve:
        assert r["label_kept"] == 1.0
        assert {"key", "inference_acc", "distortion_l1", "defender_accuracy"} <= set(r)
        assert 0.0 <= r["inference_acc"] <= 1.0
    assert curve[0]["budget"] == 0.0 and curve[0]["distortion_l1"] == 0.0
    distortions = [r["distortion_l1"] for r in curve]
    assert distortions == sorted(distortions) and distortions[-1] > 0
    others = {r["attack"]: r for r in rows if r["attack"] != "nn"}
    assert {"nn_released", "label_only", "gap", "modified_entropy", "nn_aware"} <= set(others)
    for name in ("gap", "label_only"):  # MemGuard keeps every label: no effect on them
        r = others[name]
        assert r["budget"] == max(budgets) and r["auc"] == r["undefended"]["auc"]
