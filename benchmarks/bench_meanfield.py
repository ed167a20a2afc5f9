"""Benchmark: wall time of chapter 6's mean-field simulations (bpcore.meanfield).

Not a test: run ``python3 benchmarks/bench_meanfield.py`` (optionally ``--repeats 5
--threads 1``). Each simulation is run ``repeats`` times; the median and the best wall time
are printed with the number it produces, so a reader can see both the cost and what it buys.
BLAS threads are set before numpy is imported (``--threads``, default 1: the matrices are
small, and on a shared 2-core machine extra BLAS threads only contend).

Introduced in chapter 6 (Approximations that work).
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def timed(fn: Callable[[], object], repeats: int) -> tuple[float, float, object]:
    """(median, best, last result) of ``repeats`` calls."""
    times = []
    out = None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), min(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)

    from bpcore import meanfield as mf

    swc = mf.critical_sigma_w("tanh", 0.05)
    cases: list[tuple[str, Callable[[], object], Callable[[object], str]]] = [
        (
            "critical_sigma_w tanh, sigma_b = 0.05, 0.3, 1.0",
            lambda: [mf.critical_sigma_w("tanh", sb) for sb in (0.05, 0.3, 1.0)],
            lambda r: ", ".join(f"{v:.4f}" for v in r),
        ),
        (
            "depth_scales tanh (2.5, 0.3)",
            lambda: mf.depth_scales("tanh", 2.5, 0.3),
            lambda r: f"chi1 = {r.chi1:.4f}, c* = {r.c_star:.4f}, xi_c = {r.xi_c:.3f}",
        ),
    ]
    for act, sw, sb in [
        ("tanh", 1.0, 0.05),
        ("tanh", 1.5, 0.05),
        ("tanh", 2.5, 0.3),
        ("relu", math.sqrt(2.0), 0.0),
    ]:
        for readout in ("random", "squared_error"):
            cases.append(
                (
                    f"gradient_norms {act} ({sw:.4g}, {sb}) 300 x 30, 4 nets x 16, {readout}",
                    lambda act=act, sw=sw, sb=sb, ro=readout: mf.gradient_norms(
                        act, sw, sb, 300, 30, readout=ro
                    ),
                    lambda r: (
                        f"rate/chi1 = {r.rate / r.chi1:.4f}, top/chi1 = "
                        f"{r.top_ratio / r.chi1:.3f}, mean[l=2] = {r.mean[0]:.3g} "
                        f"(pred {r.predicted[0]:.3g})"
                    ),
                )
            )
    cases.append(
        (
            "gradient_norms relu critical 400 x 40, squared_error",
            lambda: mf.gradient_norms(
                "relu", math.sqrt(2.0), 0.0, 400, 40, readout="squared_error"
            ),
            lambda r: f"growth over 40 layers = {r.mean[0]:.1f}x (mean field: 1)",
        )
    )
    for act, sw, sb in [("identity", 1.0, 0.0), ("tanh", swc, 0.05), ("relu", math.sqrt(2), 0.0)]:
        for init in ("gaussian", "orthogonal"):
            cases.append(
                (
                    f"jacobian_spectrum {act} {init} 400 x 10, 2 nets",
                    lambda act=act, sw=sw, sb=sb, init=init: mf.jacobian_spectrum(
                        act, sw, sb, 400, 10, init=init, n_nets=2
                    ),
                    lambda r: (
                        f"m1, m2 = {r.moments[0]:.3f}, {r.moments[1]:.3f} "
                        f"(free prob. {r.predicted[0]:.3f}, {r.predicted[1]:.3f})"
                    ),
                )
            )
    cases.append(
        (
            "jacobian_spectrum identity gaussian 1000 x 3 (Fuss-Catalan)",
            lambda: mf.jacobian_spectrum("identity", 1.0, 0.0, 1000, 3),
            lambda r: (
                "moments/FC - 1 = " + ", ".join(f"{v:+.3f}" for v in r.moments / r.fuss_catalan - 1)
            ),
        )
    )
    for widths, nets in (([4] * 11, 400), ([32] * 11, 200), ([256] * 4, 40)):
        cases.append(
            (
                f"log_norm_variance {widths[0]} x {len(widths) - 1}, {nets} nets x 16",
                lambda w=widths, n=nets: mf.log_norm_variance(w, n_nets=n, n_inputs=16),
                lambda r: (
                    f"Var = {r.variance:.4g} +- {r.stderr:.2g}, exact {r.exact:.4g}, "
                    f"5 sum 1/n = {r.asymptotic:.4g}, dead {r.n_dead}"
                ),
            )
        )
    print(f"bench_meanfield: {args.repeats} repeats, {args.threads} BLAS thread(s)")
    for name, fn, show in cases:
        med, best, out = timed(fn, args.repeats)
        print(f"{med:7.3f} s (best {best:.3f})  {name}: {show(out)}")


if __name__ == "__main__":
    main()
