"""Plain-words messages for claim refusals and seat errors (presentation; matching reuses them)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal

from babel.lists import format_list
from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _

from scheduler import i18n
from scheduler.domain.eligibility import Reason, Refusal
from scheduler.extensions import db
from scheduler.shifts import queries as shift_queries
from scheduler.web.templating import court_date, court_time


def _names(mapping: Mapping[str, object], codes: Iterable[str], style: Literal["standard", "or"]) -> str:
    names = sorted(i18n.name_of(mapping, code) for code in codes)
    return format_list(names, style=style, locale=get_locale()) if names else ""


def _where(refusal: Refusal, shifts: Mapping[int, Any]) -> dict[str, str]:
    shift = shifts.get(refusal.shift_id) if refusal.shift_id is not None else None
    if shift is None:
        return {"date": "", "time": "", "court": ""}
    tz = shift.hearing.court.timezone
    return {
        "date": court_date(shift.starts_at, tz, "medium"),
        "time": court_time(shift.starts_at, tz),
        "court": shift.hearing.court.name,
    }


_SIMPLE: dict[Reason, Callable[[], str]] = {
    Reason.NOT_APPROVED: lambda: _(
        "Only approved volunteers can take seats, and your account is not approved now."
    ),
    Reason.CANCELLED: lambda: _("This hearing is cancelled, so it has no seats to take."),
    Reason.CLOSED: lambda: _("Coordinators have closed this shift to new sign-ups."),
    Reason.STARTED: lambda: _("This shift has already started."),
    Reason.NO_CAR: lambda: _(
        "This seat is for a driver with a car. If you have one, say so in your volunteer profile."
    ),
    Reason.ROLE_NOT_OFFERED: lambda: _("You have not offered this role in your volunteer profile."),
    Reason.UNAVAILABLE: lambda: _("This is outside the times you said you are usually available."),
    Reason.BLACKOUT: lambda: _("You said you are away on this day."),
}


def refusal_message(refusal: Refusal, *, shifts: Mapping[int, Any], travel_minutes: int) -> str:
    """One reason in plain words; ``shifts`` maps the ids named in overlaps to loaded shifts."""
    reason = refusal.reason
    if reason in _SIMPLE:
        return _SIMPLE[reason]()
    if reason == Reason.NO_SHARED_LANGUAGE:
        return _(
            "This seat needs someone who speaks %(languages)s.",
            languages=_names(i18n.LANGUAGE_NAMES, refusal.languages, "or"),
        )
    if reason == Reason.MISSING_TRAINING:
        return _(
            "This seat needs training you have not recorded yet: %(trainings)s.",
            trainings=_names(i18n.TRAINING_NAMES, refusal.trainings, "standard"),
        )
    if reason == Reason.OVERLAP:
        return _(
            "You already have a seat on %(date)s at %(time)s at %(court)s that overlaps.",
            **_where(refusal, shifts),
        )
    if reason == Reason.TRAVEL_BUFFER:
        return _(
            "You need %(minutes)d minutes to travel between courts, and your seat on %(date)s at "
            "%(time)s at %(court)s is too close to this one.",
            minutes=travel_minutes,
            **_where(refusal, shifts),
        )
    if reason == Reason.WEEKLY_CAP:
        return _(
            "You have reached your limit of %(limit)d seats this week (you can change it in your profile).",
            limit=refusal.limit or 0,
        )
    return str(reason)


def refusal_messages(
    refusals: Iterable[Refusal], *, shifts: Mapping[int, Any], travel_minutes: int
) -> list[str]:
    return [refusal_message(r, shifts=shifts, travel_minutes=travel_minutes) for r in refusals]


_ERRORS: dict[str, Callable[..., str]] = {
    "not_holding": lambda **kw: _("You do not hold a seat on this shift."),
    "reason_required": lambda **kw: _(
        "This shift starts in less than %(hours)d hours. Please say why you cannot come, so the "
        "coordinators can find someone else in time.",
        hours=kw.get("hours", 24),
    ),
    "started": lambda **kw: _(
        "This shift has already started, so it can no longer be given up here. Please call your coordinator."
    ),
    "too_late_to_offer": lambda **kw: _(
        "It is too late to offer this seat to someone else. If you cannot come, give it up and say why."
    ),
    "no_offer": lambda **kw: _("Nobody is offering this seat any more."),
    "already_held": lambda **kw: _("You already have this seat."),
    "full": lambda **kw: _("This shift is full. Remove someone or add seats to the hearing first."),
    "not_on_shift": lambda **kw: _("This person is not on this shift."),
    "not_yet": lambda **kw: _("Attendance can be recorded once the shift has started."),
    "unknown_volunteer": lambda **kw: _("There is no such volunteer."),
    "capacity_range": lambda **kw: _("Give a number of seats from 0 to 20."),
    "below_held": lambda **kw: _(
        "More people already hold seats on this shift. Remove someone first, then lower the number."
    ),
}


def error_message(code: str, **kwargs: Any) -> str:
    make = _ERRORS.get(code)
    return make(**kwargs) if make else _("This could not be done. Please reload the page and try again.")


def refusal_texts(refusals: list[Refusal]) -> list[str]:
    """Each refusal in plain words, naming the shift it is about (one query for all of them)."""
    named = shift_queries.shifts_by_id(db.session(), [r.shift_id for r in refusals if r.shift_id])
    return refusal_messages(
        refusals, shifts=named, travel_minutes=current_app.config["TRAVEL_BUFFER_MINUTES"]
    )
