"""Profiles of the replications, read from the TOML files next to this module.

Every replication has the profiles ``smoke`` (seconds, built-in data: tests), ``quick`` (what
a chapter runs live on 2 CPU cores) and ``full`` (the paper's sizes where our data allow),
and every profile has one shape (see ``profiles/shokri.toml``):

* profile level: ``seeds`` (repetitions, default 1), ``n_shadows``, ``note``, and the
  replication's sweep lists (``classes``, ``sizes``, ``noise``, ``ks``, ...);
* ``datasets``: one :class:`DatasetEntry` per dataset or data part, with its ``source`` (the
  dataset to load, default the key), ``load`` options, ``target_size``, model ``preset`` (see
  ``profiles/presets.toml``) and parameter overrides, and its own ``n_shadows``, ``seeds``,
  ``note`` and sweep lists where they differ.

:func:`load_profile` reads one and applies the overrides a user may ask for (the same for
every replication, checked here once for the command line and Python alike).

>>> p = load_profile("shokri_datasets", "quick")
>>> p.datasets["locations"].target_size, p.datasets["locations"].params["epochs"]
(1200, 100)
>>> load_profile("shokri_datasets", "quick", epochs=5).datasets["adult"].params["epochs"]
5
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources

from .._validation import check_positive_int

__all__ = [
    "PROFILES",
    "OVERRIDES",
    "DatasetEntry",
    "Profile",
    "ProfileError",
    "load_profile",
    "profile_names",
    "resolve_model",
]

PROFILES = ("smoke", "quick", "full")
#: The overrides every replication accepts, with what they do.
OVERRIDES = {
    "datasets": "run only these dataset entries of the profile",
    "n_shadows": "number of shadow models of every entry",
    "epochs": "training epochs of every neural network",
    "max_target_size": "cap on every target (and shadow) training-set size",
    "n_seeds": "number of repetitions (seeds) of every entry",
}
_PAPER_FILES = ("shokri", "truex", "salem", "defences", "privacy", "logan", "modern")
_ENTRY_KEYS = {"source", "load", "target_size", "preset", "n_shadows", "seeds", "note"}
_PROFILE_KEYS = {"seeds", "n_shadows", "note", "datasets"}
_MODEL_KEYS = {"epochs", "batch_size", "learning_rate", "weight_decay", "dropout", "max_grad_norm"}


class ProfileError(ValueError):
    """A profile file or an override is wrong; the message names the file and the entry."""


@cache
def _read(name: str) -> dict:
    text = resources.files(__package__).joinpath("profiles", f"{name}.toml").read_text("utf-8")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"profiles/{name}.toml is not valid TOML: {exc}") from None


def _replications() -> dict[str, tuple[str, dict]]:
    out = {}
    for paper in _PAPER_FILES:
        for rep, table in _read(paper).items():
            if any(p in table for p in PROFILES):
                out[rep] = (paper, table)
    return out


def profile_names() -> dict[str, tuple[str, ...]]:
    """Each replication with profiles in the data files, and its profiles.

    >>> profile_names()["truex_knowledge"]
    ('smoke', 'quick', 'full')
    """
    return {r: tuple(p for p in PROFILES if p in t) for r, (_, t) in _replications().items()}


@dataclass(frozen=True)
class DatasetEntry:
    """One dataset (or data part) of a profile, with its model resolved from its preset."""

    key: str
    source: str
    load: dict
    target_size: int | None
    model: str | None
    params: dict
    n_shadows: int
    seeds: int
    note: str
    options: dict = field(default_factory=dict)

    def setting(self) -> dict:
        """The entry as plain data, as a result records it."""
        return {
            "source": self.source,
            "load": self.load,
            "target_size": self.target_size,
            "model": self.model,
            "model_params": self.params,
            "n_shadows": self.n_shadows,
            "seeds": self.seeds,
            "note": self.note,
            **self.options,
        }


@dataclass(frozen=True)
class Profile:
    """A replication's profile: shared settings, sweep options and the dataset entries."""

    replication: str
    name: str
    paper: str
    seeds: int
    n_shadows: int
    note: str
    options: dict
    datasets: dict[str, DatasetEntry]
    overrides: dict = field(default_factory=dict)

    def settings(self) -> dict:
        """The profile as plain data, as a result records it."""
        return {
            "seeds": self.seeds,
            "n_shadows": self.n_shadows,
            "note": self.note,
            **self.options,
            "datasets": {k: e.setting() for k, e in self.datasets.items()},
            "overrides": self.overrides,
        }


def resolve_model(name: str, overrides: dict | None = None) -> tuple[str, dict]:
    """A preset of ``presets.toml`` (or a model name of the zoo) and parameter overrides, as
    ``(model name, parameters)``.

    >>> resolve_model("mlp", {"epochs": 10})[1]["epochs"], resolve_model("knn")
    (10, ('knn', {}))
    """
    presets = _read("presets")
    if name in presets:
        params = dict(presets[name])
        model = params.pop("model")
    else:
        model, params = name, {}
    params.update(overrides or {})
    for key in ("hidden_layer_sizes", "conv_channels"):
        if key in params:
            params[key] = tuple(params[key])
    return model, params


def _entry(where: str, key: str, raw: dict, presets: dict, seeds: int, k: int) -> DatasetEntry:
    raw = dict(raw)
    preset = raw.pop("preset", None)
    core = {k2: raw.pop(k2) for k2 in list(raw) if k2 in _ENTRY_KEYS}
    model, params = None, {}
    if preset is not None:
        if preset not in presets:
            raise ProfileError(f"{where}: unknown preset {preset!r}; known: {sorted(presets)}")
        # the rest: model parameter overrides when the entry has a model, else sweep options
        overrides = {k2: raw.pop(k2) for k2 in list(raw) if k2 in _MODEL_KEYS}
        model, params = resolve_model(preset, overrides)
    return DatasetEntry(
        key=key,
        source=core.get("source", key),
        load=dict(core.get("load", {})),
        target_size=core.get("target_size"),
        model=model,
        params=params,
        n_shadows=int(core.get("n_shadows", k)),
        seeds=int(core.get("seeds", seeds)),
        note=core.get("note", ""),
        options=raw,
    )


def load_profile(replication: str, profile: str, **overrides) -> Profile:
    """The ``profile`` of ``replication`` with the overrides applied (see :data:`OVERRIDES`).

    Raises :class:`ProfileError` (a ``ValueError``) naming what is wrong: an unknown
    replication or profile, an empty or unknown ``datasets`` selection, a non-positive count.
    """
    reps = _replications()
    if not isinstance(replication, str) or replication not in reps:
        raise ProfileError(f"unknown replication {replication!r}; known: {sorted(reps)}")
    paper, table = reps[replication]
    if not isinstance(profile, str) or profile not in table:
        have = tuple(p for p in PROFILES if p in table)
        raise ProfileError(f"unknown profile {profile!r} for {replication}; choose one of {have}")
    where = f"profiles/{paper}.toml [{replication}.{profile}]"
    shared = {k: v for k, v in table.items() if k not in PROFILES}
    raw = dict(table[profile])
    seeds = int(raw.get("seeds", 1))
    k = int(raw.get("n_shadows", 1))
    presets = _read("presets")
    entries = {
        key: _entry(f"{where} datasets.{key}", key, value, presets, seeds, k)
        for key, value in raw.get("datasets", {}).items()
    }
    options = {**shared, **{o: v for o, v in raw.items() if o not in _PROFILE_KEYS}}
    prof = Profile(replication, profile, paper, seeds, k, raw.get("note", ""), options, entries)
    return apply_overrides(prof, **overrides)


def apply_overrides(prof: Profile, **overrides) -> Profile:
    """``prof`` with the user's overrides (None: not given); they are recorded in it."""
    given = {k: v for k, v in overrides.items() if v is not None}
    unknown = sorted(set(given) - set(OVERRIDES))
    if unknown:
        raise ProfileError(f"unknown override(s) {unknown}; known: {sorted(OVERRIDES)}")
    entries = dict(prof.datasets)
    if "datasets" in given:
        chosen = given["datasets"]
        if not isinstance(chosen, str | list | tuple):
            raise ProfileError(
                f"datasets must be a dataset name or a list of names, got {chosen!r}"
            )
        chosen = [chosen] if isinstance(chosen, str) else list(chosen)
        given["datasets"] = chosen
        bad = [d for d in chosen if d not in entries]
        if not chosen or bad:
            raise ProfileError(
                f"datasets {bad or chosen} are not in profile {prof.name!r} of "
                f"{prof.replication}; choose from {list(entries)}"
            )
        entries = {k: e for k, e in entries.items() if k in chosen}
    for name in ("n_shadows", "epochs", "max_target_size", "n_seeds"):
        if name in given:
            try:
                given[name] = check_positive_int(given[name], name)
            except ValueError as exc:
                raise ProfileError(str(exc)) from None
    if "epochs" in given and not any("epochs" in e.params for e in entries.values()):
        raise ProfileError(
            f"epochs has no effect on {prof.replication}: none of its entries trains a model "
            "with an epochs parameter (its epochs, if any, are part of the profile); leave "
            "it out"
        )
    for key, e in entries.items():
        changes: dict = {}
        if "n_shadows" in given:
            changes["n_shadows"] = given["n_shadows"]
        if "n_seeds" in given:
            changes["seeds"] = given["n_seeds"]
        if "epochs" in given and "epochs" in e.params:
            changes["params"] = {**e.params, "epochs": given["epochs"]}
        cap = given.get("max_target_size")
        if cap is not None and e.target_size is not None and e.target_size > cap:
            note = f"{e.note}; " if e.note else ""
            changes.update(target_size=cap, note=f"{note}target capped at {cap:,} records")
        entries[key] = replace(e, **changes)
    seeds = given.get("n_seeds", prof.seeds)
    k = given.get("n_shadows", prof.n_shadows)
    return replace(prof, datasets=entries, seeds=seeds, n_shadows=k, overrides=given)
