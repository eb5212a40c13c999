"""Bearer tokens for /api/v1/: who a request acts for, and what the token lets it do.

Only the ``Authorization: Bearer <token>`` header authenticates: a session cookie sent along is
never read here (the session guard and the locale selector skip /api/, and nothing in the API
touches ``current_user``), so a page open in a browser cannot be used to call the API.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, g, request
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address

from scheduler.accounts import api_tokens
from scheduler.accounts.api_tokens import Caller
from scheduler.courts import scope
from scheduler.extensions import db
from scheduler.types import utcnow
from scheduler.web.problems import problem

READ_ONLY = _l("This token can only read. Make a token that can also make changes on your account page.")
STAFF_ONLY = _l("Only coordinators can do this.")


def bearer_token() -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def rate_key() -> str:
    """Flask-Limiter's key: the token (hashed, as stored) or, without one, the client address."""
    token = bearer_token()
    if token:
        return "api-token:" + hashlib.sha256(token.encode("utf-8")).hexdigest()[:32]
    return "api-address:" + get_remote_address()


def authenticate() -> None:
    """Before every API resource: a live token, or a 401 problem; stamps its use hourly."""
    token = bearer_token()
    caller = api_tokens.resolve(db.session(), token, now=utcnow()) if token else None
    if caller is None:
        challenge = 'Bearer realm="api"' + (', error="invalid_token"' if token else "")
        abort(problem(401, headers={"WWW-Authenticate": challenge}))
    g.api_caller = caller
    if api_tokens.note_use(db.session(), caller=caller, now=utcnow()):
        db.session.commit()


def caller() -> Caller:
    found: Caller = g.api_caller
    return found


def forbidden(detail: object, code: str) -> None:
    abort(problem(403, detail, code=code))


def needs(*, write: bool = False, staff: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Refuse before the body is read: a read-only token (write), or a volunteer (staff)."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            who = caller()
            if write and not who.can_write:
                forbidden(READ_ONLY, "read_only_token")
            if staff and not who.user.is_coordinator:
                forbidden(STAFF_ONLY, "coordinators_only")
            return view(*args, **kwargs)

        return wrapper

    return decorate


def sees_private(court_id: int) -> bool:
    """Respondent reference and private notes: a coordinator of this court, with a token that says so."""
    who = caller()
    return who.can_read_private and scope.may_manage_court(who.user, court_id)
