"""Autograder check of exercise ex-ch9-kanon (chapter 9): 5-anonymity of Adult records."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "ex-ch9-kanon"
points = 2
ANSWER = {
    "rows": "indices of 2,000 distinct random Adult records",
    "raw_share": "k_anonymous_share of those records, raw, for k = 5",
    "band_shares": "dict from each age band (10, 20, 40) to the share after generalise_adult",
}
WRONG = (
    "from mia_lib.anonymise import generalise_adult, k_anonymous_share\n"
    "from mia_lib.datasets import load_dataset\n"
    "adult = load_dataset('adult')\n"
    "rows = np.random.default_rng(SEED).choice(len(adult.X), 2000)\n"
    "X, names = adult.X[rows], list(adult.feature_names)\n"
    "raw_share = k_anonymous_share(X, names, 5)\n"
    "band_shares = {band: k_anonymous_share(*generalise_adult(X, names, age_band=band), 5)\n"
    "               for band in [10, 20, 40]}"
)


def _adult():
    from mia_lib.datasets import load_dataset

    return load_dataset("adult")


@test_case()
def test_rows(rows):
    adult = _adult()
    rows = np.asarray(rows)
    assert rows.shape == (2000,), "rows must hold 2,000 record indices"
    assert len(np.unique(rows)) == 2000, "rows must hold 2,000 distinct records (no repeats)"
    assert rows.min() >= 0 and rows.max() < len(adult.X), "rows must index Adult's records"


@test_case()
def test_shares(rows, raw_share, band_shares):
    from mia_lib.anonymise import generalise_adult, k_anonymous_share

    adult = _adult()
    X, names = adult.X[np.asarray(rows)], list(adult.feature_names)
    assert np.isclose(float(raw_share), k_anonymous_share(X, names, 5)), (
        "raw_share is not the 5-anonymous share of the raw records"
    )
    assert isinstance(band_shares, dict), "band_shares must be a dict from age band to share"
    assert sorted(band_shares) == [10, 20, 40], "band_shares needs the age bands 10, 20 and 40"
    for band in (10, 20, 40):
        Xg, names_g = generalise_adult(X, names, age_band=band)
        assert np.isclose(float(band_shares[band]), k_anonymous_share(Xg, names_g, 5)), (
            f"band_shares[{band}] is not the 5-anonymous share with age bands of {band} years"
        )
