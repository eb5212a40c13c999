"""A new worker, or one after a restart, answers a poll with nothing new without the stamp query.

Each test really commits, and a second ``create_app`` on the same database (a file on SQLite)
stands for another worker or the app after a restart: its memory of stamps starts empty, so
what it knows without the stamp query can only come from the shared store
(scheduler/feeds/stampstore.py: Redis when FEED_CACHE_URL is set, else the table).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, func, select, text, update

from scheduler import create_app
from scheduler.extensions import db
from scheduler.feeds import calendars as feed_calendars
from scheduler.feeds import stampstore
from scheduler.feeds.stamps import StaleFeedStamp
from scheduler.models import FeedStampCache
from scheduler.privacy import retention
from scheduler.types import utcnow
from tests.conftest import base_config
from tests.feeds.test_feed_stamps import World, _details

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
def other_app(config: dict[str, Any], **overrides: Any) -> Iterator[Flask]:
    """Another worker, or the app after a restart: its own engine, no stamps in memory."""
    db.session.commit()  # no transaction left open here while the other app writes
    other = create_app({**config, **overrides})
    with other.app_context():
        yield other
        db.session.remove()
        db.engine.dispose()


class StampQueries:
    """Counts runs of the stamp query (the one a shared hit saves)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = feed_calendars.stamp

        def counted(*args: Any, **kwargs: Any):
            self.count += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(feed_calendars, "stamp", counted)


def _poll(app: Flask, token: str, etag: str | None = None):
    headers = {"If-None-Match": etag} if etag else {}
    response = app.test_client().get(f"/feeds/{token}.ics", headers=headers)
    assert response.status_code in (200, 304), response.status_code
    return response


@contextmanager
def _statements() -> Iterator[list[str]]:
    seen: list[str] = []
    listener = lambda *args: seen.append(" ".join(args[2].split()))  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)


def _rows() -> int:
    return db.session.scalar(select(func.count()).select_from(FeedStampCache)) or 0


@pytest.mark.parametrize("feed", ["volunteer", "coordinator", "open_seats"])
def test_a_fresh_worker_answers_a_poll_from_the_shared_stamp(app, app_config, world, monkeypatch, feed):
    token = world.tokens[feed]
    etag = _poll(app, token).headers["ETag"]
    assert _rows() == 1
    with other_app(app_config, FEED_STAMP_VERIFY=False) as fresh:  # count what production runs
        stamps = StampQueries(monkeypatch)
        with _statements() as seen:
            response = _poll(fresh, token, etag)
        assert response.status_code == 304
        assert response.headers["ETag"] == etag
        assert stamps.count == 0
        assert sum("feed_stamp_cache" in s for s in seen) == 1
        assert not any(s.upper().startswith(("INSERT", "UPDATE", "DELETE")) for s in seen), seen
        # Then from its own memory: no shared look-up.
        with _statements() as again:
            assert _poll(fresh, token, etag).status_code == 304
        assert not any("feed_stamp_cache" in s for s in again)
    assert stamps.count == 0


def test_the_shared_stamp_is_the_one_the_stamp_query_gives(app, app_config, world):
    """With FEED_STAMP_VERIFY (the tests' setting) a shared hit runs the stamp query too."""
    first = {name: _poll(app, token).headers["ETag"] for name, token in world.tokens.items()}
    assert _rows() == len(world.tokens)
    with other_app(app_config) as fresh:
        again = {name: _poll(fresh, token).headers["ETag"] for name, token in world.tokens.items()}
    assert again == first
    assert _rows() == len(world.tokens)  # each found its entry: nothing computed, nothing written


def test_a_change_that_moves_the_journal_leaves_the_shared_stamp_unused(app, app_config, world, monkeypatch):
    token = world.tokens["volunteer"]
    etag = _poll(app, token).headers["ETag"]
    _details(world)  # the volunteer's hearing gets a new meeting point
    db.session.commit()
    with other_app(app_config, FEED_STAMP_VERIFY=False) as fresh:
        stamps = StampQueries(monkeypatch)
        response = _poll(fresh, token, etag)
        assert response.status_code == 200  # the calendar downloads the change
        assert response.headers["ETag"] != etag
        assert stamps.count == 1
        new_etag = response.headers["ETag"]
    assert _rows() == 2  # the old key's entry stays unused until the purge
    with other_app(app_config, FEED_STAMP_VERIFY=False) as another:
        assert _poll(another, token, new_etag).status_code == 304
    assert stamps.count == 1  # the new stamp, shared in turn


def test_an_expired_shared_stamp_is_not_reused(app, app_config, world, monkeypatch):
    token = world.tokens["volunteer"]
    etag = _poll(app, token).headers["ETag"]
    entry = db.session.scalars(select(FeedStampCache)).one()
    assert entry.expires_at > utcnow() + timedelta(seconds=3000)  # FEED_STAMP_CACHE_SECONDS
    db.session.execute(update(FeedStampCache).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    with other_app(app_config, FEED_STAMP_VERIFY=False) as fresh:
        stamps = StampQueries(monkeypatch)
        assert _poll(fresh, token, etag).status_code == 304
        assert stamps.count == 1  # computed again, and the entry renewed in place
    assert _rows() == 1
    assert db.session.scalars(select(FeedStampCache.expires_at)).one() > utcnow()
    # An entry within its expiry but longer than this app allows is not reused either.
    with other_app(app_config, FEED_STAMP_VERIFY=False, FEED_STAMP_CACHE_SECONDS=0) as strict:
        assert _poll(strict, token, etag).status_code == 304
        assert stamps.count == 2


def test_the_daily_purge_removes_expired_stamps(app, app_config, world):
    for token in world.tokens.values():
        _poll(app, token)
    assert _rows() == len(world.tokens)
    db.session.execute(
        update(FeedStampCache)
        .where(FeedStampCache.digest == select(func.min(FeedStampCache.digest)).scalar_subquery())
        .values(expires_at=utcnow() - timedelta(minutes=1))
    )
    result = retention.purge(db.session, now=utcnow())
    db.session.commit()
    assert result.feed_stamps_removed == 1
    assert _rows() == len(world.tokens) - 1


def test_verify_mode_catches_a_doctored_shared_stamp(app, app_config, world, caplog):
    token = world.tokens["volunteer"]
    etag = _poll(app, token).headers["ETag"]
    db.session.execute(update(FeedStampCache).values(etag='"0123456789abcdef0123456789abcdef"'))
    db.session.commit()
    with other_app(app_config) as fresh, caplog.at_level(logging.ERROR):
        response = fresh.test_client().get(f"/feeds/{token}.ics", headers={"If-None-Match": etag})
    assert response.status_code == 500
    assert StaleFeedStamp.__name__ in caplog.text
    assert "shared" in caplog.text


def test_a_failed_write_costs_the_entry_not_the_feed(app, app_config, world, monkeypatch, caplog):
    """A write the database refuses (here: a table that is not there) is logged and counted."""
    broken = text("INSERT INTO feed_stamp_cache_gone (digest) VALUES (:digest)")
    monkeypatch.setattr(stampstore, "_put_statement", lambda _dialect: broken)
    before = stampstore.failures.writes
    token = world.tokens["volunteer"]
    with caplog.at_level(logging.WARNING, logger=stampstore.__name__):
        response = _poll(app, token)
    assert response.status_code == 200
    assert b"BEGIN:VEVENT" in response.data
    assert stampstore.failures.writes == before + 1
    assert "stamp not kept" in caplog.text
    assert token not in caplog.text
    assert _rows() == 0
    # The request's own bookkeeping still committed: the savepoint kept its transaction usable.
    assert db.session.scalar(text("SELECT count(*) FROM feed_tokens WHERE last_used_at IS NOT NULL")) > 0


def test_with_redis_down_the_stamp_is_shared_through_the_table(app, app_config, world, monkeypatch):
    token = world.tokens["volunteer"]
    with other_app(app_config, FEED_CACHE_URL=NOBODY_LISTENS) as down:
        etag = _poll(down, token).headers["ETag"]
    assert _rows() == 1
    with other_app(app_config, FEED_CACHE_URL=NOBODY_LISTENS, FEED_STAMP_VERIFY=False) as down_again:
        stamps = StampQueries(monkeypatch)
        assert _poll(down_again, token, etag).status_code == 304
        assert stamps.count == 0


@pytest.mark.skipif(not REDIS_URL, reason="needs TEST_REDIS_URL")
def test_with_redis_the_stamps_are_shared_there(app, app_config, world, monkeypatch):
    import redis

    store = redis.Redis.from_url(REDIS_URL)
    pattern = stampstore.RedisStore.PREFIX + "*"
    store.delete(*store.keys(pattern) or ["-"])
    config = {**app_config, "FEED_CACHE_URL": REDIS_URL}
    token = world.tokens["volunteer"]
    world.hearing.respondent_ref = "RESPONDENT-MARK-7"
    try:
        with other_app(config) as one:
            etag = _poll(one, token).headers["ETag"]
        keys = store.keys(pattern)
        assert len(keys) == 1
        assert _rows() == 0  # Redis took it, not the table
        assert 0 < store.ttl(keys[0]) <= 3600  # FEED_STAMP_CACHE_SECONDS: Redis forgets it then
        value = store.get(keys[0])
        for private in (token, world.volunteer.display_name, "RESPONDENT-MARK-7"):
            assert private.encode() not in keys[0] + value
        with other_app(config, FEED_STAMP_VERIFY=False) as two:
            stamps = StampQueries(monkeypatch)
            assert _poll(two, token, etag).status_code == 304
            assert stamps.count == 0
        # A value this code did not write is a miss, not an error.
        store.set(keys[0], b"not a stamp", keepttl=True)
        with other_app(config, FEED_STAMP_VERIFY=False) as four:
            assert _poll(four, token, etag).status_code == 304
            assert stamps.count == 1
        store.set(keys[0], value, keepttl=True)
        # Verify mode checks a Redis hit too.
        store.set(keys[0], value.replace(etag.strip('"').encode(), b"0" * 32), keepttl=True)
        with other_app(config) as three:
            assert three.test_client().get(f"/feeds/{token}.ics").status_code == 500
    finally:
        store.delete(*store.keys(pattern) or ["-"])
