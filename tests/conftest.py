"""Fixtures: an app per test on SQLite (in memory) and, with TEST_DATABASE_URL, on PostgreSQL.

Every test that uses ``app`` runs once per database backend. PostgreSQL gets its schema once
per session and is emptied after each test; SQLite gets a fresh in-memory database per test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, g, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from scheduler import create_app
from scheduler.extensions import db
from tests.factories import DEFAULT_PASSWORD

PG_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])

# argon2 at its production cost takes tens of milliseconds per hash and per login; the suite
# signs in hundreds of times. Tests use the same algorithm (argon2id) at its cheapest setting.
from argon2 import PasswordHasher  # noqa: E402

from scheduler.accounts import registry as _accounts  # noqa: E402

_accounts._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
_accounts._DUMMY_HASH = _accounts._hasher.hash("not a real password, only for timing")


def base_config(url: str) -> dict[str, Any]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        # A fixed Fernet key for stored TOTP secrets; never used outside the tests.
        "SECRETS_KEY": "G2meZvXfTeWpuQImxcoXXI9ZFzw-DVDesG7AB53tWSM=",
        "DATABASE_URL": url,
        "WTF_CSRF_ENABLED": False,
        "MAIL_BACKEND": "memory",
        "RATELIMIT_STORAGE_URL": "memory://",
        "BASE_URL": "https://accompany.test",
        # Calendar UIDs end in @accompany.test; tests/feeds/test_feed_links.py covers the stored domain.
        "UID_DOMAIN": "accompany.test",
        # Staff 2FA is on by default; tests that exercise it turn it on (tests/security/).
        "REQUIRE_2FA_FOR_STAFF": False,
        # Every feed ETag reused from memory is checked against a fresh stamp query.
        "FEED_STAMP_VERIFY": True,
    }


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Iterator[str]:
    """The database backend this test runs on: "sqlite" or "postgresql"."""
    if request.param == "postgresql":
        app = create_app(base_config(PG_URL))
        with app.app_context():
            db.drop_all()
            _drop_alembic_version()
            db.create_all()
            db.engine.dispose()
    yield request.param


def _drop_alembic_version() -> None:
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture
def database_url(backend: str) -> str:
    return PG_URL if backend == "postgresql" else "sqlite://"


@pytest.fixture
def app_config(database_url: str) -> dict[str, Any]:
    """Override in a test module to change settings before the app is built."""
    return base_config(database_url)


class FreshRequestClient(FlaskClient):
    """A test client whose every request starts with an empty ``g``, as in production.

    The ``app`` fixture keeps one app context pushed for the whole test, and Flask reuses it
    for each request; without this, ``g`` would carry Flask-Login's current user and
    Flask-Babel's locale from one request (or one client) into the next.
    """

    def open(self, *args: Any, **kwargs: Any):
        if has_app_context():
            for name in list(g):
                g.pop(name)
        return super().open(*args, **kwargs)


@pytest.fixture
def app(app_config: dict[str, Any], backend: str) -> Iterator[Flask]:
    app = create_app(app_config)
    app.test_client_class = FreshRequestClient
    with app.app_context():
        if backend == "sqlite":
            db.create_all()
        yield app
        db.session.remove()
        if backend == "postgresql":
            _truncate_all()
        db.engine.dispose()


def _truncate_all() -> None:
    names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


class DeliveredMail(list):
    """The memory backend's sent list, which first delivers whatever the outbox table holds.

    The app writes mail to the outbox table in the request's transaction; a worker sends it.
    Reading this list runs that worker step (``outbox send``), so a test sees what a person
    would receive once the worker has run.
    """

    def __init__(self, backend: Any) -> None:
        super().__init__()
        self._backend = backend

    def _deliver(self) -> list:
        from scheduler.notifications.worker import send_once

        send_once()
        return self._backend.outbox

    def __len__(self) -> int:
        return len(self._deliver())

    def __iter__(self):
        return iter(self._deliver())

    def __getitem__(self, index):
        return self._deliver()[index]

    def __bool__(self) -> bool:
        return bool(self._deliver())

    def __eq__(self, other: object) -> bool:
        return self._deliver() == other

    def __repr__(self) -> str:
        return repr(self._backend.outbox)


@pytest.fixture
def outbox(app: Flask) -> list:
    """Messages the app sent during the test, once the outbox worker has run (memory backend)."""
    return DeliveredMail(app.extensions["mail"])


class AuthActions:
    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def login(self, email: str, password: str = DEFAULT_PASSWORD, remember: bool = False):
        data = {"email": email, "password": password}
        if remember:
            data["remember"] = "y"
        return self._client.post("/auth/login", data=data)

    def login_as(self, user) -> Any:
        response = self.login(user.email)
        assert response.status_code == 302, "login failed in a test helper"
        return response

    def logout(self):
        return self._client.post("/auth/logout")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def pg_engine():
    """A raw engine on the PostgreSQL test database, for tests that need several connections."""
    if not PG_URL:
        pytest.skip("needs TEST_DATABASE_URL (PostgreSQL)")
    engine = create_engine(PG_URL)
    yield engine
    engine.dispose()
