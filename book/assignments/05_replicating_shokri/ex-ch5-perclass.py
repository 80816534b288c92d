"""Autograder check of exercise ex-ch5-perclass (chapter 5): precision per records per class."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "ex-ch5-perclass"
points = 2
ANSWER = {"ax": "the axes of your plot: precision against 1200/k, quick and full profiles"}
WRONG = """\
fig, ax = plt.subplots(figsize=(5, 3.2))
for df, style, label in [(nc, "o-", "quick"), (ncf, "^-", "full")]:
    ax.plot(df.index, df["precision"], style, label=label)
ax.set_xlabel("target training records per class")
ax.set_ylabel("attack precision")
plt.show()"""


def _series(ax):
    """The (x, y) data of every line and scatter of the axes."""
    out = [(ln.get_xdata(), ln.get_ydata()) for ln in ax.get_lines()]
    for c in ax.collections:
        xy = np.asarray(c.get_offsets())
        if xy.ndim == 2 and xy.shape[1] == 2:
            out.append((xy[:, 0], xy[:, 1]))
    return out


def _has(series, x, y):
    for sx, sy in series:
        sx, sy = np.asarray(sx, dtype=float), np.asarray(sy, dtype=float)
        if sx.shape == x.shape and np.allclose(sx, x) and np.allclose(sy, y):
            return True
    return False


@test_case()
def test_plot(ax, nc, ncf):
    assert hasattr(ax, "get_lines"), "ax must be the matplotlib axes of your plot"
    series = _series(ax)
    for df, profile in [(nc, "quick"), (ncf, "full")]:
        x = 1200 / df.index.to_numpy(dtype=float)
        y = df["precision"].to_numpy(dtype=float)
        assert _has(series, x, y), (
            f"no line of the plot shows the {profile} profile's attack precision against "
            "the number of target training records per class"
        )
