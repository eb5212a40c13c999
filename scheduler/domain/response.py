"""Rapid-response rules: the day of a seat, the alert window, seat states, on-call, escalation.

Plain values in, results out; instants are aware UTC datetimes and local times are the court's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from scheduler.domain.timezones import to_local

# An alert may be raised from an hour before the hearing until four hours after its scheduled
# end: people are met before, and arrests happen in the hallway after the hearing.
ALERT_OPENS_BEFORE = timedelta(hours=1)
ALERT_CLOSES_AFTER_END = timedelta(hours=4)

# Tiers reached one after the other until someone acknowledges.
TIER_ON_CALL = 0
TIER_COORDINATORS = 1
TIER_ADMINS = 2
LAST_TIER = TIER_ADMINS

# Summary cells under this count are not shown (a small count can identify someone).
SUPPRESS_BELOW = 5


class SeatState(StrEnum):
    CHECKED_IN = "checked_in"
    LATE = "late"
    NOT_YET = "not_yet"
    CANT_MAKE_IT = "cant_make_it"
    NO_SHOW = "no_show"


class AlertRefused(ValueError):
    """Why an alert may not be raised now: ``code`` names the reason for the message."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def local_day(instant: datetime, tz_name: str) -> date:
    return to_local(instant, tz_name).date()


def is_seat_day(*, now: datetime, starts_at: datetime, tz_name: str) -> bool:
    """Whether ``now`` falls on the seat's day in the court's zone."""
    return local_day(now, tz_name) == local_day(starts_at, tz_name)


def alert_window(*, hearing_start: datetime, duration_minutes: int) -> tuple[datetime, datetime]:
    end = hearing_start + timedelta(minutes=duration_minutes)
    return hearing_start - ALERT_OPENS_BEFORE, end + ALERT_CLOSES_AFTER_END


def check_alert_time(*, now: datetime, hearing_start: datetime, duration_minutes: int) -> None:
    """Raise AlertRefused("too_early" / "too_late") outside the hearing's alert window."""
    opens, closes = alert_window(hearing_start=hearing_start, duration_minutes=duration_minutes)
    if now < opens:
        raise AlertRefused("too_early")
    if now > closes:
        raise AlertRefused("too_late")


def seat_state(*, checkin: str | None, now: datetime, starts_at: datetime) -> SeatState:
    """A held seat's state on the day: what its holder said, else not yet / no-show after the start."""
    if checkin == "here":
        return SeatState.CHECKED_IN
    if checkin == "cant_make_it":
        return SeatState.CANT_MAKE_IT
    if checkin == "late":
        return SeatState.LATE
    return SeatState.NO_SHOW if now >= starts_at else SeatState.NOT_YET


@dataclass(frozen=True, slots=True)
class Window:
    """One on-call entry: a person, a weekday (Monday 0) and local times [starts, ends)."""

    user_id: int
    weekday: int
    starts: time
    ends: time


def on_call_at(windows: Iterable[Window], *, local: datetime) -> list[int]:
    """The people on call at this local wall-clock time, each once, in entry order."""
    at = local.time().replace(tzinfo=None)
    found: dict[int, None] = {}
    for w in windows:
        if w.weekday == local.weekday() and w.starts <= at < w.ends:
            found.setdefault(w.user_id)
    return list(found)


def escalation_due(
    *, tier: int, tier_reached_at: datetime, acknowledged: bool, now: datetime, wait: timedelta
) -> bool:
    """Whether nobody acknowledged within ``wait`` and a further tier is left to reach."""
    return not acknowledged and tier < LAST_TIER and now >= tier_reached_at + wait


def suppressed(count: int) -> int | None:
    """The count to publish, or None when it is under the threshold and must not be shown."""
    return count if count == 0 or count >= SUPPRESS_BELOW else None
