"""Three small fixes to the Jupyter Book 1.x toolchain, each named and explained.

Loaded through ``sphinx.local_extensions`` in ``_config.yml``. Both remove scripts that the
toolchain puts on every page although this book does not use what they are for; the browser
test (tests/test_site.py) fails if either comes back.

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
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx


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


def setup(app: Sphinx) -> dict[str, Any]:
    # priority 900: after myst-nb and sphinx-thebe have added their scripts (default 500)
    app.connect("html-page-context", _drop_scripts, priority=900)
    # priority 400: before sphinx-external-toc's own redirect writer (default 500)
    app.connect("build-finished", _write_index, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
