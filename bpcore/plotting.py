"""The book's figure style: readable in a 390 px phone column, sharp on high-density screens.

Introduced in chapter 0 ("The question"). Every chapter's imports cell calls
:func:`use_book_style` once. It sets matplotlib's defaults so that a figure drawn without an
explicit ``figsize`` is about 460 CSS pixels wide, with 11 pt text: on a phone (a column of
about 340 px) the text still shows at about 8.5 pt, and on a desktop the figure is shown at its
natural size, not blown up. Inline figures are stored as 2× ("retina") PNGs with their display
size in the output metadata, so they are sharp on high-density screens.

Symbols in labels are matplotlib mathtext (``r"$\\sigma_w$"``, ``r"$\\|\\delta^{(l)}\\|$"``),
never pseudo-TeX such as ``"sigma_w"`` or ``"δ^(l)"``. Two-panel figures are stacked
(``nrows=2``) so that each panel keeps the full column width on a phone; use
:data:`STACKED_FIGSIZE` for them.
"""

from __future__ import annotations

from typing import Any

import matplotlib

__all__ = ["BOOK_RC", "FIGSIZE", "STACKED_FIGSIZE", "use_book_style"]

#: One panel: 4.8 × 3.2 inches at 96 dpi is 461 × 307 CSS pixels.
FIGSIZE: tuple[float, float] = (4.8, 3.2)
#: Two panels stacked vertically.
STACKED_FIGSIZE: tuple[float, float] = (4.8, 5.6)

BOOK_RC: dict[str, Any] = {
    "figure.figsize": FIGSIZE,
    "figure.dpi": 96,
    "figure.constrained_layout.use": True,
    "font.size": 11,
    "axes.titlesize": 11,
    "axes.labelsize": 11,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 9.5,
    "legend.framealpha": 0.9,
    "lines.linewidth": 1.6,
    "mathtext.fontset": "dejavusans",
    "savefig.bbox": "standard",
}


def use_book_style() -> None:
    """Set the book's matplotlib defaults; in IPython, also store inline figures at 2×.

    Introduced in chapter 0 ("The question"). Call it once, in a notebook's imports cell.
    Outside IPython only the matplotlib defaults change.

    Examples
    --------
    >>> import matplotlib
    >>> from bpcore.plotting import FIGSIZE, use_book_style
    >>> with matplotlib.rc_context():
    ...     use_book_style()
    ...     tuple(matplotlib.rcParams["figure.figsize"]) == FIGSIZE
    True
    """
    matplotlib.rcParams.update(BOOK_RC)
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with every notebook kernel
        return
    if get_ipython() is None:
        return
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    # "retina": a PNG at twice the resolution whose metadata gives the display size, which
    # myst-nb copies to the <img> width/height on the website.
    set_matplotlib_formats("retina")
