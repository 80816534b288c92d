"""The exercises of a chapter notebook, and the autograder checks written for them.

A chapter's exercise is a MyST block in a Markdown cell::

    :::{exercise} core
    :label: ex-ch2-early-stopping

    ...
    :::

followed by its solution, the cells from a ``solution-start`` cell to a ``solution-end`` cell.
The code cells between them are the solution's code.

A *check* is an autograder test file for one exercise, in `Otter-Grader's exception-based
format <https://otter-grader.readthedocs.io/en/latest/test_files/python_format.html>`_, stored
as ``<checks folder>/<exercise label>.py``. Beside Otter's ``name``, ``points`` and
``@test_case`` functions it sets two names of its own:

``ANSWER``
    a dict from each name the answer must define to a one-line description; the student
    notebook's answer cell sets each to ``...`` with the description beside it.
``WRONG`` (optional)
    the code of a deliberately wrong answer, which the grading proof submits to show that
    the check takes the exercise's marks away.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

DIFFICULTIES = ("warm-up", "core", "challenge")

_EXERCISE = re.compile(
    r"^:::\{exercise\}[ \t]*(?P<title>[^\n]*)\n(?P<body>.*?)^:::[ \t]*$", re.M | re.S
)
_LABEL = re.compile(r"^:label:[ \t]*(?P<label>\S+)", re.M)


class ChapterFormatError(ValueError):
    """A chapter notebook or a check file is not in the form the assignments are built from."""


@dataclass(frozen=True)
class Exercise:
    """One exercise of a chapter notebook.

    Attributes
    ----------
    label : str
        The exercise's ``:label:``.
    difficulty : str
        ``"warm-up"``, ``"core"`` or ``"challenge"`` (the exercise's title).
    cell : int
        Index of the Markdown cell that holds the exercise.
    solution : tuple of int
        Indices of the solution's cells, from its ``solution-start`` to its ``solution-end``
        cell inclusive (empty when the exercise has no solution).
    code : str
        The solution's code cells, joined by blank lines.
    """

    label: str
    difficulty: str
    cell: int
    solution: tuple[int, ...]
    code: str


@dataclass(frozen=True)
class Check:
    """An autograder check (an Otter test file) for one exercise.

    Attributes
    ----------
    label : str
        The exercise it grades (the file's stem and its Otter ``name``).
    path : Path
        The test file.
    points : float
        The marks it gives.
    answer : dict
        Each name the answer must define, with a one-line description.
    wrong : str or None
        Code of a deliberately wrong answer, if the file has one.
    source : str
        The file's text.
    """

    label: str
    path: Path
    points: float
    answer: dict
    wrong: str | None
    source: str


def _source(cell) -> str:
    src = cell["source"]
    return "".join(src) if isinstance(src, list) else src


def chapter_exercises(nb) -> list[Exercise]:
    """The exercises of a notebook (an ``nbformat`` node), in order.

    Raises :class:`ChapterFormatError` for an exercise without a label or a difficulty, for a
    label used twice, and for a solution that starts and never ends.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[
    ...     nbformat.v4.new_markdown_cell(
    ...         ":::{exercise} warm-up\\n:label: ex-a\\n\\nAdd one.\\n:::"),
    ...     nbformat.v4.new_markdown_cell("````{solution-start} ex-a\\n````"),
    ...     nbformat.v4.new_code_cell("x = 1 + 1"),
    ...     nbformat.v4.new_markdown_cell("````{solution-end}\\n````")])
    >>> [(e.label, e.difficulty, e.solution, e.code) for e in chapter_exercises(nb)]
    [('ex-a', 'warm-up', (1, 2, 3), 'x = 1 + 1')]
    """
    cells = nb["cells"]
    found: list[Exercise] = []
    i = 0
    while i < len(cells):
        cell = cells[i]
        text = _source(cell) if cell["cell_type"] == "markdown" else ""
        blocks = list(_EXERCISE.finditer(text))
        if not blocks:
            i += 1
            continue
        if len(blocks) > 1:
            raise ChapterFormatError(
                f"cell {i} holds {len(blocks)} exercises: give each exercise a cell of its own"
            )
        block = blocks[0]
        label = _LABEL.search(block["body"])
        if label is None:
            raise ChapterFormatError(f"the exercise in cell {i} has no ':label:' line")
        difficulty = block["title"].strip()
        if difficulty not in DIFFICULTIES:
            raise ChapterFormatError(
                f"exercise {label['label']!r} is titled {difficulty!r}; its title must be one of "
                f"{', '.join(DIFFICULTIES)}"
            )
        at = i
        solution: tuple[int, ...] = ()
        code = ""
        j = i + 1
        if j < len(cells) and "{solution-start}" in _source(cells[j]):
            end = j
            while end < len(cells) and "{solution-end}" not in _source(cells[end]):
                end += 1
            if end == len(cells):
                raise ChapterFormatError(
                    f"the solution of {label['label']!r} (cell {j}) has no solution-end cell"
                )
            solution = tuple(range(j, end + 1))
            code = "\n\n".join(
                _source(cells[k]).strip() for k in solution if cells[k]["cell_type"] == "code"
            )
            i = end
        if any(e.label == label["label"] for e in found):
            raise ChapterFormatError(f"exercise label {label['label']!r} is used twice")
        found.append(Exercise(label["label"], difficulty, at, solution, code))
        i += 1
    return found


def _literal(tree: ast.Module, name: str, path: Path):
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            try:
                return ast.literal_eval(node.value)
            except ValueError as exc:
                raise ChapterFormatError(
                    f"{path.name}: {name} must be a literal (a number, string or dict)"
                ) from exc
    return None


def load_check(path) -> Check:
    """Read one check file; :class:`ChapterFormatError` says what is missing from it."""
    path = Path(path)
    source = path.read_text(encoding="utf-8")
    try:
        tree = ast.parse(source, filename=str(path))
    except SyntaxError as exc:
        raise ChapterFormatError(f"{path.name} is not valid Python: {exc}") from exc
    label = path.stem
    name = _literal(tree, "name", path)
    if name != label:
        raise ChapterFormatError(
            f"{path.name}: its Otter name is {name!r}; it must be the file's stem {label!r}"
        )
    points = _literal(tree, "points", path)
    if not isinstance(points, int | float) or isinstance(points, bool) or points <= 0:
        raise ChapterFormatError(f"{path.name}: points must be a positive number, not {points!r}")
    answer = _literal(tree, "ANSWER", path)
    if (
        not isinstance(answer, dict)
        or not answer
        or not all(
            isinstance(k, str) and k.isidentifier() and isinstance(v, str)
            for k, v in answer.items()
        )
    ):
        raise ChapterFormatError(
            f"{path.name}: ANSWER must be a non-empty dict from each name the answer defines "
            "to a description"
        )
    wrong = _literal(tree, "WRONG", path)
    if wrong is not None and not isinstance(wrong, str):
        raise ChapterFormatError(f"{path.name}: WRONG must be a string of code")
    if "@test_case" not in source:
        raise ChapterFormatError(f"{path.name}: it has no @test_case function")
    return Check(label, path, float(points), dict(answer), wrong, source)


def _is_hidden_case(node) -> bool:
    for dec in getattr(node, "decorator_list", []):
        if isinstance(dec, ast.Call) and getattr(dec.func, "id", None) == "test_case":
            for kw in dec.keywords:
                if kw.arg == "hidden" and isinstance(kw.value, ast.Constant) and kw.value.value:
                    return True
    return False


def public_source(source: str) -> str:
    r"""A check's text without its hidden test cases (``@test_case(hidden=True)``).

    Students get this copy; the autograder keeps every case.

    >>> src = (
    ...     "@test_case()\ndef test_a(x):\n    assert x\n\n\n"
    ...     "@test_case(hidden=True)\ndef test_b(x):\n    assert x > 1\n"
    ... )
    >>> print(public_source(src))
    @test_case()
    def test_a(x):
        assert x
    <BLANKLINE>
    """
    lines = source.splitlines(keepends=True)
    drop = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and _is_hidden_case(node):
            first = min(d.lineno for d in node.decorator_list)
            drop.update(range(first - 1, node.end_lineno))
    kept = "".join(line for i, line in enumerate(lines) if i not in drop)
    return kept.rstrip("\n") + "\n"


def load_checks(folder) -> dict[str, Check]:
    """Every check file of a folder, by exercise label (an empty dict if there is none)."""
    folder = Path(folder)
    if not folder.is_dir():
        return {}
    return {c.label: c for c in map(load_check, sorted(folder.glob("*.py")))}
