"""Shared fixtures: the built website, a local server for it, and Debian's Chromium."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from site_server import serve  # tests/site_server.py, shared with benchmarks/bench_site.py

# Property-based tests: under CI (CI=true) the examples are derived from each test's name, so a
# CI run is reproducible; locally they are random, so repeated local runs explore new inputs
# (a failure prints the example and a blob to reproduce it).
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile("dev", print_blob=True)
settings.load_profile("ci" if os.environ.get("CI", "").lower() == "true" else "dev")

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_chromium() -> None:
    """Skip loudly without Chromium locally; fail under CI (CI=true), where it must exist."""
    if CHROMIUM.exists():
        return
    message = (
        f"{CHROMIUM} not found: browser tests need Debian's chromium "
        "(apt-get update && apt-get install -y chromium; .ci/run installs it)"
    )
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def built_site() -> Path:
    """The website in _build/html: reused when present (.ci/run builds it first), else built."""
    if not (HTML / "index.html").exists():
        subprocess.run(["bash", str(ROOT / ".ci" / "build")], cwd=ROOT, check=True, timeout=900)
    return HTML


@pytest.fixture(scope="session")
def site_url(built_site: Path) -> Iterator[str]:
    """Serve _build/html on 127.0.0.1 (a free port) for the session; stopped afterwards."""
    with serve(built_site) as url:
        yield url


@pytest.fixture(scope="session")
def _playwright():
    """One Playwright driver for the session (the sync API allows one per thread)."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(_playwright, tmp_path_factory: pytest.TempPathFactory):
    """Debian's Chromium driven by Playwright, with a throw-away profile."""
    profile = tmp_path_factory.mktemp("chromium-profile")
    context = _playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=str(CHROMIUM),
        args=CHROMIUM_ARGS,
        headless=True,
        viewport={"width": 1280, "height": 900},
    )
    try:
        yield context
    finally:
        with contextlib.suppress(Exception):
            context.close()


@pytest.fixture(scope="session")
def nojs_context(_playwright):
    """A second Chromium whose pages run no JavaScript of their own (what a page shows before
    any script has run); Playwright's own evaluation still works there."""
    chromium = _playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )
    try:
        context = chromium.new_context(java_script_enabled=False)
        yield context
    finally:
        with contextlib.suppress(Exception):
            chromium.close()
