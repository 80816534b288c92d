"""The checks of the built book fail when they should: tests/check_html.py on small pages,
tests/browser_check.py on a small site in headless Chromium (skipped without Chromium)."""

from __future__ import annotations

import base64
import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import browser_check  # noqa: E402
import check_html  # noqa: E402

# a 1x1 PNG
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)

SOLUTION_OK = (
    '<div class="solution dropdown admonition" id="s1">'
    '<p class="admonition-title">Solution to Exercise 1</p><section><p>42</p></section></div>'
)
HIDDEN_CELL_OK = (
    '<div class="cell tag_hide-input docutils container">'
    '<details class="admonition hide above-input"><summary>Show code cell source</summary>'
    '<div class="cell_input docutils container"><pre>import numpy</pre></div></details></div>'
)


def _page(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head>{head}</head><body><main>{body}</main></body></html>"


TOGGLE_JS = '<script src="_static/togglebutton.js"></script>'
MATHJAX_JS = '<script defer src="_static/mathjax/tex-chtml.js"></script>'


# -- check_html --------------------------------------------------------------------------


def test_check_html_accepts_a_good_page():
    root = check_html.parse(_page(SOLUTION_OK + HIDDEN_CELL_OK, TOGGLE_JS + MATHJAX_JS))
    assert check_html.collapsed_problems(root) == []
    assert check_html.remote_resource_problems(root) == []
    assert check_html.math_problems(root) == []


@pytest.mark.parametrize(
    "head",
    [
        '<script src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js"></script>',
        '<script src="//example.org/x.js"></script>',
        '<link rel="stylesheet" href="https://fonts.example.org/css">',
    ],
)
def test_check_html_finds_remote_resources(head):
    root = check_html.parse(_page("<p>x</p>", head))
    assert check_html.remote_resource_problems(root)


def test_check_html_finds_a_remote_image():
    root = check_html.parse(_page('<img src="http://example.org/a.png">'))
    assert check_html.remote_resource_problems(root)


def test_check_html_finds_maths_without_local_mathjax():
    body = '<span class="math notranslate nohighlight">\\(x\\)</span>'
    remote = '<script src="https://cdn.example.org/mathjax/tex-chtml.js"></script>'
    assert check_html.math_problems(check_html.parse(_page(body)))
    assert check_html.math_problems(check_html.parse(_page(body, remote)))
    assert not check_html.math_problems(check_html.parse(_page(body, MATHJAX_JS)))


def test_check_html_finds_an_open_solution():
    open_solution = SOLUTION_OK.replace("solution dropdown admonition", "solution admonition")
    root = check_html.parse(_page(open_solution, TOGGLE_JS))
    assert check_html.collapsed_problems(root)
    # ... unless togglebutton's selector collapses every solution
    selector = "<script>var togglebuttonSelector = '.toggle, .admonition.solution';</script>"
    root = check_html.parse(_page(open_solution, TOGGLE_JS + selector))
    assert check_html.collapsed_problems(root) == []
    # a dropdown class without togglebutton.js collapses nothing
    assert check_html.collapsed_problems(check_html.parse(_page(SOLUTION_OK)))


def test_check_html_finds_an_open_or_missing_hide_input_toggle():
    opened = HIDDEN_CELL_OK.replace("<details ", "<details open ")
    assert check_html.collapsed_problems(check_html.parse(_page(opened)))
    flat = '<div class="cell tag_hide-input"><div class="cell_input"><pre>x</pre></div></div>'
    assert check_html.collapsed_problems(check_html.parse(_page(flat)))


def test_check_html_whole_book(tmp_path):
    book, html = tmp_path / "book", tmp_path / "html"
    book.mkdir()
    (html / "_static").mkdir(parents=True)
    (book / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n- file: ch\n")
    (html / "_static" / "togglebutton.js").write_text("")
    (html / "intro.html").write_text(_page("<p>hi</p>"))
    (html / "ch.html").write_text(_page(SOLUTION_OK + HIDDEN_CELL_OK, TOGGLE_JS))
    assert check_html.check(html, book) == []
    (html / "ch.html").write_text(_page('<img src="missing.png">' + SOLUTION_OK, TOGGLE_JS))
    (html / "extra.html").write_text(_page("", '<script src="https://x.org/a.js"></script>'))
    problems = check_html.check(html, book)
    assert any("broken local reference" in p for p in problems)
    assert any(p.startswith("extra.html: needs the network") for p in problems)
    assert check_html.main([str(html), "--book", str(book)]) == 1


# -- browser_check -----------------------------------------------------------------------

CHROMIUM = browser_check.find_chromium()
needs_browser = pytest.mark.skipif(
    CHROMIUM is None or importlib.util.find_spec("playwright") is None,
    reason="chromium (apt-get install chromium) or playwright is not installed",
)


def _mathjax_dir() -> Path:
    spec = importlib.util.find_spec("sphinx-mathjax-offline")
    assert spec and spec.origin, "sphinx-mathjax-offline is not installed"
    return Path(spec.origin).parent / "static" / "mathjax"


CLOSED_SOLUTION = (
    '<details class="admonition solution"><summary class="admonition-title">Solution 1'
    "</summary><section><p>42</p></section></details>"
)
MATH = '<p>Inline <span class="math notranslate nohighlight">\\(x^2 + \\alpha\\)</span>.</p>'

SITE = {
    "good.html": _page(
        MATH
        + '<img src="a.png" alt="a">'
        + CLOSED_SOLUTION
        + HIDDEN_CELL_OK
        + "<pre>echo $HOME \\(literal\\)</pre>",
        MATHJAX_JS,
    ),
    "broken_image.html": _page('<img src="missing.png" alt="gone">'),
    "js_error.html": _page("<p>x</p>", "<script>undefinedFunction();</script>"),
    "console_error.html": _page("<p>x</p>", "<script>console.error('boom');</script>"),
    "remote.html": _page("<p>x</p>", '<script src="https://cdn.example.org/x.js"></script>'),
    "no_mathjax.html": _page(MATH),
    "raw_tex.html": _page("<p>The loss $\\ell(x) = -\\log p$ is raw.</p>", MATHJAX_JS),
    "open_solution.html": _page(CLOSED_SOLUTION.replace("<details ", "<details open ")),
    "open_cell.html": _page(HIDDEN_CELL_OK.replace("<details ", "<details open ")),
    "index.html": '<meta http-equiv="Refresh" content="0; url=good.html" />',
}


@needs_browser
def test_browser_check_passes_good_pages_and_fails_each_fault(tmp_path, capsys):
    site = tmp_path / "html"
    shutil.copytree(_mathjax_dir(), site / "_static" / "mathjax")
    (site / "a.png").write_bytes(PNG)
    for name, html in SITE.items():
        (site / name).write_text(html, encoding="utf-8")
    assert browser_check.run(site, CHROMIUM) == 1
    out = capsys.readouterr().out
    status = {
        line.split()[1]: line.split()[0]
        for line in out.splitlines()
        if line[:4] in ("ok  ", "FAIL")
    }
    assert status.pop("good.html") == "ok", out
    assert status.pop("index.html") == "ok", out
    assert set(status) == set(SITE) - {"good.html", "index.html"}, out
    assert set(status.values()) == {"FAIL"}, out
    assert "requested a remote resource (blocked): https://cdn.example.org/x.js" in out
    assert "maths not typeset by MathJax" in out
    assert "raw TeX in the text" in out
    assert "image did not load: missing.png" in out


def test_browser_check_without_chromium_skips_or_fails(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(browser_check, "find_chromium", lambda explicit=None: None)
    assert browser_check.main([str(tmp_path)]) == 0
    assert "browser check skipped: chromium is not installed" in capsys.readouterr().out
    assert browser_check.main([str(tmp_path), "--require"]) == 1
