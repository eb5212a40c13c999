from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField, StringField, TextAreaField  # type: ignore[attr-defined]  # new in WTForms 3.3, not in its stubs yet
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from scheduler.domain.timezones import is_valid_timezone
from scheduler.enums import CourtKind
from scheduler.i18n import COURT_KIND_NAMES

# Offered first in the time-zone field; any IANA zone is accepted.
COMMON_ZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Puerto_Rico",
    "Pacific/Saipan",
    "Pacific/Guam",
    "America/Detroit",
    "America/Indiana/Indianapolis",
)


class CourtForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(
        _l("Kind"), choices=[SelectChoice(k.value, COURT_KIND_NAMES[k.value]) for k in CourtKind]
    )
    code = StringField(
        _l("Code (optional)"),
        description=_l("A short code your network uses for this place, e.g. CHI."),
        validators=[Optional(), Length(max=16)],
    )
    address = StringField(_l("Street address"), validators=[DataRequired(), Length(max=300)])
    city = StringField(_l("City"), validators=[DataRequired(), Length(max=100)])
    state = StringField(
        _l("State"),
        description=_l("Two-letter code, e.g. IL."),
        validators=[
            DataRequired(),
            Regexp(r"^[A-Za-z]{2}$", message=_l("Use the two-letter state code.")),
        ],
    )
    timezone = StringField(
        _l("Time zone"),
        description=_l(
            "The IANA name, e.g. America/Chicago. Hearing times at this place are read and shown in it."
        ),
        validators=[DataRequired(), Length(max=64)],
    )
    notes = TextAreaField(_l("Notes for coordinators"), validators=[Optional(), Length(max=2000)])
    active = BooleanField(_l("In use (new hearings can be posted here)"), default=True)

    def validate_timezone(self, field: StringField) -> None:
        field.data = (field.data or "").strip()
        if not is_valid_timezone(field.data):
            raise ValidationError(_l("This is not a time zone name we know, e.g. America/Chicago."))


class CourtCardForm(FlaskForm):
    """The court-day card, in English and Spanish (each volunteer sees their own language)."""

    hotline = StringField(
        _l("Rapid-response number"),
        description=_l("The number volunteers call if ICE acts, as they would dial it."),
        validators=[
            Optional(),
            Length(max=40),
            Regexp(r"^[0-9+()\-. ]*$", message=_l("Digits, spaces, + ( ) - only.")),
        ],
    )
    team_lead = StringField(
        _l("Team lead on court days"),
        description=_l("A first name or a role, e.g. 'Ana (green scarf)'."),
        validators=[Optional(), Length(max=200)],
    )
    do_en = TextAreaField(
        _l("What to do if ICE approaches (English)"), validators=[Optional(), Length(max=2000)]
    )
    dont_en = TextAreaField(_l("What not to do (English)"), validators=[Optional(), Length(max=2000)])
    meeting_en = StringField(_l("Meeting point (English)"), validators=[Optional(), Length(max=300)])
    do_es = TextAreaField(
        _l("What to do if ICE approaches (Spanish)"), validators=[Optional(), Length(max=2000)]
    )
    dont_es = TextAreaField(_l("What not to do (Spanish)"), validators=[Optional(), Length(max=2000)])
    meeting_es = StringField(_l("Meeting point (Spanish)"), validators=[Optional(), Length(max=300)])
