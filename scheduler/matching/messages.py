"""Matching's labels and reasons in words. Coordinators and volunteers read different phrasings."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, Literal

from babel.lists import format_list
from flask_babel import format_date, get_locale, ngettext
from flask_babel import gettext as _

from scheduler import i18n
from scheduler.domain.eligibility import Reason, Refusal
from scheduler.domain.matching import Label


def coordinator_label(label: Label) -> str:
    """A short reason a coordinator reads beside a suggested name."""
    p: Mapping[str, Any] = label.params  # by code: counts, weekdays, a day, codes
    if label.code == "was_with":
        month = format_date(p["day"], "MMMM y") if isinstance(p.get("day"), date) else ""
        if p.get("ref_initial"):
            return _("was with %(ref)s in %(month)s", ref=p["ref_initial"], month=month)
        return _("was with this person in %(month)s", month=month)
    if label.code == "speaks":
        return _("speaks %(language)s", language=i18n.name_of(i18n.LANGUAGE_NAMES, p["language"]))
    if label.code == "prefers_court":
        return _("prefers this court")
    if label.code == "seats_this_month":
        n = int(p["n"])
        if n == 0:
            return _("no seats in the last 30 days")
        return ngettext("%(num)d seat in the last 30 days", "%(num)d seats in the last 30 days", n)
    if label.code == "always_came":
        return _("came every time (%(n)d seats)", n=int(p["n"]))
    if label.code == "experience":
        kind = i18n.name_of(i18n.HEARING_KIND_NAMES, p["kind"])
        return ngettext(
            "%(num)d %(kind)s hearing before", "%(num)d %(kind)s hearings before", int(p["n"]), kind=kind
        )
    if label.code == "fits_availability":
        return _("available on %(weekday)s", weekday=i18n.WEEKDAYS_IN_TEXT[int(p["weekday"])])
    return label.code


def volunteer_label(label: Label) -> str:
    """Why a seat suits the volunteer reading it; never about the respondent or anyone else."""
    p: Mapping[str, Any] = label.params  # by code: counts, weekdays, a day, codes
    if label.code == "speaks":
        return _("you speak %(language)s", language=i18n.name_of(i18n.LANGUAGE_NAMES, p["language"]))
    if label.code == "prefers_court":
        return _("a court you prefer")
    if label.code == "fits_availability":
        return _("fits your %(weekday)s availability", weekday=i18n.WEEKDAYS_IN_TEXT[int(p["weekday"])])
    return ""


def _names(codes: Iterable[str], mapping: Mapping[str, object], style: Literal["standard", "or"]) -> str:
    names = sorted(i18n.name_of(mapping, c) for c in codes)
    return format_list(names, style=style, locale=get_locale()) if names else ""


def why_not(refusal: Refusal) -> str:
    """Why someone cannot take a seat, for the coordinator's "why not" list."""
    reason = refusal.reason
    if reason == Reason.NO_SHARED_LANGUAGE:
        return _(
            "does not speak %(languages)s", languages=_names(refusal.languages, i18n.LANGUAGE_NAMES, "or")
        )
    if reason == Reason.MISSING_TRAINING:
        return _(
            "training missing: %(trainings)s",
            trainings=_names(refusal.trainings, i18n.TRAINING_NAMES, "standard"),
        )
    if reason == Reason.WEEKLY_CAP:
        return _("has reached their weekly limit (%(limit)d)", limit=refusal.limit or 0)
    simple = {
        Reason.NOT_APPROVED: _("not approved"),
        Reason.CANCELLED: _("the hearing is cancelled"),
        Reason.CLOSED: _("the shift is closed"),
        Reason.STARTED: _("the shift has started"),
        Reason.NO_CAR: _("has no car"),
        Reason.OVERLAP: _("has another seat at that time"),
        Reason.TRAVEL_BUFFER: _("has a seat at another court too close in time"),
        Reason.ROLE_NOT_OFFERED: _("does not offer this role"),
        Reason.UNAVAILABLE: _("not usually available then"),
        Reason.BLACKOUT: _("away that day"),
    }
    return simple.get(reason, str(reason))


ERRORS = {
    "already_held": lambda: _("This person already holds or waits for a seat on this shift."),
    "already_invited": lambda: _("This person already has an open invitation for this shift."),
    "full": lambda: _("This shift is full."),
    "cancelled": lambda: _("This hearing is cancelled."),
    "not_found": lambda: _("This shift no longer exists."),
    "unknown_volunteer": lambda: _("There is no such volunteer."),
    "not_pending": lambda: _("This invitation has already been answered."),
    "not_invited": lambda: _("This person has no open invitation for this shift."),
    "expired": lambda: _("This invitation has expired: the shift has started."),
    "bad_range": lambda: _("The last day cannot be before the first day."),
    "range_too_long": lambda: _("Plan at most two months at a time."),
    "not_eligible": lambda: _("This person can no longer take this seat."),
}


def error_text(code: str) -> str:
    make = ERRORS.get(code)
    return make() if make else _("This could not be done. Please reload the page and try again.")
