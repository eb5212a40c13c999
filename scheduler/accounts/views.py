"""Log in and out, register, and reset a forgotten password."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user
from werkzeug.wrappers import Response

from scheduler import events
from scheduler.accounts import registry as accounts
from scheduler.accounts.forms import ForgotPasswordForm, LoginForm, RegisterForm, ResetPasswordForm
from scheduler.accounts.messages import password_messages
from scheduler.accounts.registry import PasswordRejected
from scheduler.extensions import db, limiter
from scheduler.web.forms import required
from scheduler.web.security import public
from scheduler.web.two_step import finish_password_step

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _login_email_limit() -> str:
    return current_app.config["LOGIN_EMAIL_RATE_LIMIT"]


def _submitted_email() -> str:
    """Key for the per-account limit: many addresses guessing one account's password share it."""
    return "login-email:" + request.form.get("email", "").strip().lower()[:254]


def _reset_limit() -> str:
    return current_app.config["RESET_RATE_LIMIT"]


def _only_posts() -> bool:
    return request.method != "POST"


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, exempt_when=_only_posts)
@limiter.limit(_login_email_limit, key_func=_submitted_email, exempt_when=_only_posts)
def login() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = accounts.authenticate(
            db.session(), email=required(form.email.data), password=required(form.password.data)
        )
        if user is not None:
            # Signs in, or first asks for the second factor (scheduler/web/two_step.py).
            return finish_password_step(user, remember=form.remember.data, next_url=form.next.data)
        # One message for every failure: it must not tell which addresses have accounts.
        flash(_("That email and password do not match an account."), "error")
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
@login_required
def logout() -> Response:
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/register", methods=["GET", "POST"])
@public
@limiter.limit(_reset_limit, exempt_when=_only_posts)
def register() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = accounts.register_volunteer(
                db.session(),
                email=required(form.email.data),
                display_name=required(form.display_name.data),
                password=required(form.password.data),
                phone=form.phone.data,
                locale=_current_locale(),
                min_length=current_app.config["PASSWORD_MIN_LENGTH"],
            )
        except PasswordRejected as exc:
            form.password.errors = password_messages(exc.problems)
        else:
            if user is None:
                _send_already_registered(required(form.email.data))
            db.session.commit()
            return redirect(url_for("auth.registered"))
    return render_template("accounts/register.html", form=form)


@bp.get("/registered")
@public
def registered() -> str:
    return render_template("accounts/registered.html")


@bp.route("/forgot", methods=["GET", "POST"])
@public
@limiter.limit(_reset_limit, exempt_when=_only_posts)
def forgot_password() -> str | Response:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        max_age = timedelta(minutes=current_app.config["PASSWORD_RESET_MAX_AGE_MINUTES"])
        found = accounts.create_reset_token(db.session(), email=required(form.email.data), max_age=max_age)
        if found is not None:
            user, token = found
            _send_reset(user.id, token)
        db.session.commit()
        flash(
            _("If an account uses that address, we have sent it a link to choose a new password."),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("accounts/forgot.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@public
@limiter.limit(_reset_limit, exempt_when=_only_posts)
def reset_password(token: str) -> str | Response | tuple[str, int]:
    if accounts.find_reset_token(db.session(), token) is None:
        return render_template("accounts/reset_invalid.html"), 404
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.reset_password(
                db.session(),
                token=token,
                new_password=required(form.password.data),
                min_length=current_app.config["PASSWORD_MIN_LENGTH"],
            )
        except PasswordRejected as exc:
            form.password.errors = password_messages(exc.problems)
        else:
            db.session.commit()
            logout_user()
            flash(_("Your password is changed. Sign in with the new one."), "info")
            return redirect(url_for("auth.login"))
    return render_template("accounts/reset.html", form=form)


def _current_locale() -> str:
    return str(get_locale() or "en")


def _send_reset(user_id: int, token: str) -> None:
    """Record the reset mail, in the transaction that made the token (the worker sends it)."""
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE_MINUTES"]
    events.record(db.session(), events.PasswordResetRequested(user_id=user_id, token=token, minutes=minutes))


def _send_already_registered(email: str) -> None:
    user = accounts.find_user_by_email(db.session(), email)
    if user is None:
        return
    events.record(db.session(), events.AlreadyRegistered(user_id=user.id))
