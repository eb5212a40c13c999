"""Service modules are plain Python: no Flask, and they never call the notifications package.

A service records what happened (``scheduler/events.py``); ``scheduler/notifications/`` turns
it into mail. Settings reach services as plain objects built by the views. ``SERVICE_MODULES``
is the list of the import-linter contract "services" (.importlinter); this test also checks
imports inside functions and under TYPE_CHECKING, and fails when a new module under an area
is neither listed nor view side, so the list cannot fall behind.
"""

from __future__ import annotations

import ast
import configparser
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "scheduler"


def _contract_modules() -> tuple[str, ...]:
    """The services contract's list in .importlinter: one list, read by lint-imports and here."""
    parser = configparser.ConfigParser()
    parser.read(ROOT.parent / ".importlinter")
    return tuple(parser["importlinter:contract:services"]["source_modules"].split())


SERVICE_MODULES = _contract_modules()

# View side of an area: blueprints, forms, flash texts, CLI commands and the Flask glue.
VIEW_SIDE = re.compile(r"^(views|forms|messages|cli|web|__init__)\.py$|_(views|forms)\.py$")
# The consumer: composes and sends with Flask (templates, Babel, URL building).
CONSUMER = {
    "scheduler.notifications.compose",
    "scheduler.notifications.dispatch",
    "scheduler.notifications.handlers",
    "scheduler.notifications.ics",
    "scheduler.notifications.links",
    "scheduler.notifications.scheduled",
    # Hands alerts to the channels (the outbox today); the consumer's sending side.
    "scheduler.notifications.urgent",
    "scheduler.notifications.worker",
}
# api: the JSON API is presentation in full, like web (it calls services, decides nothing).
NOT_AREAS = {"api", "domain", "models", "web", "demo", "translations", "data"}

# Flask itself and its extensions, plus the project's modules that need an app or a request.
FORBIDDEN = (
    "flask",
    "flask_",
    "werkzeug",
    "scheduler.notifications",
    "scheduler.web",
    "scheduler.extensions",
    "scheduler.i18n",
    "scheduler.urls",
    "scheduler.config",
    "scheduler.logredact",
)
# Plain modules of the notifications package may use each other.
ALLOWED = {
    "scheduler.notifications.leases",
    "scheduler.notifications.outbox",
    "scheduler.notifications.preferences",
    "scheduler.notifications.sending",
}
# The channel providers (scheduler/notifications/channels) are plain modules of that package too.
ALLOWED |= {m for m in SERVICE_MODULES if m.startswith("scheduler.notifications.channels.")}


def _path(module: str) -> Path:
    return ROOT.parent / (module.replace(".", "/") + ".py")


def _imports(module: str) -> set[str]:
    """Every module an import statement names, wherever it sits (functions and TYPE_CHECKING too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(_path(module).read_text(), str(_path(module)))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _forbidden(name: str) -> bool:
    if name in ALLOWED or name.rsplit(".", 1)[0] in ALLOWED:
        return False
    return any(name == f or name.startswith(f if f.endswith("_") else f + ".") for f in FORBIDDEN)


@pytest.mark.parametrize("module", SERVICE_MODULES)
def test_a_service_module_imports_no_flask_and_not_the_notifications(module: str) -> None:
    bad = sorted(name for name in _imports(module) if _forbidden(name))
    assert bad == [], f"{module} imports {bad}"


def test_every_module_of_an_area_is_a_service_or_view_side() -> None:
    unlisted = []
    for area in sorted(p for p in ROOT.iterdir() if (p / "__init__.py").exists() and p.name not in NOT_AREAS):
        for path in sorted(area.glob("*.py")):
            module = f"scheduler.{area.name}.{path.stem}"
            if VIEW_SIDE.search(path.name) or module in CONSUMER or module in SERVICE_MODULES:
                continue
            unlisted.append(module)
    assert unlisted == [], (
        "classify these: list them in .importlinter's services contract, or make them view side"
    )


def test_the_check_catches_a_flask_import(tmp_path, monkeypatch) -> None:
    """The checker itself: a planted import of each kind is found."""
    fake = tmp_path / "scheduler" / "fake.py"
    fake.parent.mkdir()
    fake.write_text(
        "from flask import current_app\nimport flask_babel\n"
        "def later():\n    from scheduler.notifications import messages\n"
    )
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path / "scheduler")
    assert sorted(n for n in _imports("scheduler.fake") if _forbidden(n)) == [
        "flask",
        "flask.current_app",
        "flask_babel",
        "scheduler.notifications",
        "scheduler.notifications.messages",
    ]
