"""Hygiene of the book's notebooks: what strict nbval and the HTML build do not check.

One test per check and notebook, each failing with the cells at fault and what to do:

1. stored outputs hold nothing that depends on the machine (paths, permissions, download
   notices, wall times, host and user names, core counts): strict nbval runs on readers'
   machines too;
2. every figure glued with ``glue(..., display=False)`` is also displayed as an ordinary
   image, so that JupyterLab shows it under the code that draws it;
3. notebooks use only public names of mia_lib (no ``_private`` module, function or
   attribute);
4. code lines are at most 88 characters (the width of the HTML code blocks);
5. every solution is a dropdown and its code lives in code cells (which run), not in
   Markdown code fences (which never run);
6. code cells were run in order from a fresh kernel (execution counts 1..n) without errors;
7. every exercise names its difficulty as its title (``:::{exercise} core``): ``warm-up``,
   ``core`` or ``challenge``, shown in the HTML as "Exercise 3 (core)".

The checks are plain functions over a notebook (a dict as in the ``.ipynb`` JSON); the tests
at the end of this module prove on small notebooks that each passes on good input and fails
on bad input.
"""

from __future__ import annotations

import ast
import getpass
import json
import re
import socket
from pathlib import Path

import pytest

from mia_lib.classroom import DIFFICULTIES

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
MAX_LINE = 88
GLUE_PNG = "application/papermill.record/image/png"


def book_notebooks() -> list[Path]:
    skip = {".ipynb_checkpoints", "_build"}
    return sorted(p for p in BOOK.rglob("*.ipynb") if not skip & set(p.parts))


def _text(source) -> str:
    return "".join(source) if isinstance(source, list) else (source or "")


def _where(index: int, cell: dict) -> str:
    """'cell 7 (In [5]): first line of the cell' — how a reader finds the cell."""
    first = next((ln.strip() for ln in _text(cell.get("source")).splitlines() if ln.strip()), "")
    if len(first) > 50:
        first = first[:47] + "..."
    count = cell.get("execution_count")
    label = f"cell {index + 1}" + (f" (In [{count}])" if count else "")
    return f"{label}: {first!r}"


# -- 1. machine-dependent text in stored outputs ------------------------------------------


def _output_texts(out: dict) -> list[str]:
    """The text of one output: streams, tracebacks and every textual MIME type."""
    texts = []
    if out.get("output_type") == "stream":
        texts.append(_text(out.get("text")))
    if out.get("output_type") == "error":
        texts.append("\n".join(out.get("traceback", [])))
    for mime, value in out.get("data", {}).items():
        if mime.endswith(("image/png", "image/jpeg", "image/gif")):
            continue
        texts.append(value if isinstance(value, str) else _text(value) or json.dumps(value))
    return texts


_GENERIC_USERS = {"root", "user", "jovyan", "runner", "admin", "ubuntu", "debian"}


def _machine_patterns() -> list[tuple[re.Pattern, str]]:
    """(pattern, what it is); host and user names are read from this machine."""
    pats = [
        (r"(?<![\w.])(/work/|/tmp/|/home/|/root/|/Users/|/private/var/|/var/folders/)", "a path"),
        (r"\b[A-Za-z]:\\\\?[A-Za-z_]", "a Windows path"),
        (r"site-packages", "a path into site-packages"),
        (r"read-only", "'read-only' (a property of this machine's data directory)"),
        (r"will be downloaded|downloading\b", "a download notice"),
        (r"\b\d+(\.\d+)?\s?(s|sec|secs|seconds|ms|min|minutes)\b", "a wall time"),
        (r"\(wall\)|\btook\b|\bduration\b|\belapsed\b", "a wall time"),
        (r"\d\s?it/s\b|s/it\b", "a progress-bar rate"),
        (r"cpu_count|\b\d+\s+(cpu\s+)?cores?\b|\b\d+\s+CPUs?\b|\bnproc\b", "a core count"),
    ]
    out = [(re.compile(p, re.IGNORECASE), what) for p, what in pats]
    host = socket.gethostname().split(".")[0]
    if len(host) >= 4 and host.lower() != "localhost":
        out.append((re.compile(rf"\b{re.escape(host)}\b", re.IGNORECASE), "this host's name"))
    try:
        user = getpass.getuser()
    except Exception:  # no user name to be had: nothing to look for
        user = ""
    if len(user) >= 3 and user.lower() not in _GENERIC_USERS:
        out.append((re.compile(rf"\b{re.escape(user)}\b"), "this user's name"))
    return out


def machine_text_problems(nb: dict) -> list[str]:
    problems = []
    patterns = _machine_patterns()
    for i, cell in enumerate(nb["cells"]):
        for out in cell.get("outputs", []):
            for text in _output_texts(out):
                for pat, what in patterns:
                    m = pat.search(text)
                    if m:
                        a, b = max(0, m.start() - 30), m.end() + 30
                        snippet = text[a:b].replace("\n", " ")
                        problems.append(f"{_where(i, cell)} shows {what}: ...{snippet}...")
    return problems


# -- 2. glued figures are also displayed -----------------------------------------------------


def glued_figure_problems(nb: dict) -> list[str]:
    glued, shown = [], 0
    for i, cell in enumerate(nb["cells"]):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if GLUE_PNG in data:
                glued.append(_where(i, cell))
            if "image/png" in data:
                shown += 1
    if len(glued) <= shown:
        return []
    return [
        f"{len(glued)} figures glued with display=False but only {shown} displayed as images "
        f"(glued in: {'; '.join(glued)})"
    ]


# -- 3. public names of mia_lib only -----------------------------------------------------


def _parse(source: str) -> ast.AST | None:
    lines = []
    for line in source.splitlines():
        s = line.lstrip()
        if s.startswith(("%%", "!")):  # a cell magic's line, a shell command
            line = ""
        elif s.startswith("%"):  # a line magic: keep the code it runs (%time x = f())
            parts = s.split(None, 1)
            line = parts[1] if len(parts) > 1 and parts[0] in _CODE_MAGICS else ""
        lines.append(line)
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError:
        return None


_CODE_MAGICS = {"%time", "%timeit", "%prun", "%capture"}


# namedtuple's methods are public although they start with an underscore
_PUBLIC_UNDERSCORED = {"_asdict", "_fields", "_replace", "_make", "_field_defaults"}


def _private(name: str) -> bool:
    dunder = name.startswith("__") and name.endswith("__")
    return name.startswith("_") and not dunder and name not in _PUBLIC_UNDERSCORED


def private_name_problems(nb: dict) -> list[str]:
    problems = []
    bound = {"mia_lib"}  # names that refer to mia_lib or something in it, over the notebook
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        source = _text(cell["source"])
        tree = _parse(source)
        found = []
        if tree is None:  # not Python even without magics: fall back to the text
            found += re.findall(r"mia_lib(?:\.\w+)*\._\w+", source)
        else:
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    for a in node.names:
                        if a.name == "mia_lib" or a.name.startswith("mia_lib."):
                            if any(_private(p) for p in a.name.split(".")):
                                found.append(f"import {a.name}")
                            bound.add((a.asname or a.name).split(".")[0])
                elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("mia_lib"):
                    if node.level == 0 and (
                        node.module == "mia_lib" or node.module.startswith("mia_lib.")
                    ):
                        if any(_private(p) for p in node.module.split(".")):
                            found.append(f"from {node.module} import ...")
                        for a in node.names:
                            if _private(a.name):
                                found.append(f"from {node.module} import {a.name}")
                            bound.add(a.asname or a.name)
            for node in ast.walk(tree):
                if isinstance(node, ast.Attribute) and _private(node.attr):
                    root = node.value
                    while isinstance(root, ast.Attribute):
                        root = root.value
                    if isinstance(root, ast.Name) and root.id in bound:
                        found.append(f"{ast.unparse(node)}")
        for f in dict.fromkeys(found):
            problems.append(f"{_where(i, cell)} uses the private name {f!r}")
    return problems


# -- 4. code line length -----------------------------------------------------------------


def line_length_problems(nb: dict, limit: int = MAX_LINE) -> list[str]:
    problems = []
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        for n, line in enumerate(_text(cell["source"]).splitlines(), 1):
            if len(line) > limit:
                problems.append(f"{_where(i, cell)} line {n} has {len(line)} characters")
    return problems


# -- 5. solutions: dropdowns, code in code cells ---------------------------------------------

_FENCE = re.compile(r"^\s*(?P<fence>`{3,}|~{3,}|:{3,})\s*(?P<info>.*)$")
_CODE_DIRECTIVES = {"code", "code-block", "code-cell", "sourcecode"}


def _blocks(lines: list[str]) -> list[dict]:
    """Fenced blocks of a Markdown cell, nested ones too, in order of their first line.

    Each is ``{"start", "end", "name", "code", "text"}``: ``name`` is the directive name
    (``solution`` for ``:::{solution} x``) or None, ``code`` says whether it is a code block
    (a fence without a directive, or a code directive), ``end`` is the closing line (or
    ``len(lines)`` when the cell ends first).
    """
    blocks, stack = [], []
    for n, line in enumerate(lines):
        s = line.strip()
        if stack:
            top = stack[-1]
            char, width = top["fence"][0], len(top["fence"])
            if s and set(s) == {char} and len(s) >= width:
                top["end"] = n
                stack.pop()
                continue
            if top["code"]:
                continue  # the content of a code block is literal
        m = _FENCE.match(line)
        if not m or (m.group("fence")[0] == ":" and not m.group("info").startswith("{")):
            continue
        info = m.group("info").strip()
        d = re.match(r"^\{([\w:-]+)\}", info)
        name = d.group(1) if d else None
        block = {
            "start": n,
            "end": len(lines),
            "fence": m.group("fence"),
            "name": name,
            "code": name is None or name in _CODE_DIRECTIVES,
            "text": s,
        }
        blocks.append(block)
        stack.append(block)
    return blocks


def _directive_options(lines: list[str], block: dict) -> dict[str, str]:
    """The options of a directive: ``:key: value`` lines, or a ``---`` YAML block."""
    body = lines[block["start"] + 1 : block["end"]]
    opts = {}
    if body and body[0].strip() == "---":
        for line in body[1:]:
            if line.strip() == "---":
                break
            key, _, value = line.partition(":")
            opts[key.strip()] = value.strip()
        return opts
    for line in body:
        m = re.match(r"^\s*:(\w[\w-]*):\s*(.*)$", line)
        if not m:
            break
        opts[m.group(1)] = m.group(2).strip()
    return opts


def solution_problems(nb: dict) -> list[str]:
    problems = []
    gated = None  # where the open {solution-start} is
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        lines = _text(cell["source"]).splitlines()
        blocks = _blocks(lines)
        for block in blocks:
            name = block["name"]
            at = f"cell {i + 1} line {block['start'] + 1} {block['text']!r}"
            if name in ("solution", "solution-start"):
                if "dropdown" not in _directive_options(lines, block).get("class", "").split():
                    problems.append(
                        f"{at}: not a dropdown: add ':class: dropdown' as its first option line"
                    )
            if name == "solution":
                for inner in blocks:
                    if inner["code"] and block["start"] < inner["start"] < block["end"]:
                        problems.append(
                            f"{at}: holds a Markdown code block {inner['text']!r} (line "
                            f"{inner['start'] + 1}), which never runs: use a gated solution "
                            "({solution-start} ... {solution-end}) with the code in code "
                            "cells between them"
                        )
            elif name == "solution-start":
                if gated:
                    problems.append(f"{at}: a solution-start inside the one of {gated}")
                gated = at
            elif name == "solution-end":
                if not gated:
                    problems.append(f"{at}: a solution-end without a solution-start")
                gated = None
            elif block["code"] and gated:
                problems.append(
                    f"{at}: a Markdown code block inside the gated solution of {gated}, "
                    "which never runs: put the code in a code cell before solution-end"
                )
    if gated:
        problems.append(f"{gated}: a solution-start with no solution-end after it")
    return problems


# -- 6. executed in order, without errors ------------------------------------------------


def execution_problems(nb: dict) -> list[str]:
    problems = []
    expected = 1
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        where = _where(i, cell)
        count = cell.get("execution_count")
        if not _text(cell["source"]).strip():
            problems.append(f"{where}: an empty code cell; delete it")
        elif count != expected:
            problems.append(f"{where}: execution count {count}, expected {expected}")
        expected = (count or expected) + 1
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                problems.append(f"{where}: an error output ({out.get('ename')})")
    return problems


# -- 7. exercises: a difficulty each -----------------------------------------------------------


def difficulty_problems(nb: dict) -> list[str]:
    problems = []
    for i, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "markdown":
            continue
        lines = _text(cell["source"]).splitlines()
        for block in _blocks(lines):
            if block["name"] != "exercise":
                continue
            title = re.sub(r"^\S*\{exercise\}", "", block["text"].lstrip(":`~")).strip()
            if title not in DIFFICULTIES:
                label = _directive_options(lines, block).get("label", "?")
                problems.append(
                    f"cell {i + 1}: exercise {label} has the title {title!r}, not one of "
                    f"{', '.join(DIFFICULTIES)}"
                )
    return problems


CHECKS = {
    "machine_independent_outputs": (
        machine_text_problems,
        "stored outputs must not depend on the machine: print no paths, permissions, "
        "download notices, timings, host or user names or core counts (or load such facts "
        "from book/results/ and leave them out of cell outputs), then re-run the notebook",
    ),
    "glued_figures_displayed": (
        glued_figure_problems,
        "JupyterLab does not show a figure glued with display=False: display each figure "
        "under the code that draws it (plt.show() or display(fig)), and hide the duplicate "
        "in the HTML with a tag, or use the cell metadata mystnb: figure: {caption, name}",
    ),
    "public_mia_lib_names": (
        private_name_problems,
        "notebooks use the public API of mia_lib only: export what the chapter needs from "
        "mia_lib (a public name in the module's __all__) and import that",
    ),
    "code_lines_short": (
        line_length_problems,
        f"code lines in chapters are at most {MAX_LINE} characters: break the line "
        "(ruff format --line-length 88 on a copy helps)",
    ),
    "solutions_dropdown_code_runs": (
        solution_problems,
        "solutions are collapsed (':class: dropdown') and their code runs in CI",
    ),
    "exercises_have_difficulty": (
        difficulty_problems,
        "every exercise names its difficulty as the directive's title: "
        "':::{exercise} warm-up', 'core' or 'challenge'",
    ),
    "executed_in_order_without_errors": (
        execution_problems,
        "run the notebook top to bottom in a fresh kernel (Kernel > Restart Kernel and Run "
        "All Cells) and save it with its outputs",
    ),
}


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _report(rel: str, check: str, problems: list[str]) -> str:
    what = CHECKS[check][1]
    lines = [f"{rel}: {len(problems)} problem(s): {what}"]
    lines += [f"  - {p}" for p in problems]
    return "\n".join(lines)


NOTEBOOKS = book_notebooks()
_IDS = [p.relative_to(BOOK).as_posix() for p in NOTEBOOKS]


@pytest.mark.parametrize("check", list(CHECKS))
@pytest.mark.parametrize("path", NOTEBOOKS, ids=_IDS)
def test_book_notebook(path, check):
    problems = CHECKS[check][0](_load(path))
    assert not problems, _report(path.relative_to(ROOT).as_posix(), check, problems)


def test_the_book_has_notebooks():
    assert len(NOTEBOOKS) >= 1, f"no notebooks found under {BOOK}"


# -- the checks themselves: pass on a correct notebook, fail on each fault -----------------


def _md(text: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def _code(src: str, count: int, outputs=()) -> dict:
    return {
        "cell_type": "code",
        "execution_count": count,
        "metadata": {},
        "outputs": list(outputs),
        "source": src,
    }


def _stream(text: str) -> dict:
    return {"output_type": "stream", "name": "stdout", "text": text}


def _display(data: dict, metadata=None) -> dict:
    return {"output_type": "display_data", "data": data, "metadata": metadata or {}}


PNG = "iVBORw0KGgo="


def good_notebook() -> dict:
    cells = [
        _md("# A chapter\n\nThe attack reaches {glue:text}`auc:.2f`."),
        _code(
            "from mia_lib.metrics import roc_curve\nimport mia_lib.metrics as metrics\n"
            "print(metrics.__name__)",
            1,
            [_stream("mia_lib.metrics\n")],
        ),
        _code(
            "%matplotlib inline\nfig, ax = plt.subplots()\nplt.show()",
            2,
            [_display({"image/png": PNG, "text/plain": "<Figure size 640x480 with 1 Axes>"})],
        ),
        _code(
            "glue('roc', fig, display=False)\nglue('auc', 0.75, display=False)",
            3,
            [
                _display({GLUE_PNG: PNG}, {"scrapbook": {"name": "roc"}}),
                _display({"application/papermill.record/text/plain": "0.75"}),
            ],
        ),
        _md(
            "```{exercise} warm-up\n:label: ex-a\nDo it.\n```\n\n"
            ":::{solution} ex-a\n:class: dropdown\nA word, and maths:\n"
            "```{math}\nx^2\n```\n:::\n"
        ),
        _md("````{exercise} challenge\n:label: ex-b\nCode it.\n````\n\n"),
        _md("````{solution-start} ex-b\n:class: dropdown\n````\nThe code:"),
        _code("print(round(0.123456, 3))", 4, [_stream("0.123\n")]),
        _md("It prints a number.\n\n````{solution-end}\n````"),
        _md(
            "::::{solution-start} ex-b\n:class: dropdown\n::::\n"
            "One cell, no code.\n::::{solution-end}\n::::"
        ),
        _code("x = 1  # " + "a" * (MAX_LINE - 9), 5),
    ]
    return {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def _bad(change) -> dict:
    nb = good_notebook()
    change(nb["cells"])
    return nb


BAD = {
    "machine_independent_outputs": [
        lambda c: c[7]["outputs"].append(_stream("saved to /work/main/book/results/x.json\n")),
        lambda c: c[7]["outputs"].append(_stream("/home/ann/data is read-only\n")),
        lambda c: c[7]["outputs"].append(_stream("cifar10 will be downloaded (163 MB)\n")),
        lambda c: c[7]["outputs"].append(_stream("trained 10 models in 12.3 s\n")),
        lambda c: c[7]["outputs"].append(_stream("fit took 3.1s\n")),
        lambda c: c[7]["outputs"].append(_stream("2.5 s (wall)\n")),
        lambda c: c[7]["outputs"].append(_display({"text/plain": "{'duration': 3}"})),
        lambda c: c[7]["outputs"].append(_stream("running on 16 cores\n")),
        lambda c: c[7]["outputs"].append(_stream("os.cpu_count() = 2\n")),
        lambda c: c[7]["outputs"].append(_stream("C:\\Users\\ann\\data\n")),
        lambda c: c[7]["outputs"].append(_stream("100%|####| 50/50 [00:01<00:00, 40.1it/s]\n")),
    ],
    "glued_figures_displayed": [
        lambda c: c[2]["outputs"].clear(),
    ],
    "public_mia_lib_names": [
        lambda c: c[1].update(source="from mia_lib.metrics import _roc_points"),
        lambda c: c[1].update(source="from mia_lib._validation import check_array"),
        lambda c: c[1].update(source="import mia_lib._random as r"),
        lambda c: c[1].update(source="import mia_lib\nmia_lib.metrics._roc_points([0], [1])"),
        lambda c: c[1].update(source="from mia_lib import metrics as m\nm._private"),
        lambda c: c[1].update(source="from mia_lib.datasets._base import Dataset"),
        lambda c: c[1].update(source="%time x = mia_lib.attacks._score(1)\n!ls"),
    ],
    "code_lines_short": [
        lambda c: c[10].update(source="x = 1  # " + "a" * (MAX_LINE - 8)),
    ],
    "solutions_dropdown_code_runs": [
        lambda c: c[4].update(source=":::{solution} ex-a\nA word.\n:::\n"),
        lambda c: c[4].update(
            source=":::{solution} ex-a\n:class: dropdown\n```python\nprint(1)\n```\n:::\n"
        ),
        lambda c: c[4].update(source="::::{solution} ex-a\n:class: dropdown\n```\nx\n```\n::::"),
        lambda c: c[4].update(
            source="```{solution} ex-a\n:class: dropdown\n~~~python\nprint(1)\n~~~\n```"
        ),
        lambda c: c[6].update(source="````{solution-start} ex-b\n````\nThe code:"),
        lambda c: c[8].update(source="```python\nprint(1)\n```\n````{solution-end}\n````"),
        lambda c: c[8].update(source="No end here."),
        lambda c: c[9].update(
            source="::::{solution-start} ex-b\n:class: dropdown\n::::\n"
            "```{code-block} python\nx = 1\n```\n::::{solution-end}\n::::"
        ),
    ],
    "exercises_have_difficulty": [
        lambda c: c[4].update(source="```{exercise}\n:label: ex-a\nDo it.\n```\n"),
        lambda c: c[5].update(source="````{exercise} hard\n:label: ex-b\nCode it.\n````\n"),
        lambda c: c[4].update(source=":::{exercise} Core\n:label: ex-a\nDo it.\n:::\n"),
    ],
    "executed_in_order_without_errors": [
        lambda c: c[7].update(execution_count=None),
        lambda c: c[7].update(execution_count=9),
        lambda c: c[3].update(execution_count=2),
        lambda c: c[7]["outputs"].append(
            {"output_type": "error", "ename": "KeyError", "evalue": "'x'", "traceback": []}
        ),
        lambda c: c.append(_code("", None)),
    ],
}


@pytest.mark.parametrize("check", list(CHECKS))
def test_check_passes_on_a_correct_notebook(check, tmp_path):
    path = tmp_path / "good.ipynb"
    path.write_text(json.dumps(good_notebook()), encoding="utf-8")
    assert CHECKS[check][0](_load(path)) == []


@pytest.mark.parametrize(
    "check, k", [(check, k) for check, changes in BAD.items() for k in range(len(changes))]
)
def test_check_fails_on_a_faulty_notebook(check, k, tmp_path):
    path = tmp_path / "bad.ipynb"
    path.write_text(json.dumps(_bad(BAD[check][k])), encoding="utf-8")
    problems = CHECKS[check][0](_load(path))
    assert problems, f"{check} let fault {k} pass"
    report = _report("bad.ipynb", check, problems)
    assert "cell" in report or "glued" in report  # says where


def test_every_check_has_faulty_examples():
    assert set(BAD) == set(CHECKS)
