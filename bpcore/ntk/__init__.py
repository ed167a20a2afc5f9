"""The neural tangent kernel of wide ReLU networks (being split into concept modules)."""

from bpcore.ntk.kernels import *  # noqa: F403
from bpcore.ntk.kernels import __all__  # noqa: F401
