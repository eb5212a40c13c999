"""Shared builders for the casework tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from scheduler.domain.timezones import local_to_utc
from scheduler.enums import HearingKind, Role, ShiftRole
from scheduler.matching.facts import MatchSettings
from scheduler.models import Court, Hearing, User
from tests.factories import make_court, make_hearing, make_user

SETTINGS = MatchSettings()
# A fixed "now": Monday 2031-03-03, 15:00 UTC (09:00 in Chicago).
NOW = datetime(2031, 3, 3, 15, tzinfo=UTC)


def checkin(court: Court, day: date, at: time = time(9), **kw) -> Hearing:
    return make_hearing(
        court=court,
        starts_at=local_to_utc(day, at, court.timezone),
        kind=HearingKind.ICE_CHECKIN,
        seats={ShiftRole.ACCOMPANIER: 2},
        respondent_ref="MARKER-RESP-7731",
        **kw,
    )


def coordinator_of(court: Court) -> User:
    return make_user(role=Role.COORDINATOR, courts=(court,))


def chicago() -> Court:
    return make_court(timezone="America/Chicago")
