"""Casework forms: shape only; the rules (a year of dates at most, no past date) are the services'."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3, not in its stubs yet
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from scheduler.domain.bounds import day_in_range
from scheduler.domain.recurrence import Frequency
from scheduler.enums import HearingKind, HearingOutcome, HeldStatus
from scheduler.hearings.forms import no_a_number
from scheduler.i18n import HEARING_KIND_NAMES
from scheduler.web.inputguard import GuardedForm

FREQUENCY_NAMES = {
    Frequency.WEEKLY.value: _l("Every N weeks"),
    Frequency.MONTHLY_WEEKDAY.value: _l("Monthly, on the same weekday (e.g. the 2nd Tuesday)"),
    Frequency.MONTHLY_DATE.value: _l("Monthly, on the same date"),
}
HELD_NAMES = {
    HeldStatus.HAPPENED.value: _l("It happened"),
    HeldStatus.POSTPONED.value: _l("It was postponed"),
    HeldStatus.NOT_HELD.value: _l("It was not held"),
}
OUTCOME_NAMES = {
    HearingOutcome.UNKNOWN.value: _l("Not known"),
    HearingOutcome.CONTINUED.value: _l("Continued to another date"),
    HearingOutcome.RELIEF_GRANTED.value: _l("Relief granted"),
    HearingOutcome.REMOVAL_ORDERED.value: _l("Removal ordered"),
    HearingOutcome.CASE_CLOSED.value: _l("Case closed"),
    HearingOutcome.OTHER.value: _l("Other"),
}
YES_NO = [("", _l("Not known")), ("yes", _l("Yes")), ("no", _l("No"))]
DATE_HELP = _l("Several dates separated by commas, as YYYY-MM-DD.")


def _choices(pairs: Iterable[tuple[str, Any]]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def _kind_choices(blank: str | None = None) -> list[SelectChoice]:
    choices = [(k.value, HEARING_KIND_NAMES[k.value]) for k in HearingKind]
    return _choices(([("", blank)] if blank else []) + choices)


def parse_dates(text: str) -> frozenset[date]:
    """Dates written "2031-04-01, 2031-05-06"; ValueError for anything else."""
    days = frozenset(
        date.fromisoformat(part.strip()) for part in text.replace(";", ",").split(",") if part.strip()
    )
    if len(days) > 60 or not all(day_in_range(d) for d in days):
        raise ValueError("out of range")
    return days


def dates_field(form: GuardedForm, field: StringField) -> None:
    try:
        parse_dates(field.data or "")
    except ValueError as exc:
        raise ValidationError(str(DATE_HELP)) from exc


class RepeatForm(GuardedForm):
    frequency = SelectField(
        _l("Repeats"), choices=_choices(FREQUENCY_NAMES.items()), validators=[DataRequired()]
    )
    interval = IntegerField(
        _l("Every how many weeks or months"), default=1, validators=[InputRequired(), NumberRange(1, 52)]
    )
    end = RadioField(
        _l("Ends"),
        choices=_choices([("count", _l("After a number of times")), ("until", _l("On a date"))]),
        default="count",
        validators=[DataRequired()],
    )
    count = IntegerField(
        _l("How many times (this one included)"), validators=[Optional(), NumberRange(1, 400)]
    )
    until = DateField(_l("Last date"), validators=[Optional()])
    skipped = StringField(
        _l("Dates to skip (holidays)"), description=DATE_HELP, validators=[Length(max=800), dates_field]
    )
    weeks_ahead = IntegerField(
        _l("Open seats how many weeks ahead"), default=4, validators=[InputRequired(), NumberRange(1, 26)]
    )


class SkipForm(GuardedForm):
    day = DateField(_l("Date to skip"), validators=[InputRequired()])
    reason = TextAreaField(_l("Why?"), validators=[DataRequired(), Length(max=1000), no_a_number])


class FollowingForm(GuardedForm):
    from_day = DateField(_l("From this date on"), validators=[InputRequired()])
    action = RadioField(
        _l("What happens"),
        choices=_choices(
            [("move", _l("They move to a new day and time")), ("stop", _l("They stop (cancel them)"))]
        ),
        default="move",
        validators=[DataRequired()],
    )
    new_first = DateField(_l("New first date"), validators=[Optional()])
    new_time = TimeField(_l("New time"), validators=[Optional()])
    reason = TextAreaField(
        _l("Reason, for the volunteers"), validators=[Optional(), Length(max=1000), no_a_number]
    )


class AwaitingForm(GuardedForm):
    court_id = SelectField(_l("Court"), coerce=int, validators=[InputRequired()])
    kind = SelectField(_l("Kind"), choices=_kind_choices(), validators=[DataRequired()])
    respondent_ref = StringField(
        _l("Person accompanied (first name or initials)"),
        validators=[Optional(), Length(max=60), no_a_number],
    )
    next_check_on = DateField(_l("Check the court's case status on"), validators=[InputRequired()])


class NextCheckForm(GuardedForm):
    kind = SelectField(_l("Kind"), choices=_kind_choices(), validators=[DataRequired()])
    next_check_on = DateField(_l("Check the court's case status on"), validators=[InputRequired()])


class SetDateForm(GuardedForm):
    date = DateField(_l("Date"), validators=[InputRequired()])
    time = TimeField(_l("Time (court's local time)"), validators=[InputRequired()])


class ReportForm(GuardedForm):
    held = RadioField(_l("What happened?"), choices=_choices(HELD_NAMES.items()), validators=[DataRequired()])
    outcome = SelectField(
        _l("Outcome, where known"), choices=_choices(OUTCOME_NAMES.items()), default="unknown"
    )
    interpreter_present = SelectField(_l("Was an interpreter present?"), choices=_choices(YES_NO), default="")
    interpreter_adequate = SelectField(
        _l("Was the interpretation adequate?"), choices=_choices(YES_NO), default=""
    )
    ice_present = SelectField(_l("Was ICE present in the building?"), choices=_choices(YES_NO), default="")
    judge = StringField(_l("Judge, as held"), validators=[Optional(), Length(max=120), no_a_number])
    courtroom = StringField(_l("Courtroom, as held"), validators=[Optional(), Length(max=40), no_a_number])
    next_kind = SelectField(_l("Next hearing"), choices=[], default="")
    next_date = DateField(_l("Next date"), validators=[Optional()])
    next_time = TimeField(_l("Next time (court's local time)"), validators=[Optional()])
    next_to_be_set = BooleanField(_l("The next date is still to be set"))
    staff_note = TextAreaField(
        _l("Note for coordinators only"), validators=[Optional(), Length(max=2000), no_a_number]
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.next_kind.choices = _kind_choices(blank=str(_l("None known")))


def yes_no(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


class CheckAgainForm(GuardedForm):
    next_check_on = DateField(_l("Check again on"), validators=[InputRequired()])
