"""Autograder check of exercise ex-ch4-seeds (chapter 4): other seeds of the target."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "ex-ch4-seeds"
points = 3
ANSWER = {
    "new_splits": "dict: seed (1, 2) -> the membership split of that seed's target",
    "new_targets": "the two new targets (the chapter's RECIPE), in the order of new_splits",
    "tables": "dict: seed (0, 1, 2) -> DataFrame, a row per source but model-based, columns "
    "precision and recall of the chapter's attacks against that seed's target",
}
WRONG = """\
from mia_lib.models import train_many

NAMES = ["real", "noisy 10%", "noisy 20%", "noisy 40%", "marginal"]
new_splits = {seed: membership_split(len(data), target_size=1200, random_state=seed)
              for seed in [1, 2]}
members = [sp.target_in for sp in new_splits.values()]
new_targets = train_many(TorchMLPClassifier(**RECIPE), data.X, data.y, members,
                         random_state=SEED)


def attack_table(model):
    P, labels = BlackBox(model).query(data.X[eval_idx]), data.y[eval_idx]
    out = {}
    for name in NAMES:
        att = attacks[name]
        r = evaluate(is_member, att.score_samples(P, labels=labels),
                     predicted=att.predict(P, labels=labels))
        out[name] = {"precision": r.precision, "recall": r.recall}
    return pd.DataFrame(out).T


tables = {0: attack_table(target)}
for seed, model in zip(new_splits, new_targets, strict=True):
    tables[seed] = attack_table(model)
"""

SOURCES = ["real", "noisy 10%", "noisy 20%", "noisy 40%", "marginal"]


@test_case()
def test_targets(new_splits, new_targets, split, data, RECIPE):
    assert sorted(new_splits) == [1, 2], "new_splits needs the seeds 1 and 2"
    models = list(new_targets)
    assert len(models) == 2, "new_targets must hold two models"
    ins = [np.sort(split.target_in)]
    for sp, model in zip(new_splits.values(), models, strict=True):
        ins.append(np.sort(sp.target_in))
        for p, v in RECIPE.items():
            assert model.get_params()[p] == v, f"a new target does not follow RECIPE ({p})"
        acc_in = model.score(data.X[sp.target_in], data.y[sp.target_in])
        acc_out = model.score(data.X[sp.target_out], data.y[sp.target_out])
        assert acc_in > acc_out + 0.1, (
            "each new target must be trained on the members of its own split"
        )
    assert not any(np.array_equal(a, b) for i, a in enumerate(ins) for b in ins[:i]), (
        "each target must have its own split of the data"
    )


def _table(model, sp, attacks, data):
    import pandas as pd

    from mia_lib.metrics import evaluate
    from mia_lib.query import BlackBox

    idx, member = sp.evaluation()
    P, labels = BlackBox(model).query(data.X[idx]), data.y[idx]
    rows = {}
    for source in SOURCES:
        att = attacks[source]
        r = evaluate(
            member,
            att.score_samples(P, labels=labels),
            predicted=att.predict(P, labels=labels),
        )
        rows[source] = {"precision": r.precision, "recall": r.recall}
    return pd.DataFrame(rows).T


@test_case()
def test_sources(tables):
    assert sorted(tables) == [0, 1, 2], "tables needs the seeds 0, 1 and 2"
    for seed, t in tables.items():
        assert all(s in t.index for s in SOURCES), f"tables[{seed}] needs a row per source"
        assert "model-based" not in t.index, (
            "leave the model-based source out: its records were synthesised against the "
            "seed-0 target"
        )


@test_case()
def test_tables(tables, new_splits, new_targets, target, split, attacks, data):
    pairs = [(0, target, split)]
    pairs += [(s, m, sp) for (s, sp), m in zip(new_splits.items(), list(new_targets), strict=True)]
    for seed, model, sp in pairs:
        want = _table(model, sp, attacks, data)
        got = tables[seed].loc[SOURCES, ["precision", "recall"]].astype(float)
        assert np.allclose(got.to_numpy(), want.to_numpy(), atol=1e-9), (
            f"tables[{seed}] is not the chapter's attacks against the seed-{seed} target, "
            "on that target's own members and non-members"
        )
