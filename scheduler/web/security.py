"""Access decorators. Every view states who may call it; the default is nobody anonymous."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import abort, g, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError

from scheduler.accounts import sessions
from scheduler.extensions import db, login_manager
from scheduler.models import User
from scheduler.web.faults import note_loader_failure


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Resolve a session id "<id>.<session_version>.<token>" to a live session; never raises.

    The person and their session row come in one indexed query (scheduler/accounts/sessions.py);
    the row is kept in ``g.user_session`` for the session guard (idle timeout, sign-out).
    """
    try:
        found = sessions.find(db.session(), user_id)
    except SQLAlchemyError:
        # The database is away: no one is signed in for this request, which is answered with
        # the 503 page (scheduler/web/faults.py); the session is kept for when it returns.
        with contextlib.suppress(SQLAlchemyError):
            db.session.rollback()
        note_loader_failure()
        return None
    if found is None:
        return None
    user, record = found
    g.user_session = record
    g.user_session_id = record.id  # still known after a commit expires (or deletes) the row
    return user


def approved_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Signed in and approved; pending and suspended people see their status and nothing else."""

    @wraps(view)
    @login_required
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_approved:
            return render_template("web/status.html"), 403
        return view(*args, **kwargs)

    return wrapper


def coordinator_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    @approved_required
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_coordinator:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def admin_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    @approved_required
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def public(view: Callable[..., Any]) -> Callable[..., Any]:
    """Marks a view as intentionally open to anonymous visitors (read by the route audit)."""
    view.is_public = True  # type: ignore[attr-defined]
    return view


def safe_next(target: str | None, default: str = "main.home") -> str:
    """A same-site relative path to go on to, else the default page.

    Only "/path" forms are accepted: "//host", "/\\host" and absolute URLs could leave the site.
    """
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for(default)


def next_from_request() -> str | None:
    return request.args.get("next") or request.form.get("next")
