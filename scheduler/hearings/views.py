"""The hearings blueprint and helpers its view modules share."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import Field
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3, not in its stubs yet

from scheduler.courts import scope
from scheduler.domain.hearings import HearingDraft, SeatSpec
from scheduler.enums import HearingKind
from scheduler.extensions import db
from scheduler.hearings import schedule as hearing_service
from scheduler.hearings.forms import ERROR_MESSAGES, EditHearingForm, HearingForm, fold_of
from scheduler.hearings.schedule import HearingDetails
from scheduler.i18n import SHIFT_ROLE_PLURALS
from scheduler.models import Court, Hearing
from scheduler.web.forms import required
from scheduler.web.templating import court_datetime

bp = Blueprint("hearings", __name__, url_prefix="/hearings")

TEXT_FIELDS = ("respondent_ref", "meeting_point", "public_notes", "private_notes", "courtroom", "judge")


def managed_hearing(hearing_id: int) -> Hearing:
    """The hearing with everything its pages show; 404 if unknown, 403 outside the coordinator's courts."""
    hearing = hearing_service.load_hearing(db.session(), hearing_id)
    if hearing is None:
        abort(404)
    if not scope.may_manage_court(current_user, hearing.court_id):
        abort(403)
    return hearing


def court_choices(courts: list[Court], *, placeholder: bool = False) -> list[SelectChoice]:
    """Options carrying their zone, so the form can name it as the court changes.

    With ``placeholder`` (several courts, none chosen yet) the list starts with "Choose a
    court" (value 0, which the form refuses), so no court is picked for the coordinator.
    """
    options = [SelectChoice(c.id, f"{c.name} ({c.state})", {"data-tz": c.timezone}) for c in courts]
    if placeholder and len(courts) > 1:
        options.insert(0, SelectChoice(0, _l("Choose a court")))
    return options


def chosen_court(courts: list[Court], court_id: int | None) -> Court | None:
    """The chosen court; a coordinator's only court when nothing is chosen; else none."""
    return next((c for c in courts if c.id == court_id), courts[0] if len(courts) == 1 else None)


def draft_from(form: HearingForm, tz_name: str) -> HearingDraft:
    seats = tuple(
        SeatSpec(role=role, count=count.data or 0, start=start.data, end=end.data)
        for role, count, start, end in form.seat_rows()
    )
    return HearingDraft(
        day=required(form.date.data),
        at=required(form.time.data),
        tz_name=tz_name,
        duration_minutes=required(form.duration_minutes.data),
        seats=seats,
        texts={name: form[name].data or "" for name in TEXT_FIELDS},
        fold=fold_of(form),
    )


def details_from(form: HearingForm | EditHearingForm, courtroom: str | None = None) -> HearingDetails:
    return HearingDetails(
        kind=HearingKind(form.kind.data),
        duration_minutes=required(form.duration_minutes.data),
        judge=(form.judge.data or "").strip(),
        courtroom=(courtroom if courtroom is not None else form["courtroom"].data or "").strip(),
        languages=tuple(form.languages.data or ()),
        respondent_ref=(form.respondent_ref.data or "").strip(),
        meeting_point=(form.meeting_point.data or "").strip(),
        public_notes=(form.public_notes.data or "").strip(),
        private_notes=(form.private_notes.data or "").strip(),
        date_confirmed=bool(form.date_confirmed.data),
    )


def show_errors(form: HearingForm, errors: dict[str, str]) -> None:
    """Put domain refusals beside the fields they are about."""
    aliases = {"duration": "duration_minutes", "seats": "seat_accompanier_count"}
    for key, code in errors.items():
        name = aliases.get(key, key)
        target: Field = form[name] if name in form else form.date  # noqa: SIM401  (forms have no .get)
        if code == "ambiguous_time" and "occurrence" in form:
            form.occurrence.data = form.occurrence.data or "0"  # shown, the first chosen
        message = str(ERROR_MESSAGES.get(code, code))
        if message not in [str(e) for e in target.errors]:
            target.errors = [*target.errors, message]


HISTORY_ACTIONS = {
    "hearing.created": _l("posted the hearing"),
    "hearing.imported": _l("imported the hearing from a file"),
    "hearing.updated": _l("edited the details"),
    "hearing.rescheduled": _l("rescheduled or moved the hearing"),
    "hearing.cancelled": _l("cancelled the hearing"),
    "hearing.reported": _l("filed the report after the hearing"),
}
HISTORY_FIELDS = {
    "starts_at": _l("Date and time"),
    "court": _l("Court"),
    "courtroom": _l("Courtroom"),
    "kind": _l("Kind"),
    "duration_minutes": _l("Expected length (minutes)"),
    "judge": _l("Judge"),
    "languages": _l("Languages"),
    "meeting_point": _l("Meeting point"),
    "public_notes": _l("Notes for volunteers"),
    "date_confirmed": _l("Date confirmed"),
    "status": _l("Status"),
    "respondent_ref": _l("Person accompanied"),
    "private_notes": _l("Private notes"),
}


def iso_in_court(value: str | None, tz_name: str) -> str:
    """A stored ISO instant from the history, shown at the court."""
    try:
        return court_datetime(datetime.fromisoformat(value or ""), tz_name, "short")
    except ValueError:
        return value or ""


@bp.context_processor
def _names() -> dict[str, object]:
    return {
        "SHIFT_ROLE_PLURALS": SHIFT_ROLE_PLURALS,
        "ERROR_MESSAGES": ERROR_MESSAGES,
        "HISTORY_ACTIONS": HISTORY_ACTIONS,
        "HISTORY_FIELDS": HISTORY_FIELDS,
        "iso_in_court": iso_in_court,
        # The shifts area owns assigning; the button shows once its route is there.
        "can_assign": "shifts.assign_volunteer" in current_app.view_functions,
    }
