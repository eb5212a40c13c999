"""Views stay short: every route function under scheduler/ is at most 25 lines, def to end."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "scheduler"
MAX_LINES = 25
ROUTE_DECORATORS = {"route", "get", "post", "put", "patch", "delete"}


def _is_route(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Decorated with ``<blueprint or app>.route(...)``, ``.get(...)``, ``.post(...)`` and the like."""
    return any(
        isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr in ROUTE_DECORATORS
        for d in node.decorator_list
    )


def route_lengths(source: str) -> dict[str, int]:
    """Each route function's name and its length from its ``def`` line through its last line."""
    return {
        node.name: node.end_lineno - node.lineno + 1
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and _is_route(node)
    }


def test_the_check_sees_a_long_route_and_ignores_long_helpers() -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(30))
    source = f"@bp.get('/a')\n@login_required\ndef long_view():\n{body}\n\ndef helper():\n{body}\n"
    assert route_lengths(source) == {"long_view": 31}


def test_every_route_function_is_short() -> None:
    found = 0
    too_long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for name, lines in route_lengths(path.read_text(encoding="utf-8")).items():
            found += 1
            if lines > MAX_LINES:
                too_long.append(f"{path.relative_to(PACKAGE.parent)}:{name} has {lines} lines")
    assert found > 50, "no route functions found: has the package moved?"
    assert too_long == [], "views past 25 lines (move the work into helpers or services):\n" + "\n".join(
        too_long
    )
