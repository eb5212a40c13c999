"""Server-side sessions: every sign-in gets a row; sign-out and the idle timeout revoke it.

The idle timeout is measured on the server (``user_sessions.last_seen_at``, written at most
once a minute), so a copy of the cookie cannot be kept alive or brought back: once the row is
revoked, by sign-out, idle timeout, password change, "sign out everywhere" or an admin's
lock-down, every copy of the session and remember-me cookie is refused.

Decision (docs/security.md): staff (coordinators, admins) never get a "keep me signed in"
cookie, and a staff session restored from such a cookie is refused, so nothing outlives their
one-hour idle window. Volunteers' remember-me cookies last at most their idle window (3 days).
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, current_app, flash, g, request, session
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user, user_loaded_from_cookie, user_logged_out

from scheduler.accounts import sessions
from scheduler.accounts.sessions import idle_timeout_minutes, is_idle
from scheduler.enums import Role
from scheduler.extensions import db
from scheduler.models import User
from scheduler.types import utcnow
from scheduler.web.problems import API_PREFIX

STAFF_ROLES = (Role.COORDINATOR, Role.ADMIN)
# Endpoints that must never read or write the session (calendar apps fetch feeds without one).
# Only the token feed itself: the feed settings pages are signed-in pages like any other.
_SKIPPED_ENDPOINTS = ("static", "main.healthz", "feeds.show_feed")


def sign_in(user: User, *, remember: bool = False) -> None:
    """Start a session row and sign in with its id; every sign-in goes through here (caller commits)."""
    session_id = sessions.start(db.session(), user=user, now=utcnow())
    login_user(user, remember=remember)
    # Flask-Login put "<id>.<version>" there; the remember-me cookie copies this value.
    session["_user_id"] = session_id


def _skipped() -> bool:
    # The API authenticates by bearer token alone: a session cookie sent along is not read.
    return (request.endpoint or "") in _SKIPPED_ENDPOINTS or request.path.startswith(API_PREFIX)


def enforce_idle_timeout() -> None:
    if _skipped() or not current_user.is_authenticated:
        return
    config = current_app.config
    if current_user.role in STAFF_ROLES and g.get("restored_from_cookie"):
        # Restored from a remember-me cookie: staff must sign in (and pass 2FA) again.
        _sign_out(_("For your safety, coordinators sign in again on each visit."))
        return
    record = g.get("user_session")
    if record is None:
        return
    timeout = idle_timeout_minutes(
        current_user,
        coordinator_minutes=config["IDLE_TIMEOUT_COORDINATOR_MINUTES"],
        volunteer_minutes=config["IDLE_TIMEOUT_VOLUNTEER_MINUTES"],
    )
    now = utcnow()
    if is_idle(last_seen=record.last_seen_at.timestamp(), now=now.timestamp(), timeout_minutes=timeout):
        _sign_out(_("You were signed out after a while without activity. Please sign in again."))
        return
    if sessions.touch(record, now=now):
        db.session.commit()


def _sign_out(message: str) -> None:
    logout_user()
    flash(message, "info")


def _end_this_session(_sender: Flask, **_extra: object) -> None:
    """Any sign-out (the button, the idle timeout, deleting the account) revokes the row."""
    g.pop("user_session", None)
    row_id = g.pop("user_session_id", None)
    if row_id is None:
        return
    # Committed here: a sign-out is its own small transaction, and whatever the view did
    # before calling logout_user() is already committed (deleting an account removes the row).
    sessions.revoke(db.session(), session_row_id=row_id, now=utcnow())
    db.session.commit()


def remember_allowed(user: User) -> bool:
    """Remember-me is for volunteers only (see the module docstring)."""
    return user.role not in STAFF_ROLES


def _note_cookie_restore(_sender: Flask, **_extra: object) -> None:
    g.restored_from_cookie = True


def init_session_guard(app: Flask) -> None:
    # A remember-me cookie never outlives the volunteers' idle window.
    limit = timedelta(minutes=app.config["IDLE_TIMEOUT_VOLUNTEER_MINUTES"])
    configured = app.config.get("REMEMBER_COOKIE_DURATION") or limit
    if not isinstance(configured, timedelta):
        configured = timedelta(seconds=configured)
    app.config["REMEMBER_COOKIE_DURATION"] = min(configured, limit)
    user_loaded_from_cookie.connect(_note_cookie_restore, app)
    user_logged_out.connect(_end_this_session, app)
    app.before_request(enforce_idle_timeout)
