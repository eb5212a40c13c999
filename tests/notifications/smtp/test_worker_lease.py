"""A slow mail server and two workers: a batch that outlives its lease sends each message once.

The clock is the outbox's own ``utcnow``, moved forward by the SMTP server as it accepts each
message (three minutes apiece here, against a ten-minute lease), so the test is about ordering,
not about real time. The second worker is started from inside the server while the first is
waiting for its reply, which is the moment the duplicates of issue 13 came from.
"""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from scheduler.extensions import db
from scheduler.models import OutboxMessage, OutboxStatus
from scheduler.notifications import messages
from scheduler.notifications import outbox as outbox_service
from scheduler.notifications.worker import send_once
from scheduler.types import utcnow
from tests.conftest import PG_URL
from tests.factories import make_user

N = 8


@pytest.fixture
def database_url(backend: str, tmp_path: Path) -> str:
    # Two workers, two connections: a file instead of an in-memory SQLite database.
    return PG_URL if backend == "postgresql" else f"sqlite:///{tmp_path / 'lease.sqlite3'}"


class Clock:
    def __init__(self) -> None:
        self.now = utcnow() + timedelta(minutes=1)
        self.lock = threading.Lock()

    def __call__(self):
        with self.lock:
            return self.now

    def advance(self, minutes: float) -> None:
        with self.lock:
            self.now += timedelta(minutes=minutes)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    from scheduler.notifications import leases, sending

    monkeypatch.setattr(leases, "utcnow", clock)
    monkeypatch.setattr(sending, "utcnow", clock)
    return clock


def _queue(app) -> list[str]:
    app.config.update(OUTBOX_BATCH_SIZE=N, OUTBOX_LEASE_MINUTES=10)
    users = [make_user(email=f"person{i}@example.org") for i in range(N)]
    for user in users:
        messages.account_approved(db.session, user=user)
    db.session.commit()
    return sorted(u.email for u in users)


def _in_thread(app, work, errors: list[BaseException]) -> threading.Thread:
    def run() -> None:
        try:
            with app.app_context():  # its own session and connection
                work()
                db.session.remove()
        except BaseException as exc:  # reported by the test
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


async def _wait(event: threading.Event) -> None:
    """Wait without blocking the server's loop, which must keep serving the other worker."""
    await asyncio.get_running_loop().run_in_executor(None, event.wait, 60)


def _delivered_once(smtp_server, emails: list[str]) -> None:
    ids = smtp_server.recorder.message_ids()
    assert len(ids) == N, f"{len(ids)} deliveries for {N} messages"
    assert len(set(ids)) == N
    assert sorted(m["To"] for m in smtp_server.messages) == emails
    db.session.expire_all()
    statuses = [r.status for r in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]
    assert statuses == [OutboxStatus.SENT] * N


@pytest.mark.committed  # workers in threads, each on its own connection
def test_a_slow_server_and_two_workers_deliver_each_message_once(app, smtp_server, clock) -> None:
    """Worker A's batch outlives the lease it took; worker B starts meanwhile and finds no work."""
    emails = _queue(app)
    errors: list[BaseException] = []
    original = smtp_server.recorder.handle_DATA
    b_done = threading.Event()
    started: dict[str, Any] = {}

    async def slow(server, session, envelope):
        clock.advance(3)  # the server takes three minutes per message
        if len(smtp_server.messages) == 3 and "b" not in started:
            # A's 4th message is in flight; A claimed its batch 12 minutes ago.
            started["b"] = _in_thread(app, lambda: (send_once(), b_done.set()), errors)
            await _wait(b_done)
        return await original(server, session, envelope)

    smtp_server.recorder.handle_DATA = slow
    worker_a = _in_thread(app, send_once, errors)
    worker_a.join(timeout=120)
    started["b"].join(timeout=120)
    assert not errors, errors
    _delivered_once(smtp_server, emails)


@pytest.mark.committed  # workers in threads, each on its own connection
def test_a_worker_that_lost_its_lease_sends_nothing_more_of_its_batch(app, smtp_server, clock) -> None:
    """One exchange outlives the lease: B takes the rest over, and A leaves it to B."""
    emails = _queue(app)
    errors: list[BaseException] = []
    original = smtp_server.recorder.handle_DATA
    claimed, b_sending, b_sent = threading.Event(), threading.Event(), threading.Event()
    b_batch: dict[str, Any] = {}

    def b_claims() -> None:
        outbox_service.release_expired_leases(db.session, lease=timedelta(minutes=10))
        b_batch["batch"] = outbox_service.claim(db.session, limit=N, worker="worker-b")
        claimed.set()

    def b_sends() -> None:
        from scheduler.extensions import mailer
        from scheduler.notifications.links import mail_domain

        outbox_service.send_claimed(
            db.session,
            batch=b_batch["batch"],
            backend=mailer(),
            domain=mail_domain(),
            max_attempts=10,
        )
        b_sent.set()

    async def stalls_once(server, session, envelope):
        count = len(smtp_server.messages)
        if count == 3 and not claimed.is_set():
            clock.advance(11)  # A's 4th exchange takes longer than the lease
            _in_thread(app, b_claims, errors)
            await _wait(claimed)
        elif count >= 4 and not b_sending.is_set():
            # A goes on sending after it lost its rows: B sends the same rows meanwhile.
            b_sending.set()
            _in_thread(app, b_sends, errors)
            await _wait(b_sent)
        return await original(server, session, envelope)

    smtp_server.recorder.handle_DATA = stalls_once
    worker_a = _in_thread(app, send_once, errors)
    worker_a.join(timeout=120)
    assert claimed.is_set() and not errors, errors
    if not b_sending.is_set():  # A left the rest alone, as it must: B sends it now.
        b_sending.set()
        _in_thread(app, b_sends, errors).join(timeout=120)
    assert not errors, errors
    _delivered_once(smtp_server, emails)


def test_a_lease_short_for_the_smtp_timeout_is_warned_about_once(app, caplog, monkeypatch) -> None:
    from scheduler.notifications import worker

    monkeypatch.setattr(worker, "_lease_checked", False)
    app.config.update(OUTBOX_LEASE_MINUTES=1, MAIL_SMTP_TIMEOUT=30)
    with caplog.at_level("WARNING", logger="scheduler.notifications.worker"):
        send_once()
        send_once()
    assert [r.getMessage() for r in caplog.records].count(
        "OUTBOX_LEASE_MINUTES is short for MAIL_SMTP_TIMEOUT; duplicates become possible"
    ) == 1
