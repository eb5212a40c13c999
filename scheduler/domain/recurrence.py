"""Recurring ICE check-ins: a rule (python-dateutil's rrule) read in the court's own zone.

A series says when a check-in repeats: every N weeks, monthly on the same weekday of the month
(the second Tuesday) or on the same day of the month, until a date or for N times, with dates
skipped. Each occurrence is its own hearing; this module only says which local dates there are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import cache

from dateutil.relativedelta import FR, MO, TH, relativedelta
from dateutil.rrule import MONTHLY, WEEKLY, rrule, rrulestr, weekday, weekdays

MAX_SPAN = timedelta(days=366)
MAX_INTERVAL = 52


class Frequency(StrEnum):
    WEEKLY = "weekly"
    MONTHLY_WEEKDAY = "monthly_weekday"
    MONTHLY_DATE = "monthly_date"


class RecurrenceInvalid(ValueError):
    """A rule refused: ``code`` says why (``no_end``, ``none``, ``too_long``, ``bad_interval``...)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True, slots=True)
class Recurrence:
    """The first local date, how it repeats and when it stops; skipped dates are left out."""

    first: date
    frequency: Frequency
    interval: int = 1
    until: date | None = None
    count: int | None = None
    skipped: frozenset[date] = field(default_factory=frozenset)


def _nth_weekday(day: date) -> weekday:
    """The first day's place in its month: the 2nd Tuesday, or the last one when it is the 5th."""
    nth = (day.day - 1) // 7 + 1
    return weekdays[day.weekday()](-1 if nth == 5 else nth)


def build_rule(rec: Recurrence) -> rrule:
    """The dateutil rule for a recurrence (dates at midnight, naive: local dates at the court)."""
    if not 1 <= rec.interval <= MAX_INTERVAL:
        raise RecurrenceInvalid("bad_interval")
    if (rec.until is None) == (rec.count is None):
        raise RecurrenceInvalid("no_end")
    if rec.count is not None and not 1 <= rec.count <= 400:
        raise RecurrenceInvalid("too_long")
    start = datetime.combine(rec.first, time())
    until = datetime.combine(rec.until, time()) if rec.until else None
    if rec.frequency == Frequency.WEEKLY:
        return rrule(WEEKLY, interval=rec.interval, dtstart=start, until=until, count=rec.count)
    if rec.frequency == Frequency.MONTHLY_WEEKDAY:
        return rrule(
            MONTHLY,
            interval=rec.interval,
            dtstart=start,
            until=until,
            count=rec.count,
            byweekday=_nth_weekday(rec.first),
        )
    return rrule(
        MONTHLY, interval=rec.interval, dtstart=start, until=until, count=rec.count, bymonthday=rec.first.day
    )


def rule_text(rec: Recurrence) -> str:
    """The rule as RFC 5545 text (``DTSTART...\\nRRULE:...``), as stored with the series."""
    return str(build_rule(rec))


def dates_of(text: str, *, skipped: frozenset[date] = frozenset()) -> list[date]:
    """Every local date a stored rule yields, skipped dates left out."""
    rule = rrulestr(text)
    return [d.date() for d in rule if d.date() not in skipped]


def occurrence_dates(rec: Recurrence) -> list[date]:
    """The dates of a new rule, or RecurrenceInvalid: none at all, or more than a year of them.

    The year is counted from the first date to the last one the rule yields, skipped dates
    included, so a rule cannot slip past the limit by skipping its last dates.
    """
    rule = build_rule(rec)
    start = datetime.combine(rec.first, time())
    every = [d.date() for d in rule.between(start, start + MAX_SPAN, inc=True)]
    beyond = rule.after(start + MAX_SPAN)
    if beyond is not None:
        raise RecurrenceInvalid("too_long")
    dates = [d for d in every if d not in rec.skipped]
    if not dates:
        raise RecurrenceInvalid("none")
    return dates


@dataclass(frozen=True, slots=True)
class Holiday:
    """A US federal holiday (5 U.S.C. 6103): ``name`` in English, the key its translation is
    looked up by; ``observed`` when it is the weekday off for one falling on a weekend."""

    name: str
    observed: bool = False


def federal_holiday(day: date) -> Holiday | None:
    """The federal holiday on this date, if any: immigration courts and ICE offices are closed.

    A check-in a rule puts on such a day will not happen as planned; the series page says so.
    Federal only: the courts and ICE are federal, whatever the state observes. (Written out
    rather than taken from the holidays package, which requires python-dateutil < 3.)
    """
    # The next year's list too: New Year's Day on a Saturday is observed on 31 December.
    return _federal_holidays(day.year).get(day) or _federal_holidays(day.year + 1).get(day)


@cache
def _federal_holidays(year: int) -> dict[date, Holiday]:
    """The year's holidays and, for those on a fixed date, the weekday off when they fall on a
    weekend (Saturday: the Friday before, which for New Year's Day is in the year before)."""
    fixed = {
        "New Year's Day": date(year, 1, 1),
        "Independence Day": date(year, 7, 4),
        "Veterans Day": date(year, 11, 11),
        "Christmas Day": date(year, 12, 25),
    }
    if year >= 2021:
        fixed["Juneteenth National Independence Day"] = date(year, 6, 19)
    found = {
        date(year, 1, 1) + relativedelta(weekday=MO(+3)): Holiday("Martin Luther King Jr. Day"),
        date(year, 2, 1) + relativedelta(weekday=MO(+3)): Holiday("Washington's Birthday"),
        date(year, 5, 31) + relativedelta(weekday=MO(-1)): Holiday("Memorial Day"),
        date(year, 9, 1) + relativedelta(weekday=MO(+1)): Holiday("Labor Day"),
        date(year, 10, 1) + relativedelta(weekday=MO(+2)): Holiday("Columbus Day"),
        date(year, 11, 1) + relativedelta(weekday=TH(+4)): Holiday("Thanksgiving Day"),
    }
    for name, day in fixed.items():
        found[day] = Holiday(name)
        if day.weekday() == 5:
            found[day + relativedelta(weekday=FR(-1))] = Holiday(name, observed=True)
        elif day.weekday() == 6:
            found[day + relativedelta(weekday=MO(+1))] = Holiday(name, observed=True)
    return found
