"""Links that leave the app in a message: absolute URLs and signed, purpose-bound tokens."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from scheduler.urls import base_url

UNSUBSCRIBE_SALT = "notify.unsubscribe"
INVITATION_SALT = "notify.invitation"


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute URL under the public address, built without a request (the worker has none)."""
    parts = urlsplit(base_url())
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path.rstrip("/") or "/", url_scheme=parts.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)


def mail_domain() -> str:
    """The host part for Message-IDs (calendar UIDs use the installation's own domain)."""
    return urlsplit(base_url()).hostname or "accompany.invalid"


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def sign(salt: str, payload: Any) -> str:
    return _serializer(salt).dumps(payload)


class LinkExpired(Exception):
    pass


class LinkInvalid(Exception):
    pass


def unsign(salt: str, token: str, *, max_age: int | None = None) -> Any:
    """The payload, or LinkExpired / LinkInvalid (tampered, or made for another purpose)."""
    try:
        return _serializer(salt).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise LinkExpired() from exc
    except BadSignature as exc:
        raise LinkInvalid() from exc
