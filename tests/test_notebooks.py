"""The notebook output policy and the chapter skeleton (see README, "Notebook output policy",
and CONTRIBUTING.md, "Write a chapter").

nbval itself runs on every notebook through pytest's ``--nbval`` option (pyproject.toml); the
tests here check what nbval cannot: that the committed notebooks are complete, small, free of
churn, follow the chapter skeleton, and that nbval really fails when a number changes.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"
NOTEBOOKS = sorted(CHAPTERS.glob("*.ipynb"))
IGNORE = "nbval-ignore-output"


def _ids(paths: list[Path]) -> list[str]:
    return [p.stem for p in paths]


def _toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc["parts"]:
        files += [chapter["file"] for chapter in part["chapters"]]
    return files


def test_toc_is_a_numbered_jb_book_listing_every_notebook() -> None:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    assert toc["format"] == "jb-book"
    assert toc["root"] == "chapters/00_question"
    for part in toc["parts"]:
        if part["caption"] != "Back matter":
            assert part.get("numbered") is True, f"part {part['caption']!r} must be numbered"
    listed = {f for f in _toc_files() if (ROOT / f"{f}.ipynb").exists()}
    on_disk = {str(p.relative_to(ROOT).with_suffix("")) for p in NOTEBOOKS}
    assert listed == on_disk
    for f in _toc_files():
        assert (ROOT / f"{f}.ipynb").exists() or (ROOT / f"{f}.md").exists(), f


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_committed_notebook_is_small_executed_and_free_of_churn(path: Path) -> None:
    assert path.stat().st_size <= 1_000_000, f"{path.name} is over 1 MB"
    nb = nbformat.read(path, as_version=4)
    assert "widgets" not in nb.metadata, "widget state must not be committed"
    counts = []
    for cell in nb.cells:
        assert "execution" not in cell.metadata, "execution timestamps must not be committed"
        if cell.cell_type != "code":
            continue
        counts.append(cell.execution_count)
        if IGNORE in cell.metadata.get("tags", []):
            assert cell.outputs == [], f"outputs of an {IGNORE} cell must not be committed"
        for output in cell.outputs:
            assert output.output_type != "error", f"committed error output in {path.name}"
    assert counts == list(range(1, len(counts) + 1)), "run the notebook top to bottom, once"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_chapter_skeleton(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    code = [c for c in nb.cells if c.cell_type == "code"]
    first = nb.cells[0].source.lstrip()
    assert re.match(r"\([a-z0-9-]+\)=\n# ", first), "start with a (label)= target and the H1"
    assert len(re.findall(r"^# ", markdown, flags=re.M)) == 1, "exactly one H1"
    assert re.search(r"what you will learn", markdown, flags=re.I)
    assert "## Exercises" in markdown
    assert "{exercise}" in markdown
    assert "{solution-start}" in markdown
    assert ":class: dropdown" in markdown
    n_exercises = len(re.findall(r"^`{3,}\{exercise\}", markdown, flags=re.M))
    assert n_exercises >= 3, "at least three exercises"
    assert markdown.count("{solution-start}") == markdown.count("{solution-end}") == n_exercises
    assert re.search(r"\{prf:(theorem|proposition|lemma)\}", markdown)
    assert "{prf:proof}" in markdown
    assert "## Summary" in markdown
    assert re.search(r"Q[1-4]", markdown.split("## Summary")[-1]), "say which of Q1–Q4 it settles"
    imports = [c for c in code if re.search(r"^(import|from) \S+", c.source, flags=re.M)]
    assert imports == [code[0]], "one imports cell, the first code cell"
    checks = [c for c in code if c.source.startswith("# Check")]
    assert checks, "at least one '# Check' cell"
    for cell in checks:
        assert "assert" in cell.source, "a Check cell asserts"
        assert IGNORE not in cell.metadata.get("tags", []), "Check cells are compared by nbval"
        assert cell.outputs, "Check cells print what they check"


def _load_refresh():
    spec = importlib.util.spec_from_file_location("refresh", ROOT / ".ci" / "refresh_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_rerunning_a_notebook_reproduces_the_committed_file(tmp_path: Path) -> None:
    """Determinism and no git churn: executing chapter 0 again gives the committed JSON."""
    refresh = _load_refresh()
    path = CHAPTERS / "00_question.ipynb"
    nb, _seconds = refresh.execute(path)
    out = tmp_path / path.name
    nbformat.write(nb, out)
    assert json.loads(out.read_text()) == json.loads(path.read_text())


def test_nbval_fails_when_a_checked_number_changes(tmp_path: Path) -> None:
    """Change one digit in a stored Check output: nbval must report the mismatch."""
    nb = nbformat.read(CHAPTERS / "00_question.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.startswith("# Check"):
            for output in cell.outputs:
                if output.output_type == "stream" and re.search(r"\d", output.text):
                    bump = lambda m: str((int(m.group()) + 1) % 10)  # noqa: E731
                    output.text = re.sub(r"\d", bump, output.text, count=1)
                    break
            else:
                continue
            break
    else:
        pytest.fail("no Check cell with a printed number in chapter 0")
    broken = tmp_path / "broken.ipynb"
    nbformat.write(nb, broken)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-o", "addopts="]
    command += ["--nbval", "--nbval-current-env", "--rootdir", str(tmp_path), str(broken)]
    result = subprocess.run(
        command, cwd=CHAPTERS, capture_output=True, text=True, timeout=300, env=env
    )
    assert result.returncode == 1, result.stdout[-2000:]
    assert "1 failed" in result.stdout
