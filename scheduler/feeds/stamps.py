"""Each feed's ETag kept in memory, reused while nothing the feed shows can have changed.

Why: calendar apps poll every feed again and again, and almost every poll finds nothing new.
The stamp query (``feed_calendars.stamp``) reads every row a feed is made of, which for a busy
volunteer costs several times the app's smallest response. The change journal
(``scheduler.feeds.changes``) says cheaply whether anything a feed depends on was
written: for a personal feed its counts come with the token lookup itself, so a poll with
nothing new costs one indexed query and no stamp query.

The cached stamp is the one the stamp query computed, so the ETag is the same whether or not
the cache answered. An entry is reused only while all of these are unchanged: the journal
counts for the person, for everyone and (coordinators, open seats) for the courts concerned;
the person's feed settings; the UTC day (events age out of the window at midnight); and at
most ``FEED_STAMP_CACHE_SECONDS``, a bound on how long a write that bypassed the ORM could go
unseen. Each worker process has its own cache; the journal keeps them all honest.

A memory miss (a new worker, a restart) then looks in the shared store
(``scheduler.feeds.stampstore``: Redis or a table) for the stamp another worker computed under
the very same key, with the same expiry, before it runs the stamp query.

With ``FEED_STAMP_VERIFY`` (on in the test suite) every reuse is checked against a fresh stamp
query and a difference raises ``StaleFeedStamp``: any test that changes data and polls a feed
then also proves that change reaches the journal.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduler.enums import FeedKind
from scheduler.feeds import calendars as feed_calendars
from scheduler.feeds import coverage as feed_coverage
from scheduler.feeds import stampstore
from scheduler.feeds.content import FeedSettings, Stamp, Window
from scheduler.feeds.tokens import FeedOwner
from scheduler.models import FeedChange
from scheduler.types import utcnow


class StaleFeedStamp(AssertionError):
    """A reused ETag differs from a fresh one: a write did not reach the change journal."""


@dataclass(frozen=True, slots=True)
class _Entry:
    key: tuple[Any, ...]
    stamp: Stamp
    expires: float


def _court_marks(session: Session, owner: FeedOwner) -> tuple[Any, ...]:
    """Journal counts for the courts a coordinator's feed covers (all courts: open seats)."""
    if owner.kind == FeedKind.OPEN_SEATS:
        where = []  # seats anywhere fill up or open: every row counts
    else:
        where = [FeedChange.court_id.is_not(None), feed_coverage.in_scope(owner, FeedChange.court_id)]
    row = session.execute(select(func.count(FeedChange.id), func.max(FeedChange.id)).where(*where)).one()
    return tuple(row)


def _key(session: Session, owner: FeedOwner, window: Window, base_url: str) -> tuple[Any, ...]:
    courts = (
        () if owner.kind == FeedKind.PERSONAL and not owner.is_coordinator else _court_marks(session, owner)
    )
    return (
        owner.token_id,
        owner.kind,
        owner.is_coordinator,
        owner.is_admin,
        owner.locale,
        owner.alarm,
        owner.show_waitlist,
        owner.user_changed_at,
        owner.marks,
        courts,
        window,
        base_url,
    )


def current(
    session: Session,
    *,
    owner: FeedOwner,
    window: Window,
    base_url: str,
    settings: FeedSettings,
    cache: dict[str, Any],
    shared: stampstore.SharedStamps | None = None,
) -> Stamp:
    """The feed's ETag and Last-Modified: from memory or the shared store when nothing
    changed, else the stamp query.

    ``cache`` is the process's memory of stamps (the app keeps one: ``feeds.web.stamp_cache``);
    ``shared`` the store every worker sees (``feeds.web.stamp_store``). A stamp computed here is
    left in ``shared.pending`` for the caller to ``stampstore.keep`` (a write: the view commits).
    """
    # Read before the stamp query: a change committed in between then makes the next poll
    # see different counts and recompute, rather than keeping a stamp that predates it.
    key = _key(session, owner, window, base_url)
    now = time.monotonic()
    entry = cache.get(owner.token_hash)
    if entry is not None and entry.key == key and now < entry.expires:
        _check(session, owner, window, base_url, settings, entry.stamp, "cached")
        return entry.stamp
    seconds = settings.stamp_cache_seconds
    digest = stampstore.digest_of(owner.token_hash, key) if shared is not None and seconds > 0 else ""
    wall = utcnow()
    if digest and shared is not None:
        found = shared.find(digest)
        left = stampstore.remaining(found, now=wall, limit=seconds) if found is not None else 0.0
        if found is not None and left > 0:
            _check(session, owner, window, base_url, settings, found.stamp, "shared")
            _remember(cache, settings, owner, _Entry(key, found.stamp, now + left))
            return found.stamp
    stamp = feed_calendars.stamp(session, owner=owner, window=window, base_url=base_url)
    _remember(cache, settings, owner, _Entry(key, stamp, now + seconds))
    if digest and shared is not None:
        shared.remember(digest, stampstore.Entry(stamp, wall + timedelta(seconds=seconds)))
    return stamp


def _check(
    session: Session,
    owner: FeedOwner,
    window: Window,
    base_url: str,
    settings: FeedSettings,
    reused: Stamp,
    level: str,
) -> None:
    """With ``FEED_STAMP_VERIFY``: a reused stamp must be the one the stamp query gives now."""
    if settings.stamp_verify:
        fresh = feed_calendars.stamp(session, owner=owner, window=window, base_url=base_url)
        if fresh != reused:
            raise StaleFeedStamp(f"feed token {owner.token_id}: {level} {reused}, fresh {fresh}")


def _remember(cache: dict[str, Any], settings: FeedSettings, owner: FeedOwner, entry: _Entry) -> None:
    if len(cache) >= settings.stamp_cache_size:
        cache.clear()  # crude, but bounded; a cleared entry costs one look in the shared store
    cache[owner.token_hash] = entry
