#!/usr/bin/env bash
# Run every check: ruff, unit/property tests and doctests (packaging and notebook hygiene
# among them), strict nbval over every notebook of the book, the assignments built from the
# chapters with their grading proved, the book build with warnings as errors, checks of the
# built HTML, and every page opened in headless Chromium.
# Creates the environment first if it is missing. Exits non-zero on any failure.
# Without Chromium the browser check is skipped with one line saying so, unless
# MIA_REQUIRE_BROWSER=1 (set by .ci/run), which makes a missing Chromium an error.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/env.sh"
cd "$ROOT"
echo "== ruff"
ruff check mia_lib tests benchmarks book
ruff format --check mia_lib tests benchmarks book/assignments
echo "== pytest: tests/ and mia_lib doctests"
python -m pytest tests mia_lib -q
echo "== nbval (strict) over the book's notebooks"
mapfile -t NOTEBOOKS < <(find book -name '*.ipynb' -not -path '*/.ipynb_checkpoints/*' | sort)
python -m pytest --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
    -p no:cacheprovider -o addopts= "${NOTEBOOKS[@]}" -q
echo "== assignments: student notebooks and Otter autograders; the grading proved on every chapter"
# Solutions must get full marks, blanks none, deliberately wrong answers less (one kernel per
# chapter); chapter 1 is also graded end to end with `otter run`, as an instructor grades.
python -m mia_lib assignments prove --out _build/assignments --jobs 2 \
    --otter 01_membership_question
echo "== jupyter-book build (warnings are errors)"
jupyter-book build book/ --all -W -n --keep-going
echo "== the built HTML: every page, local link, image and figure"
python tests/check_html.py _build/html
echo "== the built book in headless Chromium: maths typeset, images loaded, no console error"
if [ "${MIA_REQUIRE_BROWSER:-0}" = 1 ]; then
    python tests/browser_check.py _build/html --require
else
    python tests/browser_check.py _build/html
fi
echo "all checks passed"
