"""Files small enough to hold one job, functions short enough to read at once.

No module of `dispatch` over 400 lines and no function over 60, except where length is the
nature of the thing: the migrations (a schema as it was on one day), the Line-API table widget
(one class drawing lines by hand, measured for speed).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "dispatch"
MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 60


def _exempt_file(path: Path) -> bool:
    parts = path.relative_to(PACKAGE).parts
    return "migrations" in parts or parts == ("widgets", "fast_table.py")


def _exempt_function(path: Path) -> bool:
    parts = path.relative_to(PACKAGE).parts
    return "migrations" in parts


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_the_package_is_where_the_test_looks() -> None:
    assert (PACKAGE / "__init__.py").is_file() and len(_modules()) > 50


@pytest.mark.parametrize(
    "path",
    [p for p in _modules() if not _exempt_file(p)],
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_no_file_over_400_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_FILE_LINES, f"{path.relative_to(PACKAGE)} has {lines} lines"


def test_no_function_over_60_lines() -> None:
    long = []
    for path in _modules():
        if _exempt_function(path):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                assert node.end_lineno is not None
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name} {length}")
    assert not long, "functions over 60 lines:\n" + "\n".join(long)
