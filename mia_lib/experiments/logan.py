"""Hayes et al.'s LOGAN attacks on a CPU-sized GAN: ``hayes_logan``.

For each dataset entry, ``target_size`` images are drawn (seeded) as the target GAN's
members, and ``candidates_per_member`` times as many other images of the same dataset as
non-members; the attacker ranks all the candidates and calls the top ``target_size``
members, so guessing gives ``1 / (1 + candidates_per_member)``
(:func:`mia_lib.gan_attacks.top_n_accuracy`). The target is a
:class:`~mia_lib.models.DCGAN` with the entry's ``gan`` parameters. The parts (an entry
lists those it runs in ``parts``):

* ``epochs``: the target after each number of training epochs of ``epochs`` (the survey's
  "longer training makes better data", and the discriminator's overfitting), each attacked
  white-box (its own discriminator) and black-box (a GAN with the ``attacker`` parameters,
  trained on ``attacker.n_samples`` images of the target's generator). One run trains the
  longest, and the shorter ones are its snapshots
  (:meth:`mia_lib.models.DCGAN.fit_snapshots`: the same GANs as separate runs);
* ``auxiliary``: the target at ``defence_epochs``, attacked black-box by an attacker who
  also knows a share ``aux_share`` of the non-members ("test"), or of both the members and
  the non-members ("train+test"), with :class:`mia_lib.gan_attacks.AuxiliaryGANAttack`
  (a classifier with the ``aux_classifier`` preset and parameters). The known records are
  left out of the ranking, so its members, candidates and baseline are those that remain;
* ``defences``: at ``defence_epochs``, the target with dropout ``dropout`` in its
  discriminator, and with weight normalisation, beside the undefended one, with the
  training time of each (Hayes et al.: dropout is far more effective but prolongs
  training);
* ``classifier``: the same members train a classifier instead (the ``classifier`` preset
  and parameters, by default the book's CNN), and the same candidates are ranked by
  Yeom et al.'s loss attack (``-loss`` of the true label, which needs no shadow model):
  the survey's "attacks on generative models work worse than on discriminative ones",
  on the same records.

With the option ``quality`` (``judge_size``, ``judge_epochs``, ``n_images``), a CNN "judge"
is trained on ``judge_size`` other real images of the dataset, and each GAN's samples are
scored by their Fréchet distance to ``n_images`` further real images in the judge's
feature space (:func:`mia_lib.sample_quality.frechet_feature_distance`; lower is better):
``sample_fd`` for the target's generator (the black-box attacker's training data) and
``attacker_fd`` for the attacker's own generator (the survey: the target's generator makes
better data than the attacker's, and the attack follows the quality of its data).

Rows: one per (part, dataset, setting, attack) with ``top_n_accuracy``, its ``baseline``,
the ``auc`` of the ranking, the target's ``epochs``, ``fit_s`` (the target's training,
wall time) and ``attack_fit_s`` (the black-box attacker's sampling and training; 0 for the
white-box attack). Times are machine-dependent: compare ratios within one result. Profiles
in ``profiles/logan.toml``.
"""

from __future__ import annotations

import time

import numpy as np

from ..gan_attacks import (
    AuxiliaryGANAttack,
    BlackBoxGANAttack,
    WhiteBoxGANAttack,
    top_n_accuracy,
)
from ..metrics import auc
from ..models.gan import DCGAN
from ..sample_quality import frechet_feature_distance
from ..seeding import generator, int_seed, spawn
from .runner import progress_bar, register

__all__ = ["PARTS", "logan_settings", "member_split"]

#: The parts of ``hayes_logan``, in the order they run.
PARTS = ("epochs", "auxiliary", "defences", "classifier")


def member_split(n_records: int, n_members: int, per_member: int, random_state):
    """Seeded positions of the members and of the candidates (members first).

    >>> members, candidates = member_split(100, 5, 3, random_state=0)
    >>> len(members), len(candidates), bool((candidates[:5] == members).all())
    (5, 20, True)
    """
    need = n_members * (1 + per_member)
    if need > n_records:
        raise ValueError(
            f"{n_members} members and {per_member} non-members per member need {need} "
            f"images; the dataset has {n_records}. Use a smaller target_size."
        )
    perm = generator(random_state).permutation(n_records)[:need]
    return perm[:n_members], perm


def logan_settings(part: str, opts: dict) -> list[tuple[str, dict]]:
    """The target GANs of one part: ``(setting, DCGAN parameters)``.

    >>> logan_settings("epochs", {"gan": {"width": 8}, "epochs": [2, 4]})
    [('epochs=2', {'width': 8, 'epochs': 2}), ('epochs=4', {'width': 8, 'epochs': 4})]
    """
    gan = dict(opts.get("gan", {}))
    if part == "epochs":
        if not opts.get("epochs"):
            raise ValueError("part 'epochs' needs the option 'epochs' (a list) in the profile.")
        return [(f"epochs={e}", {**gan, "epochs": int(e)}) for e in opts["epochs"]]
    if part == "defences":
        e = int(opts.get("defence_epochs", max(opts.get("epochs", [25]))))
        base = {**gan, "epochs": e}
        p = float(opts.get("dropout", 0.5))
        return [
            ("none", base),
            (f"dropout={p:g}", {**base, "dropout": p}),
            ("weight_norm", {**base, "weight_norm": True}),
        ]
    if part == "auxiliary":
        base = {**gan, "epochs": int(opts.get("defence_epochs", max(opts.get("epochs", [25]))))}
        share = float(opts.get("aux_share", 0.3))
        if not 0 < share < 1:
            raise ValueError(f"aux_share must be in (0, 1), got {share!r}.")
        return [(f"test={share:g}", base), (f"train+test={share:g}", base)]
    if part == "classifier":
        return [("classifier", dict(opts.get("classifier", {})))]
    raise ValueError(f"unknown part {part!r}; choose among {PARTS}.")


def _classifier_rows(data, X, members, candidates, m, params, seed):
    """The members' classifier and the loss attack on the candidates: (row fields, time)."""
    from ..models import make_model
    from .profiles import resolve_model

    params = dict(params)
    model, model_params = resolve_model(params.pop("preset", "cnn"), params)
    clf = make_model(model, n_classes=data.n_classes, random_state=seed, **model_params)
    t0 = time.perf_counter()
    clf.fit(X[members], data.y[members])
    fit_s = time.perf_counter() - t0
    s = -clf.loss(X[candidates], data.y[candidates])
    rows = [("loss", top_n_accuracy(m, s), auc(m, s), 0.0, {})]
    return rows, fit_s, int(model_params["epochs"])


def _judge(data, X, used, opts, seed):
    """The quality judge (a CNN on real images outside ``used``) and the real images the
    samples are compared with, or ``(None, None)`` without the option ``quality``."""
    q = opts.get("quality")
    if not q:
        return None, None
    from ..models import make_model
    from .profiles import resolve_model

    rest = np.setdiff1d(np.arange(len(X)), used)
    n_judge, n_real = int(q.get("judge_size", 2000)), int(q.get("n_images", 1000))
    if n_judge + n_real > len(rest):
        raise ValueError(
            f"quality needs {n_judge + n_real} images besides the candidates; the dataset "
            f"has {len(rest)} more. Use a smaller judge_size or n_images."
        )
    pick = generator(seed).permutation(rest)[: n_judge + n_real]
    model, params = resolve_model("cnn", {"epochs": int(q.get("judge_epochs", 10))})
    judge = make_model(model, n_classes=data.n_classes, random_state=seed, **params)
    judge.fit(X[pick[:n_judge]], data.y[pick[:n_judge]])
    return judge, X[pick[n_judge:]]


def _fd(judge, real, gan, seed) -> float | None:
    if judge is None:
        return None
    return frechet_feature_distance(judge, real, gan.sample(len(real), random_state=seed))


def _attack_rows(target, X, m, opts, seed, judge=None, real=None) -> list[tuple]:
    """White-box and black-box attacks on ``target``: (attack, top-n, AUC, attack time,
    quality fields)."""
    out = []
    sample_fd = _fd(judge, real, target, seed)
    wb = WhiteBoxGANAttack().fit(target).score_samples(X)
    out.append(("white_box", top_n_accuracy(m, wb), auc(m, wb), 0.0, {"sample_fd": sample_fd}))
    att = dict(opts.get("attacker", {}))
    n_samples = int(att.pop("n_samples", 2000))
    t0 = time.perf_counter()
    bb = BlackBoxGANAttack(n_samples=n_samples, gan=DCGAN(**att), random_state=seed).fit(target)
    s = bb.score_samples(X)
    fields = {"sample_fd": sample_fd, "attacker_fd": _fd(judge, real, bb.gan_, seed)}
    out.append(("black_box", top_n_accuracy(m, s), auc(m, s), time.perf_counter() - t0, fields))
    return out


def _aux_rows(target, X, members, candidates, setting, opts, seed):
    """The auxiliary-knowledge attack of ``setting`` on ``target``: (attack rows, the
    members and candidates left to rank)."""
    from ..models import make_model
    from .profiles import resolve_model

    share = float(opts.get("aux_share", 0.3))
    known_seq, attack_seq = spawn(seed, 2)
    rng = generator(known_seq)
    nonmembers = candidates[len(members) :]
    known_out = rng.permutation(nonmembers)[: round(share * len(nonmembers))]
    known_in = rng.permutation(members)[: round(share * len(members))]
    if setting.startswith("test="):
        known_in = known_in[:0]
    params = dict(opts.get("aux_classifier", {"epochs": 10}))
    model, model_params = resolve_model(params.pop("preset", "cnn"), params)
    clf = make_model(model, n_classes=2, **model_params)
    att = AuxiliaryGANAttack(
        n_samples=int(opts.get("attacker", {}).get("n_samples", 2000)),
        classifier=clf,
        random_state=attack_seq,
    )
    t0 = time.perf_counter()
    att.fit(target, X[known_out], X[known_in] if len(known_in) else None)
    attack_s = time.perf_counter() - t0
    left_members = np.setdiff1d(members, known_in)
    left = np.r_[left_members, np.setdiff1d(nonmembers, known_out)]
    m = np.r_[np.ones(len(left_members)), np.zeros(len(left) - len(left_members))]
    s = att.score_samples(X[left])
    return [("black_box_aux", top_n_accuracy(m, s), auc(m, s), attack_s, {})], left_members, left


def _targets(part, settings, X, members, seed, done) -> None:
    """Train the target GANs of ``settings`` that ``done`` lacks (keyed by their
    parameters): one run with snapshots for part ``epochs``, one run each otherwise."""
    todo = [params for _, params in settings if _memo(params) not in done]
    if part == "epochs" and todo:
        base = {k: v for k, v in todo[0].items() if k != "epochs"}
        epochs = [p["epochs"] for p in todo]
        for gan in DCGAN(**base, random_state=seed).fit_snapshots(X[members], epochs):
            done[_memo({**base, "epochs": gan.epochs})] = gan
        return
    for params in todo:
        done[_memo(params)] = DCGAN(**params, random_state=seed).fit(X[members])


def _memo(params: dict) -> str:
    return repr(sorted(params.items()))


def _entry_rows(key, data, entry, opts, seed, progress) -> list[dict]:
    parts = opts.get("parts", list(PARTS))
    unknown = [p for p in parts if p not in PARTS]
    if not parts or unknown:
        raise ValueError(f"entry {key}: parts must list some of {PARTS}, got {parts!r}.")
    per = int(opts.get("candidates_per_member", 9))
    split_seq, gan_seq, attack_seq = spawn(seed, 3)
    members, candidates = member_split(len(data.X), int(entry.target_size), per, split_seq)
    X = np.asarray(data.X, dtype=np.float32)
    Xc = X[candidates]
    m = np.r_[np.ones(len(members)), np.zeros(len(candidates) - len(members))]
    judge, real = _judge(data, X, candidates, opts, int_seed(split_seq))
    rows, gans, attacked = [], {}, {}
    for part in [p for p in PARTS if p in parts]:
        settings = logan_settings(part, opts)
        if part != "classifier":
            _targets(part, settings, X, members, int_seed(gan_seq), gans)
        for setting, params in progress_bar(settings, progress, f"hayes_logan {part} {key}"):
            n_members, n_candidates = len(members), len(candidates)
            if part == "classifier":
                attacks, fit_s, epochs = _classifier_rows(
                    data, X, members, candidates, m, params, int_seed(gan_seq)
                )
                gan = {"epochs": epochs}
            else:
                gan, target = params, gans[_memo(params)]
                fit_s = target.fit_time_
                if part == "auxiliary":
                    attacks, left_members, left = _aux_rows(
                        target, X, members, candidates, setting, opts, int_seed(attack_seq)
                    )
                    n_members, n_candidates = len(left_members), len(left)
                else:  # the undefended GAN of both parts: attacked once
                    memo = _memo(params)
                    if memo not in attacked:
                        attacked[memo] = _attack_rows(
                            target, Xc, m, opts, int_seed(attack_seq), judge, real
                        )
                    attacks = attacked[memo]
            for attack, acc, area, attack_s, quality in attacks:
                rows.append(
                    {
                        "key": f"{part}/{key}/{setting}/{attack}",
                        "part": part,
                        "dataset": key,
                        "setting": setting,
                        "attack": attack,
                        "n_members": n_members,
                        "n_candidates": n_candidates,
                        "baseline": n_members / n_candidates,
                        "top_n_accuracy": acc,
                        "auc": area,
                        "epochs": int(gan["epochs"]),
                        "dropout": float(gan.get("dropout", 0.0)),
                        "weight_norm": bool(gan.get("weight_norm", False)),
                        "fit_s": fit_s,
                        "attack_fit_s": attack_s,
                        "sample_fd": quality.get("sample_fd"),
                        "attacker_fd": quality.get("attacker_fd"),
                    }
                )
    return rows


@register("hayes_logan", "LOGAN (Hayes et al.): white- and black-box attacks on a DCGAN")
def hayes_logan(prof, seed: int = 0, progress: bool = False) -> dict:
    """Each part of each dataset entry, the target GANs against the white-box and
    black-box attacks: one row per (part, dataset, setting, attack)."""
    from ..datasets import load_dataset
    from .results import dataset_info

    rows, infos = [], {}  # run_experiment runs this inside the thread context
    for key, entry in prof.datasets.items():
        opts = {**prof.options, **entry.options}
        data = load_dataset(entry.source, **entry.load)
        infos[key] = dataset_info(data)
        rows += _entry_rows(key, data, entry, opts, seed, progress)
    return {"rows": rows, "datasets": infos}
