"""The static website as a reader meets it: every page in a real browser (Debian's Chromium).

For every page: HTTP 200 for the page and everything it loads, no request to any host but
127.0.0.1, no console error or uncaught exception, every math element already typeset (KaTeX,
at build time), alt text on every image, scrubbable figures that really change frame, and the
page's transferred weight (gzip, everything it loads) within budget. A viewport screenshot of
each page goes to ``_build/screenshots/``. Internal links are checked on the built files.
Accessibility, phones, keyboard and print: tests/test_site_a11y.py.
"""

from __future__ import annotations

import gzip
import html.parser
import os
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from conftest import ROOT

SCREENSHOTS = ROOT / "_build" / "screenshots"
# What a reader's browser transfers for one chapter page from a host that gzips (as GitHub
# Pages does): the HTML, every stylesheet, script, font and image it loads, after scrolling to
# the end (lazy images included). Budget from DEVELOPERS.md.
MAX_CHAPTER_GZIP_BYTES = 1_000_000
EXTRA_PAGES = ["index.html", "genindex.html", "search.html", "prf-prf.html"]
# Console messages we can name and explain. Empty: the book fixes what it finds instead
# (see .ci/sphinxext/book_fixes.py for the thebe script and the theme mode).
CONSOLE_ALLOWED: list[re.Pattern[str]] = []
# The PDF edition (.ci/pdf), linked from every page; absent when only README command (a) ran.
PDF_EDITION = "closed-forms-for-backprop.pdf"


def _book_pages() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]] + [c["file"] for part in toc["parts"] for c in part["chapters"]]
    return [f"{f}.html" for f in files] + EXTRA_PAGES


PAGES = _book_pages()


def _all_built_pages(site: Path) -> list[str]:
    skip = ("_static/", "_sources/", "_images/")
    pages = [p.relative_to(site).as_posix() for p in site.rglob("*.html")]
    return sorted(p for p in pages if not p.startswith(skip))


def test_every_built_page_is_checked(built_site: Path) -> None:
    assert set(_all_built_pages(built_site)) <= set(PAGES)


@pytest.mark.browser
@pytest.mark.parametrize("page_path", PAGES)
def test_page_in_the_browser(page_path: str, site_url: str, browser) -> None:
    page = browser.new_page()
    cdp = browser.new_cdp_session(page)
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})  # 200s, never 304s
    foreign, bad_status, failed, errors = [], [], [], []

    def on_request(request) -> None:
        url = request.url
        if not (url.startswith(site_url) or url.startswith(("data:", "blob:", "about:"))):
            foreign.append(url)

    loaded: list[str] = []

    def on_response(response) -> None:
        if response.url.startswith(site_url) and response.status != 200:
            bad_status.append((response.status, response.url))
        elif response.url.startswith(site_url):
            loaded.append(response.url)

    def on_console(message) -> None:
        if message.type == "error" and not any(p.search(message.text) for p in CONSOLE_ALLOWED):
            errors.append(f"console: {message.text}")

    page.on("request", on_request)
    page.on("response", on_response)
    page.on("requestfailed", lambda r: failed.append(f"{r.url}: {r.failure}"))
    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    try:
        response = page.goto(f"{site_url}/{page_path}", wait_until="load")
        assert response is not None
        assert response.status == 200
        if page_path == "index.html":  # the site root redirects to the first chapter
            page.wait_for_url(f"{site_url}/chapters/00_question.html", wait_until="load")
        untypeset = page.evaluate(
            "() => [...document.querySelectorAll('.math')]"
            ".filter(e => !e.querySelector('.katex')).map(e => e.textContent.slice(0, 60))"
        )
        assert untypeset == [], f"math not typeset at build time: {untypeset}"
        errors_tex = page.evaluate(
            "() => [...document.querySelectorAll('.katex-error')].map(e => e.textContent)"
        )
        assert errors_tex == [], f"formulas KaTeX could not typeset: {errors_tex}"
        assert page.evaluate("() => !window.MathJax"), "MathJax is loaded; math is typeset at build"
        visible = page.evaluate("() => document.body.innerText")
        for raw in ("$$", "\\(", "\\["):
            assert raw not in visible, f"raw TeX {raw!r} left in the visible text"
        images = page.evaluate(
            "() => [...document.images].map(i => [i.getAttribute('alt') || '', "
            "i.getAttribute('src').slice(0, 60)])"
        )
        for alt, src in images:
            assert alt.strip(), f"image without alt text: {src}"
            assert not re.search(r"\.(png|svg|jpe?g|gif)$", alt), f"alt is a file name: {alt}"
        if page_path.startswith("chapters/") and page_path != "chapters/bibliography.html":
            _check_transferred_weight(page, page_path, site_url, loaded)
        _scrub_every_animation(page)  # after the weight: moving a slider fetches more frames
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.evaluate("() => window.scrollTo(0, 0)")
        page.screenshot(path=str(SCREENSHOTS / (page_path.replace("/", "__") + ".png")))
    finally:
        page.close()
    assert foreign == [], f"requests to other hosts: {foreign}"
    assert bad_status == [], f"non-200 responses: {bad_status}"
    assert failed == [], f"failed requests: {failed}"
    assert errors == [], "\n".join(errors)


def _check_transferred_weight(page, page_path: str, site_url: str, loaded: list[str]) -> None:
    """Scroll to the end (lazy images load), then add up the gzip size of every loaded file."""
    height = page.evaluate("() => document.documentElement.scrollHeight")
    for y in range(0, height + 900, 700):  # bounded: one step per 700 px of page
        page.evaluate(f"() => window.scrollTo(0, {y})")
        page.wait_for_timeout(20)
    page.wait_for_load_state("load")
    total, files = 0, set()
    for url in loaded:
        path = unquote(urlsplit(url).path).lstrip("/")
        file = ROOT / "_build" / "html" / path
        if file.is_file() and path not in files:
            files.add(path)
            total += len(gzip.compress(file.read_bytes(), compresslevel=6))
    print(f"\n{page_path}: {total / 1e3:.0f} kB transferred (gzip) in {len(files)} files")
    assert total <= MAX_CHAPTER_GZIP_BYTES, (
        f"{page_path} transfers {total} bytes gzip, budget {MAX_CHAPTER_GZIP_BYTES}"
    )


def _scrub_every_animation(page) -> None:
    """Move every scrubber's slider by one step: the frame, its alt text and label change."""
    for figure in page.locator("figure.bp-scrubber").all():
        image, slider = figure.locator("img"), figure.locator("input[type=range]")
        before = (image.get_attribute("src"), image.get_attribute("alt"))
        label_before = figure.locator("output").inner_text()
        at_end = slider.get_attribute("value") == slider.get_attribute("max")
        slider.focus()
        page.keyboard.press("ArrowLeft" if at_end else "ArrowRight")
        after = (image.get_attribute("src"), image.get_attribute("alt"))
        assert after[0] != before[0], "moving the slider did not change the frame"
        assert after[1] != before[1], "moving the slider did not change the alt text"
        assert figure.locator("output").inner_text() != label_before


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.has_icon = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"])
        if tag == "link" and "icon" in (values.get("rel") or "").split():
            self.has_icon = True
        for key in ("href", "src"):
            if values.get(key) and tag in ("a", "link", "img", "script"):
                self.links.append(values[key])


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_internal_links_resolve(built_site: Path) -> None:
    """Every relative href/src points to a file that exists, and every #anchor to an id."""
    parsed = {p: _parse(built_site / p) for p in _all_built_pages(built_site)}
    broken = []
    for page, links in parsed.items():
        for link in links.links:
            parts = urlsplit(link)
            if parts.scheme or link.startswith("//"):
                continue
            target = (built_site / page).parent / unquote(parts.path) if parts.path else None
            target_page = built_site / page if target is None else target.resolve()
            if target is not None and not target_page.exists():
                if target_page.name == PDF_EDITION and os.environ.get("CI", "") != "true":
                    continue  # the PDF is copied in by .ci/run; tests/test_pdf.py checks the link
                broken.append(f"{page}: {link}")
                continue
            if parts.fragment and target_page.suffix == ".html":
                rel = target_page.relative_to(built_site.resolve()).as_posix()
                ids = parsed[rel].ids if rel in parsed else _parse(target_page).ids
                if parts.fragment not in ids:
                    broken.append(f"{page}: {link} (no such anchor)")
    assert broken == [], "broken internal links:\n" + "\n".join(broken)


def test_every_page_names_its_icon(built_site: Path) -> None:
    """A page without <link rel=icon> makes the browser request /favicon.ico, which 404s.

    Chromium's own favicon request is invisible to Playwright's request events (only a console
    line says "404"), so this is checked in the HTML, the root redirect page included.
    """
    missing = [p for p in _all_built_pages(built_site) if not _parse(built_site / p).has_icon]
    assert missing == [], f"pages without an icon link: {missing}"


def test_page_weight(built_site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Each page's HTML (gzip, as a compressing host sends it) with the images it shows ≤ 1 MB.

    The browser test measures everything a chapter page loads; this static check covers every
    page. Uncompressed sizes are printed too: the typeset math makes the HTML large but very
    compressible."""
    weights = {}
    for page in _all_built_pages(built_site):
        path = built_site / page
        raw = path.read_bytes()
        html_gz, images = len(gzip.compress(raw, compresslevel=6)), 0
        for link in _parse(path).links:
            if (
                re.search(r"\.(png|svg|jpe?g|gif)$", urlsplit(link).path)
                and not urlsplit(link).scheme
            ):
                image = (path.parent / unquote(urlsplit(link).path)).resolve()
                if image.exists() and "_static" not in image.parts:
                    images += image.stat().st_size
        weights[page] = (html_gz + images, len(raw), images)
    largest = sorted(weights.items(), key=lambda kv: -kv[1][0])[:5]
    with capsys.disabled():
        print("\nheaviest pages (HTML gzip + own images; HTML uncompressed):")
        for page, (total, raw, images) in largest:
            detail = f"HTML {raw / 1e6:.2f} MB raw, images {images / 1e3:.0f} kB"
            print(f"  {total / 1e3:6.0f} kB  {page}  ({detail})")
    assert all(total <= MAX_CHAPTER_GZIP_BYTES for total, _, _ in weights.values()), largest


def test_proof_index_names_results(built_site: Path) -> None:
    """The Proof Index shows "Theorem 4.1" and a title for every result, never a bare label."""
    index = (built_site / "prf-prf.html").read_text(encoding="utf-8")
    assert '<code class="xref">' not in index
    body = index[index.index('<table class="indextable') :]
    assert not re.search(r">(?:thm|lem|prop|cor|def|lemma)-[a-z0-9-]+<", body)
    assert "<strong>Theorem 4.1</strong>" in index
    assert "The softsign chain is Binet-type" in index
