"""Before strict nbval compares a notebook's stored outputs, check that the reader's data are
the data those outputs came from.

Each book notebook records, in its metadata ``mia_lib.datasets``, the content fingerprint
of every dataset it loaded when it was executed (``scripts/run_notebook.py``). Here the
reader's copy of each is loaded and fingerprinted. When one differs or cannot be loaded,
the notebook's outputs cannot be reproduced on this machine, so its cells are not compared
and the test command says why in one sentence per dataset and chapter, instead of printing
an nbval diff.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

_SKIPPED: list[str] = []


def _parse_key(key: str) -> tuple[str, dict]:
    """``"purchase[n_classes=100,dtype=float32]"`` -> ``("purchase", {"n_classes": 100, ...})``."""
    key = key.split("#", 1)[0]
    if "[" not in key:
        return key, {}
    name, rest = key.split("[", 1)
    options = {}
    for part in rest.rstrip("]").split(","):
        if not part:
            continue
        k, v = part.split("=", 1)
        if v.startswith("float") or v.startswith("int"):
            options[k] = v  # a dtype name
            continue
        try:
            options[k] = ast.literal_eval(v)
        except (ValueError, SyntaxError):
            options[k] = v
    return name, options


def _reader_fingerprint(key: str, cache: dict) -> tuple[str | None, str]:
    if key not in cache:
        from mia_lib.datasets import load_dataset

        name, options = _parse_key(key)
        try:
            data = load_dataset(name, **options)
            cache[key] = (data.fingerprint, "")
        except Exception as exc:  # noqa: BLE001 - any failure means the data are not here
            cache[key] = (None, str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    return cache[key]


def _stale_datasets(path: Path, cache: dict) -> list[str]:
    try:
        meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
    except (OSError, json.JSONDecodeError):
        return []
    notes = []
    for key, want in meta.get("mia_lib", {}).get("datasets", {}).items():
        have, why = _reader_fingerprint(key, cache)
        chapter = path.as_posix().split("book/", 1)[-1]
        if have is None:
            notes.append(
                f"{chapter}: its outputs were computed from {key}, which cannot be loaded "
                f"here ({why}), so its cells are not compared."
            )
        elif have != want:
            notes.append(
                f"{chapter}: your copy of {key} differs from the one its outputs were computed "
                f"from (fingerprint {have[:12]} instead of {want[:12]}), so its cells are not "
                "compared."
            )
    return notes


def pytest_collection_modifyitems(session, config, items):
    if not config.getoption("nbval", default=False) and not config.getoption(
        "nbval_lax", default=False
    ):
        return
    cache: dict = {}
    stale: dict[Path, list[str]] = {}
    keep, drop = [], []
    for item in items:
        path = Path(str(item.fspath))
        if path.suffix != ".ipynb":
            keep.append(item)
            continue
        if path not in stale:
            stale[path] = _stale_datasets(path, cache)
        (drop if stale[path] else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
    for notes in stale.values():
        _SKIPPED.extend(notes)


def pytest_terminal_summary(terminalreporter):
    if _SKIPPED:
        terminalreporter.section("notebooks not compared: the data differ")
        for line in _SKIPPED:
            terminalreporter.write_line(line)
