"""Coordinators on a shift's page: assign (with an override), remove, lead, attendance, outcome."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, request, session
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from scheduler.enums import Attendance
from scheduler.errors import PermissionDenied, ServiceError
from scheduler.extensions import db
from scheduler.models import Shift, User
from scheduler.shifts import claims as shifts
from scheduler.shifts import queries as shift_queries
from scheduler.shifts import roster as shift_admin
from scheduler.shifts.common_views import _back, _checked, bp, claim_rules, run_seat_action
from scheduler.shifts.forms import (
    ActionForm,
    AssignForm,
    AttendanceForm,
    CapacityForm,
    LeadForm,
    OutcomeForm,
    PersonForm,
)
from scheduler.shifts.messages import error_message, refusal_texts
from scheduler.types import utcnow
from scheduler.web.forms import required
from scheduler.web.security import coordinator_required

# Refusals shown beside the assign form after a refused assignment, until the next page view.
_PENDING_KEY = "shifts.assign_refused"


def coordinator_context(shift: Shift) -> dict[str, Any]:
    search = request.args.get("q", "").strip()[:100]
    refused = session.pop(_PENDING_KEY, None)
    if refused and refused.get("shift_id") != shift.id:
        refused = None
    return {
        "roster": shift_queries.roster(shift),
        "filled": sum(1 for s in shift.signups if s.status == "confirmed"),
        "search": search,
        "candidates": shift_queries.search_volunteers(db.session(), text=search) if search else [],
        "refused": refused,
        "started": utcnow() >= shift.starts_at,
        "action_form": ActionForm(),
        "assign_form": AssignForm(),
        "outcome_form": OutcomeForm(note=shift.hearing.outcome_note),
        "capacity_form": CapacityForm(capacity=shift.capacity),
    }


def _person_or_400(form: PersonForm) -> int:
    _checked(form)
    return required(form.user_id.data)


def _admin_call(shift_id: int, call) -> Response | None:
    """Run a coordinator action; None when it went through, else the response to send."""
    return run_seat_action(shift_id, call)[1]


@bp.post("/shifts/<int:shift_id>/assign")
@coordinator_required
def assign_volunteer(shift_id: int) -> Response:
    form = AssignForm()
    user_id = _person_or_400(form)
    try:
        shift_admin.assign_volunteer(
            db.session(),
            actor=current_user,
            shift_id=shift_id,
            user_id=user_id,
            now=utcnow(),
            rules=claim_rules(),
            override_reason=form.override_reason.data or "",
        )
    except shifts.ShiftMissing:
        abort(404)
    except PermissionDenied:
        abort(403)
    except ServiceError as exc:  # after the two above, which are service errors too
        db.session.rollback()
        _not_assigned(shift_id, user_id, exc)
        return _back(shift_id)
    db.session.commit()
    flash(_("The volunteer has the seat."), "success")
    return _back(shift_id)


def _not_assigned(shift_id: int, user_id: int, exc: ServiceError) -> None:
    """Say why; for a refusal by the rules, keep it so the shift page can offer an override."""
    if not isinstance(exc, shifts.Refused):
        flash(error_message(exc.code), "error")
        return
    person = db.session.get(User, user_id)
    session[_PENDING_KEY] = {
        "shift_id": shift_id,
        "user_id": user_id,
        "name": person.display_name if person else "",
        "messages": refusal_texts(exc.refusals),
        "overridable": exc.code != "refused_hard",
    }


@bp.post("/shifts/<int:shift_id>/remove")
@coordinator_required
def remove_volunteer(shift_id: int) -> Response:
    user_id = _person_or_400(PersonForm())
    failed = _admin_call(
        shift_id,
        lambda: shift_admin.remove_volunteer(
            db.session(),
            actor=current_user,
            shift_id=shift_id,
            user_id=user_id,
            now=utcnow(),
            rules=claim_rules(),
        ),
    )
    if failed:
        return failed
    flash(
        _("The volunteer is off this shift. The next person on the waitlist who fits has the seat."),
        "success",
    )
    return _back(shift_id)


@bp.post("/shifts/<int:shift_id>/lead")
@coordinator_required
def set_team_lead(shift_id: int) -> Response:
    form = LeadForm()
    user_id = _person_or_400(form)
    failed = _admin_call(
        shift_id,
        lambda: shift_admin.set_team_lead(
            db.session(), actor=current_user, shift_id=shift_id, user_id=user_id, lead=bool(form.lead.data)
        ),
    )
    if failed:
        return failed
    flash(_("The team lead is saved."), "success")
    return _back(shift_id)


@bp.post("/shifts/<int:shift_id>/attendance")
@coordinator_required
def mark_attendance(shift_id: int) -> Response:
    form = AttendanceForm()
    user_id = _person_or_400(form)
    value = Attendance(form.attendance.data) if form.attendance.data else None
    failed = _admin_call(
        shift_id,
        lambda: shift_admin.mark_attendance(
            db.session(),
            actor=current_user,
            shift_id=shift_id,
            user_id=user_id,
            attendance=value,
            now=utcnow(),
        ),
    )
    if failed:
        return failed
    flash(_("Attendance is saved."), "success")
    return _back(shift_id)


@bp.post("/shifts/<int:shift_id>/capacity")
@coordinator_required
def set_capacity(shift_id: int) -> Response:
    form = CapacityForm()
    if not form.validate_on_submit():
        flash(error_message("capacity_range"), "error")
        return _back(shift_id)
    promoted: list = []
    failed = _admin_call(
        shift_id,
        lambda: promoted.extend(
            shift_admin.set_capacity(
                db.session(),
                actor=current_user,
                shift_id=shift_id,
                capacity=required(form.capacity.data),
                now=utcnow(),
                rules=claim_rules(),
            )
        ),
    )
    if failed:
        return failed
    flash(_capacity_changed(len(promoted)), "success")
    return _back(shift_id)


def _capacity_changed(promoted: int) -> str:
    if promoted:
        return _(
            "The number of seats is changed; %(count)d from the waitlist now have a seat.", count=promoted
        )
    return _("The number of seats is changed.")


@bp.post("/shifts/<int:shift_id>/outcome")
@coordinator_required
def save_outcome(shift_id: int) -> Response:
    form = OutcomeForm()
    _checked(form)
    shift = db.get_or_404(Shift, shift_id)
    failed = _admin_call(
        shift_id,
        lambda: shift_admin.set_outcome_note(
            db.session(), actor=current_user, hearing=shift.hearing, note=form.note.data or ""
        ),
    )
    if failed:
        return failed
    flash(_("The outcome note is saved."), "success")
    return _back(shift_id)
