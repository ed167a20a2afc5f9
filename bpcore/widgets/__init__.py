"""Interactive figures: live ipywidgets in a kernel, scrubbable static HTML on the website.

The machinery is in :mod:`bpcore.widgets.explorer`; each chapter's explorers are in a module of
this package named for its topic, and every ``*_explorer`` factory is re-exported here.
"""

from bpcore.widgets.approximations import ntk_explorer, phase_diagram_explorer
from bpcore.widgets.depth import depth_explorer, linear_delta_norms
from bpcore.widgets.dynamics import chain_closed_form, relu_regions_explorer, tied_chain_explorer
from bpcore.widgets.explorer import (
    Control,
    Explorer,
    LiveAndStatic,
    Scrubber,
    math_html,
    plain_text,
)
from bpcore.widgets.impossibility import jsr_explorer, stack_machine_explorer, stack_machine_run
from bpcore.widgets.linear import saxe_explorer, tied_explorer
from bpcore.widgets.network import NETWORK_ACTIVATIONS, delta_profile, network_explorer
from bpcore.widgets.recurrence import recurrence_curves, recurrence_explorer

__all__ = [
    "NETWORK_ACTIVATIONS",
    "Control",
    "Explorer",
    "LiveAndStatic",
    "Scrubber",
    "chain_closed_form",
    "delta_profile",
    "depth_explorer",
    "jsr_explorer",
    "linear_delta_norms",
    "math_html",
    "network_explorer",
    "ntk_explorer",
    "phase_diagram_explorer",
    "plain_text",
    "recurrence_curves",
    "recurrence_explorer",
    "relu_regions_explorer",
    "saxe_explorer",
    "stack_machine_explorer",
    "stack_machine_run",
    "tied_chain_explorer",
    "tied_explorer",
]
