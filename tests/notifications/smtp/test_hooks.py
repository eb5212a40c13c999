"""The changes that send mail, end to end: service call, commit, worker, real SMTP server."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar

from scheduler.accounts import registry as accounts
from scheduler.domain.eligibility import Rules
from scheduler.enums import Role, ShiftRole, SignupStatus, UserStatus
from scheduler.extensions import db
from scheduler.feeds import revisions as feed_revisions
from scheduler.hearings import schedule as hearings
from scheduler.models import Shift
from scheduler.notifications.worker import send_once
from scheduler.shifts import claims as shifts
from scheduler.types import utcnow
from tests.factories import make_court, make_hearing, make_signup, make_user
from tests.notifications.smtp.conftest import parts

MARKER = "RESP-MARKER-4410"


def _received(smtp_server) -> dict[str, object]:
    send_once()
    return {m["To"]: m for m in smtp_server.messages}


def _event(message):
    return next(iter(Calendar.from_ical(parts(message)["ics"]).walk("VEVENT")))


def _hearing_with_people(**kw):
    court = make_court(timezone="America/Phoenix")
    hearing = make_hearing(
        court=court, seats={ShiftRole.ACCOMPANIER: 1}, respondent_ref=MARKER, private_notes=MARKER, **kw
    )
    shift = hearing.shifts[0]
    seated = make_signup(shift=shift, user=make_user(email="seated@example.org"))
    waiting = make_signup(
        shift=shift,
        user=make_user(email="waiting@example.org", locale="es"),
        status=SignupStatus.WAITLISTED,
        waitlisted_at=utcnow(),
    )
    make_signup(shift=shift, user=make_user(email="dropped@example.org"), status=SignupStatus.DROPPED)
    coordinator = make_user(role=Role.COORDINATOR, email="coord@example.org")
    return hearing, seated, waiting, coordinator


def test_rescheduling_tells_everyone_on_the_hearing_with_the_updated_event(app, smtp_server) -> None:
    hearing, seated, waiting, coordinator = _hearing_with_people()
    db.session.commit()
    hearings.reschedule_hearing(
        db.session,
        actor=coordinator,
        hearing=hearing,
        court=hearing.court,
        starts_at=hearing.starts_at + timedelta(days=1),
        courtroom="7",
    )
    db.session.commit()
    got = _received(smtp_server)
    assert sorted(got) == ["seated@example.org", "waiting@example.org"]
    for message, signup in ((got["seated@example.org"], seated), (got["waiting@example.org"], waiting)):
        event = _event(message)
        assert str(event["UID"]).startswith(f"signup-{signup.id}@")
        assert int(event["SEQUENCE"]) == feed_revisions.seat_sequence(db.session, signup.id)
        assert int(event["SEQUENCE"]) > hearing.version - 1 >= 1
        assert MARKER not in message.as_string()
        assert "MST" in message["Subject"]  # the court's own zone (Arizona keeps MST all year)
    assert got["waiting@example.org"]["Content-Language"] == "es"


def test_cancelling_tells_everyone_and_marks_the_event_cancelled(app, smtp_server) -> None:
    hearing, *_, coordinator = _hearing_with_people()
    db.session.commit()
    hearings.cancel_hearing(db.session, actor=coordinator, hearing=hearing, reason=f"Court closed {MARKER}")
    db.session.commit()
    got = _received(smtp_server)
    assert sorted(got) == ["seated@example.org", "waiting@example.org"]
    assert all(str(_event(m)["STATUS"]) == "CANCELLED" for m in got.values())
    assert all(MARKER not in m.as_string() for m in got.values())


def test_a_late_drop_promotes_the_waitlist_and_alerts_the_courts_coordinators(app, smtp_server) -> None:
    start = (utcnow() + timedelta(hours=10)).replace(microsecond=0)
    hearing, seated, _waiting, _unscoped = _hearing_with_people(starts_at=start)
    make_user(role=Role.COORDINATOR, email="scoped@example.org", courts=(hearing.court,))
    db.session.commit()
    result = shifts.drop_shift(
        db.session,
        actor=seated.user,
        shift_id=hearing.shifts[0].id,
        now=utcnow(),
        cutoff=timedelta(hours=24),
        reason="I am sick",
        rules=Rules(),
    )
    db.session.commit()
    assert result.late and result.promoted is not None
    got = _received(smtp_server)
    assert sorted(got) == ["scoped@example.org", "waiting@example.org"]
    assert "Late drop" in got["scoped@example.org"]["Subject"]
    assert "I am sick" in parts(got["scoped@example.org"])["text"]
    assert got["scoped@example.org"]["List-Unsubscribe"]
    assert _event(got["waiting@example.org"])["UID"]


def test_approving_an_account_tells_the_person(app, smtp_server) -> None:
    pending = make_user(status=UserStatus.PENDING, email="new@example.org")
    coordinator = make_user(role=Role.COORDINATOR)
    db.session.commit()
    accounts.set_status(db.session, actor=coordinator, user=pending, status=UserStatus.APPROVED)
    db.session.commit()
    got = _received(smtp_server)
    assert list(got) == ["new@example.org"]
    assert "approved" in got["new@example.org"]["Subject"]


def _edit(hearing, coordinator, *, notify: bool = True, **changes) -> None:
    fields = {
        "kind": hearing.kind,
        "duration_minutes": hearing.duration_minutes,
        "judge": hearing.judge,
        "languages": tuple(hearing.language_codes),
        "respondent_ref": hearing.respondent_ref,
        "meeting_point": hearing.meeting_point,
        "public_notes": hearing.public_notes,
        "private_notes": hearing.private_notes,
        "date_confirmed": hearing.date_confirmed,
        "courtroom": hearing.courtroom,
    }
    fields.update(changes)
    hearings.update_details(
        db.session,
        actor=coordinator,
        hearing=hearing,
        details=hearings.HearingDetails(**fields),
        notify_volunteers=notify,
    )
    db.session.commit()


def test_a_new_meeting_point_tells_the_seated_team_old_and_new(app, smtp_server) -> None:
    """Confirmed seats only: the meeting point is not shown to the waitlist, so neither is its change."""
    hearing, seated, _waiting, coordinator = _hearing_with_people(meeting_point="Lobby, by security")
    first = hearing.shifts[0]  # a second, confirmed seat on the hearing, for a Spanish speaker
    driving = Shift(hearing=hearing, role=ShiftRole.DRIVER, starts_at=first.starts_at, ends_at=first.ends_at)
    db.session.add(driving)
    spanish = make_signup(shift=driving, user=make_user(email="asiento@example.org", locale="es"))
    db.session.commit()
    _edit(
        hearing, coordinator, meeting_point="4th floor, outside courtroom 12", private_notes=f"new {MARKER}"
    )
    got = _received(smtp_server)
    assert sorted(got) == ["asiento@example.org", "seated@example.org"]  # not the waitlisted person
    text = parts(got["seated@example.org"])["text"]
    assert "Meeting point: 4th floor, outside courtroom 12" in text
    assert "Lobby, by security" in text  # what it was, so nobody goes to the old place
    assert "Hearing details changed" in got["seated@example.org"]["Subject"]
    in_spanish = parts(got["asiento@example.org"])["text"]
    assert "Punto de encuentro: 4th floor, outside courtroom 12" in in_spanish
    assert "Detalles:" in in_spanish and "antes:" in in_spanish  # the text part is translated too
    assert int(_event(got["seated@example.org"])["SEQUENCE"]) == feed_revisions.seat_sequence(
        db.session, seated.id
    )
    assert hearing.version == 2
    assert str(_event(got["asiento@example.org"])["UID"]).startswith(f"signup-{spanish.id}@")
    assert seated.user.email == "seated@example.org"
    assert all(MARKER not in m.as_string() for m in got.values())


def test_no_mail_for_private_changes_or_when_the_coordinator_says_so(app, smtp_server) -> None:
    hearing, _seated, _waiting, coordinator = _hearing_with_people()
    db.session.commit()
    # The judge is shown to volunteers with a seat, so it is mailed (test_hearing_change_mail.py).
    _edit(hearing, coordinator, respondent_ref="R. M.", private_notes="call the lawyer first")
    _edit(hearing, coordinator, notify=False, public_notes="Bring the hearing notice")
    assert _received(smtp_server) == {}
    assert hearing.version == 2  # the feed still follows the volunteer-visible change
