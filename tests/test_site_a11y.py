"""The website for every reader: axe-core, phones, keyboard only, no JavaScript, print.

Each test drives Debian's Chromium (Playwright) over the built site served on 127.0.0.1; see
../shared/reviews/site-audit.md for the problems these tests keep fixed.

* axe-core (npm, pinned in .ci/node/package.json) on every page at desktop and phone sizes, in
  light and dark mode: no violation of impact serious or critical.
* Phones and tablets: the navigation and page-contents buttons open their drawers.
* With JavaScript disabled, no raw TeX in any page's visible text: math is final before any
  script runs (it is typeset at build time). Search snippets show no raw TeX either.
* Keyboard: a skip link first; no formula is a Tab stop; every interactive figure's slider is
  reached with Tab and moves with the arrow keys. The Tab count from the top of each chapter to
  its first slider is printed (a figure to report, not a threshold).
* At 390 px nothing is wider than the viewport except inside a scroll container.
* Print: controls hidden, code wrapped, no formula or code block cut at the page edge.
"""

from __future__ import annotations

import json

import pytest
from conftest import ROOT
from test_site import PAGES

AXE = ROOT / ".ci" / "node" / "node_modules" / "axe-core" / "axe.min.js"
CHAPTERS = [p for p in PAGES if p.startswith("chapters/") and "bibliography" not in p]
PHONE = {"width": 390, "height": 844}
TABLET = {"width": 768, "height": 1024}
DESKTOP = {"width": 1280, "height": 900}
# axe rules switched off, each with its reason. Empty: every serious/critical finding is fixed.
AXE_DISABLED: dict[str, str] = {}

pytestmark = pytest.mark.browser


def _goto(page, site_url: str, page_path: str) -> None:
    page.goto(f"{site_url}/{page_path}", wait_until="load")
    if page_path == "index.html":  # the site root redirects to the first chapter
        page.wait_for_url(f"{site_url}/chapters/00_question.html", wait_until="load")


def _open(browser, site_url: str, page_path: str, viewport: dict, scheme: str = "light"):
    page = browser.new_page()
    page.set_viewport_size(viewport)
    page.emulate_media(color_scheme=scheme)
    _goto(page, site_url, page_path)
    _settle(page)
    return page


def _settle(page) -> None:
    """Wait (at most 2 s) until the page's finite CSS transitions and animations have finished.

    axe judges the colours of the moment it runs; a fade still running just after load is not
    what a reader sees. Infinite animations (spinners) are not waited for.
    """
    page.evaluate(
        """() => Promise.race([
            Promise.all(document.getAnimations()
                .filter((a) => a.effect && a.effect.getTiming().iterations !== Infinity)
                .map((a) => a.finished.catch(() => null))),
            new Promise((resolve) => setTimeout(resolve, 2000)),
        ])"""
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", ["desktop", "phone"])
@pytest.mark.parametrize("page_path", PAGES)
def test_axe_core(page_path: str, size: str, scheme: str, site_url: str, browser) -> None:
    if not AXE.exists():
        pytest.fail(f"{AXE} missing: run `bash .ci/node-setup`")
    page = _open(browser, site_url, page_path, PHONE if size == "phone" else DESKTOP, scheme)
    try:
        page.add_script_tag(path=str(AXE))
        options = {
            "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
            "rules": {rule: {"enabled": False} for rule in AXE_DISABLED},
        }
        run = f"async () => await axe.run(document, {json.dumps(options)})"
        result = page.evaluate(run)
        if any(v["id"] == "color-contrast" for v in result["violations"]):
            # Twice in CI axe saw the sidebar search field in a state we could not reproduce
            # (light mode 2.8:1; dark mode text #aeb6be on #585e68, 3.2:1). A real contrast
            # failure persists: look again after 0.5 s and judge that page state.
            page.wait_for_timeout(500)
            result = page.evaluate(run)
    finally:
        page.close()
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} — e.g. {v['nodes'][0]['target']} "
        f"{v['nodes'][0].get('failureSummary', '')[:160]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == [], f"{page_path} {size} {scheme}:\n" + "\n".join(bad)


@pytest.mark.parametrize("viewport", [PHONE, TABLET], ids=["390px", "768px"])
def test_navigation_drawers_open(viewport: dict, site_url: str, browser) -> None:
    page = _open(browser, site_url, "chapters/03_linear_networks.html", viewport)
    try:
        # pydata-sphinx-theme moves a sidebar's content into a <dialog> drawer when it opens
        for toggle, drawer in (
            ("button.primary-toggle", "#pst-primary-sidebar-modal"),
            ("button.secondary-toggle", "#pst-secondary-sidebar-modal"),
        ):
            assert not page.locator(f"{drawer}[open]").count(), f"{drawer} open before the tap"
            page.locator(f"{toggle}:visible").first.click()
            page.wait_for_timeout(400)
            dialog = page.locator(f"{drawer}[open]")
            assert dialog.count() == 1, f"tapping {toggle} did not open {drawer}"
            box = dialog.bounding_box()
            assert box["x"] >= -1, f"{drawer} is off screen: {box}"
            assert box["x"] + box["width"] <= viewport["width"] + 1, f"{drawer}: {box}"
            assert dialog.locator("a").first.is_visible(), f"{drawer} shows no links"
            page.keyboard.press("Escape")
            page.wait_for_timeout(300)
        # the launch (Binder/Colab) and repository buttons survive the navbar fix
        assert page.locator(".dropdown-launch-buttons, [class*=launch]").count() >= 1
        assert page.locator("a[href*='github.com']").count() >= 1
        # one search box in the header area, not two
        assert page.locator("header .search-button-field").count() == 0
    finally:
        page.close()


def _visible_text_without_code(page) -> str:
    return page.evaluate(
        """() => {
          const main = document.querySelector('main') || document.body;
          const copy = main.cloneNode(true);
          copy.querySelectorAll('pre, code, .highlight, .katex-mathml, script, style')
              .forEach(e => e.remove());
          return copy.textContent;
        }"""
    )


RAW_TEX = ("\\(", "\\[", "$$", "\\frac", "\\delta", "\\sigma", "\\mathsf", "^{(", "_{")


@pytest.mark.parametrize("page_path", PAGES)
def test_no_raw_tex_without_javascript(page_path: str, site_url: str, nojs_context) -> None:
    page = nojs_context.new_page()
    page.set_default_timeout(30_000)
    try:
        _goto(page, site_url, page_path)
        # the page's own scripts did not run: the theme's would have set data-mode on <html>
        assert page.evaluate("() => document.documentElement.dataset.mode || ''") == ""
        text = _visible_text_without_code(page)
    finally:
        page.close()
    found = [t for t in RAW_TEX if t in text]
    assert found == [], f"raw TeX {found} in the visible text of {page_path} before any script"


def test_search_snippets_show_no_raw_tex(site_url: str, browser) -> None:
    page = _open(browser, site_url, "search.html?q=recurrence", DESKTOP)
    try:
        page.wait_for_selector("#search-results li p.context", timeout=30_000)
        snippets = page.locator("#search-results li p.context").all_inner_texts()
    finally:
        page.close()
    assert snippets, "no search snippets"
    bad = [s for s in snippets if any(t in s for t in RAW_TEX)]
    assert bad == [], f"raw TeX in search snippets: {bad[:3]}"


TAB_COUNTS: dict[str, int] = {}


@pytest.mark.parametrize("page_path", CHAPTERS)
def test_keyboard(page_path: str, site_url: str, browser) -> None:
    page = _open(browser, site_url, page_path, DESKTOP)
    try:
        focusable_math = page.evaluate(
            """() => [...document.querySelectorAll('.math, .katex, .katex *')].filter(e =>
                  e.tabIndex >= 0 && !(e.classList.contains('katex-display') &&
                  e.scrollWidth > e.clientWidth + 4)).length"""
        )
        assert focusable_math == 0, f"{focusable_math} formulas are Tab stops"
        page.keyboard.press("Tab")
        first = page.evaluate(
            "() => [document.activeElement.tagName, document.activeElement.getAttribute('href')]"
        )
        assert first[0] == "A", f"the first Tab stop is not a link: {first}"
        assert (first[1] or "").startswith("#"), f"no skip link: {first}"
        target = first[1][1:]
        assert page.locator(f"[id='{target}']").count() == 1, "the skip link's target is missing"
        n_sliders = page.locator("figure.bp-scrubber input[type=range]").count()
        page.evaluate("() => document.activeElement.blur()")
        page.evaluate("() => window.scrollTo(0, 0)")
        reached, presses = [], 0
        while len(reached) < n_sliders and presses < 3000:  # bounded
            page.keyboard.press("Tab")
            presses += 1
            slider_id = page.evaluate(
                "() => document.activeElement.matches('figure.bp-scrubber input[type=range]')"
                " ? document.activeElement.id : null"
            )
            if slider_id and slider_id not in [r[0] for r in reached]:
                reached.append((slider_id, presses))
                before = page.evaluate("() => document.activeElement.value")
                page.keyboard.press("ArrowLeft" if before != "0" else "ArrowRight")
                after = page.evaluate("() => document.activeElement.value")
                assert after != before, f"arrow keys do not move {slider_id}"
        assert len(reached) == n_sliders, f"sliders reached with Tab: {reached} of {n_sliders}"
        if reached:
            TAB_COUNTS[page_path] = reached[0][1]
            print(f"\n{page_path}: {reached[0][1]} Tab presses to the first slider; all: {reached}")
    finally:
        page.close()


@pytest.mark.parametrize("page_path", PAGES)
def test_nothing_wider_than_a_phone(page_path: str, site_url: str, browser) -> None:
    page = _open(browser, site_url, page_path, PHONE)
    try:
        width = page.evaluate("() => document.documentElement.scrollWidth")
        sticking_out = page.evaluate(
            """() => {
              const vw = document.documentElement.clientWidth, out = [];
              const inScroller = e => { for (let p = e.parentElement; p; p = p.parentElement) {
                  const s = getComputedStyle(p);
                  if (['auto', 'scroll', 'hidden', 'clip'].includes(s.overflowX)) return true; }
                return false; };
              for (const e of document.querySelectorAll('.bd-article *')) {
                const r = e.getBoundingClientRect();
                if (r.width > 0 && r.right > vw + 1 && !inScroller(e))
                  out.push(e.tagName + '.' + e.className + ' ' + Math.round(r.right));
              }
              return out.slice(0, 5);
            }"""
        )
    finally:
        page.close()
    assert width <= PHONE["width"], f"{page_path} scrolls sideways: document {width} px wide"
    assert sticking_out == [], f"{page_path}: wider than the viewport: {sticking_out}"


@pytest.mark.parametrize("page_path", CHAPTERS)
def test_print(page_path: str, site_url: str, browser) -> None:
    page = _open(browser, site_url, page_path, {"width": 794, "height": 1123})  # A4 at 96 dpi
    try:
        page.emulate_media(media="print")
        result = page.evaluate(
            """() => {
              // cut off: content reaching past the printable width (A4 less the margins the
              // browser uses), or scrolled away inside a box (a few px of KaTeX struts allowed)
              const right = document.documentElement.clientWidth;
              const cut = [...document.querySelectorAll('.katex-display, pre')]
                .filter(e => e.scrollWidth > e.clientWidth + 4 ||
                             e.getBoundingClientRect().left + e.scrollWidth > right + 1)
                .map(e => e.tagName + ' ' + e.textContent.slice(0, 50));
              const shown = [...document.querySelectorAll(
                  '.bp-scrubber-controls, .bp-scrubber-hint, .copybtn')]
                .filter(e => getComputedStyle(e).display !== 'none').length;
              return {cut, shown};
            }"""
        )
        pdf = page.pdf(format="A4", print_background=True)
    finally:
        page.close()
    assert result["shown"] == 0, "slider controls or copy buttons would be printed"
    assert result["cut"] == [], f"cut off on paper: {result['cut'][:3]}"
    assert pdf[:4] == b"%PDF"
    assert len(pdf) > 10_000
    out = ROOT / "_build" / "print"
    out.mkdir(parents=True, exist_ok=True)
    (out / (page_path.replace("/", "__").replace(".html", ".pdf"))).write_bytes(pdf)
