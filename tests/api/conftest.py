"""Helpers for the JSON API's tests: a client that sends a bearer token."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient


class ApiClient:
    """Calls /api/v1/ with a token (or none), in a language, as a script would."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def call(self, method: str, path: str, token: str | None = None, *, lang: str = "en", **kwargs: Any):
        headers = dict(kwargs.pop("headers", {}))
        if token:
            headers["Authorization"] = f"Bearer {token}"
        headers.setdefault("Accept-Language", lang)
        url = path if path.startswith("/") else f"/api/v1/{path}"
        return self.client.open(url, method=method, headers=headers, **kwargs)

    def get(self, path: str, token: str | None = None, **kwargs: Any):
        return self.call("GET", path, token, **kwargs)

    def post(self, path: str, token: str | None = None, **kwargs: Any):
        return self.call("POST", path, token, **kwargs)


@pytest.fixture
def app_config(database_url):
    from tests.conftest import base_config

    config = base_config(database_url)
    config["RATELIMIT_ENABLED"] = False
    return config


@pytest.fixture
def api(app: Flask, client: FlaskClient) -> ApiClient:
    return ApiClient(client)
