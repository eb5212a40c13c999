"""Posting, rescheduling, cancelling hearings and their change history."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from scheduler.domain.hearings import HearingDraft, SeatSpec, plan_hearing
from scheduler.enums import HearingKind, HearingStatus, Role, ShiftRole, ShiftStatus, SignupStatus
from scheduler.errors import PermissionDenied, ServiceError
from scheduler.extensions import db
from scheduler.hearings import schedule as service
from scheduler.hearings.schedule import HearingDetails
from scheduler.models import AuditEvent, Hearing, Invitation, InvitationStatus, Signup
from scheduler.types import utcnow
from tests.factories import make_court, make_hearing, make_signup, make_user

DETAILS = HearingDetails(
    kind=HearingKind.INDIVIDUAL, duration_minutes=120, languages=("es",), respondent_ref="RM"
)


def plan_for(court, day=date(2031, 7, 15), at=time(9)):
    seats = (SeatSpec(role=ShiftRole.ACCOMPANIER, count=2), SeatSpec(role=ShiftRole.DRIVER, count=1))
    draft = HearingDraft(day=day, at=at, tz_name=court.timezone, duration_minutes=120, seats=seats)
    return plan_hearing(draft=draft, now=utcnow())


def test_create_stores_shifts_languages_and_a_history_row(app) -> None:
    court = make_court(timezone="America/Phoenix")
    coordinator = make_user(role=Role.COORDINATOR)
    hearing = service.create_hearing(
        db.session, actor=coordinator, court=court, plan=plan_for(court), details=DETAILS
    )
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Hearing, hearing.id)
    assert stored.starts_at == datetime(2031, 7, 15, 16, tzinfo=UTC)
    assert stored.language_codes == ["es"]
    assert {(s.role, s.capacity) for s in stored.shifts} == {
        (ShiftRole.ACCOMPANIER, 2),
        (ShiftRole.DRIVER, 1),
    }
    assert stored.version == 1 and stored.created_by_id == coordinator.id
    assert [e.action for e in service.history(db.session, hearing_id=hearing.id)] == ["hearing.created"]


def test_a_coordinator_cannot_post_to_a_court_outside_their_scope(app) -> None:
    mine, other = make_court(), make_court()
    coordinator = make_user(role=Role.COORDINATOR, courts=(mine,))
    with pytest.raises(PermissionDenied):
        service.create_hearing(
            db.session, actor=coordinator, court=other, plan=plan_for(other), details=DETAILS
        )


def test_reschedule_moves_shifts_keeps_seats_and_raises_the_version(app) -> None:
    court = make_court()
    coordinator = make_user(role=Role.COORDINATOR)
    start = (utcnow() + timedelta(days=5)).replace(microsecond=0)
    hearing = make_hearing(
        court=court, starts_at=start, seats={ShiftRole.ACCOMPANIER: 2, ShiftRole.DRIVER: 1}
    )
    volunteer = make_user()
    signup = make_signup(shift=hearing.shifts[0], user=volunteer)
    windows = {s.role: (s.starts_at, s.ends_at) for s in hearing.shifts}
    new_court = make_court(timezone="America/New_York")
    new_start = start + timedelta(days=14, hours=2)

    result = service.reschedule_hearing(
        db.session, actor=coordinator, hearing=hearing, court=new_court, starts_at=new_start, courtroom="12B"
    )
    db.session.commit()

    assert result.old_starts_at == start and result.new_starts_at == new_start
    assert result.signup_ids == (signup.id,)
    db.session.expire_all()
    hearing = db.session.get(Hearing, hearing.id)
    assert hearing.version == 2
    assert hearing.court_id == new_court.id and hearing.courtroom == "12B"
    offset = new_start - start
    assert {s.role: (s.starts_at, s.ends_at) for s in hearing.shifts} == {
        role: (a + offset, b + offset) for role, (a, b) in windows.items()
    }
    assert db.session.get(Signup, signup.id).status == SignupStatus.CONFIRMED
    event = service.history(db.session, hearing_id=hearing.id)[0]
    assert event.action == "hearing.rescheduled"
    assert event.details["changes"]["courtroom"] == {"old": "", "new": "12B"}
    assert event.details["changes"]["starts_at"]["new"] == new_start.isoformat()


def test_an_open_invitation_can_still_be_answered_after_a_later_reschedule(app) -> None:
    """Invitations expire when their shift starts: moving the hearing later moves that moment."""
    court = make_court()
    coordinator = make_user(role=Role.COORDINATOR)
    start = (utcnow() + timedelta(days=2)).replace(microsecond=0)
    hearing = make_hearing(court=court, starts_at=start, seats={ShiftRole.ACCOMPANIER: 1})
    shift = hearing.shifts[0]
    invited = Invitation(
        shift_id=shift.id, user_id=make_user().id, invited_by_id=coordinator.id, expires_at=shift.starts_at
    )
    answered = Invitation(
        shift_id=shift.id,
        user_id=make_user().id,
        invited_by_id=coordinator.id,
        expires_at=shift.starts_at,
        status=InvitationStatus.DECLINED,
    )
    db.session.add_all([invited, answered])
    db.session.commit()
    service.reschedule_hearing(
        db.session,
        actor=coordinator,
        hearing=hearing,
        court=court,
        starts_at=start + timedelta(days=7),
        courtroom="",
    )
    db.session.commit()
    assert invited.expires_at == shift.starts_at == start - timedelta(minutes=45) + timedelta(days=7)
    assert answered.expires_at == start - timedelta(minutes=45)  # answered ones are history


def test_cancel_closes_shifts_and_keeps_signups_as_history(app) -> None:
    coordinator = make_user(role=Role.COORDINATOR)
    hearing = make_hearing(seats={ShiftRole.ACCOMPANIER: 2, ShiftRole.INTERPRETER: 1})
    signup = make_signup(shift=hearing.shifts[0], user=make_user())
    waiting = make_signup(shift=hearing.shifts[1], user=make_user(), status=SignupStatus.WAITLISTED)

    result = service.cancel_hearing(db.session, actor=coordinator, hearing=hearing, reason="Court closed")
    db.session.commit()

    db.session.expire_all()
    hearing = db.session.get(Hearing, hearing.id)
    assert hearing.status == HearingStatus.CANCELLED and hearing.cancelled_at is not None
    assert hearing.cancel_reason == "Court closed" and hearing.version == 2
    assert all(s.status == ShiftStatus.CLOSED for s in hearing.shifts)
    assert db.session.get(Signup, signup.id).status == SignupStatus.CONFIRMED
    assert db.session.get(Signup, waiting.id).status == SignupStatus.WAITLISTED
    assert set(result.signup_ids) == {signup.id, waiting.id}
    with pytest.raises(ServiceError):
        service.reschedule_hearing(
            db.session,
            actor=coordinator,
            hearing=hearing,
            court=hearing.court,
            starts_at=utcnow(),
            courtroom="",
        )


def test_cancel_needs_a_reason(app) -> None:
    with pytest.raises(ServiceError) as caught:
        service.cancel_hearing(
            db.session, actor=make_user(role=Role.COORDINATOR), hearing=make_hearing(), reason=" "
        )
    assert caught.value.code == "reason_required"


def test_private_edits_do_not_raise_the_version_nor_reach_the_history(app) -> None:
    coordinator = make_user(role=Role.COORDINATOR)
    hearing = make_hearing(respondent_ref="MARKER-RESP-7731", private_notes="old")
    details = HearingDetails(
        kind=hearing.kind,
        duration_minutes=hearing.duration_minutes,
        languages=tuple(hearing.language_codes),
        respondent_ref="Someone else",
        private_notes="MARKER-PRIVATE-4412",
        judge="Judge Z",
    )
    result = service.update_details(db.session, actor=coordinator, hearing=hearing, details=details)
    db.session.commit()
    assert not result.version_raised and hearing.version == 1
    stored = db.session.scalars(select(AuditEvent).where(AuditEvent.object_id == hearing.id)).all()
    text = repr([e.details for e in stored])
    assert "MARKER-PRIVATE-4412" not in text and "MARKER-RESP-7731" not in text
    assert stored[-1].details["changes"]["private_notes"] == {"changed": True}


def test_a_longer_hearing_stretches_shifts_that_ran_to_its_end(app) -> None:
    coordinator = make_user(role=Role.COORDINATOR)
    hearing = make_hearing(duration_minutes=60, meeting_point="")
    end = hearing.shifts[0].ends_at
    details = HearingDetails(
        kind=hearing.kind, duration_minutes=180, languages=("es",), meeting_point="Lobby, by the elevators"
    )
    result = service.update_details(db.session, actor=coordinator, hearing=hearing, details=details)
    assert result.version_raised and hearing.version == 2
    assert hearing.shifts[0].ends_at == end + timedelta(hours=2)


def test_next_hearing_shares_the_case_and_offers_the_previous_team(app) -> None:
    coordinator = make_user(role=Role.COORDINATOR)
    court = make_court()
    first = make_hearing(
        court=court, starts_at=utcnow() + timedelta(days=1), seats={ShiftRole.INTERPRETER: 1}
    )
    interpreter = make_user(display_name="Ana Interpreter")
    dropped = make_user(display_name="Dropped Person")
    make_signup(shift=first.shifts[0], user=interpreter)
    make_signup(shift=first.shifts[0], user=dropped, status=SignupStatus.DROPPED)
    nxt = service.create_hearing(
        db.session, actor=coordinator, court=court, plan=plan_for(court), details=DETAILS, previous=first
    )
    assert nxt.case_key == first.case_key and nxt.previous_hearing_id == first.id
    team = service.previous_team(db.session, hearing=nxt)
    assert [(m.user.display_name, m.role, m.shift_id) for m in team] == [
        ("Ana Interpreter", "interpreter", None)
    ]


def test_looking_at_private_fields_is_audited_but_not_a_change_in_the_history(app) -> None:
    from scheduler import audit

    court = make_court()
    coordinator = make_user(role=Role.COORDINATOR)
    hearing = service.create_hearing(
        db.session, actor=coordinator, court=court, plan=plan_for(court), details=DETAILS
    )
    audit.record(
        db.session,
        actor=coordinator,
        action="hearing.private_viewed",
        object_type="hearing",
        object_id=hearing.id,
    )
    db.session.commit()
    assert [e.action for e in service.history(db.session, hearing_id=hearing.id)] == ["hearing.created"]
    viewed = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "hearing.private_viewed")).all()
    assert len(viewed) == 1
