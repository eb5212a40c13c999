"""While the database cannot be reached: a short 503 in the person's language, never a 500."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text

from scheduler import create_app
from scheduler.extensions import db
from tests.conftest import FreshRequestClient, base_config
from tests.faults.helpers import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def unreachable_url(backend: str, tmp_path: Path) -> str:
    if backend == "postgresql":
        return f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/accompany_gone"
    return f"sqlite:///{tmp_path / 'no-such-directory' / 'gone.sqlite3'}"


@pytest.fixture
def down_app(unreachable_url: str) -> Flask:
    app = create_app({**base_config(unreachable_url), "DB_CONNECT_TIMEOUT": 2})
    app.test_client_class = FreshRequestClient
    return app


def _signed_in(app: Flask, **headers: Any):
    client = app.test_client()
    with client.session_transaction() as session:
        # A signed-in volunteer ("<id>.<version>.<session token>") whose record cannot be read now.
        session["_user_id"] = "1.0.a-session-token-the-database-cannot-check"
        session["_fresh"] = True
    return client


def _assert_unavailable(response, *texts: str) -> str:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    page = response.get_data(as_text=True)
    for expected in texts:
        assert expected in page
    return page


def test_pages_answer_503_with_the_apps_own_page(down_app: Flask) -> None:
    client = _signed_in(down_app)
    page = _assert_unavailable(
        client.get("/shifts"),
        "We can't reach our records for a moment",
        "Nothing was lost. Please try again in a minute.",
    )
    assert 'class="site-header"' in page  # the app's layout, rendered for a visitor
    assert "Internal Server Error" not in page and "Traceback" not in page
    assert 'href="/shifts"' in page  # "Try again" goes back where the person was


def test_the_page_is_in_the_persons_language(down_app: Flask) -> None:
    client = _signed_in(down_app)
    response = client.get("/shifts", headers={"Accept-Language": "es"})
    _assert_unavailable(
        response,
        "No podemos consultar nuestros registros en este momento",
        "No se perdió nada. Vuelva a intentarlo en un minuto.",
    )


def test_a_form_sent_while_away_keeps_what_was_typed_but_not_the_password(down_app: Flask) -> None:
    client = down_app.test_client()
    response = client.post("/auth/login", data={"email": "maria@example.org", "password": "typed-secret-123"})
    page = _assert_unavailable(response, "What you typed is kept")
    assert 'name="email" value="maria@example.org"' in page
    assert "typed-secret-123" not in page
    assert 'action="/auth/login"' in page


def test_calendar_feeds_get_a_plain_503(down_app: Flask) -> None:
    response = down_app.test_client().get("/feeds/" + "x" * 43 + ".ics")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    assert response.mimetype == "text/plain"


def test_health_check_says_503_with_retry_after(down_app: Flask) -> None:
    response = down_app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "reason": "database unavailable"}
    assert response.headers["Retry-After"] == "60"


def test_the_log_says_what_failed_without_a_stack_trace(down_app: Flask, caplog) -> None:
    with caplog.at_level("WARNING"):
        _signed_in(down_app).get("/shifts")
    messages = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("database unavailable on") for m in messages)
    assert not any(r.exc_info for r in caplog.records)


# --- bounded waits ---------------------------------------------------------------------------


@pytest.fixture
def app_config(database_url: str) -> dict[str, Any]:
    return {**base_config(database_url), "DB_LOCK_TIMEOUT": 0.25, "DB_STATEMENT_TIMEOUT": 2}


@pytest.mark.committed  # opens a connection of its own
def test_every_connection_has_a_lock_and_a_statement_timeout(app: Flask, backend: str) -> None:
    with db.engine.connect() as conn:
        if backend == "postgresql":
            assert conn.execute(text("SHOW lock_timeout")).scalar() == "250ms"
            assert conn.execute(text("SHOW statement_timeout")).scalar() == "2s"
            assert conn.execute(text("SHOW jit")).scalar() == "off"  # 7 s compiling the month calendar
        else:
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 250


def test_the_default_bounds_stay_below_gunicorns_worker_timeout() -> None:
    gunicorn = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    app = create_app(base_config("sqlite://"))
    config = app.config
    assert config["DB_LOCK_TIMEOUT"] == 3 and config["DB_STATEMENT_TIMEOUT"] == 15
    worst = config["DB_CONNECT_TIMEOUT"] + config["DB_STATEMENT_TIMEOUT"]
    assert worst < gunicorn["timeout"]
    pg = create_app(base_config("postgresql+psycopg://postgres@127.0.0.1/unused")).config
    connect_args = pg["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]
    assert connect_args["connect_timeout"] == 3
    assert "-c lock_timeout=3000" in connect_args["options"]
    assert "-c statement_timeout=15000" in connect_args["options"]
    assert "-c jit=off" in connect_args["options"]
    assert pg["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True
