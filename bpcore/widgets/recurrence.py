"""Chapter 1's interactive figure: a linear recurrence, its characteristic roots and closed form.

:func:`recurrence_explorer` lets the reader choose the coefficients of
a(n) = c₁·a(n−1) + c₂·a(n−2) + c₃·a(n−3) and the initial values, and shows the characteristic
roots against the unit circle (left) and |a(n)| from iteration with the closed form on top of
it (right). The closed form is evaluated in float64 by
``bpcore.recurrences.LinearRecurrence.numeric_fast`` (exact multiplicities, self-checked),
because the exact sympy closed form takes too long for a redraw.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from bpcore._validate import check_int, check_real
from bpcore.plotting import STACKED_FIGSIZE
from bpcore.recurrences import LinearRecurrence
from bpcore.widgets.explorer import Control, Explorer

__all__ = [
    "COEFFICIENT_VALUES",
    "INITIAL_PRESETS",
    "RecurrenceCurves",
    "recurrence_curves",
    "recurrence_explorer",
]

#: The values each coefficient c₁, c₂, c₃ can take in the explorer: −2 to 2 in steps of 0.5.
COEFFICIENT_VALUES = tuple(float(v) for v in np.arange(-2.0, 2.01, 0.5))

#: Initial values "a(0), a(1), a(2)" offered by the explorer (order 2 uses the first two).
INITIAL_PRESETS = ("0, 1, 1", "1, 1, 1", "1, 0, 0", "1, -1, 2", "2, 1, 3")

_PLANE = 3.2  # half-width of the complex-plane panel; every root for |cᵢ| ≤ 2 has |r| < 3


@dataclass(frozen=True)
class RecurrenceCurves:
    """Everything the explorer draws for one setting.

    Introduced in chapter 1 (Linear recurrences).

    Attributes
    ----------
    recurrence : LinearRecurrence
        With exact coefficients (each float read as the decimal it prints as, e.g. 0.5 → 1/2)
        and trailing zero coefficients dropped, so its order may be 1, 2 or 3.
    n : int array
        0, 1, …, n_max.
    exact : float array
        a(n) by exact iteration (``LinearRecurrence.terms``), rounded to float64.
    closed : float array
        The closed form at the same n (``LinearRecurrence.numeric_fast``).
    roots : complex array
        The distinct characteristic roots.
    multiplicities : int array
        Their exact multiplicities.
    rho : float
        The spectral radius max |r|.

    Examples
    --------
    >>> from bpcore.widgets.recurrence import recurrence_curves
    >>> recurrence_curves(1.0, 1.0, 0.0, "0, 1, 1", 10)  # doctest: +NORMALIZE_WHITESPACE
    RecurrenceCurves(LinearRecurrence(a(n) = a(n-1) + a(n-2); a(0)=0, a(1)=1), n ≤ 10,
                     ρ = 1.618, roots 1.618, −0.618)
    """

    recurrence: LinearRecurrence
    n: np.ndarray
    exact: np.ndarray
    closed: np.ndarray
    roots: np.ndarray
    multiplicities: np.ndarray
    rho: float

    def __repr__(self) -> str:
        return (
            f"RecurrenceCurves({self.recurrence!r}, n ≤ {int(self.n[-1])}, "
            f"ρ = {self.rho:.4g}, roots {self.roots_text()})"
        )

    def roots_text(self) -> str:
        """The distinct roots (one of each conjugate pair, as a ± bi) with multiplicities.

        Examples
        --------
        >>> from bpcore.widgets.recurrence import recurrence_curves
        >>> recurrence_curves(2.0, -1.0, 0.0, "1, 1, 1", 10).roots_text()  # χ = (x − 1)²
        '1 (×2)'
        """
        return ", ".join(
            _root_text(r) + (f" (×{m})" if m > 1 else "")
            for r, m in zip(self.roots, self.multiplicities, strict=True)
            if r.imag >= -1e-12
        )


def _parse_initial(initial: str | Sequence[float]) -> list[Fraction]:
    if isinstance(initial, str):
        if initial not in INITIAL_PRESETS:
            raise ValueError(f"initial must be one of {INITIAL_PRESETS}, got {initial!r}")
        values: Sequence[object] = [float(v) for v in initial.split(",")]
    elif isinstance(initial, Sequence) and len(initial) == 3:
        values = initial
    else:
        raise TypeError(
            f"initial must be one of {INITIAL_PRESETS} or a sequence of 3 numbers "
            f"a(0), a(1), a(2), got {initial!r}"
        )
    return [Fraction(str(check_real(v, "initial"))) for v in values]


@functools.lru_cache(maxsize=256)
def _curves_cached(
    coefficients: tuple[Fraction, ...], initial: tuple[Fraction, ...], n_max: int
) -> RecurrenceCurves:
    rec = LinearRecurrence(list(coefficients), list(initial[: len(coefficients)]))
    n = np.arange(n_max + 1)
    exact = np.array([float(v) for v in rec.terms(n_max + 1)], dtype=np.float64)
    closed = rec.numeric_fast(n)
    roots, mults = rec.roots_float()
    for arr in (n, exact, closed, roots, mults):
        arr.setflags(write=False)
    return RecurrenceCurves(rec, n, exact, closed, roots, mults, float(np.max(np.abs(roots))))


def recurrence_curves(
    c1: float, c2: float, c3: float, initial: str | Sequence[float], n_max: int
) -> RecurrenceCurves:
    """The sequence, its closed form and its characteristic roots, for the explorer.

    Introduced in chapter 1 (Linear recurrences).

    a(n) = c₁·a(n−1) + c₂·a(n−2) + c₃·a(n−3). Trailing zero coefficients lower the order
    (c₃ = 0 gives an order-2 recurrence, which ignores a(2)). Coefficients and initial values
    are read exactly as the decimals they print as (``Fraction(str(v))``), so 0.5 is 1/2 and
    repeated roots are recognised exactly. Results are cached (read-only arrays).

    Parameters
    ----------
    c1, c2, c3 : float
        The coefficients; not all zero.
    initial : str or sequence of 3 numbers
        One of ``INITIAL_PRESETS`` (e.g. ``"0, 1, 1"``) or (a(0), a(1), a(2)).
    n_max : int ≥ 1
        The last index shown.

    Returns
    -------
    RecurrenceCurves

    Raises
    ------
    ValueError
        If every coefficient is 0, or if float64 cannot evaluate the closed form accurately
        (``numeric_fast``); OverflowError if |a(n)| leaves the float64 range.

    Examples
    --------
    >>> from bpcore.widgets.recurrence import recurrence_curves
    >>> curves = recurrence_curves(1.0, 1.0, 0.0, "0, 1, 1", 10)
    >>> float(curves.exact[-1]), round(float(curves.closed[-1]), 6), curves.recurrence.order
    (55.0, 55.0, 2)
    """
    coeffs = [
        Fraction(str(check_real(c, name))) for c, name in ((c1, "c1"), (c2, "c2"), (c3, "c3"))
    ]
    init = _parse_initial(initial)
    n_max = check_int(n_max, "n_max", minimum=1)
    while coeffs and coeffs[-1] == 0:
        coeffs.pop()
    if not coeffs:
        raise ValueError(
            "c1, c2 and c3 must not all be 0: then a(n) = 0 for every n ≥ 1 and there is "
            "nothing to draw on a log scale"
        )
    return _curves_cached(tuple(coeffs), tuple(init), n_max)


def _number(v: float) -> str:
    return f"{v:g}".replace("-", "−")


def _recurrence_text(rec: LinearRecurrence) -> str:
    parts = []
    for i, c in enumerate(rec.coefficients, start=1):
        if c == 0:
            continue
        mag = abs(float(c))
        body = f"a(n−{i})" if mag == 1 else f"{mag:g}·a(n−{i})"
        sign = "−" if c < 0 else "+"
        parts.append(("−" if c < 0 else "") + body if not parts else f" {sign} {body}")
    inits = ", ".join(_number(float(v)) for v in rec.initial)
    return f"a(n) = {''.join(parts)};  a(0…{rec.order - 1}) = {inits}"


def _root_text(r: complex) -> str:
    if abs(r.imag) < 1e-12:
        return _number(round(r.real, 3))
    return f"{r.real:.3g} ± {abs(r.imag):.3g}i".replace("-", "−")


# The complex-plane panel (below the sequence: panels are stacked for a phone column): a square
# of half-width `half` centred at (0.5, 0.2) in figure coordinates, 0.3 of the figure high.
_PANEL_CENTRE = (0.5, 0.2)
_PANEL_HALF_HEIGHT = 0.15


def _plane_xy(fig: Figure, half: float, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    width, height = fig.get_size_inches()
    sy = _PANEL_HALF_HEIGHT / half
    sx = sy * height / width  # equal aspect: one unit is as long across as up
    z = np.asarray(z, dtype=np.complex128)
    return _PANEL_CENTRE[0] + sx * z.real, _PANEL_CENTRE[1] + sy * z.imag


def _plane_line(fig: Figure, half: float, z: np.ndarray, **style: object) -> None:
    x, y = _plane_xy(fig, half, z)
    fig.add_artist(Line2D(x, y, **style))


def _plane_text(fig: Figure, half: float, z: complex, text: str, **style: object) -> None:
    x, y = _plane_xy(fig, half, np.array([z]))
    fig.text(float(x[0]), float(y[0]), text, fontsize=10, **style)


def _draw_recurrence(fig: Figure, c1: float, c2: float, c3: float, initial: str, n_max: int) -> str:
    curves = recurrence_curves(c1, c2, c3, initial, n_max)
    rec, rho = curves.recurrence, curves.rho

    # bottom: the complex plane, drawn straight onto the figure (no axes: ~20 ms cheaper)
    half = max(_PLANE, 1.1 * rho)
    theta = np.linspace(0.0, 2.0 * np.pi, 121)
    circle = np.exp(1j * theta)
    _plane_line(fig, half, np.array([-half, half]), color="0.75", lw=0.8)
    _plane_line(fig, half, np.array([-1j * half, 1j * half]), color="0.75", lw=0.8)
    _plane_line(fig, half, circle, color="0.45", lw=1)
    _plane_line(fig, half, rho * circle, color="C3", lw=0.8, ls="--")
    _plane_line(fig, half, curves.roots, marker="x", ls="none", ms=8, mew=2, color="C3")
    for r, m in zip(curves.roots, curves.multiplicities, strict=True):
        if m > 1:
            _plane_text(fig, half, r + (0.15 + 0.2j) * half / _PLANE, f"×{m}", color="C3")
    _plane_text(fig, half, 1.05 - 0.4j * half / _PLANE, "1")
    _plane_text(fig, half, half + 0.12j * half / _PLANE, "Re", ha="right")
    _plane_text(fig, half, (0.12 + 0.85j) * half, "Im")
    fig.text(
        0.5,
        0.4,
        rf"$\times$ roots, unit circle, dashed: radius $\rho = {rho:.3g}$",
        ha="center",
        fontsize=10,
    )

    # top: log10 |a(n)| on a linear axis (the picture of a log axis, several times faster)
    ax2 = fig.add_axes((0.16, 0.53, 0.8, 0.33))
    nonzero = curves.exact != 0
    n = curves.n[nonzero]
    log_exact = np.log10(np.abs(curves.exact[nonzero]))
    log_closed = np.log10(np.abs(curves.closed[nonzero]))
    ax2.plot(n, log_exact, "-", lw=1.5, label="iteration")
    ax2.plot(n, log_closed, "o", ms=4, mfc="none", label="closed form")
    if n.size:
        # a line of slope log10 ρ through the last point: the growth rate the theory predicts
        ax2.plot(
            n,
            log_exact[-1] + (n - n[-1]) * np.log10(rho),
            ":",
            color="0.4",
            lw=1.2,
            label=r"slope of $\rho^n$",
        )
    ax2.set_xlabel(r"$n$")
    ax2.set_ylabel(r"$\log_{10}\,|a(n)|$")
    ax2.locator_params(nbins=5)
    # one line of text instead of a legend (a legend costs ~15 ms per redraw)
    fig.text(
        0.5,
        0.885,
        r"line: iteration, circles: closed form, dotted: slope of $\rho^n$",
        ha="center",
        fontsize=9.5,
        color="0.25",
    )
    fig.text(0.5, 0.955, _recurrence_text(rec), ha="center", va="center", fontsize=10)

    roots_text = curves.roots_text()
    where = "inside" if rho < 1 - 1e-12 else ("on" if rho <= 1 + 1e-12 else "outside")
    last = curves.exact[-1]
    return (
        f"Bottom: the characteristic roots {roots_text} of the order-{rec.order} recurrence "
        f"{_recurrence_text(rec)}, with spectral radius {rho:.3g}, {where} the unit circle. "
        f"Top: log-scale plot of |a(n)| for n = 0 to {n_max}; the closed form lies on the "
        f"iterated sequence, and a({n_max}) = {last:.4g}."
    )


def recurrence_explorer() -> Explorer:
    """Chapter 1 explorer: coefficients c₁, c₂, c₃ and initial values → roots and |a(n)|.

    Introduced in chapter 1 (Linear recurrences).

    Examples
    --------
    >>> from bpcore.widgets import recurrence_explorer
    >>> explorer = recurrence_explorer()
    >>> explorer.name, [control.name for control in explorer.controls]
    ('recurrence-explorer', ['c1', 'c2', 'c3', 'initial', 'n_max'])
    """
    return Explorer(
        name="recurrence-explorer",
        draw=_draw_recurrence,
        controls=[
            Control("c1", "$c_1$", COEFFICIENT_VALUES, default=1.0),
            Control("c2", "$c_2$", COEFFICIENT_VALUES, default=1.0),
            Control("c3", "$c_3$", COEFFICIENT_VALUES, default=0.0),
            Control("initial", "a(0), a(1), a(2)", INITIAL_PRESETS, default="0, 1, 1"),
            Control("n_max", "last n", (10, 20, 40, 60), default=40),
        ],
        caption=(
            r"A linear recurrence $a(n) = c_1 a(n-1) + c_2 a(n-2) + c_3 a(n-3)$ ($c_3 = 0$: "
            r"order 2). Top: $|a(n)|$ by iteration (line), the closed form "
            r"$\sum_r p_r(n)\, r^n$ evaluated in float64 (circles), and a line with the slope of "
            r"$\rho^n$. Bottom: its characteristic roots, the unit circle and the circle of "
            r"radius $\rho$, the spectral radius."
        ),
        figsize=STACKED_FIGSIZE,
    )
