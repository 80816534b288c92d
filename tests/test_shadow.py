import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.tree import DecisionTreeClassifier

from mia_lib.shadow import ShadowModels, attack_dataset
from mia_lib.splits import shadow_splits


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return (X / 16).astype(np.float32), y


def test_attack_set_is_built_as_shokri_describes(digits):
    X, y = digits
    sh = ShadowModels(DecisionTreeClassifier(), n_shadows=3, shadow_size=200, random_state=0)
    sh.fit(X, y)
    data = sh.attack_data_
    assert len(data) == 3 * 400 and data.membership.sum() == 600
    for i, (model, split) in enumerate(zip(sh.models_, sh.splits_, strict=True)):
        rows = data.source == i
        # the "in" rows are exactly the shadow's training records, labelled 1, with its outputs
        in_rows = rows & (data.membership == 1)
        assert np.array_equal(data.labels[in_rows], y[split.in_idx])
        assert np.allclose(data.posteriors[in_rows], model.predict_proba(X[split.in_idx]))
        # a decision tree memorises its training set: in-records are predicted right
        assert np.all(data.posteriors[in_rows].argmax(1) == data.labels[in_rows])


def test_shadows_differ_and_are_seeded(digits):
    X, y = digits
    a = ShadowModels("logistic_regression", n_shadows=2, shadow_size=300, random_state=0).fit(X, y)
    b = ShadowModels("logistic_regression", n_shadows=2, shadow_size=300, random_state=0).fit(X, y)
    assert np.array_equal(a.splits_[0].in_idx, b.splits_[0].in_idx)
    assert not np.array_equal(a.splits_[0].in_idx, a.splits_[1].in_idx)
    assert np.allclose(a.attack_data_.posteriors, b.attack_data_.posteriors)


def test_batched_mlp_shadows_give_full_width_posteriors(digits):
    X, y = digits
    sh = ShadowModels(
        "mlp",
        n_shadows=4,
        shadow_size=150,
        model_params={"epochs": 5},
        n_classes=12,
        random_state=0,
    ).fit(X, y)
    assert sh.attack_data_.posteriors.shape == (4 * 300, 12)
    assert len(sh.models_) == 4


def test_attack_dataset_needs_one_split_per_model(digits):
    X, y = digits
    splits = shadow_splits(np.arange(len(X)), 2, 100, random_state=0)
    with pytest.raises(ValueError, match="one split a model"):
        attack_dataset([DecisionTreeClassifier().fit(X, y)], X, y, splits, 10)


def test_combined_shadow_pools_every_kind_on_shared_splits(digits):
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression

    X, y = digits
    kinds = ["logistic_regression", "random_forest", "mlp"]
    sh = ShadowModels(
        kinds, n_shadows=2, shadow_size=150, model_params=[{}, {}, {"epochs": 3}], random_state=0
    ).fit(X, y)
    assert len(sh.models_) == len(sh.splits_) == 6
    assert sh.kinds_.tolist() == [0, 1, 2, 0, 1, 2]
    assert isinstance(sh.models_[0], LogisticRegression)
    assert isinstance(sh.models_[4], RandomForestClassifier)
    # the models of one split share its in/out sets; different splits differ
    assert sh.splits_[0] is sh.splits_[1] is sh.splits_[2]
    assert not np.array_equal(sh.splits_[0].in_idx, sh.splits_[3].in_idx)
    data = sh.attack_data_
    assert len(data) == 6 * 300 and data.membership.sum() == 900
    for i, (model, split) in enumerate(zip(sh.models_, sh.splits_, strict=True)):
        rows = (data.source == i) & (data.membership == 1)
        assert np.allclose(data.posteriors[rows], model.predict_proba(X[split.in_idx]), atol=1e-6)
    # rows of one kind are exactly that kind's shadows
    assert set(np.unique(data.source[sh.kinds_[data.source] == 1]).tolist()) == {1, 4}


def test_list_of_one_model_equals_the_single_model(digits):
    X, y = digits
    a = ShadowModels("logistic_regression", n_shadows=2, shadow_size=200, random_state=3).fit(X, y)
    b = ShadowModels(["logistic_regression"], n_shadows=2, shadow_size=200, random_state=3)
    b.fit(X, y)
    assert np.array_equal(a.attack_data_.posteriors, b.attack_data_.posteriors)
    assert a.kinds_.tolist() == b.kinds_.tolist() == [0, 0]


@pytest.mark.parametrize(
    ("model", "params", "match"),
    [
        ([], None, "empty list"),
        (["logistic_regression", "random_forest"], [{}], "list of 2 dicts"),
        (["logistic_regression", "random_forest"], {"C": 1.0}, "list of 2 dicts"),
        ("logistic_regression", [{}], "must be a dict"),
    ],
)
def test_combined_shadow_rejects_bad_model_lists(digits, model, params, match):
    X, y = digits
    with pytest.raises(ValueError, match=match):
        ShadowModels(model, n_shadows=1, shadow_size=100, model_params=params).fit(X, y)


def test_batched_and_one_by_one_shadows_are_the_same_models(digits):
    X, y = digits
    kw = dict(n_shadows=3, shadow_size=150, model_params={"epochs": 3}, random_state=5)
    a = ShadowModels("mlp", batched=True, **kw).fit(X, y)
    b = ShadowModels("mlp", batched=False, **kw).fit(X, y)
    assert [m.random_state for m in a.models_] == [m.random_state for m in b.models_]
    assert np.allclose(a.attack_data_.posteriors, b.attack_data_.posteriors, atol=1e-4)


def test_shadows_accept_a_generator_and_check_their_settings(digits):
    X, y = digits
    rng = np.random.default_rng(0)
    ShadowModels("naive_bayes", n_shadows=1, shadow_size=100, random_state=rng).fit(X, y)
    with pytest.raises(ValueError, match="n_shadows must be an integer"):
        ShadowModels("naive_bayes", n_shadows=0, shadow_size=100).fit(X, y)
    with pytest.raises(ValueError, match="shadow_size must be an integer"):
        ShadowModels("naive_bayes", n_shadows=1, shadow_size=1.5).fit(X, y)
