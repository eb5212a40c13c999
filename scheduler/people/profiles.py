"""The volunteer profile: what matching reads about a person."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.domain.languages import is_known_language
from scheduler.domain.trainings import TRAINING_KEYS
from scheduler.enums import ShiftRole
from scheduler.errors import ServiceError
from scheduler.models import (
    AvailabilityWindow,
    BlackoutDate,
    Court,
    User,
    VolunteerLanguage,
    VolunteerProfile,
    VolunteerRole,
    VolunteerTraining,
)


@dataclass(frozen=True)
class ProfileData:
    languages: list[str]
    roles: list[ShiftRole]
    has_car: bool
    max_shifts_per_week: int
    preferred_court_ids: list[int]
    trainings: dict[str, date]
    # (weekday, start, end), weekday 0 = Monday, in the court's local time.
    availability: list[tuple[int, time, time]]
    blackout_dates: list[date] = field(default_factory=list)


def get_profile(session: Session, user: User) -> VolunteerProfile:
    if user.profile is None:
        user.profile = VolunteerProfile()
        session.flush()
    return user.profile


def update_profile(session: Session, *, user: User, data: ProfileData) -> VolunteerProfile:
    """Replace the profile's lists with the given ones, after checking every value."""
    if not all(is_known_language(code) for code in data.languages):
        raise ServiceError("unknown_language", field="languages")
    if not all(key in TRAINING_KEYS for key in data.trainings):
        raise ServiceError("unknown_training")
    if any(not 0 <= w <= 6 or end <= start for w, start, end in data.availability):
        raise ServiceError("bad_window")
    profile = get_profile(session, user)
    profile.has_car = data.has_car
    profile.max_shifts_per_week = data.max_shifts_per_week
    profile.languages = [VolunteerLanguage(language=c) for c in _unique(data.languages)]
    profile.roles = [VolunteerRole(role=r) for r in _unique(data.roles)]
    profile.trainings = [
        VolunteerTraining(training=key, completed_on=day) for key, day in sorted(data.trainings.items())
    ]
    profile.availability = [
        AvailabilityWindow(weekday=w, start_time=s, end_time=e) for w, s, e in data.availability
    ]
    profile.blackout_dates = [BlackoutDate(day=d) for d in _unique(data.blackout_dates)]
    courts = (
        list(session.scalars(select(Court).where(Court.id.in_(data.preferred_court_ids))))
        if data.preferred_court_ids
        else []
    )
    profile.preferred_courts = courts
    session.flush()
    return profile


def _unique(values: Iterable) -> list:
    return list(dict.fromkeys(values))
