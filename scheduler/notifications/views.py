"""Notification preferences, one-click unsubscribe, and emailed invitation answers (no login)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from scheduler.extensions import csrf, db, secret_box
from scheduler.matching.invitations import respond_to_invitation
from scheduler.models import Invitation, InvitationStatus, User
from scheduler.notifications import preferences
from scheduler.notifications.channels.base import CHANNELS
from scheduler.notifications.channels.providers import configured_channels
from scheduler.notifications.channels.status import channel_status
from scheduler.notifications.forms import (
    ConfirmForm,
    PhoneCodeForm,
    PhoneForm,
    PreferencesForm,
    UrgentChannelsForm,
)
from scheduler.notifications.links import INVITATION_SALT, UNSUBSCRIBE_SALT, LinkExpired, LinkInvalid, unsign
from scheduler.shifts.facts import rules_from_config
from scheduler.shifts.messages import refusal_texts
from scheduler.types import utcnow
from scheduler.web.security import approved_required, public

bp = Blueprint("notifications", __name__)

KIND_NAMES = {
    "reminder": _l("Reminders before a seat"),
    "invitation": _l("Invitations to open seats"),
    "late_drop": _l("Alerts about late drops"),
    "digest": _l("The daily list of open seats"),
}


def _preferences_form(current: preferences.Prefs) -> PreferencesForm:
    return PreferencesForm(
        data={
            "reminder_24": 24 in current.reminder_hours,
            "reminder_2": 2 in current.reminder_hours,
            "invitations": current.invitations,
            "late_drops": current.late_drops,
            "digest": current.digest,
        }
    )


@bp.route("/account/notifications", methods=["GET", "POST"])
@approved_required
def edit_preferences() -> str | Response:
    current = preferences.prefs_for(
        db.session(), current_user.id, default_hours=current_app.config["REMINDER_HOURS"]
    )
    form = _preferences_form(current)
    if form.validate_on_submit():
        hours = [h for h, on in ((24, form.reminder_24.data), (2, form.reminder_2.data)) if on]
        preferences.save(
            db.session(),
            user=current_user,
            reminder_hours=hours,
            invitations=form.invitations.data,
            late_drops=form.late_drops.data,
            digest=form.digest.data,
        )
        db.session.commit()
        flash(_("Your notification choices are saved."), "success")
        return redirect(url_for("notifications.edit_preferences"))
    return render_template("notifications/preferences.html", form=form, **_channel_context(current))


def _channel_context(current: preferences.Prefs) -> dict[str, Any]:
    """The channels part of the preferences page: what is set up, and its forms."""
    chosen = CHANNELS if current.urgent_channels is None else current.urgent_channels
    return {
        "configured": configured_channels(current_app.config),
        "status": channel_status(db.session(), current_user.id, box=secret_box(), now=utcnow()),
        "urgent_form": UrgentChannelsForm(data={f"urgent_{c}": c in chosen for c in CHANNELS}),
        "phone_form": PhoneForm(),
        "code_form": PhoneCodeForm(),
        "remove_form": ConfirmForm(),
        "kind_channels": current.kind_channels or {},
        "channel_kinds": preferences.CHANNEL_KINDS,
        "vapid_public_key": current_app.config.get("VAPID_PUBLIC_KEY", ""),
    }


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
    preferences.turn_off(db.session(), user=user, kind=kind)
    db.session.commit()
    return render_template(
        "notifications/unsubscribe.html", kind_name=str(KIND_NAMES[kind]), form=None, done=True
    )


# Emailed invitation links -------------------------------------------------------------------


def _link_refused(reason: str, explanation: str, status: int) -> tuple[str, int]:
    return render_template("notifications/link_invalid.html", reason=reason, explanation=explanation), status


def _open_invitation(token: str) -> tuple[Any, tuple[str, int] | None]:
    """The invitation a link answers, or the page that says clearly why the link is refused."""
    max_age = int(current_app.config["INVITATION_LINK_MAX_AGE_DAYS"]) * 24 * 3600
    expired = (
        _("Expired"),
        _("This invitation has expired. The seat may still be open: sign in to see it."),
        410,
    )
    try:
        payload = unsign(INVITATION_SALT, token, max_age=max_age)
    except LinkExpired:
        return None, _link_refused(*expired)
    except LinkInvalid:
        payload = None
    valid = (
        isinstance(payload, dict)
        and isinstance(payload.get("i"), int)
        and payload.get("a") in ("accept", "decline")
    )
    invitation = db.session.get(Invitation, payload["i"]) if valid else None
    if invitation is None:
        return None, _link_refused(
            _("Not valid"),
            _("This link is incomplete or was changed. Copy the whole link from the message."),
            404,
        )
    if invitation.status != InvitationStatus.PENDING or invitation.nonce != payload.get("n"):
        if invitation.status == InvitationStatus.EXPIRED:
            return None, _link_refused(*expired)
        if invitation.status == InvitationStatus.CANCELLED:
            return None, _link_refused(
                _("Withdrawn"),
                _(
                    "The coordinator withdrew this invitation, usually because the seat is filled. "
                    "Thank you anyway."
                ),
                410,
            )
        return None, _link_refused(
            _("Already used"), _("This invitation has already been answered. Each link works once."), 410
        )
    if invitation.expires_at <= utcnow():
        return None, _link_refused(*expired)
    return invitation, None


@bp.get("/invitations/respond/<token>")
@public
def respond_invitation(token: str) -> str | tuple[str, int]:
    """A confirm page: mail scanners open links, so only the button below answers."""
    invitation, refused = _open_invitation(token)
    if refused is not None:
        return refused
    accept = unsign(INVITATION_SALT, token)["a"] == "accept"
    return render_template(
        "notifications/invitation.html", invitation=invitation, accept=accept, form=ConfirmForm(), answer=None
    )


def _answer(invitation: Any, *, accept: bool) -> tuple[str, list[str]]:
    """The invitation answered by its own person (by the claim's rules): outcome and refusals."""
    answer = respond_to_invitation(
        db.session(),
        invitation=invitation,
        user=invitation.user,
        accept=accept,
        now=utcnow(),
        rules=rules_from_config(current_app.config),
    )
    return answer.outcome, refusal_texts(answer.refusals) if answer.outcome == "refused" else []


@bp.post("/invitations/respond/<token>")
@public
def apply_invitation_response(token: str) -> str | tuple[str, int]:
    invitation, refused = _open_invitation(token)
    if refused is not None:
        return refused
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _link_refused(_("Not sent"), _("The form expired. Open the link from the message again."), 400)
    accept = unsign(INVITATION_SALT, token)["a"] == "accept"
    outcome, reasons = _answer(invitation, accept=accept)
    db.session.commit()
    return render_template(
        "notifications/invitation.html",
        invitation=invitation,
        accept=accept,
        form=None,
        answer=outcome,
        reasons=reasons,
    )
