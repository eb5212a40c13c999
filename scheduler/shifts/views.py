"""Volunteers: open shifts, a shift's page, claim, drop, hand over, and their commitments.

A volunteer's own signup is always found by (shift id in the URL, signed-in person): no URL
names a signup, so changing an id can never reach someone else's seat.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import OperationalError
from werkzeug.wrappers import Response

from scheduler.dbfaults import BUSY, fault_kind
from scheduler.domain.claims import ClaimOutcome, DropError, drop_deadline, is_late_drop
from scheduler.domain.eligibility import Refusal, Rules
from scheduler.errors import PermissionDenied, ServiceError
from scheduler.extensions import db
from scheduler.shifts import claims as shifts
from scheduler.shifts import commitments as commitments_service
from scheduler.shifts import open_seats
from scheduler.shifts import queries as shift_queries
from scheduler.shifts.facts import rules_from_config
from scheduler.shifts.filters import filters_from_request
from scheduler.shifts.forms import ActionForm, DropForm
from scheduler.shifts.messages import error_message, refusal_messages
from scheduler.types import utcnow
from scheduler.web.security import approved_required

bp = Blueprint("shifts", __name__)


def claim_rules() -> Rules:
    return rules_from_config(current_app.config)


def drop_cutoff() -> timedelta:
    return timedelta(hours=current_app.config["DROP_CUTOFF_HOURS"])


def refusal_texts(refusals: list[Refusal]) -> list[str]:
    named = shift_queries.shifts_by_id(db.session(), [r.shift_id for r in refusals if r.shift_id])
    return refusal_messages(
        refusals, shifts=named, travel_minutes=current_app.config["TRAVEL_BUFFER_MINUTES"]
    )


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


@bp.get("/shifts")
@approved_required
def open_shifts() -> str:
    # Offers nobody took by the cutoff become drops before anyone reads the list (the worker does it too).
    if shifts.expire_handover_offers(db.session(), now=utcnow(), cutoff=drop_cutoff(), rules=claim_rules()):
        db.session.commit()
    view = filters_from_request(db.session(), user=current_user, args=request.args)
    page, filled = open_seats.open_seats_page(
        db.session(),
        user_id=current_user.id,
        filters=view.filters,
        only_claimable=view.fitted,
        now=utcnow(),
        horizon=view.horizon,
        rules=claim_rules(),
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["OPEN_SEATS_PAGE_SIZE"],
    )
    mine = shift_queries.my_statuses(
        db.session(), user_id=current_user.id, shift_ids=[s.id for s in page.items]
    )
    return render_template("shifts/open.html", page=page, filled=filled, mine=mine, view=view)


@bp.get("/shifts/<int:shift_id>")
@approved_required
def show_shift(shift_id: int) -> str:
    shift = shift_queries.shift_for_page(db.session(), shift_id) or abort(404)
    mine = shifts.own_signup(db.session(), shift_id=shift.id, user_id=current_user.id)
    if current_user.is_coordinator:
        if not shift_queries.manageable(current_user, shift):
            # A coordinator may hold a seat at a court they do not coordinate (their calendar
            # links to it): they see it as its volunteer would, and nothing more.
            if mine is None:
                abort(403)
        else:
            from scheduler.shifts.coordinate_views import coordinator_context

            return render_template(
                "shifts/show.html", shift=shift, coordinating=True, **coordinator_context(shift)
            )
    now = utcnow()
    return render_template(
        "shifts/show.html",
        shift=shift,
        mine=mine,
        filled=sum(1 for s in shift.signups if s.status == "confirmed"),
        offer=shifts.open_offer(db.session(), shift_id=shift.id, except_user_id=current_user.id),
        late=is_late_drop(starts_at=shift.starts_at, now=now, cutoff=drop_cutoff()),
        deadline=drop_deadline(starts_at=shift.starts_at, cutoff=drop_cutoff()),
        started=now >= shift.starts_at,
        action_form=ActionForm(),
        drop_form=DropForm(),
    )


@bp.post("/shifts/<int:shift_id>/claim")
@approved_required
def claim_shift(shift_id: int) -> Response:
    form = ActionForm()
    _checked(form)
    result, failed = run_seat_action(
        shift_id,
        lambda: shifts.claim_shift(
            db.session(),
            actor=current_user,
            shift_id=shift_id,
            now=utcnow(),
            rules=claim_rules(),
            join_waitlist=form.waitlist.data == "1",
        ),
    )
    if failed:
        return failed
    if result.outcome == ClaimOutcome.REFUSED:
        for text in refusal_texts(result.refusals):
            flash(text, "error")
    else:
        flash(*_CLAIM_FLASH[result.outcome]())
    return _back(shift_id)


_CLAIM_FLASH = {
    ClaimOutcome.CONFIRMED: lambda: (_("You have a seat. Thank you! The meeting point is below."), "success"),
    ClaimOutcome.WAITLISTED: lambda: (
        _(
            "You are on the waitlist. If a seat frees up and you still fit, it is yours: "
            "you will see it in your commitments."
        ),
        "success",
    ),
    ClaimOutcome.FULL: lambda: (_("This shift has just filled up. You can join the waitlist."), "info"),
    ClaimOutcome.ALREADY: lambda: (_("You already have this seat or a place on its waitlist."), "info"),
}


@bp.post("/shifts/<int:shift_id>/drop")
@approved_required
def drop_shift(shift_id: int) -> Response:
    form = DropForm()
    _checked(form)
    result, failed = run_seat_action(
        shift_id,
        lambda: shifts.drop_shift(
            db.session(),
            actor=current_user,
            shift_id=shift_id,
            now=utcnow(),
            cutoff=drop_cutoff(),
            reason=form.reason.data or "",
            rules=claim_rules(),
        ),
        hours=current_app.config["DROP_CUTOFF_HOURS"],
    )
    if failed:
        return failed
    if result.late:
        flash(
            _("You have given up this seat. The coordinators are told, so they can find someone."), "success"
        )
    else:
        flash(_("You have given up this seat. Thank you for telling us."), "success")
    return redirect(url_for("shifts.my_commitments"))


@bp.post("/shifts/<int:shift_id>/handover")
@approved_required
def offer_handover(shift_id: int) -> Response:
    _checked(ActionForm())
    failed = run_seat_action(
        shift_id,
        lambda: shifts.offer_handover(
            db.session(), actor=current_user, shift_id=shift_id, now=utcnow(), cutoff=drop_cutoff()
        ),
    )[1]
    if failed:
        return failed
    flash(_("Your seat is offered to other volunteers. It stays yours until someone takes it."), "success")
    return _back(shift_id)


@bp.post("/shifts/<int:shift_id>/handover/withdraw")
@approved_required
def withdraw_handover(shift_id: int) -> Response:
    _checked(ActionForm())
    failed = run_seat_action(
        shift_id, lambda: shifts.withdraw_handover(db.session(), actor=current_user, shift_id=shift_id)
    )[1]
    if failed:
        return failed
    flash(_("You keep your seat; the offer is withdrawn."), "success")
    return _back(shift_id)


@bp.post("/shifts/<int:shift_id>/handover/take")
@approved_required
def take_handover(shift_id: int) -> Response:
    _checked(ActionForm())
    failed = run_seat_action(
        shift_id,
        lambda: shifts.take_handover(
            db.session(),
            actor=current_user,
            shift_id=shift_id,
            now=utcnow(),
            cutoff=drop_cutoff(),
            rules=claim_rules(),
        ),
    )[1]
    if failed:
        return failed
    flash(_("The seat is yours. Thank you for stepping in!"), "success")
    return _back(shift_id)


@bp.get("/commitments")
@approved_required
def my_commitments() -> str:
    data = commitments_service.my_commitments(db.session(), user=current_user, now=utcnow())
    html = render_template("shifts/commitments.html", data=data)
    commitments_service.mark_seen(data)
    db.session.commit()
    return html


@bp.app_context_processor
def late_drop_helper() -> dict:
    """``late_drop_alerts()`` for templates/shifts/_late_drops.html, on the hearings dashboard."""

    def late_drop_alerts() -> list:
        if not (current_user.is_authenticated and current_user.is_coordinator):
            return []
        return commitments_service.late_drop_alerts(db.session(), user=current_user, now=utcnow())

    return {"late_drop_alerts": late_drop_alerts}


# The coordinator routes live on the same blueprint, in their own module.
from scheduler.shifts import coordinate_views as coordinate  # noqa: E402, F401
