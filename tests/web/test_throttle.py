"""Sign-in throttling: per client address and per submitted email, with a clear 429 page."""

import os
from typing import Any

import pytest

from scheduler.extensions import db, limiter
from tests.conftest import base_config
from tests.factories import DEFAULT_PASSWORD, make_user

REDIS_URL = os.environ.get("TEST_REDIS_URL")


@pytest.fixture(params=["memory"] + (["redis"] if REDIS_URL else []))
def storage(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def app_config(database_url: str, storage: str) -> dict[str, Any]:
    config = {
        **base_config(database_url),
        "RATELIMIT_ENABLED": True,
        "LOGIN_RATE_LIMIT": "3 per minute",
        "LOGIN_EMAIL_RATE_LIMIT": "5 per hour",
    }
    if storage == "redis":
        config["RATELIMIT_STORAGE_URL"] = REDIS_URL
    return config


@pytest.fixture(autouse=True)
def fresh_counters(app) -> None:
    """Start each test from zero: the Redis database outlives a test, and the limiter is global."""
    limiter.reset()


def _attempt(client, email: str, address: str = "10.0.0.1", password: str = "not the password"):  # noqa: S107
    return client.post(
        "/auth/login",
        data={"email": email, "password": password},
        environ_overrides={"REMOTE_ADDR": address},
    )


def test_too_many_attempts_from_one_address_get_the_429_page(app, client) -> None:
    for _ in range(3):
        assert _attempt(client, "someone@example.org").status_code == 200
    response = _attempt(client, "someone@example.org")
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "Too many attempts" in page
    assert "Please wait a few minutes" in page
    assert 'class="site-header"' in page  # the app's layout, not a bare error
    assert 0 < int(response.headers["Retry-After"]) <= 60  # the minute's window


def test_the_limit_is_per_address(app, client) -> None:
    for _ in range(3):
        _attempt(client, "someone@example.org", address="10.0.0.1")
    assert _attempt(client, "someone@example.org", address="10.0.0.1").status_code == 429
    assert _attempt(client, "other@example.org", address="10.0.0.2").status_code == 200


def test_one_account_is_throttled_across_many_addresses(app, client) -> None:
    user = make_user(email="target@example.org")
    db.session.commit()
    for n in range(5):
        assert _attempt(client, "Target@Example.org", address=f"10.0.1.{n}").status_code == 200
    response = _attempt(client, "target@example.org", address="10.0.1.99", password=DEFAULT_PASSWORD)
    assert response.status_code == 429
    # Limited per hour: told to come back when the hour's window resets, not in a minute.
    assert 3500 < int(response.headers["Retry-After"]) <= 3600
    # Other accounts are not affected.
    assert _attempt(client, "other@example.org", address="10.0.1.100").status_code == 200
    assert user.email == "target@example.org"


def test_showing_the_sign_in_page_is_not_limited(app, client) -> None:
    for _ in range(6):
        assert client.get("/auth/login").status_code == 200
