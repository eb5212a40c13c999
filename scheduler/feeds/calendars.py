"""A whole feed as the feed route serves it: its change stamp and its bytes, for each kind of owner.

A volunteer's feed is their seats (``scheduler.feeds.content``); a coordinator's adds the
hearings they coordinate, and an open-seats feed is the open seats
(``scheduler.feeds.coverage``). This module sits above both and picks.
"""

from __future__ import annotations

import hashlib

from sqlalchemy.orm import Session

from scheduler.domain import feeds as domain
from scheduler.enums import FeedKind
from scheduler.feeds import coverage as feed_coverage
from scheduler.feeds import eventcache
from scheduler.feeds import revisions as feed_revisions
from scheduler.feeds.content import Stamp, Window, Words, volunteer_events, volunteer_stamp
from scheduler.feeds.tokens import FeedOwner


def stamp(session: Session, *, owner: FeedOwner, window: Window, base_url: str) -> Stamp:
    """The feed's ETag and Last-Modified, one aggregate query per part of the feed."""
    if owner.kind == FeedKind.OPEN_SEATS:
        return feed_coverage.open_seats_stamp(session, owner=owner, window=window, base_url=base_url)
    own = volunteer_stamp(session, owner=owner, window=window, base_url=base_url)
    if not owner.is_coordinator:
        return own
    # A coordinator's feed: the hearings they coordinate, and the seats they hold themselves.
    coverage = feed_coverage.coordinator_stamp(session, owner=owner, window=window, base_url=base_url)
    both = hashlib.sha256((coverage.etag + own.etag).encode()).hexdigest()[:32]
    return Stamp(etag=f'"{both}"', last_modified=max(coverage.last_modified, own.last_modified))


def body(
    session: Session,
    *,
    owner: FeedOwner,
    window: Window,
    base_url: str,
    words: Words,
    uid_domain: str,
    cache: eventcache.EventCache | None = None,
) -> bytes:
    """The feed's bytes; ``words`` in the owner's language for the owner's kind of feed.

    ``cache`` gives the shared level of rendered events and collects what this call rendered
    itself (``scheduler.feeds.eventcache``); without it, this process's memory only.
    """
    cache = cache or eventcache.EventCache()
    # Only on a full answer (the 304 path stays one query): the owner's revision moves only
    # with their own row (language, alarm), whose updated_at is already in the stamp.
    rev = feed_revisions.owner_revision(session, owner.user_id)
    if owner.kind == FeedKind.OPEN_SEATS:
        builders = [feed_coverage.open_seat_events]
    elif owner.is_coordinator:  # the hearings they coordinate, then the seats they hold
        builders = [feed_coverage.coordinator_events, volunteer_events]
    else:
        builders = [volunteer_events]
    events = [
        event
        for build in builders
        for event in build(
            session,
            owner=owner,
            window=window,
            base_url=base_url,
            words=words,
            uid_domain=uid_domain,
            revision=rev,
            cache=cache,
        )
    ]
    zones: dict[str, int] = {}
    for event in events:
        zones[event.tzid] = zones.get(event.tzid, 0) + 1
    main_zone = max(zones, key=zones.__getitem__) if zones else "America/New_York"
    info = domain.CalendarInfo(name=words.calendar_name, tzid=main_zone)
    today = window.today.date()
    blocks = cache.zones(domain.timezone_spans(info=info, events=events, today=today))
    return domain.join_calendar(info=info, events=events, today=today, zones=blocks)
