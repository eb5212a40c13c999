from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectChoice, SelectField, SelectMultipleField  # type: ignore[attr-defined]  # new in WTForms 3.3, not in its stubs yet

from scheduler.enums import Role, UserStatus
from scheduler.i18n import ROLE_NAMES
from scheduler.web.inputguard import GuardedForm


class StatusForm(GuardedForm):
    status = HiddenField(validators=[])

    def chosen(self) -> UserStatus | None:
        try:
            return UserStatus(self.status.data or "")
        except ValueError:
            return None


class RoleForm(GuardedForm):
    role = SelectField(_l("Role"), choices=[SelectChoice(r.value, ROLE_NAMES[r.value]) for r in Role])


class CourtsForm(GuardedForm):
    courts = SelectMultipleField(
        _l("Courts this coordinator works on"),
        coerce=int,
        description=_l("Choose none for every court. Hold Ctrl (or Cmd) to choose several."),
    )
