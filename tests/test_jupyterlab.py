"""Live notebooks as a reader runs them: real JupyterLab, driven in Debian's Chromium.

The test starts ``jupyter lab`` on 127.0.0.1 (free port, random token, state in a temporary
directory), opens a copy of each chapter notebook, runs all cells from the Run menu, waits for
the kernel, asserts there is no error output, then moves one control of every live widget and
asserts that its figure changed. It stops the server by its PID.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))
RUN_TIMEOUT_MS = 120_000
# The code cells of the notebook on screen (other panels may exist but are hidden).
CURRENT_CELLS = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell"


def _js(code: str) -> str:
    """Scope a page script's `CELLS + ' …'` selectors to the notebook on screen."""
    return code.replace("CELLS + '", f"'{CURRENT_CELLS}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Path]]:
    work = tmp_path_factory.mktemp("lab-notebooks")
    for nb in NOTEBOOKS:
        shutil.copy(nb, work / nb.name)
    state = tmp_path_factory.mktemp("lab-state")
    settings = state / "user-settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    # Render every cell (no virtual scrolling), so the test sees every output.
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(state / "config"),
        "JUPYTER_DATA_DIR": str(state / "data"),
        "JUPYTER_RUNTIME_DIR": str(state / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(state / "user-settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(state / "workspaces"),
        "IPYTHONDIR": str(state / "ipython"),
        "MPLCONFIGDIR": str(state / "matplotlib"),
    }
    port, token = _free_port(), secrets.token_hex(16)
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1"]
    command += [f"--port={port}", f"--IdentityProvider.token={token}"]
    command += [f"--ServerApp.root_dir={work}", "--ServerApp.port_retries=0"]
    command += ["--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    log = (state / "lab.log").open("w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail(
                        "JupyterLab did not start:\n" + (state / "lab.log").read_text()[-3000:]
                    )
                time.sleep(0.5)
        yield base, token, work
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        log.close()


def _wait_idle(page) -> None:
    page.wait_for_function(
        "() => [...document.querySelectorAll('.jp-StatusBar-TextItem')]"
        ".some(e => /\\| Idle/.test(e.textContent))",
        timeout=RUN_TIMEOUT_MS,
    )


def _open_and_run_all(page, base: str, token: str, name: str) -> None:
    """Open a notebook in a workspace of its own and run every cell from the Run menu."""
    # A workspace of its own: JupyterLab would otherwise reopen earlier notebooks as tabs.
    workspace = f"test-{Path(name).stem}"
    page.goto(f"{base}/lab/workspaces/{workspace}/tree/{name}?reset&token={token}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    _wait_idle(page)
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    n_code = page.locator(CURRENT_CELLS).count()
    # Every code cell gets an execution number and none is still running ([*]).
    _wait_with_screenshot(page, name, n_code)
    _wait_idle(page)


def _error_outputs(page) -> list[str]:
    """The outputs a reader would read as errors.

    An exception or a warning is rendered as stderr; a widget that fails to render says
    "Error displaying widget". A printed message that merely names an exception (chapter 1
    prints what rsolve raises) is not an error.
    """
    return page.evaluate(
        _js(
            "() => [...document.querySelectorAll(CELLS + ' .jp-OutputArea-output')]"
            ".filter(e => e.matches('[data-mime-type=\"application/vnd.jupyter.stderr\"]')"
            " || /Traceback \\(most recent call last\\)|Error displaying widget/.test(e.innerText))"
            ".map(e => e.innerText.slice(0, 500))"
        )
    )


@pytest.mark.browser
@pytest.mark.slow
def test_error_detector_sees_a_raised_error_and_not_a_printed_name(lab, browser) -> None:
    """Control for the test below: the detector flags a real exception and only that."""
    base, token, work = lab
    cells = [
        'print("ValueError: this line only names an exception")',
        "import warnings\nwarnings.warn('a warning goes to stderr')",
        "1 / 0",
    ]
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "metadata": {},
                "source": c,
                "outputs": [],
                "execution_count": None,
            }
            for c in cells
        ],
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (work / "zz_control.ipynb").write_text(json.dumps(notebook))
    page = browser.new_page()
    try:
        _open_and_run_all(page, base, token, "zz_control.ipynb")
        errors = _error_outputs(page)
    finally:
        page.close()
        _shut_down_kernels(base, token)
    assert len(errors) == 2, errors
    assert "a warning goes to stderr" in errors[0]
    assert "ZeroDivisionError" in errors[1]


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_in_jupyterlab(notebook: Path, lab, browser) -> None:
    base, token, _ = lab
    page = browser.new_page()
    try:
        _open_and_run_all(page, base, token, notebook.name)
        errors = _error_outputs(page)
        assert errors == [], f"error output in {notebook.name}:\n" + "\n---\n".join(errors)
        source = json.loads(notebook.read_text())["cells"]
        n_live = sum(
            "".join(c["source"]).count(".show(vary=") + "".join(c["source"]).count(".live()")
            for c in source
            if c["cell_type"] == "code"
        )
        assert _move_every_widget(page) == n_live, "every live widget is on the page and moved"
    finally:
        page.close()
        _shut_down_kernels(base, token)


def _shut_down_kernels(base: str, token: str) -> None:
    """Stop every kernel the test started, so the next notebook has the machine to itself."""
    headers = {"Authorization": f"token {token}"}
    with urllib.request.urlopen(
        urllib.request.Request(f"{base}/api/kernels", headers=headers)
    ) as r:
        kernels = json.load(r)
    for kernel in kernels:
        request = urllib.request.Request(
            f"{base}/api/kernels/{kernel['id']}", method="DELETE", headers=headers
        )
        urllib.request.urlopen(request, timeout=30).close()


def _wait_with_screenshot(page, name: str, n_code: int) -> None:
    """Wait until every code cell has run; on a timeout keep a screenshot and the prompts."""
    try:
        page.wait_for_function(
            _js(
                "n => { const p = [...document.querySelectorAll(CELLS + ' .jp-InputArea-prompt')];"
                " return p.length === n && p.every(e => /\\[\\d+\\]/.test(e.textContent)); }"
            ),
            arg=n_code,
            timeout=RUN_TIMEOUT_MS,
        )
    except Exception:
        shots = ROOT / "_build" / "screenshots"
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / f"lab-timeout-{name}.png"))
        prompts = page.evaluate(
            _js(
                "() => [...document.querySelectorAll(CELLS + ' .jp-InputArea-prompt')]"
                ".map(e => e.textContent)"
            )
        )
        raise AssertionError(f"{name}: not every cell ran; prompts {prompts}") from None


def _move_every_widget(page) -> int:
    """For every live explorer: change one control and wait for its figure to change."""
    boxes = page.locator(f"{CURRENT_CELLS} .jp-OutputArea-output .widget-vbox").all()
    for box in boxes:
        image = box.locator("img").first
        before = image.get_attribute("src")
        handles = box.locator(".noUi-handle")
        if handles.count():
            handle = handles.first
            handle.focus()
            at_max = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
            page.keyboard.press("ArrowLeft" if at_max else "ArrowRight")
        else:
            select = box.locator("select").first
            options = select.locator("option").all_inner_texts()
            current = select.evaluate("s => s.options[s.selectedIndex].text")
            select.select_option(label=next(o for o in options if o != current))
        page.wait_for_function(
            "([img, old]) => img.getAttribute('src') !== old",
            arg=[image.element_handle(), before],
            timeout=30_000,
        )
    return len(boxes)
