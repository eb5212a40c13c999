"""Template filters and globals: times in the court's zone, translated names of codes."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Literal

from babel.dates import get_datetime_format
from flask import Flask
from flask_babel import format_date, format_percent, format_time, get_locale, gettext

from scheduler import i18n
from scheduler.domain.timezones import to_local

DateFormat = Literal["full", "long", "medium", "short"]  # Babel's named formats


def court_datetime(instant: datetime | None, tz_name: str, fmt: DateFormat = "medium") -> str:
    """An instant as wall-clock time at the court, with the zone's abbreviation (e.g. CST).

    The date takes ``fmt`` and the time is always short (no seconds). Babel's own long and
    full datetime formats would print the zone of the naive value ("Coordinated Universal
    Time") beside the court's, so date and time are formatted apart and joined the locale's way.
    """
    if instant is None:
        return ""
    local = to_local(instant, tz_name)
    date_text = format_date(local.date(), fmt)
    time_text = format_time(local.replace(tzinfo=None), "short", rebase=False)
    pattern = str(get_datetime_format(fmt, locale=get_locale() or "en")).replace("'", "")
    return f"{pattern.replace('{1}', date_text).replace('{0}', time_text)} {local.tzname()}"


def court_date(instant: datetime, tz_name: str, fmt: DateFormat = "full") -> str:
    return format_date(to_local(instant, tz_name).date(), fmt)


def court_time(instant: datetime, tz_name: str) -> str:
    local = to_local(instant, tz_name)
    return f"{format_time(local.replace(tzinfo=None), 'short', rebase=False)} {local.tzname()}"


def day(value: date, fmt: DateFormat = "medium") -> str:
    """A calendar date (no time, no zone) in the user's locale: "Dec 1, 2026", "1 dic 2026"."""
    return format_date(value, fmt)


def percent(fraction: float) -> str:
    """0.0123 -> "1.2%" ("1,2 %" in Spanish): at most one decimal, in the user's locale."""
    return format_percent(fraction, "#,##0.#%")


# A room typed with its own word ("Courtroom 4", "Room 12", "Sala 3") is shown as typed.
_ROOM_WORDS = re.compile(r"^\s*(court\s*room|room|sala|ctrm)\b", re.IGNORECASE)


def courtroom_label(room: str | None) -> str:
    """ "Courtroom 4" for "4", never "Courtroom Courtroom 4" for "Courtroom 4"."""
    if not room:
        return ""
    if _ROOM_WORDS.match(room):
        return room.strip()
    return gettext("Courtroom %(room)s", room=room)


def holiday_at(instant: datetime, tz_name: str) -> str | None:
    """The federal holiday on this instant's date at the court, named; None on other days."""
    return i18n.holiday_label(to_local(instant, tz_name).date())


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters.update(
        court_datetime=court_datetime, court_date=court_date, court_time=court_time, percent=percent, day=day
    )
    app.jinja_env.globals.update(
        get_locale=get_locale,
        courtroom_label=courtroom_label,
        holiday_at=holiday_at,
        holiday_label=i18n.holiday_label,
        name_of=i18n.name_of,
        LANGUAGE_NAMES=i18n.LANGUAGE_NAMES,
        UI_LANGUAGES=i18n.UI_LANGUAGES,
        ROLE_NAMES=i18n.ROLE_NAMES,
        STATUS_NAMES=i18n.STATUS_NAMES,
        SHIFT_ROLE_NAMES=i18n.SHIFT_ROLE_NAMES,
        HEARING_KIND_NAMES=i18n.HEARING_KIND_NAMES,
        COURT_KIND_NAMES=i18n.COURT_KIND_NAMES,
        TRAINING_NAMES=i18n.TRAINING_NAMES,
        WEEKDAY_NAMES=i18n.WEEKDAY_NAMES,
        WEEKDAYS_IN_TEXT=i18n.WEEKDAYS_IN_TEXT,
    )
