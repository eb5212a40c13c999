"""Sign out everywhere, download my data, delete my account."""

from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user
from werkzeug.wrappers import Response as WerkzeugResponse

from scheduler import audit
from scheduler.accounts import registry as accounts
from scheduler.accounts import sessions
from scheduler.errors import ServiceError
from scheduler.extensions import db, secret_box
from scheduler.privacy import export
from scheduler.privacy.forms import ConfirmForm, DeleteAccountForm
from scheduler.types import utcnow
from scheduler.web.forms import required

bp = Blueprint("privacy", __name__, url_prefix="/account")


@bp.route("/sign-out-everywhere", methods=["GET", "POST"])
@login_required
def sign_out_everywhere() -> str | WerkzeugResponse:
    form = ConfirmForm()
    if form.validate_on_submit():
        sessions.end_all_sessions(db.session(), user=current_user)
        db.session.commit()
        logout_user()
        flash(_("You are signed out on every device, this one included."), "info")
        return redirect(url_for("auth.login"))
    return render_template("privacy/sign_out_everywhere.html", form=form)


@bp.get("/export")
@login_required
def export_data() -> Response:
    data = export.user_data(db.session(), user=current_user, box=secret_box())
    user = current_user
    audit.record_access(
        db.session(), actor=user, action="user.data_exported", object_type="user", object_id=user.id
    )
    db.session.commit()
    body = json.dumps(data, ensure_ascii=False, indent=2)
    name = f"accompany-my-data-{utcnow().date().isoformat()}.json"
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


@bp.route("/delete", methods=["GET", "POST"])
@login_required
def delete_account() -> str | WerkzeugResponse:
    form = DeleteAccountForm()
    seats = export.upcoming_seats(db.session(), user=current_user)
    if form.validate_on_submit():
        if (
            accounts.authenticate(
                db.session(), email=current_user.email, password=required(form.password.data)
            )
            is None
        ):
            form.password.errors = [_("This is not your current password.")]
        else:
            try:
                export.delete_account(db.session(), user=current_user._get_current_object())
            except ServiceError as exc:
                db.session.rollback()
                flash(_DELETE_REFUSALS.get(exc.code, _DELETE_REFUSALS["holds_seats"])(), "error")
            else:
                db.session.commit()
                logout_user()
                flash(_("Your account is deleted. Thank you for the time you gave."), "info")
                return redirect(url_for("main.home"))
    return render_template("privacy/delete.html", form=form, seats=seats)


_DELETE_REFUSALS = {
    "holds_seats": lambda: _(
        "You still hold seats at hearings to come. "
        "Give them up first, so that coordinators can find someone else."
    ),
    "staff_account": lambda: _(
        "Coordinator and admin accounts are removed by an admin. Ask an admin to remove yours."
    ),
}
