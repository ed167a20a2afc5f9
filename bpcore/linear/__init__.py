"""Linear networks (being split into one module per idea, issue 16)."""

from bpcore.linear.closed_forms import *  # noqa: F403
from bpcore.linear.closed_forms import __all__  # noqa: F401
from bpcore.linear.closed_forms import (  # noqa: F401  private names other modules and tests use
    _bare_tied_recursion,
    _descent_directions,
    _exact_matrix,
)
