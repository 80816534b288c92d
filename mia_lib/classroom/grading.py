"""Grade submissions with Otter, and prove that the checks can fail.

A grader that cannot fail is worse than none. :func:`prove_chapter` shows, for every autograded
exercise of a built chapter (:func:`mia_lib.classroom.build.build_chapter`), that

* the book's solution gets the exercise's full marks;
* the blank answer of the student notebook gets none;
* the check's deliberately wrong answer (``WRONG``), where it has one, loses marks.

Two ways, the same Otter checks:

``method="kernel"`` (the default)
    runs the student notebook once in one Jupyter kernel and, at each autograded exercise, runs
    the blank, then the wrong answer, then the solution, calling ``grader.check`` after each.
    The chapter's own cells run once instead of three times. An answer that draws from a
    random generator of the notebook draws differently after the blank and the wrong answer
    ran than in a notebook of its own; the checks recompute what they compare with from the
    answer's own names, so the marks do not depend on it.
``method="otter"``
    grades the three notebooks ``student/``, ``wrong/`` and ``solution/`` end to end with
    ``otter run`` (:func:`grade`), as an instructor grades a submission.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .build import META

_MARK = "MIA-PROOF "


@dataclass(frozen=True)
class ExerciseProof:
    """The marks of one autograded exercise's three answers.

    ``wrong`` is ``None`` when the check has no deliberately wrong answer. ``wrong_error``
    is the exception the wrong answer raised, if any (``method="kernel"`` only): a wrong
    answer must lose its marks on the check's asserts, not on a crash of its own.
    """

    label: str
    points: float
    blank: float
    solution: float
    wrong: float | None = None
    wrong_error: str | None = None

    @property
    def problems(self) -> list[str]:
        """What is wrong with these marks (empty when the check works)."""
        out = []
        if self.solution != self.points:
            out.append(f"{self.label}: the solution got {self.solution:g} of {self.points:g}")
        if self.blank != 0:
            out.append(f"{self.label}: the blank answer got {self.blank:g}, not 0")
        if self.wrong is not None and not self.wrong < self.points:
            out.append(
                f"{self.label}: the wrong answer got {self.wrong:g} of {self.points:g}: "
                "the check cannot tell it from the solution"
            )
        if self.wrong_error:
            out.append(
                f"{self.label}: the wrong answer raised {self.wrong_error}; it must run and "
                "lose its marks on the check (give it the imports it needs)"
            )
        return out


@dataclass
class ChapterProof:
    """The grading proof of one chapter.

    ``totals`` holds the whole notebook's marks per submission (``"solution"``, ``"student"``,
    ``"wrong"``) when the proof ran with ``method="otter"``.
    """

    stem: str
    method: str
    exercises: list[ExerciseProof]
    totals: dict = field(default_factory=dict)

    @property
    def problems(self) -> list[str]:
        out = [p for e in self.exercises for p in e.problems]
        if self.exercises and all(e.wrong is None for e in self.exercises):
            out.append(f"{self.stem}: no check has a deliberately wrong answer (WRONG)")
        return out

    @property
    def ok(self) -> bool:
        return not self.problems

    def table(self) -> str:
        """One line per exercise: its points and the marks of each answer."""
        rows = [f"{self.stem} ({self.method}):"]
        for e in self.exercises:
            wrong = "-" if e.wrong is None else f"{e.wrong:g}"
            rows.append(
                f"  {e.label:<28} points {e.points:g}: solution {e.solution:g}, "
                f"blank {e.blank:g}, wrong {wrong}"
            )
        return "\n".join(rows)


def _proof_notebook(student, solution, checks):
    """The student notebook with each autograded answer run three ways, marks recorded."""
    import copy

    import nbformat

    answers = {
        c.metadata[META]["exercise"]: c.source
        for c in solution.cells
        if c.metadata.get(META, {}).get("role") == "answer"
    }
    cells = []
    for cell in student.cells:
        meta = cell.metadata.get(META, {})
        role, label = meta.get("role"), meta.get("exercise")
        if role == "check":
            continue
        if role == "init":
            cells += [copy.deepcopy(cell), nbformat.v4.new_code_cell("__mia_proof__ = []")]
            continue
        if role != "answer":
            cells.append(copy.deepcopy(cell))
            continue
        if label not in checks:
            cells.append(nbformat.v4.new_code_cell(answers[label]))
            continue
        tries = [("blank", cell.source)]
        if checks[label].wrong:
            tries.append(("wrong", checks[label].wrong))
        tries.append(("solution", answers[label]))
        for kind, source in tries:
            if kind == "solution":
                code = nbformat.v4.new_code_cell(source)
                error = "None"
            else:
                # run like a cell, but keep the error: an answer that crashes proves nothing
                code = nbformat.v4.new_code_cell(
                    "try:\n"
                    f"    exec(compile({source!r}, '<{kind} answer>', 'exec'), globals())\n"
                    "    __mia_error__ = None\n"
                    "except Exception as __mia_exc__:\n"
                    "    __mia_error__ = f'{type(__mia_exc__).__name__}: {__mia_exc__}'"
                )
                error = "__mia_error__"
            record = nbformat.v4.new_code_cell(
                f'__mia_proof__.append(("{label}", "{kind}", '
                f'float(grader.check("{label}").score), {error}))'
            )
            cells += [code, record]
    cells.append(
        nbformat.v4.new_code_cell(f'import json\nprint("{_MARK}" + json.dumps(__mia_proof__))')
    )
    nb = copy.deepcopy(student)
    nb.cells = cells
    return nb


def _proofs(records, checks) -> list[ExerciseProof]:
    marks: dict = {}
    errors: dict = {}
    for label, kind, score, error in records:
        marks.setdefault(label, {})[kind] = score
        errors[label, kind] = error
    return [
        ExerciseProof(
            label,
            check.points,
            blank=marks.get(label, {}).get("blank", float("nan")),
            solution=marks.get(label, {}).get("solution", float("nan")),
            wrong=marks.get(label, {}).get("wrong"),
            wrong_error=errors.get((label, "wrong")),
        )
        for label, check in checks.items()
    ]


def _execute(nb, cwd: Path, timeout: int | None):
    from nbclient import NotebookClient

    NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}
    ).execute()
    return nb


def prove_chapter(built, *, method: str = "kernel", timeout: int | None = 900) -> ChapterProof:
    """Grade one built chapter's solution, blank and wrong answers; see the module docstring.

    ``built`` is a :class:`~mia_lib.classroom.build.ChapterBuild`. Raises ``ValueError`` for an
    unknown ``method``; a cell of the chapter or of a solution that fails raises nbclient's
    ``CellExecutionError``, which names the cell.
    """
    import nbformat

    if method not in ("kernel", "otter"):
        raise ValueError(f"method must be 'kernel' or 'otter', not {method!r}")
    checks = built.checks
    if method == "otter":
        totals, per = {}, {}
        for kind, path in [
            ("solution", built.solution),
            ("student", built.student),
            ("wrong", built.wrong),
        ]:
            scores = grade(path, built.autograder)
            totals[kind] = sum(scores.values())
            per[kind] = scores
        exercises = [
            ExerciseProof(
                label,
                check.points,
                blank=per["student"].get(label, float("nan")),
                solution=per["solution"].get(label, float("nan")),
                wrong=per["wrong"].get(label) if check.wrong else None,
            )
            for label, check in checks.items()
        ]
        return ChapterProof(built.stem, method, exercises, totals)

    student = nbformat.read(built.student, as_version=4)
    solution = nbformat.read(built.solution, as_version=4)
    nb = _proof_notebook(student, solution, checks)
    work = Path(tempfile.mkdtemp(prefix=f"mia-proof-{built.stem}-"))
    try:
        # the autograder's tests, hidden cases included (the student's copy lacks them)
        with zipfile.ZipFile(built.autograder) as z:
            z.extractall(work, members=[n for n in z.namelist() if n.startswith("tests/")])
        _execute(nb, work, timeout)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text = "".join(o.get("text", "") for o in nb.cells[-1].get("outputs", []))
    line = next(s for s in text.splitlines() if s.startswith(_MARK))
    records = json.loads(line[len(_MARK) :])
    return ChapterProof(built.stem, method, _proofs(records, checks))


def grade(submission, autograder) -> dict[str, float]:
    """Grade one notebook with Otter (``otter run``, no container): marks per exercise.

    Every cell of the submission runs from the top in a fresh kernel of this environment,
    then each check of the autograder runs (at the position of its ``grader.check`` cell, or
    at the end if the student deleted it). A failing cell does not stop the grading.

    >>> grade("missing.ipynb", "autograder.zip")
    Traceback (most recent call last):
    ...
    FileNotFoundError: no submission missing.ipynb
    """
    submission, autograder = Path(submission), Path(autograder)
    for what, path in [("submission", submission), ("autograder", autograder)]:
        if not path.is_file():
            raise FileNotFoundError(f"no {what} {path}")
    from otter.api import grade_submission

    with warnings.catch_warnings():
        # Otter 7 calls DataFrame.drop(inplace=True), deprecated in pandas 3.1
        warnings.filterwarnings("ignore", message="The inplace keyword")
        results = grade_submission(str(submission), str(autograder), quiet=True)
    if results.catastrophic_error is not None:
        raise RuntimeError(f"Otter could not grade {submission}: {results.catastrophic_error}")
    return {name: float(results.get_score(name)) for name in results.test_files}
