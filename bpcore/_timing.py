"""Wall-clock timing shared by the measured-cost helpers of chapters 2 and 3 (not public)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable


def min_call_time(fn: Callable[[], object], min_total: float) -> float:
    """Shortest of repeated calls of ``fn``, repeated until ``min_total`` seconds are spent.

    The minimum, not the mean: on a shared machine the noise only ever adds time.

    Examples
    --------
    >>> from bpcore._timing import min_call_time
    >>> t = min_call_time(lambda: sum(range(100)), 0.001)
    >>> 0 < t < 0.001
    True
    """
    best = math.inf
    total = 0.0
    while total < min_total or best == math.inf:
        start = time.perf_counter()
        fn()
        elapsed = time.perf_counter() - start
        best = min(best, elapsed)
        total += elapsed
    return best
