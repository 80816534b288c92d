"""Defences in training: the model-stacking estimator, the Adult anonymiser and k-anonymity,
the defences_training replication on its smoke profile, and every verdict rule of
mia_lib.papers.verdicts.defences_training on hand-made rows (reproduced, partly, not)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier

from mia_lib.anonymise import (
    ADULT_AGE_RANGE,
    generalise_adult,
    group_sizes,
    k_anonymous_share,
)
from mia_lib.experiments import load_profile, run_experiment
from mia_lib.experiments.training import ATTACKERS, part_settings, privacy_utility
from mia_lib.models import DisjointStackingClassifier, make_model
from mia_lib.papers.verdicts import defences_training as rules
from mia_lib.papers.verdicts import judge
from mia_lib.pipeline import train_shadows, train_target


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return (X / 16).astype(np.float32), y


def _small_stack(**kw):
    return DisjointStackingClassifier(
        [("lr", LogisticRegression(max_iter=500)), ("nn", KNeighborsClassifier(1))], **kw
    )


# ---------------------------------------------------------------- the stacking estimator
def test_stacking_parts_are_disjoint_stratified_and_each_trains_one_model(digits):
    X, y = digits[0][:600], digits[1][:600]
    clf = _small_stack(random_state=0).fit(X, y)
    parts = clf.parts_
    assert len(parts) == 3 and sorted(np.concatenate(parts).tolist()) == list(range(600))
    for c in np.unique(y):  # stratified: each class split as evenly as it can be
        counts = [int(np.sum(y[p] == c)) for p in parts]
        assert max(counts) - min(counts) <= 1
    # the 1-nearest-neighbour model holds exactly its own part's records
    knn = clf.estimators_[1]
    np.testing.assert_array_equal(knn._fit_X, X[parts[1]])
    # the second level was fitted on the first level's posteriors of the last part only
    assert clf.final_estimator_.n_features_in_ == 2 * clf.n_classes_
    again = _small_stack(random_state=0).fit(X, y)
    np.testing.assert_array_equal(again.predict_proba(X[:50]), clf.predict_proba(X[:50]))
    other = _small_stack(random_state=1).fit(X, y)
    assert not np.array_equal(other.parts_[0], parts[0])


def test_stacking_classes_and_n_classes(digits):
    X, y = digits
    keep = y < 5
    names = np.array(list("abcde"))[y[keep][:300]]
    clf = _small_stack(random_state=0).fit(X[keep][:300], names)
    assert clf.classes_.tolist() == list("abcde")
    assert set(clf.predict(X[:20])) <= set("abcde")
    wide = _small_stack(n_classes=8, random_state=0).fit(X[keep][:300], y[keep][:300])
    P = wide.predict_proba(X[:10])
    assert P.shape == (10, 8) and np.allclose(P.sum(axis=1), 1.0) and np.all(P[:, 5:] == 0)


def test_stacking_nested_parameters_and_clone():
    clf = make_model("stacking", random_state=0, mlp__epochs=3, random_forest__n_estimators=5)
    params = clf.get_params()
    assert params["mlp__epochs"] == 3 and params["random_forest__n_estimators"] == 5
    twin = clone(clf)
    assert (
        twin.get_params()["mlp__epochs"] == 3 and twin.estimators[0][1] is not clf.estimators[0][1]
    )
    with pytest.raises(ValueError, match="has no parameter"):
        make_model("stacking", mlp__bogus=1)


def test_stacking_target_and_shadows_through_the_pipeline(digits):
    X, y = digits
    params = {"mlp__epochs": 5, "mlp__hidden_layer_sizes": (16,), "random_forest__n_estimators": 5}
    target = train_target(
        X, y, target_size=300, model="stacking", model_params=params, random_state=0
    )
    assert isinstance(target.model, DisjointStackingClassifier)
    assert target.model.n_classes == 10 and [len(p) for p in target.model.parts_] == [100] * 3
    shadows = train_shadows(target, n_shadows=2, random_state=1)
    assert all(isinstance(m, DisjointStackingClassifier) for m in shadows.models_)
    assert shadows.models_[0].get_params()["mlp__epochs"] == 5  # the attacker copies it
    assert len(shadows.attack_data_) == 2 * 2 * 300


def test_stacking_refuses_too_few_records_and_bad_models():
    X = np.arange(4.0).reshape(2, 2)
    with pytest.raises(ValueError, match="got 2 sample.*needs at least 3 records"):
        _small_stack().fit(X, [0, 1])
    with pytest.raises(TypeError, match="has no predict_proba"):
        from sklearn.svm import LinearSVC

        DisjointStackingClassifier([("svc", LinearSVC())]).fit(X, [0, 1])
    with pytest.raises(ValueError, match="list of \\(name, estimator\\) pairs"):
        DisjointStackingClassifier([GaussianNB()]).fit(X, [0, 1])


# ---------------------------------------------------------------- the anonymiser
NAMES = [
    "age",
    "fnlwgt",
    "education=Bachelors",
    "education=Doctorate",
    "education=HS-grad",
    "education=Masters",
    "education-num",
    "marital-status=Divorced",
    "marital-status=Never-married",
    "marital-status=Separated",
    "race=Asian-Pac-Islander",
    "race=Black",
    "race=White",
    "sex=Female",
    "sex=Male",
    "native-country=Canada",
    "native-country=Mexico",
    "native-country=United-States",
]


def _record(age, edu, marital, race, sex, country, w=0.5):
    lo, hi = ADULT_AGE_RANGE
    row = dict.fromkeys(NAMES, 0.0)
    row.update(
        {
            "age": (age - lo) / (hi - lo),
            "fnlwgt": w,
            f"education={edu}": 1.0,
            "education-num": {"HS-grad": 9, "Bachelors": 13, "Masters": 14, "Doctorate": 16}[edu]
            / 16,
            f"marital-status={marital}": 1.0,
            f"race={race}": 1.0,
            f"sex={sex}": 1.0,
            f"native-country={country}": 1.0,
        }
    )
    return [row[n] for n in NAMES]


@pytest.fixture
def table():
    return np.array(
        [
            _record(23, "HS-grad", "Never-married", "White", "Male", "United-States", 0.1),
            _record(27, "HS-grad", "Never-married", "White", "Male", "United-States", 0.2),
            _record(41, "Masters", "Divorced", "Black", "Female", "Mexico", 0.3),
            _record(46, "Doctorate", "Separated", "Asian-Pac-Islander", "Female", "Canada", 0.4),
            _record(52, "Bachelors", "Never-married", "White", "Female", "United-States", 0.5),
        ],
        dtype=np.float32,
    )


def test_generalise_adult_does_exactly_what_it_says(table):
    G, names = generalise_adult(table, NAMES)
    assert G.shape[0] == 5 and "education-num" not in names
    assert [n for n in names if n.startswith(("education", "marital"))] == [
        "education=Advanced",
        "education=Bachelors",
        "education=HS-grad",
        "marital-status=Never-married",
        "marital-status=Previously-married",
    ]
    assert [n for n in names if n.startswith(("race", "native"))] == [
        "race=Other",
        "race=White",
        "native-country=Other",
        "native-country=United-States",
    ]
    lo, hi = ADULT_AGE_RANGE
    ages = G[:, names.index("age")] * (hi - lo) + lo
    assert ages.round().tolist() == [20, 20, 40, 40, 50]
    np.testing.assert_array_equal(G[:, names.index("fnlwgt")], table[:, NAMES.index("fnlwgt")])
    onehot = [i for i, n in enumerate(names) if "=" in n]
    assert set(np.unique(G[:, onehot])) <= {0.0, 1.0}
    for attr in ("education", "marital-status", "race", "sex", "native-country"):
        cols = [i for i, n in enumerate(names) if n.startswith(attr + "=")]
        assert np.all(G[:, cols].sum(axis=1) == 1)  # still one category per record
    # k-anonymity: before, every record is alone; after, two pairs share their group
    assert group_sizes(table, NAMES).tolist() == [1, 1, 1, 1, 1]
    assert group_sizes(G, names).tolist() == [2, 2, 2, 2, 1]
    assert k_anonymous_share(G, names, 2) == 0.8 and k_anonymous_share(table, NAMES, 1) == 1.0
    # the attributes that are not quasi-identifiers still single the records out
    assert group_sizes(G, names, ["age", "fnlwgt"]).tolist() == [1, 1, 1, 1, 1]


def test_generalise_adult_options(table):
    raw_age = table.copy()
    raw_age[:, 0] = [23, 27, 41, 46, 52]
    G, names = generalise_adult(raw_age, NAMES, age_range=None, age_band=20, merges={}, drop=())
    assert G[:, 0].tolist() == [20, 20, 40, 40, 40] and names == NAMES
    same, _ = generalise_adult(table, NAMES, age_band=None, merges={}, drop=())
    np.testing.assert_array_equal(same, table)
    with pytest.raises(ValueError, match="does not hold ages min-max scaled"):
        generalise_adult(raw_age, NAMES)


def test_generalise_adult_on_the_loader(mia_data_dir):
    from mia_lib.datasets import load_dataset

    data = load_dataset("adult")
    G, names = generalise_adult(data.X, data.feature_names)
    assert G.shape == (len(data.X), 49) and len(names) == 49
    lo, hi = ADULT_AGE_RANGE
    ages = np.unique(np.round(G[:, names.index("age")] * (hi - lo) + lo))
    assert ages.tolist() == [17, 20, 30, 40, 50, 60, 70, 80, 90]
    rows = np.random.default_rng(0).choice(len(G), 2000, replace=False)
    assert (
        k_anonymous_share(G[rows], names, 5)
        > 0.5
        > k_anonymous_share(data.X[rows], data.feature_names, 5)
    )
    with pytest.raises(ValueError, match="needs the one-hot encoding"):
        ordinal = load_dataset("adult", encoding="ordinal")
        generalise_adult(ordinal.X, ordinal.feature_names)


# ---------------------------------------------------------------- the replication
@pytest.fixture(scope="module")
def smoke():
    import os

    if not os.environ.get("MIA_DATA_DIR"):
        pytest.skip("MIA_DATA_DIR is not set (the anonymisation smoke entry uses Adult)")
    return run_experiment("defences_training", "smoke", seed=0)["results"]["rows"]


def test_smoke_rows_cover_every_part_setting_and_attacker(smoke):
    prof = load_profile("defences_training", "smoke")
    want = set()
    for key, entry in prof.datasets.items():
        opts = {**prof.options, **entry.options}
        for part in opts["parts"]:
            for setting, *_ in part_settings(part, entry, prof.options):
                want |= {(part, key, setting, a) for a in ATTACKERS}
    assert {(r["part"], r["dataset"], r["setting"], r["attack"]) for r in smoke} == want
    for r in smoke:
        assert r["gap"] == pytest.approx(r["train_acc"] - r["test_acc"])
        assert r["fit_s"] > 0 and r["auc_ci"][0] <= r["auc_ci"][1]


def test_smoke_undefended_settings_are_one_model(smoke):
    by = {(r["part"], r["setting"], r["attack"]): r for r in smoke}
    for a in ATTACKERS:
        base = by[("l2", "wd=0", a)]
        for twin in [
            ("dropout", "dropout=0", a),
            ("early_stopping", "off", a),
            ("models", "mlp", a),
        ]:
            assert by[twin]["auc"] == base["auc"] and by[twin]["fit_s"] == base["fit_s"]
        # the weight decay changes the model, nothing else: same split and sizes
        assert by[("l2", "wd=0.01", a)]["target_size"] == base["target_size"]


def test_smoke_training_costs_and_anonymity(smoke):
    epochs = load_profile("defences_training", "smoke").datasets["digits"].params["epochs"]
    for r in smoke:
        if r["model"] == "mlp":
            assert 1 <= r["n_epochs"] <= epochs
        elif r["part"] == "models":
            assert r["n_epochs"] is None
    anon = {r["setting"]: r for r in smoke if r["part"] == "anonymisation" and r["attack"] == "gap"}
    assert set(anon) == {
        "raw_mlp",
        "generalised_mlp",
        "raw_random_forest",
        "generalised_random_forest",
    }
    raw, gen = anon["raw_mlp"]["k_anonymous_share"], anon["generalised_mlp"]["k_anonymous_share"]
    assert set(raw) == {"2", "5", "10"} and all(gen[k] > raw[k] for k in ("2", "5"))


def test_privacy_utility_points(smoke):
    pts = privacy_utility(smoke)
    assert len(pts) == len({(r["part"], r["dataset"], r["setting"]) for r in smoke})
    one = pts[(pts.part == "l2") & (pts.setting == "wd=0")].iloc[0]
    rows = [r for r in smoke if r["part"] == "l2" and r["setting"] == "wd=0"]
    assert one.tpr_at_1pct_fpr == max(r["tpr_at_1pct_fpr"] for r in rows)
    assert one.auc == max(r["auc"] for r in rows)


# ---------------------------------------------------------------- verdict rules
def _rows(part, ds, setting, *, test_acc, auc, precision=0.6, recall=0.6, **values):
    """The four attackers' rows of one target: Shokri's carries precision and recall, the
    strongest attack has AUC ``auc``."""
    out = []
    for i, a in enumerate(ATTACKERS):
        out.append(
            {
                "part": part,
                "dataset": ds,
                "setting": setting,
                "attack": a,
                "train_acc": 1.0,
                "test_acc": test_acc,
                "auc": auc - 0.02 * i,
                "tpr_at_1pct_fpr": 0.1 - 0.01 * i,
                "precision": precision if a == "shokri" else 0.5,
                "recall": recall if a == "shokri" else 0.5,
                **values,
            }
        )
    return out


def _l2(ds, series):
    return [
        r
        for wd, acc, auc in series
        for r in _rows("l2", ds, f"wd={wd:g}", test_acc=acc, auc=auc, weight_decay=wd)
    ]


@pytest.mark.parametrize(
    "series, word",
    [
        ([(0, 0.60, 0.90), (1e-3, 0.62, 0.80), (1e-1, 0.40, 0.55)], "reproduced"),
        ([(0, 0.60, 0.90), (1e-3, 0.60, 0.88), (1e-1, 0.40, 0.55)], "partly reproduced"),
        ([(0, 0.60, 0.90), (1e-3, 0.55, 0.85), (1e-1, 0.40, 0.55)], "reproduced"),  # boundary
        ([(0, 0.60, 0.90), (1e-3, 0.54, 0.80), (1e-1, 0.59, 0.89)], "not reproduced"),
    ],
)
def test_l2_useful(series, word):
    v = judge("shokri2017", "l2_useful", _l2("d", series))
    assert v.word == word and v.rule == {"effect": rules.EFFECT}


def test_l2_useful_numbers_and_two_datasets():
    rows = _l2("a", [(0, 0.6, 0.9), (1e-3, 0.62, 0.8), (1e-1, 0.4, 0.55)])
    rows += _l2("b", [(0, 0.6, 0.9), (1e-3, 0.6, 0.9), (1e-1, 0.6, 0.9)])
    v = rules.l2_useful(rows)
    assert v.word == "partly reproduced"
    a = v.numbers["datasets"]["a"]
    assert a["useful_weight_decay"] == 1e-3 and a["auc_useful"] == 0.8 and a["too_much"]
    assert rules.l2_useful([]).word == "not testable here"


def _models(ds, table):
    return [r for m, acc, auc in table for r in _rows("models", ds, m, test_acc=acc, auc=auc)]


@pytest.mark.parametrize(
    "table, word",
    [
        ([("lr", 0.84, 0.52), ("rf", 0.845, 0.69), ("nb", 0.35, 0.53)], "reproduced"),
        ([("lr", 0.84, 0.52), ("rf", 0.87, 0.57)], "reproduced"),  # boundary: 0.03, 0.05
        ([("lr", 0.84, 0.52), ("rf", 0.845, 0.55)], "not reproduced"),
        ([("lr", 0.84, 0.52), ("nb", 0.35, 0.70)], "not testable here"),
    ],
)
def test_model_choice(table, word):
    v = judge("truex2018", "model_choice", _models("adult", table))
    assert v.word == word


def test_model_choice_partly_and_least_leaking():
    rows = _models("a", [("lr", 0.84, 0.52), ("rf", 0.845, 0.69), ("knn", 0.83, 0.53)])
    rows += _models("b", [("lr", 0.84, 0.52), ("rf", 0.845, 0.53)])
    v = rules.model_choice(rows)
    assert v.word == "partly reproduced"
    a = v.numbers["datasets"]["a"]
    assert a["least_leaking_near_best"] == "lr" and a["most_leaking_near_best"] == "rf"
    assert a["widest_pair"] == "lr vs rf" and a["auc_difference"] == pytest.approx(0.17)


def _reduction_rows(part, ds, base, defended, before, after):
    value = {"dropout": lambda s: {"dropout": float(s.split("=")[1])}}.get(part, lambda s: {})
    return _rows(
        part, ds, base, test_acc=0.6, auc=0.9, precision=before[0], recall=before[1], **value(base)
    ) + _rows(
        part,
        ds,
        defended,
        test_acc=0.58,
        auc=0.8,
        precision=after[0],
        recall=after[1],
        **value(defended),
    )


@pytest.mark.parametrize(
    "before, after, word",
    [
        ((0.9, 0.95), (0.6, 0.7), "reproduced"),  # 33% and 26%
        ((0.9, 0.95), (0.75, 0.9), "partly reproduced"),  # lowers, by 17% only
        ((0.9, 0.95), (0.89, 0.95), "not reproduced"),
        ((0.9, 0.5), (0.6, 0.95), "partly reproduced"),  # recall rises: not lowered, but 33%
    ],
)
def test_dropout_and_stacking_reductions(before, after, word):
    rows = _reduction_rows("dropout", "loc", "dropout=0", "dropout=0.5", before, after)
    v = judge("salem2019", "dropout", rows)
    assert v.word == word and v.rule["paper_reduction"] == 0.3
    rows = _reduction_rows("stacking", "loc", "mlp", "stacking", before, after)
    rows += _rows("stacking", "loc", "random_forest", test_acc=0.5, auc=1.0, precision=1, recall=1)
    assert judge("salem2019", "stacking", rows).word == word


def test_reduction_numbers():
    rows = _reduction_rows("stacking", "a", "mlp", "stacking", (0.9, 0.95), (0.6, 0.7))
    rows += _reduction_rows("stacking", "b", "mlp", "stacking", (0.9, 0.95), (0.89, 0.95))
    v = rules.stacking(rows)
    assert v.word == "partly reproduced"
    a = v.numbers["datasets"]["a"]
    assert a["precision_reduction"] == pytest.approx(1 / 3) and a["lowers"]
    assert v.numbers["largest_reduction"] == pytest.approx(1 / 3) and v.numbers["reaches_paper"]
    assert rules.dropout(rows).word == "not testable here"  # no dropout rows


def _anon(ds, model, raw_auc, gen_auc):
    out = []
    for variant, a, share in (("raw", raw_auc, 0.07), ("generalised", gen_auc, 0.66)):
        out += _rows(
            "anonymisation",
            ds,
            f"{variant}_{model}",
            test_acc=0.84,
            auc=a,
            model_type=model,
            generalised=variant == "generalised",
            anon_k=5,
            k_anonymous_share={"2": 0.4, "5": share, "10": 0.0},
            auc_k_anonymous_members=a,
        )
    return out


@pytest.mark.parametrize(
    "raw, gen, word",
    [
        (0.70, 0.60, "reproduced"),
        (0.70, 0.65, "reproduced"),  # boundary: exactly EFFECT
        (0.70, 0.69, "not reproduced"),
        (0.55, 0.50, "not testable here"),  # the raw attack does not beat chance
    ],
)
def test_anonymisation(raw, gen, word):
    v = judge("truex2018", "anonymisation", _anon("adult", "random_forest", raw, gen))
    assert v.word == word
    n = v.numbers["datasets"]["adult"]["random_forest"]
    assert n["k_anonymous_raw"] == 0.07 and n["k_anonymous_generalised"] == 0.66
    assert n["auc_hidden_members"] == gen


def test_anonymisation_partly_over_model_types():
    rows = _anon("adult", "random_forest", 0.7, 0.6) + _anon("adult", "mlp", 0.7, 0.7)
    rows += _anon("adult", "knn", 0.52, 0.51)  # not tested
    v = rules.anonymisation(rows)
    assert v.word == "partly reproduced"
    assert "hardens" not in v.numbers["datasets"]["adult"]["knn"]


def test_rule_thresholds_are_the_stated_ones():
    assert (rules.EFFECT, rules.CHANCE_AUC) == (0.05, 0.6)
    assert (rules.SIMILAR_ACCURACY, rules.MIN_REDUCTION, rules.STACKING_BASELINE) == (
        0.03,
        0.10,
        "mlp",
    )
    for fn in (
        rules.l2_useful,
        rules.model_choice,
        rules.dropout,
        rules.stacking,
        rules.anonymisation,
    ):
        assert "rule" in fn.__doc__.lower()
