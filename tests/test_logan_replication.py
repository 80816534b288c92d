"""The replication ``hayes_logan`` (mia_lib.experiments.logan): its split, its settings and
its smoke rows."""

from __future__ import annotations

import numpy as np
import pytest

from mia_lib.experiments import load_profile, run_experiment
from mia_lib.experiments.logan import PARTS, logan_settings, member_split


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
        for attack in (("loss",) if part == "classifier" else ("white_box", "black_box"))
    }
    assert {(r["part"], r["setting"], r["attack"]) for r in rows} == want
    assert len({r["key"] for r in rows}) == len(rows)
    for r in rows:
        assert r["n_candidates"] == r["n_members"] * (1 + prof.options["candidates_per_member"])
        assert r["baseline"] == pytest.approx(r["n_members"] / r["n_candidates"])
        assert 0 <= r["top_n_accuracy"] <= 1 and 0 <= r["auc"] <= 1
        assert r["fit_s"] > 0 and (r["attack_fit_s"] > 0) == (r["attack"] == "black_box")
        gan_row = r["part"] != "classifier"
        assert (r["sample_fd"] is not None) == gan_row and (r["sample_fd"] or 0) >= 0
        assert (r["attacker_fd"] is not None) == (r["attack"] == "black_box")


def test_the_undefended_gan_is_trained_once_for_both_parts(smoke):
    rows = {r["key"]: r for r in smoke["results"]["rows"]}
    for attack in ("white_box", "black_box"):
        a = rows[f"defences/fashion_mnist/none/{attack}"]
        b = rows[f"epochs/fashion_mnist/epochs={a['epochs']}/{attack}"]
        assert a["top_n_accuracy"] == b["top_n_accuracy"] and a["fit_s"] == b["fit_s"]
