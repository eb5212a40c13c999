"""Error pages in the app's layout; JSON for the health check and feeds is handled there."""

from __future__ import annotations

import time

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from scheduler.extensions import db, limiter
from scheduler.web import faults
from scheduler.web.problems import is_api_request, problem

ERROR_TEXT = {
    400: (_l("Bad request"), _l("The request could not be understood. Please go back and try again.")),
    403: (_l("Not allowed"), _l("You do not have permission to see this page.")),
    404: (_l("Page not found"), _l("There is no page at this address.")),
    405: (_l("Not allowed"), _l("This page cannot be used that way.")),
    413: (_l("Too large"), _l("The file or form you sent is too large.")),
    429: (
        _l("Too many attempts"),
        _l("You have tried this too many times. Please wait a few minutes and try again."),
    ),
    500: (
        _l("Something went wrong"),
        _l("An unexpected error happened on our side. Nothing you did caused it; please try again."),
    ),
}


def _render(code: int, message: str | None = None) -> tuple[str, int]:
    title, text = ERROR_TEXT.get(code, ERROR_TEXT[500])
    return render_template("web/errors/error.html", code=code, title=title, text=message or text), code


def register_error_handlers(app: Flask) -> None:
    faults.init_faults(app)

    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError) -> tuple[str, int]:
        return _render(
            400,
            str(
                _l(
                    "This form has expired or was not sent from this site. "
                    "Please reload the page and try again."
                )
            ),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int] | Response:
        if is_api_request():
            return api_problem(error)
        if error.code == 429:  # the page says to wait; the header says how long
            body, code = _render(429)
            return Response(body, status=code, headers={"Retry-After": retry_after()})
        return _render(error.code or 500)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> tuple[str, int] | Response:
        kind = faults.kind_of(error)
        if kind:  # the database is away or busy: not a bug, a short 503 (scheduler/web/faults.py)
            return faults.fault_response(error, kind)
        app.logger.exception("unhandled error: %s", type(error).__name__)
        db.session.rollback()
        return problem(500) if is_api_request() else _render(500)


def api_problem(error: HTTPException) -> Response:
    """An HTTP error under /api/ as a problem document, keeping its headers (Allow, Retry-After)."""
    headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
    if error.code == 429:
        headers.setdefault("Retry-After", retry_after())
    return problem(error.code or 500, headers=headers)


def retry_after() -> str:
    """Seconds until the breached limit's window resets, as Flask-Limiter counts it.

    A fixed minute told a client limited per hour to come back 59 times too early, and one
    limited per second to wait needlessly; 60 only when the limit is not known.
    """
    breached = limiter.current_limit
    if breached is None:
        return "60"
    return str(max(1, int(breached.reset_at - time.time())))
