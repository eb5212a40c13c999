from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice, SelectField
from wtforms.validators import DataRequired

from scheduler.i18n import UI_LANGUAGES


class LanguageForm(FlaskForm):
    lang = SelectField(
        choices=[SelectChoice(code, name) for code, name in UI_LANGUAGES.items()], validators=[DataRequired()]
    )
    next = HiddenField()
