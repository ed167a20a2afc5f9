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
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
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
        yield base, token
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


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_in_jupyterlab(notebook: Path, lab: tuple[str, str], browser) -> None:
    base, token = lab
    page = browser.new_page()
    try:
        # A workspace of its own: JupyterLab would otherwise reopen earlier notebooks as tabs.
        workspace = f"test-{notebook.stem}"
        page.goto(f"{base}/lab/workspaces/{workspace}/tree/{notebook.name}?reset&token={token}")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
        _wait_idle(page)
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        n_code = page.locator(CURRENT_CELLS).count()
        # Every code cell gets an execution number and none is still running ([*]).
        _wait_with_screenshot(page, notebook.name, n_code)
        _wait_idle(page)
        errors = page.evaluate(
            _js(
                "() => [...document.querySelectorAll(CELLS + ' .jp-OutputArea-output')]"
                ".map(e => e.innerText).filter(t => /Traceback|Error:/.test(t))"
                ".map(t => t.slice(0, 500))"
            )
        )
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
