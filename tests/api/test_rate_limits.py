"""Rate limits count per token (Flask-Limiter keyed by the token), and refuse with a problem."""

from __future__ import annotations

import pytest

from scheduler.extensions import db
from tests.conftest import base_config
from tests.factories import make_api_token, make_user


@pytest.fixture
def app_config(database_url):
    config = base_config(database_url)
    config["API_RATE_LIMIT"] = "2 per minute"
    return config


def test_too_many_requests_per_token_is_a_429_problem(app, api) -> None:
    token, other = make_api_token(make_user()), make_api_token(make_user())
    db.session.commit()
    assert [api.get("courts", token).status_code for _ in range(2)] == [200, 200]
    refused = api.get("courts", token, lang="es")
    assert refused.status_code == 429
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert refused.json["title"] == "Demasiadas solicitudes" and "Retry-After" in refused.headers
    assert api.get("courts", other).status_code == 200  # per token, not per address


class TestAnHourlyLimit:
    @pytest.fixture
    def app_config(self, database_url):
        config = base_config(database_url)
        config["API_RATE_LIMIT"] = "2 per hour"
        return config

    def test_retry_after_says_when_the_hour_resets(self, app, api) -> None:
        token = make_api_token(make_user())
        db.session.commit()
        assert [api.get("courts", token).status_code for _ in range(2)] == [200, 200]
        refused = api.get("courts", token)
        assert refused.status_code == 429
        assert 3500 < int(refused.headers["Retry-After"]) <= 3600
