"""What each role's home page shows now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, joinedload

from scheduler.enums import HearingStatus, ShiftStatus, SignupStatus, UserStatus
from scheduler.models import Hearing, Shift, Signup, User
from scheduler.services import scope
from scheduler.types import utcnow


@dataclass(frozen=True, slots=True)
class CoordinatorSummary:
    pending_count: int
    pending: list[User]
    hearings_next_week: int
    seats_needed_next_week: int
    seats_unfilled_next_week: int


@dataclass(frozen=True, slots=True)
class VolunteerSummary:
    upcoming: list[Signup]
    missing_languages: bool
    missing_roles: bool
    missing_availability: bool


def coordinator_summary(session: Session, *, user: User) -> CoordinatorSummary:
    pending_query = select(User).where(User.status == UserStatus.PENDING)
    pending_count = session.scalar(select(func.count()).select_from(pending_query.subquery()))
    pending = list(session.scalars(pending_query.order_by(User.created_at).limit(5)))

    now = utcnow()
    confirmed = (
        select(Signup.shift_id, func.count().label("filled"))
        .where(Signup.status == SignupStatus.CONFIRMED)
        .group_by(Signup.shift_id)
        .subquery()
    )
    open_seats = Shift.capacity - func.coalesce(confirmed.c.filled, 0)
    row = session.execute(
        select(
            func.count(func.distinct(Hearing.id)),
            func.coalesce(func.sum(Shift.capacity), 0),
            func.coalesce(func.sum(case((open_seats > 0, open_seats), else_=0)), 0),
        )
        .select_from(Shift)
        .join(Hearing, Shift.hearing_id == Hearing.id)
        .outerjoin(confirmed, confirmed.c.shift_id == Shift.id)
        .where(
            Hearing.status == HearingStatus.SCHEDULED,
            Shift.status == ShiftStatus.OPEN,
            Hearing.starts_at >= now,
            Hearing.starts_at < now + timedelta(days=7),
            scope.hearing_filter(user),
        )
    ).one()
    return CoordinatorSummary(
        pending_count=pending_count or 0,
        pending=pending,
        hearings_next_week=row[0],
        seats_needed_next_week=row[1],
        seats_unfilled_next_week=row[2],
    )


def volunteer_summary(session: Session, *, user: User) -> VolunteerSummary:
    upcoming = list(
        session.scalars(
            select(Signup)
            .join(Signup.shift)
            .join(Shift.hearing)
            .where(
                Signup.user_id == user.id,
                Signup.status.in_([SignupStatus.CONFIRMED, SignupStatus.WAITLISTED]),
                Shift.ends_at >= utcnow(),
                Hearing.status == HearingStatus.SCHEDULED,
            )
            .order_by(Shift.starts_at)
            .limit(20)
            .options(joinedload(Signup.shift).joinedload(Shift.hearing).joinedload(Hearing.court))
        )
    )
    profile = user.profile
    if profile is not None:
        session.refresh(profile, attribute_names=["languages", "roles", "availability"])
    return VolunteerSummary(
        upcoming=upcoming,
        missing_languages=not (profile and profile.languages),
        missing_roles=not (profile and profile.roles),
        missing_availability=not (profile and profile.availability),
    )
