"""Builders for rapid-response tests: a hearing today at a court, a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from scheduler.enums import Role, ShiftRole
from scheduler.extensions import db
from scheduler.models import OnCallEntry
from tests.factories import make_court, make_hearing, make_signup, make_user

# 09:00 in Chicago (CST) on a Thursday.
START = datetime(2030, 3, 7, 15, 0, tzinfo=UTC)


def hearing_today(*, starts_at: datetime = START, courtroom: str = "12B", seats: int = 2, court=None, **kw):
    """A hearing at a Chicago court with one accompanier seat held by a volunteer."""
    court = court or make_court()
    hearing = make_hearing(
        court=court,
        starts_at=starts_at,
        courtroom=courtroom,
        respondent_ref="Marisol R.",
        private_notes="fled violence",
        seats={ShiftRole.ACCOMPANIER: seats},
        **kw,
    )
    volunteer = make_user(roles=(ShiftRole.ACCOMPANIER,), languages=("es",))
    signup = make_signup(shift=hearing.shifts[0], user=volunteer)
    return hearing, volunteer, signup


def on_call(
    court, *, weekday: int = 3, starts: time = time(0, 0), ends: time = time(23, 59), role=None, user=None
):
    from scheduler.enums import OnCallRole

    person = user or make_user(role=Role.VOLUNTEER)
    entry = OnCallEntry(
        court_id=court.id,
        user_id=person.id,
        role=role or OnCallRole.RAPID_RESPONDER,
        weekday=weekday,
        starts=starts,
        ends=ends,
    )
    db.session.add(entry)
    db.session.flush()
    return person


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


# Zones with their UTC offsets spread around the clock: one of them is always in its morning.
_ZONES = (
    "UTC",
    "Europe/Berlin",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Brisbane",
    "Pacific/Honolulu",
    "America/Los_Angeles",
    "America/Chicago",
    "America/New_York",
)


def morning_zone(now: datetime) -> str:
    """A zone where ``now`` is between 06:00 and 13:59, so a hearing in two hours is still today."""
    from scheduler.domain.timezones import to_local

    return next(z for z in _ZONES if 6 <= to_local(now, z).hour <= 13)


def court_in_the_morning():
    """A court whose local time is now the morning (pages use the real clock)."""
    from scheduler.types import utcnow

    return make_court(timezone=morning_zone(utcnow()))
