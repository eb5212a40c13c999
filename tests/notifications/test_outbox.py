"""The outbox table: once-only keys, backoff, claiming and leases."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from scheduler.extensions import db
from scheduler.mail import MemoryBackend
from scheduler.models import OutboxMessage, OutboxStatus
from scheduler.notifications import outbox
from scheduler.notifications.outbox import Composed
from scheduler.types import utcnow
from tests.factories import make_user

HELLO = Composed(kind="test", subject="Hello", text="Hello there\n", html="<p>Hello there</p>")


def _send(**kwargs) -> tuple[outbox.SendReport, MemoryBackend]:
    backend = MemoryBackend()
    report = outbox.send_due(db.session, backend=backend, worker="test", domain="accompany.test", **kwargs)
    return report, backend


def test_a_dedupe_key_enqueues_once(app) -> None:
    user = make_user()
    first = outbox.enqueue(db.session, user=user, message=HELLO, dedupe_key="reminder:24h:1:x")
    again = outbox.enqueue(db.session, user=user, message=HELLO, dedupe_key="reminder:24h:1:x")
    db.session.commit()
    assert first is not None and again is None
    assert len(list(db.session.scalars(select(OutboxMessage)))) == 1


def test_a_rolled_back_change_sends_nothing(app) -> None:
    user = make_user()
    db.session.commit()
    outbox.enqueue(db.session, user=user, message=HELLO)
    db.session.rollback()
    report, backend = _send()
    assert report.total == 0 and backend.outbox == []


def test_backoff_doubles_up_to_an_hour() -> None:
    assert [outbox.backoff(n).total_seconds() / 60 for n in range(1, 9)] == [1, 2, 4, 8, 16, 32, 60, 60]


def test_each_message_goes_once_with_a_stable_message_id(app) -> None:
    user = make_user(email="ana@example.org", locale="es")
    row_id = outbox.enqueue(db.session, user=user, message=HELLO)
    db.session.commit()
    report, backend = _send()
    assert report.sent == 1
    [mail] = backend.outbox
    assert (mail.to, mail.subject, mail.message_id) == (
        "ana@example.org",
        "Hello",
        f"<outbox-{row_id}@accompany.test>",
    )
    assert _send()[0].total == 0
    row = db.session.get(OutboxMessage, row_id)
    assert row.status == OutboxStatus.SENT and row.sent_at is not None and row.locked_by is None


def test_a_claimed_row_is_not_claimed_again_until_its_lease_expires(app) -> None:
    outbox.enqueue(db.session, user=make_user(), message=HELLO)
    db.session.commit()
    [row_id] = outbox.claim_batch(db.session, limit=10, worker="dead-worker")
    assert outbox.claim_batch(db.session, limit=10, worker="other") == []
    assert outbox.release_expired_leases(db.session, lease=timedelta(minutes=10)) == 0
    later = utcnow() + timedelta(minutes=11)
    assert outbox.release_expired_leases(db.session, lease=timedelta(minutes=10), now=later) == 1
    assert outbox.claim_batch(db.session, limit=10, worker="other", now=later) == [row_id]


def test_messages_go_out_in_the_order_they_were_queued(app) -> None:
    users = [make_user() for _ in range(5)]
    for user in users:
        outbox.enqueue(db.session, user=user, message=HELLO)
    db.session.commit()
    report, backend = _send(batch_size=2)
    assert report.sent == 5
    assert [m.to for m in backend.outbox] == [u.email for u in users]


def test_a_message_not_yet_due_waits(app) -> None:
    outbox.enqueue(db.session, user=make_user(), message=HELLO, not_before=utcnow() + timedelta(hours=1))
    db.session.commit()
    assert _send()[0].total == 0
