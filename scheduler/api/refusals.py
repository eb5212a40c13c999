"""Refusals from the domain and the services as problem documents, in the pages' own words."""

from __future__ import annotations

from typing import NoReturn

from flask import abort, current_app
from flask_babel import gettext as _

from scheduler.domain.claims import ClaimOutcome, DropError
from scheduler.errors import PermissionDenied, ServiceError
from scheduler.hearings.forms import ERROR_MESSAGES
from scheduler.shifts import claims
from scheduler.shifts.claims import ClaimResult
from scheduler.shifts.messages import error_message, refusal_texts
from scheduler.web.problems import problem

# A domain error key -> the request field it is about.
FIELDS = {"duration": "duration_minutes", "seats": "seats", "occurrence": "occurrence"}
# Refusals about the hearing's state rather than the request's values.
CONFLICTS = ("cancelled",)


def _field(key: str) -> str:
    if key.startswith("seat_"):  # seat_<role>_<part>: seats.<role>.count / start / end
        _, role, part = key.split("_", 2)
        return f"seats.{role}.{part}"
    return FIELDS.get(key, key)


def _say(code: str) -> str:
    return str(ERROR_MESSAGES.get(code, ERROR_MESSAGES["forbidden"] if code == "forbidden" else code))


def hearing_invalid(errors: dict[str, str]) -> NoReturn:
    found = [
        {"field": _field(key), "in": "json", "detail": _say(code), "code": code}
        for key, code in errors.items()
    ]
    abort(problem(422, errors=found, code="invalid"))


def hearing_refused(exc: ServiceError) -> NoReturn:
    if isinstance(exc, PermissionDenied):
        abort(problem(403, _say("forbidden"), code="forbidden"))
    if exc.code in CONFLICTS:
        abort(problem(409, _say(exc.code), code=exc.code))
    if exc.field:
        hearing_invalid({exc.field: exc.code})
    abort(problem(422, _say(exc.code), code=exc.code))


def seat_refused(refusal: ServiceError | DropError | ClaimResult) -> NoReturn:
    """A claim or drop that did not go ahead: 404, 403, or 409 with the reasons as on the page."""
    if isinstance(refusal, claims.ShiftMissing):
        abort(404)
    if isinstance(refusal, PermissionDenied):
        abort(403)
    if isinstance(refusal, ClaimResult) and refusal.outcome == ClaimOutcome.FULL:
        # The page's words (scheduler/shifts/views.py); with "waitlist": true the claim waits instead.
        abort(problem(409, _("This shift has just filled up. You can join the waitlist."), code="full"))
    if isinstance(refusal, ClaimResult):
        reasons = refusal_texts(refusal.refusals)
        errors = [
            {"code": r.reason.value, "detail": text}
            for r, text in zip(refusal.refusals, reasons, strict=True)
        ]
        abort(problem(409, " ".join(reasons), code="refused", errors=errors))
    detail = error_message(refusal.code, hours=current_app.config["DROP_CUTOFF_HOURS"])
    abort(problem(422 if refusal.code == "reason_required" else 409, detail, code=refusal.code))
