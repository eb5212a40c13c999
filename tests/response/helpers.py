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
