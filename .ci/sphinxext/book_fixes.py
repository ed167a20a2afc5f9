"""Small fixes to the Jupyter Book 1.x toolchain, each named and explained.

Loaded through ``sphinx.local_extensions`` in ``_config.yml``. The browser and static tests
(tests/test_site.py, tests/test_site_a11y.py) fail if any of the problems comes back.

1. sphinx-thebe is always loaded by Jupyter Book 1.x. With ``launch_buttons.thebe: false`` it
   still adds an inline ``const THEBE_JS_URL = "<CDN URL>"`` script, and adds it twice per page,
   so every page logs "Identifier 'THEBE_JS_URL' has already been declared". Live code runs on
   Binder instead, so its scripts are dropped.
2. myst-nb embeds the notebook's ipywidgets *state* in every page that has a widget. Without
   the widget JavaScript (which would come from a CDN) that state is dead weight with random
   model ids; the website shows the static scrubbers instead, so the state is dropped.
3. sphinx-external-toc writes the site's ``index.html`` as a bare ``<meta http-equiv=Refresh>``
   line (no doctype, title or icon), so a browser opening the site root asks for
   ``/favicon.ico`` and logs a 404. It only writes that file when it is missing, so this
   extension writes a complete redirect page first.
4. The book's own stylesheet and script (``static/bp-book.css``, ``static/bp-book.js``): AA
   link contrast inside theorem/exercise/tip boxes, math that breaks or scrolls with a visible
   cue, the interactive figures' card (readable in dark mode too), print rules.
5. Interactive-figure frames (``bpcore.widgets.Scrubber``) arrive as PNG data URIs inside the
   notebook's HTML output. Each becomes a file ``_images/bp-frames/<hash>.png``, so a page
   carries only links: the browser loads the frame it shows (lazily) and caches the rest.
6. Font Awesome's 1.4 MB script (it swaps ~15 ``<i class="fa-…">`` icons for SVG) is replaced by
   ``_static/bp-icons.css``: the same icons' SVG paths, taken from that script at build time, as
   CSS masks (a few KB). Icons are decorative (``aria-hidden``); their buttons keep their labels.
7. The search scripts and index (``searchtools.js``, ``language_data.js``, ``searchindex.js``)
   are loaded by the theme on every page but used only by ``search.html``: dropped elsewhere.
8. Markup a screen reader meets, fixed at the source of the HTML:
   * the sidebar search button's ``aria-label="Search"`` hides its visible text "Search Ctrl+K"
     (axe: label-content-name-mismatch): the label is dropped, the visible text names it;
   * the theme switch's icons carry ``title`` texts that differ from the button's label: dropped;
   * the bibliography uses the deprecated ``role="doc-biblioentry"`` inside ``role="list"``
     (axe: aria-required-children, aria-deprecated-role): its entries become ``listitem``;
   * sphinx-proof and sphinx-exercise write the same ``id`` (``proof``, ``proof-content``,
     ``exercise-content``, ``solution-content``) on every box, which breaks ``#`` links to them:
     each gets a unique suffix (nothing references these ids).
9. Every page gets a ``<meta name="description">``: its first paragraph as plain text.
11. The theme's stylesheet still draws a few icons (admonition titles, dropdown arrows) with
    Font Awesome's webfonts: 430 kB of WOFF2 for a dozen glyphs. The fonts are cut down
    (fontTools, from the shipped .ttf) to the code points that any stylesheet of the site names,
    saved as WOFF, and the theme's ``@font-face`` rules point at them. (The ``<i class="fa-…">``
    icons are CSS masks, fix 6, and do not draw Font Awesome glyphs.)
10. Figures are stored as 2× PNGs (sharp on high-density screens; ``bpcore.plotting``). Plots are
    lines and flat colours, so each PNG is re-encoded with a 256-colour palette (on white, no
    dithering) when that saves at least a fifth: about three times smaller, visually the same.
12. sphinx-proof's Proof Index (``prf-prf.html``) shows every result by its label twice
    (``thm-nonlinear-mobius``); it shows "Theorem 4.1" and the result's title instead, both taken
    from the result's box on its chapter page.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "static"
FRAMES_DIR = "_images/bp-frames"
_DATA_PNG = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=]+)")


def _unwanted(script: Any) -> bool:
    attributes = getattr(script, "attributes", {}) or {}
    body = attributes.get("body", "") or ""
    filename = getattr(script, "filename", None) or str(script)
    return (
        "THEBE_JS_URL" in body
        or "sphinx-thebe.js" in (filename or "")
        or attributes.get("type") == "application/vnd.jupyter.widget-state+json"
    )


def _drop_scripts(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    if "script_files" in context:
        context["script_files"] = [s for s in context["script_files"] if not _unwanted(s)]


def _describe_page(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    # fix 9: a <meta name="description"> (search engines, link previews): the page's first
    # paragraph as plain text (math included as its TeX-free HTML text), else the book's title.
    body = context.get("body") or ""
    first = re.search(r"<p>(.*?)</p>", body, re.S)
    text = (
        re.sub(
            r'<span class="katex-mathml">.*?</span>(?=<span class="katex-html")',
            "",
            first[1],
            flags=re.S,
        )
        if first
        else ""
    )
    text = re.sub(r"<[^>]+>", "", text)
    text = html.unescape(re.sub(r"\s+", " ", text)).strip() or (app.config.html_title or "")
    if len(text) > 160:
        text = text[:157].rsplit(" ", 1)[0] + "…"
    context["metatags"] = (
        context.get("metatags", "") + f'<meta name="description" content="{html.escape(text)}">'
    )


def _write_index(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.name != "html" or app.config.root_doc == "index":
        return
    target = f"{app.config.root_doc}.html"
    icon = Path(app.config.html_favicon or "").name
    icon_link = f'<link rel="icon" href="_static/{icon}">' if icon else ""
    title = html.escape(app.config.html_title or app.config.project)
    (Path(app.outdir) / "index.html").write_text(
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f"<title>{title}</title>{icon_link}"
        f'<meta http-equiv="Refresh" content="0; url={target}">'
        f'</head><body><p><a href="{target}">{title}</a></p></body></html>\n',
        encoding="utf-8",
    )


def _add_static(app: Sphinx, config: Any) -> None:
    config.html_static_path = [*config.html_static_path, str(STATIC)]


def _extract_frames(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Move the interactive figures' PNG frames out of the page into files (fix 5)."""
    if app.builder.format != "html":
        return
    prefix = "../" * docname.count("/")
    target = Path(app.outdir) / FRAMES_DIR
    for raw in list(doctree.findall(nodes.raw)):
        text = raw.astext()
        if "bp-scrubber" not in text or "data:image/png" not in text:
            continue

        def to_file(match: re.Match[str]) -> str:
            png = base64.b64decode(match[1])
            name = hashlib.sha256(png).hexdigest()[:20] + ".png"
            target.mkdir(parents=True, exist_ok=True)
            path = target / name
            if not path.exists():
                path.write_bytes(png)
            return f"{prefix}{FRAMES_DIR}/{name}"

        text = _DATA_PNG.sub(to_file, text)
        text = text.replace(' decoding="async">', ' decoding="async" loading="lazy">', 1)
        new = nodes.raw(text, text, format=raw["format"])
        new.source, new.line = raw.source, raw.line
        raw.replace_self(new)


# --- fix 6: Font Awesome icons as CSS masks -------------------------------------------------
_FA_STYLES = {"fa-solid": "fas", "fas": "fas", "fa-brands": "fab", "fab": "fab",
              "fa-regular": "far", "far": "far"}  # fmt: skip
_FA_BLOCK = re.compile(r'd\("(fa[bsr])",p\)')
_ICON_CLASS = re.compile(r'<(?:i|span) class="([^"]*\bfa-[^"]*)"')
# Icons the theme's scripts insert at run time (not in the HTML the build writes).
_RUNTIME_ICONS = {("fas", "xmark")}


def _icon_table(fontawesome_js: str) -> dict[tuple[str, str], tuple[int, int, str]]:
    """(style, name) → (width, height, SVG path) for every icon in Font Awesome's script."""
    table: dict[tuple[str, str], tuple[int, int, str]] = {}
    start = 0
    for block in _FA_BLOCK.finditer(fontawesome_js):  # each style's icons precede its d("fa?",p)
        chunk = fontawesome_js[start : block.start()]
        start = block.end()
        for m in re.finditer(
            r'(?:"([a-z0-9-]+)"|\b([a-z][a-z0-9]*)):\[(\d+),(\d+),\[[^\]]*\],"[0-9a-f]*","(M[^"]+)"\]',
            chunk,
        ):
            table.setdefault((block[1], m[1] or m[2]), (int(m[3]), int(m[4]), m[5]))
    return table


def _used_icons(pages: list[str]) -> set[tuple[str, str]]:
    used = set(_RUNTIME_ICONS)
    for page in pages:
        for classes in _ICON_CLASS.findall(page):
            words = classes.split()
            style = next((_FA_STYLES[w] for w in words if w in _FA_STYLES), "fas")
            for w in words:
                if w.startswith("fa-") and w not in _FA_STYLES and w not in {"fa-lg", "fa-fw"}:
                    used.add((style, w[3:]))
    return used


def _icons_css(table: dict, used: set[tuple[str, str]]) -> str:
    rules = [
        "/* Font Awesome icons used by this site, as CSS masks (generated by book_fixes.py). */",
        ":is(.fa-solid,.fas,.fa-brands,.fab,.fa-regular,.far){display:inline-block;"
        "width:1.25em;height:1em;vertical-align:-.125em;background-color:currentColor;"
        "-webkit-mask:var(--bp-icon) center/contain no-repeat;"
        "mask:var(--bp-icon) center/contain no-repeat}",
        ".fa-lg{font-size:1.25em;line-height:.05em;vertical-align:-.075em}",
        # the icon is the mask; Font Awesome's own glyph (its ::before) is not drawn
        ":is(.fa-solid,.fas,.fa-brands,.fab,.fa-regular,.far)::before{content:none!important}",
    ]
    selectors = {"fas": ".fa-solid,.fas", "fab": ".fa-brands,.fab", "far": ".fa-regular,.far"}
    for style, name in sorted(used):
        if (style, name) not in table:
            raise RuntimeError(f"icon fa-{name} ({style}) is not in Font Awesome's script")
        w, h, path = table[(style, name)]
        svg = (
            f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {w} {h}'>"
            f"<path d='{path}'/></svg>"
        )
        sel = ",".join(f"{s}.fa-{name}" for s in selectors[style].split(","))
        rules.append(f':is({sel}){{--bp-icon:url("data:image/svg+xml,{quote(svg)}")}}')
    return "\n".join(rules) + "\n"


# --- fixes 6-8 on the written pages ---------------------------------------------------------
_FA_SCRIPT = re.compile(r'<script defer src="[^"]*fontawesome\.js[^"]*"></script>\s*')
_SEARCH_SCRIPTS = re.compile(
    r'<script src="[^"]*(?:searchtools|language_data)\.js"></script>\s*'
    r'|<script src="[^"]*searchindex\.js"></script>\s*'
)
_DUP_IDS = ("proof", "proof-content", "exercise-content", "solution-content")


def _fix_page(page: str, is_search: bool) -> str:
    page = _FA_SCRIPT.sub("", page)
    if not is_search:
        page = _SEARCH_SCRIPTS.sub("", page)
    page = re.sub(
        r'<(i|span) class="([^"]*\b(?:fa-solid|fa-brands|fa-regular|fas|fab|far)\b[^"]*)"',
        r'<\1 aria-hidden="true" class="\2"',
        page,
    )
    page = re.sub(
        r'(<i aria-hidden="true" class="theme-switch[^"]*"[^>]*?)\s+title="[^"]*"', r"\1", page
    )
    page = page.replace(
        '<button class="btn search-button-field search-button__button pst-js-only" '
        'title="Search" aria-label="Search"',
        '<button class="btn search-button-field search-button__button pst-js-only"',
    )
    page = page.replace('role="doc-biblioentry"', 'role="listitem"')
    for ident in _DUP_IDS:
        counter = iter(range(1, 10**6))
        page = re.sub(f'id="{ident}"', lambda _m, i=ident, c=counter: f'id="{i}-{next(c)}"', page)
    return page


def _post_process(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    out = Path(app.outdir)
    paths = sorted(out.rglob("*.html"))
    pages = {p: p.read_text(encoding="utf-8") for p in paths}
    fa_js = out / "_static" / "scripts" / "fontawesome.js"
    if fa_js.exists():
        table = _icon_table(fa_js.read_text(encoding="utf-8"))
        if len(table) < 1000:
            raise RuntimeError("could not read Font Awesome's icon table; update book_fixes.py")
        css = _icons_css(table, _used_icons(list(pages.values())))
        (out / "_static" / "bp-icons.css").write_text(css, encoding="utf-8")
        fa_js.unlink()
    _name_proofs(out, pages)
    for path, page in pages.items():
        fixed = _fix_page(page, is_search=path.name == "search.html")
        if fixed != page:
            path.write_text(fixed, encoding="utf-8")
    frames = list((out / FRAMES_DIR).glob("*.png"))
    before, after = _palette_pngs(out / "_images")
    _subset_icon_fonts(out / "_static")
    logger.info(
        "book_fixes: %d pages fixed, %d figure frames as files, figures %d kB -> %d kB",
        len(pages), len(frames), before // 1000, after // 1000,
    )  # fmt: skip


_PROOF_TITLE = re.compile(
    r'<div class="proof [^"]*" id="([^"]+)">\s*<p class="admonition-title">(.*?)</p>', re.S
)
_INDEX_ENTRY = re.compile(r'<strong>([^<]+)</strong>|<code class="xref">([^<]+)</code>')


def _name_proofs(out: Path, pages: dict[Path, str]) -> None:
    """Fix 12: the Proof Index lists "Theorem 4.1" and its title, not bare labels like thm-x-y.

    sphinx-proof's index page shows each result's label twice (group caption and link text).
    The caption becomes the number ("Theorem 4.1") and the link text the title, both taken from
    the result's own box on its chapter page; a label without a box is left as it is.
    """
    index = out / "prf-prf.html"
    if index not in pages:
        return
    titles: dict[str, tuple[str, str]] = {}
    for page in pages.values():
        for label, title in _PROOF_TITLE.findall(page):
            number = re.search(r'<span class="caption-number">(.*?)</span>', title)
            rest = re.sub(r'<span class="caption-number">.*?</span>', "", title).strip()
            rest = rest[1:-1] if rest.startswith("(") and rest.endswith(")") else rest
            titles[label] = (number.group(1).strip() if number else label, rest or label)

    def name(match: re.Match[str]) -> str:
        caption, link = match.groups()
        if caption is not None:
            return f"<strong>{titles[caption][0]}</strong>" if caption in titles else match[0]
        return f'<span class="xref">{titles[link][1]}</span>' if link in titles else match[0]

    pages[index] = _INDEX_ENTRY.sub(name, pages[index])
    index.write_text(pages[index], encoding="utf-8")


_CSS_CODEPOINT = re.compile(r'"\\([ef][0-9a-f]{3})"')
_PST_ICON = re.compile(r'--pst-icon-[a-z-]+:"(.)"')
_FA_FONTS = ("fa-solid-900", "fa-regular-400", "fa-brands-400")


def _subset_icon_fonts(static: Path) -> None:
    """Fix 11: Font Awesome's webfonts cut to the glyphs the site's stylesheets name."""
    from fontTools import subset

    fonts = static / "vendor" / "fontawesome" / "webfonts"
    theme_css = static / "styles" / "pydata-sphinx-theme.css"
    if not fonts.is_dir() or not theme_css.exists():
        raise RuntimeError("the theme's Font Awesome files moved; update book_fixes.py fix 11")
    # The glyphs drawn from CSS: the theme's --pst-icon-* variables (literal characters; the
    # rest of its stylesheet is Font Awesome's class catalogue, which bp-icons.css replaces),
    # and the escapes in the other stylesheets (sphinx-book-theme, sphinx-exercise, ...).
    codepoints = {ord(m[1]) for m in _PST_ICON.finditer(theme_css.read_text(encoding="utf-8"))}
    for sheet in static.rglob("*.css"):
        if sheet != theme_css:
            text = sheet.read_text(encoding="utf-8", errors="replace")
            codepoints |= {int(m[1], 16) for m in _CSS_CODEPOINT.finditer(text)}
    css = theme_css.read_text(encoding="utf-8")
    for name in _FA_FONTS:
        options = subset.Options()
        options.flavor = "woff"
        options.layout_features = []
        options.name_IDs = []
        font = subset.load_font(str(fonts / f"{name}.ttf"), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=sorted(codepoints))
        subsetter.subset(font)
        subset.save_font(font, str(fonts / f"{name}.subset.woff"), options)
        old = f'url(../vendor/fontawesome/webfonts/{name}.woff2) format("woff2"),'
        old += f'url(../vendor/fontawesome/webfonts/{name}.ttf) format("truetype")'
        if old not in css:
            raise RuntimeError(f"@font-face of {name} changed; update book_fixes.py fix 11")
        css = css.replace(
            old, f'url(../vendor/fontawesome/webfonts/{name}.subset.woff) format("woff")'
        )
        (fonts / f"{name}.woff2").unlink()
    theme_css.write_text(css, encoding="utf-8")


def _palette_pngs(folder: Path) -> tuple[int, int]:
    """Fix 10: re-encode every PNG under ``folder`` with a 256-colour palette if that saves
    ≥ 20 %. Returns the total bytes before and after."""
    import io

    from PIL import Image

    before = after = 0
    for path in sorted(folder.rglob("*.png")):
        data = path.read_bytes()
        before += len(data)
        with Image.open(io.BytesIO(data)) as image:
            rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        flat = Image.alpha_composite(white, rgba).convert("RGB")
        palette = flat.quantize(
            colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        )
        buffer = io.BytesIO()
        palette.save(buffer, format="PNG", optimize=True)
        if len(buffer.getvalue()) <= 0.8 * len(data):
            data = buffer.getvalue()
            path.write_bytes(data)
        after += len(data)
    return before, after


def setup(app: Sphinx) -> dict[str, Any]:
    # priority 900: after myst-nb and sphinx-thebe have added their scripts (default 500)
    app.connect("html-page-context", _drop_scripts, priority=900)
    app.connect("html-page-context", _describe_page)
    # priority 400: before sphinx-external-toc's own redirect writer (default 500)
    app.connect("build-finished", _write_index, priority=400)
    app.connect("config-inited", _add_static)
    app.connect("doctree-resolved", _extract_frames)
    # priority 600: after the redirect page and the other extensions' build-finished steps
    app.connect("build-finished", _post_process, priority=600)
    app.add_css_file("bp-book.css")
    app.add_css_file("bp-icons.css")
    app.add_js_file("bp-book.js", loading_method="defer")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
