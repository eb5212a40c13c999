"""The code step of signing in, and each person's two-step sign-in settings."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from scheduler.accounts import registry as accounts
from scheduler.errors import ServiceError
from scheduler.extensions import db, limiter
from scheduler.secretbox import secret_box
from scheduler.twofactor import flow
from scheduler.twofactor import secrets as twofactor
from scheduler.twofactor.forms import CodeForm, DisableForm, EnrolForm
from scheduler.twofactor.qr import qr_data_uri
from scheduler.web.forms import required
from scheduler.web.security import approved_required, public

bp = Blueprint("twofactor", __name__)


def _code_limit() -> str:
    return current_app.config["TWO_FACTOR_RATE_LIMIT"]


def _enrolment_context(user, secret: str) -> dict:
    uri = twofactor.provisioning_uri(
        secret=secret, email=user.email, issuer=current_app.config["TWO_FACTOR_ISSUER"]
    )
    return {"qr": qr_data_uri(uri), "secret": secret}


@bp.route("/auth/two-step", methods=["GET", "POST"])
@public
@limiter.limit(_code_limit, key_func=flow.pending_key, methods=["POST"])
def verify() -> str | Response:
    found = flow.pending()
    if found is None:
        flash(_("Please sign in again."), "info")
        return redirect(url_for("auth.login"))
    user, marker = found
    form = CodeForm()
    if form.validate_on_submit():
        try:
            twofactor.verify(db.session(), user=user, code=required(form.code.data), box=secret_box())
        except ServiceError:
            if flow.record_failure(user):
                flash(_("Too many wrong codes. Sign in again with your password."), "error")
                return redirect(url_for("auth.login"))
            form.code.errors = [_("That code is not right, or was already used. Try the newest code.")]
        else:
            flow.complete_login(user, remember=marker.get("remember", False))
            db.session.commit()
            left = twofactor.remaining_recovery_codes(db.session(), user)
            if left <= 2:
                flash(
                    _("You have %(count)d recovery codes left. Make new ones in your profile.", count=left),
                    "info",
                )
            return redirect(marker.get("next") or url_for("main.home"))
    return render_template("twofactor/verify.html", form=form)


@bp.route("/auth/two-step/setup", methods=["GET", "POST"])
@public
@limiter.limit(_code_limit, key_func=flow.pending_key, methods=["POST"])
def enrol_at_login() -> str | Response:
    """Staff (or everyone, if an admin says so) set up the app before their first sign-in ends."""
    found = flow.pending()
    if found is None:
        flash(_("Please sign in again."), "info")
        return redirect(url_for("auth.login"))
    user, marker = found
    if twofactor.is_enabled(db.session(), user):
        return redirect(url_for("twofactor.verify"))
    secret = twofactor.pending_secret(db.session(), user, box=secret_box()) or twofactor.start_enrolment(
        db.session(), user=user, box=secret_box()
    )
    db.session.commit()
    form = EnrolForm()
    if form.validate_on_submit():
        try:
            codes = twofactor.confirm_enrolment(
                db.session(), user=user, code=required(form.code.data), box=secret_box()
            )
        except ServiceError:
            if flow.record_failure(user):
                flash(_("Too many wrong codes. Sign in again with your password."), "error")
                return redirect(url_for("auth.login"))
            form.code.errors = [_("That code is not right. Check the phone's clock and try the newest code.")]
        else:
            flow.complete_login(user, remember=marker.get("remember", False))
            db.session.commit()
            return render_template("twofactor/codes.html", codes=codes, next=marker.get("next"))
    return render_template(
        "twofactor/enrol.html", form=form, at_login=True, **_enrolment_context(user, secret)
    )


@bp.get("/account/two-step")
@approved_required
def manage() -> str:
    enabled = twofactor.is_enabled(db.session(), current_user)
    context = {}
    if not enabled:
        secret = twofactor.pending_secret(db.session(), current_user, box=secret_box()) or (
            twofactor.start_enrolment(db.session(), user=current_user, box=secret_box())
        )
        db.session.commit()
        context = _enrolment_context(current_user, secret)
    return render_template(
        "twofactor/manage.html",
        enabled=enabled,
        required=_required(),
        remaining=twofactor.remaining_recovery_codes(db.session(), current_user) if enabled else 0,
        enrol_form=EnrolForm(),
        codes_form=CodeForm(),
        disable_form=DisableForm(),
        **context,
    )


@bp.post("/account/two-step/enable")
@approved_required
@limiter.limit(_code_limit)
def enable() -> str | Response:
    form = EnrolForm()
    if form.validate_on_submit():
        try:
            codes = twofactor.confirm_enrolment(
                db.session(), user=current_user, code=required(form.code.data), box=secret_box()
            )
        except ServiceError:
            flash(_("That code is not right. Check the phone's clock and try the newest code."), "error")
        else:
            db.session.commit()
            flash(_("Two-step sign-in is on."), "success")
            return render_template("twofactor/codes.html", codes=codes, next=url_for("twofactor.manage"))
    return redirect(url_for("twofactor.manage"))


@bp.post("/account/two-step/recovery-codes")
@approved_required
@limiter.limit(_code_limit)
def regenerate_codes() -> str | Response:
    form = CodeForm()
    if form.validate_on_submit():
        try:
            twofactor.verify(db.session(), user=current_user, code=required(form.code.data), box=secret_box())
            codes = twofactor.regenerate_recovery_codes(db.session(), user=current_user)
        except ServiceError:
            db.session.rollback()
            flash(_("That code is not right, or was already used. Try the newest code."), "error")
        else:
            db.session.commit()
            return render_template("twofactor/codes.html", codes=codes, next=url_for("twofactor.manage"))
    return redirect(url_for("twofactor.manage"))


@bp.post("/account/two-step/disable")
@approved_required
@limiter.limit(_code_limit)
def disable() -> Response:
    if _required():
        flash(_("Two-step sign-in is required for your account and cannot be turned off."), "error")
        return redirect(url_for("twofactor.manage"))
    form = DisableForm()
    if form.validate_on_submit():
        if (
            accounts.authenticate(
                db.session(), email=current_user.email, password=required(form.password.data)
            )
            is None
        ):
            flash(_("This is not your current password."), "error")
            return redirect(url_for("twofactor.manage"))
        try:
            twofactor.verify(db.session(), user=current_user, code=required(form.code.data), box=secret_box())
        except ServiceError:
            db.session.rollback()
            flash(_("That code is not right, or was already used. Try the newest code."), "error")
            return redirect(url_for("twofactor.manage"))
        twofactor.disable(db.session(), actor=current_user, user=current_user)
        db.session.commit()
        flash(_("Two-step sign-in is off."), "success")
    return redirect(url_for("twofactor.manage"))


def _required() -> bool:
    return twofactor.is_required(
        db.session(), current_user, staff_required=current_app.config["REQUIRE_2FA_FOR_STAFF"]
    )
