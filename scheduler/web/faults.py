"""The answer while the database is away or busy: a short 503 in the person's language.

A database fault (``scheduler.dbfaults.fault_kind``) is not a bug, so it gets neither the 500
page nor a stack trace: pages answer 503 with ``Retry-After`` and the app's own page, calendar
feeds a plain 503. A form sent while the database was away comes back on that page as a
"Try again" button carrying what was typed (never passwords or codes), so nothing has to be
typed twice. The user loader never raises: when it cannot reach the database it records that
here and returns no one, the request is answered with this page, and the page renders for an
anonymous visitor. Flask-Limiter's note that the rate-limit store went away (or came back) is
passed on to the app's log.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable

from flask import Flask, Response, current_app, g, render_template, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from scheduler.dbfaults import BUSY, UNAVAILABLE, fault_kind
from scheduler.extensions import db
from scheduler.web.problems import is_api_request, problem

# Answered in plain text: calendar apps, not people, read these.
PLAIN_ENDPOINTS = ("feeds.show_feed",)
# Never touch the session or the user on these (see scheduler/web/session_guard.py).
_NO_USER_ENDPOINTS = ("static", "main.healthz", "feeds.show_feed")
# Fields never written back into a page: secrets are typed again.
_SECRET_FIELD = re.compile(r"password|confirm|secret|otp|^code$", re.IGNORECASE)
_MAX_RESENT_FIELDS = 200
_FLAG = "records_unreachable"

TEXT = {
    UNAVAILABLE: (
        _l("We can't reach our records for a moment"),
        _l("Nothing was lost. Please try again in a minute."),
    ),
    BUSY: (
        _l("Busy right now"),
        _l("Someone else is changing this at the same moment. Nothing was saved; please try again."),
    ),
}


class RecordsUnreachable(Exception):
    """The signed-in person could not be loaded because the database is away."""


def note_loader_failure() -> None:
    """Called by the user loader instead of raising: answer this request with the 503 page."""
    g.setdefault(_FLAG, True)


def kind_of(error: BaseException) -> str | None:
    if isinstance(error, RecordsUnreachable):
        return UNAVAILABLE
    return fault_kind(error)


def _refuse_while_unreachable() -> None:
    """A signed-in person whose account cannot be read gets the 503, not the sign-in page."""
    if (request.endpoint or "") in _NO_USER_ENDPOINTS or is_api_request():  # the API reads no cookie
        return
    current_user.is_authenticated  # noqa: B018  (loads the user; the loader notes a failure)
    if g.get(_FLAG):
        raise RecordsUnreachable


def fault_response(error: BaseException, kind: str) -> Response:
    """The 503 for a database fault; logs its kind and class only (no SQL, no parameters)."""
    orig = getattr(error, "orig", None)
    current_app.logger.warning("database %s on %s: %s", kind, request.endpoint, type(orig or error).__name__)
    _safely(get_locale)  # fix the language while the person's record may still be readable
    _safely(_rollback)
    if kind == UNAVAILABLE:
        # Rendering must not reach for the database again: show the page as to a visitor.
        # Flask-Login sets app.login_manager in init_app; Flask does not declare the attribute.
        _safely(current_app.login_manager._update_request_context_with_user)  # type: ignore[attr-defined]
    retry = str(current_app.config["DB_BUSY_RETRY_AFTER" if kind == BUSY else "DB_UNAVAILABLE_RETRY_AFTER"])
    headers = {"Retry-After": retry, "Cache-Control": "no-store"}
    title, text = TEXT[kind]
    if is_api_request():
        return problem(503, text, headers=headers, code=f"database_{kind}")
    if (request.endpoint or "") in PLAIN_ENDPOINTS:
        return Response("Service unavailable, try again later\n", 503, headers, mimetype="text/plain")
    try:
        page = render_template(
            "web/errors/unavailable.html", title=title, text=text, resend=_resend_fields(), code=503
        )
    except Exception:  # the last resort must answer, whatever failed
        current_app.logger.warning("database %s: the error page could not be rendered", kind)
        page = f"{title}\n{text}\n"
        return Response(page, 503, headers, mimetype="text/plain")
    return Response(page, 503, headers, mimetype="text/html")


def _resend_fields() -> list[tuple[str, str]] | None:
    """What a POSTed form carried, for the "Try again" button; None when it cannot be resent."""
    if request.method != "POST" or request.files:
        return None
    fields = [(k, v) for k, v in request.form.items(multi=True) if not _SECRET_FIELD.search(k)]
    return fields[:_MAX_RESENT_FIELDS]


def _rollback() -> None:
    db.session.rollback()


def _safely(call: Callable[[], object]) -> None:
    with contextlib.suppress(Exception):  # best effort while the database is away
        call()


class _ToAppLog(logging.Handler):
    """Hands Flask-Limiter's records to the app's logger, which reaches the operator's log.

    Flask-Limiter logs on its own logger with only a NullHandler, so its one warning when the
    rate-limit store goes away (and its note when it comes back) was written nowhere.
    """

    def __init__(self, app: Flask) -> None:
        super().__init__(logging.INFO)
        self.app_logger = app.logger

    def emit(self, record: logging.LogRecord) -> None:
        # Warnings and errors, and the store's recovery; not each breach (its key names a person).
        if record.levelno >= logging.WARNING or record.msg == "Rate limit storage recovered":
            self.app_logger.handle(record)


def _surface_limiter_log(app: Flask) -> None:
    limiter_log = logging.getLogger("flask-limiter")
    for handler in [h for h in limiter_log.handlers if isinstance(h, _ToAppLog)]:
        limiter_log.removeHandler(handler)  # one app per process, but tests build many
    limiter_log.addHandler(_ToAppLog(app))
    limiter_log.setLevel(logging.INFO)
    limiter_log.propagate = False  # the app's logger propagates it (once)


def init_faults(app: Flask) -> None:
    app.before_request(_refuse_while_unreachable)
    _surface_limiter_log(app)
