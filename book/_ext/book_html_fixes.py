"""Small fixes to the HTML of the book, loaded by _config.yml (sphinx: local_extensions).

One script per page, not two: Sphinx 7.4 registers an inline script that an extension adds
after the builder has started (sphinx-thebe, sphinx-togglebutton) twice, once with the file
name None and once with '', and writes both into every page. Two copies of sphinx-thebe's
``const THEBE_JS_URL = ...`` raise "Identifier 'THEBE_JS_URL' has already been declared" in
the console of every page, which tests/browser_check.py reports as an error.

A student edition: with ``MIA_HIDE_SOLUTIONS=1`` in the environment, sphinx-exercise's
``hide_solutions`` is switched on and the book is built with every exercise and no solution
(see the instructor's guide).
"""

from __future__ import annotations

import os


def _key(script) -> tuple:
    if isinstance(script, str):
        return (script, 0, ())
    attrs = tuple(sorted((k, str(v)) for k, v in script.attributes.items()))
    return (script.filename or "", script.priority, attrs)


def unique_scripts(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        key = _key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def hide_solutions_on_request(app, config) -> None:
    if os.environ.get("MIA_HIDE_SOLUTIONS") == "1":
        config.hide_solutions = True


def setup(app):
    app.connect("config-inited", hide_solutions_on_request)
    app.connect("html-page-context", unique_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
