"""Redis, the shared rate-limit store, stops: limits go on in each worker's memory, then back.

The test starts its own redis-server on a spare port (6390-6399) and kills it; nothing else
in a request needs Redis (the feed caches live in each worker's memory), so nothing fails.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

from scheduler.extensions import limiter
from tests.conftest import base_config
from tests.faults.helpers import RedisServer

FALLBACK_WARNING = "falling back to in-memory storage"


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def app_config(database_url: str, redis_server: RedisServer) -> dict[str, Any]:
    return {
        **base_config(database_url),
        "RATELIMIT_STORAGE_URL": redis_server.url,
        "LOGIN_RATE_LIMIT": "3 per minute",
        "LOGIN_EMAIL_RATE_LIMIT": "100 per hour",
    }


@pytest.fixture(autouse=True)
def fresh_limiter(app) -> Iterator[None]:
    limiter.reset()
    yield
    limiter._storage_dead = False  # the limiter is module-global: leave it as the next test expects


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _attempt(client, address: str = "10.0.0.1"):
    return client.post(
        "/auth/login",
        data={"email": "someone@example.org", "password": "not the password"},
        environ_overrides={"REMOTE_ADDR": address},
    )


def test_limits_keep_working_in_memory_while_redis_is_stopped_and_go_back_after(
    app, client, redis_server: RedisServer
) -> None:
    operator_log = _Collect()
    app.logger.addHandler(operator_log)
    assert _attempt(client).status_code == 200
    assert redis_server.client().dbsize() > 0  # counted in Redis while it is there

    redis_server.stop()
    answers = [_attempt(client).status_code for _ in range(4)]
    feed = client.get("/feeds/" + "x" * 43 + ".ics")
    health = client.get("/healthz")
    # The first three pass, the fourth is refused: the limit still holds, counted in memory.
    assert answers == [200, 200, 200, 429]
    assert feed.status_code == 404 and health.status_code == 200  # not a 500 among them
    # One warning for the outage, not one per request, and in the app's log: Flask-Limiter's
    # own logger writes nowhere by itself.
    assert [m for m in operator_log.messages if FALLBACK_WARNING in m] == [
        "Rate limit storage unreachable - falling back to in-memory storage"
    ]

    redis_server.start()
    redis_server.client().flushdb()
    # Flask-Limiter looks for the store again with a growing backoff (1 s, 2 s, 4 s, ...);
    # make the next request the one that looks, instead of waiting in the test.
    limiter._Limiter__last_check_backend = 0
    assert _attempt(client, address="10.0.0.2").status_code == 200
    assert limiter._storage_dead is False
    assert redis_server.client().dbsize() > 0  # counting in Redis again
    assert "Rate limit storage recovered" in operator_log.messages
    app.logger.removeHandler(operator_log)
