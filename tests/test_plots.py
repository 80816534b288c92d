"""Tests of mia_lib.plots: each figure draws what it should, on the Agg backend."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from mia_lib import metrics, plots  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _attack(n=200, seed=0):
    rng = np.random.default_rng(seed)
    m = np.r_[np.ones(n // 2, int), np.zeros(n // 2, int)]
    return m, rng.normal(size=n) + m


def test_plot_roc_linear_draws_curve_and_chance_line():
    m, s = _attack()
    ax = plots.plot_roc(m, s, label="attack")
    assert len(ax.lines) == 2
    curve, chance = ax.lines
    fpr, tpr, _ = metrics.roc_curve(m, s)
    np.testing.assert_array_equal(curve.get_xdata(), fpr)
    np.testing.assert_array_equal(curve.get_ydata(), tpr)
    assert curve.get_label() == f"attack (AUC = {metrics.auc(m, s):.3f})"
    assert list(chance.get_xdata()) == [0.0, 1] and list(chance.get_ydata()) == [0.0, 1]
    assert ax.get_xscale() == ax.get_yscale() == "linear"
    assert ax.get_xlim() == (0, 1) and ax.get_ylim() == (0, 1)
    assert ax.get_legend() is not None


def test_plot_roc_log_scale_limits():
    m, s = _attack()
    ax = plots.plot_roc(m, s, log=True)
    assert ax.get_xscale() == ax.get_yscale() == "log"
    assert ax.get_xlim() == pytest.approx((1e-3, 1))
    assert ax.get_ylim() == pytest.approx((1e-3, 1))
    chance = ax.lines[1]
    assert list(chance.get_xdata()) == list(chance.get_ydata()) == [1e-3, 1]
    # more than 1000 non-members: the axis reaches down to 1e-4
    m2, s2 = _attack(n=2400)
    ax2 = plots.plot_roc(m2, s2, log=True)
    assert ax2.get_xlim() == pytest.approx((1e-4, 1))


def test_plot_roc_on_given_axes_adds_one_chance_line():
    fig, ax = plt.subplots()
    m, s = _attack()
    out = plots.plot_roc(m, s, ax=ax, label="a")
    plots.plot_roc(m, -s, ax=ax, label="b")
    assert out is ax and len(fig.axes) == 1
    assert [line.get_label().split(" ")[0] for line in ax.lines] == ["a", "chance", "b"]


def test_plot_rocs_one_line_per_curve():
    m, s = _attack()
    m2, s2 = _attack(n=3000, seed=1)
    curves = {"weak": (m, s * 0.1 + np.random.default_rng(2).normal(size=m.size)),
              "strong": (m, s), "big": (m2, s2)}  # fmt: skip
    ax = plots.plot_rocs(curves, log=True)
    labels = [line.get_label() for line in ax.lines]
    assert len(ax.lines) == 4 and labels.count("chance") == 1
    assert [lab.split(" ")[0] for lab in labels if lab != "chance"] == ["weak", "strong", "big"]
    assert ax.get_xlim() == pytest.approx((1e-4, 1))  # the lowest floor of all curves
    chance = next(line for line in ax.lines if line.get_label() == "chance")
    assert list(chance.get_xdata()) == [1e-4, 1]


def test_plot_score_histograms_two_densities_on_shared_bins():
    m, s = _attack()
    ax = plots.plot_score_histograms(m, s, bins=20, xlabel="loss")
    assert [p.get_label() for p in ax.patches] == ["non-members", "members"]
    assert ax.get_xlabel() == "loss" and ax.get_ylabel() == "density"
    # shared bins: both outlines span the same x range
    x0 = ax.patches[0].get_xy()[:, 0]
    x1 = ax.patches[1].get_xy()[:, 0]
    assert (x0.min(), x0.max()) == pytest.approx((x1.min(), x1.max()))
    assert (x0.min(), x0.max()) == pytest.approx((s.min(), s.max()))
    ax2 = plots.plot_score_histograms(m, s, labels=("out", "in"))
    assert [p.get_label() for p in ax2.patches] == ["out", "in"]


def test_plot_per_class_labels_the_metric_it_shows():
    ax = plots.plot_per_class({"a": 0.6, "b": 0.8}, metric="auc")
    assert ax.get_ylabel() == "attack AUC"
    assert "attack AUC" in [t.get_text() for t in ax.get_legend().get_texts()]
    plt.close(ax.figure)


def test_plot_per_class_from_report_dict_and_list():
    m = [1, 0, 1, 0, 1, 0, 1, 0]
    s = [0.9, 0.2, 0.3, 0.4, 0.8, 0.7, 0.6, 0.1]
    df = metrics.per_class_report(m, s, [0, 0, 1, 1, 2, 2, 3, 3], threshold=0.5)
    ax = plots.plot_per_class(df)
    assert len(ax.patches) == 4
    assert [p.get_height() for p in ax.patches] == df["precision"].tolist()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "1", "2", "3"]
    assert len(ax.lines) == 1 and list(ax.lines[0].get_ydata()) == [0.5, 0.5]
    ax2 = plots.plot_per_class({"cat": 0.7, "dog": float("nan")}, baseline=None)
    assert len(ax2.patches) == 2 and len(ax2.lines) == 0
    ax3 = plots.plot_per_class([0.6, 0.7, 0.8], baseline=0.25)
    assert len(ax3.patches) == 3 and ax3.lines[0].get_ydata()[0] == 0.25


def test_plot_paper_vs_ours_grouped_bars():
    df = pd.DataFrame(
        {"paper": [0.93, 0.71, np.nan], "ours": [0.9, 0.74, 0.6], "note": ["a", "b", "c"]},
        index=["CIFAR-10", "Purchase-100", "Adult"],
    )
    ax = plots.plot_paper_vs_ours(df)
    assert len(ax.patches) == 6
    paper, ours = ax.containers
    assert paper.get_label() == "paper" and ours.get_label() == "ours"
    assert [b.get_height() for b in ours] == [0.9, 0.74, 0.6]
    # each "ours" bar sits right of its "paper" bar
    for p, o in zip(paper, ours, strict=True):
        assert o.get_x() > p.get_x()
    assert [t.get_text() for t in ax.get_xticklabels()] == list(df.index)


def test_plot_functions_never_show(monkeypatch):
    def fail(*_a, **_k):
        raise AssertionError("plt.show was called")

    monkeypatch.setattr(plt, "show", fail)
    m, s = _attack()
    plots.plot_roc(m, s)
    plots.plot_rocs({"a": (m, s)})
    plots.plot_score_histograms(m, s)
    plots.plot_per_class([0.5, 0.6])
    plots.plot_paper_vs_ours(pd.DataFrame({"paper": [0.5], "ours": [0.6]}))


# ----------------------------------------------------------------------------- errors


def test_plot_errors():
    m, s = _attack()
    with pytest.raises(ValueError, match="no non-members"):
        plots.plot_roc(np.ones(5), np.arange(5.0))
    with pytest.raises(ValueError, match="different numbers of rows"):
        plots.plot_roc(m, s[:-1])
    with pytest.raises(ValueError, match="NaN"):
        plots.plot_roc(m, np.r_[s[:-1], np.nan])
    with pytest.raises(ValueError, match="non-empty dict"):
        plots.plot_rocs({})
    with pytest.raises(ValueError, match="must be a pair"):
        plots.plot_rocs({"a": (m, s, s)})
    with pytest.raises(ValueError, match="only 0 .non-member. and 1 .member."):
        plots.plot_score_histograms(s, m)  # arguments swapped
    with pytest.raises(ValueError, match="infinite"):
        plots.plot_score_histograms(m, np.r_[s[:-1], np.inf])
    with pytest.raises(ValueError, match="bins must be a positive integer"):
        plots.plot_score_histograms(m, s, bins=0)
    with pytest.raises(ValueError, match="'precision' column"):
        plots.plot_per_class(pd.DataFrame({"recall": [0.5]}))
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        plots.plot_per_class([0.5, 1.5])
    with pytest.raises(ValueError, match="baseline must be"):
        plots.plot_per_class([0.5], baseline=2)
    with pytest.raises(ValueError, match="no per-class values"):
        plots.plot_per_class([])
    with pytest.raises(ValueError, match=r"missing column\(s\) \['ours'\]"):
        plots.plot_paper_vs_ours(pd.DataFrame({"paper": [0.5]}))
    with pytest.raises(TypeError, match="must be a pandas DataFrame"):
        plots.plot_paper_vs_ours({"paper": [0.5], "ours": [0.5]})
    with pytest.raises(ValueError, match="no rows"):
        plots.plot_paper_vs_ours(pd.DataFrame({"paper": [], "ours": []}))
