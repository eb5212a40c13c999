from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3, not in its stubs yet

ALARM_LABELS = {
    "none": _l("No reminder"),
    "1h": _l("1 hour before"),
    "1d": _l("1 day before"),
}


class FeedSettingsForm(FlaskForm):
    alarm = RadioField(
        _l("Reminder in my calendar"),
        choices=[SelectChoice(code, label) for code, label in ALARM_LABELS.items()],
        default="none",
        description=_l(
            "Apple Calendar and Thunderbird show these reminders. Google Calendar and Outlook "
            "ignore reminders in subscribed calendars: set a default reminder for the calendar "
            "in those apps instead."
        ),
    )
    show_waitlist = BooleanField(_l("Show seats I am on the waitlist for, marked \u201c(waitlist)\u201d"))


class FeedLinkForm(FlaskForm):
    """Only the CSRF token: the buttons that make a new link or turn a feed off."""
