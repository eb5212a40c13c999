"""Forms for seats. Each POST carries a CSRF token; people are named by id only in coordinator forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (  # type: ignore[attr-defined]  # SelectChoice: new in WTForms 3.3, not in its stubs yet
    BooleanField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from scheduler.web.inputguard import GuardedForm


class ActionForm(GuardedForm):
    """A button with only the CSRF token: claim, offer, take, withdraw."""

    waitlist = HiddenField()


class DropForm(GuardedForm):
    reason = TextAreaField(
        _l("Why can you not come?"),
        validators=[Optional(), Length(max=500)],
        description=_l("Needed close to the hearing: coordinators read it while they look for someone else."),
    )


class PersonForm(GuardedForm):
    user_id = IntegerField(validators=[DataRequired(), NumberRange(min=1)])


class AssignForm(PersonForm):
    override_reason = TextAreaField(
        _l("Reason for overriding the rules"),
        validators=[Optional(), Length(max=500)],
        description=_l("Only if the rules say no and you assign this person anyway. It is recorded."),
    )


class LeadForm(PersonForm):
    lead = BooleanField()


class AttendanceForm(PersonForm):
    attendance = SelectField(
        _l("Attendance"),
        choices=[
            SelectChoice("attended", _l("Attended")),
            SelectChoice("no_show", _l("Did not come")),
            SelectChoice("", _l("Not recorded")),
        ],
        validators=[Optional()],
    )


class CapacityForm(GuardedForm):
    capacity = IntegerField(
        _l("Seats needed"),
        validators=[InputRequired(), NumberRange(min=0, max=20)],
        description=_l("0 to 20. Raising it gives the new seats to the waitlist first."),
    )


class OutcomeForm(GuardedForm):
    note = TextAreaField(
        _l("Outcome of the hearing"),
        validators=[Optional(), Length(max=5000)],
        description=_l("For coordinators only. Volunteers and calendar feeds never see it."),
    )
