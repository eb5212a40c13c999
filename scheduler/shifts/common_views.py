"""The shifts blueprint and what its two view modules share: the seat-action runner, the rules.

The volunteer pages (scheduler/shifts/views.py) and the coordinators' actions
(scheduler/shifts/coordinate_views.py) both add routes to this blueprint.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import OperationalError
from werkzeug.wrappers import Response

from scheduler.dbfaults import BUSY, fault_kind
from scheduler.domain.claims import DropError
from scheduler.domain.eligibility import Rules
from scheduler.errors import PermissionDenied, ServiceError
from scheduler.extensions import db
from scheduler.shifts import claims as shifts
from scheduler.shifts.facts import rules_from_config
from scheduler.shifts.messages import error_message, refusal_texts

bp = Blueprint("shifts", __name__)


def claim_rules() -> Rules:
    return rules_from_config(current_app.config)


def drop_cutoff() -> timedelta:
    return timedelta(hours=current_app.config["DROP_CUTOFF_HOURS"])


def _back(shift_id: int) -> Response:
    return redirect(url_for("shifts.show_shift", shift_id=shift_id))


def _checked(form) -> None:
    if not form.validate_on_submit():
        abort(400)


def run_seat_action(
    shift_id: int, call: Callable[[], Any], **message_args: Any
) -> tuple[Any, Response | None]:
    """Run one seat change and commit it; a refusal becomes a message and changes nothing.

    Returns (the call's result, None), or (None, the response to send back). A missing shift is
    a 404 and a shift outside a coordinator's courts a 403, for volunteers and coordinators alike.
    """
    try:
        result = call()
    except shifts.ShiftMissing:
        abort(404)
    except PermissionDenied:
        abort(403)
    except shifts.Refused as exc:
        db.session.rollback()
        for text in refusal_texts(exc.refusals):
            flash(text, "error")
        return None, _back(shift_id)
    except (ServiceError, DropError) as exc:
        db.session.rollback()
        flash(error_message(exc.code, **message_args), "error")
        return None, _back(shift_id)
    except OperationalError as exc:
        return None, _busy(exc, shift_id)
    try:
        db.session.commit()
    except OperationalError as exc:
        return None, _busy(exc, shift_id)
    return result, None


def _busy(error: OperationalError, shift_id: int) -> Response:
    """The seat's lock did not come free in time (DB_LOCK_TIMEOUT): nothing changed, say so.

    Any other database fault goes on to the app's 503 page (scheduler/web/faults.py).
    """
    if fault_kind(error) != BUSY:
        raise error
    db.session.rollback()
    current_app.logger.warning("database busy on %s: seat lock timed out", request.endpoint)
    flash(_("This seat is busy right now, please try again."), "error")
    return _back(shift_id)
