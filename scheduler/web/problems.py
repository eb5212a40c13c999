"""Errors under /api/ as ``application/problem+json`` (RFC 9457), in the request's language.

The app-wide error handlers (errors.py, inputguard.py, faults.py) answer with a page, or with a
problem document when the request is for the API: a script reading JSON must never get HTML.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from flask import Response, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

API_PREFIX = "/api/"
PROBLEM_TYPE = "application/problem+json"

TITLES = {
    400: _l("Bad request"),
    401: _l("Authentication needed"),
    403: _l("Not allowed"),
    404: _l("Not found"),
    405: _l("Method not allowed"),
    406: _l("Not acceptable"),
    409: _l("Conflict"),
    412: _l("Precondition failed"),
    413: _l("Too large"),
    415: _l("Unsupported media type"),
    422: _l("Invalid data"),
    428: _l("Precondition required"),
    429: _l("Too many requests"),
    500: _l("Something went wrong"),
    503: _l("Service unavailable"),
}
DETAILS = {
    400: _l("The request could not be understood. Check it and try again."),
    401: _l("Send a valid API token in the Authorization header: Bearer <token>."),
    403: _l("Your token does not allow this."),
    404: _l("There is nothing at this address."),
    405: _l("This address cannot be used with this method."),
    406: _l("This address answers in JSON only."),
    409: _l("This could not be done in the resource's present state."),
    412: _l("The resource has changed since you read it."),
    413: _l("What you sent is too large."),
    415: _l("Send the body as JSON (Content-Type: application/json)."),
    422: _l("Some values are missing or not valid. See errors for each field."),
    428: _l("This request needs a condition header."),
    429: _l("You have sent too many requests. Please wait a few minutes and try again."),
    500: _l("An unexpected error happened on our side. Nothing you did caused it; please try again."),
    503: _l("The service is briefly unavailable. Please try again in a moment."),
}


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def problem(
    status: int,
    detail: object | None = None,
    *,
    code: str | None = None,
    errors: list[dict[str, str]] | None = None,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Response:
    """A problem document; ``code`` names the refusal for programs, ``detail`` says it for people."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": str(TITLES.get(status, TITLES[500] if status >= 500 else TITLES[400])),
        "status": status,
        "detail": str(detail if detail is not None else DETAILS.get(status, DETAILS[400])),
    }
    if code:
        body["code"] = code
    if errors:
        body["errors"] = errors
    body.update(extra or {})
    response = Response(
        json.dumps(body, ensure_ascii=False), status, dict(headers or {}), content_type=PROBLEM_TYPE
    )
    response.headers["Content-Language"] = str(get_locale() or "en")
    response.headers["Cache-Control"] = "no-store"
    return response
