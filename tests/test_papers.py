"""Tests of mia_lib.papers: the published figures and the paper-vs-ours table."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from mia_lib.papers import (
    FIGURES,
    PAPERS,
    STATUSES,
    PaperFigure,
    difference,
    figures,
    format_value,
    get,
    paper_vs_ours,
)


def test_every_figure_has_valid_status_source_and_value():
    assert len(FIGURES) > 50
    for f in FIGURES:
        assert f.status in STATUSES
        assert f.paper in PAPERS
        assert isinstance(f.source, str) and f.source.strip()
        assert f.description.strip()
        if isinstance(f.value, tuple):
            lo, hi = f.value
            assert lo <= hi
        else:
            assert math.isfinite(float(f.value))


def test_keys_are_unique_per_paper():
    keys = [(f.paper, f.key) for f in FIGURES]
    assert len(keys) == len(set(keys))


def test_shokri_figures_present():
    s = {f.key: f for f in figures("shokri2017")}
    for ds in ("adult", "mnist", "locations", "purchase2", "purchase100", "texas"):
        assert s[f"train_acc_{ds}"].status == "transcribed"
        assert s[f"test_acc_{ds}"].status == "transcribed"
    assert s["test_acc_locations"].value == 0.673
    assert s["locations_precision"].value == (0.6, 0.8)
    assert s["purchase20_precision"].value == 0.6
    assert s["purchase50_precision"].value == 0.9
    assert s["cifar10_median_precision_10000"].value == 0.72
    assert s["shadow_model_recall"].value == 0.526
    assert len([k for k in s if k.startswith("mitigation_")]) == 44
    assert s["mitigation_l2_1e-2_recall"].value == 0.52


def test_other_papers_present():
    assert get("jia2019", "memguard_acc_0.3").value == 0.62
    assert get("carlini2022", "lira_online_fixed_tpr_0.1pct").value == pytest.approx(0.0593)
    assert get("hayes2019", "toy_blackbox").status == "repo"
    assert get("zarifzadeh2024", "rmia_offline_auc").status == "transcribed"


def test_lookup_errors_name_known_keys():
    with pytest.raises(KeyError, match="test_acc_adult"):
        get("shokri2017", "nope")
    with pytest.raises(KeyError, match="unknown paper"):
        get("nobody", "x")


def test_invalid_figure_rejected():
    with pytest.raises(ValueError, match="status"):
        PaperFigure("shokri2017", "k", "d", 0.5, "src", "memory")
    with pytest.raises(ValueError, match="source"):
        PaperFigure("shokri2017", "k", "d", 0.5, "", "survey")
    with pytest.raises(ValueError, match="ordered"):
        PaperFigure("shokri2017", "k", "d", (0.8, 0.6), "src", "survey")


def test_difference_scalar_and_range():
    f = get("shokri2017", "test_acc_adult")
    assert difference(f, 0.80) == pytest.approx(0.80 - 0.842)
    r = get("shokri2017", "locations_precision")
    assert difference(r, 0.7) == 0.0
    assert difference(r, 0.6) == 0.0
    assert difference(r, 0.9) == pytest.approx(0.1)
    assert difference(r, 0.5) == pytest.approx(-0.1)
    assert math.isnan(difference(f, None))
    assert math.isnan(difference(f, float("nan")))


def test_format_value():
    assert format_value(get("shokri2017", "train_acc_locations")) == "1.0†"
    assert format_value(get("shokri2017", "locations_precision")) == "0.6–0.8"
    assert format_value(get("shokri2017", "cifar10_median_precision_10000")) == "0.72"
    assert format_value(get("shokri2017", "n_records_purchase")) == "197,324†"


def test_paper_vs_ours_table():
    df = paper_vs_ours(
        [
            ("shokri2017", "test_acc_locations", 0.61234, "Locations test accuracy"),
            (get("shokri2017", "locations_precision"), 0.85),
            {
                "paper": "shokri2017",
                "key": "purchase20_precision",
                "ours": 0.55,
                "note": "Locations re-clustered",
            },
            ("shokri2017", "cifar10_median_precision_10000", None),
        ]
    )
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns) == [
        "quantity",
        "paper",
        "ours",
        "difference",
        "source",
        "status",
        "note",
    ]
    assert df.loc[0, "quantity"] == "Locations test accuracy"
    assert df.loc[0, "paper"] == "0.673†"
    assert df.loc[0, "ours"] == 0.612
    assert df.loc[0, "difference"] == pytest.approx(-0.061)
    assert df.loc[0, "status"] == "transcribed — check the original"
    assert df.loc[1, "paper"] == "0.6–0.8"
    assert df.loc[1, "difference"] == pytest.approx(0.05)
    assert df.loc[1, "status"] == "survey"
    assert df.loc[1, "quantity"] == get("shokri2017", "locations_precision").description
    assert df.loc[2, "difference"] == pytest.approx(-0.05)
    assert df.loc[2, "note"] == "Locations re-clustered"
    assert math.isnan(df.loc[3, "ours"]) and math.isnan(df.loc[3, "difference"])


def test_paper_vs_ours_without_notes_has_six_columns():
    df = paper_vs_ours([("shokri2017", "train_acc_adult", 0.85)])
    assert list(df.columns) == ["quantity", "paper", "ours", "difference", "source", "status"]
    assert df.loc[0, "difference"] == pytest.approx(0.002)
    with pytest.raises(ValueError):
        paper_vs_ours([("shokri2017", "train_acc_adult")])


def test_claims_have_sources_and_verdicts_are_checked():
    from mia_lib.papers import CLAIMS, claims_vs_ours, get_claim

    assert {c.paper for c in CLAIMS} == {
        "truex2018",
        "salem2019",
        "shokri2017",
        "choquette2021",
        "jia2019",
        "hayes2019",
        "gehrke2021",
    }
    assert len({(c.paper, c.key) for c in CLAIMS}) == len(CLAIMS)
    assert get_claim("salem2019", "top3").status == "repo"
    df = claims_vs_ours([("salem2019", "data_transfer", "precision 0.81", "partly reproduced")])
    assert list(df.columns) == ["claim", "ours", "verdict", "source", "status"]
    with pytest.raises(KeyError, match="known"):
        get_claim("truex2018", "nope")
    with pytest.raises(ValueError, match="verdict"):
        claims_vs_ours([("truex2018", "n_classes", "x", "maybe")])
