"""Notification preferences, and the one-click unsubscribe link that needs no login."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from scheduler.extensions import csrf, db
from scheduler.models import User
from scheduler.notifications import preferences
from scheduler.notifications.forms import ConfirmForm, PreferencesForm
from scheduler.notifications.links import UNSUBSCRIBE_SALT, LinkExpired, LinkInvalid, unsign
from scheduler.security import approved_required, public

bp = Blueprint("notifications", __name__)

KIND_NAMES = {
    "reminder": _l("Reminders before a seat"),
    "invitation": _l("Invitations to open seats"),
    "late_drop": _l("Alerts about late drops"),
    "digest": _l("The daily list of open seats"),
}


@bp.route("/account/notifications", methods=["GET", "POST"])
@approved_required
def edit_preferences() -> str | Response:
    current = preferences.prefs_for(
        db.session, current_user.id, default_hours=current_app.config["REMINDER_HOURS"]
    )
    form = PreferencesForm(
        data={
            "reminder_24": 24 in current.reminder_hours,
            "reminder_2": 2 in current.reminder_hours,
            "invitations": current.invitations,
            "late_drops": current.late_drops,
            "digest": current.digest,
        }
    )
    if form.validate_on_submit():
        hours = [h for h, on in ((24, form.reminder_24.data), (2, form.reminder_2.data)) if on]
        preferences.save(
            db.session,
            user=current_user,
            reminder_hours=hours,
            invitations=form.invitations.data,
            late_drops=form.late_drops.data,
            digest=form.digest.data,
        )
        db.session.commit()
        flash(_("Your notification choices are saved."), "success")
        return redirect(url_for("notifications.edit_preferences"))
    return render_template("notifications/preferences.html", form=form)


def _unsubscribe_target(token: str) -> tuple[User, str] | None:
    try:
        payload = unsign(UNSUBSCRIBE_SALT, token)
    except (LinkExpired, LinkInvalid):
        return None
    if not isinstance(payload, dict) or payload.get("k") not in preferences.OPTIONAL_KINDS:
        return None
    user = db.session.get(User, payload.get("u")) if isinstance(payload.get("u"), int) else None
    return (user, payload["k"]) if user is not None else None


@bp.get("/notifications/unsubscribe/<token>")
@public
def unsubscribe(token: str) -> str | tuple[str, int]:
    """A confirm page: a GET must change nothing, since mail scanners open every link."""
    target = _unsubscribe_target(token)
    if target is None:
        return render_template("notifications/link_invalid.html"), 404
    return render_template(
        "notifications/unsubscribe.html", kind_name=str(KIND_NAMES[target[1]]), form=ConfirmForm(), done=False
    )


@bp.post("/notifications/unsubscribe/<token>")
@public
@csrf.exempt  # RFC 8058 one-click POSTs come from mail clients; the signed token is the proof.
def apply_unsubscribe(token: str) -> str | tuple[str, int]:
    target = _unsubscribe_target(token)
    if target is None:
        return render_template("notifications/link_invalid.html"), 404
    user, kind = target
    preferences.turn_off(db.session, user=user, kind=kind)
    db.session.commit()
    return render_template(
        "notifications/unsubscribe.html", kind_name=str(KIND_NAMES[kind]), form=None, done=True
    )
