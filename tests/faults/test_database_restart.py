"""PostgreSQL goes away and comes back: 503s while it is away, no tail of errors after, no seat lost.

The app talks to PostgreSQL through a proxy the test controls: stopping it refuses new
connections and cuts every pooled one, as a database restart does.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from scheduler.enums import ShiftRole, SignupStatus
from scheduler.extensions import db
from scheduler.models import Signup
from scheduler.types import utcnow
from tests.conftest import PG_URL, base_config
from tests.factories import make_hearing, make_user
from tests.faults.helpers import DatabaseProxy

# The database goes away under the app; rows are read back on a connection of their own.
pytestmark = pytest.mark.committed


@pytest.fixture
def proxy(backend: str) -> Iterator[DatabaseProxy]:
    if backend != "postgresql":
        pytest.skip(
            "a database restart is a PostgreSQL fault (SQLite is a file: see test_database_unreachable)"
        )
    url = make_url(PG_URL)
    proxy = DatabaseProxy((url.host or "127.0.0.1", url.port or 5432))
    proxy.start()
    yield proxy
    proxy.stop()


@pytest.fixture
def database_url(proxy: DatabaseProxy) -> str:
    return make_url(PG_URL).set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)


@pytest.fixture
def app_config(database_url: str) -> dict[str, Any]:
    return {**base_config(database_url), "DB_CONNECT_TIMEOUT": 2}


def _seats() -> dict[int, list[tuple[int, str]]]:
    """Every signup per shift, read on a connection of its own (not through the proxy)."""
    engine = create_engine(PG_URL, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(Signup.shift_id, Signup.user_id, Signup.status)).all()
    finally:
        engine.dispose()
    seats: dict[int, list[tuple[int, str]]] = {}
    for shift_id, user_id, status in rows:
        seats.setdefault(shift_id, []).append((user_id, status))
    return seats


def test_while_the_database_is_away_every_answer_is_a_503_and_after_it_all_works(
    app, client, auth, proxy
) -> None:
    first = make_hearing(seats={ShiftRole.ACCOMPANIER: 1}).shifts[0].id
    later = utcnow().replace(microsecond=0) + timedelta(days=6)
    second = make_hearing(seats={ShiftRole.ACCOMPANIER: 1}, starts_at=later).shifts[0].id
    volunteer = make_user()
    db.session.commit()
    volunteer_id = volunteer.id
    auth.login_as(volunteer)
    assert "You have a seat" in client.post(f"/shifts/{first}/claim", follow_redirects=True).get_data(True)

    proxy.stop()  # the database goes away; the pooled connections die with it
    for response in (
        client.get("/shifts"),
        client.get(f"/shifts/{first}"),
        client.post(f"/shifts/{second}/claim", data={"waitlist": "0"}),
    ):
        assert response.status_code == 503, response.status_code
        assert response.headers["Retry-After"] == "60"
        assert "We can't reach our records for a moment" in response.get_data(as_text=True)
    assert client.get("/healthz").status_code == 503

    proxy.start()  # it comes back: the very next requests work, with no tail of errors
    assert client.get("/healthz").status_code == 200
    assert client.get("/shifts").status_code == 200
    page = client.post(f"/shifts/{second}/claim", follow_redirects=True).get_data(as_text=True)
    assert "You have a seat" in page

    seats = _seats()  # no seat lost, none doubled, nothing half-applied from the outage
    assert seats == {
        first: [(volunteer_id, SignupStatus.CONFIRMED)],
        second: [(volunteer_id, SignupStatus.CONFIRMED)],
    }


def test_connections_cut_by_the_server_are_replaced_on_next_use(app, client, auth) -> None:
    """pg_terminate_backend on this test database only: pooled connections die, pre-ping replaces them."""
    volunteer = make_user()
    db.session.commit()
    auth.login_as(volunteer)
    for _ in range(3):
        assert client.get("/shifts").status_code == 200
    # The end of a request hands its connection back to the pool; this test keeps one app
    # context (and so one session) open across requests, so it hands it back by hand.
    db.session.remove()
    engine = create_engine(PG_URL, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            killed = conn.execute(
                select(func.count()).select_from(
                    select(func.pg_terminate_backend(text("pid")))
                    .select_from(text("pg_stat_activity"))
                    .where(text("datname = current_database() AND pid <> pg_backend_pid()"))
                    .subquery()
                )
            ).scalar()
    finally:
        engine.dispose()
    assert killed >= 1
    for _ in range(3):
        assert client.get("/shifts").status_code == 200
    assert client.get("/healthz").status_code == 200
