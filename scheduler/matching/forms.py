"""Forms for plans and invitations (CSRF on every POST)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, SelectField
from wtforms.validators import DataRequired, ValidationError

from scheduler.web.inputguard import GuardedForm


class ButtonForm(GuardedForm):
    """A button with only the CSRF token: invite, accept, decline."""


class PlanForm(GuardedForm):
    court = SelectField(_l("Court"), coerce=int)
    start = DateField(_l("From"), validators=[DataRequired(message=_l("Choose the first day."))])
    end = DateField(
        _l("To"),
        validators=[DataRequired(message=_l("Choose the last day."))],
        description=_l("Dates are each court's own local dates. At most two months at a time."),
    )

    def validate_end(self, field: DateField) -> None:
        if self.start.data and field.data and field.data < self.start.data:
            raise ValidationError(_l("The last day cannot be before the first day."))


class SendPlanForm(GuardedForm):
    # The plan's lines, signed by the server when the plan was computed.
    plan = HiddenField(validators=[DataRequired()])
