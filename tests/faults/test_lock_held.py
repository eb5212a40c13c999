"""A lock held by another connection: claims answer at once, nothing else waits, no seat is lost.

Another connection holds the shift's row lock (PostgreSQL) or the database's write lock
(SQLite) for up to ten seconds. With a bounded lock wait the claim gives up after
DB_LOCK_TIMEOUT and says so while the lock is still held; without one it would wait for the
holder and then succeed, which these tests treat as a failure.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Select, create_engine, select
from sqlalchemy.pool import NullPool

from scheduler.enums import FeedKind, ShiftRole, SignupStatus
from scheduler.extensions import db
from scheduler.feeds import tokens as feeds
from scheduler.models import FeedToken, Shift, Signup
from tests.conftest import PG_URL, base_config
from tests.factories import make_hearing, make_user

# Locks are held on other connections: the rows they lock must be committed.
pytestmark = pytest.mark.committed

HOLD_SECONDS = 10  # the holder lets go by itself after this, so old code fails instead of hanging


@pytest.fixture
def database_url(backend: str, tmp_path: Path) -> str:
    # SQLite's write lock needs a file that two connections share.
    return PG_URL if backend == "postgresql" else f"sqlite:///{tmp_path / 'locks.sqlite3'}"


@pytest.fixture
def app_config(database_url: str) -> dict[str, Any]:
    return {**base_config(database_url), "DB_LOCK_TIMEOUT": 0.2}


class Holder:
    """Holds locks on its own connection until ``release`` or HOLD_SECONDS."""

    def __init__(self) -> None:
        self.released = threading.Event()
        self.let_go_by_itself = False

    def wait(self) -> None:
        self.let_go_by_itself = not self.released.wait(HOLD_SECONDS)

    def release(self) -> None:
        self.released.set()


@contextmanager
def held(url: str, backend: str, lock: Select) -> Iterator[Holder]:
    """Run ``lock`` (PostgreSQL) or take the write lock (SQLite) on another connection; keep it."""
    holder = Holder()
    ready = threading.Event()
    if backend == "postgresql":
        engine = create_engine(url, poolclass=NullPool)

        def hold() -> None:
            with engine.connect() as conn:
                conn.execute(lock)
                ready.set()
                holder.wait()
                conn.rollback()

    else:
        path = url.removeprefix("sqlite:///")

        def hold() -> None:
            conn = sqlite3.connect(path, isolation_level=None)
            conn.execute("BEGIN IMMEDIATE")  # the write lock: no other writer until rollback
            ready.set()
            holder.wait()
            conn.rollback()
            conn.close()

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    assert ready.wait(10), "the holder did not get its lock"
    try:
        yield holder
    finally:
        holder.release()
        thread.join(HOLD_SECONDS + 5)
        if backend == "postgresql":
            engine.dispose()


def _row_lock(model, where) -> Select:  # type: ignore[no-untyped-def]
    return select(model.id).where(where).with_for_update()


def _confirmed(shift_id: int) -> list[int]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Signup.user_id).where(Signup.shift_id == shift_id, Signup.status == SignupStatus.CONFIRMED)
        )
    )


def test_a_claim_on_a_locked_shift_says_busy_at_once_and_other_requests_flow(
    app, client, auth, backend, database_url
) -> None:
    hearing = make_hearing(seats={ShiftRole.ACCOMPANIER: 1})
    volunteer = make_user()
    db.session.commit()
    shift_id = hearing.shifts[0].id
    auth.login_as(volunteer)

    with held(database_url, backend, _row_lock(Shift, Shift.id == shift_id)) as holder:
        response = client.post(f"/shifts/{shift_id}/claim", data={}, follow_redirects=True)
        still_held = not holder.released.is_set() and not holder.let_go_by_itself
        assert response.status_code == 200
        assert "This seat is busy right now, please try again." in response.get_data(as_text=True)
        assert still_held, "the claim waited for the lock instead of giving up"
        # Other requests keep flowing while the lock is held.
        assert client.get("/shifts").status_code == 200
        assert client.get("/healthz").status_code == 200
        assert _confirmed(shift_id) == []  # nothing half-applied

    # Once the lock is free the same claim goes through, exactly once.
    response = client.post(f"/shifts/{shift_id}/claim", data={}, follow_redirects=True)
    assert "You have a seat" in response.get_data(as_text=True)
    assert _confirmed(shift_id) == [volunteer.id]
    db.session.expire_all()
    assert len(db.session.scalars(select(Signup).where(Signup.shift_id == shift_id)).all()) == 1


def test_the_busy_message_is_in_the_persons_language(app, client, auth, backend, database_url) -> None:
    hearing = make_hearing(seats={ShiftRole.ACCOMPANIER: 1})
    volunteer = make_user(locale="es")
    db.session.commit()
    shift_id = hearing.shifts[0].id
    auth.login_as(volunteer)
    with held(database_url, backend, _row_lock(Shift, Shift.id == shift_id)):
        response = client.post(f"/shifts/{shift_id}/claim", data={}, follow_redirects=True)
    assert "Este lugar está ocupado en este momento" in response.get_data(as_text=True)


def test_a_feed_poll_that_meets_a_held_lock_gets_503_with_retry_after(
    app, client, backend, database_url
) -> None:
    volunteer = make_user()
    token = feeds.issue_token(db.session, user=volunteer, kind=FeedKind.PERSONAL, actor=volunteer)
    db.session.commit()
    lock = _row_lock(FeedToken, FeedToken.user_id == volunteer.id)
    with held(database_url, backend, lock) as holder:
        response = client.get(f"/feeds/{token}.ics")
        assert not holder.let_go_by_itself
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "5"
        assert response.mimetype == "text/plain"
    assert client.get(f"/feeds/{token}.ics").status_code == 200
