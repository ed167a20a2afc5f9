"""Benchmark (not a test): the website as Lighthouse and a slow phone see it.

Needs the built site (``bash .ci/build``) and Debian's chromium. It installs Lighthouse 12.2.3
(pinned; 13.x needs Node 22) with the venv's npm into ``benchmarks/.lighthouse/`` the first time,
serves ``_build/html`` on 127.0.0.1 and prints:

1. Lighthouse performance and accessibility scores (plus FCP, LCP, TBT, CLS) for the landing
   page and the largest chapter, mobile and desktop presets. Targets: accessibility 100,
   performance ≥ 90 on mobile.
2. For every chapter page, in Chromium with a 4× CPU slowdown at phone size: the time until the
   ``load`` event and until the math is final. Math is typeset at build time, so it is final at
   first paint; the printed "math final" time is first contentful paint, measured.
3. Each chapter page's transferred bytes if served with gzip (HTML and everything it loads).

The local server (``tests/site_server.py``, shared with the tests) gzips its responses here, as
the static hosts the book is meant for (GitHub Pages, Read the Docs) do; Python's plain
http.server does not, which would make Lighthouse measure a download no reader makes.

    .venv/bin/python benchmarks/bench_site.py
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
LH_DIR = ROOT / "benchmarks" / ".lighthouse"
LH_VERSION = "12.2.3"
CHROMIUM = "/usr/bin/chromium"
FLAGS = "--headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking"
CHAPTERS = sorted(p.name for p in (HTML / "chapters").glob("0*.html"))

sys.path.insert(0, str(ROOT / "tests"))
from site_server import serve  # noqa: E402 - the server the tests use, here with gzip


def _lighthouse() -> Path:
    binary = LH_DIR / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        LH_DIR.mkdir(parents=True, exist_ok=True)
        npm = ROOT / ".venv" / "bin" / "npm"
        subprocess.run(
            [str(npm), "install", "--no-audit", "--no-fund", "--prefix", str(LH_DIR),
             "-E", f"lighthouse@{LH_VERSION}"],
            check=True, timeout=600,
        )  # fmt: skip
    return binary


def lighthouse_scores(base: str) -> None:
    binary = _lighthouse()
    env = {
        **os.environ,
        "CHROME_PATH": CHROMIUM,
        "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}",
    }
    largest = max(CHAPTERS, key=lambda p: (HTML / "chapters" / p).stat().st_size)
    print(f"\nLighthouse {LH_VERSION} (simulated throttling; mobile = Moto G Power, slow 4G)")
    head = ("page", "preset", "perf", "a11y", "FCP s", "LCP s", "TBT ms", "CLS")
    print("{:38} {:8} {:>5} {:>5} {:>6} {:>6} {:>7} {:>6}".format(*head))
    for page in ("index.html", f"chapters/{largest}"):
        for preset in ("mobile", "desktop"):
            with tempfile.TemporaryDirectory() as tmp:
                out = Path(tmp) / "report.json"
                cmd = [str(binary), f"{base}/{page}", "--output=json", f"--output-path={out}",
                       "--only-categories=performance,accessibility", "--quiet",
                       f"--chrome-flags={FLAGS} --user-data-dir={tmp}/profile"]  # fmt: skip
                if preset == "desktop":
                    cmd.append("--preset=desktop")
                subprocess.run(cmd, check=True, env=env, timeout=600)
                report = json.loads(out.read_text())
            cat, audits = report["categories"], report["audits"]
            print(
                f"{page:38} {preset:8} {100 * cat['performance']['score']:5.0f} "
                f"{100 * cat['accessibility']['score']:5.0f} "
                f"{audits['first-contentful-paint']['numericValue'] / 1000:6.2f} "
                f"{audits['largest-contentful-paint']['numericValue'] / 1000:6.2f} "
                f"{audits['total-blocking-time']['numericValue']:7.0f} "
                f"{audits['cumulative-layout-shift']['numericValue']:6.3f}"
            )


def slow_phone(base: str) -> None:
    from playwright.sync_api import sync_playwright

    print("\nChromium, 390 px phone, 4× CPU slowdown (median of 3 loads)")
    print(f"{'page':34} {'math final = FCP ms':>20} {'load ms':>8} {'gzip kB':>8}")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS.split())
        for name in CHAPTERS:
            fcps, loads, urls = [], [], set()
            for _ in range(3):
                ctx = browser.new_context(viewport={"width": 390, "height": 844})
                page = ctx.new_page()
                cdp = ctx.new_cdp_session(page)
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
                page.on("response", lambda r, urls=urls: urls.add(r.url))
                page.goto(f"{base}/chapters/{name}", wait_until="load")
                timing = page.evaluate(
                    "() => [performance.getEntriesByName('first-contentful-paint')[0]?.startTime,"
                    " performance.getEntriesByType('navigation')[0].loadEventStart]"
                )
                fcps.append(timing[0])
                loads.append(timing[1])
                ctx.close()
            gz = 0
            for url in urls:
                file = HTML / unquote(urlsplit(url).path).lstrip("/")
                if file.is_file():
                    gz += len(gzip.compress(file.read_bytes(), compresslevel=6))
            print(f"{name:34} {sorted(fcps)[1]:20.0f} {sorted(loads)[1]:8.0f} {gz / 1e3:8.0f}")
        browser.close()


def main() -> None:
    if not (HTML / "index.html").exists():
        sys.exit("build the site first: bash .ci/build")
    with serve(HTML, gzip=True) as base:
        slow_phone(base)
        lighthouse_scores(base)


if __name__ == "__main__":
    main()
