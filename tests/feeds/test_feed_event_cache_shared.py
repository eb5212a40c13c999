"""Rendered events are shared by every app on the database (or Redis) and outlive the app.

Each test really commits, and a second ``create_app`` on the same database (a file on SQLite)
stands for another worker or a restart. This process's memory level is cleared in between,
so what the other app finds can only come from the shared store.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from scheduler import create_app
from scheduler.extensions import db
from scheduler.feeds import eventcache
from scheduler.models import FeedEventCache
from tests.conftest import base_config
from tests.feeds.test_feed_event_cache import Renders
from tests.feeds.test_feed_sequence import World, _details, _read

pytestmark = pytest.mark.committed
REDIS_URL = os.environ.get("TEST_REDIS_URL")
NOBODY_LISTENS = "redis://127.0.0.1:1/0"


@pytest.fixture
def app_config(database_url: str, tmp_path) -> dict[str, Any]:
    """A database file on SQLite: the in-memory one is private to one engine."""
    if database_url.startswith("sqlite"):
        database_url = f"sqlite:///{tmp_path}/shared.sqlite3"
    return base_config(database_url)


@pytest.fixture
def world(app) -> World:
    return World()


@contextmanager
def other_app(config: dict[str, Any]) -> Iterator[Flask]:
    """Another worker, or the app after a restart: its own engine, an empty memory level."""
    eventcache.clear_memory()
    other = create_app(config)
    try:
        with other.app_context():
            yield other
            db.session.remove()
            db.engine.dispose()
    finally:
        eventcache.clear_memory()


def _rows() -> int:
    return db.session.scalar(select(func.count()).select_from(FeedEventCache)) or 0


def test_two_apps_share_the_rendered_events(app, app_config, client, world, monkeypatch):
    eventcache.clear_memory()
    first = _read(client, world)
    assert _rows() > 0
    db.session.commit()  # no transaction left open here while the other app writes
    with other_app(app_config) as other:
        renders = Renders(monkeypatch)
        assert _read(other.test_client(), world) == first
        assert renders.count == 0
    # A change served first by the other app: this one then finds its new events too.
    _details(world, meeting_point="Room 3 door")
    db.session.commit()
    with other_app(app_config) as other:
        changed = _read(other.test_client(), world)
        assert renders.count > 0
    assert changed != first
    rendered = renders.count
    eventcache.clear_memory()
    assert _read(client, world) == changed
    assert renders.count == rendered


def test_the_events_outlive_the_app(app, app_config, client, world, monkeypatch):
    eventcache.clear_memory()
    first = _read(client, world)
    db.session.commit()
    with other_app(app_config) as restarted:
        pass
    with other_app(app_config) as restarted:
        renders = Renders(monkeypatch)
        assert _read(restarted.test_client(), world) == first
        assert renders.count == 0


@pytest.mark.skipif(not REDIS_URL, reason="needs TEST_REDIS_URL")
def test_with_redis_the_events_are_shared_there(app, app_config, client, world, monkeypatch):
    import redis

    store = redis.Redis.from_url(REDIS_URL)
    pattern = eventcache.RedisStore.PREFIX + "*"
    store.delete(*store.keys(pattern) or ["-"])
    config = {**app_config, "FEED_CACHE_URL": REDIS_URL}
    db.session.commit()
    try:
        with other_app(config) as one:
            first = _read(one.test_client(), world)
        assert store.keys(pattern)
        assert _rows() == 0  # Redis took them, not the table
        with other_app(config) as two:
            renders = Renders(monkeypatch)
            assert _read(two.test_client(), world) == first
            assert renders.count == 0
        ttl = store.ttl(store.keys(pattern)[0])
        assert 0 < ttl <= 30 * 24 * 3600  # FEED_CACHE_KEEP_DAYS: Redis purges by itself
    finally:
        store.delete(*store.keys(pattern) or ["-"])


def test_with_redis_down_the_feed_is_served_from_the_table(app, app_config, client, world, monkeypatch):
    config = {**app_config, "FEED_CACHE_URL": NOBODY_LISTENS}
    eventcache.clear_memory()
    expected = _read(client, world)  # the table alone
    db.session.commit()
    with other_app(config) as down:
        renders = Renders(monkeypatch)
        assert _read(down.test_client(), world) == expected  # every answer a 200
        assert renders.count == 0  # found in the table while Redis is away
    _details(world, meeting_point="Room 3 door")
    db.session.commit()
    with other_app(config) as down:
        _read(down.test_client(), world)
        assert renders.count > 0
    rows = _rows()
    db.session.commit()
    with other_app(config) as down_again:
        renders.count = 0
        _read(down_again.test_client(), world)
        assert renders.count == 0
    assert _rows() == rows
