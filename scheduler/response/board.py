"""The coordinators' "Today" board: today's hearings in their courts and each seat's state.

"Today" is each court's own date. Read only: the page polls it, and a GET writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, selectinload

from scheduler.courts import scope
from scheduler.domain.response import SeatState, is_seat_day, seat_state
from scheduler.enums import CheckInState, HearingStatus, IncidentStatus, SignupStatus
from scheduler.errors import PermissionDenied
from scheduler.models import Hearing, Incident, SeatCheckIn, Shift, Signup, User


@dataclass(frozen=True, slots=True)
class SeatRow:
    shift: Shift
    volunteer: str
    state: SeatState


@dataclass(frozen=True, slots=True)
class HearingToday:
    hearing: Hearing
    seats: list[SeatRow]
    open_incidents: list[Incident]


def _todays_hearings(session: Session, *, actor: User, now: datetime) -> list[Hearing]:
    # A day in any zone lies within 30 hours of now; the court's own date decides.
    near = list(
        session.scalars(
            select(Hearing)
            .where(
                scope.hearing_filter(actor),
                Hearing.status == HearingStatus.SCHEDULED,
                Hearing.starts_at.between(now - timedelta(hours=30), now + timedelta(hours=30)),
            )
            .order_by(Hearing.starts_at, Hearing.id)
            .options(selectinload(Hearing.court), selectinload(Hearing.shifts))
        )
    )
    return [h for h in near if is_seat_day(now=now, starts_at=h.starts_at, tz_name=h.court.timezone)]


def _seats(session: Session, shift_ids: list[int], now: datetime) -> dict[int, list[SeatRow]]:
    said_cant = and_(Signup.status == SignupStatus.DROPPED, SeatCheckIn.state == CheckInState.CANT_MAKE_IT)
    rows = session.execute(
        select(Signup, SeatCheckIn.state)
        .outerjoin(SeatCheckIn, SeatCheckIn.signup_id == Signup.id)
        .where(Signup.shift_id.in_(shift_ids), or_(Signup.status == SignupStatus.CONFIRMED, said_cant))
        .order_by(Signup.shift_id, Signup.id)
        .options(selectinload(Signup.user), selectinload(Signup.shift))
    )
    found: dict[int, list[SeatRow]] = {}
    for signup, state in rows:
        row = SeatRow(
            shift=signup.shift,
            volunteer=signup.user.display_name,
            state=seat_state(checkin=state, now=now, starts_at=signup.shift.starts_at),
        )
        found.setdefault(signup.shift_id, []).append(row)
    return found


def today_board(session: Session, *, actor: User, now: datetime) -> list[HearingToday]:
    """Today's hearings in the actor's courts, each with its seats' states and open incidents."""
    if not actor.is_coordinator:
        raise PermissionDenied()
    hearings = _todays_hearings(session, actor=actor, now=now)
    seats = _seats(session, [s.id for h in hearings for s in h.shifts], now) if hearings else {}
    incidents: dict[int, list[Incident]] = {}
    if hearings:
        for incident in session.scalars(
            select(Incident)
            .where(Incident.hearing_id.in_([h.id for h in hearings]), Incident.status == IncidentStatus.OPEN)
            .order_by(Incident.raised_at)
        ):
            incidents.setdefault(incident.hearing_id, []).append(incident)
    return [
        HearingToday(
            hearing=h,
            seats=[row for s in h.shifts for row in seats.get(s.id, [])],
            open_incidents=incidents.get(h.id, []),
        )
        for h in hearings
    ]


def open_incidents(session: Session, *, actor: User, limit: int = 50) -> list[Incident]:
    """Every open incident in the actor's courts, newest first (staff close them with a record)."""
    if not actor.is_coordinator:
        raise PermissionDenied()
    ids = scope.court_ids(actor)
    query = select(Incident).where(Incident.status == IncidentStatus.OPEN)
    if ids is not None:
        query = query.where(Incident.court_id.in_(ids))
    return list(
        session.scalars(
            query.order_by(Incident.raised_at.desc(), Incident.id.desc())
            .limit(limit)
            .options(selectinload(Incident.court), selectinload(Incident.hearing))
        )
    )
