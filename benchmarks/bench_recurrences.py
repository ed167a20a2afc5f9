"""Benchmark: F(10⁶) three ways (not a timed test; run as a script).

    python3 benchmarks/bench_recurrences.py

Times ``bpcore.recurrences.fibonacci`` (fast doubling), ``sympy.fibonacci`` (mpmath's
``ifib``) and ``LinearRecurrence([1, 1], [0, 1]).term`` (companion-matrix power in
Cayley–Hamilton form) on the same n in the same run, best of a few repeats with
``time.perf_counter``; for information also the explicit 2×2 matrix power
``companion_power``. Checks the values are equal and prints the ratios to sympy. sympy
caches function values, so its cache is cleared before every repeat. Chapter 1 (Linear recurrences).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import sympy as sp
from sympy.core.cache import clear_cache

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bpcore.recurrences import LinearRecurrence, fibonacci

N = 10**6
REPEATS = 5


def best_of(fn: Callable[[], object], repeats: int = REPEATS) -> tuple[float, object]:
    """Smallest wall time over ``repeats`` calls, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeats):
        clear_cache()
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    fib_rec = LinearRecurrence([1, 1], [0, 1])
    t_fast, v_fast = best_of(lambda: fibonacci(N))
    t_sympy, v_sympy = best_of(lambda: int(sp.fibonacci(N)))
    t_term, v_term = best_of(lambda: fib_rec.term(N))
    # for information: the explicit 2×2 matrix Cᴺ = [[F(N+1), F(N)], [F(N), F(N-1)]]
    t_matrix, v_matrix = best_of(lambda: int(fib_rec.companion_power(N)[0, 1]), repeats=3)
    if not (v_fast == v_sympy == v_term == v_matrix):
        raise SystemExit("MISMATCH: the values of F(10**6) differ")
    bits = v_fast.bit_length()
    print(f"F({N}) has {bits} bits (about {int(bits * 0.30103) + 1} decimal digits)")
    print(f"{'method':<42}{'best [s]':>10}{'/ sympy':>10}")
    for name, t in [
        ("bpcore fibonacci (fast doubling)", t_fast),
        ("sympy.fibonacci", t_sympy),
        ("LinearRecurrence([1,1],[0,1]).term", t_term),
        ("  (explicit matrix: companion_power(N))", t_matrix),
    ]:
        print(f"{name:<42}{t:>10.4f}{t / t_sympy:>10.2f}")
    print("all values equal: True")


if __name__ == "__main__":
    main()
