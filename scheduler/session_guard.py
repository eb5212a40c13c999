"""Idle timeout for signed-in sessions, checked before every request.

Decision (docs/security.md): staff (coordinators, admins) never get a "keep me signed in"
cookie, and a staff session restored from such a cookie is refused, so nothing outlives their
one-hour idle window. Volunteers' remember-me cookies last at most their idle window (3 days).
"""

from __future__ import annotations

import time
from datetime import timedelta

from flask import Flask, current_app, flash, g, request, session
from flask_babel import gettext as _
from flask_login import current_user, logout_user, user_loaded_from_cookie

from scheduler.enums import Role
from scheduler.models import User
from scheduler.services.sessions import idle_timeout_minutes, is_idle

SEEN_KEY = "seen"
STAFF_ROLES = (Role.COORDINATOR, Role.ADMIN)
# Write the timestamp at most once a minute, so most requests leave the cookie alone.
_TOUCH_SECONDS = 60
# Endpoints that must never read or write the session (calendar apps fetch feeds without one).
# Only the token feed itself: the feed settings pages are signed-in pages like any other.
_SKIPPED_ENDPOINTS = ("static", "main.healthz", "feeds.show_feed")


def _skipped() -> bool:
    return (request.endpoint or "") in _SKIPPED_ENDPOINTS


def enforce_idle_timeout() -> None:
    if _skipped() or not current_user.is_authenticated:
        return
    config = current_app.config
    if current_user.role in STAFF_ROLES and g.get("restored_from_cookie"):
        # Restored from a remember-me cookie: staff must sign in (and pass 2FA) again.
        _sign_out(_("For your safety, coordinators sign in again on each visit."))
        return
    timeout = idle_timeout_minutes(
        current_user,
        coordinator_minutes=config["IDLE_TIMEOUT_COORDINATOR_MINUTES"],
        volunteer_minutes=config["IDLE_TIMEOUT_VOLUNTEER_MINUTES"],
    )
    now = time.time()
    last_seen = session.get(SEEN_KEY)
    if isinstance(last_seen, int | float) and is_idle(last_seen=last_seen, now=now, timeout_minutes=timeout):
        _sign_out(_("You were signed out after a while without activity. Please sign in again."))
        return
    if not isinstance(last_seen, int | float) or now - last_seen >= _TOUCH_SECONDS:
        session[SEEN_KEY] = int(now)


def _sign_out(message: str) -> None:
    logout_user()
    session.pop(SEEN_KEY, None)
    flash(message, "info")


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
    app.before_request(enforce_idle_timeout)
