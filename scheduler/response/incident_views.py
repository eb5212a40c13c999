"""Alerts, incidents and their one-tap acknowledgements."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from scheduler.courts import scope
from scheduler.domain.response import AlertRefused
from scheduler.domain.timezones import local_to_utc
from scheduler.enums import IncidentKind
from scheduler.errors import PermissionDenied
from scheduler.extensions import db
from scheduler.models import Shift
from scheduler.response import escalation, incidents
from scheduler.response.common_views import POLL_SECONDS, _run, _seat, bp
from scheduler.response.forms import AlertForm, CloseForm, RemoveForm
from scheduler.response.messages import error_text
from scheduler.shifts import claims
from scheduler.types import utcnow
from scheduler.web.forms import required
from scheduler.web.security import approved_required, coordinator_required, public


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
