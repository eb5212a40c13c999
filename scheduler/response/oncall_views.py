"""The on-call roster of a court and its monthly summary."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from scheduler.enums import IncidentKind, OnCallRole
from scheduler.errors import PermissionDenied, ServiceError
from scheduler.extensions import db
from scheduler.response import oncall, summary
from scheduler.response.common_views import _run, bp
from scheduler.response.forms import OnCallForm, RemoveForm
from scheduler.types import utcnow
from scheduler.web.forms import required
from scheduler.web.security import coordinator_required


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
