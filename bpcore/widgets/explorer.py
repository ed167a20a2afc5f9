"""Interactive figures, made once and shown twice.

Every interactive figure in the course is an :class:`Explorer`: a *draw function* plus a few
*controls*. The same explorer gives

* ``explorer.live()`` — ipywidgets controls that redraw the figure in a running kernel
  (JupyterLab, Binder), and
* ``explorer.static(vary=...)`` — a :class:`Scrubber`, self-contained HTML with pre-rendered
  frames and a range slider, that works on the static website with no kernel and no request to
  any other site.

A draw function has the signature ``draw(fig, **params) -> str``: it draws on a cleared
:class:`matplotlib.figure.Figure` and returns a one-sentence description of what it drew. The
description is the frame's alt text on the website and the caption line under the live figure.
A draw function that raises ``ValueError`` (or ``OverflowError``) for an extreme setting shows
the message as readable text instead of a traceback.

The chapter-specific explorers live in the sibling modules of this package, one per topic, and
are re-exported by ``bpcore.widgets``.
"""

from __future__ import annotations

import base64
import html
import io
import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib
import numpy as np
from matplotlib.figure import Figure

from bpcore._validate import check_int
from bpcore.plotting import BOOK_RC, FIGSIZE

__all__ = ["Control", "Explorer", "LiveAndStatic", "Scrubber", "math_html", "plain_text"]

DrawFunction = Callable[..., str]


@dataclass(frozen=True)
class Control:
    """One parameter of an :class:`Explorer`: a name, a label and the values it may take.

    Introduced in chapter 0 ("The question"). The values are discrete so that the static
    website can pre-render one frame per value.

    Examples
    --------
    >>> from bpcore.widgets import Control
    >>> Control("w", "weight $w$", (0.5, 1.0, 2.0))
    Control(w: weight $w$ ∈ [0.5, 1, 2], default 1)
    >>> Control("w", "weight $w$", (0.5, 1.0, 2.0), default=3.0)
    Traceback (most recent call last):
        ...
    ValueError: default of control 'w' must be one of its values, got 3.0
    """

    name: str
    label: str
    values: tuple[Any, ...]
    default: Any = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.isidentifier():
            raise ValueError(f"name must be a Python identifier, got {self.name!r}")
        if len(self.values) == 0:
            raise ValueError(f"values of control {self.name!r} must not be empty")
        if self.default is None:
            object.__setattr__(self, "default", self.values[len(self.values) // 2])
        elif self.default not in self.values:
            raise ValueError(
                f"default of control {self.name!r} must be one of its values, got {self.default!r}"
            )

    def format(self, value: Any) -> str:
        """The value as the reader sees it (numbers to 4 significant digits)."""
        if isinstance(value, float):
            return f"{value:.4g}"
        return str(value)

    def __repr__(self) -> str:
        shown = ", ".join(self.format(v) for v in self.values[:6])
        more = ", …" if len(self.values) > 6 else ""
        default = self.format(self.default)
        return f"Control({self.name}: {self.label} ∈ [{shown}{more}], default {default})"


_LIVE_CACHE_FRAMES = 256  # PNGs of ~20 KB each: at most ~5 MB per live explorer

# A live redraw trades a little polish for time: unhinted glyphs (hinting is about a tenth of
# a frame's cost) and the fastest PNG compression (frames are ~10% larger, never stored).
_FAST_RC = {"text.hinting": "no_hinting"}
# Frames are drawn with the book's figure style (bpcore.plotting): text that stays readable when
# a phone shows the figure in a ~340 px column.
_FRAME_RC = {k: v for k, v in BOOK_RC.items() if k not in ("figure.figsize", "figure.dpi")}
_FRAME_RC["figure.constrained_layout.use"] = False  # frames place their axes themselves
#: The website's frames are stored at twice their display resolution (sharp on HiDPI screens).
STATIC_DENSITY = 2
#: CSS pixels per inch of figure size.
CSS_DPI = 96
_FAST_PNG = {"compress_level": 1}


def _render_png(
    draw: DrawFunction,
    params: Mapping[str, Any],
    figsize: tuple[float, float],
    dpi: int,
    fast: bool = False,
):
    """Draw one frame; return (png bytes, description). Bad settings become a text frame."""
    with matplotlib.rc_context({**_FRAME_RC, **(_FAST_RC if fast else {})}):
        fig = Figure(figsize=figsize, dpi=dpi)
        fig.subplots_adjust(left=0.15, right=0.97, bottom=0.15, top=0.88)  # constrained: 2× slower
        try:
            description = draw(fig, **params)
        except (ValueError, OverflowError, FloatingPointError, np.linalg.LinAlgError) as exc:
            fig.clear()
            message = f"This setting cannot be drawn: {exc}"
            fig.text(0.5, 0.5, message, ha="center", va="center", wrap=True, fontsize=12)
            description = message
        buffer = io.BytesIO()
        fig.savefig(
            buffer,
            format="png",
            dpi=dpi,
            metadata={"Software": None},
            pil_kwargs=_FAST_PNG if fast else None,
        )
    return buffer.getvalue(), str(description)


def math_html(text: str) -> str:
    """HTML for a label or caption whose math is written ``$...$``.

    Introduced in chapter 0 ("The question"). The text is escaped; each ``$...$`` becomes
    ``<span class="bp-math">TeX</span>``, which the website typesets at build time (KaTeX) like
    the rest of the book's math. An odd number of ``$`` is a ``ValueError``.

    Examples
    --------
    >>> from bpcore.widgets import math_html
    >>> math_html(r"depth $n_l$ & width")
    'depth <span class="bp-math">n_l</span> &amp; width'
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    parts = text.split("$")
    if len(parts) % 2 == 0:
        raise ValueError(f"text has an unbalanced '$' (math is written $...$): {text!r}")
    return "".join(
        html.escape(part) if i % 2 == 0 else f'<span class="bp-math">{html.escape(part)}</span>'
        for i, part in enumerate(parts)
    )


_TEX_WORDS = {
    r"\sigma": "σ", r"\rho": "ρ", r"\lambda": "λ", r"\delta": "δ", r"\tau": "τ",
    r"\alpha": "α", r"\approx": "≈", r"\times": "×", r"\sum": "Σ", r"\|": "‖",
    r"\log": "log", r"\mathsf{T}": "ᵀ", r"\mathsf T": "ᵀ", r"\dot u": "u̇", r"\,": " ",
}  # fmt: skip


def plain_text(text: str) -> str:
    """A label or caption as plain text (alt text, tooltips, reprs: places that cannot show
    typeset math): ``$`` dropped, the few TeX commands the figures use turned into Unicode,
    braces removed (``$\\|\\delta^{(l)}\\|$`` → ``‖δ^(l)‖``).

    Introduced in chapter 0 ("The question").

    Examples
    --------
    >>> from bpcore.widgets import plain_text
    >>> plain_text(r"weight scale $\\sigma_w$, $\\|\\delta^{(l)}\\|$")
    'weight scale σ_w, ‖δ^(l)‖'
    """
    out = text.replace("$", "")
    for tex, char in _TEX_WORDS.items():
        out = out.replace(tex, char)
    out = re.sub(r"_([0-9])", lambda m: "₀₁₂₃₄₅₆₇₈₉"[int(m[1])], out)  # c_2 → c₂
    return out.replace("{", "").replace("}", "")


class Scrubber:
    """Pre-rendered frames with a range slider: an interactive figure that needs no kernel.

    Introduced in chapter 0 ("The question"). Displayed in a notebook (or on the website) it
    is plain HTML: one ``<img>`` with alt text for every frame, a labelled ``<input
    type="range">`` and a short script after the figure. It loads nothing from anywhere.

    The frames travel inside the HTML as PNG data URIs; the website's build moves each into a
    file of its own (``.ci/sphinxext/book_fixes.py``), so a page loads only the frame it shows
    and fetches the others when the reader first reaches for the slider. Without JavaScript
    the slider stays hidden and the default frame shows, with its caption. Styling comes
    from the site's stylesheet (no inline styles); math in the label and caption is written
    ``$...$`` (see :func:`math_html`).

    Examples
    --------
    >>> from bpcore.widgets import Scrubber
    >>> frames = [b"<png 1>", b"<png 2>"]  # Explorer.static makes real ones
    >>> scrubber = Scrubber("toy", "slope $a$", ["1", "2"], frames, ["One.", "Two."], "Lines.")
    >>> scrubber
    Scrubber('toy': 2 frames over slope a, 0 KiB of PNG)
    >>> scrubber._repr_html_().count("<img"), "bp-scrubber" in scrubber._repr_html_()
    (1, True)
    """

    def __init__(
        self,
        name: str,
        label: str,
        values: Sequence[str],
        frames: Sequence[bytes],
        descriptions: Sequence[str],
        caption: str,
        start: int = 0,
        size: tuple[int, int] | None = None,
    ) -> None:
        if not re.fullmatch(r"[a-z][a-z0-9-]*", name):
            raise ValueError(f"name must be lower-case letters, digits and '-', got {name!r}")
        if not (len(values) == len(frames) == len(descriptions)) or len(frames) == 0:
            raise ValueError("values, frames and descriptions must be non-empty and of one length")
        math_html(label)  # validates the $...$ markup early
        math_html(caption)
        self.name = name
        self.label = label
        self.values = list(values)
        self.frames = list(frames)
        self.descriptions = list(descriptions)
        self.caption = caption
        self.start = check_int(start, "start", minimum=0)
        if self.start >= len(frames):
            raise ValueError(f"start must be below the number of frames {len(frames)}, got {start}")
        self.size = size

    def __repr__(self) -> str:
        size_kb = sum(len(f) for f in self.frames) / 1024
        return (
            f"Scrubber({self.name!r}: {len(self.frames)} frames over {plain_text(self.label)}, "
            f"{size_kb:.0f} KiB of PNG)"
        )

    def _repr_html_(self) -> str:
        uid = f"bp-scrub-{self.name}"
        srcs = ["data:image/png;base64," + base64.b64encode(f).decode("ascii") for f in self.frames]
        esc = html.escape
        i0 = self.start
        data = esc(json.dumps({"src": srcs, "alt": self.descriptions, "value": self.values}))
        size = f' width="{self.size[0]}" height="{self.size[1]}"' if self.size else ""
        return (
            f'<figure class="bp-scrubber" id="{uid}" data-frames="{data}">'
            f'<img src="{srcs[i0]}" alt="{esc(self.descriptions[i0])}"{size} decoding="async">'
            f'<div class="bp-scrubber-controls" hidden>'
            f'<label for="{uid}-range">{math_html(self.label)}</label>'
            f'<input type="range" id="{uid}-range" min="0" max="{len(self.frames) - 1}" '
            f'step="1" value="{i0}" aria-valuetext="{esc(self.values[i0])}" '
            f'aria-label="{esc(plain_text(self.label))}">'
            f'<output id="{uid}-value" for="{uid}-range" aria-hidden="true">'
            f"{esc(self.values[i0])}</output></div>"
            f"<figcaption>{math_html(self.caption)} "
            f'<span class="bp-scrubber-hint">Drag the slider (or use the arrow keys): the frames '
            f"were computed when the book was built, so this works without a kernel; run the "
            f"notebook for the live version.</span></figcaption></figure>"
            f"<script>(function(){{var f=document.getElementById({json.dumps(uid)});"
            f"if(!f)return;var d=JSON.parse(f.getAttribute('data-frames')),"
            f"c=f.querySelector('.bp-scrubber-controls'),r=f.querySelector('input'),"
            f"o=f.querySelector('output'),im=f.querySelector('img'),warm=false;"
            f"c.hidden=false;"
            f"function preload(){{if(warm)return;warm=true;"
            f"d.src.forEach(function(s){{var i=new Image();i.src=s;}});}}"
            f"r.addEventListener('pointerdown',preload);r.addEventListener('focus',preload);"
            f"r.addEventListener('input',function(){{var i=+r.value;im.src=d.src[i];"
            f"im.alt=d.alt[i];o.textContent=d.value[i];r.setAttribute('aria-valuetext',d.value[i]);}});"
            f"}})();</script>"
        )


class LiveAndStatic:
    """A live ipywidget and its static :class:`Scrubber`, displayed as one output.

    Introduced in chapter 0 ("The question"). See :meth:`Explorer.show`.

    Examples
    --------
    >>> from bpcore.widgets import LiveAndStatic, Scrubber
    >>> static = Scrubber("toy", "slope $a$", ["1"], [b"<png>"], ["One line."], "Lines.")
    >>> LiveAndStatic(None, static)  # Explorer.show passes the live ipywidget
    LiveAndStatic(live widget + Scrubber('toy': 1 frames over slope a, 0 KiB of PNG))
    """

    def __init__(self, live: Any, static: Scrubber) -> None:
        self.live = live
        self.static = static

    def __repr__(self) -> str:
        return f"LiveAndStatic(live widget + {self.static!r})"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle = dict(self.live._repr_mimebundle_(include=include, exclude=exclude) or {})
        bundle["text/html"] = self.static._repr_html_()
        bundle["text/plain"] = repr(self)
        return bundle


class Explorer:
    """A figure with controls: live ipywidgets in a kernel, a :class:`Scrubber` on the web.

    Introduced in chapter 0 ("The question").

    Parameters
    ----------
    name : str
        Short identifier (lower case, digits, '-'), used for HTML ids.
    draw : callable
        ``draw(fig, **params) -> str``; see the module docstring.
    controls : sequence of Control
        The parameters the reader can change.
    caption : str
        What the figure shows, in one or two sentences.
    figsize : (float, float)
        Figure size in inches; the website shows it at 96 CSS pixels per inch. The default
        (:data:`bpcore.plotting.FIGSIZE`-wide) suits a phone column; stack two panels
        vertically rather than side by side.

    Examples
    --------
    >>> from bpcore.widgets import Control, Explorer
    >>> def draw(fig, a):
    ...     fig.add_subplot().plot([0, 1], [0, a])
    ...     return f"A line of slope {a}."
    >>> explorer = Explorer("toy", draw, [Control("a", "slope $a$", (1, 2, 3))], "Lines.")
    >>> explorer
    Explorer('toy', controls: a)
    >>> png, alt = explorer.render(dpi=20, a=3)
    >>> png[1:4], alt
    (b'PNG', 'A line of slope 3.')
    >>> explorer.static("a", dpi=20).descriptions
    ['A line of slope 1.', 'A line of slope 2.', 'A line of slope 3.']
    """

    def __init__(
        self,
        name: str,
        draw: DrawFunction,
        controls: Sequence[Control],
        caption: str,
        figsize: tuple[float, float] = (FIGSIZE[0], 3.4),
    ) -> None:
        if not callable(draw):
            raise TypeError("draw must be a callable draw(fig, **params) -> str")
        if len(controls) == 0:
            raise ValueError("controls must contain at least one Control")
        self.name = name
        self.draw = draw
        self.controls = tuple(controls)
        self.caption = caption
        self.figsize = figsize

    def __repr__(self) -> str:
        names = ", ".join(c.name for c in self.controls)
        return f"Explorer({self.name!r}, controls: {names})"

    def defaults(self) -> dict[str, Any]:
        """The default value of every control."""
        return {c.name: c.default for c in self.controls}

    def _params(self, overrides: Mapping[str, Any]) -> dict[str, Any]:
        params = self.defaults()
        unknown = set(overrides) - set(params)
        if unknown:
            raise ValueError(f"unknown control(s) {sorted(unknown)}; known: {sorted(params)}")
        params.update(overrides)
        return params

    def render(self, dpi: int = 80, fast: bool = True, **params: Any) -> tuple[bytes, str]:
        """One frame as PNG bytes, with its description.

        ``fast`` (the live widget's setting) draws unhinted text and compresses the PNG least;
        the website's frames use ``fast=False``.
        """
        return _render_png(self.draw, self._params(params), self.figsize, dpi, fast=fast)

    def figure(self, **params: Any) -> Figure:
        """The figure for one setting (defaults for the controls not given)."""
        fig = Figure(figsize=self.figsize, layout="constrained")
        self.draw(fig, **self._params(params))
        return fig

    def static(self, vary: str, dpi: int = CSS_DPI * STATIC_DENSITY, **fixed: Any) -> Scrubber:
        """Pre-render one frame per value of control ``vary``; the others stay at ``fixed``.

        Frames are drawn at ``dpi`` and shown at 96 CSS pixels per inch (by default 2× pixels:
        sharp on high-density screens).
        """
        by_name = {c.name: c for c in self.controls}
        if vary not in by_name:
            raise ValueError(f"vary must be one of {sorted(by_name)}, got {vary!r}")
        control = by_name[vary]
        frames, descriptions = [], []
        for value in control.values:
            png, description = self.render(dpi=dpi, fast=False, **{**fixed, vary: value})
            frames.append(png)
            descriptions.append(description)
        others = {k: v for k, v in self._params(fixed).items() if k != vary}
        fixed_text = ", ".join(
            f"{by_name[k].label} = {by_name[k].format(v)}" for k, v in others.items()
        )
        size = (round(self.figsize[0] * CSS_DPI), round(self.figsize[1] * CSS_DPI))
        caption = self.caption + (f" (Fixed: {fixed_text}.)" if fixed_text else "")
        return Scrubber(
            name=self.name,
            label=control.label,
            values=[control.format(v) for v in control.values],
            frames=frames,
            descriptions=descriptions,
            caption=caption,
            start=list(control.values).index(control.default),
            size=size,
        )

    def live(self):
        """ipywidgets controls and the figure, redrawn on every change (needs a kernel)."""
        import ipywidgets as widgets  # imported here: the static site never needs it

        sliders = {}
        for c in self.controls:
            options = [(c.format(v), v) for v in c.values]
            if all(isinstance(v, int | float) for v in c.values):
                sliders[c.name] = widgets.SelectionSlider(
                    options=options,
                    value=c.default,
                    description=c.label,
                    continuous_update=False,
                    style={"description_width": "initial"},
                )
            else:
                sliders[c.name] = widgets.Dropdown(
                    options=options,
                    value=c.default,
                    description=c.label,
                    style={"description_width": "initial"},
                )
        image = widgets.Image(format="png")
        text = widgets.HTML()
        # Every control is discrete, so a setting seen before is redrawn from memory.
        frames: dict[tuple, tuple[bytes, str]] = {}

        def redraw(_change: object = None) -> None:
            params = {k: w.value for k, w in sliders.items()}
            key = tuple(params.values())
            if key not in frames:
                if len(frames) >= _LIVE_CACHE_FRAMES:
                    frames.pop(next(iter(frames)))  # the oldest
                frames[key] = self.render(dpi=80, fast=True, **params)
            png, description = frames[key]
            image.value = png
            text.value = f"<p>{html.escape(plain_text(description))}</p>"

        for w in sliders.values():
            w.observe(redraw, names="value")
        redraw()
        return widgets.VBox([*sliders.values(), image, text])

    def show(self, vary: str, **fixed: Any) -> LiveAndStatic:
        """Both versions in one output: JupyterLab shows the live widget, the website the scrubber.

        The output carries the ipywidgets view and, as ``text/html``, the static
        :class:`Scrubber`; each front end picks what it can render (the book's configuration
        tells Sphinx to skip the widget view, which has no kernel to talk to on a static page).
        """
        return LiveAndStatic(self.live(), self.static(vary, **fixed))

    def redraw_samples(self, repeats: int = 3) -> dict[str, list[float]]:
        """Seconds of ``repeats`` uncached redraws (as the live widget draws a new setting) at
        each control's extreme values, keyed ``"name=value"``."""
        repeats = check_int(repeats, "repeats", minimum=1)
        samples: dict[str, list[float]] = {}
        for c in self.controls:
            for value in dict.fromkeys((c.values[0], c.values[-1])):
                seconds = []
                for _ in range(repeats):
                    start = time.perf_counter()
                    self.render(dpi=80, fast=True, **{c.name: value})
                    seconds.append(time.perf_counter() - start)
                samples[f"{c.name}={c.format(value)}"] = seconds
        return samples

    def redraw_times(self, repeats: int = 3) -> dict[str, float]:
        """Median seconds to redraw at each control's extreme values (what a reader waits for
        a setting not seen before). The widget budget is 0.1 s."""
        return {k: float(np.median(v)) for k, v in self.redraw_samples(repeats).items()}
