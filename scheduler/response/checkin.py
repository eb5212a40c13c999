"""On the day of a seat its holder says "I'm here", "Running late" or "Can't make it".

"Can't make it" releases the seat in the same transaction, through the shifts services: the
waitlist moves up first, and when nobody there can take it the best-ranked eligible people are
invited (matching). The court's coordinators hear of it (``SeatCantMakeIt``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from scheduler import audit, events
from scheduler.domain.eligibility import Rules
from scheduler.domain.response import is_seat_day
from scheduler.enums import CheckInState, HearingStatus, SignupStatus
from scheduler.errors import ServiceError
from scheduler.matching.facts import MatchSettings
from scheduler.matching.invitations import invite_replacements
from scheduler.models import SeatCheckIn, Signup, User
from scheduler.shifts import claims, locking


@dataclass(frozen=True, slots=True)
class CheckInSettings:
    rules: Rules = field(default_factory=Rules)
    match: MatchSettings = field(default_factory=MatchSettings)
    # How many people are invited at once when a seat is freed on the day and nobody waits.
    invite_limit: int = 5


@dataclass(frozen=True, slots=True)
class CheckInResult:
    state: CheckInState
    promoted: Signup | None = None
    invited: int = 0


def _note(session: Session, signup: Signup, state: CheckInState, now: datetime) -> None:
    row = session.get(SeatCheckIn, signup.id)
    if row is None:
        session.add(SeatCheckIn(signup_id=signup.id, state=state, noted_at=now))
    else:
        row.state, row.noted_at = state, now


def check_in(
    session: Session,
    *,
    actor: User,
    shift_id: int,
    state: CheckInState,
    now: datetime,
    settings: CheckInSettings,
) -> CheckInResult:
    """Record what the seat's holder says today; "can't make it" frees the seat and fills it."""
    shift = locking.lock_shift(session, shift_id)
    if shift is None:
        raise claims.ShiftMissing()
    signup = locking.own_signup(session, shift_id=shift.id, user_id=actor.id)
    if signup is None or signup.status != SignupStatus.CONFIRMED:
        raise claims.NotHolding()
    hearing = shift.hearing
    if hearing.status == HearingStatus.CANCELLED:
        raise ServiceError("cancelled")
    if not is_seat_day(now=now, starts_at=shift.starts_at, tz_name=hearing.court.timezone):
        raise ServiceError("not_today")
    if now >= shift.ends_at:
        raise ServiceError("over")
    _note(session, signup, state, now)
    audit.record(
        session, actor=actor, action=f"checkin.{state.value}", object_type="shift", object_id=shift.id
    )
    if state != CheckInState.CANT_MAKE_IT:
        session.flush()
        return CheckInResult(state)
    claims.release(signup, status=SignupStatus.DROPPED, now=now, late=True)
    session.flush()
    promoted = claims.promote_from_waitlist(session, shift=shift, now=now, rules=settings.rules)
    invited = []
    if promoted is None:
        invited = invite_replacements(
            session, shift=shift, now=now, settings=settings.match, limit=settings.invite_limit
        )
    events.record(
        session,
        events.SeatCantMakeIt(signup_id=signup.id, promoted=promoted is not None, invited=len(invited)),
    )
    return CheckInResult(state, promoted, len(invited))


def todays_state(session: Session, *, signup: Signup | None, now: datetime) -> CheckInState | bool | None:
    """For the seat page: False when no check-in is offered now, else the state said so far (or None)."""
    if signup is None or signup.status != SignupStatus.CONFIRMED:
        return False
    shift = signup.shift
    if shift.hearing.status == HearingStatus.CANCELLED or now >= shift.ends_at:
        return False
    if not is_seat_day(now=now, starts_at=shift.starts_at, tz_name=shift.hearing.court.timezone):
        return False
    row = session.get(SeatCheckIn, signup.id)
    return row.state if row is not None else None
