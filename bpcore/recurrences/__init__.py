"""Recurrences that have closed forms (being split into one module per idea, issue 16)."""

from bpcore.recurrences.linear_recurrence import *  # noqa: F403
from bpcore.recurrences.linear_recurrence import __all__  # noqa: F401
