"""What a volunteer's home page shows now (coordinators land on the hearings dashboard)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from scheduler.enums import HearingStatus, SignupStatus
from scheduler.models import Hearing, Shift, Signup, User
from scheduler.types import utcnow


@dataclass(frozen=True, slots=True)
class VolunteerSummary:
    upcoming: list[Signup]
    missing_languages: bool
    missing_roles: bool
    missing_availability: bool


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
