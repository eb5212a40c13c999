"""Rate limits behind a reverse proxy: keyed on the real client, per account, per feed token.

Behind nginx every request reaches the app from 127.0.0.1. With ``TRUSTED_PROXIES`` set, the
client address comes from the proxies' ``X-Forwarded-For`` (Werkzeug's ProxyFix); without it
the header is ignored, so nobody can pick their own address by sending one.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from scheduler import create_app
from scheduler.enums import FeedKind
from scheduler.extensions import db, limiter
from scheduler.feeds import tokens as feeds
from tests.conftest import base_config
from tests.factories import make_user

REDIS_URL = os.environ.get("TEST_REDIS_URL")
PROXY = "127.0.0.1"


@pytest.fixture(params=["memory"] + (["redis"] if REDIS_URL else []))
def storage(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def proxies() -> int:
    return 1


@pytest.fixture
def app_config(database_url: str, storage: str, proxies: int) -> dict[str, Any]:
    config = {
        **base_config(database_url),
        "RATELIMIT_ENABLED": True,
        "LOGIN_RATE_LIMIT": "3 per minute",
        "LOGIN_EMAIL_RATE_LIMIT": "5 per hour",
        "FEED_RATE_LIMIT_TOKEN": "3 per hour",
        "FEED_RATE_LIMIT_ADDRESS": "4 per hour",
        "TRUSTED_PROXIES": proxies,
    }
    if storage == "redis":
        config["RATELIMIT_STORAGE_URL"] = REDIS_URL
    return config


@pytest.fixture(autouse=True)
def fresh_counters(app) -> None:
    limiter.reset()


def _sign_in(client, *, email: str, forwarded: str | None, remote: str = PROXY):
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    return client.post(
        "/auth/login",
        data={"email": email, "password": "not the password"},
        headers=headers,
        environ_overrides={"REMOTE_ADDR": remote},
    )


def test_behind_a_proxy_client_b_is_not_limited_by_client_a(app, client) -> None:
    for n in range(3):
        assert _sign_in(client, email=f"a{n}@example.org", forwarded="203.0.113.7").status_code == 200
    assert _sign_in(client, email="a9@example.org", forwarded="203.0.113.7").status_code == 429
    # Same proxy, another client: its own count.
    assert _sign_in(client, email="b@example.org", forwarded="198.51.100.4").status_code == 200


def test_behind_a_proxy_a_forged_first_hop_does_not_give_a_fresh_count(app, client) -> None:
    """nginx appends the real address; what the client wrote before it is not trusted."""
    for n in range(3):
        forged = f"10.9.9.{n}, 203.0.113.7"
        assert _sign_in(client, email=f"a{n}@example.org", forwarded=forged).status_code == 200
    assert _sign_in(client, email="a9@example.org", forwarded="10.9.9.99, 203.0.113.7").status_code == 429


def test_behind_a_proxy_one_account_is_limited_across_addresses(app, client) -> None:
    make_user(email="target@example.org")
    db.session.commit()
    for n in range(5):
        response = _sign_in(client, email="target@example.org", forwarded=f"203.0.113.{n}")
        assert response.status_code == 200
    assert _sign_in(client, email="Target@example.org", forwarded="203.0.113.50").status_code == 429
    assert _sign_in(client, email="other@example.org", forwarded="203.0.113.51").status_code == 200


@pytest.mark.parametrize("proxies", [0])
def test_without_a_trusted_proxy_a_forged_forwarded_for_changes_nothing(app, client) -> None:
    for n in range(3):
        response = _sign_in(
            client, email=f"a{n}@example.org", forwarded=f"198.51.100.{n}", remote="192.0.2.5"
        )
        assert response.status_code == 200
    assert (
        _sign_in(client, email="x@example.org", forwarded="198.51.100.77", remote="192.0.2.5").status_code
        == 429
    )
    assert not isinstance(app.wsgi_app, ProxyFix)
    assert _sign_in(client, email="y@example.org", forwarded=None, remote="192.0.2.6").status_code == 200


def _poll(client, token: str, *, forwarded: str | None = None):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return client.get(f"/feeds/{token}.ics", headers=headers, environ_overrides={"REMOTE_ADDR": PROXY})


@pytest.mark.parametrize("proxies", [0])
def test_feeds_are_limited_per_token_not_per_address(app, client) -> None:
    """Every calendar polls through the proxy's address; each token has its own allowance."""
    tokens = [
        feeds.issue_token(db.session, user=make_user(), kind=FeedKind.PERSONAL, actor=None) for _ in range(3)
    ]
    db.session.commit()
    codes = [_poll(client, token).status_code for token in tokens for _ in range(3)]
    assert codes == [200] * 9  # nine polls from one address, past its limit of four
    assert _poll(client, tokens[0]).status_code == 429  # the token's own limit still holds


@pytest.mark.parametrize("proxies", [0])
def test_guessing_feed_tokens_is_limited_per_address(app, client) -> None:
    codes = [_poll(client, f"guess-{n}").status_code for n in range(5)]
    assert codes == [404, 404, 404, 404, 429]


def test_trusted_proxies_must_be_a_count() -> None:
    for bad in (-1, "two", 1.5, True):
        with pytest.raises(RuntimeError, match="TRUSTED_PROXIES"):
            create_app(base_config("sqlite://") | {"TRUSTED_PROXIES": bad})


def test_the_proxy_setting_comes_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("SCHEDULER_TRUSTED_PROXIES", "2")
    app: Flask = create_app(base_config("sqlite://"))
    assert app.config["TRUSTED_PROXIES"] == 2
    assert isinstance(app.wsgi_app, ProxyFix) and app.wsgi_app.x_for == 2
