"""Hearings whose date is still to be set: checked later on the court's case status, then dated.

The respondent reference is kept as hearings keep it (a first name or initials, never an
A-number, coordinators only, wiped by the retention purge); it never leaves the coordinators'
pages: the digest names the court and how many cases, nothing else.
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, joinedload

from scheduler import audit
from scheduler.casework.series import details_of, invite_last_team
from scheduler.courts import scope
from scheduler.domain.hearings import HearingPlan, PlannedShift, default_shift_window, looks_like_a_number
from scheduler.domain.timezones import to_local
from scheduler.enums import HearingKind, ShiftRole
from scheduler.errors import PermissionDenied, ServiceError
from scheduler.hearings import schedule as hearing_service
from scheduler.matching.facts import MatchSettings
from scheduler.models import AwaitingDate, Court, Hearing, User

PAGE_SIZE = 50
# A new case with no earlier hearing to copy: two accompaniers, an hour (the coordinator edits).
DEFAULT_SEATS = {ShiftRole.ACCOMPANIER: 2}
DEFAULT_MINUTES = {HearingKind.INDIVIDUAL: 180}


@dataclass(frozen=True, slots=True)
class DueCheck:
    court_id: int
    court_name: str
    count: int


def add_awaiting(
    session: Session,
    *,
    actor: User,
    court: Court,
    kind: HearingKind,
    next_check_on: date,
    today: date,
    respondent_ref: str = "",
    previous: Hearing | None = None,
    reported_by_team: bool = False,
) -> AwaitingDate:
    """A case waiting for its next date; ``reported_by_team`` as in ``create_hearing``."""
    if not (reported_by_team and previous is not None) and not scope.may_manage_court(actor, court.id):
        raise PermissionDenied()
    if looks_like_a_number(respondent_ref):
        raise ServiceError("a_number", field="respondent_ref")
    if next_check_on < today:
        raise ServiceError("in_past", field="next_check_on")
    entry = AwaitingDate(
        court_id=court.id,
        kind=kind,
        respondent_ref=respondent_ref.strip() or (previous.respondent_ref if previous else ""),
        case_key=previous.case_key if previous else uuid.uuid4().hex,
        previous_hearing_id=previous.id if previous else None,
        next_check_on=next_check_on,
        created_by_id=actor.id,
    )
    session.add(entry)
    session.flush()
    audit.record(session, actor=actor, action="awaiting.created", object_type="awaiting", object_id=entry.id)
    return entry


def open_entries(session: Session, *, actor: User, page: int = 1) -> list[AwaitingDate]:
    """The cases still waiting, in the coordinator's courts, soonest check first (a page at a time)."""
    query = select(AwaitingDate).where(AwaitingDate.resolved_at.is_(None))
    allowed = scope.court_ids(actor)
    if allowed is not None:
        query = query.where(AwaitingDate.court_id.in_(allowed))
    return list(
        session.scalars(
            query.options(joinedload(AwaitingDate.court))
            .order_by(AwaitingDate.next_check_on, AwaitingDate.id)
            .limit(PAGE_SIZE)
            .offset(PAGE_SIZE * (max(page, 1) - 1))
        )
    )


def managed_entry(session: Session, *, actor: User, entry_id: int) -> AwaitingDate | None:
    entry = session.get(AwaitingDate, entry_id)
    if entry is not None and not scope.may_manage_court(actor, entry.court_id):
        raise PermissionDenied()
    return entry


def due_checks(session: Session, *, today: date) -> list[DueCheck]:
    """Per court, how many open cases are due a check by today (for the coordinators' digest)."""
    rows = session.execute(
        select(Court.id, Court.name, func.count(AwaitingDate.id))
        .join(Court, AwaitingDate.court_id == Court.id)
        .where(AwaitingDate.resolved_at.is_(None), AwaitingDate.next_check_on <= today)
        .group_by(Court.id, Court.name)
        .order_by(Court.name)
    ).all()
    return [DueCheck(court_id, name, int(n)) for court_id, name, n in rows]


def check_again(
    session: Session, *, actor: User, entry: AwaitingDate, next_check_on: date, today: date
) -> None:
    """Still no date on the case status: check again on another day."""
    if not scope.may_manage_court(actor, entry.court_id):
        raise PermissionDenied()
    if entry.resolved_at is not None:
        raise ServiceError("resolved")
    if next_check_on < today:
        raise ServiceError("in_past", field="next_check_on")
    entry.next_check_on = next_check_on
    session.flush()


def set_date(
    session: Session,
    *,
    actor: User,
    entry: AwaitingDate,
    starts_at: datetime,
    now: datetime,
    settings: MatchSettings,
) -> Hearing:
    """The date is known: the hearing with its seats is posted and the last team invited first."""
    if not scope.may_manage_court(actor, entry.court_id):
        raise PermissionDenied()
    if entry.resolved_at is not None:
        raise ServiceError("resolved")
    if starts_at <= now:
        raise ServiceError("in_past", field="date")
    previous = entry.previous_hearing
    details = _details(entry, previous)
    hearing = hearing_service.create_hearing(
        session,
        actor=actor,
        court=entry.court,
        plan=plan_from(previous, details, starts_at),
        details=details,
        previous=previous,
    )
    hearing.case_key = entry.case_key
    entry.hearing_id = hearing.id
    entry.resolved_at = now
    session.flush()
    invite_last_team(session, hearing=hearing, actor=actor, now=now, settings=settings)
    return hearing


def _details(entry: AwaitingDate, previous: Hearing | None) -> hearing_service.HearingDetails:
    if previous is not None:
        return dataclasses.replace(details_of(previous, kind=entry.kind), respondent_ref=entry.respondent_ref)
    return hearing_service.HearingDetails(
        kind=entry.kind,
        duration_minutes=DEFAULT_MINUTES.get(entry.kind, 60),
        respondent_ref=entry.respondent_ref,
        date_confirmed=True,
    )


def plan_from(
    previous: Hearing | None, details: hearing_service.HearingDetails, starts_at: datetime
) -> HearingPlan:
    """The previous hearing's seats, moved to the new start; or the default seats."""
    if previous is not None and previous.shifts:
        offset = starts_at - previous.starts_at
        shifts = tuple(
            PlannedShift(
                role=s.role, capacity=s.capacity, starts_at=s.starts_at + offset, ends_at=s.ends_at + offset
            )
            for s in previous.shifts
        )
        return HearingPlan(starts_at=starts_at, shifts=shifts)
    planned = []
    for role, capacity in DEFAULT_SEATS.items():
        start, end = default_shift_window(
            role=role, hearing_start=starts_at, duration_minutes=details.duration_minutes
        )
        planned.append(PlannedShift(role=role, capacity=capacity, starts_at=start, ends_at=end))
    return HearingPlan(starts_at=starts_at, shifts=tuple(planned))


def default_check_day(*, now: datetime, tz_name: str, days: int = 14) -> date:
    """When to look at the case status next, by default: two weeks from today at the court."""
    return to_local(now, tz_name).date() + timedelta(days=days)


def wipe_private(session: Session, *, before: datetime) -> int:
    """Retention: the reference of cases dated (or added) before the cutoff goes; rows stay."""
    result = session.execute(
        update(AwaitingDate)
        .where(
            AwaitingDate.respondent_ref != "",
            AwaitingDate.created_at < before,
            or_(AwaitingDate.resolved_at.is_not(None), AwaitingDate.next_check_on < before.date()),
        )
        .values(respondent_ref="")
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
