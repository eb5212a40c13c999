"""Hearing forms: shape only; the rules that need the court's zone live in domain.hearings."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    Field,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3, not in its stubs yet
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from scheduler.domain.bounds import FIRST_DAY, LAST_DAY
from scheduler.domain.hearings import (
    MAX_DURATION_MINUTES,
    MAX_SEATS_PER_ROLE,
    ROLE_ORDER,
    looks_like_a_number,
)
from scheduler.domain.languages import LANGUAGE_CODES
from scheduler.enums import HearingKind, ShiftRole
from scheduler.i18n import HEARING_KIND_NAMES, LANGUAGE_NAMES
from scheduler.web.inputguard import GuardedForm

A_NUMBER_MESSAGE = _l(
    "This looks like an A-number. Use a first name or initials instead: A-numbers must not be stored."
)

# Error codes from the domain and services, as people read them.
ERROR_MESSAGES = {
    "a_number": A_NUMBER_MESSAGE,
    "nonexistent_time": _l(
        "This time does not exist at this court: the clocks jump forward that night. Choose another time."
    ),
    "ambiguous_time": _l(
        "This time happens twice at this court that night, because the clocks go back. Choose which "
        "one below (the first is selected) and save again."
    ),
    "in_past": _l("This date and time have already passed. New hearings must be in the future."),
    "bad_duration": _l("Give the expected length in minutes, from 1 to 720."),
    "bad_count": _l("Give a number from 1 to 20, or 0 if this role is not needed."),
    "end_before_start": _l("The end must be after the start."),
    "no_seats": _l("Ask for at least one person in one role."),
    "unknown_court": _l("No active court in your scope has this name or code."),
    "bad_date": _l("Write the date as YYYY-MM-DD."),
    "date_out_of_range": _l(
        "Enter a date between %(first)d and %(last)d.", first=FIRST_DAY.year, last=LAST_DAY.year
    ),
    "bad_time": _l("Write the time as HH:MM (24-hour clock)."),
    "bad_kind": _l("Use one of: master, individual, bond, ice_checkin, other."),
    "unknown_language": _l("Use language codes we know, separated by ;, e.g. es;mam."),
    "bad_yes_no": _l("Write yes or no."),
    "too_long": _l("This is too long."),
    "cancelled": _l("This hearing is cancelled and can no longer be changed."),
    "reason_required": _l("Say why the hearing is cancelled."),
    "forbidden": _l("You do not coordinate this court."),
}

DEFAULT_COUNTS = {
    ShiftRole.ACCOMPANIER: 2,
    ShiftRole.INTERPRETER: 0,
    ShiftRole.DRIVER: 0,
    ShiftRole.OBSERVER: 0,
}


def no_a_number(form: GuardedForm, field: StringField) -> None:
    if looks_like_a_number(field.data or ""):
        raise ValidationError(A_NUMBER_MESSAGE)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class DetailsMixin:
    """Fields shared by posting and editing."""

    kind = SelectField(
        _l("Kind"), choices=[SelectChoice(k.value, HEARING_KIND_NAMES[k.value]) for k in HearingKind]
    )
    duration_minutes = IntegerField(
        _l("Expected duration (minutes)"),
        default=60,
        validators=[InputRequired(), NumberRange(min=1, max=MAX_DURATION_MINUTES)],
    )
    judge = StringField(_l("Judge"), validators=[Optional(), Length(max=120), no_a_number])
    languages = MultiCheckboxField(
        _l("Languages needed"),
        choices=[SelectChoice(c, LANGUAGE_NAMES[c]) for c in LANGUAGE_CODES],
        default=[],
    )
    respondent_ref = StringField(
        _l("Person accompanied (first name or initials)"),
        description=_l("Seen by coordinators only. Never an A-number, case number or full name."),
        validators=[Optional(), Length(max=60), no_a_number],
    )
    meeting_point = StringField(
        _l("Meeting point"),
        description=_l("Seen by volunteers once they have signed up."),
        validators=[Optional(), Length(max=300), no_a_number],
    )
    public_notes = TextAreaField(
        _l("Notes for volunteers"),
        description=_l("Seen by volunteers once they have signed up."),
        validators=[Optional(), Length(max=4000), no_a_number],
    )
    private_notes = TextAreaField(
        _l("Private notes"),
        description=_l("Coordinators only."),
        validators=[Optional(), Length(max=4000), no_a_number],
    )
    date_confirmed = BooleanField(_l("Date confirmed with the court"))


def _seat_fields() -> dict[str, object]:
    fields: dict[str, object] = {}
    for role in ROLE_ORDER:
        fields[f"seat_{role.value}_count"] = IntegerField(
            _l("How many"),
            default=DEFAULT_COUNTS[role],
            validators=[
                InputRequired(),
                NumberRange(min=0, max=MAX_SEATS_PER_ROLE, message=ERROR_MESSAGES["bad_count"]),
            ],
        )
        fields[f"seat_{role.value}_start"] = TimeField(_l("From"), validators=[Optional()])
        fields[f"seat_{role.value}_end"] = TimeField(_l("Until"), validators=[Optional()])
    return fields


def occurrence_field() -> RadioField:
    """Which of the two 1:30s on the night clocks go back; shown only once such a time is typed."""
    return RadioField(
        _l("Which time that night"),
        choices=[
            SelectChoice("0", _l("The first, before the clocks go back (summer time)")),
            SelectChoice("1", _l("The second, after the clocks go back (standard time)")),
        ],
        validate_choice=False,
    )


def fold_of(form: FlaskForm) -> int | None:
    """The chosen occurrence (0 or 1), or None while none is chosen."""
    return {"0": 0, "1": 1}.get(form.occurrence.data)


class HearingForm(DetailsMixin, GuardedForm):
    court_id = SelectField(_l("Court"), coerce=int, validators=[DataRequired(message=_l("Choose a court."))])
    date = DateField(_l("Date"), validators=[InputRequired()])
    time = TimeField(_l("Time"), validators=[InputRequired()])
    occurrence = occurrence_field()
    courtroom = StringField(_l("Courtroom"), validators=[Optional(), Length(max=40), no_a_number])

    def seat_rows(self) -> list[tuple[ShiftRole, Field, Field, Field]]:
        return [
            (
                role,
                self[f"seat_{role.value}_count"],
                self[f"seat_{role.value}_start"],
                self[f"seat_{role.value}_end"],
            )
            for role in ROLE_ORDER
        ]


for _name, _field in _seat_fields().items():
    setattr(HearingForm, _name, _field)


class EditHearingForm(DetailsMixin, GuardedForm):
    notify_volunteers = BooleanField(
        _l("Email the people signed up what changed"),
        default=True,
        description=_l(
            "Only for the kind, the length, the meeting point and the notes for volunteers; "
            "untick it for a typo fix."
        ),
    )


class RescheduleForm(GuardedForm):
    court_id = SelectField(_l("Court"), coerce=int, validators=[DataRequired()])
    date = DateField(_l("Date"), validators=[InputRequired()])
    time = TimeField(_l("Time"), validators=[InputRequired()])
    occurrence = occurrence_field()
    courtroom = StringField(_l("Courtroom"), validators=[Optional(), Length(max=40), no_a_number])


class CancelForm(GuardedForm):
    reason = TextAreaField(
        _l("Why is it cancelled?"),
        description=_l("Volunteers who signed up are told this reason."),
        validators=[DataRequired(message=ERROR_MESSAGES["reason_required"]), Length(max=1000), no_a_number],
    )


class ImportUploadForm(GuardedForm):
    file = FileField(
        _l("CSV file"),
        validators=[FileRequired(), FileAllowed(["csv", "txt"], _l("Upload a .csv file."))],
    )


class ImportCommitForm(GuardedForm):
    pass
