"""The code step of signing in, and each person's two-step sign-in settings."""

from __future__ import annotations

import contextlib

from flask import Blueprint, current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from scheduler.accounts import registry as accounts
from scheduler.errors import ServiceError
from scheduler.extensions import db, limiter, secret_box
from scheduler.secretbox import SecretUnreadable
from scheduler.twofactor import secrets as twofactor
from scheduler.twofactor.forms import CodeForm, DisableForm, EnrolForm
from scheduler.twofactor.qr import qr_data_uri
from scheduler.web import two_step as flow
from scheduler.web.forms import required
from scheduler.web.security import approved_required, public

bp = Blueprint("twofactor", __name__)

# The secret being set up, between showing its QR code (a GET) and the first code (a POST).
ENROL_KEY = "two_step_enrol"


def _code_limit() -> str:
    return current_app.config["TWO_FACTOR_RATE_LIMIT"]


def _enrolment_secret(user) -> str:
    """The secret the set-up page shows, the same on every visit until a code confirms it.

    One already pending in the database (stored by an earlier code attempt) wins. Otherwise it
    is held in the signed session cookie, encrypted with the secret box, so that showing the
    page writes nothing to the database (a GET changes no state).
    """
    box = secret_box()
    stored = twofactor.pending_secret(db.session(), user, box=box)
    if stored is not None:
        return stored
    held = session.get(ENROL_KEY)
    if isinstance(held, dict) and held.get("uid") == user.id and isinstance(held.get("secret"), str):
        with contextlib.suppress(SecretUnreadable):
            return box.decrypt(held["secret"])
    secret = twofactor.new_secret()
    session[ENROL_KEY] = {"uid": user.id, "secret": box.encrypt(secret)}
    return secret


def _store_pending(user) -> None:
    """Before a code is checked, the secret the page showed becomes the pending row (failures count there)."""
    if twofactor.pending_secret(db.session(), user, box=secret_box()) is None:
        twofactor.start_enrolment(db.session(), user=user, box=secret_box(), secret=_enrolment_secret(user))


def _enrolment_context(user, secret: str) -> dict:
    uri = twofactor.provisioning_uri(
        secret=secret, email=user.email, issuer=current_app.config["TWO_FACTOR_ISSUER"]
    )
    return {"qr": qr_data_uri(uri), "secret": secret}


def _sign_in_again() -> Response:
    flash(_("Please sign in again."), "info")
    return redirect(url_for("auth.login"))


def _wrong_code(user, form: CodeForm | EnrolForm, message: str) -> Response | None:
    """Count a wrong code; after too many, the password step starts over (a redirect)."""
    if flow.record_failure(user):
        flash(_("Too many wrong codes. Sign in again with your password."), "error")
        return redirect(url_for("auth.login"))
    form.code.errors = [message]
    return None


def _signed_in(user, marker: dict) -> Response:
    """The code was right: finish signing in, warn when recovery codes run low, go on."""
    flow.complete_login(user, remember=marker.get("remember", False))
    db.session.commit()
    left = twofactor.remaining_recovery_codes(db.session(), user)
    if left <= 2:
        flash(_("You have %(count)d recovery codes left. Make new ones in your profile.", count=left), "info")
    return redirect(marker.get("next") or url_for("main.home"))


@bp.route("/auth/two-step", methods=["GET", "POST"])
@public
@limiter.limit(_code_limit, key_func=flow.pending_key, methods=["POST"])
def verify() -> str | Response:
    found = flow.pending()
    if found is None:
        return _sign_in_again()
    user, marker = found
    form = CodeForm()
    if form.validate_on_submit():
        try:
            twofactor.verify(db.session(), user=user, code=required(form.code.data), box=secret_box())
        except ServiceError:
            message = _("That code is not right, or was already used. Try the newest code.")
            if (restart := _wrong_code(user, form, message)) is not None:
                return restart
        else:
            return _signed_in(user, marker)
    return render_template("twofactor/verify.html", form=form)


@bp.route("/auth/two-step/setup", methods=["GET", "POST"])
@public
@limiter.limit(_code_limit, key_func=flow.pending_key, methods=["POST"])
def enrol_at_login() -> str | Response:
    """Staff (or everyone, if an admin says so) set up the app before their first sign-in ends."""
    found = flow.pending()
    if found is None:
        return _sign_in_again()
    user, marker = found
    if twofactor.is_enabled(db.session(), user):
        return redirect(url_for("twofactor.verify"))
    secret = _enrolment_secret(user)
    form = EnrolForm()
    if form.validate_on_submit() and (done := _confirm_at_login(user, marker, form)) is not None:
        return done
    return render_template(
        "twofactor/enrol.html", form=form, at_login=True, **_enrolment_context(user, secret)
    )


def _confirm_at_login(user, marker: dict, form: EnrolForm) -> str | Response | None:
    """Check the first code: the recovery codes page and a finished sign-in, a restart, or None."""
    _store_pending(user)
    try:
        codes = twofactor.confirm_enrolment(
            db.session(), user=user, code=required(form.code.data), box=secret_box()
        )
    except ServiceError:
        message = _("That code is not right. Check the phone's clock and try the newest code.")
        return _wrong_code(user, form, message)
    session.pop(ENROL_KEY, None)
    flow.complete_login(user, remember=marker.get("remember", False))
    db.session.commit()
    return render_template("twofactor/codes.html", codes=codes, next=marker.get("next"))


@bp.get("/account/two-step")
@approved_required
def manage() -> str:
    enabled = twofactor.is_enabled(db.session(), current_user)
    context = {}
    if not enabled:
        context = _enrolment_context(current_user, _enrolment_secret(current_user))
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
        if not twofactor.is_enabled(db.session(), current_user):
            _store_pending(current_user)
        try:
            codes = twofactor.confirm_enrolment(
                db.session(), user=current_user, code=required(form.code.data), box=secret_box()
            )
        except ServiceError:
            flash(_("That code is not right. Check the phone's clock and try the newest code."), "error")
        else:
            session.pop(ENROL_KEY, None)
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
