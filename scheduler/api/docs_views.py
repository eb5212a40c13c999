"""The API's OpenAPI 3.1 document and a page that explains it, both served by the app itself.

The page is rendered on the server from the same document (no Swagger UI from a CDN, no script
at all), so it follows the app's look, language, content security policy and small screens.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request
from flask_babel import lazy_gettext as _l

from scheduler.web.security import public

bp = Blueprint("api_docs", __name__, url_prefix="/api/v1")

# What each operation does, for people reading the page in their language.
SUMMARIES = {
    "list_courts": _l("Active courts and ICE offices."),
    "list_hearings": _l("Hearings in your courts, by start (coordinators)."),
    "get_hearing": _l("One hearing: its coordinators, and volunteers with a seat on it."),
    "create_hearing": _l("Post a hearing and its seats (coordinators)."),
    "update_hearing": _l("Edit a hearing's details without moving it (coordinators)."),
    "reschedule_hearing": _l("Move a hearing in time, court or courtroom; seats are kept (coordinators)."),
    "cancel_hearing": _l("Cancel a hearing; everyone on it is told (coordinators)."),
    "list_open_seats": _l("Open seats ahead; with fits=true only those you can take now."),
    "get_shift": _l("One shift: its seats, your place on it, and its details once you have a seat."),
    "list_commitments": _l("Your own seats and waitlist places."),
    "claim_seat": _l("Take a seat, or a waitlist place."),
    "drop_seat": _l("Give up a seat or a waitlist place."),
    "day_coverage": _l("Seats needed and filled on one day (coordinators)."),
}
METHODS = ("get", "post", "patch", "put", "delete")


def spec() -> dict[str, Any]:
    """The document, each operation named by its view (operationId) for client generators."""
    # A copy: to_dict() hands back apispec's own dicts, which would grow on every request.
    document: dict[str, Any] = copy.deepcopy(current_app.extensions["accompany_api"].spec.to_dict())
    names = _operation_names()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS and (method, path) in names:
                name = operation["operationId"] = names[(method, path)]
                view = current_app.view_functions[f"api.{name}"]
                operation.setdefault("parameters", []).extend(getattr(view, "doc_headers", ()))
    return document


def _operation_names() -> dict[tuple[str, str], str]:
    """(method, OpenAPI path) -> the API view's name, read from the URL map."""
    names = {}
    for rule in current_app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
            for method in rule.methods or ():
                names[(method.lower(), path)] = rule.endpoint.split(".", 1)[1]
    return names


@bp.get("/openapi.json")
@public
def openapi_document() -> Response:
    body = json.dumps(spec(), sort_keys=True)
    response = Response(body, mimetype="application/json")
    response.set_etag(hashlib.sha256(body.encode()).hexdigest())
    response.make_conditional(request)
    return response


@bp.get("/docs")
@public
def documentation() -> str:
    operations = [
        {
            "method": method.upper(),
            "path": path,
            "summary": SUMMARIES.get(operation.get("operationId", ""), operation.get("summary", "")),
            "parameters": [p for p in operation.get("parameters", []) if "name" in p],
            "body": "requestBody" in operation,
            "statuses": sorted(operation.get("responses", {})),
        }
        for path, item in spec()["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]
    return render_template("api/docs.html", operations=operations)
