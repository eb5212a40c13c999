"""Coordinators vet volunteers; admins give and take the coordinator role."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3, not in its stubs yet

from scheduler.accounts import registry as accounts
from scheduler.enums import Role, UserStatus
from scheduler.errors import PermissionDenied, ServiceError
from scheduler.extensions import db
from scheduler.models import Court, User
from scheduler.people import listing
from scheduler.people.forms import CourtsForm, RoleForm, StatusForm
from scheduler.web.security import admin_required, coordinator_required

bp = Blueprint("people", __name__, url_prefix="/people")


@bp.get("/")
@coordinator_required
def list_people() -> str:
    status = listing.chosen_status(request.args.get("status"))
    search = request.args.get("q", "").strip()[: listing.SEARCH_LENGTH]
    page = listing.people_page(
        db.session(), status=status, search=search, page=request.args.get("page", 1, type=int), per_page=50
    )
    return render_template(
        "people/list.html", page=page, status=status, search=search, filters=listing.STATUS_FILTERS
    )


@bp.get("/<int:user_id>")
@coordinator_required
def show_person(user_id: int) -> str:
    person = db.get_or_404(User, user_id)
    courts_form = _courts_form(person) if current_user.is_admin and person.role == Role.COORDINATOR else None
    return render_template(
        "people/show.html",
        person=person,
        status_form=StatusForm(),
        role_form=RoleForm(role=person.role.value),
        courts_form=courts_form,
    )


def _courts_form(person: User | None = None) -> CourtsForm:
    """The scope form, filled with the coordinator's courts when showing it."""
    form = CourtsForm(courts=[c.id for c in person.coordinated_courts]) if person else CourtsForm()
    form.courts.choices = [
        SelectChoice(c.id, f"{c.name} ({c.state})")
        for c in db.session.scalars(select(Court).order_by(Court.state, Court.name))
    ]
    return form


@bp.post("/<int:user_id>/status")
@coordinator_required
def set_status(user_id: int) -> Response:
    person = db.get_or_404(User, user_id)
    form = StatusForm()
    status = form.chosen() if form.validate_on_submit() else None
    if status is None:
        abort(400)
    try:
        accounts.set_status(db.session(), actor=current_user, user=person, status=status)
    except PermissionDenied:
        abort(403)
    except ServiceError:
        flash(_("You cannot change your own account here."), "error")
        return redirect(url_for("people.show_person", user_id=person.id))
    db.session.commit()
    flash(_STATUS_FLASH[status](person.display_name), "success")
    return redirect(url_for("people.show_person", user_id=person.id))


_STATUS_FLASH = {
    UserStatus.APPROVED: lambda name: _("%(name)s is approved.", name=name),
    UserStatus.SUSPENDED: lambda name: _("%(name)s is suspended.", name=name),
    UserStatus.PENDING: lambda name: _("%(name)s is waiting for approval again.", name=name),
}


@bp.post("/<int:user_id>/role")
@admin_required
def set_role(user_id: int) -> Response:
    person = db.get_or_404(User, user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        accounts.set_role(db.session(), actor=current_user, user=person, role=Role(form.role.data))
    except ServiceError:
        flash(_("You cannot change your own role."), "error")
        return redirect(url_for("people.show_person", user_id=person.id))
    db.session.commit()
    flash(_("%(name)s's role is changed.", name=person.display_name), "success")
    return redirect(url_for("people.show_person", user_id=person.id))


@bp.post("/<int:user_id>/courts")
@admin_required
def set_courts(user_id: int) -> Response:
    person = db.get_or_404(User, user_id)
    form = _courts_form()
    if not form.validate_on_submit():
        abort(400)
    try:
        accounts.set_coordinator_courts(
            db.session(), actor=current_user, user=person, court_ids=form.courts.data or []
        )
    except ServiceError:
        abort(400)
    db.session.commit()
    flash(_("%(name)s's courts are saved.", name=person.display_name), "success")
    return redirect(url_for("people.show_person", user_id=person.id))
