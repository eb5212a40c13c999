"""Rapid response pages: check-in on the day, alerts, incidents, acknowledgements, on-call, summary.

Seat pages and the volunteer's home show the check-in buttons and the alert button through the
template helpers registered below (reads only: a GET writes nothing).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from scheduler.courts import scope
from scheduler.domain.response import AlertRefused, alert_window
from scheduler.domain.timezones import local_to_utc
from scheduler.enums import CheckInState, HearingStatus, IncidentKind, OnCallRole
from scheduler.errors import PermissionDenied, ServiceError
from scheduler.extensions import db
from scheduler.matching.facts import settings_from_config
from scheduler.models import Shift, Signup
from scheduler.response import board, checkin, escalation, incidents, oncall, summary
from scheduler.response.forms import AlertForm, CheckInForm, CloseForm, OnCallForm, RemoveForm
from scheduler.response.messages import error_text, names
from scheduler.shifts import claims
from scheduler.shifts.facts import rules_from_config
from scheduler.types import utcnow
from scheduler.web.forms import required
from scheduler.web.security import approved_required, coordinator_required, public

bp = Blueprint("response", __name__, url_prefix="/response")

# How often the live pages ask for fresh state, in seconds.
POLL_SECONDS = 10


def _run(call: Callable[[], Any], back: str) -> tuple[Any, Response | None]:
    """Run a service and commit; a refusal is a flash and a redirect to ``back``, nothing changed."""
    try:
        result = call()
    except (claims.ShiftMissing, LookupError):
        abort(404)
    except PermissionDenied:
        abort(403)
    except (ServiceError, AlertRefused) as exc:
        db.session.rollback()
        flash(error_text(exc.code), "error")
        return None, redirect(back)
    db.session.commit()
    return result, None


def _settings() -> checkin.CheckInSettings:
    config = current_app.config
    return checkin.CheckInSettings(
        rules=rules_from_config(config),
        match=settings_from_config(config),
        invite_limit=int(config["CHECKIN_INVITES"]),
    )


def _seat(shift_id: int) -> str:
    return url_for("shifts.show_shift", shift_id=shift_id)


@bp.app_context_processor
def on_the_day_helpers() -> dict[str, Any]:
    """Template helpers for seat pages and the volunteer's home (read only)."""
    return {
        "checkin_today": _checkin_today,
        "alert_offered": _alert_offered,
        "month_label": lambda day: format_date(day, "MMMM yyyy"),
        **names(),
    }


def _checkin_today(signup: Signup | None) -> CheckInState | bool | None:
    return checkin.todays_state(db.session(), signup=signup, now=utcnow())


def _alert_offered(shift: Shift, mine: Signup | None) -> bool:
    hearing = shift.hearing
    if hearing.status == HearingStatus.CANCELLED:
        return False
    holder = mine is not None and mine.status == "confirmed"
    if not holder and not scope.may_manage_court(current_user, hearing.court_id):
        return False
    opens, closes = alert_window(hearing_start=hearing.starts_at, duration_minutes=hearing.duration_minutes)
    return opens <= utcnow() <= closes


@bp.post("/shifts/<int:shift_id>/checkin")
@approved_required
def check_in(shift_id: int) -> Response:
    form = CheckInForm()
    if claims.own_signup(db.session(), shift_id=shift_id, user_id=current_user.id) is None:
        abort(403)
    if not form.validate_on_submit():
        abort(400)
    state = CheckInState(form.state.data)
    result, failed = _run(
        lambda: checkin.check_in(
            db.session(),
            actor=current_user,
            shift_id=shift_id,
            state=state,
            now=utcnow(),
            settings=_settings(),
        ),
        _seat(shift_id),
    )
    if failed:
        return failed
    flash(_CHECKIN_FLASH[result.state](), "success")
    if result.state == CheckInState.CANT_MAKE_IT:
        return redirect(url_for("main.home"))
    return redirect(_seat(shift_id))


_CHECKIN_FLASH = {
    CheckInState.HERE: lambda: _("Thank you. Your team lead and coordinators see that you are here."),
    CheckInState.LATE: lambda: _("Thank you. Your coordinators see that you are running late."),
    CheckInState.CANT_MAKE_IT: lambda: _(
        "Thank you for telling us. Your seat is free again and the coordinators are told."
    ),
}


@bp.get("/today")
@coordinator_required
def today() -> str:
    return render_template("response/today.html", poll_seconds=POLL_SECONDS, **_board())


@bp.get("/today/board")
@coordinator_required
def today_board() -> str:
    return render_template("response/_board.html", **_board())


def _board() -> dict[str, Any]:
    return {
        "hearings": board.today_board(db.session(), actor=current_user, now=utcnow()),
        "open_incidents": board.open_incidents(db.session(), actor=current_user),
    }


@bp.get("/shifts/<int:shift_id>/alert")
@approved_required
def alert_form(shift_id: int) -> str:
    refusal = None
    try:
        hearing = incidents.alert_target(db.session(), actor=current_user, shift_id=shift_id, now=utcnow())
    except claims.ShiftMissing:
        abort(404)
    except PermissionDenied:
        abort(403)
    except AlertRefused as exc:
        refusal, hearing = error_text(exc.code), None
    shift = db.session.get(Shift, shift_id) or abort(404)
    return render_template(
        "response/alert.html", shift=shift, hearing=hearing, refusal=refusal, form=AlertForm()
    )


@bp.post("/shifts/<int:shift_id>/alert")
@approved_required
def raise_alert(shift_id: int) -> Response:
    form = AlertForm()
    back = url_for("response.alert_form", shift_id=shift_id)
    _authorised_alert(shift_id)
    if not form.validate_on_submit():
        flash(_("Choose what is happening."), "error")
        return redirect(back)
    kind, note = IncidentKind(form.kind.data), form.note.data or ""
    found, failed = _run(
        lambda: incidents.raise_alert(
            db.session(), actor=current_user, shift_id=shift_id, kind=kind, note=note, now=utcnow()
        ),
        back,
    )
    if failed:
        return failed
    incident, opened = found
    flash(_("Alert sent. The on-call team is being reached.") if opened else _ALREADY(), "success")
    if scope.may_manage_court(current_user, incident.court_id):
        return redirect(url_for("response.show_incident", incident_id=incident.id))
    return redirect(_seat(shift_id))


def _ALREADY() -> str:
    return _("This alert was already sent; the on-call team is being reached.")


def _authorised_alert(shift_id: int) -> None:
    """403/404 before the form is read, so nobody learns anything from a refusal's wording."""
    try:
        incidents.alert_target(db.session(), actor=current_user, shift_id=shift_id, now=utcnow())
    except claims.ShiftMissing:
        abort(404)
    except PermissionDenied:
        abort(403)
    except AlertRefused:
        pass  # said beside the form once the service runs


def _incident_or_abort(incident_id: int) -> Any:
    try:
        found = incidents.incident_for_staff(db.session(), actor=current_user, incident_id=incident_id)
    except PermissionDenied:
        abort(403)
    return found or abort(404)


@bp.get("/incidents/<int:incident_id>")
@approved_required
def show_incident(incident_id: int) -> str:
    try:
        found = incidents.incident_for_viewer(db.session(), actor=current_user, incident_id=incident_id)
    except PermissionDenied:
        abort(403)
    incident, staff = found
    if incident is None:
        abort(404)
    if not staff:  # someone the alert reached: what the alert said, nothing more
        return render_template("response/incident_reached_person.html", incident=incident)
    reached = incidents.reached(db.session(), incident)
    return render_template(
        "response/incident.html",
        incident=incident,
        reached=reached,
        form=CloseForm(),
        poll_seconds=POLL_SECONDS,
    )


@bp.get("/incidents/<int:incident_id>/reached")
@coordinator_required
def incident_reached(incident_id: int) -> str:
    incident = _incident_or_abort(incident_id)
    reached = incidents.reached(db.session(), incident)
    return render_template("response/_reached.html", incident=incident, reached=reached)


@bp.post("/incidents/<int:incident_id>/close")
@coordinator_required
def close_incident(incident_id: int) -> str | Response:
    incident = _incident_or_abort(incident_id)
    form = CloseForm()
    back = url_for("response.show_incident", incident_id=incident_id)
    if not form.validate_on_submit():
        reached = incidents.reached(db.session(), incident)
        page = render_template("response/incident.html", incident=incident, reached=reached, form=form)
        return Response(page, status=400)
    record = _closing_record(form, incident.court.timezone)
    _done, failed = _run(
        lambda: incidents.close_incident(
            db.session(), actor=current_user, incident_id=incident_id, record=record, now=utcnow()
        ),
        back,
    )
    if failed:
        return failed
    flash(_("The incident is closed and its record kept."), "success")
    return redirect(back)


def _local(value: datetime | None, tz: str) -> datetime | None:
    return None if value is None else local_to_utc(value.date(), value.time(), tz)


def _closing_record(form: CloseForm, tz: str) -> incidents.ClosingRecord:
    return incidents.ClosingRecord(
        what_happened=required(form.what_happened.data).strip(),
        agency=(form.agency.data or "").strip(),
        detained_at=_local(form.detained_at.data, tz),
        released_at=_local(form.released_at.data, tz),
        lawyer_reached=bool(form.lawyer_reached.data),
        family_contacted=bool(form.family_contacted.data),
        follow_up_needed=bool(form.follow_up_needed.data),
        staff_note=(form.staff_note.data or "").strip(),
    )


@bp.get("/ack/<token>")
@public
def acknowledge_form(token: str) -> str | tuple[str, int]:
    try:
        recipient = escalation.check_ack(db.session(), token=token, now=utcnow())
    except escalation.AckRefused as exc:
        return _ack_refused(exc.code)
    return render_template("response/ack.html", incident=recipient.incident, form=RemoveForm())


@bp.post("/ack/<token>")
@public
def acknowledge(token: str) -> str | tuple[str, int]:
    if not RemoveForm().validate_on_submit():
        return _ack_refused("invalid")
    try:
        incident = escalation.acknowledge(db.session(), token=token, now=utcnow())
    except escalation.AckRefused as exc:
        db.session.rollback()
        return _ack_refused(exc.code)
    db.session.commit()
    return render_template("response/acked.html", incident=incident)


def _ack_refused(code: str) -> tuple[str, int]:
    page = render_template("notifications/link_invalid.html", explanation=error_text(code))
    return page, 404


@bp.get("/courts/<int:court_id>/oncall")
@coordinator_required
def oncall_page(court_id: int) -> str:
    court, entries = _roster(court_id)
    return render_template(
        "response/oncall.html", court=court, entries=entries, form=_oncall_form(), remove_form=RemoveForm()
    )


def _roster(court_id: int) -> tuple[Any, list[Any]]:
    try:
        return oncall.roster(db.session(), actor=current_user, court_id=court_id)
    except PermissionDenied:
        abort(403)
    except ServiceError:
        abort(404)


def _oncall_form() -> OnCallForm:
    form = OnCallForm()
    form.user_id.choices = [(p.id, p.display_name) for p in oncall.people_to_choose(db.session())]
    return form


@bp.post("/courts/<int:court_id>/oncall")
@coordinator_required
def add_oncall(court_id: int) -> str | Response:
    court, entries = _roster(court_id)
    form = _oncall_form()
    back = url_for("response.oncall_page", court_id=court_id)
    if not form.validate_on_submit():
        page = render_template(
            "response/oncall.html", court=court, entries=entries, form=form, remove_form=RemoveForm()
        )
        return Response(page, status=400)
    _entry, failed = _run(lambda: _add_entry(court_id, form), back)
    if failed:
        return failed
    flash(_("Added to the on-call roster."), "success")
    return redirect(back)


def _add_entry(court_id: int, form: OnCallForm) -> Any:
    return oncall.add_entry(
        db.session(),
        actor=current_user,
        court_id=court_id,
        user_id=required(form.user_id.data),
        role=OnCallRole(form.role.data),
        weekday=required(form.weekday.data),
        starts=required(form.starts.data),
        ends=required(form.ends.data),
    )


@bp.post("/courts/<int:court_id>/oncall/<int:entry_id>/remove")
@coordinator_required
def remove_oncall(court_id: int, entry_id: int) -> Response:
    _roster(court_id)
    back = url_for("response.oncall_page", court_id=court_id)
    if not RemoveForm().validate_on_submit():
        abort(400)
    _done, failed = _run(
        lambda: oncall.remove_entry(db.session(), actor=current_user, court_id=court_id, entry_id=entry_id),
        back,
    )
    if failed:
        return failed
    flash(_("Removed from the on-call roster."), "success")
    return redirect(back)


@bp.get("/courts/<int:court_id>/summary")
@coordinator_required
def monthly_summary(court_id: int) -> str:
    try:
        court, rows = summary.monthly_summary(
            db.session(), actor=current_user, court_id=court_id, now=utcnow()
        )
    except PermissionDenied:
        abort(403)
    except ServiceError:
        abort(404)
    return render_template("response/summary.html", court=court, rows=rows, kinds=list(IncidentKind))
