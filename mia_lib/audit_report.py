"""An audit's report as files: a self-contained HTML page and its JSON.

:func:`roc_figure` draws the log-log ROC curve of every attack of an
:class:`~mia_lib.audit.AuditReport` (the low false-positive region is where an attack's
strength shows); :func:`render_html` gives one HTML page with the plain-language summary,
the figure (inline SVG), the tables and the members most at risk, with no external file,
script or font; :func:`write_report` writes ``report.html`` and ``report.json`` into a
folder, each atomically.

>>> import tempfile
>>> from pathlib import Path
>>> from sklearn.datasets import load_digits
>>> from sklearn.tree import DecisionTreeClassifier
>>> from mia_lib.audit import audit
>>> X, y = load_digits(return_X_y=True)
>>> model = DecisionTreeClassifier(random_state=0).fit(X[:600], y[:600])
>>> report = audit(model, X[:600], y[:600], X[600:1200], y[600:1200], random_state=0)
>>> out = write_report(report, Path(tempfile.mkdtemp()) / "audit")
>>> sorted(p.name for p in out.iterdir())
['report.html', 'report.json']
>>> "<svg" in (out / "report.html").read_text()
True
"""

from __future__ import annotations

import html
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd

from .audit import AuditReport
from .download import atomic_write
from .scoring import roc_curve

__all__ = ["roc_figure", "render_html", "write_report"]

_STYLE = """
body { font-family: sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       color: #222; line-height: 1.5; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #ccc; padding: 0.2rem 0.6rem; text-align: right; }
th { background: #f3f3f3; }
.summary { background: #f7f9fc; border-left: 4px solid #3b6ea5; padding: 0.5rem 1rem; }
"""


def _membership(report: AuditReport) -> np.ndarray:
    return np.r_[np.ones(report.n_members, dtype=int), np.zeros(report.n_non_members, dtype=int)]


def roc_figure(report: AuditReport):
    """A matplotlib figure: every attack's ROC curve on log-log axes, beside guessing."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    m = _membership(report)
    floor = 0.5 / report.n_non_members
    fig, ax = plt.subplots(figsize=(5.5, 4.2))
    for a in report.attacks:
        fpr, tpr, _ = roc_curve(m, a.scores)
        ax.plot(np.maximum(fpr, floor), np.maximum(tpr, floor), label=f"{a.name} (AUC {a.auc:.3f})")
    grid = np.logspace(np.log10(floor), 0, 50)
    ax.plot(grid, grid, "k:", label="guessing")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(floor, 1)
    ax.set_ylim(floor, 1.05)
    ax.set_xlabel("false positive rate (non-members called members)")
    ax.set_ylabel("true positive rate (members found)")
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


def _svg(fig) -> str:
    import matplotlib.pyplot as plt

    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg") :]


def _attack_table(report: AuditReport) -> pd.DataFrame:
    pct = 100 * report.confidence
    rows = []
    for a in report.attacks:
        row = {
            "attack": a.name,
            "AUC": f"{a.auc:.3f}",
            f"AUC {pct:.0f}% interval": f"{a.auc_low:.3f} to {a.auc_high:.3f}",
        }
        for r in a.rates:
            row[f"TPR at {100 * r.fpr:g}% FPR"] = (
                f"{100 * r.tpr:.2f}% ({100 * r.tpr_low:.2f} to {100 * r.tpr_high:.2f}; "
                f"{r.n_false_positives} FP allowed)"
            )
        row["ε at least"] = f"{a.epsilon.epsilon_low:.2f}"
        rows.append(row)
    return pd.DataFrame(rows)


def render_html(report: AuditReport, title: str = "Membership inference audit") -> str:
    """The report as one self-contained HTML page."""
    svg = _svg(roc_figure(report))
    per_class = report.per_class.round(3).to_html(na_rep="–")
    at_risk = ", ".join(str(int(i)) for i in report.at_risk)
    skipped = "".join(
        f"<li>{html.escape(k)}: {html.escape(v)}</li>" for k, v in report.skipped.items()
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f'<p class="summary">{html.escape(report.summary())}</p>',
        "<h2>How each attack does</h2>",
        "<p>TPR: the share of members an attack finds while wrongly accusing at most the "
        "given share of non-members (FPR); the number of false positives allowed says how "
        "many non-members that rate rests on. ε: the lower bound on a differential-privacy "
        "ε that the attack's scores prove.</p>",
        _attack_table(report).to_html(index=False),
        "<h2>ROC curves</h2>",
        "<p>Log-log axes: the bottom left, low false positive rates, is where an attack "
        "that identifies some members with confidence shows.</p>",
        svg,
        f"<h2>Per class (attack: {html.escape(report.strongest)})</h2>",
        per_class,
        "<h2>Members most at risk</h2>",
        f"<p>Indices into the members, highest score of {html.escape(report.strongest)} "
        f"first: {at_risk}.</p>",
    ]
    if skipped:
        parts += ["<h2>Attacks not run</h2>", f"<ul>{skipped}</ul>"]
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(report: AuditReport, out_dir, title: str = "Membership inference audit"):
    """Write ``report.html`` and ``report.json`` into ``out_dir`` (created if needed);
    returns the folder's path."""
    out = Path(out_dir)
    page = render_html(report, title).encode("utf-8")
    data = (json.dumps(report.to_dict(), indent=2) + "\n").encode("utf-8")
    atomic_write(out / "report.json", lambda fh: fh.write(data))
    atomic_write(out / "report.html", lambda fh: fh.write(page))
    return out
