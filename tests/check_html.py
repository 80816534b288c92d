"""Checks of the built book (run by scripts/test.sh after ``jupyter-book build``).

    python tests/check_html.py [_build/html]

Every page of ``book/_toc.yml`` must exist as HTML; every local link, image and script a
page refers to must exist; every chapter page must show its figures as images (a glued
figure stored without its PNG renders as text only) and no Python error output. Exits 1
with a list of problems, 0 when the book is whole.
"""

from __future__ import annotations

import json
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parent.parent


class _Refs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs: list[str] = []
        self.images = 0
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("href", "src"):
            if a.get(key):
                self.refs.append(a[key])
        if tag == "img":
            self.images += 1

    def handle_data(self, data):
        self.text.append(data)


def _toc_files(toc: Path) -> list[str]:
    files = []
    for line in toc.read_text(encoding="utf-8").splitlines():
        s = line.strip().lstrip("- ").strip()
        for key in ("root:", "file:"):
            if s.startswith(key):
                files.append(s[len(key) :].strip())
    return files


def _glued_figures(nb_path: Path) -> int:
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    n = 0
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            if "application/papermill.record/image/png" in out.get("data", {}):
                n += 1
    return n


def check(html_dir: Path) -> list[str]:
    problems = []
    book = ROOT / "book"
    for rel in _toc_files(book / "_toc.yml"):
        page = html_dir / f"{rel}.html"
        if not page.is_file():
            problems.append(f"{rel}: no page {page}")
            continue
        parser = _Refs()
        parser.feed(page.read_text(encoding="utf-8"))
        for ref in parser.refs:
            url = urlparse(ref)
            if url.scheme or url.netloc or not url.path or ref.startswith(("#", "mailto:")):
                continue
            target = (page.parent / unquote(url.path)).resolve()
            if not target.exists():
                problems.append(f"{rel}: broken local reference {ref!r}")
        nb = book / f"{rel}.ipynb"
        if nb.is_file():
            figs = _glued_figures(nb)
            if parser.images < figs:
                problems.append(f"{rel}: {figs} glued figures but {parser.images} images")
            text = "".join(parser.text)  # executed pages only: the API shows doctest errors
            for marker in ("Traceback (most recent call last)", "NameError", "KeyError:"):
                if marker in text:
                    problems.append(f"{rel}: the page shows {marker!r}")
    return problems


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    html_dir = Path(argv[0]) if argv else ROOT / "_build" / "html"
    if not html_dir.is_dir():
        print(f"no built book at {html_dir}: run jupyter-book build book/ first")
        return 1
    problems = check(html_dir)
    for p in problems:
        print(p)
    pages = len(_toc_files(ROOT / "book" / "_toc.yml"))
    print(f"{pages} pages checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
