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
