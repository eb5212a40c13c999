from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField
from wtforms.validators import DataRequired

from scheduler.i18n import UI_LANGUAGES


class LanguageForm(FlaskForm):
    lang = SelectField(choices=list(UI_LANGUAGES.items()), validators=[DataRequired()])
    next = HiddenField()
