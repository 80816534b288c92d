"""Open every page of the built book in headless Chromium and check what a reader sees.

    python tests/browser_check.py [_build/html] [--chromium PATH] [--require]

The book is served over HTTP on 127.0.0.1 (a thread with ``http.server``) and each page is
loaded by Playwright driving the system's Chromium (Debian's ``chromium``; Playwright never
downloads a browser here). Any request to another host is blocked and reported, so a page
that needs the network fails. A page fails on:

- a console error or an uncaught JavaScript exception, or a local resource that fails to load;
- maths left as raw TeX: an element of class ``math`` without a MathJax ``mjx-container``
  after MathJax has finished, or ``\\(``, ``\\[``, ``$$`` or ``$..\\cmd..$`` in the visible
  text outside code;
- an image that did not load (``naturalWidth == 0``);
- a solution whose body is visible before a click, or a ``hide-input`` cell whose code is
  visible before a click.

Without Chromium (or Playwright) it prints one line saying the check is skipped and exits 0,
or 1 with ``--require`` (CI). Exits 1 when a page fails, 0 otherwise.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
PAGE_TIMEOUT_MS = 30_000

# As root in a closed network: no sandbox, no GPU, no background connections.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

INSTALL_HINT = (
    "install it with 'sudo apt-get install chromium' (Debian/Ubuntu) or point CHROMIUM "
    "at a Chromium or Chrome binary"
)

# Runs in the page once it has loaded (and MathJax, if any, has typeset).
INSPECT_JS = r"""
async () => {
  const images = [...document.images];
  images.forEach((img) => { if (img.loading === "lazy") img.loading = "eager"; });
  await Promise.all(images.map((img) => img.complete ? null : new Promise((done) => {
    img.addEventListener("load", done); img.addEventListener("error", done);
    setTimeout(done, 10000);
  })));
  const shown = (el) => el.checkVisibility({opacityProperty: true, visibilityProperty: true});
  const brokenImages = images.filter((img) => img.naturalWidth === 0)
    .map((img) => img.getAttribute("src"));
  const math = [...document.querySelectorAll(".math")];
  const untypeset = math.filter((el) => !el.querySelector("mjx-container"))
    .map((el) => el.textContent.trim().slice(0, 60));
  const rawTex = [];
  const tex = /\\\(|\\\)|\\\[|\\\]|\$\$|\$[^$\n]*\\[A-Za-z]+[^$\n]*\$|\\begin\{/;
  const skip = "pre, code, script, style, textarea, mjx-container, .highlight";
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.parentElement || node.parentElement.closest(skip)) continue;
    if (tex.test(node.textContent) && shown(node.parentElement)) {
      rawTex.push(node.textContent.trim().slice(0, 80));
    }
  }
  const title = (el) => (el.querySelector(".admonition-title")?.textContent || el.id)
    .replace(/\s+/g, " ").trim();
  const solutions = [...document.querySelectorAll(".admonition.solution")];
  const openSolutions = solutions.filter((el) => [...el.children]
    .filter((c) => !c.classList.contains("admonition-title")).some(shown)).map(title);
  const hidden = [...document.querySelectorAll(".tag_hide-input")];
  const openCells = hidden.filter((el) => {
    const input = el.querySelector(".cell_input");
    return !input || shown(input);
  }).map((el) => el.textContent.replace(/\s+/g, " ").trim().slice(0, 60));
  return {
    images: images.length, brokenImages, math: math.length, untypeset, rawTex,
    solutions: solutions.length, openSolutions, hiddenCells: hidden.length, openCells,
  };
}
"""


MATHJAX_JS = r"""
async () => {
  if (!document.querySelector(".math")) return "ok";
  if (!(window.MathJax && MathJax.startup && MathJax.startup.promise)) {
    return "the page has maths but MathJax did not load";
  }
  const late = new Promise((done) => setTimeout(() => done("late"), 20000));
  const typeset = await Promise.race([MathJax.startup.promise.then(() => "ok"), late]);
  return typeset === "ok" ? "ok" : "MathJax did not finish typesetting within 20 s";
}
"""


def find_chromium(explicit: str | None = None) -> str | None:
    for candidate in (explicit, os.environ.get("CHROMIUM")):
        if candidate:
            return candidate if Path(candidate).is_file() else shutil.which(candidate)
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def pages(html_dir: Path) -> list[str]:
    skip = {"_static", "_sources", "_images"}
    return sorted(
        p.relative_to(html_dir).as_posix()
        for p in html_dir.rglob("*.html")
        if not skip & set(p.relative_to(html_dir).parts)
    )


def redirect_target(page: Path) -> str | None:
    """The target of a page that only redirects (``<meta http-equiv="refresh">``)."""
    m = re.search(
        r'<meta[^>]+http-equiv="refresh"[^>]+content="\d+;\s*url=([^"]+)"',
        page.read_text(encoding="utf-8", errors="replace"),
        re.IGNORECASE,
    )
    return m.group(1) if m else None


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(html_dir: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(_Quiet, directory=str(html_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def check_page(page, base: str, rel: str) -> tuple[list[str], dict]:
    """Load one page and return its problems and what was counted."""
    problems: list[str] = []

    def local(url: str) -> bool:  # a remote request is blocked and reported by the route
        return url.startswith(base) or urlparse(url).scheme in ("data", "blob", "")

    def on_console(msg):
        if msg.type == "error" and local(msg.location.get("url", "")):
            problems.append(f"console error: {msg.text[:300]}")

    def on_error(exc):
        problems.append(f"JavaScript exception: {exc}")

    def on_failed(req):
        if local(req.url):
            problems.append(f"failed to load {req.url.removeprefix(base)}: {req.failure}")

    page.on("console", on_console)
    page.on("pageerror", on_error)
    page.on("requestfailed", on_failed)
    try:
        response = page.goto(base + rel, wait_until="load", timeout=PAGE_TIMEOUT_MS)
        if response is None or not response.ok:
            problems.append(f"HTTP {response.status if response else 'no response'}")
        # deferred scripts (MathJax) have run by the load event; wait for its typesetting
        mathjax = page.evaluate(MATHJAX_JS)
        if mathjax != "ok":
            problems.append(mathjax)
        seen = page.evaluate(INSPECT_JS)
        page.wait_for_timeout(100)  # let late console messages arrive
    except Exception as exc:  # a timeout, a crashed page: report it with the page
        problems.append(f"could not inspect the page: {type(exc).__name__}: {exc}")
        seen = {}
    finally:
        page.remove_listener("console", on_console)
        page.remove_listener("pageerror", on_error)
        page.remove_listener("requestfailed", on_failed)
    problems += [f"image did not load: {src}" for src in seen.get("brokenImages", [])]
    problems += [f"maths not typeset by MathJax: {t!r}" for t in seen.get("untypeset", [])]
    problems += [f"raw TeX in the text: {t!r}" for t in seen.get("rawTex", [])]
    problems += [f"solution shown before a click: {t!r}" for t in seen.get("openSolutions", [])]
    problems += [f"hide-input code shown before a click: {t!r}" for t in seen.get("openCells", [])]
    return problems, seen


def run(html_dir: Path, chromium: str) -> int:
    from playwright.sync_api import sync_playwright

    server, base = serve(html_dir)
    remote: list[str] = []

    def route(r):
        url = r.request.url
        if url.startswith(base) or urlparse(url).scheme in ("data", "blob"):
            return r.continue_()
        remote.append(url)
        return r.abort()

    start = time.monotonic()
    failed = 0
    names = pages(html_dir)
    try:
        with sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
            ctx = p.chromium.launch_persistent_context(
                profile, executable_path=chromium, args=CHROMIUM_FLAGS, headless=True
            )
            ctx.route("**/*", route)
            page = ctx.new_page()
            for rel in names:
                target = redirect_target(html_dir / rel)
                if target is not None:
                    ok = (html_dir / rel).parent.joinpath(target).is_file()
                    print(f"{'ok  ' if ok else 'FAIL'} {rel} (redirects to {target})")
                    failed += not ok
                    continue
                remote.clear()
                problems, seen = check_page(page, base, rel)
                problems += [f"requested a remote resource (blocked): {u}" for u in remote]
                counts = (
                    f"{seen.get('math', 0)} maths, {seen.get('images', 0)} images, "
                    f"{seen.get('solutions', 0)} solutions, "
                    f"{seen.get('hiddenCells', 0)} hidden cells"
                )
                if problems:
                    failed += 1
                    print(f"FAIL {rel} ({counts})")
                    for x in problems:
                        print(f"    {x}")
                else:
                    print(f"ok   {rel} ({counts})")
            ctx.close()
    finally:
        server.shutdown()
    took = time.monotonic() - start
    print(f"browser check: {len(names)} pages in {took:.0f} s, {failed} with problems")
    return 1 if failed else 0


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    require = "--require" in argv
    argv = [a for a in argv if a != "--require"]
    explicit = None
    if "--chromium" in argv:
        i = argv.index("--chromium")
        explicit = argv[i + 1]
        del argv[i : i + 2]
    html_dir = Path(argv[0]) if argv else ROOT / "_build" / "html"
    if not html_dir.is_dir():
        print(f"no built book at {html_dir}: run jupyter-book build book/ first")
        return 1
    chromium = find_chromium(explicit)
    why = None
    if chromium is None:
        why = f"chromium is not installed: {INSTALL_HINT}"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            why = "playwright is not installed: pip install -r requirements.txt"
    if why:
        print(f"browser check {'FAILED' if require else 'skipped'}: {why}")
        return 1 if require else 0
    return run(html_dir, chromium)


if __name__ == "__main__":
    sys.exit(main())
