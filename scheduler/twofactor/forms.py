from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length


class CodeForm(FlaskForm):
    code = StringField(
        _l("Code"),
        description=_l("The 6-digit code from your authenticator app, or one of your recovery codes."),
        validators=[DataRequired(message=_l("Type the code.")), Length(max=32)],
    )


class EnrolForm(FlaskForm):
    code = StringField(
        _l("Code shown in the app"),
        description=_l("6 digits. It changes every 30 seconds."),
        validators=[DataRequired(message=_l("Type the code.")), Length(max=32)],
    )


class DisableForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired(), Length(max=256)])
    code = StringField(
        _l("A code from your app or a recovery code"), validators=[DataRequired(), Length(max=32)]
    )
