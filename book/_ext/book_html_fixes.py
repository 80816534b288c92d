"""Small fixes to the HTML of the book, loaded by _config.yml (sphinx: local_extensions).

One script per page, not two: Sphinx 7.4 registers an inline script that an extension adds
after the builder has started (sphinx-thebe, sphinx-togglebutton) twice, once with the file
name None and once with '', and writes both into every page. Two copies of sphinx-thebe's
``const THEBE_JS_URL = ...`` raise "Identifier 'THEBE_JS_URL' has already been declared" in
the console of every page, which tests/browser_check.py reports as an error.

A student edition: with ``MIA_HIDE_SOLUTIONS=1`` in the environment, every solution is
removed from the pages (its text and its code cells), and the book is built with every
exercise and no solution (see the instructor's guide). sphinx-exercise's own
``hide_solutions`` cannot do it: it drops the start of a gated solution and keeps its end,
which the HTML writer then fails on ("unknown node type: solution_end_node").
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


def remove_solutions(app, doctree) -> None:
    """Remove every solution (gated solutions are merged into one node by now)."""
    from sphinx_exercise.nodes import solution_node

    for node in list(doctree.findall(solution_node)):
        node.parent.remove(node)


def setup(app):
    if os.environ.get("MIA_HIDE_SOLUTIONS") == "1":
        # before sphinx-exercise registers the solutions' labels (priority 500)
        app.connect("doctree-read", remove_solutions, priority=400)
    app.connect("html-page-context", unique_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
