"""Reminders before a seat and the coordinators' digest: due once, however often they run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from scheduler.enums import HearingStatus, Role, ShiftRole, SignupStatus
from scheduler.extensions import db
from scheduler.models import OutboxMessage
from scheduler.notifications import preferences
from scheduler.notifications.scheduled import due_hours, send_digest, send_reminders
from scheduler.types import utcnow
from tests.factories import make_court, make_hearing, make_signup, make_user


def _rows(kind: str) -> list[OutboxMessage]:
    return list(
        db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id))
    )


def _seat_in(hours: float, **hearing):
    # The accompanier's seat starts 45 minutes before the hearing.
    start = (utcnow() + timedelta(hours=hours, minutes=45)).replace(microsecond=0)
    hearing = make_hearing(starts_at=start, seats={ShiftRole.ACCOMPANIER: 2}, **hearing)
    return hearing, hearing.shifts[0]


def test_the_smallest_lead_time_already_reached_is_the_one_due() -> None:
    start = datetime(2030, 1, 10, 15, tzinfo=UTC)
    assert due_hours((24, 2), starts_at=start, now=start - timedelta(hours=30)) is None
    assert due_hours((24, 2), starts_at=start, now=start - timedelta(hours=20)) == 24
    assert due_hours((24, 2), starts_at=start, now=start - timedelta(hours=1)) == 2
    assert due_hours((24,), starts_at=start, now=start - timedelta(hours=1)) == 24
    assert due_hours((), starts_at=start, now=start - timedelta(hours=1)) is None
    assert due_hours((24, 2), starts_at=start, now=start) is None


def test_reminders_run_twice_send_one_reminder(app, outbox) -> None:
    _, shift = _seat_in(20, respondent_ref="RESP-MARKER-1")
    person = make_user(email="ana@example.org")
    make_signup(shift=shift, user=person)
    db.session.commit()
    assert send_reminders(db.session) == 1
    db.session.commit()
    assert send_reminders(db.session) == 0
    db.session.commit()
    assert [m.to for m in outbox] == ["ana@example.org"]
    assert "Reminder" in outbox[0].subject
    assert "RESP-MARKER-1" not in outbox[0].text + (outbox[0].html or "") + outbox[0].subject
    assert "List-Unsubscribe" in outbox[0].headers


def test_a_late_signup_gets_only_the_two_hour_reminder_and_then_nothing(app) -> None:
    _, shift = _seat_in(1)
    make_signup(shift=shift, user=make_user())
    db.session.commit()
    send_reminders(db.session)
    send_reminders(db.session)
    db.session.commit()
    [row] = _rows("reminder")
    assert row.dedupe_key.startswith("reminder:2h:")


def test_a_moved_hearing_gets_a_new_reminder(app) -> None:
    _hearing, shift = _seat_in(20)
    make_signup(shift=shift, user=make_user())
    db.session.commit()
    send_reminders(db.session)
    shift.starts_at += timedelta(hours=1)
    shift.ends_at += timedelta(hours=1)
    db.session.commit()
    send_reminders(db.session)
    db.session.commit()
    assert len(_rows("reminder")) == 2


def test_no_reminder_for_dropped_waitlisted_cancelled_or_opted_out(app) -> None:
    _, shift = _seat_in(20)
    cancelled, other = _seat_in(20)
    cancelled.status = HearingStatus.CANCELLED
    make_signup(shift=shift, user=make_user(), status=SignupStatus.DROPPED)
    make_signup(shift=shift, user=make_user(), status=SignupStatus.WAITLISTED, waitlisted_at=utcnow())
    make_signup(shift=other, user=make_user())
    opted_out = make_user()
    preferences.save(
        db.session, user=opted_out, reminder_hours=[], invitations=True, late_drops=True, digest=True
    )
    make_signup(shift=shift, user=opted_out)
    two_hours_only = make_user()
    preferences.save(
        db.session, user=two_hours_only, reminder_hours=[2], invitations=True, late_drops=True, digest=True
    )
    make_signup(shift=shift, user=two_hours_only)
    db.session.commit()
    assert send_reminders(db.session) == 0


def test_the_digest_goes_once_a_day_to_each_coordinator_within_their_courts(app, outbox) -> None:
    app.config["DIGEST_HOUR"] = 0
    here, elsewhere = make_court(name="Here Court"), make_court(name="Elsewhere Court")
    _seat_in(48, court=here, respondent_ref="RESP-MARKER-2")
    _seat_in(72, court=elsewhere)
    _full, shift = _seat_in(30, court=here)
    for _ in range(2):
        make_signup(shift=shift, user=make_user())
    _seat_in(24 * 9, court=here)  # beyond the 7 days
    scoped = make_user(role=Role.COORDINATOR, courts=(here,), email="scoped@example.org")
    everywhere = make_user(role=Role.COORDINATOR, email="all@example.org")
    make_user(email="volunteer@example.org")
    db.session.commit()
    assert send_digest(db.session) == 2
    assert send_digest(db.session) == 0
    db.session.commit()
    mails = {m.to: m for m in outbox}
    assert sorted(mails) == ["all@example.org", "scoped@example.org"]
    assert "Here Court" in mails["scoped@example.org"].text
    assert "Elsewhere Court" not in mails["scoped@example.org"].text
    assert "Elsewhere Court" in mails["all@example.org"].text
    assert mails["scoped@example.org"].text.count("0 of 2 filled") == 1  # the full one is left out
    assert "2 seats still open" in mails["all@example.org"].subject
    assert all("RESP-MARKER-2" not in m.text + (m.html or "") for m in mails.values())
    assert scoped.id and everywhere.id
