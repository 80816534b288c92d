import numpy as np
import pytest

from mia_lib.splits import membership_split, shadow_splits


def test_membership_split_disjoint_and_sized():
    s = membership_split(1000, target_size=200, shadow_pool_size=500, random_state=1)
    sets = [set(s.target_in), set(s.target_out), set(s.shadow_pool)]
    assert [len(x) for x in sets] == [200, 200, 500]
    assert not (sets[0] & sets[1]) and not (sets[0] & sets[2]) and not (sets[1] & sets[2])
    idx, member = s.evaluation()
    assert member.sum() == 200 and len(idx) == 400


def test_membership_split_seeded():
    a = membership_split(100, target_size=10, random_state=3)
    b = membership_split(100, target_size=10, random_state=3)
    c = membership_split(100, target_size=10, random_state=4)
    assert np.array_equal(a.target_in, b.target_in)
    assert not np.array_equal(a.target_in, c.target_in)


def test_membership_split_stratified_keeps_proportions():
    y = np.repeat([0, 1, 2], [500, 300, 200])
    s = membership_split(len(y), target_size=100, stratify=y, random_state=0)
    counts = np.bincount(y[s.target_in], minlength=3)
    assert np.all(np.abs(counts - [50, 30, 20]) <= 1)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"target_size": 60}, "exceeds the 100 records"),
        ({"target_size": 0}, "positive integer"),
        ({"target_size": 10, "shadow_pool_size": 90}, "shadow_pool_size must be between"),
    ],
)
def test_membership_split_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        membership_split(100, **kwargs)


def test_shadow_splits_overlap_allowed_but_in_out_disjoint():
    splits = shadow_splits(np.arange(50), n_shadows=5, shadow_size=20, random_state=0)
    for s in splits:
        assert not set(s.in_idx) & set(s.out_idx)
    # with 5 x 20 "in" records drawn from 50, shadows must share records
    union = set().union(*[set(s.in_idx) for s in splits])
    assert len(union) < 5 * 20


def test_shadow_splits_disjoint():
    splits = shadow_splits(
        np.arange(200), n_shadows=5, shadow_size=20, disjoint=True, random_state=0
    )
    all_idx = np.concatenate([np.r_[s.in_idx, s.out_idx] for s in splits])
    assert len(np.unique(all_idx)) == len(all_idx) == 200


def test_shadow_splits_refuse_target_records_unless_asked():
    s = membership_split(300, target_size=50, random_state=0)
    eval_idx, _ = s.evaluation()
    with pytest.raises(ValueError, match="target's evaluation records"):
        shadow_splits(np.arange(300), 2, 20, exclude=eval_idx)
    assert (
        len(shadow_splits(np.arange(300), 2, 20, exclude=eval_idx, allow_target_overlap=True)) == 2
    )
    ok = shadow_splits(s.shadow_pool, 2, 20, exclude=eval_idx, random_state=0)
    assert not set(np.concatenate([ok[0].in_idx, ok[1].out_idx])) & set(eval_idx)


def test_shadow_splits_too_large():
    with pytest.raises(ValueError, match="lower shadow_size"):
        shadow_splits(np.arange(30), 2, 20)


@pytest.mark.parametrize(
    "stratify, match",
    [
        (np.arange(300) % 2, "300 labels but there are 100 records"),
        (np.arange(50) % 2, "50 labels but there are 100 records"),
        (np.where(np.arange(100) < 10, np.nan, 1.0), "NaN"),
        (np.array([None] * 5 + [1] * 95, dtype=object), "None or NaN"),
        (np.zeros((100, 2)), "1-D"),
    ],
)
def test_membership_split_validates_stratify(stratify, match):
    # before: 72 indices >= 100 came back, a shadow pool of 10 instead of 60, or every
    # target member drawn among the NaN-labelled records
    with pytest.raises(ValueError, match=match):
        membership_split(100, target_size=20, stratify=stratify, random_state=0)


def test_membership_split_stratified_indices_are_in_range():
    y = np.arange(100) % 3
    s = membership_split(100, target_size=20, stratify=y, random_state=0)
    all_idx = np.r_[s.target_in, s.target_out, s.shadow_pool]
    assert all_idx.max() < 100 and len(np.unique(all_idx)) == 100


def test_splits_accept_a_generator_and_a_seed_sequence():
    a = membership_split(100, target_size=10, random_state=np.random.default_rng(5))
    b = membership_split(100, target_size=10, random_state=np.random.default_rng(5))
    assert np.array_equal(a.target_in, b.target_in)
    c = shadow_splits(np.arange(100), 2, 10, random_state=np.random.SeedSequence(1))
    d = shadow_splits(np.arange(100), 2, 10, random_state=np.random.SeedSequence(1))
    assert np.array_equal(c[1].in_idx, d[1].in_idx)


def test_shadow_splits_reject_negative_indices():
    # before: record 99 (also reachable as -1) was both "in" and "out" in 104 of 200 seeds
    with pytest.raises(ValueError, match="negative indices"):
        shadow_splits(np.r_[np.arange(100), -1], 1, 50)


def test_shadow_pool_size_must_be_an_integer():
    with pytest.raises(ValueError, match="shadow_pool_size must be an integer"):
        membership_split(100, target_size=10, shadow_pool_size=5.5)
