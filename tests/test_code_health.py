"""The size and example rules of issue 16, checked over every module of bpcore.

* every public function and class (a top-level ``def``/``class`` whose name does not start with
  ``_``) has a numpydoc ``Examples`` section with at least one ``>>>`` line (the suite runs
  them: ``--doctest-modules`` in pyproject.toml);
* no module is over :data:`MAX_MODULE_LINES` lines;
* no class is over :data:`MAX_CLASS_LINES` lines unless its docstring has a line starting
  ``Size:`` that gives the reason.

Each test lists every offender, one per line (``path:line  name  what is wrong``).
``benchmarks/code_size.py`` prints the largest modules and classes with the same measures.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "bpcore"
MAX_MODULE_LINES = 600
MAX_CLASS_LINES = 200
_EXAMPLES = re.compile(r"^[ \t]*Examples[ \t]*\n[ \t]*-{3,}[ \t]*\n(.*)", re.M | re.S)


def modules(root: Path = PACKAGE) -> list[Path]:
    """Every .py file of the package, sorted."""
    return sorted(root.rglob("*.py"))


def _name(path: Path, root: Path = PACKAGE) -> str:
    return path.relative_to(root.parent).as_posix()


def module_sizes(root: Path = PACKAGE) -> list[tuple[int, str]]:
    """(lines, path) of every module, largest first."""
    rows = [
        (len(p.read_text(encoding="utf-8").splitlines()), _name(p, root)) for p in modules(root)
    ]
    return sorted(rows, reverse=True)


def classes(root: Path = PACKAGE) -> list[tuple[Path, ast.ClassDef, int]]:
    """(path, class node, lines) of every class, nested ones included; decorators count."""
    rows = []
    for path in modules(root):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                start = min([node.lineno] + [d.lineno for d in node.decorator_list])
                rows.append((path, node, node.end_lineno - start + 1))
    return rows


def class_sizes(root: Path = PACKAGE) -> list[tuple[int, str]]:
    """(lines, path:Class) of every class, largest first."""
    return sorted(((n, f"{_name(p, root)}:{c.name}") for p, c, n in classes(root)), reverse=True)


def has_example(doc: str | None) -> bool:
    """Whether a docstring has an ``Examples`` section (title, dashes) with a ``>>>`` line."""
    match = _EXAMPLES.search(doc or "")
    return bool(match) and any(line.lstrip().startswith(">>>") for line in match[1].splitlines())


def _report(title: str, offenders: list[str]) -> str:
    return f"{len(offenders)} {title}:\n  " + "\n  ".join(offenders)


def test_every_public_function_and_class_has_a_runnable_example() -> None:
    offenders = []
    for path in modules():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            public = isinstance(node, ast.FunctionDef | ast.ClassDef) and not node.name.startswith(
                "_"
            )
            if public and not has_example(ast.get_docstring(node)):
                kind = "class" if isinstance(node, ast.ClassDef) else "function"
                offenders.append(
                    f"{_name(path)}:{node.lineno}  {kind} {node.name}  no Examples with >>>"
                )
    if offenders:
        pytest.fail(_report("public names without an Examples section", offenders), pytrace=False)


def test_no_module_is_over_the_size_limit() -> None:
    offenders = [f"{name}  {n} lines" for n, name in module_sizes() if n > MAX_MODULE_LINES]
    if offenders:
        pytest.fail(_report(f"modules over {MAX_MODULE_LINES} lines", offenders), pytrace=False)


def test_no_class_is_over_the_size_limit_without_a_reason() -> None:
    offenders = []
    for path, node, n in classes():
        doc = ast.get_docstring(node) or ""
        reason = any(line.strip().startswith("Size:") for line in doc.splitlines())
        if n > MAX_CLASS_LINES and not reason:
            offenders.append(
                f"{_name(path)}:{node.lineno}  class {node.name}  {n} lines, no 'Size:'"
            )
    if offenders:
        pytest.fail(_report(f"classes over {MAX_CLASS_LINES} lines", offenders), pytrace=False)


def test_the_checks_can_fail(tmp_path: Path) -> None:
    """The measures flag what they should: a missing example, a long module, a long class."""
    assert has_example("Sum.\n\nExamples\n--------\n>>> 1 + 1\n2\n")
    assert not has_example("Sum.\n\nExamples\n--------\nSee the chapter.\n")
    assert not has_example(">>> 1 + 1\n2\n")  # a >>> line outside an Examples section
    body = "\n".join(f"    x{k} = {k}" for k in range(MAX_CLASS_LINES))
    (tmp_path / "big.py").write_text(f'class Big:\n    """No reason."""\n{body}\n' + "\n" * 400)
    assert module_sizes(tmp_path) == [(MAX_CLASS_LINES + 402, f"{tmp_path.name}/big.py")]
    assert class_sizes(tmp_path) == [(MAX_CLASS_LINES + 2, f"{tmp_path.name}/big.py:Big")]
