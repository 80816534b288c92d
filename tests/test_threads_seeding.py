"""The thread context and the seeding helper."""

import numpy as np
import pytest
import torch
from threadpoolctl import threadpool_info

from mia_lib import seeding, threads


def _pool_threads():
    return {p["num_threads"] for p in threadpool_info()}


def test_limit_threads_sets_torch_and_openmp_and_restores():
    before = torch.get_num_threads()
    with threads.limit_threads(1) as n:
        assert n == 1 and torch.get_num_threads() == 1
        assert _pool_threads() <= {1}
    assert torch.get_num_threads() == before


def test_limit_threads_restores_after_an_exception():
    before = torch.get_num_threads()
    with pytest.raises(RuntimeError), threads.limit_threads(1):
        raise RuntimeError("boom")
    assert torch.get_num_threads() == before


@pytest.mark.parametrize("bad", [0, -3, 1.5, "2", True])
def test_thread_counts_must_be_positive_integers(bad):
    with pytest.raises(ValueError, match="positive integer"), threads.limit_threads(bad):
        pass


def test_environment_variable(monkeypatch):
    monkeypatch.setattr(threads, "_session", {})
    monkeypatch.setenv("MIA_THREADS", "2")
    assert threads.default_threads() == 2
    monkeypatch.setenv("MIA_THREADS", "zero")
    with pytest.raises(ValueError, match="MIA_THREADS"):
        threads.default_threads()


def test_set_threads_is_the_session_default(monkeypatch):
    monkeypatch.setattr(threads, "_session", {})
    before = torch.get_num_threads()
    try:
        assert threads.set_threads(1) == 1
        assert threads.default_threads() == 1
        with threads.limit_threads():
            assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)


def test_spawned_seeds_are_independent_not_sums():
    # seed + r made the shadows of repeat r reuse the target seed of repeat r + 1
    rep0_target, rep0_shadow = (seeding.int_seed(s) for s in seeding.spawn(0, 2))
    rep1_target, rep1_shadow = (seeding.int_seed(s) for s in seeding.spawn(1, 2))
    assert len({rep0_target, rep0_shadow, rep1_target, rep1_shadow}) == 4


@pytest.mark.parametrize(
    "rs", [0, np.random.default_rng(0), np.random.RandomState(0), np.random.SeedSequence(0), None]
)
def test_every_random_state_kind_is_accepted(rs):
    assert 0 <= seeding.int_seed(rs) < 2**31
    assert len(seeding.spawn(rs, 3)) == 3
    assert isinstance(seeding.generator(rs), np.random.Generator)


def test_a_seed_sequence_gives_the_same_children_every_time():
    ss = np.random.SeedSequence(4)
    a = [seeding.int_seed(c) for c in seeding.spawn(ss, 2)]
    b = [seeding.int_seed(c) for c in seeding.spawn(ss, 2)]
    assert a == b


@pytest.mark.parametrize("bad", [-1, "3", 2.5, True, [1, 2]])
def test_bad_random_states_are_refused(bad):
    with pytest.raises((TypeError, ValueError), match="random_state"):
        seeding.seed_sequence(bad)
