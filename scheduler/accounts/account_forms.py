from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from wtforms import (  # type: ignore[attr-defined]  # SelectChoice: new in WTForms 3.3, not in its stubs yet
    BooleanField,
    DateField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from scheduler.domain.languages import LANGUAGE_CODES
from scheduler.domain.trainings import TRAINING_KEYS
from scheduler.enums import ShiftRole
from scheduler.i18n import LANGUAGE_NAMES, SHIFT_ROLE_NAMES, UI_LANGUAGES
from scheduler.web.inputguard import GuardedForm


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(html_tag="ul", prefix_label=False)
    option_widget = CheckboxInput()


class ProfileForm(GuardedForm):
    display_name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)])
    phone = TelField(_l("Phone (optional)"), validators=[Optional(), Length(max=40)])
    locale = SelectField(
        _l("Language of the app and of messages"),
        choices=[SelectChoice(code, name) for code, name in UI_LANGUAGES.items()],
    )


class PasswordChangeForm(GuardedForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=256)])
    password = PasswordField(
        _l("New password"),
        description=_l("At least 10 characters."),
        validators=[DataRequired(), Length(max=256)],
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
    )


def _parse_dates(text: str | None) -> list[date]:
    days: list[date] = []
    for line in (text or "").replace(",", "\n").splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            days.append(date.fromisoformat(line))
        except ValueError as exc:
            raise ValidationError(
                # gettext, not the lazy _l: a lazy string counts as safe HTML in Jinja, so the
                # typed value would reach the page unescaped (tests/security/test_hostile_input.py).
                gettext("“%(value)s” is not a date written as YYYY-MM-DD.", value=line[:20])
            ) from exc
    if len(days) > 366:
        raise ValidationError(_l("List at most 366 dates."))
    return sorted(set(days))


class VolunteerProfileForm(GuardedForm):
    languages = MultiCheckboxField(
        _l("Languages you speak well enough to interpret or accompany"),
        choices=[SelectChoice(code, LANGUAGE_NAMES[code]) for code in LANGUAGE_CODES],
    )
    roles = MultiCheckboxField(
        _l("Roles you can take"),
        choices=[SelectChoice(r.value, SHIFT_ROLE_NAMES[r.value]) for r in ShiftRole],
    )
    has_car = BooleanField(_l("I have a car and can drive people to court"))
    max_shifts_per_week = IntegerField(
        _l("At most this many shifts a week"),
        default=2,
        validators=[DataRequired(message=_l("Give a number from 1 to 14.")), NumberRange(min=1, max=14)],
    )
    preferred_courts = SelectMultipleField(
        _l("Courts you prefer"),
        coerce=int,
        description=_l("Hold Ctrl (or ⌘) to choose several."),
        validate_choice=True,
    )
    blackout_dates = TextAreaField(
        _l("Dates you are away"),
        description=_l("One date per line, written as YYYY-MM-DD."),
        validators=[Optional(), Length(max=5000)],
    )

    def validate_blackout_dates(self, field: TextAreaField) -> None:
        self.blackout_days = _parse_dates(field.data)

    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool:
        ok = super().validate(extra_validators)
        for weekday in range(7):
            start = getattr(self, f"avail_{weekday}_start")
            end = getattr(self, f"avail_{weekday}_end")
            if (start.data is None) != (end.data is None):
                end.errors.append(_l("Give both a start and an end, or neither."))
                ok = False
            elif start.data is not None and end.data <= start.data:
                end.errors.append(_l("The end must be after the start."))
                ok = False
        return ok


for _weekday in range(7):
    setattr(VolunteerProfileForm, f"avail_{_weekday}_start", TimeField(_l("From"), validators=[Optional()]))
    setattr(VolunteerProfileForm, f"avail_{_weekday}_end", TimeField(_l("To"), validators=[Optional()]))

for _key in TRAINING_KEYS:
    setattr(
        VolunteerProfileForm,
        f"training_{_key}",
        DateField(_l("Completed on"), validators=[Optional()]),
    )


class ApiTokenForm(GuardedForm):
    """A new personal API token: a name to recognise it by, what it may do, how long it lives."""

    name = StringField(
        _l("Name"),
        validators=[DataRequired(), Length(max=80)],
        description=_l("To recognise it later, e.g. 'Signal group bot'."),
    )
    access = RadioField(
        _l("What it may do"),
        choices=[
            SelectChoice("read", _l("Read only")),
            SelectChoice("write", _l("Read and make changes (take and give up seats, post hearings)")),
        ],
        default="read",
    )
    private = BooleanField(_l("Also read the person's reference and private notes of hearings in my courts"))
    days = SelectField(
        _l("Works for"),
        coerce=int,
        choices=[
            SelectChoice(30, _l("30 days")),
            SelectChoice(90, _l("90 days")),
            SelectChoice(365, _l("One year")),
        ],
        default=90,
    )


class RevokeApiTokenForm(GuardedForm):
    """Only the CSRF token: the token to turn off is in the address."""
