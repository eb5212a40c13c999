"""Admins: read the audit log, require two-step sign-in for everyone, lock an account down,
and deal with mail that failed for good."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3, not in its stubs yet

from scheduler import events
from scheduler.accounts import registry as accounts
from scheduler.accounts import sessions
from scheduler.errors import ServiceError
from scheduler.extensions import db
from scheduler.models import AuditEvent, User
from scheduler.notifications import failed as failed_mail
from scheduler.privacy import audit_log
from scheduler.privacy.admin_forms import AuditFilterForm, ConfirmForm, SecuritySettingsForm
from scheduler.twofactor import secrets as twofactor
from scheduler.types import utcnow
from scheduler.web.security import admin_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/audit")
@admin_required
def audit_log_page() -> str:
    form = AuditFilterForm(request.args)
    actions = audit_log.known_values(db.session(), AuditEvent.action)
    form.action.choices = [SelectChoice("", _("Any"))] + [SelectChoice(a, a) for a in actions]
    form.object_type.choices = [SelectChoice("", _("Any"))] + [
        SelectChoice(t, t) for t in audit_log.known_values(db.session(), AuditEvent.object_type)
    ]
    valid = form.validate()
    filters = form.filters() if valid else audit_log.AuditFilter()
    page = audit_log.page_of(
        db.session(),
        filters,
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["PAGE_SIZE"],
    )
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("privacy/log.html", form=form, page=page, args=args, valid=valid)


@bp.route("/security", methods=["GET", "POST"])
@admin_required
def security_settings() -> str | Response:
    form = SecuritySettingsForm()
    if form.validate_on_submit():
        twofactor.set_setting(
            db.session(),
            actor=current_user,
            key=twofactor.REQUIRE_ALL_SETTING,
            value=bool(form.require_all.data),
        )
        db.session.commit()
        flash(_("The security settings are saved."), "success")
        return redirect(url_for("admin.security_settings"))
    if request.method == "GET":
        form.require_all.data = bool(
            twofactor.get_setting(db.session(), twofactor.REQUIRE_ALL_SETTING, False)
        )
    return render_template(
        "privacy/security.html", form=form, staff_required=current_app.config["REQUIRE_2FA_FOR_STAFF"]
    )


@bp.route("/people/<int:user_id>/lockdown", methods=["GET", "POST"])
@admin_required
def lock_down(user_id: int) -> str | Response:
    person = db.get_or_404(User, user_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            revoked = sessions.lock_down(db.session(), actor=current_user, user=person)
        except ServiceError:
            flash(_("You cannot lock down your own account."), "error")
            return redirect(url_for("people.show_person", user_id=person.id))
        _send_lockdown_mail(person)
        db.session.commit()
        flash(
            _(
                "%(name)s is signed out everywhere, %(feeds)d calendar feeds are off, and the password "
                "must be reset by email before the next sign-in.",
                name=person.display_name,
                feeds=revoked,
            ),
            "success",
        )
        return redirect(url_for("people.show_person", user_id=person.id))
    return render_template("privacy/lockdown.html", person=person, form=form)


@bp.post("/people/<int:user_id>/two-step/reset")
@admin_required
def reset_two_factor(user_id: int) -> Response:
    """For someone who lost both phone and recovery codes: they set it up again at next sign-in."""
    person = db.get_or_404(User, user_id)
    if person.id == current_user.id or not ConfirmForm().validate_on_submit():
        abort(400)
    twofactor.disable(db.session(), actor=current_user, user=person)
    db.session.commit()
    flash(_("%(name)s's two-step sign-in is reset.", name=person.display_name), "success")
    return redirect(url_for("people.show_person", user_id=person.id))


@bp.get("/mail/failed")
@admin_required
def failed_mail_page() -> str:
    """Messages the worker gave up on: why, for whom, and a retry or discard for each."""
    page = db.paginate(failed_mail.failed_query(), per_page=current_app.config["PAGE_SIZE"], error_out=False)
    people = failed_mail.recipients(db.session(), list(page.items))
    reasons = {row.id: failed_mail.reason(row.last_error) for row in page.items}
    return render_template(
        "privacy/failed_mail.html", page=page, people=people, reasons=reasons, form=ConfirmForm()
    )


@bp.post("/mail/<int:message_id>/retry")
@admin_required
def retry_mail(message_id: int) -> Response:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if failed_mail.retry(db.session(), actor=current_user, message_id=message_id, now=utcnow()):
        db.session.commit()
        flash(_("Message %(id)d is queued again.", id=message_id), "success")
    else:
        flash(_("Message %(id)d is no longer waiting for a decision.", id=message_id), "info")
    return redirect(url_for("admin.failed_mail_page"))


@bp.post("/mail/<int:message_id>/discard")
@admin_required
def discard_mail(message_id: int) -> Response:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if failed_mail.discard(db.session(), actor=current_user, message_id=message_id):
        db.session.commit()
        flash(_("Message %(id)d is discarded; it will not be sent.", id=message_id), "success")
    else:
        flash(_("Message %(id)d is no longer waiting for a decision.", id=message_id), "info")
    return redirect(url_for("admin.failed_mail_page"))


def _send_lockdown_mail(person: User) -> None:
    """Record a reset link for the owner, so they can take the account back (the worker mails it)."""
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE_MINUTES"]
    found = accounts.create_reset_token(db.session(), email=person.email, max_age=timedelta(minutes=minutes))
    if found is None:
        return
    _, token = found
    events.record(
        db.session(), events.PasswordResetRequested(user_id=person.id, token=token, minutes=minutes)
    )
