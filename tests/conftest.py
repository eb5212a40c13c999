"""Fixtures: the app on SQLite (in memory) and, with TEST_DATABASE_URL, on PostgreSQL.

Every test that uses ``app`` runs once per database backend. The app is built once per distinct
configuration and kept for the session (PostgreSQL's schema once per session, each SQLite app's
in-memory schema with the app), and each test runs in a transaction rolled back at its end.
Tests whose commits other connections must see are marked ``committed``; see ``app`` below.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, g, has_app_context
from flask.testing import FlaskClient
from limits.storage import MemoryStorage
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import NullPool

from scheduler import create_app, installation
from scheduler.extensions import db, limiter
from tests.factories import DEFAULT_PASSWORD

# Under pytest-xdist (`make test` runs two workers), each worker has a PostgreSQL database of its
# own, named after TEST_DATABASE_URL's with the worker's id added, made and dropped here: a test
# that really commits, or empties the tables after, must not touch another worker's rows.
_GIVEN_PG_URL = os.environ.get("TEST_DATABASE_URL")
_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
PG_URL = (
    make_url(_GIVEN_PG_URL)
    .set(database=f"{make_url(_GIVEN_PG_URL).database}_{_WORKER}")
    .render_as_string(hide_password=False)
    if _GIVEN_PG_URL and _WORKER
    else _GIVEN_PG_URL
)
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])

# argon2 at its production cost takes tens of milliseconds per hash and per login; the suite
# signs in hundreds of times. Tests use the same algorithm (argon2id) at its cheapest setting.
from argon2 import PasswordHasher  # noqa: E402

from scheduler.accounts import registry as _accounts  # noqa: E402

_accounts._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
_accounts._DUMMY_HASH = _accounts._hasher.hash("not a real password, only for timing")


# `make test` spreads the tests over two pytest-xdist workers. Tests that share something outside
# the process stay on one worker: the browser tests (one live server and one Chromium per worker
# that runs any) and the limiter tests on Redis (TEST_REDIS_URL's database is one for all, and
# they reset it). xdist's own ``xdist_group`` marks are not honoured under pytest 9 (the group
# goes into a node id that pytest no longer lets it rewrite), so the grouping is this scheduler.
_ONE_WORKER = {
    "tests/browser/": "browser",
    "tests/web/test_throttle.py": "redis",
    "tests/web/test_proxy_limits.py": "redis",
    "tests/feeds/test_feed_event_cache_shared.py": "redis",
}


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    from xdist.scheduler import LoadScopeScheduling

    class OneWorkerForSharedThings(LoadScopeScheduling):
        """Each test is a unit of its own, except the groups above, each one unit."""

        def _split_scope(self, nodeid: str) -> str:
            for prefix, group in _ONE_WORKER.items():
                if nodeid.startswith(prefix):
                    return group
            return nodeid

    return OneWorkerForSharedThings(config, log)


def pytest_configure(config: pytest.Config) -> None:
    """Compile the Spanish catalogue when the .mo is missing or stale, so `pytest` alone works.

    `make test` compiles it first (`make translations`). Done once, before any test (and, under
    xdist, in the main process before the workers start): many tests read Spanish pages.
    """
    if _WORKER:
        return
    po = Path(__file__).resolve().parents[1] / "scheduler/translations/es/LC_MESSAGES/messages.po"
    mo = po.with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        return
    with po.open("rb") as fh:
        catalog = read_po(fh, locale="es")
    tmp = mo.with_suffix(f".mo.{os.getpid()}.tmp")
    with tmp.open("wb") as fh:
        write_mo(fh, catalog)
    tmp.replace(mo)


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
    """The database backend this test runs on: "sqlite" or "postgresql".

    PostgreSQL gets its schema here, once per session (dropped first: a killed run leaves tables).
    Each SQLite app gets its own in-memory database, with its schema, when the app is built.
    """
    if request.param == "postgresql":
        if PG_URL != _GIVEN_PG_URL:
            _worker_database("CREATE")
        app = create_app(base_config(PG_URL))
        with app.app_context():
            db.drop_all()
            _drop_alembic_version()
            db.create_all()
            db.engine.dispose()
    yield request.param
    if request.param == "postgresql" and PG_URL != _GIVEN_PG_URL:
        for built in _APPS.values():
            _dispose(built.app)
        _worker_database("DROP")


def _worker_database(verb: str) -> None:
    """Make (after dropping a leftover) or drop this worker's database, from the given one."""
    name = make_url(PG_URL).database
    engine = create_engine(_GIVEN_PG_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            if verb == "CREATE":
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()


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


# -- one app per configuration, one transaction per test -----------------------------------------
#
# Building an app, its schema and its compiled templates cost more than most tests; they used to
# be built for every test. Now each distinct configuration gets one app for the whole session,
# and each test runs inside a transaction that is rolled back at its end, so no test sees
# another's rows. The app's own commits still happen: the session is joined to the test's
# transaction with ``join_transaction_mode="create_savepoint"``, so ``commit()`` releases a
# savepoint and ``rollback()`` returns to the last one, as the app expects.
#
# A test that needs commits another connection can see (threads, subprocesses, a second engine,
# a live server) is marked ``@pytest.mark.committed`` (or asks for ``pg_engine``): it runs on
# the same app with real transactions, and the tables are emptied after it.


class _JoinedSession(db.session.session_factory.class_):  # type: ignore[name-defined,misc]
    """Flask-SQLAlchemy's session, but one bound to a connection uses that connection.

    Flask-SQLAlchemy 3 picks the app's engine by table and ignores ``bind=``, which is how
    SQLAlchemy joins a session to an outer transaction; with no ``bind`` it behaves as before.
    """

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None and self.bind is not None:
            return self.bind
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


db.session.session_factory.class_ = _JoinedSession


@dataclass
class _BuiltApp:
    app: Flask
    config: dict[str, Any]  # as built: a test that changes app.config gets it back after
    extensions: frozenset[str]  # extension keys the app starts with; later ones are caches
    limiter: dict[str, Any]  # the global limiter's state as this app's init_app left it
    sqlite_savepoints: _PysqliteSavepoints | None


# Apps by configuration. Most tests share the default one; a module with its own ``app_config``
# gets its own; a per-test config (a temporary folder, an SMTP port) builds one each time, so the
# oldest are let go.
_APPS: OrderedDict[str, _BuiltApp] = OrderedDict()
_MAX_APPS = 12


def _built_app(config: dict[str, Any], *, shared: bool = True) -> _BuiltApp:
    key = repr(sorted(config.items()))
    if shared and key in _APPS:
        _APPS.move_to_end(key)
        return _APPS[key]
    app = create_app(config)
    app.test_client_class = FreshRequestClient
    with app.app_context():
        savepoints = _PysqliteSavepoints(db.engine) if _in_memory(db.engine) else None
        if db.engine.dialect.name == "sqlite":
            db.create_all()
    built = _BuiltApp(app, dict(app.config), frozenset(app.extensions), dict(vars(limiter)), savepoints)
    if shared:
        _APPS[key] = built
        while len(_APPS) > _MAX_APPS:
            _, old = _APPS.popitem(last=False)
            _dispose(old.app)
    return built


def _dispose(app: Flask) -> None:
    with app.app_context():
        db.engine.dispose()


def _in_memory(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite" and engine.url.database in (None, "", ":memory:")


class _PysqliteSavepoints:
    """SQLAlchemy's documented fix for SAVEPOINT on the sqlite3 driver, which begins lazily.

    Left alone, the driver starts a transaction only at the first write, so the outer
    transaction would not exist and a test's first ``RELEASE SAVEPOINT`` would commit. While
    on, the driver's own transaction handling is off and SQLAlchemy says BEGIN itself. A test
    that really commits turns it off, so it runs (and counts statements) as production does.
    Only the tests' in-memory databases (one connection each) are changed.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.on = True
        event.listen(engine, "connect", self._connect)
        event.listen(engine, "begin", self._begin)

    def _connect(self, dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    def _begin(self, connection: Any) -> None:
        if self.on:
            connection.exec_driver_sql("BEGIN")

    @contextmanager
    def off(self) -> Iterator[None]:
        self._switch(on=False)
        try:
            yield
        finally:
            self._switch(on=True)

    def _switch(self, *, on: bool) -> None:
        raw = self.engine.raw_connection()  # the in-memory database's one connection
        try:
            raw.driver_connection.isolation_level = None if on else ""  # "": the driver's default
        finally:
            raw.close()
        self.on = on


@contextmanager
def _rolled_back() -> Iterator[None]:
    """Every statement of the test, the app's commits included, inside one transaction undone after."""
    connection = db.engine.connect()
    outer = connection.begin()
    factory = db.session.session_factory
    before = dict(factory.kw)
    factory.configure(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield
    finally:
        db.session.remove()
        factory.kw = before
        if outer.is_active:
            outer.rollback()
        connection.close()


def _empty_tables() -> None:
    """After a test that really committed: remove its rows, as a rollback would have."""
    db.session.remove()
    tables = db.metadata.sorted_tables
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        with db.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        db.engine.dispose()  # connections a thread or a killed worker left behind
        return
    with db.engine.begin() as conn:
        for table in reversed(tables):
            conn.execute(table.delete())
        if conn.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'")).first():
            conn.execute(text("DELETE FROM sqlite_sequence"))


def _forget_the_test(built: _BuiltApp) -> None:
    """What a test leaves in the shared app besides rows: settings, caches, sent mail."""
    app = built.app
    app.config.clear()
    app.config.update(built.config)
    for key in set(app.extensions) - built.extensions:
        del app.extensions[key]
    outbox = getattr(app.extensions.get("mail"), "outbox", None)
    if outbox is not None:
        outbox.clear()
    installation._known.clear()


def _wants_commits(request: pytest.FixtureRequest) -> bool:
    if request.node.get_closest_marker("committed") or "pg_engine" in request.fixturenames:
        return True
    # A database in a file is there for another connection to open.
    return db.engine.dialect.name == "sqlite" and not _in_memory(db.engine)


@pytest.fixture
def app(app_config: dict[str, Any], backend: str, request: pytest.FixtureRequest) -> Iterator[Flask]:
    own = request.node.get_closest_marker("own_app") is not None
    built = _built_app(app_config, shared=not own)
    # Flask-Limiter keeps its settings and storage on the one global object, set by the last
    # init_app: give it back this app's, with the memory counts of earlier tests wiped.
    vars(limiter).clear()
    vars(limiter).update(built.limiter)
    if isinstance(getattr(limiter, "_storage", None), MemoryStorage):
        limiter.storage.reset()
    with built.app.app_context():
        try:
            if _wants_commits(request):
                with built.sqlite_savepoints.off() if built.sqlite_savepoints else nullcontext():
                    try:
                        yield built.app
                    finally:
                        _empty_tables()
            else:
                with _rolled_back():
                    yield built.app
        finally:
            _forget_the_test(built)
            if own:
                _dispose(built.app)


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
