"""What casework refusals say to people (service and domain error codes -> translated text)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from scheduler.casework.forms import OUTCOME_NAMES

ERRORS = {
    "too_long": _l(
        "This repetition gives dates more than a year after the first one. Choose fewer times or an "
        "earlier last date; a new series can follow later."
    ),
    "none": _l("This repetition gives no date at all. Check the last date and the dates to skip."),
    "no_end": _l("Say when it ends: after a number of times, or on a last date."),
    "bad_interval": _l("Give a number of weeks or months from 1 to 52."),
    "bad_weeks_ahead": _l("Open seats from 1 to 26 weeks ahead."),
    "not_checkin": _l("Only ICE check-ins repeat. Post the next hearing of this person instead."),
    "not_upcoming": _l("Only an upcoming check-in that is not cancelled can start a series."),
    "already_series": _l("This check-in is already part of a series."),
    "not_in_series": _l("This date is not one of the series' upcoming dates."),
    "in_past": _l("This date has already passed. Choose a later one."),
    "a_number": _l(
        "This looks like an A-number. Use a first name or initials instead: A-numbers must not be stored."
    ),
    "resolved": _l("This case already has its date."),
    "cancelled": _l("This hearing is cancelled."),
    "not_yet": _l("The report can be filed once the hearing has started."),
    "already_reported": _l("Someone has already filed the report for this hearing. Thank you all the same."),
    "lead_first": _l(
        "The team lead files the report first. If they have not done so a day after the hearing, "
        "anyone on the team may."
    ),
    "next_date_required": _l("Give the next date and time, or tick that the date is still to be set."),
    "next_kind_required": _l("Say what kind of hearing comes next."),
    "next_in_past": _l("The next date must be in the future."),
    "nonexistent_time": _l(
        "This time does not exist at this court: the clocks jump forward that night. Choose another time."
    ),
}

MEASURE_NAMES = {
    "accompanied": _l("Hearings accompanied"),
    "postponed": _l("Postponed"),
    "not_held": _l("Not held"),
    "interpreter_problems": _l("Interpreter missing or inadequate"),
    "ice_present": _l("ICE in the building"),
    "relief_granted": OUTCOME_NAMES["relief_granted"],
    "removal_ordered": OUTCOME_NAMES["removal_ordered"],
    "continued": OUTCOME_NAMES["continued"],
}


def error_text(code: str) -> str:
    return str(ERRORS.get(code, _l("This could not be saved. Check the form and try again.")))
