"""Tests of the data files of mia_lib.papers: loading, validation, and the setting marker."""

from __future__ import annotations

import math
import tomllib
from importlib.resources import files

import pytest

from mia_lib.papers import (
    CLAIMS,
    FIGURES,
    PAPERS,
    PaperClaim,
    PaperFigure,
    claims_vs_ours,
    get,
    get_claim,
    load_claims,
    load_figures,
    paper_vs_ours,
    verdicts,
)

GOOD = """
[[figure]]
paper = "jia2019"
key = "a"
description = "d"
value = 0.5
source = "README"
status = "repo"
"""


def _fig(**fields) -> str:
    base = {
        "paper": '"jia2019"',
        "key": '"b"',
        "description": '"d"',
        "value": "0.5",
        "source": '"README"',
        "status": '"repo"',
    }
    base.update(fields)
    body = "\n".join(f"{k} = {v}" for k, v in base.items() if v is not None)
    return GOOD + "\n[[figure]]\n" + body + "\n"


def test_data_files_are_package_resources_and_fully_loaded():
    root = files("mia_lib.papers")
    figs = tomllib.loads(root.joinpath("figures.toml").read_text(encoding="utf-8"))["figure"]
    cls = tomllib.loads(root.joinpath("claims.toml").read_text(encoding="utf-8"))["claim"]
    assert len(figs) == len(FIGURES) and len(cls) == len(CLAIMS)
    assert load_figures() == FIGURES and load_claims() == CLAIMS


def test_every_paper_has_figures_or_claims():
    used = {f.paper for f in FIGURES} | {c.paper for c in CLAIMS}
    assert used == set(PAPERS)


def test_values_are_floats_and_ranges_tuples():
    for f in FIGURES:
        if f.is_range:
            assert isinstance(f.value, tuple) and all(type(v) is float for v in f.value)
        else:
            assert type(f.value) is float and math.isfinite(f.value)
    assert get("shokri2017", "n_records_purchase").value == 197324.0


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"key": '"a"'}, r"figure #2 \(jia2019/a\): duplicate key, first given in figure #1"),
        ({"value": "nan"}, r"figure #2 \(jia2019/b\): value of b must be finite"),
        ({"value": "inf"}, "must be finite"),
        ({"value": "[0.8, 0.6]"}, r"figure #2 \(jia2019/b\): range \(0.8, 0.6\) .* not ordered"),
        ({"value": "[0.1, 0.2, 0.3]"}, "must be \\(lo, hi\\)"),
        ({"value": "true"}, "must be a number"),
        ({"value": '"0.5"'}, "must be a number"),
        ({"status": '"memory"'}, "status must be one of"),
        ({"paper": '"nobody"'}, "unknown paper 'nobody'"),
        ({"source": '""'}, "has no source"),
        ({"description": '" "'}, "has no description"),
        ({"source": None}, r"missing field\(s\) \['source'\]"),
        ({"stauts": '"repo"'}, r"unknown field\(s\) \['stauts'\]"),
    ],
)
def test_invalid_figure_entries_name_the_file_and_entry(fields, message):
    text = _fig(**fields)
    with pytest.raises(ValueError, match=message) as err:
        load_figures(text, name="mine.toml")
    assert str(err.value).startswith("mine.toml: ")


def test_invalid_files_are_rejected_with_the_file_name():
    with pytest.raises(ValueError, match="mine.toml: not valid TOML"):
        load_figures("[[figure]\n", name="mine.toml")
    with pytest.raises(ValueError, match=r"mine.toml: unknown top-level keys \['claim'\]"):
        load_figures(GOOD + '[[claim]]\nkey = "x"\n', name="mine.toml")
    with pytest.raises(ValueError, match="array of tables"):
        load_figures("figure = 3\n", name="mine.toml")
    with pytest.raises(ValueError, match="is not a table"):
        load_figures("figure = [1, 2]\n", name="mine.toml")
    assert load_figures("", name="empty.toml") == ()
    assert load_figures(GOOD)[0].value == 0.5


def test_invalid_claim_entries_name_the_file_and_entry():
    ok = 'paper = "truex2018"\nkey = "k"\nclaim = "c"\nsource = "s"\nstatus = "survey"\n'
    assert load_claims("[[claim]]\n" + ok)[0].key == "k"
    with pytest.raises(ValueError, match=r"claims.toml: claim #2 \(truex2018/k\): duplicate"):
        load_claims("[[claim]]\n" + ok + "[[claim]]\n" + ok)
    with pytest.raises(ValueError, match="has no text"):
        load_claims("[[claim]]\n" + ok.replace('claim = "c"', 'claim = ""'))
    with pytest.raises(ValueError, match=r"unknown field\(s\) \['value'\]"):
        load_claims("[[claim]]\n" + ok + "value = 1\n")


def test_figure_notes_and_direct_construction():
    assert get("shokri2017", "test_acc_locations").note.startswith("corroborated")
    assert get("shokri2017", "locations_precision").note == ""
    f = PaperFigure("jia2019", "k", "d", [0.1, 0.2], "README", "repo")
    assert f.value == (0.1, 0.2) and f.is_range
    with pytest.raises(ValueError, match="has no key"):
        PaperFigure("jia2019", "", "d", 0.1, "README", "repo")


def test_every_claim_names_an_existing_rule_for_its_experiment():
    for c in CLAIMS:
        fn = verdicts.rule_of(c)
        assert c.rule == f"{c.experiment}.{c.key}"
        assert fn.__module__ == f"mia_lib.papers.verdicts.{c.experiment}"
        assert "rule" in (fn.__doc__ or "").lower()
    bare = PaperClaim("truex2018", "k", "c", "s", "survey")
    with pytest.raises(ValueError, match="names no verdict rule"):
        verdicts.rule_of(bare)
    bad = PaperClaim("truex2018", "k", "c", "s", "survey", rule="truex_transfer.nope")
    with pytest.raises(ValueError, match="no verdict rule 'truex_transfer.nope'"):
        verdicts.rule_of(bad)
    with pytest.raises(ValueError, match="no verdict rule"):
        verdicts.rule_of(PaperClaim("truex2018", "k", "c", "s", "survey", rule="os.path"))


def _row(key, ours, **extra):
    return {"paper": "shokri2017", "key": key, "ours": ours, **extra}


def test_paper_vs_ours_leaves_out_differences_across_settings():
    rows = [
        _row("test_acc_adult", 0.83, same_setting=True),
        _row("purchase20_precision", 0.55, same_setting=False),
        _row("train_acc_adult", 0.85),
    ]
    df = paper_vs_ours(rows)  # default: unmarked rows keep their difference
    assert list(df.columns)[-1] == "setting"
    assert list(df["setting"]) == ["same", "differs", ""]
    assert df.loc[0, "difference"] == pytest.approx(-0.012)
    assert math.isnan(df.loc[1, "difference"])
    assert df.loc[2, "difference"] == pytest.approx(0.002)
    strict = paper_vs_ours(rows, differences="same_setting")
    assert strict.loc[0, "difference"] == pytest.approx(-0.012)
    assert math.isnan(strict.loc[2, "difference"])
    none_same = paper_vs_ours(rows[1:], differences="same_setting")
    assert "difference" not in none_same.columns
    assert list(none_same["ours"]) == [0.55, 0.85]
    # unmarked tables look as before
    assert "setting" not in paper_vs_ours([("shokri2017", "train_acc_adult", 0.85)]).columns


def test_paper_vs_ours_rejects_bad_rows_and_options():
    with pytest.raises(ValueError, match="differences must be one of"):
        paper_vs_ours([], differences="some")
    with pytest.raises(ValueError, match=r"unknown row field\(s\) \['same_settings'\]"):
        paper_vs_ours([_row("train_acc_adult", 0.85, same_settings=False)])
    with pytest.raises(ValueError, match="same_setting must be"):
        paper_vs_ours([_row("train_acc_adult", 0.85, same_setting="no")])
    with pytest.raises(ValueError, match="a row is"):
        paper_vs_ours([(get("shokri2017", "train_acc_adult"),)])
    df = paper_vs_ours([{"figure": "shokri2017/train_acc_adult", "ours": 0.85}])
    assert df.loc[0, "paper"] == "0.848†"


def test_claims_vs_ours_accepts_a_verdict():
    rows = [
        {"experiment": "shadow_size", "dataset": "d", "shadow_size": n, "accuracy_mean": a}
        for n, a in [(100, 0.6), (900, 0.8)]
    ]
    v = verdicts.judge("truex2018", "shadow_size", rows)
    df = claims_vs_ours([(v, "0.60 to 0.80")])
    assert df.loc[0, "verdict"] == "reproduced"
    assert df.loc[0, "claim"] == get_claim("truex2018", "shadow_size").claim
