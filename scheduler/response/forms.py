"""Forms for rapid response: check-in, alert, closing record, on-call entries."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (  # type: ignore[attr-defined]  # SelectChoice: new in WTForms 3.3, not in its stubs yet
    BooleanField,
    DateTimeLocalField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from scheduler.enums import CheckInState, IncidentKind, OnCallRole
from scheduler.i18n import WEEKDAY_NAMES
from scheduler.response.messages import INCIDENT_KIND_NAMES, ONCALL_ROLE_NAMES
from scheduler.web.inputguard import GuardedForm


class CheckInForm(GuardedForm):
    state = SelectField(
        choices=[SelectChoice(s.value, s.value) for s in CheckInState], validators=[DataRequired()]
    )


class AlertForm(GuardedForm):
    kind = RadioField(
        _l("What is happening?"),
        choices=[SelectChoice(k.value, INCIDENT_KIND_NAMES[k.value]) for k in IncidentKind],
        validators=[DataRequired()],
    )
    note = StringField(
        _l("Short note (optional)"),
        validators=[Optional(), Length(max=280)],
        description=_l("Seen by coordinators only. Do not write the person's name."),
    )


class CloseForm(GuardedForm):
    what_happened = TextAreaField(_l("What happened"), validators=[DataRequired(), Length(max=4000)])
    agency = StringField(_l("Agency present"), validators=[Optional(), Length(max=80)])
    detained_at = DateTimeLocalField(_l("Time detained (court time)"), validators=[Optional()])
    released_at = DateTimeLocalField(_l("Time released (court time)"), validators=[Optional()])
    lawyer_reached = BooleanField(_l("A lawyer was reached"))
    family_contacted = BooleanField(_l("The family was contacted"))
    follow_up_needed = BooleanField(_l("Follow-up needed"))
    staff_note = TextAreaField(
        _l("Staff-only note"), validators=[Optional(), Length(max=4000)], description=_l("Staff only.")
    )


class OnCallForm(GuardedForm):
    user_id = SelectField(_l("Person"), coerce=int, validators=[InputRequired()])
    role = SelectField(
        _l("As"),
        choices=[SelectChoice(r.value, ONCALL_ROLE_NAMES[r.value]) for r in OnCallRole],
        validators=[DataRequired()],
    )
    weekday = SelectField(
        _l("Day"),
        coerce=int,
        choices=[SelectChoice(i, name) for i, name in enumerate(WEEKDAY_NAMES)],
        validators=[InputRequired()],
    )
    starts = TimeField(_l("From"), validators=[InputRequired()])
    ends = TimeField(_l("Until"), validators=[InputRequired()])


class RemoveForm(GuardedForm):
    """A button with only the CSRF token."""
