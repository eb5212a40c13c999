"""The domain layer stays plain Python, so its rules can be tested and reused without a server."""

import ast
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[2] / "scheduler" / "domain"
FORBIDDEN = ("flask", "flask_", "sqlalchemy", "werkzeug", "scheduler.models", "scheduler.extensions")


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def test_domain_modules_import_no_framework():
    files = sorted(DOMAIN.rglob("*.py"))
    assert files, "the domain package is missing"
    offenders = {
        f"{path.name}: {name}" for path in files for name in _imports(path) if name.startswith(FORBIDDEN)
    }
    assert offenders == set()
