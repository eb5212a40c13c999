"""The JSON API under /api/v1/: presentation, like the pages; the areas' services decide.

Why flask-smorest (with marshmallow and apispec): it adds to a plain Flask app (``Api(app)``
registers ordinary blueprints, nothing replaces ``Flask`` or the app's error pages as APIFlask
would), its schemas both read the request (webargs) and write the OpenAPI 3.1 document, so the
document cannot drift from what the code accepts, and marshmallow has no compiled parts to pin
for each platform (spectree would bring pydantic). Its own error handlers and its documentation
pages (which load Swagger UI or ReDoc from a CDN) are left out: errors are the app's own
problem documents (scheduler/web/problems.py), and the documentation page is rendered by the
app from the same document (scheduler/api/docs_views.py), with no script from elsewhere.
"""

from __future__ import annotations

import http

import flask_smorest
from flask import Flask

from scheduler.extensions import csrf
from scheduler.web.problems import PROBLEM_TYPE


class Api(flask_smorest.Api):
    """flask-smorest's Api with the app's own errors (problem+json) documented for every status."""

    DEFAULT_ERROR_RESPONSE_NAME = "DEFAULT_ERROR"

    def _register_error_handlers(self) -> None:
        """Nothing: the app's handlers answer under /api/ with problem documents."""

    def _register_responses(self) -> None:
        from scheduler.api.schemas import Problem

        for status in http.HTTPStatus:
            response: dict[str, object] = {"description": status.phrase}
            if status >= 400:
                response["content"] = {PROBLEM_TYPE: {"schema": Problem}}
            self.spec.components.response(status.name, response, lazy=True)
        self.spec.components.response(
            "DEFAULT_ERROR",
            {"description": "A problem document (RFC 9457)", "content": {PROBLEM_TYPE: {"schema": Problem}}},
            lazy=True,
        )


def init_api(app: Flask) -> None:
    """Register the API's blueprints and build its document (after the extensions)."""
    from scheduler.api import docs_views, views, write_views  # noqa: F401  (routes on the blueprint)

    app.config.setdefault("API_TITLE", "Accompany")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config["OPENAPI_URL_PREFIX"] = None  # no CDN pages: docs_views serves the document and page
    api = Api(
        app,
        spec_kwargs={
            "info": {"description": "Courts, hearings, open seats and commitments. See /api/v1/docs."},
            "components": {
                "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "acc_..."}}
            },
            "security": [{"bearer": []}],
        },
    )
    csrf.exempt(views.bp)  # bearer tokens only: a cookie never authenticates, so there is no CSRF
    api.register_blueprint(views.bp)
    app.register_blueprint(docs_views.bp)
    app.extensions["accompany_api"] = api
