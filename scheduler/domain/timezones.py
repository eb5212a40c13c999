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


def local_to_utc(day: date, at: time, tz_name: str) -> datetime:
    """The UTC instant of a wall-clock time at a court.

    A repeated time (fall back) means its first occurrence, as a court calendar would.
    A skipped time (spring forward) raises NonexistentLocalTime rather than silently moving.
    """
    tz = zone(tz_name)
    local = datetime.combine(day, at).replace(tzinfo=tz, fold=0)
    as_utc = local.astimezone(UTC)
    if as_utc.astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise NonexistentLocalTime(f"{day} {at} does not exist in {tz_name}")
    return as_utc


def to_local(instant: datetime, tz_name: str) -> datetime:
    """An aware instant shown in a court's zone."""
    if instant.tzinfo is None:
        raise ValueError("naive datetime")
    return instant.astimezone(zone(tz_name))
