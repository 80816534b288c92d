"""Published figures that the book's replications compare with, each with its source.

Every number here comes from ``PAPER_NUMBERS.md`` of the project (the list the book's
"paper" columns are drawn from) and carries a **status**:

* ``"survey"``: stated in the survey this book grows from, which cites the paper;
* ``"repo"``: printed in the authors' official code README (named in ``source``);
* ``"transcribed"``: transcribed from a table of the paper and **not** checked against the
  PDF here. :func:`paper_vs_ours` marks such a figure with a dagger (``†``) and the status
  ``"transcribed — check the original"``; never quote it as a verified fact.

A figure's ``value`` is a float or a ``(lo, hi)`` range (the survey's "0.6 to 0.8").

>>> fig = get("shokri2017", "locations_precision")
>>> fig.value, fig.status
((0.6, 0.8), 'survey')
>>> df = paper_vs_ours([("shokri2017", "locations_precision", 0.85)])
>>> df.loc[0, "paper"], float(df.loc[0, "ours"]), float(df.loc[0, "difference"])
('0.6–0.8', 0.85, 0.05)
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

__all__ = [
    "PaperFigure",
    "FIGURES",
    "PAPERS",
    "STATUSES",
    "figures",
    "get",
    "format_value",
    "difference",
    "paper_vs_ours",
    "PaperClaim",
    "CLAIMS",
    "VERDICTS",
    "claims",
    "get_claim",
    "claims_vs_ours",
]

STATUSES = ("survey", "repo", "transcribed")

#: Short paper key -> BibTeX key in ``book/references.bib``.
PAPERS = {
    "shokri2017": "shokri2017membership",
    "truex2018": "truex2018demystifying",
    "salem2019": "salem2018mlleaks",
    "hayes2019": "hayes2017logan",
    "jia2019": "jia2019memguard",
    "carlini2022": "carlini2022membership",
    "zarifzadeh2024": "zarifzadeh2024low",
}

TRANSCRIBED_STATUS = "transcribed — check the original"
DAGGER = "†"


def _check_origin(item, what: str) -> None:
    """A figure's or claim's status, paper and source must be known and given."""
    if item.status not in STATUSES:
        raise ValueError(f"status must be one of {STATUSES}, got {item.status!r}")
    if item.paper not in PAPERS:
        raise ValueError(f"unknown paper {item.paper!r}; known: {sorted(PAPERS)}")
    if not item.source:
        raise ValueError(f"{what} {item.paper}/{item.key} has no source")


@dataclass(frozen=True)
class PaperFigure:
    """One published number: which paper, what it measures, its value and where it is from.

    ``value`` is a float or a ``(lo, hi)`` tuple for a stated range; ``source`` names the
    table, figure or README it comes from; ``status`` is one of :data:`STATUSES`.
    """

    paper: str
    key: str
    description: str
    value: float | tuple[float, float]
    source: str
    status: str

    def __post_init__(self):
        _check_origin(self, "figure")
        if isinstance(self.value, tuple):
            lo, hi = self.value
            if not lo <= hi:
                raise ValueError(f"range {self.value} of {self.key} is not ordered")

    @property
    def citation(self) -> str:
        """BibTeX key of the paper."""
        return PAPERS[self.paper]

    @property
    def is_range(self) -> bool:
        return isinstance(self.value, tuple)


_S = "shokri2017"
_SURVEY = "survey (Gehrke 2021), citing Shokri et al. 2017"


def _shokri() -> list[PaperFigure]:
    out = [
        PaperFigure(
            _S,
            "locations_precision",
            "attack precision on Locations, Google model",
            (0.6, 0.8),
            _SURVEY + ", Sec. VI",
            "survey",
        ),
        PaperFigure(
            _S,
            "texas_precision_half_classes",
            "Hospital stays (Texas), Google model: precision above this for half of the classes",
            0.7,
            _SURVEY + ", Sec. VI",
            "survey",
        ),
        PaperFigure(
            _S,
            "cifar10_median_precision_10000",
            "CIFAR-10, training set 10,000, local CNN: median attack precision",
            0.72,
            _SURVEY,
            "survey",
        ),
        PaperFigure(
            _S,
            "cifar100_precision",
            "CIFAR-100: attack precision ('almost 1')",
            1.0,
            _SURVEY,
            "survey",
        ),
        PaperFigure(
            _S,
            "cifar_recall",
            "CIFAR-10 and CIFAR-100: attack recall ('almost 1')",
            1.0,
            _SURVEY,
            "survey",
        ),
        PaperFigure(
            _S,
            "cifar_gap_amazon",
            "CIFAR, Amazon ML version II: train-test accuracy gap",
            0.5,
            _SURVEY,
            "survey",
        ),
        PaperFigure(
            _S,
            "purchase20_precision",
            "Purchase, 20 classes, Google model: average attack precision ('about')",
            0.6,
            _SURVEY,
            "survey",
        ),
        PaperFigure(
            _S,
            "purchase50_precision",
            "Purchase, 50 classes, Google model: average attack precision ('almost')",
            0.9,
            _SURVEY,
            "survey",
        ),
        PaperFigure(
            _S,
            "shadow_real_precision",
            "Purchase-100, Google model, shadows on real data: precision",
            0.935,
            _SURVEY,
            "survey",
        ),
        PaperFigure(
            _S,
            "shadow_real_recall",
            "Purchase-100, Google model, shadows on real data: recall",
            0.994,
            _SURVEY,
            "survey",
        ),
        PaperFigure(
            _S,
            "shadow_marginal_precision",
            "Purchase-100, Google model, marginal-based synthetic shadow data: precision",
            0.795,
            _SURVEY,
            "survey",
        ),
        PaperFigure(
            _S,
            "shadow_marginal_recall",
            "Purchase-100, Google model, marginal-based synthetic shadow data: recall",
            0.991,
            _SURVEY,
            "survey",
        ),
        PaperFigure(
            _S,
            "shadow_model_precision",
            "Purchase-100, Google model, model-based synthetic shadow data: precision",
            0.896,
            _SURVEY,
            "survey",
        ),
        PaperFigure(
            _S,
            "shadow_model_recall",
            "Purchase-100, Google model, model-based synthetic shadow data: recall",
            0.526,
            _SURVEY,
            "survey",
        ),
        PaperFigure(
            _S,
            "synthesis_queries_per_record",
            "model-based synthesis: average queries per synthetic record",
            156.0,
            _SURVEY,
            "survey",
        ),
        PaperFigure(
            _S,
            "synthetic_records_model",
            "fully synthetic records generated",
            30000.0,
            _SURVEY,
            "survey",
        ),
        PaperFigure(
            _S,
            "synthetic_records_marginal",
            "marginal-based records generated",
            187300.0,
            _SURVEY,
            "survey",
        ),
    ]
    # Datasets and target training-set sizes (paper Sec. IV, transcribed).
    sizes = {
        "n_records_purchase": ("Purchase: records", 197324.0),
        "n_records_locations": ("Locations: records", 5010.0),
        "n_records_texas": ("Texas hospital stays: records", 67330.0),
        "n_records_adult": ("Adult: records", 48842.0),
        "n_records_mnist": ("MNIST: records", 70000.0),
        "n_records_cifar": ("CIFAR-10/100: records", 60000.0),
        "target_size_purchase": ("Purchase: target training set", 10000.0),
        "target_size_texas": ("Texas: target training set", 10000.0),
        "target_size_locations": ("Locations: target training set", 1200.0),
        "target_size_adult": ("Adult: target training set", 10000.0),
        "target_size_mnist": ("MNIST: target training set", 10000.0),
    }
    for key, (desc, v) in sizes.items():
        out.append(PaperFigure(_S, key, desc, v, "Shokri et al. 2017, Sec. IV", "transcribed"))
    # Table II: train / test accuracy of the Google-trained target models (transcribed).
    table2 = {
        "adult": (0.848, 0.842),
        "mnist": (0.984, 0.928),
        "locations": (1.000, 0.673),
        "purchase2": (0.999, 0.984),
        "purchase10": (0.999, 0.866),
        "purchase20": (1.000, 0.781),
        "purchase50": (1.000, 0.693),
        "purchase100": (0.999, 0.659),
        "texas": (0.668, 0.517),
    }
    for ds, (tr, te) in table2.items():
        out.append(
            PaperFigure(
                _S,
                f"train_acc_{ds}",
                f"{ds}: target train accuracy (Google)",
                tr,
                "Shokri et al. 2017, Table II",
                "transcribed",
            )
        )
        out.append(
            PaperFigure(
                _S,
                f"test_acc_{ds}",
                f"{ds}: target test accuracy (Google)",
                te,
                "Shokri et al. 2017, Table II",
                "transcribed",
            )
        )
    # Table III: mitigations on Purchase-100 (transcribed):
    # test accuracy, attack accuracy, attack precision, attack recall.
    table3 = {
        "none": (0.66, 0.92, 0.87, 1.00),
        "top3": (0.66, 0.92, 0.87, 0.99),
        "top1": (0.66, 0.89, 0.83, 1.00),
        "top1_label": (0.66, 0.66, 0.60, 0.99),
        "rounding3": (0.66, 0.92, 0.87, 0.99),
        "rounding1": (0.66, 0.89, 0.83, 1.00),
        "temperature5": (0.66, 0.86, 0.79, 1.00),
        "temperature20": (0.66, 0.84, 0.76, 1.00),
        "l2_1e-4": (0.68, 0.87, 0.81, 0.99),
        "l2_1e-3": (0.72, 0.77, 0.73, 0.86),
        "l2_1e-2": (0.63, 0.53, 0.54, 0.52),
    }
    names = ("test_acc", "attack_acc", "precision", "recall")
    for mit, vals in table3.items():
        for n, v in zip(names, vals, strict=True):
            out.append(
                PaperFigure(
                    _S,
                    f"mitigation_{mit}_{n}",
                    f"Purchase-100, mitigation {mit}: {n.replace('_', ' ')}",
                    v,
                    "Shokri et al. 2017, Table III",
                    "transcribed",
                )
            )
    return out


def _others() -> list[PaperFigure]:
    sv = "survey (Gehrke 2021), citing {}"
    out = [
        PaperFigure(
            "salem2019",
            "adv2_precision",
            "ML-Leaks adversary 2 (data transferring): precision above 0.7",
            (0.7, 1.0),
            sv.format("Salem et al. 2019"),
            "survey",
        ),
        PaperFigure(
            "salem2019",
            "defence_reduction",
            "dropout / model stacking reduce attack performance by up to",
            0.3,
            sv.format("Salem et al. 2019"),
            "survey",
        ),
    ]
    logan = {"lfw": (0.40, 0.63, 0.10), "cifar10": (0.37, 0.58, 0.10), "dr": (0.22, 0.81, 0.20)}
    for ds, (wo, wi, rnd) in logan.items():
        src = sv.format("Hayes et al. 2019")
        out += [
            PaperFigure(
                "hayes2019", f"blackbox_{ds}", f"LOGAN black-box, {ds}: accuracy", wo, src, "survey"
            ),
            PaperFigure(
                "hayes2019",
                f"blackbox_aux_{ds}",
                f"LOGAN black-box with auxiliary knowledge, {ds}: accuracy",
                wi,
                src,
                "survey",
            ),
            PaperFigure("hayes2019", f"random_{ds}", f"random guessing, {ds}", rnd, src, "survey"),
        ]
    repo = "official README, jhayes14/gen_mem_inf"
    out += [
        PaperFigure(
            "hayes2019",
            "toy_random",
            "DCGAN CIFAR-10 toy: random (top-n accuracy)",
            0.167,
            repo,
            "repo",
        ),
        PaperFigure(
            "hayes2019", "toy_whitebox", "DCGAN CIFAR-10 toy: white-box", 0.260, repo, "repo"
        ),
        PaperFigure(
            "hayes2019", "toy_blackbox", "DCGAN CIFAR-10 toy: black-box", 0.317, repo, "repo"
        ),
    ]
    for budget, acc in zip(
        (0.0, 0.1, 0.3, 0.5, 0.7, 1.0), (0.73, 0.69, 0.62, 0.55, 0.52, 0.50), strict=True
    ):
        out.append(
            PaperFigure(
                "jia2019",
                f"memguard_acc_{budget}",
                f"MemGuard, Locations: attack accuracy at budget {budget}",
                acc,
                "official README, jinyuan-jia/MemGuard",
                "repo",
            )
        )
    lira = {
        "online": (0.6676, 0.0169),
        "online_fixed": (0.6856, 0.0593),
        "offline": (0.5488, 0.0130),
        "offline_fixed": (0.5549, 0.0299),
        "global": (0.5921, 0.0009),
    }
    src = "official README, tensorflow/privacy research/mi_lira_2021"
    for variant, (a, t) in lira.items():
        out.append(
            PaperFigure(
                "carlini2022",
                f"lira_{variant}_auc",
                f"LiRA {variant}, CIFAR-10, 16 shadows: AUC",
                a,
                src,
                "repo",
            )
        )
        out.append(
            PaperFigure(
                "carlini2022",
                f"lira_{variant}_tpr_0.1pct",
                f"LiRA {variant}, CIFAR-10, 16 shadows: TPR at 0.1% FPR",
                t,
                src,
                "repo",
            )
        )
    out += [
        PaperFigure(
            "carlini2022",
            "lira_headline_tpr_0.1pct",
            "LiRA, CIFAR-10, 256 shadows: TPR at 0.1% FPR",
            0.084,
            "Carlini et al. 2022, headline",
            "transcribed",
        ),
        PaperFigure(
            "zarifzadeh2024",
            "rmia_offline_auc",
            "RMIA offline, 4 reference models, CIFAR-10: AUC",
            0.7102,
            "via a public issue of the privacy meter project",
            "transcribed",
        ),
        PaperFigure(
            "zarifzadeh2024",
            "rmia_offline_tpr_0.01pct",
            "RMIA offline, 4 reference models, CIFAR-10: TPR at 0.01% FPR",
            0.0291,
            "via a public issue of the privacy meter project",
            "transcribed",
        ),
    ]
    return out


#: Every published figure, in the order of ``PAPER_NUMBERS.md``.
FIGURES: tuple[PaperFigure, ...] = tuple(_shokri() + _others())


def figures(paper: str | None = None, status: str | None = None) -> list[PaperFigure]:
    """The figures of one paper and/or one status (all when both are None).

    >>> len(figures("jia2019"))
    6
    """
    return [
        f
        for f in FIGURES
        if (paper is None or f.paper == paper) and (status is None or f.status == status)
    ]


def get(paper: str, key: str) -> PaperFigure:
    """The figure ``key`` of ``paper``; a KeyError lists the keys of that paper if unknown.

    >>> get("shokri2017", "test_acc_locations").value
    0.673
    """
    for f in FIGURES:
        if f.paper == paper and f.key == key:
            return f
    known = [f.key for f in FIGURES if f.paper == paper]
    if not known:
        raise KeyError(f"unknown paper {paper!r}; known: {sorted(PAPERS)}")
    raise KeyError(f"no figure {key!r} for {paper!r}; known: {known}")


def format_value(fig: PaperFigure, digits: int = 3) -> str:
    """The paper's value as text: ``0.848``, a range ``0.6–0.8``; transcribed ones get ``†``.

    >>> format_value(get("shokri2017", "train_acc_adult"))
    '0.848†'
    """
    if fig.is_range:
        lo, hi = fig.value
        text = f"{_num(lo, digits)}–{_num(hi, digits)}"
    else:
        text = _num(fig.value, digits)
    return text + (DAGGER if fig.status == "transcribed" else "")


def _num(v: float, digits: int) -> str:
    if float(v).is_integer() and abs(v) >= 10:
        return f"{int(v):,}"
    text = f"{round(float(v), digits):g}"
    return text if "." in text or "e" in text else text + ".0"


def difference(fig: PaperFigure, ours: float | None) -> float:
    """``ours - paper``; for a range, 0 inside it and the distance to the nearer bound outside.

    NaN when ``ours`` is missing.

    >>> difference(get("shokri2017", "locations_precision"), 0.55)
    -0.05...
    """
    if ours is None or (isinstance(ours, float) and math.isnan(ours)):
        return float("nan")
    ours = float(ours)
    if fig.is_range:
        lo, hi = fig.value
        if ours < lo:
            return ours - lo
        if ours > hi:
            return ours - hi
        return 0.0
    return ours - float(fig.value)


def _resolve(item) -> tuple[PaperFigure, float | None, str | None, str | None]:
    """Accept (paper, key, ours), (PaperFigure, ours) or a dict; return figure, ours, labels."""
    if isinstance(item, dict):
        fig = item.get("figure")
        if fig is None:
            fig = get(item["paper"], item["key"])
        elif not isinstance(fig, PaperFigure):
            fig = get(*fig.split("/", 1))
        return fig, item.get("ours"), item.get("quantity"), item.get("note")
    item = tuple(item)
    if isinstance(item[0], PaperFigure):
        return item[0], item[1], (item[2] if len(item) > 2 else None), None
    if len(item) < 3:
        raise ValueError(f"a row is (paper, key, ours) or (PaperFigure, ours); got {item!r}")
    return get(item[0], item[1]), item[2], (item[3] if len(item) > 3 else None), None


def paper_vs_ours(rows: Iterable, digits: int = 3) -> pd.DataFrame:
    """Table of published figures beside ours.

    Each row is ``(paper, key, ours)``, ``(paper, key, ours, quantity)``,
    ``(PaperFigure, ours)`` or a dict with ``paper``/``key`` (or ``figure``), ``ours`` and
    optionally ``quantity`` (the row label; default: the figure's description) and ``note``.

    Columns: ``quantity``, ``paper`` (text: the value, a range ``lo–hi``, and ``†`` when
    transcribed), ``ours`` (rounded), ``difference`` (``ours - paper``, 0 inside a range),
    ``source`` and ``status`` (``"transcribed — check the original"`` for transcribed
    figures). A ``note`` column is added when any row has one.

    >>> df = paper_vs_ours([("shokri2017", "test_acc_adult", 0.83, "Adult test accuracy")])
    >>> df.iloc[0].to_dict()["paper"], df.iloc[0].to_dict()["status"]
    ('0.842†', 'transcribed — check the original')
    >>> float(df["difference"].iloc[0])
    -0.012
    """
    records = []
    for item in rows:
        fig, ours, quantity, note = _resolve(item)
        diff = difference(fig, ours)
        rec = {
            "quantity": quantity or fig.description,
            "paper": format_value(fig, digits),
            "ours": float("nan") if ours is None else round(float(ours), digits),
            "difference": round(diff, digits) if not math.isnan(diff) else float("nan"),
            "source": fig.source,
            "status": TRANSCRIBED_STATUS if fig.status == "transcribed" else fig.status,
        }
        if note is not None:
            rec["note"] = note
        records.append(rec)
    cols = ["quantity", "paper", "ours", "difference", "source", "status"]
    if any("note" in r for r in records):
        cols.append("note")
    return pd.DataFrame.from_records(records, columns=cols)


# --------------------------------------------------------------------------------------------
# claims: statements about the direction or size of an effect, without a table value

#: What a replication may conclude about a claim.
VERDICTS = ("reproduced", "partly reproduced", "not reproduced", "not testable here")


@dataclass(frozen=True)
class PaperClaim:
    """A published statement about an effect (no table value), with its source and status.

    Truex et al. and much of Salem et al. reach the book through the survey as directions
    ("more classes give higher attack accuracy"); a replication measures the effect and says
    whether it reproduces it (:func:`claims_vs_ours`).
    """

    paper: str
    key: str
    claim: str
    source: str
    status: str

    def __post_init__(self):
        _check_origin(self, "claim")

    @property
    def citation(self) -> str:
        """BibTeX key of the paper."""
        return PAPERS[self.paper]


def _claims() -> list[PaperClaim]:
    t = ("truex2018", "survey (Gehrke 2021), citing Truex et al. 2018")
    s = ("salem2019", "survey (Gehrke 2021), citing Salem et al. 2019")
    rows = [
        (t[0], "n_classes", "more classes give higher attack accuracy", t[1]),
        (
            t[0],
            "in_class_std",
            "a higher in-class standard deviation gives higher attack accuracy",
            t[1],
        ),
        (
            t[0],
            "purchase100_vs_50",
            "Purchase-100 is attacked more accurately than Purchase-50 at nearly equal in-class "
            "standard deviation (some factors dominate others)",
            t[1],
        ),
        (
            t[0],
            "cifar10_vs_purchase10",
            "critique: CIFAR-10 has a lower in-class standard deviation than Purchase-10 but a "
            "higher attack accuracy, against the in-class spread claim",
            "survey (Gehrke 2021), on Truex et al. 2018",
        ),
        (t[0], "target_type", "attack success depends on the type of the target model", t[1]),
        (
            t[0],
            "attacker_types_interchangeable",
            "the shadow and attack model types are interchangeable (attacks are transferable)",
            t[1],
        ),
        (
            t[0],
            "feature_noise",
            "attack accuracy stays high with 10% of the attacker's features replaced by noise",
            t[1],
        ),
        (
            t[0],
            "shadow_size",
            "larger shadow training sets help (significant increases on Purchase-20 and -50)",
            t[1],
        ),
        (
            s[0],
            "one_shadow",
            "one shadow model performs almost as well as Shokri et al.'s many, in precision and "
            "recall, on all datasets (adversary 1)",
            s[1],
        ),
        (
            s[0],
            "top3",
            "the three highest posteriors, sorted, suffice as attack features (adversary 1)",
            "official code, AhmedSalem2/ML-Leaks",
        ),
        (
            s[0],
            "unknown_hyperparameters",
            "the target's hyperparameters need not be known (Purchase-100)",
            s[1],
        ),
        (
            s[0],
            "combined_shadow",
            "a combined shadow model (logistic regression + MLP + random forest) performs like a "
            "shadow of the target's own algorithm, with a little skew for random-forest targets",
            s[1],
        ),
        (
            s[0],
            "data_transfer",
            "a shadow trained on another dataset still gives precision above 0.7 with similar "
            "recall overall, with some outliers (adversary 2)",
            s[1],
        ),
        (
            s[0],
            "threshold",
            "a threshold on the highest posterior, with no shadow model and no membership "
            "labels, infers membership (adversary 3)",
            s[1],
        ),
    ]
    return [
        PaperClaim(p, k, c, src, "repo" if src.startswith("official") else "survey")
        for p, k, c, src in rows
    ]


#: Every claim, in the order of ``PAPER_NUMBERS.md``.
CLAIMS: tuple[PaperClaim, ...] = tuple(_claims())


def claims(paper: str | None = None) -> list[PaperClaim]:
    """The claims of one paper (all when None).

    >>> [c.key for c in claims("truex2018")][:2]
    ['n_classes', 'in_class_std']
    """
    return [c for c in CLAIMS if paper is None or c.paper == paper]


def get_claim(paper: str, key: str) -> PaperClaim:
    """The claim ``key`` of ``paper``; a KeyError lists the keys of that paper if unknown.

    >>> get_claim("salem2019", "one_shadow").status
    'survey'
    """
    for c in CLAIMS:
        if c.paper == paper and c.key == key:
            return c
    known = [c.key for c in CLAIMS if c.paper == paper]
    raise KeyError(f"no claim {key!r} for {paper!r}; known: {known}")


def claims_vs_ours(rows: Iterable) -> pd.DataFrame:
    """Table of claims beside what we measured and our verdict.

    Each row is ``(paper, key, ours, verdict)``: ``ours`` is a short text with our numbers
    (made from computed values, never typed), ``verdict`` one of :data:`VERDICTS`.
    Columns: ``claim``, ``ours``, ``verdict``, ``source``, ``status``.

    >>> df = claims_vs_ours([("truex2018", "n_classes", "AUC 0.61 at 2 classes, 0.93 at 30",
    ...                       "reproduced")])
    >>> df.loc[0, "verdict"], df.loc[0, "status"]
    ('reproduced', 'survey')
    >>> claims_vs_ours([("truex2018", "n_classes", "x", "yes")])
    Traceback (most recent call last):
    ...
    ValueError: verdict must be one of ('reproduced', 'partly reproduced', 'not reproduced', 'not testable here'), got 'yes'
    """
    records = []
    for paper, key, ours, verdict in rows:
        if verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {verdict!r}")
        c = get_claim(paper, key)
        records.append(
            {
                "claim": c.claim,
                "ours": ours,
                "verdict": verdict,
                "source": c.source,
                "status": c.status,
            }
        )
    return pd.DataFrame.from_records(
        records, columns=["claim", "ours", "verdict", "source", "status"]
    )
