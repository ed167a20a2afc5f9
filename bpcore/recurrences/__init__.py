"""Recurrences that have closed forms: linear recurrences, Fibonacci/Binet, Akra–Bazzi.

Introduced in chapter 1 (Linear recurrences).

One module per idea; every public name is re-exported here, so
``from bpcore.recurrences import LinearRecurrence`` works whichever room it lives in:

* :mod:`~bpcore.recurrences.linear_recurrence` — ``LinearRecurrence``: a(n) = c₁·a(n−1) + … +
  c_k·a(n−k) with exact coefficients; exact terms, companion matrix, roots, closed form.
  It calls :mod:`~bpcore.recurrences.closed_form` (the exact closed form and its check,
  ``n_symbol``) and :mod:`~bpcore.recurrences.float_form` (the float64 closed form).
* :mod:`~bpcore.recurrences.fibonacci` — ``fibonacci`` (exact), ``binet`` (float64) and
  ``binet_failure_index``, the first n where rounding makes Binet's formula wrong.
* :mod:`~bpcore.recurrences.first_order` — ``first_order_product``: a(n+1) = cₙ·a(n) with a
  variable coefficient, whose closed form is a product.
* :mod:`~bpcore.recurrences.akra_bazzi` — ``akra_bazzi`` and ``AkraBazziResult``: Θ-bounds of
  T(x) = Σ aᵢ·T(bᵢx) + g(x), in the symbol ``x``;
  :mod:`~bpcore.recurrences.divide_and_conquer` evaluates T numerically
  (``akra_bazzi_evaluate``, ``akra_bazzi_real``).
"""

from bpcore.recurrences.akra_bazzi import AkraBazziResult, akra_bazzi, x
from bpcore.recurrences.closed_form import n_symbol
from bpcore.recurrences.divide_and_conquer import akra_bazzi_evaluate, akra_bazzi_real
from bpcore.recurrences.fibonacci import binet, binet_failure_index, fibonacci
from bpcore.recurrences.first_order import first_order_product
from bpcore.recurrences.linear_recurrence import LinearRecurrence

__all__ = [
    "AkraBazziResult",
    "LinearRecurrence",
    "akra_bazzi",
    "akra_bazzi_evaluate",
    "akra_bazzi_real",
    "binet",
    "binet_failure_index",
    "fibonacci",
    "first_order_product",
    "n_symbol",
    "x",
]
