"""Small helpers for the readable reprs of bpcore's result objects."""

from __future__ import annotations

import numpy as np


def short_array(arr: object) -> str:
    """An array as a short, rounded string for a ``__repr__`` (6 digits, at most 4 entries)."""
    return np.array2string(np.asarray(arr), precision=6, threshold=8, edgeitems=2)
