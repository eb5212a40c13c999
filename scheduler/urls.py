"""The app's public address, for links that leave it (feeds, emails, calendar events).

``BASE_URL`` when it is configured (production must configure it: the app refuses to start
without it). In development it may be left out: links then follow the address actually served
(the request's own host and port, so ``PORT=8000 make run`` shows links to port 8000), and
outside a request (the mail worker, the CLI) ``DEV_BASE_URL``, which defaults to
``http://127.0.0.1:$PORT``.
"""

from __future__ import annotations

from flask import current_app, has_request_context, request


def base_url() -> str:
    configured = current_app.config.get("BASE_URL") or ""
    if configured:
        return configured.rstrip("/")
    if has_request_context():
        return request.url_root.rstrip("/")
    return current_app.config["DEV_BASE_URL"].rstrip("/")
