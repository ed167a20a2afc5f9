"""Re-execute chapter notebooks in place and store their outputs (the committed reference).

Usage (from the repository root, after README command (b) has created .venv):

    .venv/bin/python .ci/refresh_notebooks.py                 # every notebook in chapters/
    .venv/bin/python .ci/refresh_notebooks.py chapters/00_question.ipynb

Output policy (enforced by tests/test_notebooks.py):
* Every code cell's outputs are committed, and nbval compares them strictly on every test run,
  so a changed number anywhere in the text fails the suite.
* Cells tagged ``nbval-ignore-output`` (interactive figures: a live widget whose model id is
  random, and pre-rendered frames) are executed by nbval but not compared; their outputs are
  NOT committed (they are large and say nothing nbval could check).
* No execution timestamps and no widget state are stored, so re-running a notebook leaves
  git clean unless a result really changed.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
IGNORE_TAG = "nbval-ignore-output"
TIMEOUT = 120  # seconds per cell, as in _config.yml's execute.timeout margin


def normalise(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Strip what must not be committed: ignored outputs, timing and widget state."""
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code" and IGNORE_TAG in cell.metadata.get("tags", []):
            cell.outputs = []
        elif cell.cell_type == "code":
            cell.outputs = _coalesce_streams(cell.outputs)
    return nb


def _coalesce_streams(outputs: list) -> list:
    """One stream output per run of stdout (or stderr) text, as nbval compares them.

    How printed text is split into stream messages depends on when the kernel flushes, so
    without this a re-run could change the file although no character of output changed.
    """
    out: list = []
    for o in outputs:
        if (
            o.get("output_type") == "stream"
            and out
            and out[-1].get("output_type") == "stream"
            and out[-1].get("name") == o.get("name")
        ):
            out[-1]["text"] = "".join(out[-1]["text"]) + "".join(o["text"])
        else:
            out.append(o)
    return out


def execute(path: Path) -> tuple[nbformat.NotebookNode, float]:
    """Execute one notebook in its own folder; return the normalised notebook and the time."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,
        store_widget_state=False,
    )
    start = time.perf_counter()
    client.execute()
    return normalise(nb), time.perf_counter() - start


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted((ROOT / "chapters").glob("*.ipynb"))
    for path in paths:
        nb, seconds = execute(path)
        nbformat.write(nb, path)
        size_kb = path.stat().st_size / 1024
        flag = "  OVER BUDGET (30 s)" if seconds > 30 else ""
        print(f"{path.name}: executed in {seconds:.1f} s, {size_kb:.0f} KiB{flag}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
