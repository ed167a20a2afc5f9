"""Benchmark (not a timed test): widget redraw time at the most extreme settings.

Budget: ≤ 100 ms per redraw on 2 cores. Every ``*_explorer`` factory exported by
``bpcore.widgets`` is measured at the first and last value of each of its controls (best of 5).

    .venv/bin/python benchmarks/bench_widgets.py
"""

from __future__ import annotations

from bpcore import widgets

BUDGET_S = 0.100


def main() -> None:
    factories = [
        (name, getattr(widgets, name)) for name in widgets.__all__ if name.endswith("_explorer")
    ]
    worst = 0.0
    for name, factory in factories:
        explorer = factory()
        explorer.render()  # warm-up: fonts, caches
        for setting, seconds in explorer.redraw_times(repeats=5).items():
            worst = max(worst, seconds)
            flag = "" if seconds <= BUDGET_S else "  OVER BUDGET"
            print(f"{name:28s} {setting:24s} {1000 * seconds:7.1f} ms{flag}")
    print(f"worst redraw: {1000 * worst:.1f} ms (budget {1000 * BUDGET_S:.0f} ms)")


if __name__ == "__main__":
    main()
