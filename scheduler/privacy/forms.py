from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField
from wtforms.validators import DataRequired, Length


class ConfirmForm(FlaskForm):
    pass


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired(), Length(max=256)])
    understood = BooleanField(
        _l("I understand that my account and my history are deleted for good"),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )
