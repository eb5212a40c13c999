from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField
from wtforms.validators import NumberRange, Optional

from scheduler.privacy.audit_log import AuditFilter
from scheduler.web.inputguard import GuardedForm


class AuditFilterForm(GuardedForm):
    """Read from the query string (GET), so no CSRF token."""

    class Meta:
        csrf = False

    action = SelectField(_l("Action"), choices=[], validators=[Optional()])
    actor = StringField(_l("Who (email or name)"), validators=[Optional()])
    object_type = SelectField(_l("Object"), choices=[], validators=[Optional()])
    object_id = IntegerField(_l("Object number"), validators=[Optional(), NumberRange(min=1, max=2**31 - 1)])
    since = DateField(_l("From (UTC date)"), validators=[Optional()])
    until = DateField(_l("Until (UTC date)"), validators=[Optional()])

    def filters(self) -> AuditFilter:
        """The chosen filters (call after validate(); an invalid form filters nothing)."""
        return AuditFilter(
            action=self.action.data or "",
            actor=(self.actor.data or "").strip(),
            object_type=self.object_type.data or "",
            object_id=self.object_id.data,
            since=self.since.data,
            until=self.until.data,
        )


class SecuritySettingsForm(GuardedForm):
    require_all = BooleanField(_l("Require two-step sign-in for everyone, volunteers included"))


class ConfirmForm(GuardedForm):
    pass
