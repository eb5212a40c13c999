"""The shared cache of rendered events (scheduler/feeds/eventcache.py) never serves a stale event.

For every kind of change the SEQUENCE tests know (and the owner's settings), each feed is read
once to fill the shared table, the change is made, and then the feeds are read as a worker
that kept its memory and as a new worker (memory empty, shared table warm): both must give
exactly the bytes rendered from scratch (table emptied, memory cleared).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete, func, select, update

from scheduler.domain import feeds as domain
from scheduler.extensions import db
from scheduler.feeds import eventcache
from scheduler.feeds import tokens as feeds
from scheduler.models import FeedEventCache, Hearing, Signup
from scheduler.privacy import retention
from scheduler.types import utcnow
from tests.feeds.test_feed_sequence import CHANGES, World, _alarm, _drop, _read


def _waitlist_hidden(world: World) -> None:
    feeds.update_settings(db.session, user=world.waiting, alarm="none", show_waitlist=False)


STALE_CHANGES: dict[str, tuple[Any, Any]] = {
    name: (setup, apply) for name, (setup, apply, _) in CHANGES.items()
}
STALE_CHANGES["owner's alarm"] = (None, _alarm)
STALE_CHANGES["waitlist hidden"] = (None, _waitlist_hidden)


@pytest.fixture
def world(app) -> World:
    return World()


def _from_scratch(client, world: World) -> dict[str, bytes]:
    db.session.execute(delete(FeedEventCache))
    db.session.commit()
    eventcache.clear_memory()
    return _read(client, world)


class Renders:
    """Counts the events actually rendered (not found in memory or the shared store)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = domain.rendered

        def counting(event: domain.FeedEvent) -> domain.RenderedEvent:
            self.count += 1
            return real(event)

        monkeypatch.setattr(eventcache.domain, "rendered", counting)


@pytest.mark.parametrize("change", list(STALE_CHANGES))
def test_no_stale_event_after_any_change(client, world, change):
    setup, apply = STALE_CHANGES[change]
    if setup is not None:
        setup(world)
        db.session.commit()
    eventcache.clear_memory()
    before = _read(client, world)  # fills memory and the shared table
    assert db.session.scalar(select(func.count()).select_from(FeedEventCache)) > 0
    apply(world)
    db.session.commit()
    same_worker = _read(client, world)
    eventcache.clear_memory()
    new_worker = _read(client, world)
    truth = _from_scratch(client, world)
    assert truth != before, f"{change}: the change shows in no feed (the test could not fail)"
    assert same_worker == truth, f"{change}: a worker's memory served a stale event"
    assert new_worker == truth, f"{change}: the shared cache served a stale event"


def test_a_new_worker_renders_nothing_the_shared_table_holds(client, world, monkeypatch):
    eventcache.clear_memory()
    first = _read(client, world)
    eventcache.clear_memory()
    renders = Renders(monkeypatch)
    assert _read(client, world) == first
    assert renders.count == 0


def test_purge_removes_superseded_gone_old_and_aged_out_events(app, client, world):
    eventcache.clear_memory()
    _read(client, world)
    seat = select(FeedEventCache.revision).where(
        FeedEventCache.kind == "signup", FeedEventCache.object_id == world.seat.id
    )
    old_revision = db.session.scalar(seat)
    _drop(world)  # the seat's event gets a new revision
    db.session.commit()
    _read(client, world)
    assert sorted(db.session.scalars(seat)) == [old_revision, old_revision + 1]
    now = utcnow()

    def purge() -> int:
        return retention.purge(db.session, now=now).feed_events_removed

    assert purge() > 0
    assert list(db.session.scalars(seat)) == [old_revision + 1]  # the current one stays
    assert purge() == 0  # nothing else is unused
    # An event whose seat is gone.
    db.session.execute(delete(Signup).where(Signup.id == world.mate_seat.id))
    db.session.commit()
    purge()
    mate = select(FeedEventCache).where(FeedEventCache.object_id == world.mate_seat.id)
    assert db.session.scalars(mate.where(FeedEventCache.kind == "signup")).all() == []
    # Whatever is current, once older than the keep period.
    eventcache.clear_memory()
    _read(client, world)
    count = select(func.count()).select_from(FeedEventCache)
    assert db.session.scalar(count) > 0
    assert purge() == 0
    later = retention.purge(db.session, now=now + timedelta(days=31), feed_cache_keep=timedelta(days=30))
    assert later.feed_events_removed > 0
    assert db.session.scalar(count) == 0
    # Events of a hearing that has left every feed's window (90 days ago).
    eventcache.clear_memory()
    _read(client, world)
    assert db.session.scalar(count) > 0
    past = world.hearing.starts_at - timedelta(days=120)
    db.session.execute(update(Hearing).where(Hearing.id == world.hearing.id).values(starts_at=past))
    db.session.commit()
    assert purge() > 0
    assert db.session.scalar(count.where(FeedEventCache.kind != eventcache.ZONE)) == 0
    # VTIMEZONE blocks, which no revision tells about, go with the age limit only.
    assert db.session.scalar(count) > 0


def test_no_respondent_data_reaches_the_shared_cache(client, world):
    world.hearing.respondent_ref = "A-123-456-789"
    world.hearing.private_notes = "Respondent Maria Lopez, detained"
    world.hearing.judge = "Judge Private"
    db.session.commit()
    eventcache.clear_memory()
    _read(client, world)
    stored = b"".join(db.session.scalars(select(FeedEventCache.ics)))
    assert b"BEGIN:VEVENT" in stored
    for secret in (b"A-123-456-789", b"Maria Lopez", b"Judge Private"):
        assert secret not in stored
