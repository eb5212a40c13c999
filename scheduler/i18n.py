"""Locale selection and the translated names of stored codes (languages, roles, kinds)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import current_app, request, session
from flask_babel import gettext, lazy_pgettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from scheduler.domain.recurrence import federal_holiday

LANGUAGE_NAMES = {
    "es": _l("Spanish"),
    "en": _l("English"),
    "pt": _l("Portuguese"),
    "ht": _l("Haitian Creole"),
    "zh": _l("Mandarin"),
    "pa": _l("Punjabi"),
    "mam": _l("Mam"),
    "quc": _l("K'iche'"),
    "kjb": _l("Q'anjob'al"),
    "ixl": _l("Ixil"),
    "acr": _l("Achi"),
    "fr": _l("French"),
    "ar": _l("Arabic"),
    "ru": _l("Russian"),
    "uk": _l("Ukrainian"),
    "hi": _l("Hindi"),
    "bn": _l("Bengali"),
    "ne": _l("Nepali"),
    "vi": _l("Vietnamese"),
    "tr": _l("Turkish"),
    "ro": _l("Romanian"),
    "wo": _l("Wolof"),
    "ti": _l("Tigrinya"),
    "am": _l("Amharic"),
    "so": _l("Somali"),
    "ps": _l("Pashto"),
    "fa": _l("Dari / Farsi"),
    "ln": _l("Lingala"),
}

# The app's own interface languages, named in themselves for the language switch.
UI_LANGUAGES = {"en": "English", "es": "Español"}

ROLE_NAMES = {
    "volunteer": _l("Volunteer"),
    "coordinator": _l("Coordinator"),
    "admin": _l("Administrator"),
}

STATUS_NAMES = {
    "pending": _l("Waiting for approval"),
    "approved": _l("Approved"),
    "suspended": _l("Suspended"),
}

SHIFT_ROLE_NAMES = {
    "accompanier": _l("Accompanier"),
    "interpreter": _l("Interpreter"),
    "driver": _l("Driver"),
    "observer": _l("Court watcher"),
}

SHIFT_ROLE_PLURALS = {
    "accompanier": _l("Accompaniers"),
    "interpreter": _l("Interpreters"),
    "driver": _l("Drivers"),
    "observer": _l("Court watchers"),
}

HEARING_KIND_NAMES = {
    "master": _l("Master calendar"),
    "individual": _l("Individual (merits)"),
    "bond": _l("Bond"),
    "ice_checkin": _l("ICE check-in"),
    "other": _l("Other"),
}

COURT_KIND_NAMES = {"court": _l("Immigration court"), "ice_office": _l("ICE field office")}

TRAINING_NAMES = {
    "orientation": _l("Volunteer orientation"),
    "court_accompaniment": _l("Court accompaniment"),
    "interpreter_ethics": _l("Interpreter ethics"),
    "driver_safety": _l("Driver safety"),
    "know_your_rights": _l("Know your rights"),
}

WEEKDAY_NAMES = (
    _l("Monday"),
    _l("Tuesday"),
    _l("Wednesday"),
    _l("Thursday"),
    _l("Friday"),
    _l("Saturday"),
    _l("Sunday"),
)

# The same days inside a sentence ("fits your Monday availability"): Spanish writes them in
# lower case there ("su disponibilidad del lunes"), while the names above head labels and columns.
WEEKDAYS_IN_TEXT = (
    lazy_pgettext("weekday in a sentence", "Monday"),
    lazy_pgettext("weekday in a sentence", "Tuesday"),
    lazy_pgettext("weekday in a sentence", "Wednesday"),
    lazy_pgettext("weekday in a sentence", "Thursday"),
    lazy_pgettext("weekday in a sentence", "Friday"),
    lazy_pgettext("weekday in a sentence", "Saturday"),
    lazy_pgettext("weekday in a sentence", "Sunday"),
)


# US federal holidays (scheduler.domain.recurrence.federal_holiday) by their English name.
HOLIDAY_NAMES = {
    "New Year's Day": _l("New Year's Day"),
    "Martin Luther King Jr. Day": _l("Martin Luther King Jr. Day"),
    "Washington's Birthday": _l("Washington's Birthday"),
    "Memorial Day": _l("Memorial Day"),
    "Juneteenth National Independence Day": _l("Juneteenth National Independence Day"),
    "Independence Day": _l("Independence Day"),
    "Labor Day": _l("Labor Day"),
    "Columbus Day": _l("Columbus Day"),
    "Veterans Day": _l("Veterans Day"),
    "Thanksgiving Day": _l("Thanksgiving Day"),
    "Christmas Day": _l("Christmas Day"),
}


def holiday_label(day: date) -> str | None:
    """The federal holiday on this date, named in the reader's language ("Thanksgiving Day
    (federal holiday)"), or None: immigration courts and ICE offices are closed that day."""
    found = federal_holiday(day)
    if found is None:
        return None
    name = str(HOLIDAY_NAMES.get(found.name, found.name))
    if found.observed:
        return gettext("%(name)s, observed (federal holiday)", name=name)
    return gettext("%(name)s (federal holiday)", name=name)


def select_locale() -> str:
    """The signed-in person's choice, else this browser's choice, else the browser's header."""
    supported = current_app.config["LANGUAGES"]
    if request.path.startswith("/api/"):  # bearer tokens only: no cookie is read (Accept-Language)
        return request.accept_languages.best_match(supported) or supported[0]
    if current_user and current_user.is_authenticated and current_user.locale in supported:
        return current_user.locale
    chosen = session.get("lang")
    if isinstance(chosen, str) and chosen in supported:
        return chosen
    return request.accept_languages.best_match(supported) or supported[0]


def name_of(mapping: Mapping[Any, object], code: object) -> str:
    """A translated name, falling back to the stored code rather than failing a page."""
    value = getattr(code, "value", code)
    return str(mapping.get(value, value))
