"""mia_lib.classroom and ``python -m mia_lib assignments``: the classroom edition.

* Parsing: exercises, their difficulty and solution cells are found; malformed chapters and
  check files are refused with a message naming the problem.
* Building: the student notebook keeps every exercise, holds no solution and no output, has
  a blank answer cell and a ``grader.check`` cell per autograded exercise; the autograder zip
  holds the tests; the filled notebooks carry the answers.
* Grading: on a small chapter built here, Otter (``otter run``, and the one-kernel proof) gives
  the solution full marks, the blank none, a wrong answer less; a broken check is caught.
* The book's own checks: every check file loads, names an exercise of its chapter, gives the
  points of the exercise's difficulty, asks for names that the solution's code binds, and
  every chapter with checks has a deliberately wrong answer. The book builds into
  assignments with no solution left in a student notebook. (The grading proof over the real
  chapters, which runs every chapter, is a step of scripts/test.sh.)
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from mia_lib.classroom import (
    DIFFICULTIES,
    ChapterFormatError,
    build_all,
    build_chapter,
    chapter_exercises,
    grade,
    load_check,
    load_checks,
    prove_chapter,
)
from mia_lib.classroom.build import META, blank_answer

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
POINTS = {"warm-up": 1, "core": 2, "challenge": 3}

md = nbformat.v4.new_markdown_cell
code = nbformat.v4.new_code_cell


def _exercise(label, difficulty="core", text="Do it."):
    return md(f":::{{exercise}} {difficulty}\n:label: {label}\n\n{text}\n:::")


def _solution(label, *cells):
    return [md(f"````{{solution-start}} {label}\n:class: dropdown\n````"), *cells,
            md("````{solution-end}\n````")]  # fmt: skip


def _chapter():
    """A small chapter: a body, two autograded exercises and one graded by hand."""
    cells = [
        md("# A small chapter"),
        code("import numpy as np\nxs = np.arange(10)"),
        md("## Exercises\n\n" + _exercise("ex-sum", "warm-up", "Sum `xs`.").source),
        *_solution("ex-sum", md("Use `sum`."), code("total = int(xs.sum())\nprint(total)")),
        _exercise("ex-mean", "core", "Mean and spread of `xs`."),
        *_solution("ex-mean", code("mu = xs.mean()"), code("sd = xs.std()"), md("Done.")),
        _exercise("ex-essay", "challenge", "Discuss."),
        *_solution("ex-essay", code("print('an essay')")),
    ]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}  # fmt: skip
    return nb


CHECK_SUM = '''"""Check of ex-sum."""

from otter.test_files import test_case

OK_FORMAT = False
name = "ex-sum"
points = 1
ANSWER = {"total": "the sum of xs"}
WRONG = "total = len(xs)"


@test_case()
def test_total(total, xs):
    assert int(total) == int(xs.sum()), "total is not the sum of xs"
'''

CHECK_MEAN = '''"""Check of ex-mean."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "ex-mean"
points = 2
ANSWER = {"mu": "the mean of xs", "sd": "the standard deviation of xs"}
WRONG = "mu = xs.mean()\\nsd = xs.var()"


@test_case()
def test_mu(mu, xs):
    assert np.isclose(float(mu), xs.mean()), "mu is not the mean"


@test_case()
def test_sd(sd, xs):
    assert np.isclose(float(sd), xs.std()), "sd is not the standard deviation"
'''


def _book(folder: Path, checks: dict) -> Path:
    """A book in ``folder`` with the small chapter and ``checks`` (file stem -> text)."""
    book = folder / "book"
    (book / "chapters").mkdir(parents=True)
    nbformat.write(_chapter(), book / "chapters" / "01_small.ipynb")
    (book / "assignments" / "01_small").mkdir(parents=True)
    for label, text in checks.items():
        (book / "assignments" / "01_small" / f"{label}.py").write_text(text)
    return book


@pytest.fixture
def small_book(tmp_path):
    return _book(tmp_path, {"ex-sum": CHECK_SUM, "ex-mean": CHECK_MEAN})


# ---------------------------------------------------------------- parsing


def test_exercises_found_with_difficulty_and_solution_cells():
    found = chapter_exercises(_chapter())
    assert [(e.label, e.difficulty, e.cell, e.solution) for e in found] == [
        ("ex-sum", "warm-up", 2, (3, 4, 5, 6)),
        ("ex-mean", "core", 7, (8, 9, 10, 11, 12)),
        ("ex-essay", "challenge", 13, (14, 15, 16)),
    ]
    assert found[1].code == "mu = xs.mean()\n\nsd = xs.std()"
    assert found[2].code == "print('an essay')"


@pytest.mark.parametrize(
    "cells, message",
    [
        ([md(":::{exercise} core\n\nNo label.\n:::")], "no ':label:'"),
        ([_exercise("ex-a", "hard")], "titled 'hard'"),
        ([md(":::{exercise}\n:label: ex-a\n\nUntitled.\n:::")], "titled ''"),
        ([_exercise("ex-a"), _exercise("ex-a")], "used twice"),
        ([md(_exercise("ex-a").source + "\n\n" + _exercise("ex-b").source)], "2 exercises"),
        ([_exercise("ex-a"), md("````{solution-start} ex-a\n````"), code("x = 1")],
         "no solution-end"),
    ],
)  # fmt: skip
def test_malformed_chapters_are_refused(cells, message):
    with pytest.raises(ChapterFormatError, match=message):
        chapter_exercises(nbformat.v4.new_notebook(cells=cells))


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda s: s.replace('name = "ex-sum"', 'name = "ex-other"'), "must be the file's stem"),
        (lambda s: s.replace("points = 1", "points = 0"), "points must be a positive"),
        (lambda s: s.replace("points = 1", 'points = "1"'), "points must be a positive"),
        (lambda s: s.replace('ANSWER = {"total": "the sum of xs"}', "ANSWER = {}"), "ANSWER"),
        (lambda s: s.replace('{"total": "the sum of xs"}', '{"2x": "bad"}'), "ANSWER"),
        (lambda s: s.replace('WRONG = "total = len(xs)"', "WRONG = 3"), "WRONG must be"),
        (lambda s: s.replace("@test_case()", ""), "no @test_case"),
        (lambda s: s + "\ndef (:\n", "not valid Python"),
        (lambda s: s.replace("points = 1", "points = compute()"), "must be a literal"),
    ],
)
def test_malformed_checks_are_refused(tmp_path, edit, message):
    path = tmp_path / "ex-sum.py"
    path.write_text(edit(CHECK_SUM))
    with pytest.raises(ChapterFormatError, match=message):
        load_check(path)


def test_check_read_and_blank_answer(tmp_path):
    path = tmp_path / "ex-mean.py"
    path.write_text(CHECK_MEAN)
    check = load_check(path)
    assert (check.label, check.points, check.wrong) == (
        "ex-mean",
        2.0,
        "mu = xs.mean()\nsd = xs.var()",
    )
    assert blank_answer(check).splitlines()[1:] == [
        "mu = ...  # the mean of xs",
        "sd = ...  # the standard deviation of xs",
    ]
    assert load_checks(tmp_path / "missing") == {}


# ---------------------------------------------------------------- building


def _roles(nb):
    return [(c.metadata.get(META, {}).get("role"), c.metadata.get(META, {}).get("exercise"))
            for c in nb.cells if META in c.metadata]  # fmt: skip


def test_student_notebook_has_no_solution_and_a_blank_per_check(small_book, tmp_path):
    built = build_chapter(
        small_book / "chapters" / "01_small.ipynb", small_book / "assignments" / "01_small",
        tmp_path / "out",
    )  # fmt: skip
    student = nbformat.read(built.student, as_version=4)
    text = "\n".join(c.source for c in student.cells)
    for gone in ["solution-start", "solution-end", "Use `sum`", "xs.sum()", "xs.std()",
                 "an essay", "Done."]:  # fmt: skip
        assert gone not in text, f"{gone!r} left in the student notebook"
    assert all(c.outputs == [] and c.execution_count is None
               for c in student.cells if c.cell_type == "code")  # fmt: skip
    assert [e.label for e in chapter_exercises(student)] == ["ex-sum", "ex-mean", "ex-essay"]
    assert _roles(student) == [
        ("intro", None), ("init", None),
        ("prompt", "ex-sum"), ("answer", "ex-sum"), ("check", "ex-sum"),
        ("prompt", "ex-mean"), ("answer", "ex-mean"), ("check", "ex-mean"),
        ("prompt", "ex-essay"), ("answer", "ex-essay"),
    ]  # fmt: skip
    answers = {c.metadata[META]["exercise"]: c.source for c in student.cells
               if c.metadata.get(META, {}).get("role") == "answer"}  # fmt: skip
    assert "total = ...  # the sum of xs" in answers["ex-sum"]
    assert answers["ex-essay"] == "# Your answer to ex-essay."
    assert sorted(p.name for p in (built.student.parent / "tests").iterdir()) == [
        "ex-mean.py", "ex-sum.py"]  # fmt: skip
    with zipfile.ZipFile(built.autograder) as z:
        assert {"tests/ex-sum.py", "tests/ex-mean.py", "otter_config.json"} <= set(z.namelist())
    solution = nbformat.read(built.solution, as_version=4)
    wrong = nbformat.read(built.wrong, as_version=4)
    sol = {c.metadata[META]["exercise"]: c.source for c in solution.cells
           if c.metadata.get(META, {}).get("role") == "answer"}  # fmt: skip
    wr = {c.metadata[META]["exercise"]: c.source for c in wrong.cells
          if c.metadata.get(META, {}).get("role") == "answer"}  # fmt: skip
    assert sol == {"ex-sum": "total = int(xs.sum())\nprint(total)",
                   "ex-mean": "mu = xs.mean()\n\nsd = xs.std()",
                   "ex-essay": "print('an essay')"}  # fmt: skip
    assert wr == {**sol, "ex-sum": "total = len(xs)", "ex-mean": "mu = xs.mean()\nsd = xs.var()"}
    manifest = json.loads((built.folder / "manifest.json").read_text())
    assert manifest["points"] == 3
    assert [(e["label"], e["autograded"], e["points"]) for e in manifest["exercises"]] == [
        ("ex-sum", True, 1.0), ("ex-mean", True, 2.0), ("ex-essay", False, 0.0)]  # fmt: skip


def test_build_refuses_a_check_for_a_missing_exercise(small_book, tmp_path):
    (small_book / "assignments" / "01_small" / "ex-none.py").write_text(
        CHECK_SUM.replace('"ex-sum"', '"ex-none"')
    )
    with pytest.raises(ChapterFormatError, match="ex-none"):
        build_all(tmp_path / "out", small_book)
    assert not (tmp_path / "out" / "01_small").exists(), "a failed build left files behind"


def test_build_all_names_unknown_chapters_and_keeps_old_build_on_failure(small_book, tmp_path):
    out = tmp_path / "out"
    build_all(out, small_book)
    before = (out / "01_small" / "student" / "01_small.ipynb").read_bytes()
    with pytest.raises(ChapterFormatError, match="unknown chapters 02_none"):
        build_all(out, small_book, ["02_none"])
    (small_book / "assignments" / "01_small" / "ex-sum.py").write_text("points = (")
    with pytest.raises(ChapterFormatError):
        build_all(out, small_book)
    assert (out / "01_small" / "student" / "01_small.ipynb").read_bytes() == before
    with pytest.raises(FileNotFoundError, match="no chapter notebooks"):
        build_all(out, tmp_path / "nobook")


# ---------------------------------------------------------------- grading


@pytest.fixture(scope="module")
def small_build(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("classroom")
    book = _book(tmp, {"ex-sum": CHECK_SUM, "ex-mean": CHECK_MEAN})
    return build_all(tmp / "out", book)[0]


def test_otter_grades_solution_full_blank_zero_wrong_less(small_build):
    assert grade(small_build.solution, small_build.autograder) == {"ex-sum": 1.0, "ex-mean": 2.0}
    assert grade(small_build.student, small_build.autograder) == {"ex-sum": 0.0, "ex-mean": 0.0}
    assert grade(small_build.wrong, small_build.autograder) == {"ex-sum": 0.0, "ex-mean": 1.0}


def test_otter_grades_at_the_check_cell_and_survives_a_failing_cell(small_build, tmp_path):
    nb = nbformat.read(small_build.solution, as_version=4)
    nb.cells.append(code("total = -1\nraise RuntimeError('a cell that fails')"))
    path = tmp_path / "late.ipynb"
    nbformat.write(nb, path)
    # the total is checked where its grader.check cell stands, before it is overwritten
    assert grade(path, small_build.autograder) == {"ex-sum": 1.0, "ex-mean": 2.0}


def test_grade_names_a_missing_file(small_build, tmp_path):
    with pytest.raises(FileNotFoundError, match="no autograder"):
        grade(small_build.solution, tmp_path / "none.zip")


@pytest.mark.parametrize("method", ["kernel", "otter"])
def test_proof_of_a_working_chapter(small_build, method):
    proof = prove_chapter(small_build, method=method)
    assert proof.ok, proof.problems
    got = {e.label: (e.points, e.solution, e.blank, e.wrong) for e in proof.exercises}
    assert got == {"ex-sum": (1.0, 1.0, 0.0, 0.0), "ex-mean": (2.0, 2.0, 0.0, 1.0)}
    if method == "otter":
        assert proof.totals == {"solution": 3.0, "student": 0.0, "wrong": 1.0}
    assert "ex-mean" in proof.table()


def test_proof_catches_a_check_that_cannot_fail(tmp_path):
    # passes on anything: the blank, the wrong answer and the solution all get full marks
    lax = CHECK_SUM.replace("assert int(total) == int(xs.sum())", "assert xs is not None")
    # fails on everything, also on the solution
    strict = CHECK_MEAN.replace("xs.std()), ", "xs.std() + 1), ")
    book = _book(tmp_path, {"ex-sum": lax, "ex-mean": strict})
    proof = prove_chapter(build_all(tmp_path / "out", book)[0])
    assert not proof.ok
    text = "\n".join(proof.problems)
    assert "ex-sum: the blank answer got 1" in text
    assert "ex-sum: the wrong answer got 1 of 1" in text
    assert "ex-mean: the solution got 1 of 2" in text
    with pytest.raises(ValueError, match="method must be"):
        prove_chapter(build_all(tmp_path / "out", book)[0], method="docker")


def test_command_line_build_and_prove(small_book, tmp_path):
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "mia_lib", "assignments"]
    done = subprocess.run(cmd + ["prove", "--book", str(small_book), "--out", str(out)],
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "01_small: 3 exercises, 2 autograded (3 points)" in done.stdout
    assert "grading proof passed: 2 autograded exercises in 1 runs" in done.stdout
    bad = subprocess.run(cmd + ["build", "--book", str(small_book), "--out", str(out),
                                "--chapters", "09_none"],
                         capture_output=True, text=True, timeout=300)  # fmt: skip
    assert bad.returncode == 2 and bad.stderr.startswith("error: unknown chapters 09_none")
    (small_book / "assignments" / "01_small" / "ex-sum.py").write_text(
        CHECK_SUM.replace("assert int(total) == int(xs.sum())", "assert xs is not None")
    )
    failed = subprocess.run(cmd + ["prove", "--book", str(small_book), "--out", str(out)],
                            capture_output=True, text=True, timeout=300)  # fmt: skip
    assert failed.returncode == 1 and "the grading proof FAILED" in failed.stderr


# ---------------------------------------------------------------- the book's own checks


def _chapters():
    return sorted((BOOK / "chapters").glob("*.ipynb"))


def _bound_names(source: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


@pytest.mark.parametrize("chapter", _chapters(), ids=lambda p: p.stem)
def test_book_checks_are_consistent_with_their_chapter(chapter):
    exercises = {e.label: e for e in chapter_exercises(nbformat.read(chapter, as_version=4))}
    checks = load_checks(BOOK / "assignments" / chapter.stem)
    for label, check in checks.items():
        assert label in exercises, f"{check.path.name}: no exercise {label!r} in {chapter.name}"
        ex = exercises[label]
        assert check.points == POINTS[ex.difficulty], (
            f"{label} is {ex.difficulty}: it is worth {POINTS[ex.difficulty]} points, "
            f"not {check.points:g}"
        )
        unbound = set(check.answer) - _bound_names(ex.code)
        assert not unbound, f"{label}: the solution's code never binds {sorted(unbound)}"
    if checks:
        assert any(c.wrong for c in checks.values()), (
            f"{chapter.stem}: no check has a deliberately wrong answer (WRONG)"
        )
    assert set(DIFFICULTIES) == set(POINTS)


def test_every_check_folder_belongs_to_a_chapter():
    stems = {p.stem for p in _chapters()}
    folders = {p.name for p in (BOOK / "assignments").iterdir() if p.is_dir()}
    assert folders <= stems, f"check folders without a chapter: {sorted(folders - stems)}"


def test_the_book_builds_into_assignments_without_solutions(tmp_path):
    builds = build_all(tmp_path, BOOK)
    assert [b.stem for b in builds] == [p.stem for p in _chapters()]
    for b in builds:
        nb = nbformat.read(BOOK / "chapters" / f"{b.stem}.ipynb", as_version=4)
        exercises = chapter_exercises(nb)
        in_solutions = {i for ex in exercises for i in ex.solution}
        body = "\n".join(c.source for i, c in enumerate(nb.cells) if i not in in_solutions)
        student = nbformat.read(b.student, as_version=4)
        text = "\n".join(c.source for c in student.cells)
        assert "solution-start" not in text and "solution-end" not in text
        for ex in exercises:
            for line in ex.code.splitlines():
                line = line.strip()
                if len(line) > 20 and line not in body:
                    assert line not in text, f"{b.stem}: solution line left: {line}"
        assert len(chapter_exercises(student)) == len(chapter_exercises(nb))
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert list(manifest) == [b.stem for b in builds]


# ---------------------------------------------------------------- the book without solutions

SMALL_PAGE = """# A page

:::{exercise} core
:label: ex-one

Add one and one.
:::

````{solution-start} ex-one
:class: dropdown
````

The answer is two, SECRET-TEXT.

```python
print("SECRET-CODE")
```

````{solution-end}
````
"""


@pytest.mark.parametrize("hide", [False, True])
def test_student_edition_of_the_html_has_exercises_and_no_solutions(tmp_path, monkeypatch, hide):
    from sphinx.cmd.build import build_main

    src = tmp_path / "src"
    src.mkdir()
    (src / "index.md").write_text(SMALL_PAGE)
    (src / "conf.py").write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(BOOK / '_ext')!r})\n"
        "extensions = ['myst_parser', 'sphinx_exercise', 'book_html_fixes']\n"
        "myst_enable_extensions = ['colon_fence']\n"
    )
    if hide:
        monkeypatch.setenv("MIA_HIDE_SOLUTIONS", "1")
    else:
        monkeypatch.delenv("MIA_HIDE_SOLUTIONS", raising=False)
    out = tmp_path / "html"
    assert build_main(["-q", "-W", "-b", "html", str(src), str(out)]) == 0
    page = (out / "index.html").read_text()
    assert "Add one and one." in page
    for secret in ("SECRET-TEXT", "SECRET-CODE"):
        assert (secret in page) is not hide, f"{secret} {'shown' if hide else 'missing'}"


def test_hidden_cases_stay_with_the_autograder(tmp_path):
    hidden = CHECK_SUM.replace('WRONG = "total = len(xs)"', 'WRONG = "total = 45.5"') + (
        "\n\n@test_case(hidden=True)\n"
        "def test_is_an_int(total):\n"
        '    assert isinstance(total, int), "total must be an int"\n'
    )
    built = build_all(tmp_path / "out", _book(tmp_path, {"ex-sum": hidden}))[0]
    public = (built.student.parent / "tests" / "ex-sum.py").read_text()
    assert "test_total" in public and "test_is_an_int" not in public
    with zipfile.ZipFile(built.autograder) as z:
        assert "test_is_an_int" in z.read("tests/ex-sum.py").decode()
    # 45.5 passes the public case (int(45.5) == 45) and fails the hidden one
    assert grade(built.wrong, built.autograder) == {"ex-sum": 0.5}
    assert grade(built.solution, built.autograder) == {"ex-sum": 1.0}
    # the one-kernel proof grades with the autograder's tests, hidden cases included
    (ex,) = prove_chapter(built).exercises
    assert (ex.solution, ex.blank, ex.wrong) == (1.0, 0.0, 0.5)


def test_proof_refuses_a_wrong_answer_that_crashes(tmp_path):
    crash = CHECK_SUM.replace('WRONG = "total = len(xs)"', 'WRONG = "total = math.floor(4.5)"')
    proof = prove_chapter(build_all(tmp_path / "out", _book(tmp_path, {"ex-sum": crash}))[0])
    (ex,) = proof.exercises
    assert (ex.solution, ex.blank, ex.wrong) == (1.0, 0.0, 0.0)
    assert ex.wrong_error == "NameError: name 'math' is not defined"
    assert proof.problems == [
        "ex-sum: the wrong answer raised NameError: name 'math' is not defined; it must run "
        "and lose its marks on the check (give it the imports it needs)"
    ]
