"""What coordinators do on a shift: assign (with a recorded override), remove, lead, attendance."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from scheduler import audit
from scheduler.courts import scope
from scheduler.domain.claims import not_overridable
from scheduler.domain.eligibility import Rules
from scheduler.enums import Attendance, SignupStatus
from scheduler.errors import PermissionDenied, ServiceError
from scheduler.models import Hearing, Shift, Signup, User
from scheduler.shifts.claims import (
    HOLDING,
    Refused,
    ShiftMissing,
    fill_from_waitlist,
    locked_claim,
    promote_from_waitlist,
    refusals_for,
    release,
    take_seat,
)
from scheduler.shifts.locking import count_confirmed, lock_person, lock_shift, own_signup


def _managed_shift(session: Session, *, actor: User, shift_id: int) -> Shift:
    shift = lock_shift(session, shift_id)
    if shift is None:
        raise ShiftMissing()
    if not scope.may_manage_court(actor, shift.hearing.court_id):
        raise PermissionDenied()
    return shift


def assign_volunteer(
    session: Session,
    *,
    actor: User,
    shift_id: int,
    user_id: int,
    now: datetime,
    rules: Rules,
    override_reason: str = "",
) -> Signup:
    """Seat a volunteer on the same rules as a claim; a reason overrides the overridable ones.

    Capacity is never overridden (raise the hearing's seats instead), nor approval or a
    cancelled hearing. An override is kept on the signup and in the audit trail.
    """
    claim = locked_claim(session, shift_id=shift_id, user_id=user_id, person=False)
    shift = claim.shift
    if not scope.may_manage_court(actor, shift.hearing.court_id):
        raise PermissionDenied()
    if session.get(User, user_id) is None:
        raise ServiceError("unknown_volunteer")
    lock_person(session, user_id)  # as in a claim: the overlap and cap rules read their seats next
    existing = claim.own
    if existing is not None and existing.status == SignupStatus.CONFIRMED:
        raise ServiceError("already_held")
    refusals = refusals_for(session, user_id=user_id, shift=shift, now=now, rules=rules)
    override_reason = override_reason.strip()
    if refusals and (not override_reason or not_overridable(refusals)):
        raise Refused(refusals, code="refused" if not not_overridable(refusals) else "refused_hard")
    if claim.filled >= shift.capacity:
        raise ServiceError("full")
    signup = take_seat(
        session, shift=shift, user_id=user_id, existing=existing, status=SignupStatus.CONFIRMED, now=now
    )
    signup.assigned_by_id = actor.id
    signup.override_reason = override_reason if refusals else ""
    # Nobody showed them this seat yet: their commitments page will say it is new.
    signup.seen_status = None
    session.flush()
    details: dict = {"user_id": user_id}
    if refusals:
        details["override"] = [r.reason.value for r in refusals]
        details["override_reason"] = override_reason
    audit.record(
        session,
        actor=actor,
        action="signup.assigned_override" if refusals else "signup.assigned",
        object_type="shift",
        object_id=shift.id,
        details=details,
    )
    return signup


MAX_SEATS = 20


def set_capacity(
    session: Session, *, actor: User, shift_id: int, capacity: int, now: datetime, rules: Rules
) -> list[Signup]:
    """Change how many people a shift needs; a raise seats people from the waitlist at once.

    Lowering below the seats already held is refused rather than silently dropping someone:
    the coordinator removes a person first, and that person is told.
    """
    shift = _managed_shift(session, actor=actor, shift_id=shift_id)
    if not 0 <= capacity <= MAX_SEATS:
        raise ServiceError("capacity_range")
    if capacity < count_confirmed(session, shift.id):
        raise ServiceError("below_held")
    previous = shift.capacity
    if capacity == previous:
        return []
    shift.capacity = capacity
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="shift.capacity_changed",
        object_type="shift",
        object_id=shift.id,
        details={"from": previous, "to": capacity},
    )
    return fill_from_waitlist(session, shift=shift, now=now, rules=rules) if capacity > previous else []


def remove_volunteer(
    session: Session, *, actor: User, shift_id: int, user_id: int, now: datetime, rules: Rules
) -> Signup | None:
    """Take someone off a shift (seat or waitlist); returns who moved up from the waitlist."""
    shift = _managed_shift(session, actor=actor, shift_id=shift_id)
    signup = own_signup(session, shift_id=shift.id, user_id=user_id)
    if signup is None or signup.status not in HOLDING:
        raise ServiceError("not_on_shift")
    was_confirmed = signup.status == SignupStatus.CONFIRMED
    release(signup, status=SignupStatus.REMOVED, now=now)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="signup.removed",
        object_type="shift",
        object_id=shift.id,
        details={"user_id": user_id},
    )
    return promote_from_waitlist(session, shift=shift, now=now, rules=rules) if was_confirmed else None


def set_team_lead(session: Session, *, actor: User, shift_id: int, user_id: int, lead: bool) -> Signup:
    """The team lead of a hearing sees the team's phone numbers; one lead per hearing."""
    shift = _managed_shift(session, actor=actor, shift_id=shift_id)
    signup = own_signup(session, shift_id=shift.id, user_id=user_id)
    if signup is None or signup.status != SignupStatus.CONFIRMED:
        raise ServiceError("not_on_shift")
    if lead:
        for other in shift.hearing.shifts:
            for s in other.signups:
                s.team_lead = False
    signup.team_lead = lead
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="signup.team_lead",
        object_type="shift",
        object_id=shift.id,
        details={"user_id": user_id, "lead": lead},
    )
    return signup


def mark_attendance(
    session: Session,
    *,
    actor: User,
    shift_id: int,
    user_id: int,
    attendance: Attendance | None,
    now: datetime,
) -> Signup:
    """After the shift starts: who came and who did not (None clears a mistake)."""
    shift = _managed_shift(session, actor=actor, shift_id=shift_id)
    if now < shift.starts_at:
        raise ServiceError("not_yet")
    signup = own_signup(session, shift_id=shift.id, user_id=user_id)
    if signup is None or signup.status != SignupStatus.CONFIRMED:
        raise ServiceError("not_on_shift")
    signup.attendance = attendance
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="signup.attendance",
        object_type="shift",
        object_id=shift.id,
        details={"user_id": user_id, "attendance": attendance.value if attendance else None},
    )
    return signup


def set_outcome_note(session: Session, *, actor: User, hearing: Hearing, note: str) -> None:
    """What happened at the hearing, for coordinators (never shown to volunteers or feeds)."""
    if not scope.may_manage_court(actor, hearing.court_id):
        raise PermissionDenied()
    hearing.outcome_note = note.strip()
    session.flush()
    # The note may name the respondent: the trail records that it changed, not what it says.
    audit.record(
        session, actor=actor, action="hearing.outcome_noted", object_type="hearing", object_id=hearing.id
    )
