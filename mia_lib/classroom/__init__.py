"""The classroom edition: student notebooks, Otter autograders, and proof that grading works.

* :mod:`mia_lib.classroom.exercises` finds a chapter's exercises and reads the checks
  written for them (Otter test files in ``book/assignments/<chapter>/``);
* :mod:`mia_lib.classroom.build` writes, per chapter, the student notebook (solutions removed,
  blanks where the answers go), its tests and Otter's ``autograder.zip``;
* :mod:`mia_lib.classroom.grading` grades a submission with Otter and proves, per chapter,
  that the solutions get full marks, the blanks none, and a wrong answer loses its marks.

Command line: ``python -m mia_lib assignments build`` and ``python -m mia_lib assignments
prove`` (:mod:`mia_lib.classroom.cli`). Needs the optional extra ``mia_lib[classroom]``
(Otter-Grader).
"""

from .build import ChapterBuild, book_dir, build_all, build_chapter, student_notebook
from .exercises import (
    DIFFICULTIES,
    ChapterFormatError,
    Check,
    Exercise,
    chapter_exercises,
    load_check,
    load_checks,
    public_source,
)
from .grading import ChapterProof, ExerciseProof, grade, prove_chapter

__all__ = [
    "DIFFICULTIES",
    "ChapterBuild",
    "ChapterFormatError",
    "ChapterProof",
    "Check",
    "Exercise",
    "ExerciseProof",
    "book_dir",
    "build_all",
    "build_chapter",
    "chapter_exercises",
    "grade",
    "load_check",
    "load_checks",
    "prove_chapter",
    "public_source",
    "student_notebook",
]
