"""Two small fixes to the Jupyter Book 1.x toolchain, each named and explained.

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
"""

from __future__ import annotations

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


def setup(app: Sphinx) -> dict[str, Any]:
    # priority 900: after myst-nb and sphinx-thebe have added their scripts (default 500)
    app.connect("html-page-context", _drop_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
