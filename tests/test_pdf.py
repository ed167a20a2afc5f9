"""The PDF edition (``bash .ci/pdf``): the whole book as one PDF, checked as a reader gets it.

The build log has no LaTeX error, no missing character and no overfull line (code and outputs
wrap); vertical overflows are allowed only up to :data:`MAX_VBOX_OVERFLOW_PT` (see there). The
PDF's page count is in a range, its bookmarks hold every chapter of ``_toc.yml`` once, its
internal links lead to existing destinations, and its text holds every chapter title, every
theorem-like title of the notebooks' ``{prf:...}`` directives, every exercise's solution (they
follow their exercises, as on the website; no appendix) and every interactive figure's default
frame with its pointer to the website edition. One page per chapter (its first) is rendered
to PNG in ``_build/pdf-pages/`` for a person to look at. The website links the PDF (landing
page, download menu).

Without the PDF (only README command (a) ran, or TeX Live is missing) these tests skip with a
reason; under ``CI=true`` they fail, since ``.ci/run`` builds the PDF before the tests.
"""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
import unicodedata
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

pypdf = pytest.importorskip("pypdf")

NAME = "closed-forms-for-backprop"
PDF = ROOT / "_build" / "latex" / f"{NAME}.pdf"
LATEX_LOG = ROOT / "_build" / "latex" / f"{NAME}.log"
BUILD_LOG = ROOT / "_build" / "pdf-build.log"
PAGES_DIR = ROOT / "_build" / "pdf-pages"
SITE = ROOT / "_build" / "html"
# The allow-list for overfull boxes. Horizontal: none (a line into the margin is clipped text).
# Vertical: a code cell that ends a page may overshoot it by a few points, its frame's padding
# (it never reaches the footer, 30 pt lower; now at most 2.6 pt). A code cell inside a framed
# box could not break and ran 43 pt into the footer (fixed: the boxes are rules, _config.yml).
MAX_VBOX_OVERFLOW_PT = 5.0
# Pages per chapter of the toc (chapter 0 and the bibliography included): the book has about
# 23 now; far fewer means content went missing, far more that something is repeated.
PAGES_PER_CHAPTER = (12, 45)
_PRF = re.compile(r"^(?:`{3,}|:{3,})\{prf:([a-z]+)\}(.*)$")  # every sphinx-proof type


def _require_pdf() -> Path:
    if PDF.exists():
        return PDF
    message = f"{PDF.relative_to(ROOT)} not found: run `bash .ci/pdf` (needs TeX Live; README)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@functools.cache
def _reader() -> pypdf.PdfReader:
    return pypdf.PdfReader(_require_pdf())


def _toc_docs() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    return [toc["root"]] + [c["file"] for part in toc["parts"] for c in part["chapters"]]


def _cells(doc: str) -> list[dict]:
    path = ROOT / f"{doc}.ipynb"
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))["cells"]
    text = (ROOT / f"{doc}.md").read_text(encoding="utf-8")
    return [{"cell_type": "markdown", "source": text}]


def _source(cell: dict) -> str:
    src = cell["source"]
    return src if isinstance(src, str) else "".join(src)


def _title(doc: str) -> str:
    for cell in _cells(doc):
        if cell["cell_type"] == "markdown":
            m = re.search(r"^# (.+)$", _source(cell), re.M)
            if m:
                return m[1].strip()
    raise AssertionError(f"{doc} has no H1")


def _normal(text: str) -> str:
    """Letters and digits only, lower case: immune to line breaks, hyphenation and ligatures."""
    return re.sub(r"[^0-9a-z]", "", unicodedata.normalize("NFKC", text).lower())


def _plain_pieces(title: str) -> list[str]:
    """The parts of a title outside ``$...$`` math, normalised; math is not searched as text."""
    pieces = [_normal(p) for i, p in enumerate(title.split("$")) if i % 2 == 0]
    return [p for p in pieces if len(p) >= 3]


@functools.cache
def _text() -> str:
    return _normal("".join(page.extract_text() or "" for page in _reader().pages))


def _outline() -> list[tuple[int, str, int]]:
    """(depth, title, page index) of every bookmark."""
    reader = _reader()
    out: list[tuple[int, str, int]] = []

    def walk(items: list, depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                out.append((depth, str(item.title), reader.get_destination_page_number(item)))

    walk(reader.outline, 0)
    return out


def test_latex_log_has_no_errors_missing_characters_or_overfull_lines() -> None:
    _require_pdf()
    log = LATEX_LOG.read_text(encoding="utf-8", errors="replace")
    errors = [line for line in log.splitlines() if line.startswith("!")]
    assert errors == [], f"LaTeX errors: {errors[:10]}"
    missing = sorted(set(re.findall(r"Missing character: There is no .*", log)))
    assert missing == [], f"characters the fonts lack: {missing}"
    hbox = re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)[^\n]*", log)
    assert hbox == [], f"{len(hbox)} overfull lines (text into the margin): {hbox[:10]} pt"
    vbox = [float(x) for x in re.findall(r"Overfull \\vbox \(([\d.]+)pt too high\)", log)]
    too_high = [x for x in vbox if x > MAX_VBOX_OVERFLOW_PT]
    assert too_high == [], f"vertical overflows beyond {MAX_VBOX_OVERFLOW_PT} pt: {too_high}"
    warnings = re.findall(r"LaTeX Warning: .*", log)
    assert [w for w in warnings if "undefined" in w or "Citation" in w] == []


def test_sphinx_build_had_no_warnings_and_executed_no_notebook() -> None:
    _require_pdf()
    log = BUILD_LOG.read_text(encoding="utf-8", errors="replace")
    assert re.findall(r"WARNING: .*", log) == []
    # the PDF is built from the website build's execution cache (the same outputs)
    assert "Executing notebook" not in log


def test_page_count_in_range() -> None:
    pages = len(_reader().pages)
    low, high = (n * len(_toc_docs()) for n in PAGES_PER_CHAPTER)
    assert low <= pages <= high, f"{pages} pages for {len(_toc_docs())} chapters"


def test_one_bookmark_per_chapter_pointing_at_its_first_page() -> None:
    outline = _outline()
    titles = [_normal(t) for _, t, _ in outline]
    for doc in _toc_docs():
        title = _normal(re.sub(r"\$[^$]*\$", "", _title(doc)))
        assert titles.count(title) == 1, f"bookmarks for {_title(doc)!r}: {titles.count(title)}"
    pages = [p for _, _, p in outline]
    assert pages == sorted(pages), "bookmarks out of page order"
    parts = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))["parts"]
    top = [_normal(t) for d, t, _ in outline if d == 0]
    for part in parts:  # a part's bookmark is its number and caption ("II Where ... break")
        caption = _normal(re.sub(r"^Part [IVXLC]+ — ", "", part["caption"]))
        assert any(t.endswith(caption) for t in top), f"part {part['caption']!r}: no bookmark"


def test_internal_links_lead_to_existing_destinations() -> None:
    """Cross-references, citations and ToC entries are links whose named targets exist."""
    reader = _reader()
    names = set(reader.named_destinations)
    internal, broken = 0, []
    for index, page in enumerate(reader.pages):
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            action = annot.get("/A")
            if annot.get("/Subtype") != "/Link" or action is None:
                continue
            action = action.get_object()
            if action.get("/S") == "/GoTo":
                internal += 1
                target = action.get("/D")
                if isinstance(target, str) and target not in names:
                    broken.append((index + 1, target))
    assert broken == [], f"links to missing destinations (page, name): {broken[:10]}"
    assert internal >= 20 * len(_toc_docs()), f"only {internal} internal links"


def test_text_has_every_chapter_and_theorem_title_and_every_solution() -> None:
    text = _text()
    for doc in _toc_docs():
        for piece in _plain_pieces(_title(doc)):
            assert piece in text, f"chapter title {_title(doc)!r} not in the PDF's text"
    results = exercises = 0
    for doc in _toc_docs():
        for cell in _cells(doc):
            if cell["cell_type"] != "markdown":
                continue
            for line in _source(cell).splitlines():
                m = _PRF.match(line.strip())
                if m and m[2].strip():
                    results += 1
                    for piece in _plain_pieces(m[2].strip()):
                        assert piece in text, f"{m[1]} title {m[2].strip()!r} ({doc}) not in PDF"
                exercises += bool(re.match(r"^(?:`{3,}|:{3,})\{exercise\}", line.strip()))
    assert results >= len(_toc_docs()), "too few theorem-like results found in the notebooks"
    assert text.count(_normal("Solution to Exercise")) >= exercises > 0


def test_every_interactive_figure_is_its_default_frame_with_a_pointer() -> None:
    shows = {
        doc: sum(
            bool(re.search(r"\.show\(\s*vary=", _source(c)))
            for c in _cells(doc)
            if c["cell_type"] == "code"
        )
        for doc in _toc_docs()
    }
    text = _text()
    assert text.count(_normal("Interactive figure: this is its default frame")) == sum(
        shows.values()
    )
    for doc, n in shows.items():
        if n:
            assert text.count(_normal(f"The website edition (page {doc}.html)")) == n, doc


def test_render_one_page_per_chapter_for_a_person_to_look_at() -> None:
    """The first page of every chapter (and the title page) as PNG in _build/pdf-pages/."""
    from PIL import Image

    reader = _reader()
    PAGES_DIR.mkdir(parents=True, exist_ok=True)
    firsts = {"title": 0}
    by_title = {_normal(t): p for _, t, p in _outline()}
    for doc in _toc_docs():
        firsts[doc.replace("/", "__")] = by_title[_normal(re.sub(r"\$[^$]*\$", "", _title(doc)))]
    for name, index in firsts.items():
        target = PAGES_DIR / f"{name}.png"
        target.unlink(missing_ok=True)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", "-singlefile", "-f", str(index + 1), "-l",
             str(index + 1), str(PDF), str(target.with_suffix(""))],
            check=True, timeout=120,
        )  # fmt: skip
        with Image.open(target) as image:
            extrema = image.convert("L").getextrema()
        assert extrema[0] < 100, f"{target.name} (page {index + 1}) is blank"
    assert len(list(PAGES_DIR.glob("*.png"))) >= len(firsts)
    assert len(reader.pages) > max(firsts.values())


def test_the_website_links_the_pdf() -> None:
    """Landing page and every page's download menu link the PDF, served from the site itself."""
    if not (SITE / "index.html").exists():
        pytest.skip("the website is not built (README command a)")
    if not (SITE / f"{NAME}.pdf").exists():
        message = f"_build/html/{NAME}.pdf missing: `.ci/run` (or `bash .ci/pdf`) copies it there"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    assert (SITE / f"{NAME}.pdf").read_bytes() == _require_pdf().read_bytes()
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    landing = (SITE / f"{toc['root']}.html").read_text(encoding="utf-8")
    assert landing.count(f'href="../{NAME}.pdf"') >= 2  # the sentence and the download menu
    for doc in _toc_docs():
        page = (SITE / f"{doc}.html").read_text(encoding="utf-8")
        assert "PDF of the whole book" in page, doc
        assert f"{NAME}.pdf" in page, doc
