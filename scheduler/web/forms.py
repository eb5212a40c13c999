from typing import TypeVar

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice, SelectField  # type: ignore[attr-defined]  # new in WTForms 3.3, not in its stubs yet
from wtforms.validators import DataRequired

from scheduler.i18n import UI_LANGUAGES

T = TypeVar("T")


class LanguageForm(FlaskForm):
    lang = SelectField(
        choices=[SelectChoice(code, name) for code, name in UI_LANGUAGES.items()], validators=[DataRequired()]
    )
    next = HiddenField()


def required(value: T | None) -> T:
    """A required field's data once its form has validated (DataRequired or InputRequired refused
    None); the field's type, ``str | None`` and the like, cannot know that."""
    if value is None:
        raise ValueError("a required field reached the view without data")
    return value
