from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField

from scheduler.enums import Role, UserStatus
from scheduler.i18n import ROLE_NAMES


class StatusForm(FlaskForm):
    status = HiddenField(validators=[])

    def chosen(self) -> UserStatus | None:
        try:
            return UserStatus(self.status.data)
        except ValueError:
            return None


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[(r.value, ROLE_NAMES[r.value]) for r in Role])
