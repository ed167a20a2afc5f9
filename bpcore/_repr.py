"""Small helpers for the readable reprs of bpcore's result objects."""

from __future__ import annotations

import numpy as np


def short_array(arr: object) -> str:
    """An array as a short, rounded string for a ``__repr__`` (6 digits, at most 4 entries).

    Examples
    --------
    >>> from bpcore._repr import short_array
    >>> short_array([1 / 3, 2.0, 1e-9])
    '[3.333333e-01 2.000000e+00 1.000000e-09]'
    >>> short_array(range(10))
    '[0 1 ... 8 9]'
    """
    return np.array2string(np.asarray(arr), precision=6, threshold=8, edgeitems=2)
