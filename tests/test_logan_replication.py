"""The replication ``hayes_logan`` (mia_lib.experiments.logan): its split, its settings and
its smoke rows."""

from __future__ import annotations

import numpy as np
import pytest

from mia_lib.experiments import load_profile, run_experiment
from mia_lib.experiments.logan import PARTS, logan_settings, member_split

#: The attacks each part runs.
ATTACKS = {
    "epochs": ("white_box", "black_box"),
    "auxiliary": ("black_box_aux",),
    "defences": ("white_box", "black_box"),
    "classifier": ("loss",),
}


@pytest.fixture(scope="module")
def smoke(mia_data_dir_module):
    return run_experiment("hayes_logan", "smoke", seed=0)


@pytest.fixture(scope="module")
def mia_data_dir_module():
    import os

    if not os.environ.get("MIA_DATA_DIR"):
        pytest.skip("MIA_DATA_DIR is not set (the smoke profile uses Fashion-MNIST)")


def test_member_split_is_seeded_disjoint_and_members_first():
    members, cands = member_split(1000, 50, 9, random_state=0)
    again, _ = member_split(1000, 50, 9, random_state=0)
    other, _ = member_split(1000, 50, 9, random_state=1)
    assert len(members) == 50 and len(cands) == 500 and len(set(cands)) == 500
    np.testing.assert_array_equal(cands[:50], members)
    np.testing.assert_array_equal(members, again)
    assert not np.array_equal(members, other)
    with pytest.raises(ValueError, match="need 1000 images; the dataset has 999"):
        member_split(999, 100, 9, random_state=0)


def test_settings_of_each_part_and_their_errors():
    opts = {"gan": {"width": 8}, "epochs": [2, 5], "dropout": 0.3}
    assert [s for s, _ in logan_settings("epochs", opts)] == ["epochs=2", "epochs=5"]
    defences = dict(logan_settings("defences", opts))
    assert defences["none"] == {"width": 8, "epochs": 5}
    assert defences["dropout=0.3"]["dropout"] == 0.3
    assert defences["weight_norm"]["weight_norm"] is True
    with pytest.raises(ValueError, match="needs the option 'epochs'"):
        logan_settings("epochs", {})
    assert logan_settings("classifier", {"classifier": {"epochs": 3}}) == [
        ("classifier", {"epochs": 3})
    ]
    aux = logan_settings("auxiliary", {**opts, "defence_epochs": 4, "aux_share": 0.2})
    assert aux == [("test=0.2", {"width": 8, "epochs": 4}), ("train+test=0.2", aux[0][1])]
    with pytest.raises(ValueError, match=r"aux_share must be in \(0, 1\), got 1.0"):
        logan_settings("auxiliary", {**opts, "aux_share": 1})
    with pytest.raises(ValueError, match="unknown part 'aux'"):
        logan_settings("aux", opts)


def test_smoke_rows_cover_every_part_setting_and_attack(smoke):
    prof = load_profile("hayes_logan", "smoke")
    rows = smoke["results"]["rows"]
    opts = {**prof.options, **prof.datasets["fashion_mnist"].options}
    want = {
        (part, setting, attack)
        for part in PARTS
        for setting, _ in logan_settings(part, opts)
        for attack in ATTACKS[part]
    }
    assert {(r["part"], r["setting"], r["attack"]) for r in rows} == want
    assert len({r["key"] for r in rows}) == len(rows)
    per = prof.options["candidates_per_member"]
    n = prof.datasets["fashion_mnist"].target_size
    share = prof.options["aux_share"]
    for r in rows:
        if r["part"] == "auxiliary":  # the known records are not ranked
            known_in = round(share * n) if r["setting"].startswith("train+test") else 0
            assert r["n_members"] == n - known_in
            assert r["n_candidates"] == n * (1 + per) - known_in - round(share * n * per)
        else:
            assert (r["n_members"], r["n_candidates"]) == (n, n * (1 + per))
        assert r["baseline"] == pytest.approx(r["n_members"] / r["n_candidates"])
        assert 0 <= r["top_n_accuracy"] <= 1 and 0 <= r["auc"] <= 1
        assert r["fit_s"] > 0 and (r["attack_fit_s"] > 0) == r["attack"].startswith("black")
        white_or_black = r["attack"] in ("white_box", "black_box")
        assert (r["sample_fd"] is not None) == white_or_black and (r["sample_fd"] or 0) >= 0
        assert (r["attacker_fd"] is not None) == (r["attack"] == "black_box")


def test_the_undefended_gan_is_trained_once_for_both_parts(smoke):
    rows = {r["key"]: r for r in smoke["results"]["rows"]}
    for attack in ("white_box", "black_box"):
        a = rows[f"defences/fashion_mnist/none/{attack}"]
        b = rows[f"epochs/fashion_mnist/epochs={a['epochs']}/{attack}"]
        assert a["top_n_accuracy"] == b["top_n_accuracy"] and a["fit_s"] == b["fit_s"]


def test_snapshots_give_the_rows_of_separate_runs(smoke):
    """Part epochs trains one GAN and attacks its snapshots: the row of the shorter one is
    that of a GAN trained for so many epochs alone."""
    from mia_lib.datasets import load_dataset
    from mia_lib.experiments import load_profile
    from mia_lib.gan_attacks import WhiteBoxGANAttack, top_n_accuracy
    from mia_lib.models import DCGAN
    from mia_lib.seeding import int_seed, spawn

    prof = load_profile("hayes_logan", "smoke")
    entry = prof.datasets["fashion_mnist"]
    opts = {**prof.options, **entry.options}
    data = load_dataset(entry.source, **entry.load)
    split_seq, gan_seq, _ = spawn(0, 3)
    members, cands = member_split(len(data.X), entry.target_size, 3, split_seq)
    first = min(opts["epochs"])
    gan = DCGAN(**opts["gan"], epochs=first, random_state=int_seed(gan_seq))
    gan.fit(np.asarray(data.X[members], dtype=np.float32))
    s = WhiteBoxGANAttack().fit(gan).score_samples(np.asarray(data.X[cands], np.float32))
    m = np.r_[np.ones(len(members)), np.zeros(len(cands) - len(members))]
    rows = {r["key"]: r for r in smoke["results"]["rows"]}
    row = rows[f"epochs/fashion_mnist/epochs={first}/white_box"]
    assert row["top_n_accuracy"] == top_n_accuracy(m, s)


def test_an_epochs_override_that_changes_nothing_is_refused():
    from mia_lib.experiments import ProfileError

    with pytest.raises(ProfileError, match="epochs has no effect on hayes_logan"):
        load_profile("hayes_logan", "smoke", epochs=3)
    # where an entry trains a model with epochs, the override applies
    p = load_profile("shokri_datasets", "quick", epochs=5)
    assert all(e.params["epochs"] == 5 for e in p.datasets.values() if "epochs" in e.params)
