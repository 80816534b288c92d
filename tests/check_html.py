"""Checks of the built book (run by scripts/test.sh after ``jupyter-book build``).

    python tests/check_html.py [_build/html] [--book book]

Every page of ``book/_toc.yml`` must exist as HTML; every local link, image and script a
page refers to must exist; every chapter page must show its figures as images (a glued
figure stored without its PNG renders as text only) and no Python error output. No page may
need the network to render: no remote script, stylesheet, image or frame, and maths is
typeset by the MathJax copy inside the book (``_static/mathjax``). Solutions are collapsed
(a dropdown) and cells tagged ``hide-input`` render as closed toggles. Exits 1 with a list
of problems, 0 when the book is whole.

What needs a browser to see (maths typeset, images decoded, no console error) is checked by
``tests/browser_check.py``.
"""

from __future__ import annotations

import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parent.parent

_VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


class Node:
    """An element of a page: tag, attributes, children and the text directly inside."""

    def __init__(self, tag: str, attrs: dict, parent: Node | None):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node] = []
        self.text: list[str] = []

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def iter(self):
        yield self
        for child in self.children:
            yield from child.iter()

    def find_all(self, tag: str | None = None, classes: set[str] = frozenset()):
        return [n for n in self.iter() if (tag is None or n.tag == tag) and classes <= n.classes]

    def all_text(self) -> str:
        return "".join(self.text) + "".join(c.all_text() for c in self.children)


class _Tree(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {}, None)
        self.node = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: (v if v is not None else "") for k, v in attrs}, self.node)
        self.node.children.append(node)
        if tag not in _VOID:
            self.node = node

    def handle_startendtag(self, tag, attrs):
        self.node.children.append(Node(tag, dict(attrs), self.node))

    def handle_endtag(self, tag):
        n = self.node
        while n is not None and n.tag != tag:
            n = n.parent
        if n is not None and n.parent is not None:  # else a stray end tag: ignore it
            self.node = n.parent

    def handle_data(self, data):
        self.node.text.append(data)


def parse(html: str) -> Node:
    tree = _Tree()
    tree.feed(html)
    tree.close()
    return tree.root


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


def _refs(root: Node) -> list[tuple[str, str, Node]]:
    """(attribute, URL, element) of every href and src of a page."""
    out = []
    for n in root.iter():
        for key in ("href", "src"):
            if n.attrs.get(key):
                out.append((key, n.attrs[key], n))
    return out


def _remote(url: str) -> bool:
    u = urlparse(url)
    return bool(u.netloc) or u.scheme in ("http", "https")


def remote_resource_problems(root: Node) -> list[str]:
    """Resources that a browser fetches to render the page and that are not in the book."""
    problems = []
    for n in root.iter():
        url = None
        if n.tag == "script" and n.attrs.get("src"):
            url = n.attrs["src"]
        elif n.tag == "link":
            rel = set(n.attrs.get("rel", "").lower().split())
            if rel & {"stylesheet", "preload", "modulepreload", "icon"}:
                url = n.attrs.get("href")
        elif n.tag in ("img", "iframe", "embed", "video", "audio", "source"):
            url = n.attrs.get("src")
        if url and _remote(url):
            problems.append(f"needs the network to render: <{n.tag}> {url}")
    return problems


def _toggle_selector(root: Node) -> list[set[str]]:
    """The class sets of sphinx-togglebutton's selector (``.toggle, .admonition.dropdown``)."""
    for script in root.find_all("script"):
        m = re.search(r"togglebuttonSelector\s*=\s*'([^']*)'", script.all_text())
        if m:
            parts = [p.strip() for p in m.group(1).split(",")]
            return [set(p.lstrip(".").split(".")) for p in parts if re.fullmatch(r"(\.[\w-]+)+", p)]
    return []


def _loads_script(root: Node, name: str) -> bool:
    return any(
        name in s.attrs.get("src", "") and not _remote(s.attrs["src"])
        for s in root.find_all("script")
    )


def collapsed_problems(root: Node) -> list[str]:
    """Solutions are dropdowns; ``hide-input`` cells are closed toggles."""
    problems = []
    selector = _toggle_selector(root)
    has_toggle_js = _loads_script(root, "togglebutton.js")
    for sol in root.find_all(classes={"solution"}):
        if "admonition" not in sol.classes and sol.tag != "details":
            continue
        title = next(iter(sol.find_all(classes={"admonition-title"})), None)
        name = " ".join((title.all_text() if title else sol.attrs.get("id", "")).split())
        if sol.tag == "details":
            if "open" in sol.attrs:
                problems.append(f"solution {name!r} is an open <details>")
            continue
        matched = "dropdown" in sol.classes or any(sel <= sol.classes for sel in selector)
        if not matched:
            problems.append(
                f"solution {name!r} is not collapsed: give it ':class: dropdown' "
                "(or include .admonition.solution in togglebutton_selector)"
            )
        elif not has_toggle_js:
            problems.append(f"solution {name!r}: the page does not load togglebutton.js")
    for cell in root.find_all(classes={"tag_hide-input"}):
        details = [
            d
            for d in cell.find_all("details")
            if {"hide", "above-input"} <= d.classes and d.find_all(classes={"cell_input"})
        ]
        first = " ".join(cell.all_text().split())[:60]
        if not details:
            problems.append(f"hide-input cell {first!r} is not a toggle (no <details>)")
        elif any("open" in d.attrs for d in details):
            problems.append(f"hide-input cell {first!r} is open")
    return problems


def math_problems(root: Node) -> list[str]:
    if not root.find_all(classes={"math"}):
        return []
    scripts = [s.attrs.get("src", "") for s in root.find_all("script")]
    mathjax = [s for s in scripts if "mathjax" in s.lower()]
    if not any(not _remote(s) for s in mathjax):
        return [f"the page has maths but no MathJax from the book (scripts: {mathjax})"]
    return []


def _pages(html_dir: Path) -> list[Path]:
    skip = {"_static", "_sources", "_images"}
    return sorted(
        p for p in html_dir.rglob("*.html") if not skip & set(p.relative_to(html_dir).parts)
    )


def check(html_dir: Path, book: Path | None = None) -> list[str]:
    problems = []
    book = book or ROOT / "book"
    for rel in _toc_files(book / "_toc.yml"):
        page = html_dir / f"{rel}.html"
        if not page.is_file():
            problems.append(f"{rel}: no page {page}")
            continue
        root = parse(page.read_text(encoding="utf-8"))
        for _key, ref, _node in _refs(root):
            url = urlparse(ref)
            if url.scheme or url.netloc or not url.path or ref.startswith(("#", "mailto:")):
                continue
            target = (page.parent / unquote(url.path)).resolve()
            if not target.exists():
                problems.append(f"{rel}: broken local reference {ref!r}")
        nb = book / f"{rel}.ipynb"
        if nb.is_file():
            figs = _glued_figures(nb)
            images = len(root.find_all("img"))
            if images < figs:
                problems.append(f"{rel}: {figs} glued figures but {images} images")
            text = root.all_text()  # executed pages only: the API shows doctest errors
            for marker in ("Traceback (most recent call last)", "NameError", "KeyError:"):
                if marker in text:
                    problems.append(f"{rel}: the page shows {marker!r}")
        problems += [f"{rel}: {p}" for p in collapsed_problems(root)]
    for page in _pages(html_dir):
        rel = page.relative_to(html_dir).as_posix()
        root = parse(page.read_text(encoding="utf-8"))
        problems += [f"{rel}: {p}" for p in remote_resource_problems(root) + math_problems(root)]
    return problems


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    book = ROOT / "book"
    if "--book" in argv:
        i = argv.index("--book")
        book = Path(argv[i + 1])
        del argv[i : i + 2]
    html_dir = Path(argv[0]) if argv else ROOT / "_build" / "html"
    if not html_dir.is_dir():
        print(f"no built book at {html_dir}: run jupyter-book build book/ first")
        return 1
    problems = check(html_dir, book)
    for p in problems:
        print(p)
    pages = len(_pages(html_dir))
    print(f"{pages} pages checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
