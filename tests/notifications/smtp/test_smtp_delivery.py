"""What arrives at a real SMTP server: recipients, language, calendar data, and no secrets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar
from sqlalchemy import select

from scheduler.enums import ShiftRole, SignupStatus
from scheduler.extensions import db
from scheduler.feeds import revisions as feed_revisions
from scheduler.models import OutboxMessage, OutboxStatus
from scheduler.notifications import messages
from scheduler.notifications.worker import send_once
from scheduler.types import utcnow
from tests.factories import make_court, make_hearing, make_signup, make_user
from tests.notifications.smtp.conftest import parts

RESPONDENT = "RESP-MARKER-7731"
PRIVATE = "PRIVATE-MARKER-5521"
START = datetime(2030, 3, 5, 15, 0, tzinfo=UTC)  # 09:00 in Chicago (CST)


def _moved_hearing():
    court = make_court(name="Chicago Immigration Court", timezone="America/Chicago")
    hearing = make_hearing(
        court=court,
        starts_at=START,
        seats={ShiftRole.ACCOMPANIER: 1},
        respondent_ref=RESPONDENT,
        private_notes=PRIVATE,
        courtroom="12B",
    )
    ana = make_user(email="ana@example.org", locale="es", display_name="Ana")
    bob = make_user(email="bob@example.org", locale="en", display_name="Bob")
    shift = hearing.shifts[0]
    seated = make_signup(shift=shift, user=ana)
    waiting = make_signup(shift=shift, user=bob, status=SignupStatus.WAITLISTED, waitlisted_at=utcnow())
    # Move it two days later and one hour earlier, as the hearings service does.
    delta = timedelta(days=2, hours=-1)
    old_start = hearing.starts_at
    hearing.starts_at += delta
    shift.starts_at += delta
    shift.ends_at += delta
    hearing.version += 1
    db.session.flush()
    messages.hearing_changed(db.session, signup_ids=[seated.id, waiting.id], old_starts_at=old_start)
    db.session.commit()
    return hearing, seated, waiting


def test_a_moved_hearing_reaches_everyone_in_their_language_with_the_calendar_update(
    app, smtp_server
) -> None:
    hearing, seated, waiting = _moved_hearing()
    report = send_once()
    assert (report.sent, report.retried, report.failed) == (2, 0, 0)

    received = {m["To"]: m for m in smtp_server.messages}
    assert sorted(received) == ["ana@example.org", "bob@example.org"]
    assert sorted(rcpt for _, rcpts in smtp_server.recorder.envelopes for rcpt in rcpts) == [
        "ana@example.org",
        "bob@example.org",
    ]
    spanish, english = received["ana@example.org"], received["bob@example.org"]
    assert spanish["Content-Language"] == "es" and english["Content-Language"] == "en"
    # The seat's new time in the court's own zone (hearing 08:00 CST, accompaniers from 07:15),
    # written the way each person's language writes dates.
    assert "Thu, Mar 7, 2030, 7:15 AM CST" in english["Subject"]
    assert "jue, 7 mar 2030, 7:15 CST" in spanish["Subject"]
    body = {k: v.replace("\u202f", " ") for k, v in parts(english).items() if isinstance(v, str)}
    assert "Before: Tue, Mar 5, 2030, 8:15 AM CST" in body["text"]  # the old time, local too
    assert "Thu, Mar 7, 2030, 7:15 AM CST" in body["html"]

    for message, signup in ((spanish, seated), (english, waiting)):
        found = parts(message)
        assert found["text"] and found["html"] and found["ics"]
        assert found["ics_type"].get_param("method") == "PUBLISH"
        event = next(iter(Calendar.from_ical(found["ics"]).walk("VEVENT")))
        assert str(event["UID"]) == f"signup-{signup.id}@accompany.test"
        assert int(event["SEQUENCE"]) == feed_revisions.seat_sequence(db.session, signup.id) >= 2
        assert event.decoded("DTSTART").astimezone(UTC) == hearing.shifts[0].starts_at
        raw = message.as_string()
        for secret in (RESPONDENT, PRIVATE):
            assert secret not in raw
            assert secret not in found["ics"].decode()


def test_a_cancelled_hearing_says_so_in_the_attached_event(app, smtp_server) -> None:
    hearing = make_hearing(respondent_ref=RESPONDENT)
    signup = make_signup(shift=hearing.shifts[0], user=make_user())
    from scheduler.enums import HearingStatus

    hearing.status = HearingStatus.CANCELLED
    hearing.version += 1
    db.session.flush()
    messages.hearing_cancelled(db.session, signup_ids=[signup.id])
    db.session.commit()
    send_once()
    [message] = smtp_server.messages
    assert "cancelled" in message["Subject"].lower()
    event = next(iter(Calendar.from_ical(parts(message)["ics"]).walk("VEVENT")))
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == feed_revisions.seat_sequence(db.session, signup.id) >= 2
    assert RESPONDENT not in message.as_string()


def test_mail_server_down_then_up_delivers_everything_once(app, smtp_server) -> None:
    users = [make_user(email=f"p{i}@example.org") for i in range(3)]
    for user in users:
        messages.account_approved(db.session, user=user)
    db.session.commit()
    smtp_server.stop()

    report = send_once()
    assert (report.sent, report.retried) == (0, 3)
    rows = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    assert [r.status for r in rows] == [OutboxStatus.PENDING] * 3
    assert all(r.attempts == 1 and r.next_attempt_at > utcnow() for r in rows)
    assert all(r.last_error and "@" not in r.last_error for r in rows)
    # Not due yet: another round before the backoff sends nothing and costs no attempt.
    assert send_once().total == 0

    smtp_server.start()
    for row in rows:
        row.next_attempt_at = utcnow() - timedelta(seconds=1)  # the backoff has passed
    db.session.commit()
    assert send_once().sent == 3
    assert send_once().total == 0
    assert sorted(m["To"] for m in smtp_server.messages) == [u.email for u in users]
    assert len(set(smtp_server.recorder.message_ids())) == 3
    assert {r.status for r in db.session.scalars(select(OutboxMessage))} == {OutboxStatus.SENT}


def test_a_message_that_keeps_failing_is_marked_failed_after_the_last_attempt(app, smtp_server) -> None:
    app.config["OUTBOX_MAX_ATTEMPTS"] = 2
    messages.account_approved(db.session, user=make_user())
    db.session.commit()
    smtp_server.stop()
    send_once()
    row = db.session.scalar(select(OutboxMessage))
    row.next_attempt_at = utcnow()
    db.session.commit()
    assert send_once().failed == 1
    assert db.session.scalar(select(OutboxMessage)).status == OutboxStatus.FAILED
