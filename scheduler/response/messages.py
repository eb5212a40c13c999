"""Words for the rapid-response pages and messages (presentation): kinds, states, refusals."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

INCIDENT_KIND_NAMES = {
    "person_detained": _l("Person detained"),
    "ice_present": _l("ICE present"),
    "need_lawyer": _l("Need a lawyer now"),
    "other": _l("Other emergency"),
}

SEAT_STATE_NAMES = {
    "checked_in": _l("Checked in"),
    "late": _l("Running late"),
    "not_yet": _l("Not yet"),
    "cant_make_it": _l("Can't make it"),
    "no_show": _l("No-show"),
}

CHECKIN_NAMES = {
    "here": _l("I'm here"),
    "late": _l("Running late"),
    "cant_make_it": _l("Can't make it"),
}

ONCALL_ROLE_NAMES = {
    "rapid_responder": _l("Rapid responder"),
    "coordinator": _l("Coordinator"),
    "lawyer": _l("Partner lawyer"),
}

TIER_NAMES = {0: _l("On call"), 1: _l("Coordinators"), 2: _l("Admins")}

CHANNEL_NAMES = {"email": _l("Email"), "": _l("Not reached")}


def names() -> dict[str, object]:
    """The name tables the rapid-response templates read."""
    return {
        "INCIDENT_KIND_NAMES": INCIDENT_KIND_NAMES,
        "SEAT_STATE_NAMES": SEAT_STATE_NAMES,
        "CHECKIN_NAMES": CHECKIN_NAMES,
        "ONCALL_ROLE_NAMES": ONCALL_ROLE_NAMES,
        "TIER_NAMES": TIER_NAMES,
        "CHANNEL_NAMES": CHANNEL_NAMES,
    }


def error_text(code: str) -> str:
    """A refusal in plain words (unknown codes get a general sentence)."""
    texts = {
        "not_holding": lambda: _("You no longer have this seat."),
        "not_today": lambda: _("You can check in only on the day of your seat."),
        "over": lambda: _("This seat is over; there is nothing to check in."),
        "cancelled": lambda: _("This hearing is cancelled."),
        "too_early": lambda: _("Alerts open one hour before the hearing. For an emergency now, call 911."),
        "too_late": lambda: _("The time for alerts about this hearing has passed. Call your coordinator."),
        "locked_down": lambda: _(
            "Your account is locked for your safety. Reset your password, or call your coordinator."
        ),
        "already_closed": lambda: _("This incident is already closed."),
        "released_before_detained": lambda: _("The release time cannot be before the detention time."),
        "unknown_person": lambda: _("Choose a person from the list."),
        "bad_weekday": lambda: _("Choose a day of the week."),
        "ends_before_starts": lambda: _("The end time must be after the start time."),
        "invalid": lambda: _("This link is not valid."),
        "used": lambda: _("This link was already used: the alert is acknowledged."),
        "expired": lambda: _("This link has expired."),
    }
    found = texts.get(code)
    return found() if found else _("That could not be done. Please try again.")
