"""The PDF edition of the book: what Sphinx's LaTeX builder needs beyond Jupyter Book's defaults.

Loaded through ``sphinx.local_extensions`` in ``_config.yml`` for every build. Fixes 1-6 act
only when the builder is ``latex`` (``bash .ci/pdf``); on the website (fix 7) the extension only
adds the links to the PDF. The PDF is built from the same executed notebooks as the website
(the execution cache); ``tests/test_pdf.py`` checks the result.

1. sphinx-jupyterbook-latex's document class ``jupyterBook.cls`` loads ``bbm`` (for its
   ``\\RR``-style macros, which the book never uses); in Debian that package comes only with
   texlive-fonts-extra (1.4 GB). The copied class loads ``bbm`` no more, and ``\\mathbbm`` is
   ``\\mathbb``.
2. Interactive figures (``bpcore.widgets.Explorer.show``) reach Sphinx as a bundle of a live
   widget view (no kernel in a PDF), the static scrubber (HTML) and a text repr. In the PDF each
   becomes a numbered figure: the scrubber's default frame (PNG), its caption (math typeset),
   and a sentence naming the control, its values and the page of the website edition that has
   the slider. Runs before myst-nb's mime-type selection, which would otherwise pick the repr.
3. The book's structure as the website shows it. sphinx-jupyterbook-latex turns the landing page
   (the root document, chapter 0) into front matter with no heading: it becomes an unnumbered
   chapter with its title, in the table of contents and the bookmarks. The toc captions
   ("Part I — Where closed forms come from") become LaTeX parts, which number themselves, so
   the "Part I — " prefix is dropped; a part the toc does not number (the back matter) and its
   chapters (the bibliography) are unnumbered. Results and figures are numbered per chapter,
   as on the website ("Theorem 4.1", not the "4.1.1" that sphinx-jupyterbook-latex's section
   depth would give); sphinx-proof's label index is left out (it lists bare labels); a
   reference to an exercise of another chapter points at the exercise's LaTeX label.
4. Tables: Sphinx's ``tabulary`` squeezes columns that hold math into a few letters; in the
   PDF every table gets explicit column widths in proportion to its longest cell text, and a
   table of more than five rows may break across pages.
5. Characters in code and outputs that the code font (DejaVu Sans Mono) lacks, such as the
   script letters 𝒥 and 𝒩, are drawn from the text font (FreeSerif), which has them; each one
   found in the book's code blocks becomes a ``newunicodechar`` (XeTeX has no font fallback).
6. Math as the website shows it: the website (``katex_prerender``) typesets unstarred amsmath
   environments unnumbered, as MathJax did; so does the PDF (``align`` becomes ``align*``).
   The site defines no KaTeX macros, so the PDF defines none either.
7. The website links the PDF, served from the site itself (``.ci/run`` copies it to
   ``_build/html/`` + :data:`PDF_NAME`): an entry "PDF of the whole book" in the theme's download
   menu on every page, and one sentence under the first paragraph of the landing page.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import re
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

logger = logging.getLogger(__name__)

FRAMES_DIR = "bp-frames"
#: The PDF's file name: ``_build/latex/`` (LaTeX builder) and the website's root (``.ci/run``).
PDF_NAME = "closed-forms-for-backprop.pdf"
_NUMBERED_ENV = re.compile(r"\\(begin|end)\{(align|equation|gather|multline|alignat)\}")
_SCRUBBER = re.compile(r'<figure class="bp-scrubber" id="bp-scrub-([a-z0-9-]+)" data-frames="')
_DEFAULT_IMG = re.compile(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"')
_LABEL = re.compile(r'<label for="[^"]*">(.*?)</label>', re.S)
_CURRENT = re.compile(r"<output [^>]*>(.*?)</output>", re.S)
_CAPTION = re.compile(r'<figcaption>(.*?)\s*<span class="bp-scrubber-hint">', re.S)
_VALUES = re.compile(r'data-frames="([^"]*)"')
_MATH_SPAN = re.compile(r'<span class="bp-math">(.*?)</span>', re.S)


def _is_latex(app: Sphinx) -> bool:
    return app.builder is not None and app.builder.name == "latex"


def _patch_class(app: Sphinx) -> None:
    """Fix 1: jupyterBook.cls without ``bbm`` (runs after sphinx-jupyterbook-latex copied it)."""
    if not _is_latex(app):
        return
    cls = Path(app.outdir) / "jupyterBook.cls"
    if not cls.exists():
        raise RuntimeError(
            "sphinx-jupyterbook-latex did not copy jupyterBook.cls; update pdf_edition"
        )
    text = cls.read_text(encoding="utf-8")
    if r"\RequirePackage{bbm}" in text:
        text = text.replace(
            r"\RequirePackage{bbm}", r"\providecommand{\mathbbm}[1]{\mathbb{#1}}", 1
        )
        cls.write_text(text, encoding="utf-8")


def _configure(app: Sphinx) -> None:
    """Fix 3: numbering by chapter (after sphinx-jupyterbook-latex set its own depth)."""
    if not _is_latex(app):
        return
    app.config.numfig_secnum_depth = 1


def _inline(markup: str) -> list[nodes.Node]:
    """Text nodes and math nodes for the scrubber's HTML (escaped text and bp-math spans)."""
    out: list[nodes.Node] = []
    pos = 0
    for m in _MATH_SPAN.finditer(markup):
        if m.start() > pos:
            out.append(nodes.Text(html.unescape(re.sub(r"<[^>]+>", "", markup[pos : m.start()]))))
        tex = html.unescape(m[1])
        out.append(nodes.math(tex, tex))
        pos = m.end()
    if pos < len(markup):
        out.append(nodes.Text(html.unescape(re.sub(r"<[^>]+>", "", markup[pos:]))))
    return out


class InteractiveFigures(SphinxPostTransform):
    """Fix 2: an interactive figure's output bundle becomes its default frame as a figure."""

    default_priority = 3  # before myst-nb's SelectMimeType (4)
    builders = ("latex",)

    def run(self, **kwargs: Any) -> None:
        import json

        outdir = Path(self.app.outdir) / FRAMES_DIR
        # The LaTeX builder assembles one document, each chapter inside a start_of_file node
        # (whose children keep their old parent pointers: search downwards, innermost last).
        chapter_of: dict[int, str] = {}
        for part in self.document.findall(addnodes.start_of_file):
            for node in part.findall(nodes.container):
                chapter_of[id(node)] = part["docname"]
        for bundle in list(self.document.findall(nodes.container)):
            if bundle.get("nb_element") != "mime_bundle":
                continue
            scrubber = next(
                (
                    child.astext()
                    for child in bundle.children
                    if child.get("mime_type") == "text/html" and _SCRUBBER.search(child.astext())
                ),
                None,
            )
            if scrubber is None:
                continue
            name = _SCRUBBER.search(scrubber)[1]
            png_match, label, current = (
                _DEFAULT_IMG.search(scrubber),
                _LABEL.search(scrubber),
                _CURRENT.search(scrubber),
            )
            caption_match, values_match = _CAPTION.search(scrubber), _VALUES.search(scrubber)
            if not (png_match and label and current and caption_match and values_match):
                raise RuntimeError(
                    f"the scrubber HTML of {name!r} changed (bpcore/widgets/explorer.py); "
                    "update .ci/sphinxext/pdf_edition.py"
                )
            png = base64.b64decode(png_match[1])
            outdir.mkdir(parents=True, exist_ok=True)
            filename = f"{FRAMES_DIR}/{hashlib.sha256(png).hexdigest()[:20]}.png"
            (Path(self.app.outdir) / filename).write_bytes(png)
            values = json.loads(html.unescape(values_match[1]))["value"]
            docname = chapter_of.get(id(bundle), self.env.docname)
            page = f"{docname}.html"

            image = nodes.image(uri=filename, candidates={"*": filename})
            image["width"] = "80%"
            caption = nodes.caption("", "", *_inline(caption_match[1]))
            shown = html.unescape(current[1])
            pointer = nodes.paragraph(
                "",
                "",
                nodes.emphasis(
                    "",
                    "",
                    nodes.Text("Interactive figure: this is its default frame, "),
                    *_inline(label[1]),
                    nodes.Text(f" = {shown}. The website edition (page {page}) has a slider "),
                    nodes.Text("over "),
                    *_inline(label[1]),
                    nodes.Text(f" = {', '.join(values)}; the notebook has the live version."),
                ),
            )
            figure = nodes.figure("", image, caption, classes=["bp-interactive"])
            figure["ids"] = [f"bp-interactive-{name}"]
            figure["align"] = "center"
            legend = nodes.legend("", pointer)
            figure += legend
            bundle.replace_self(figure)


_PART_PREFIX = re.compile(r"^Part [IVXLC]+ — ")


class KeepBoxedContent(SphinxPostTransform):
    """Fix 3: the landing page's theorem and exercise boxes keep their content.

    sphinx-jupyterbook-latex flattens the root document's sections (priority 700) and moves
    their children to the end of the top section; sphinx-proof and sphinx-exercise keep a box's
    content in a section node, so on the landing page the statement of every result left its
    box (empty) for the end of the chapter. Only sections directly inside a section are
    flattened now.
    """

    default_priority = 650
    builders = ("latex",)

    def run(self, **kwargs: Any) -> None:
        for section in self.document.findall(nodes.section):
            if "header_level" in section and not isinstance(
                section.parent, nodes.section | nodes.document
            ):
                del section["header_level"]


class BookStructure(SphinxPostTransform):
    """Fixes 3 and 4 on the assembled LaTeX document (after sphinx-jupyterbook-latex's 700)."""

    default_priority = 800
    builders = ("latex",)

    def run(self, **kwargs: Any) -> None:
        root = self.app.config.root_doc
        if self.app.project.path2doc(self.document["source"]) != root:
            return
        # the landing page: an unnumbered chapter with its title (ToC entry and bookmark)
        top = next(
            (s for s in self.document.findall(nodes.section) if s.get("docname") == root), None
        )
        if top is None:
            raise RuntimeError("the root document has no top-level section; update pdf_edition")
        title = self.env.titles[root].astext()
        esc = _latex_escape(title)
        # and its labels: the root document's title is not written as a heading, so another
        # chapter's reference to this chapter's label would be undefined
        labels = "".join(rf"\label{{\detokenize{{{root}:{i}}}}}" for i in top.get("ids", []))
        raw = nodes.raw(
            "",
            rf"\chapter*{{{esc}}}\addcontentsline{{toc}}{{chapter}}{{{esc}}}"
            rf"\markboth{{{esc}}}{{{esc}}}{labels}" + "\n",
            format="latex",
        )
        titles = [i for i, child in enumerate(top.children) if isinstance(child, nodes.title)]
        top.insert(titles[0] + 1 if titles else 0, raw)
        # parts: drop the "Part I — " prefix; unnumbered parts from the toc
        sitemap = getattr(self.app.config, "external_site_map", None)
        numbered = {
            sub.caption: bool(sub.numbered) for sub in (sitemap.root.subtrees if sitemap else [])
        }
        for section in list(self.document.findall(nodes.section)):
            caption = section.get("docname")
            if caption not in numbered or not section.children:
                continue
            heading = section.children[0]
            if isinstance(heading, nodes.title):
                heading.children = [nodes.Text(_PART_PREFIX.sub("", heading.astext()))]
            if not numbered[caption]:
                section.insert(0, nodes.raw("", "\\setcounter{secnumdepth}{-2}\n", format="latex"))
        for table in self.document.findall(nodes.table):
            _set_widths(table)
        # sphinx-exercise labels each exercise "exercise:<label>" in LaTeX, but a reference
        # from another chapter asks for "<docname>:<label>" (undefined: "Exercise ??")
        registry = getattr(self.env, "sphinx_exercise_registry", {})
        for ref in list(self.document.findall(addnodes.number_reference)):
            target = ref.get("refuri", "")
            label = target.rsplit("#", 1)[-1] if "#" in target else ""
            if label in registry:
                text = _latex_escape(ref.astext())
                ref.replace_self(
                    nodes.raw("", f"\\hyperref[exercise:{label}]{{{text}}}", format="latex")
                )


def _latex_escape(text: str) -> str:
    return re.sub(r"([#$%&_{}])", r"\\\1", text)


def _set_widths(table: nodes.table) -> None:
    """Fix 4: explicit column widths, in proportion to each column's longest cell text."""
    if "colwidths-given" in table.get("classes", []):
        return
    for group in table.findall(nodes.tgroup):
        specs = [c for c in group.children if isinstance(c, nodes.colspec)]
        longest = [8] * len(specs)
        for row in group.findall(nodes.row):
            for i, entry in enumerate(row.children[: len(specs)]):
                longest[i] = max(longest[i], min(len(entry.astext()), 60))
        for spec, width in zip(specs, longest, strict=True):
            spec["colwidth"] = width
    # a table of more than a few rows may break across pages (longtable), instead of running
    # past the bottom of the page as one block
    rows = sum(1 for _ in table.findall(nodes.row))
    table["classes"] = [*table.get("classes", []), "colwidths-given"] + (
        ["longtable"] if rows > 5 else []
    )


MONO_FONT = "DejaVu Sans Mono"  # _config.yml's latex_elements.fontpkg
FALLBACK_FONT = "FreeSerif"


@functools.cache
def _cmap(family: str) -> frozenset[int]:
    """The code points a font has (found with fontconfig); empty if it cannot be read."""
    import subprocess

    from fontTools.ttLib import TTFont

    try:
        path = subprocess.run(
            ["fc-match", "-f", "%{file}", family], capture_output=True, text=True, check=True
        ).stdout.strip()
        return frozenset(TTFont(path).getBestCmap())
    except (OSError, subprocess.CalledProcessError, ValueError):
        return frozenset()


class CodeFontFallback(SphinxPostTransform):
    """Fix 5: characters of code blocks that the code font lacks come from the text font."""

    default_priority = 900
    builders = ("latex",)

    def run(self, **kwargs: Any) -> None:
        if self.app.project.path2doc(self.document["source"]) != self.app.config.root_doc:
            return
        mono, fallback = _cmap(MONO_FONT), _cmap(FALLBACK_FONT)
        if not mono:
            return
        chars = sorted(
            {
                c
                for block in self.document.findall(nodes.literal_block)
                for c in block.astext()
                if ord(c) > 127 and ord(c) not in mono and ord(c) in fallback
            }
        )
        if not chars:
            return
        lines = [
            "\\usepackage{newunicodechar}",
            f"\\newfontfamily\\bpfallbackfont{{{FALLBACK_FONT}}}[Extension=.otf, UprightFont=*,"
            " ItalicFont=*Italic, BoldFont=*Bold, BoldItalicFont=*BoldItalic]",
        ]
        for c in chars:
            # upright: the italic FreeSerif lacks some (the script letters), a comment is italic
            glyph = f'{{\\bpfallbackfont\\upshape\\symbol{{"{ord(c):X}}}}}'
            lines.append(f"\\newunicodechar{{{c}}}{{\\ifmmode\\text{glyph}\\else{glyph}\\fi}}")
        context = self.app.builder.context
        context["preamble"] = context.get("preamble", "") + "\n" + "\n".join(lines) + "\n"


def _starred_math(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Fix 3: unstarred amsmath environments unnumbered, as on the website."""
    if not _is_latex(app):
        return
    for node in doctree.findall(nodes.math_block):
        if node.get("nowrap"):
            text = node.astext()
            new_text = _NUMBERED_ENV.sub(lambda m: f"\\{m[1]}{{{m[2]}*}}", text)
            if new_text != text:
                node.children = [nodes.Text(new_text)]


def _download_menu(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Fix 6: "PDF of the whole book" in sphinx-book-theme's download menu."""
    if app.builder.format != "html":
        return
    for button in context.get("header_buttons", []):
        if button.get("label") == "download-buttons":
            button["buttons"].append(
                {
                    "type": "link",
                    "url": context["pathto"](PDF_NAME, 1),
                    "text": "PDF of the whole book",
                    "tooltip": "Download the whole book as one PDF",
                    "icon": "fas fa-book",
                    "label": "download-book-pdf-button",
                }
            )


def _landing_link(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Fix 6: a sentence linking the PDF under the landing page's first paragraph."""
    if app.builder.format != "html" or docname != app.config.root_doc:
        return
    first = next(iter(doctree.findall(nodes.paragraph)), None)
    if first is None:
        return
    href = "../" * docname.count("/") + PDF_NAME
    first.parent.insert(
        first.parent.index(first) + 1,
        nodes.paragraph(
            "",
            "",
            nodes.Text("To print the book or read it offline: the "),
            nodes.reference("", "PDF of the whole book", refuri=href, internal=False),
            nodes.Text(" (the interactive figures show their default frame)."),
            classes=["bp-pdf-link"],
        ),
    )


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("builder-inited", _patch_class, priority=900)
    app.connect("builder-inited", _configure, priority=900)
    app.add_post_transform(InteractiveFigures)
    app.add_post_transform(KeepBoxedContent)
    app.add_post_transform(BookStructure)
    app.add_post_transform(CodeFontFallback)
    app.connect("doctree-resolved", _starred_math)
    app.connect("doctree-resolved", _landing_link)
    # after sphinx-book-theme's add_header_buttons (501)
    app.connect("html-page-context", _download_menu, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
