from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField


class PreferencesForm(FlaskForm):
    reminder_24 = BooleanField(_l("Remind me 24 hours before a seat"))
    reminder_2 = BooleanField(_l("Remind me 2 hours before a seat"))
    invitations = BooleanField(_l("Invitations from coordinators to open seats"))
    late_drops = BooleanField(_l("Alerts when someone gives up a seat late (coordinators)"))
    digest = BooleanField(_l("Daily list of seats still open in the next 7 days (coordinators)"))


class ConfirmForm(FlaskForm):
    """An empty form: the submit button and, where CSRF applies, its token."""
