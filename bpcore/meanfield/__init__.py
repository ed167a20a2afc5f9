"""Mean-field theory of deep random networks (being split into concept modules)."""

from bpcore.meanfield.maps import *  # noqa: F403
from bpcore.meanfield.maps import INITS, READOUTS, __all__  # noqa: F401
