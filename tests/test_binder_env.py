"""The Binder environment, fresh: a new venv from requirements.txt alone runs every notebook.

Binder (repo2docker) builds from the root requirements.txt and nothing else, so this test does
the same on a clean Python 3.11 venv — no test tools, no .venv — and executes every chapter
notebook there with that venv's own kernel. It is the closest local stand-in for Binder (no
Docker engine here). Slow (~2 minutes, mostly pip); .ci/run runs it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))


@pytest.mark.slow
def test_fresh_requirements_venv_runs_every_notebook(tmp_path: Path) -> None:
    venv = tmp_path / "binder-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    install = subprocess.run(
        [*pip, "-r", "requirements.txt"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    check = subprocess.run([str(python), "-m", "pip", "check"], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout
    # Only the course's own tools: a test tool here would mean Binder depends on it.
    listed = subprocess.run([str(python), "-m", "pip", "list"], capture_output=True, text=True)
    for tool in ("pytest", "nbval", "hypothesis", "playwright"):
        assert f"\n{tool} " not in listed.stdout.lower()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHONPATH"))}
    env.update(PATH=f"{venv / 'bin'}:{env['PATH']}", MPLCONFIGDIR=str(tmp_path / "mpl"))
    env.update(IPYTHONDIR=str(tmp_path / "ipython"), JUPYTER_DATA_DIR=str(tmp_path / "jdata"))
    out = tmp_path / "executed"
    for notebook in NOTEBOOKS:
        command = [str(venv / "bin" / "jupyter"), "nbconvert", "--to", "notebook", "--execute"]
        command += [
            "--ExecutePreprocessor.timeout=120",
            "--ExecutePreprocessor.kernel_name=python3",
        ]
        run = subprocess.run(
            [*command, "--output-dir", str(out), str(notebook)],
            cwd=notebook.parent,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert run.returncode == 0, (
            f"{notebook.name} failed in the fresh venv:\n{run.stderr[-3000:]}"
        )
        assert (out / notebook.name).exists()
