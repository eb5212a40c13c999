from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length, Regexp


class PreferencesForm(FlaskForm):
    reminder_24 = BooleanField(_l("Remind me 24 hours before a seat"))
    reminder_2 = BooleanField(_l("Remind me 2 hours before a seat"))
    invitations = BooleanField(_l("Invitations from coordinators to open seats"))
    late_drops = BooleanField(_l("Alerts when someone gives up a seat late (coordinators)"))
    digest = BooleanField(_l("Daily list of seats still open in the next 7 days (coordinators)"))


class ConfirmForm(FlaskForm):
    """An empty form: the submit button and, where CSRF applies, its token."""


class UrgentChannelsForm(FlaskForm):
    """Which channels urgent rapid-response alerts use (only configured channels are shown)."""

    urgent_email = BooleanField(_l("Email"))
    urgent_sms = BooleanField(_l("Text message (SMS)"))
    urgent_signal = BooleanField(_l("Signal"))
    urgent_push = BooleanField(_l("Notifications on this phone or computer (push)"))


class PhoneForm(FlaskForm):
    number = StringField(
        _l("Mobile number"),
        description=_l("With the country code if it is not a US number, e.g. +52 55 1234 5678."),
        validators=[DataRequired(), Length(max=40)],
    )


class PhoneCodeForm(FlaskForm):
    code = StringField(
        _l("Code from the text message"),
        validators=[DataRequired(), Length(min=6, max=6), Regexp(r"^\d{6}$")],
    )
