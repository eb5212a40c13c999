"""Conversions between a court's wall-clock time and UTC instants.

Hearings are typed in the court's local time. Two wall-clock times need care: the hour skipped
when daylight saving starts does not exist, and the hour repeated when it ends happens twice.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones


class NonexistentLocalTime(ValueError):
    """The wall-clock time falls in the gap when clocks spring forward."""


class UnknownTimeZone(ValueError):
    pass


@cache
def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UnknownTimeZone(name) from exc


def is_valid_timezone(name: str) -> bool:
    return name in _all_zones()


@cache
def _all_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def local_to_utc(day: date, at: time, tz_name: str, *, fold: int = 0) -> datetime:
    """The UTC instant of a wall-clock time at a court.

    A repeated time (fall back) means its first occurrence unless ``fold=1`` asks for the
    second (the coordinator chooses; see ``occurrences``). A skipped time (spring forward)
    raises NonexistentLocalTime rather than silently moving.
    """
    tz = zone(tz_name)
    local = datetime.combine(day, at).replace(tzinfo=tz, fold=1 if fold else 0)
    as_utc = local.astimezone(UTC)
    if as_utc.astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise NonexistentLocalTime(f"{day} {at} does not exist in {tz_name}")
    return as_utc


def to_local(instant: datetime, tz_name: str) -> datetime:
    """An aware instant shown in a court's zone."""
    if instant.tzinfo is None:
        raise ValueError("naive datetime")
    return instant.astimezone(zone(tz_name))


def is_ambiguous(instant: datetime, tz_name: str) -> bool:
    """True when the instant's wall-clock time at the court happens twice (the hour clocks fall back).

    Such a time written with a local TZID is read as different instants by different calendar
    parsers (icalendar and vobject take the first, ical.js and libical the second), and a page
    showing "1:30 AM" alone does not say which.
    """
    local = to_local(instant, tz_name)
    return local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()


def occurrences(day: date, at: time, tz_name: str) -> tuple[datetime, ...]:
    """Every UTC instant a wall-clock time stands for: none (a gap), one, or two (a repeated hour)."""
    try:
        first = local_to_utc(day, at, tz_name, fold=0)
    except NonexistentLocalTime:
        return ()
    second = local_to_utc(day, at, tz_name, fold=1)
    return (first,) if second == first else (first, second)


WEEK_SECONDS = 7 * 86_400


def week_seconds(starts_at: datetime, ends_at: datetime, tz_name: str) -> tuple[int, int]:
    """Where a seat falls in the court's local week, in whole seconds from Monday 00:00.

    Both ends count from the midnight that starts the seat's local day, by the wall clock: a seat
    ending the next day ends past that day's 86,400 seconds, so it fits no weekly window (a
    window lies inside one day, as ``eligibility.is_available`` requires). Stored on each shift,
    these turn "inside one of the volunteer's windows, in the court's zone" into two integer
    comparisons per window in SQL, the same for every court. Seconds are floored, as
    ``window_seconds`` floors the window's, so the SQL test never refuses a seat the rules accept.
    """
    local_start = to_local(starts_at, tz_name)
    local_end = to_local(ends_at, tz_name)
    base = local_start.weekday() * 86_400
    day_after = (local_end.date() - local_start.date()).days * 86_400
    return base + _seconds_of(local_start.time()), base + day_after + _seconds_of(local_end.time())


def window_seconds(weekday: int, start: time, end: time) -> tuple[int, int]:
    """A weekly window's bounds on the scale of ``week_seconds``."""
    base = weekday * 86_400
    return base + _seconds_of(start), base + _seconds_of(end)


def _seconds_of(at: time) -> int:
    return at.hour * 3600 + at.minute * 60 + at.second
