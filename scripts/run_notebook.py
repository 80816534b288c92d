"""Execute book notebooks in place, top to bottom, and record the data their outputs came from.

    python scripts/run_notebook.py book/chapters/01_membership_question.ipynb [more.ipynb ...]

Each notebook runs in a fresh ``python3`` kernel from its own folder (as JupyterLab and nbval
run it), with execution counts 1..n and no timing metadata. Afterwards the same kernel is
asked for :func:`mia_lib.datasets.loaded_datasets`, and the notebook's metadata
``mia_lib.datasets`` records ``{dataset key: content fingerprint}``: the test command
(``conftest.py`` at the repository root) compares them with the reader's data before strict
nbval compares the outputs, and says so in one sentence when they differ.

A maintainer's tool: commit a notebook only after running it with this script.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ASK = "import json as _j\nfrom mia_lib.datasets import loaded_datasets as _l\nprint(_j.dumps(_l()))"


def _ask(client: NotebookClient, nb, code: str) -> str:
    """Run ``code`` in the notebook's kernel as a cell that is not kept; return its stdout."""
    cell = nbformat.v4.new_code_cell(code)
    nb.cells.append(cell)
    try:
        client.execute_cell(cell, len(nb.cells) - 1)
    finally:
        nb.cells.pop()
    return "".join(o.get("text", "") for o in cell.outputs if o.get("name") == "stdout")


def run(path: Path, timeout: int) -> float:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.metadata.pop("execution", None)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,
    )
    t0 = time.perf_counter()
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        loaded = json.loads(_ask(client, nb, ASK) or "{}")
    seconds = time.perf_counter() - t0
    nb.metadata.setdefault("mia_lib", {})["datasets"] = loaded
    nbformat.write(nb, path)
    return seconds


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("notebooks", nargs="+", type=Path)
    ap.add_argument("--timeout", type=int, default=1200, help="seconds per cell")
    args = ap.parse_args(argv)
    for path in args.notebooks:
        seconds = run(path, args.timeout)
        print(f"{path}: executed in {seconds:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
