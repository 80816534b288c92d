"""Build the assignments: a student notebook and an Otter autograder for every chapter.

For a chapter ``book/chapters/<stem>.ipynb`` with checks in ``book/assignments/<stem>/``,
:func:`build_chapter` writes under ``OUT/<stem>/``:

``student/<stem>.ipynb`` and ``student/tests/``
    what a student gets: the chapter without its outputs and without any solution, and the
    checks without their hidden test cases (``@test_case(hidden=True)``), which only the
    autograder has. Under each
    autograded exercise, an answer cell sets every name the answer must define to ``...`` (a
    blank), and a cell runs ``grader.check(label)``, Otter's check of that answer. Under an
    exercise without a check, an empty answer cell says that the instructor grades it.
``autograder.zip``
    Otter's autograder (``otter generate``): grade a submission with
    ``otter run -a autograder.zip SUBMISSION.ipynb``.
``solution/<stem>.ipynb``
    the student notebook with the book's solutions in its answer cells: it must get full marks.
``wrong/<stem>.ipynb``
    the same with each check's deliberately wrong answer (``WRONG``) in place of the solution:
    it must lose those exercises' marks and keep the others.

Generated files are never committed: build them with ``python -m mia_lib assignments build``.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .exercises import (
    ChapterFormatError,
    Check,
    Exercise,
    chapter_exercises,
    load_checks,
    public_source,
)

#: Key of the cell and notebook metadata that marks the cells the builder wrote.
META = "mia_assignment"

INTRO = """\
**Assignment version of this chapter.** The solutions are removed. Under each exercise:

* an *autograded* exercise has an answer cell that sets every name your answer must define to
  `...`. Replace each `...` by your answer (add as many cells above it as you need), then run
  the `grader.check(...)` cell under it: it runs the autograder's tests on your answer and
  shows which pass;
* an exercise marked *graded by your instructor* has an empty answer cell.

Run the notebook from the top (the next cell starts the grader). Your instructor grades the
whole notebook with the same tests, after running it from the top: keep every cell that
defines a name your answers use."""

INIT = 'import otter\n\ngrader = otter.Notebook(tests_dir="tests")'


def book_dir() -> Path:
    """``$MIA_BOOK_DIR`` when set, else ``book/`` of the source checkout."""
    from ..experiments.results import REPO_ROOT

    env = os.environ.get("MIA_BOOK_DIR")
    if env:
        return Path(env)
    return REPO_ROOT / "book"


@dataclass
class ChapterBuild:
    """What :func:`build_chapter` wrote for one chapter.

    Attributes
    ----------
    stem : str
        The chapter notebook's file name without ``.ipynb``.
    folder : Path
        ``OUT/<stem>``.
    exercises : list of Exercise
        Every exercise of the chapter.
    checks : dict
        The checks, by exercise label (the autograded exercises).
    """

    stem: str
    folder: Path
    exercises: list[Exercise]
    checks: dict[str, Check] = field(default_factory=dict)

    @property
    def student(self) -> Path:
        return self.folder / "student" / f"{self.stem}.ipynb"

    @property
    def autograder(self) -> Path:
        return self.folder / "autograder.zip"

    @property
    def solution(self) -> Path:
        return self.folder / "solution" / f"{self.stem}.ipynb"

    @property
    def wrong(self) -> Path:
        return self.folder / "wrong" / f"{self.stem}.ipynb"

    @property
    def points(self) -> float:
        return sum(c.points for c in self.checks.values())

    def to_dict(self) -> dict:
        return {
            "chapter": self.stem,
            "exercises": [
                {
                    "label": e.label,
                    "difficulty": e.difficulty,
                    "autograded": e.label in self.checks,
                    "points": self.checks[e.label].points if e.label in self.checks else 0.0,
                    "answer": list(self.checks[e.label].answer) if e.label in self.checks else [],
                    "has_wrong_answer": bool(e.label in self.checks and self.checks[e.label].wrong),
                }
                for e in self.exercises
            ],
            "points": self.points,
        }


def _cell(kind: str, source: str, role: str, label: str | None = None):
    import nbformat

    make = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
    cell = make(source)
    cell.metadata[META] = {"role": role, **({"exercise": label} if label else {})}
    return cell


def blank_answer(check: Check) -> str:
    """The code of a blank answer cell: every name of ``check.answer`` set to ``...``.

    >>> from pathlib import Path
    >>> c = Check("ex-a", Path("ex-a.py"), 2.0, {"x": "one plus one"}, None, "")
    >>> print(blank_answer(c))
    # Your answer to ex-a. Replace each ... by your answer.
    x = ...  # one plus one
    """
    width = max(len(n) for n in check.answer)
    lines = [f"# Your answer to {check.label}. Replace each ... by your answer."]
    lines += [f"{n.ljust(width)} = ...  # {d}" for n, d in check.answer.items()]
    return "\n".join(lines)


def student_notebook(nb, exercises: list[Exercise], checks: dict[str, Check]):
    """The student version of a chapter notebook (a new ``nbformat`` node).

    Outputs are cleared, every solution is removed, and answer and check cells are added as
    the module docstring describes. Raises
    :class:`~mia_lib.classroom.exercises.ChapterFormatError` for a check whose exercise is
    not in the chapter.
    """
    unknown = sorted(set(checks) - {e.label for e in exercises})
    if unknown:
        raise ChapterFormatError(
            f"checks for exercises the chapter does not have: {', '.join(unknown)}; rename "
            "each check file after an exercise ':label:'"
        )
    nb = copy.deepcopy(nb)
    cells = nb.cells
    for ex in reversed(exercises):
        added = []
        if ex.label in checks:
            check = checks[ex.label]
            names = ", ".join(f"`{n}`" for n in check.answer)
            added.append(
                _cell(
                    "markdown",
                    f"**Your answer** (autograded, {check.points:g} "
                    f"mark{'s' if check.points != 1 else ''}): define {names}.",
                    "prompt",
                    ex.label,
                )
            )
            added.append(_cell("code", blank_answer(check), "answer", ex.label))
            added.append(_cell("code", f'grader.check("{ex.label}")', "check", ex.label))
        else:
            added.append(
                _cell(
                    "markdown", "**Your answer** (graded by your instructor):", "prompt", ex.label
                )
            )
            added.append(_cell("code", f"# Your answer to {ex.label}.", "answer", ex.label))
        first, last = (ex.solution[0], ex.solution[-1] + 1) if ex.solution else (ex.cell + 1,) * 2
        cells[first:last] = added
    for cell in cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    cells[1:1] = [_cell("markdown", INTRO, "intro"), _cell("code", INIT, "init")]
    nb.metadata[META] = {"points": sum(c.points for c in checks.values())}
    return nb


def filled_notebook(student, answers: dict[str, str]):
    """A copy of a student notebook with answer cells replaced: ``answers`` maps a label to code."""
    nb = copy.deepcopy(student)
    for cell in nb.cells:
        meta = cell.metadata.get(META, {})
        if meta.get("role") == "answer" and meta["exercise"] in answers:
            cell.source = answers[meta["exercise"]]
    return nb


def _write_notebook(nb, path: Path) -> None:
    import nbformat

    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def build_chapter(chapter, checks_dir, out) -> ChapterBuild:
    """Write the student notebook, tests, autograder and proof notebooks of one chapter.

    ``chapter`` is the chapter notebook, ``checks_dir`` its folder of check files (it may be
    missing: then no exercise is autograded), ``out`` the output folder; the chapter's files go
    to ``out/<stem>/``, which is replaced.
    """
    import nbformat

    chapter = Path(chapter)
    nb = nbformat.read(chapter, as_version=4)
    exercises = chapter_exercises(nb)
    checks = load_checks(checks_dir)
    built = ChapterBuild(chapter.stem, Path(out) / chapter.stem, exercises, checks)
    student = student_notebook(nb, exercises, checks)
    solutions = {e.label: e.code for e in exercises if e.code}
    missing = sorted(set(checks) - set(solutions))
    if missing:
        raise ChapterFormatError(
            f"{chapter.name}: autograded exercises without solution code: {', '.join(missing)}"
        )
    wrong = {**solutions, **{k: c.wrong for k, c in checks.items() if c.wrong}}

    # everything is written into a staging folder that replaces out/<stem> at the end, so a
    # failed build leaves neither partial files nor a damaged earlier build
    built.folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=built.folder.parent, prefix=f".{chapter.stem}."))
    try:
        tests = staging / "student" / "tests"
        every = staging / "all-tests"
        tests.mkdir(parents=True)
        every.mkdir()
        for check in checks.values():
            (tests / check.path.name).write_text(public_source(check.source), encoding="utf-8")
            shutil.copyfile(check.path, every / check.path.name)
        _write_notebook(student, staging / "student" / f"{chapter.stem}.ipynb")
        _write_notebook(
            filled_notebook(student, solutions), staging / "solution" / f"{chapter.stem}.ipynb"
        )
        _write_notebook(
            filled_notebook(student, wrong), staging / "wrong" / f"{chapter.stem}.ipynb"
        )
        if checks:
            from otter.generate import main as otter_generate

            otter_generate(
                tests_dir=str(every),
                output_path=str(staging / "autograder.zip"),
                no_config=True,
                no_requirements=True,
                no_environment=True,
            )
        shutil.rmtree(every)
        (staging / "manifest.json").write_text(json.dumps(built.to_dict(), indent=1) + "\n")
        if built.folder.exists():
            shutil.rmtree(built.folder)
        os.replace(staging, built.folder)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return built


def build_all(out, book=None, chapters=None) -> list[ChapterBuild]:
    """Build every chapter of ``book/chapters`` (or those named in ``chapters``) into ``out``.

    Writes ``out/manifest.json`` with every chapter's exercises and points.
    """
    book = Path(book) if book is not None else book_dir()
    found = sorted((book / "chapters").glob("*.ipynb"))
    if not found:
        raise FileNotFoundError(
            f"no chapter notebooks in {book / 'chapters'}: pass the book's folder with --book"
        )
    if chapters:
        known = {p.stem: p for p in found}
        unknown = [c for c in chapters if c not in known]
        if unknown:
            raise ChapterFormatError(
                f"unknown chapters {', '.join(unknown)}; the chapters are: {', '.join(known)}"
            )
        found = [known[c] for c in chapters]
    out = Path(out)
    builds = [build_chapter(p, book / "assignments" / p.stem, out) for p in found]
    manifest = {b.stem: b.to_dict() for b in builds}
    old = out / "manifest.json"
    if chapters and old.exists():
        manifest = {**json.loads(old.read_text()), **manifest}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return builds
