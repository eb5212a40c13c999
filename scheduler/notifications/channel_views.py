"""A person's channels: a mobile number proved by a code, push devices, and urgent-alert choices."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from scheduler.extensions import db, limiter, secret_box
from scheduler.notifications import preferences
from scheduler.notifications.channels import phones, push_subscriptions
from scheduler.notifications.channels.base import CHANNELS, EMAIL, PUSH, SMS
from scheduler.notifications.channels.providers import configured_channels
from scheduler.notifications.forms import ConfirmForm, PhoneCodeForm, PhoneForm, UrgentChannelsForm
from scheduler.types import utcnow
from scheduler.web.security import approved_required

bp = Blueprint("channels", __name__, url_prefix="/account/channels")

PHONE_REFUSALS = {
    "invalid": lambda: _("That is not a mobile number a text message can reach. Check the country code."),
    "no_code": lambda: _("There is no code waiting. Add your number again to get a new one."),
    "expired": lambda: _("That code has expired. Add your number again to get a new one."),
    "wrong": lambda: _("That code is not right. Check the text message and try again."),
    "too_many": lambda: _("Too many wrong codes. Add your number again to get a new one."),
}


def _back() -> Response:
    return redirect(url_for("notifications.edit_preferences") + "#channels")


def _code_message(code: str) -> tuple[str, str]:
    minutes = int(current_app.config["PHONE_CODE_MINUTES"])
    text = _(
        "Your Accompany code is %(code)s. It expires in %(minutes)d minutes. "
        "Nobody from Accompany will ask you for it.",
        code=code,
        minutes=minutes,
    )
    return _("Accompany code"), text


def _phone_limit() -> str:
    return str(current_app.config["PHONE_RATE_LIMIT"])


@bp.post("/phone")
@approved_required
@limiter.limit(_phone_limit, methods=["POST"])
def add_phone() -> Response:
    form = PhoneForm()
    if SMS not in configured_channels(current_app.config) or not form.validate_on_submit():
        flash(_("Type a mobile number."), "error")
        return _back()
    try:
        phones.start(
            db.session(),
            user=current_user,
            raw=form.number.data or "",
            region=current_app.config["PHONE_DEFAULT_REGION"],
            box=secret_box(),
            now=utcnow(),
            minutes=int(current_app.config["PHONE_CODE_MINUTES"]),
            message=_code_message,
        )
    except phones.PhoneError as exc:
        flash(PHONE_REFUSALS[exc.reason](), "error")
        return _back()
    db.session.commit()
    flash(_("We sent a code by text message. Type it below to confirm the number."), "success")
    return _back()


@bp.post("/phone/verify")
@approved_required
def verify_phone() -> Response:
    form = PhoneCodeForm()
    if not form.validate_on_submit():
        flash(_("Type the six digits from the text message."), "error")
        return _back()
    try:
        phones.confirm(
            db.session(),
            user=current_user,
            code=form.code.data or "",
            now=utcnow(),
            max_attempts=int(current_app.config["PHONE_CODE_ATTEMPTS"]),
        )
    except phones.PhoneError as exc:
        db.session.commit()  # a wrong code counts, whatever happens next
        flash(PHONE_REFUSALS[exc.reason](), "error")
        return _back()
    db.session.commit()
    flash(_("Your number is confirmed."), "success")
    return _back()


@bp.post("/phone/remove")
@approved_required
def remove_phone() -> Response:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    phones.remove(db.session(), user=current_user)
    db.session.commit()
    flash(_("Your number is removed."), "success")
    return _back()


@bp.post("/urgent")
@approved_required
def save_urgent_channels() -> Response:
    form = UrgentChannelsForm()
    if not form.validate_on_submit():
        abort(400)
    chosen = [c for c in CHANNELS if form[f"urgent_{c}"].data]
    preferences.save_urgent_channels(db.session(), user=current_user, channels=chosen, known=CHANNELS)
    db.session.commit()
    flash(_("Your choices for urgent alerts are saved."), "success")
    return _back()


@bp.post("/kinds")
@approved_required
def save_kind_channels() -> Response:
    """Other messages also by SMS, Signal or push: one checkbox group per kind of message."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    chosen = {kind: request.form.getlist(f"kind_{kind}") for kind in preferences.CHANNEL_KINDS}
    extra = [c for c in CHANNELS if c != EMAIL]
    preferences.save_kind_channels(db.session(), user=current_user, chosen=chosen, known=extra)
    db.session.commit()
    flash(_("Your notification choices are saved."), "success")
    return _back()


def _subscription() -> tuple[str, str, str]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("keys", {}), dict):
        abort(400)
    keys = data.get("keys") or {}
    values = (data.get("endpoint"), keys.get("p256dh", ""), keys.get("auth", ""))
    if not all(isinstance(v, str) for v in values):
        abort(400)
    return values  # type: ignore[return-value]


@bp.post("/push/subscribe")
@approved_required
def subscribe_push() -> tuple[str, int]:
    if PUSH not in configured_channels(current_app.config):
        abort(409)  # this installation has no VAPID keys: nothing could be pushed
    endpoint, p256dh, auth = _subscription()
    try:
        push_subscriptions.subscribe(
            db.session(), user=current_user, endpoint=endpoint, p256dh=p256dh, auth=auth, now=utcnow()
        )
    except push_subscriptions.BadSubscription:
        abort(400)
    db.session.commit()
    return "", 204


@bp.post("/push/unsubscribe")
@approved_required
def unsubscribe_push() -> tuple[str, int]:
    endpoint, _keys, _auth = _subscription()
    if not endpoint:
        abort(400)
    push_subscriptions.unsubscribe(db.session(), user=current_user, endpoint=endpoint)
    db.session.commit()
    return "", 204
