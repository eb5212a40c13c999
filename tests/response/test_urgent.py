"""send_urgent: the one door every alert goes through (email through the outbox for now)."""

from __future__ import annotations

from scheduler.extensions import db
from scheduler.models import OutboxMessage, OutboxStatus
from scheduler.notifications.urgent import URGENT_KIND, send_urgent
from scheduler.types import utcnow
from tests.factories import make_user


def test_an_urgent_message_is_queued_due_now_marked_urgent_and_ends_with_its_link(app, outbox) -> None:
    person = make_user(locale="es")
    now = utcnow()
    handed = send_urgent(
        db.session,
        recipient=person,
        subject="URGENTE: ICE presente",
        text="ALERTA URGENTE",
        link="https://accompany.test/response/ack/abc",
        now=now,
    )
    assert [channel for channel, _id in handed] == ["email"]
    row = db.session.get(OutboxMessage, handed[0][1])
    assert (row.kind, row.status, row.next_attempt_at, row.to_email) == (
        URGENT_KIND,
        OutboxStatus.PENDING,
        now,
        person.email,
    )
    assert row.headers["Priority"] == "urgent" and row.headers["Content-Language"] == "es"
    assert row.text_body.rstrip().endswith("https://accompany.test/response/ack/abc")
    db.session.commit()
    assert [m.subject for m in outbox] == ["URGENTE: ICE presente"]
