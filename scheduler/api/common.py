"""The API blueprint and what its views share: conditional reads, retries, errors in words."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, current_app, make_response, request
from flask_babel import lazy_gettext as _l
from flask_smorest import Blueprint
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from scheduler.accounts import idempotency
from scheduler.api.auth import authenticate, caller, rate_key
from scheduler.extensions import db, limiter
from scheduler.types import utcnow
from scheduler.web.inputguard import DATE_MESSAGE, MAX_DATE, MIN_DATE, NUL_MESSAGE
from scheduler.web.problems import problem

bp = Blueprint("api", __name__, url_prefix="/api/v1", description="Accompany's JSON API")
bp.before_request(authenticate)
limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=rate_key)(bp)

BAD_KEY = _l("The Idempotency-Key header must be 1 to 200 visible characters.")
KEY_REUSED = _l("This Idempotency-Key was already used for a different request. Use a new key.")
BAD_JSON = _l("The body is not valid JSON.")
IDEMPOTENCY_HEADER = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": idempotency.MAX_KEY},
    "description": "Send the same key again to get the first response instead of acting twice.",
}
IF_NONE_MATCH_HEADER = {
    "in": "header",
    "name": "If-None-Match",
    "required": False,
    "schema": {"type": "string"},
}
# Header parameters are added to the document from each view's ``doc_headers`` (docs_views.spec):
# flask-smorest's ``doc(parameters=...)`` would replace the query parameters its schemas document.
ERROR_STATUSES = (400, 401, 403, 404, 405, 429, 503)


def documented(*statuses: int) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Document the problem responses an operation may give (plus the ones every one may)."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        for status in sorted({*ERROR_STATUSES, *statuses}, reverse=True):
            view = bp.alt_response(status, response=_response_name(status))(view)
        return view

    return decorate


def _response_name(status: int) -> str:
    import http

    return http.HTTPStatus(status).name


def etagged(view: Callable[..., Any]) -> Callable[..., Any]:
    """A strong ETag of the body; If-None-Match with it gets a 304 and no body."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        response = make_response(view(*args, **kwargs))
        if response.status_code == 200:
            response.set_etag(hashlib.sha256(response.get_data()).hexdigest())
            response.headers["Cache-Control"] = "private, no-cache"
            response.make_conditional(request)
        return response

    wrapper._apidoc = dict(getattr(view, "_apidoc", {}))  # type: ignore[attr-defined]
    wrapper.doc_headers = (IF_NONE_MATCH_HEADER,)  # type: ignore[attr-defined]
    return bp.doc(responses={"304": {"description": "Not modified: the ETag still matches"}})(wrapper)


def idempotent(view: Callable[..., Any]) -> Callable[..., Any]:
    """Document the Idempotency-Key header (``writes`` honours it on every write)."""
    view.doc_headers = (IDEMPOTENCY_HEADER,)  # type: ignore[attr-defined]
    return view


def writes(view: Callable[..., Any]) -> Callable[..., Any]:
    """Commit once when the view succeeds; with an Idempotency-Key, keep or replay the response."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        if request.content_length and not request.is_json:
            abort(problem(415, code="json_only"))
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return _committed(lambda: make_response(view(*args, **kwargs)))
        if not 0 < len(key) <= idempotency.MAX_KEY or not key.isprintable():
            abort(problem(400, BAD_KEY, code="bad_idempotency_key"))
        token_id = caller().token_id
        asked = idempotency.fingerprint(request.method, request.path, request.get_data())
        found = idempotency.find(db.session(), token_id=token_id, key=key)
        row = None
        if found is None:
            row = idempotency.reserve(
                db.session(), token_id=token_id, key=key, request_fingerprint=asked, now=utcnow()
            )
            found = idempotency.find(db.session(), token_id=token_id, key=key) if row is None else None
        if found is not None:
            return _replay(found, asked)
        assert row is not None
        return _committed(lambda: _kept(row, make_response(view(*args, **kwargs))))

    return wrapper


def _kept(row: Any, response: Response) -> Response:
    if response.status_code < 300:
        idempotency.store(row, status_code=response.status_code, body=response.get_data(as_text=True))
    return response


def _committed(run: Callable[[], Response]) -> Response:
    try:
        response = run()
    except HTTPException:
        db.session.rollback()
        raise
    if response.status_code < 300:
        db.session.commit()
    else:
        db.session.rollback()
    return response


def _replay(found: Any, asked: str) -> Response:
    if found.fingerprint != asked or found.status_code == idempotency.PENDING:
        abort(problem(422, KEY_REUSED, code="idempotency_key_reused"))
    response = Response(found.body, found.status_code, content_type="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    return response


# --- Field errors in words ------------------------------------------------------------------

# marshmallow's messages (English, fixed) -> the pages' wording, translated.
FIELD_MESSAGES = {
    "Missing data for required field.": _l("This field is required."),
    "Unknown field.": _l("This field is not known here."),
    "Not a valid integer.": _l("Enter a whole number."),
    "Not a valid number.": _l("Enter a whole number."),
    "Not a valid boolean.": _l("Use true or false."),
    "Not a valid string.": _l("Enter text."),
    "Not a valid date.": _l("Write the date as YYYY-MM-DD."),
    "Not a valid time.": _l("Write the time as HH:MM (24-hour clock)."),
    "Not a valid list.": _l("Give a list."),
    "Invalid input type.": _l("This value has the wrong type."),
    "nul": NUL_MESSAGE,
}
STARTS = (
    ("Must be one of", _l("Use one of the values listed in the API documentation.")),
    ("Must be greater than or equal to", _l("This number is out of range.")),
    ("Longer than maximum length", _l("This is too long.")),
    ("Shorter than minimum length", _l("This is too short.")),
)
OTHER = _l("This value is not valid.")


def field_message(text: str) -> str:
    if text == "date_range":
        return str(DATE_MESSAGE % {"first": MIN_DATE.year, "last": MAX_DATE.year})
    if text in FIELD_MESSAGES:
        return str(FIELD_MESSAGES[text])
    return str(next((message for start, message in STARTS if text.startswith(start)), OTHER))


def field_errors(messages: Any, path: str = "") -> list[dict[str, str]]:
    """marshmallow's nested messages as a flat list: ``{"field": "seats.driver.count", "detail": ...}``."""
    if isinstance(messages, dict):
        found: list[dict[str, str]] = []
        for name, inner in messages.items():
            found += field_errors(inner, f"{path}.{name}" if path else str(name))
        return found
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return [{"field": path, "detail": field_message(m)} for m in messages]
    if isinstance(messages, list):
        return [e for m in messages for e in field_errors(m, path)]
    return [{"field": path, "detail": field_message(str(messages))}]


@bp.errorhandler(RecursionError)
def _nested_too_deep(_error: RecursionError) -> Response:
    """JSON nested deeper than Python's parser goes: unreadable, not a fault of ours."""
    return problem(400, BAD_JSON, code="bad_json")


@bp.errorhandler(422)
@bp.errorhandler(400)
def _unreadable(error: HTTPException) -> Response:
    """webargs refused the query or body: each field's problem, in the request's language."""
    messages = (getattr(error, "data", None) or {}).get("messages") or {}
    if error.code == 400 and messages:
        return problem(400, BAD_JSON, code="bad_json")
    if error.code == 400:
        return problem(400)
    errors = [
        {**e, "field": e["field"].split(".", 1)[-1], "in": e["field"].split(".", 1)[0]}
        for e in field_errors(messages)
    ]
    return problem(422, errors=errors, code="invalid")
