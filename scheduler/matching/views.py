"""Matching pages: suggestions and invitations for coordinators, invitations for volunteers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.wrappers import Response
from wtforms import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3, not in its stubs yet

from scheduler.courts import queries as court_queries
from scheduler.courts import scope
from scheduler.domain.timezones import to_local
from scheduler.errors import PermissionDenied, ServiceError
from scheduler.extensions import db
from scheduler.matching import facts as matching_service
from scheduler.matching import invitations, suggestions
from scheduler.matching.forms import ButtonForm, PlanForm, SendPlanForm
from scheduler.matching.messages import coordinator_label, error_text, volunteer_label, why_not
from scheduler.models import Shift
from scheduler.shifts.claims import ShiftMissing
from scheduler.shifts.facts import rules_from_config
from scheduler.shifts.messages import refusal_texts
from scheduler.types import utcnow
from scheduler.web.forms import required
from scheduler.web.security import approved_required, coordinator_required

bp = Blueprint("matching", __name__)
PLAN_SALT = "matching-plan"


def match_settings() -> matching_service.MatchSettings:
    return matching_service.settings_from_config(current_app.config)


def _plan_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=PLAN_SALT)


def _shift_page(shift_id: int) -> Response:
    return redirect(url_for("shifts.show_shift", shift_id=shift_id, _anchor="suggestions"))


def _checked(form: Any) -> None:
    if not form.validate_on_submit():
        abort(400)


@bp.post("/matching/shifts/<int:shift_id>/invite/<int:user_id>")
@coordinator_required
def invite_volunteer(shift_id: int, user_id: int) -> Response:
    _checked(ButtonForm())
    try:
        invitation = invitations.invite(
            db.session(),
            actor=current_user,
            shift_id=shift_id,
            user_id=user_id,
            now=utcnow(),
            settings=match_settings(),
        )
    except ShiftMissing:
        abort(404)
    except PermissionDenied:
        abort(403)
    except ServiceError as exc:  # after the two above, which are service errors too
        db.session.rollback()
        flash(_not_invited(exc), "error")
        return _shift_page(shift_id)
    db.session.commit()
    flash(
        _("%(name)s is invited. Nothing is assigned until they accept.", name=invitation.user.display_name),
        "success",
    )
    return _shift_page(shift_id)


def _not_invited(exc: ServiceError) -> str:
    if isinstance(exc, invitations.NotEligible):
        reasons = "; ".join(why_not(r) for r in exc.refusals)
        return _("This person cannot take this seat: %(reasons)s.", reasons=reasons)
    return error_text(exc.code)


@bp.post("/matching/shifts/<int:shift_id>/invite/<int:user_id>/withdraw")
@coordinator_required
def withdraw_invitation(shift_id: int, user_id: int) -> Response:
    _checked(ButtonForm())
    try:
        invitation = invitations.withdraw(
            db.session(), actor=current_user, shift_id=shift_id, user_id=user_id, now=utcnow()
        )
    except ShiftMissing:
        abort(404)
    except PermissionDenied:
        abort(403)
    except ServiceError as exc:
        db.session.rollback()
        flash(error_text(exc.code), "error")
        return _shift_page(shift_id)
    db.session.commit()
    flash(_("The invitation to %(name)s is withdrawn.", name=invitation.user.display_name), "success")
    return _shift_page(shift_id)


def _court_choices() -> list[SelectChoice]:
    courts = court_queries.active_courts(db.session(), within=scope.court_ids(current_user), by_name=True)
    return [SelectChoice(0, _("All my courts"))] + [SelectChoice(c.id, c.name) for c in courts]


def _plan_form() -> PlanForm:
    form = PlanForm()
    form.court.choices = _court_choices()
    if not form.is_submitted():
        today = utcnow().date()
        form.start.data = today
        form.end.data = today + timedelta(days=13)
    return form


@bp.get("/matching/plan")
@coordinator_required
def plan_form() -> str:
    return render_template("matching/plan_form.html", form=_plan_form())


def _build_plan(form: PlanForm) -> Any:
    # Imported here: the optimiser brings numpy and scipy (~250 ms, ~60 MB), which every
    # worker and CLI command would otherwise load at start-up for this one page.
    from scheduler.matching import planning

    return planning.build_plan(
        db.session(),
        actor=current_user,
        court_ids={form.court.data} if form.court.data else None,
        start=required(form.start.data),
        end=required(form.end.data),
        now=utcnow(),
        settings=match_settings(),
    )


@bp.post("/matching/plan")
@coordinator_required
def compute_plan() -> str | tuple[str, int]:
    form = _plan_form()
    if not form.validate_on_submit():
        return render_template("matching/plan_form.html", form=form), 400
    try:
        review = _build_plan(form)
    except PermissionDenied:
        abort(403)
    except ServiceError as exc:
        form.end.errors = [*form.end.errors, error_text(exc.code)]
        return render_template("matching/plan_form.html", form=form), 400
    payload = {"by": current_user.id, "lines": [[line.shift.id, line.user.id] for line in review.lines]}
    send_form = SendPlanForm(formdata=None, plan=_plan_serializer().dumps(payload))
    return render_template("matching/plan_review.html", form=form, review=review, send_form=send_form)


def _kept_lines(form: SendPlanForm) -> list[tuple[int, int]]:
    """The (shift, person) lines of the signed plan that the coordinator kept ticked."""
    try:
        payload = _plan_serializer().loads(required(form.plan.data))
    except BadSignature:
        abort(400)
    if payload.get("by") != current_user.id:
        abort(400)
    lines = [tuple(pair) for pair in payload["lines"]]
    kept = {int(v) for v in request.form.getlist("line") if v.isdigit() and int(v) < len(lines)}
    return [(int(lines[i][0]), int(lines[i][1])) for i in sorted(kept)]


@bp.post("/matching/plan/send")
@coordinator_required
def send_plan() -> Response:
    form = SendPlanForm()
    _checked(form)
    report = invitations.send_plan(
        db.session(), actor=current_user, lines=_kept_lines(form), now=utcnow(), settings=match_settings()
    )
    db.session.commit()
    flash(
        ngettext(
            "%(num)d invitation sent. Nothing is assigned until the volunteer accepts.",
            "%(num)d invitations sent. Nothing is assigned until each volunteer accepts.",
            len(report.created),
        ),
        "success",
    )
    for _shift_id, _user_id, code in report.skipped:
        flash(_("One line was skipped: %(reason)s", reason=error_text(code)), "warning")
    return redirect(url_for("matching.plan_form"))


@bp.get("/invitations")
@approved_required
def my_invitations() -> str:
    rows = invitations.my_invitations(db.session(), user=current_user, now=utcnow())
    return render_template("matching/invitations.html", invitations=rows, form=ButtonForm())


def _flash_answer(outcome: str, refusals: list[str]) -> None:
    messages = {
        "accepted": (_("You have the seat. Thank you!"), "success"),
        "waitlisted": (_("You are on the waitlist for this seat."), "success"),
        "declined": (_("You declined the invitation. Thank you for letting us know."), "info"),
        "full": (
            _("Someone took the last seat in the meantime. You can join the waitlist instead."),
            "warning",
        ),
    }
    if outcome == "refused":
        for text in refusals:
            flash(text, "error")
    else:
        flash(*messages[outcome])


@bp.post("/invitations/<int:invitation_id>/<any(accept, decline, waitlist):answer>")
@approved_required
def answer_invitation(invitation_id: int, answer: str) -> Response:
    _checked(ButtonForm())
    invitation = invitations.invitation_for(db.session(), invitation_id=invitation_id, user=current_user)
    if invitation is None:
        abort(404)
    try:
        result = invitations.respond_to_invitation(
            db.session(),
            invitation=invitation,
            user=current_user,
            accept=answer != "decline",
            now=utcnow(),
            rules=rules_from_config(current_app.config),
            join_waitlist=answer == "waitlist",
        )
    except ServiceError as exc:
        db.session.commit()  # an expiry is recorded
        flash(error_text(exc.code), "error")
        return redirect(url_for("matching.my_invitations"))
    db.session.commit()
    _flash_answer(result.outcome, refusal_texts(result.refusals) if result.outcome == "refused" else [])
    return redirect(url_for("matching.my_invitations"))


@bp.app_context_processor
def matching_helpers() -> dict[str, Any]:
    """Lazy helpers the shift pages call from the matching partials."""

    def matching_suggestions(shift: Shift) -> suggestions.Suggestions | None:
        if not (current_user.is_authenticated and current_user.is_coordinator):
            return None
        if not scope.may_manage_court(current_user, shift.hearing.court_id):
            return None
        return suggestions.suggestions_for_shift(
            db.session(), actor=current_user, shift=shift, now=utcnow(), settings=match_settings()
        )

    def recommended_seats(limit: int = 5) -> list[suggestions.Recommendation]:
        if not (current_user.is_authenticated and current_user.is_approved):
            return []
        return suggestions.recommended_for(
            db.session(), user=current_user, now=utcnow(), settings=match_settings(), limit=limit
        )

    return {
        "matching_suggestions": matching_suggestions,
        "recommended_seats": recommended_seats,
        "coordinator_label": coordinator_label,
        "volunteer_label": volunteer_label,
        "why_not": why_not,
        "matching_button_form": ButtonForm,
        "local_weekday": lambda instant, tz: to_local(instant, tz).weekday(),
    }
