"""Volunteers: open shifts, a shift's page, claim, drop, hand over, and their commitments.

A volunteer's own signup is always found by (shift id in the URL, signed-in person): no URL
names a signup, so changing an id can never reach someone else's seat.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from scheduler.courts import cards as court_cards
from scheduler.domain.claims import ClaimOutcome, drop_deadline, is_late_drop, sees_seat_details
from scheduler.enums import HearingStatus
from scheduler.extensions import db
from scheduler.models import CourtCard, Shift, Signup
from scheduler.shifts import claims as shifts
from scheduler.shifts import commitments as commitments_service
from scheduler.shifts import handover, locking, open_seats
from scheduler.shifts import queries as shift_queries
from scheduler.shifts.common_views import _back, _checked, bp, claim_rules, drop_cutoff, run_seat_action
from scheduler.shifts.coordinate_views import coordinator_context  # its routes join the blueprint too
from scheduler.shifts.filter_forms import filters_from_request
from scheduler.shifts.forms import ActionForm, DropForm
from scheduler.shifts.messages import refusal_texts
from scheduler.types import utcnow
from scheduler.web.security import approved_required


@bp.get("/shifts")
@approved_required
def open_shifts() -> str:
    # Offers nobody took by the cutoff become drops in the worker (a GET writes nothing).
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
        db.session(), user_id=current_user.id, shift_ids=[s.id for s in page.rows]
    )
    return render_template("shifts/open.html", page=page, filled=filled, mine=mine, view=view)


@bp.get("/shifts/<int:shift_id>")
@approved_required
def show_shift(shift_id: int) -> str:
    shift = shift_queries.shift_for_page(db.session(), shift_id) or abort(404)
    mine = locking.own_signup(db.session(), shift_id=shift.id, user_id=current_user.id)
    if current_user.is_coordinator:
        if shift_queries.manageable(current_user, shift):
            return render_template(
                "shifts/show.html",
                shift=shift,
                coordinating=True,
                card=_card(shift),
                **coordinator_context(shift),
            )
        # A coordinator may hold a seat at a court they do not coordinate (their calendar
        # links to it): they see it as its volunteer would, and nothing more.
        if mine is None:
            abort(403)
    return _volunteer_page(shift, mine)


def _card(shift: Shift) -> CourtCard | None:
    """The court-day card in the language of the person looking (issue 19 item 7)."""
    return court_cards.card_for(db.session(), shift.hearing.court_id, str(get_locale() or "en"))


def _volunteer_page(shift: Shift, mine: Signup | None) -> str:
    now = utcnow()
    cancelled = shift.hearing.status == HearingStatus.CANCELLED
    return render_template(
        "shifts/show.html",
        shift=shift,
        card=_card(shift),
        mine=mine,
        filled=shift_queries.filled_on(shift),
        sees_details=mine is not None and sees_seat_details(mine.status, hearing_cancelled=cancelled),
        offer=handover.open_offer(db.session(), shift_id=shift.id, except_user_id=current_user.id),
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
        lambda: handover.offer_handover(
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
        shift_id, lambda: handover.withdraw_handover(db.session(), actor=current_user, shift_id=shift_id)
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
        lambda: handover.take_handover(
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
    stamp = commitments_service.seen_stamp
    return render_template("shifts/commitments.html", data=data, seen_form=ActionForm(), seen_stamp=stamp)


@bp.post("/commitments/seen")
@approved_required
def mark_commitments_seen() -> Response:
    """The change notes were read: the next visit highlights only newer changes (a GET writes nothing)."""
    _checked(ActionForm())
    data = commitments_service.my_commitments(db.session(), user=current_user, now=utcnow())
    commitments_service.mark_seen(data, shown=set(request.form.getlist("seen")))
    db.session.commit()
    return redirect(url_for("shifts.my_commitments"))


@bp.app_context_processor
def late_drop_helper() -> dict:
    """``late_drop_alerts()`` for templates/shifts/_late_drops.html, on the hearings dashboard."""

    def late_drop_alerts() -> list:
        if not (current_user.is_authenticated and current_user.is_coordinator):
            return []
        return commitments_service.late_drop_alerts(db.session(), user=current_user, now=utcnow())

    return {"late_drop_alerts": late_drop_alerts}
