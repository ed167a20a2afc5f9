"""Print the largest bpcore modules and classes by line count (issue 16's size rules).

Run: ``.venv/bin/python benchmarks/code_size.py [N]`` (default N = 5). A module's size is its
line count; a class's size is the span from its first decorator or ``class`` line to its last
line. The measures and the limits (600 lines a module; 200 a class unless its docstring has a
line starting "Size:") are those of ``tests/test_code_health.py``, which enforces them.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from test_code_health import class_sizes, module_sizes  # the test's own measures


def main(n: int = 5) -> None:
    modules = module_sizes()
    print(f"bpcore: {len(modules)} modules, {sum(m for m, _ in modules)} lines")
    print(f"{n} largest modules:")
    for lines, name in modules[:n]:
        print(f"  {lines:5d}  {name}")
    print(f"{n} largest classes:")
    for lines, name in class_sizes()[:n]:
        print(f"  {lines:5d}  {name}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
