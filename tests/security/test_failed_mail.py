"""Mail that failed for good: admins see why, retry or discard it, and each step is audited."""

from __future__ import annotations

from sqlalchemy import select

from scheduler.enums import Role
from scheduler.extensions import db
from scheduler.models import AuditEvent, OutboxMessage, OutboxStatus
from scheduler.notifications import outbox
from scheduler.notifications.failed import reason
from tests.factories import make_user

BODY_MARKER = "BODY-MARKER-7731"


def _failed(user, *, error: str = "SMTPRecipientsRefused 550", dedupe_key: str | None = None) -> int:
    message = outbox.Composed(
        kind="password_reset",
        subject="Reset your Accompany password",
        text=f"Your link {BODY_MARKER}",
        html=f"<p>{BODY_MARKER}</p>",
    )
    row_id = outbox.enqueue(db.session, user=user, message=message, dedupe_key=dedupe_key)
    row = db.session.get(OutboxMessage, row_id)
    row.status, row.attempts, row.last_error = OutboxStatus.FAILED, 10, error
    return row_id


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_admins_see_why_without_the_message_itself(app, client, auth) -> None:
    admin = make_user(role=Role.ADMIN)
    person = make_user(display_name="Rosa Volunteer", email="rosa@example.org")
    failed = _failed(person)
    sent = _failed(person, error="TimeoutError")
    db.session.get(OutboxMessage, sent).status = OutboxStatus.SENT
    db.session.commit()
    auth.login_as(admin)
    response = client.get("/admin/mail/failed")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"#{failed}" in page and f"#{sent} " not in page  # only failed messages
    assert "Rosa Volunteer" in page and "Reset your Accompany password" in page
    assert "refused the address" in page and "SMTPRecipientsRefused 550" in page
    assert BODY_MARKER not in page  # a reset or invitation link must not show


def test_the_reason_is_read_from_the_recorded_error() -> None:
    assert reason("SMTPRecipientsRefused 550") == "refused_address"
    assert reason("SMTPDataError 554") == "refused_message"
    assert reason("ConnectionRefusedError 111") == "unreachable"
    assert reason("SMTPAuthenticationError 535") == "sign_in"
    assert reason("") == reason("KeyError") == "other"


def test_retry_queues_it_again_audited_and_the_worker_sends_it(app, client, auth, outbox) -> None:
    admin = make_user(role=Role.ADMIN)
    person = make_user(email="rosa@example.org")
    row_id = _failed(person)
    db.session.commit()
    auth.login_as(admin)
    response = client.post(f"/admin/mail/{row_id}/retry", follow_redirects=True)
    assert "is queued again" in response.get_data(as_text=True)
    row = db.session.get(OutboxMessage, row_id)
    db.session.refresh(row)
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 0)
    [event] = _events("outbox.retried")
    assert (event.actor_id, event.object_type, event.object_id) == (admin.id, "outbox_message", row_id)
    assert event.details == {"kind": "password_reset", "error": "SMTPRecipientsRefused 550", "attempts": 10}
    assert [m.to for m in outbox] == ["rosa@example.org"]
    # Sent now: a second retry changes nothing and records nothing.
    again = client.post(f"/admin/mail/{row_id}/retry", follow_redirects=True)
    assert "no longer waiting" in again.get_data(as_text=True)
    assert len(_events("outbox.retried")) == 1


def test_discard_sets_it_aside_wiped_audited_and_never_sent(app, client, auth, outbox) -> None:
    admin = make_user(role=Role.ADMIN)
    person = make_user()
    row_id = _failed(person, dedupe_key="reminder:24h:1:x")
    db.session.commit()
    auth.login_as(admin)
    response = client.post(f"/admin/mail/{row_id}/discard", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "is discarded" in page and f"#{row_id}" not in page
    row = db.session.get(OutboxMessage, row_id)
    db.session.refresh(row)
    assert row.status == OutboxStatus.DISCARDED
    assert BODY_MARKER not in (row.text_body + (row.html_body or "")) and row.ics is None
    [event] = _events("outbox.discarded")
    assert (event.actor_id, event.object_id) == (admin.id, row_id)
    assert list(outbox) == []
    # Its key stays taken: the reminder job does not queue the same message again.
    assert outbox_enqueue_again(person) is None
    assert client.post(f"/admin/mail/{row_id}/retry").status_code == 302
    assert _events("outbox.retried") == []


def outbox_enqueue_again(person) -> int | None:
    message = outbox.Composed(kind="reminder", subject="Reminder", text="again")
    return outbox.enqueue(db.session, user=person, message=message, dedupe_key="reminder:24h:1:x")


def test_only_admins_use_it_and_only_admins_see_the_link(app, client, auth) -> None:
    person = make_user()
    row_id = _failed(person)
    coordinator = make_user(role=Role.COORDINATOR)
    admin = make_user(role=Role.ADMIN)
    db.session.commit()
    auth.login_as(coordinator)
    assert "/admin/mail/failed" not in client.get("/", follow_redirects=True).get_data(as_text=True)
    assert client.get("/admin/mail/failed").status_code == 403
    assert client.post(f"/admin/mail/{row_id}/discard").status_code == 403
    assert db.session.get(OutboxMessage, row_id).status == OutboxStatus.FAILED
    auth.logout()
    auth.login_as(admin)
    assert "/admin/mail/failed" in client.get("/", follow_redirects=True).get_data(as_text=True)


def test_the_page_reads_in_spanish(app, client, auth) -> None:
    admin = make_user(role=Role.ADMIN, locale="es")
    _failed(make_user(), error="ConnectionRefusedError 111")
    db.session.commit()
    auth.login_as(admin)
    page = client.get("/admin/mail/failed", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "Correo fallido" in page and "Reintentar" in page and "Descartar" in page
    assert "No se pudo conectar con el servidor de correo" in page
