"""What happens after a correct password: sign in, or ask for the second factor first (web side).

Between the two steps the person is "half signed in": the session holds only a marker
(user id, session version, expiry), never Flask-Login's user id, so no page but the code page
opens until the code is right. Wrong codes are counted on the server, per account
(``TwoFactorSecret.failed_attempts``): a copy of an older cookie brings no fresh tries.

It reads and writes Flask's session, flashes and redirects, so it lives with the web parts; the
rules it applies are in the twofactor services (``scheduler/twofactor/secrets.py``).
"""

from __future__ import annotations

import time
from typing import Any

from flask import current_app, flash, redirect, session, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from scheduler.extensions import db
from scheduler.models import User
from scheduler.twofactor import secrets as twofactor
from scheduler.web.security import safe_next
from scheduler.web.session_guard import remember_allowed, sign_in

PENDING_KEY = "two_step"
MAX_FAILURES = 5


def finish_password_step(user: User, *, remember: bool, next_url: str | None) -> Response:
    """Called by the login view once the password is right; commits and redirects."""
    remember = bool(remember) and remember_allowed(user)
    if user.must_reset_password:
        db.session.commit()
        flash(
            _(
                "An administrator has locked this account to protect it. We have emailed you a link "
                "to choose a new password; you can also ask for a new link below."
            ),
            "error",
        )
        return redirect(url_for("auth.forgot_password"))
    required = twofactor.is_required(
        db.session(), user, staff_required=current_app.config["REQUIRE_2FA_FOR_STAFF"]
    )
    enabled = twofactor.is_enabled(db.session(), user)
    if not required and not enabled:
        complete_login(user, remember=remember)
        db.session.commit()
        return redirect(safe_next(next_url))
    session.pop("_user_id", None)
    session[PENDING_KEY] = {
        "uid": user.id,
        "v": user.session_version,
        "exp": int(time.time()) + 60 * current_app.config["TWO_FACTOR_PENDING_MINUTES"],
        "remember": remember,
        "next": safe_next(next_url),
    }
    twofactor.reset_failures(db.session(), user=user)
    db.session.commit()
    return redirect(url_for("twofactor.verify" if enabled else "twofactor.enrol_at_login"))


def complete_login(user: User, *, remember: bool) -> None:
    session.pop(PENDING_KEY, None)
    sign_in(user, remember=remember)


def pending() -> tuple[User, dict[str, Any]] | None:
    """The half-signed-in person and their marker, if the marker is current."""
    marker = session.get(PENDING_KEY)
    if not isinstance(marker, dict):
        return None
    try:
        if int(marker["exp"]) < time.time():
            session.pop(PENDING_KEY, None)
            return None
        user = db.session.get(User, int(marker["uid"]))
    except (KeyError, TypeError, ValueError):
        session.pop(PENDING_KEY, None)
        return None
    if (
        user is None
        or user.session_version != marker.get("v")
        or user.must_reset_password
        or twofactor.failed_attempts(db.session(), user) >= MAX_FAILURES
    ):
        session.pop(PENDING_KEY, None)
        return None
    return user, marker


def record_failure(user: User) -> bool:
    """Count a wrong code for the account and commit; True when the password step comes first again."""
    failures = twofactor.record_failure(db.session(), user=user)
    db.session.commit()
    if failures >= MAX_FAILURES:
        session.pop(PENDING_KEY, None)
        return True
    return False


def pending_key() -> str:
    """Rate-limit key: per half-signed-in account, whatever address the tries come from."""
    marker = session.get(PENDING_KEY)
    uid = marker.get("uid") if isinstance(marker, dict) else None
    return f"two-step:{uid}"
