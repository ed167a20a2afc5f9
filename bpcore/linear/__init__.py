"""Linear networks: closed forms of the tied and untied recurrence, growth, and training.

Introduced in chapter 3 (Linear networks); the reply's formulas in chapter 0 (The question).

With the identity activation the backprop recurrence δ^(l) = (W^(l)ᵀ δ^(l+1)) ⊙ f'(z^(l)) is a
plain product of transposes, and with one tied W, δ after k backward steps is (Wᵀ)ᵏ δ_out.
One module per idea; every public name is re-exported here, so
``from bpcore.linear import tied_delta`` and ``from bpcore import linear`` keep working:

* :mod:`~bpcore.linear.closed_forms` — ``tied_delta`` (from a decomposition, never silently
  inaccurate: ``ACCURACY_TARGET``, ``EIG_BOUND_LIMIT``, ``TiedDelta``) and ``untied_delta``.
* :mod:`~bpcore.linear.exact_powers` — ``symbolic_tied_delta``: (Wᵀ)ᵏ exactly in the symbol k.
* :mod:`~bpcore.linear.reply` — ``reply_formula``, ``rtdr_formula``, ``rtdr_from_symmetric``:
  the Q&A reply's formulas, reproduced to show where they hold.
* :mod:`~bpcore.linear.growth` — ``spectral_radius``, ``delta_norms``, ``linear_delta_norms``,
  ``gelfand_sequence``, ``time_tied_delta``.
* :mod:`~bpcore.linear.lyapunov` — random products: ``lyapunov_exponent_gaussian`` (+ ``_exact``),
  ``lyapunov_spectrum_gaussian`` (+ ``_exact``), ``LyapunovEstimate``.
* :mod:`~bpcore.linear.training` — Saxe, McClelland & Ganguli (2014): ``saxe_mode_trajectory``,
  ``saxe_learning_time``, ``saxe_deep_mode_ode``, ``train_linear_network``
  (``LinearTrainingRun``), ``saxe_simulation``.

Row convention (as in ``bpcore.backprop``): vectors are rows, so (Wᵀ)ᵏ δ is ``delta @ W**k``.
"""

from bpcore.linear.closed_forms import (
    ACCURACY_TARGET,
    EIG_BOUND_LIMIT,
    TiedDelta,
    tied_delta,
    untied_delta,
)
from bpcore.linear.exact_powers import symbolic_tied_delta
from bpcore.linear.growth import (
    delta_norms,
    gelfand_sequence,
    linear_delta_norms,
    spectral_radius,
    time_tied_delta,
)
from bpcore.linear.lyapunov import (
    LyapunovEstimate,
    lyapunov_exponent_gaussian,
    lyapunov_exponent_gaussian_exact,
    lyapunov_spectrum_gaussian,
    lyapunov_spectrum_gaussian_exact,
)
from bpcore.linear.reply import reply_formula, rtdr_formula, rtdr_from_symmetric
from bpcore.linear.training import (
    LinearTrainingRun,
    saxe_deep_mode_ode,
    saxe_learning_time,
    saxe_mode_trajectory,
    saxe_simulation,
    train_linear_network,
)

__all__ = [
    "ACCURACY_TARGET",
    "EIG_BOUND_LIMIT",
    "LinearTrainingRun",
    "LyapunovEstimate",
    "TiedDelta",
    "delta_norms",
    "gelfand_sequence",
    "linear_delta_norms",
    "lyapunov_exponent_gaussian",
    "lyapunov_exponent_gaussian_exact",
    "lyapunov_spectrum_gaussian",
    "lyapunov_spectrum_gaussian_exact",
    "reply_formula",
    "rtdr_formula",
    "rtdr_from_symmetric",
    "saxe_deep_mode_ode",
    "saxe_learning_time",
    "saxe_mode_trajectory",
    "saxe_simulation",
    "spectral_radius",
    "symbolic_tied_delta",
    "tied_delta",
    "time_tied_delta",
    "train_linear_network",
    "untied_delta",
]

# Private names that other modules and the tests import from here (``bpcore.impossibility``
# uses _exact_matrix, tests/test_linear.py the other two); the aliases mark them as re-exports.
from bpcore.linear.exact_powers import _exact_matrix as _exact_matrix
from bpcore.linear.growth import _bare_tied_recursion as _bare_tied_recursion
from bpcore.linear.training import _descent_directions as _descent_directions
