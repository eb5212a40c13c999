"""The feed pieces that need the Flask app: words in a language, settings, keys, stamp cache.

View side (the feed views, the CLI and the notifications consumer use it); the feed services
(``content``, ``coverage``, ``stamps``, ``tokens``) take what this makes as plain parameters.
"""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from typing import Any

import redis
from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy.orm import Session

from scheduler import i18n
from scheduler.domain import feeds as domain
from scheduler.enums import FeedKind
from scheduler.feeds import content as feed_content
from scheduler.feeds import eventcache, stampstore
from scheduler.feeds import tokens as feeds
from scheduler.feeds.content import FeedSettings, Words
from scheduler.types import utcnow

STAMP_CACHE_KEY = "feed_stamps"
REDIS_KEY = "feed_event_redis"


@lru_cache(maxsize=32)
def words_for(locale: str, kind: FeedKind, *, coordinator: bool) -> Words:
    """The feed's words in the owner's language (no request needed: works in CLI and mail)."""
    with force_locale(locale):
        if kind == FeedKind.OPEN_SEATS:
            name = gettext("Accompany: open seats")
        elif coordinator:
            name = gettext("Accompany: hearings I coordinate")
        else:
            name = gettext("Accompany: my commitments")
        return Words(
            labels=domain.Labels(
                waitlist=gettext("(waitlist)"),
                role=gettext("Role"),
                courtroom=gettext("Courtroom"),
                meeting_point=gettext("Meeting point"),
                notes=gettext("Notes"),
                team_lead=gettext("Team lead"),
                open_in_app=gettext("Details in Accompany (sign-in needed)"),
                filled=gettext("%(filled)s/%(capacity)s filled"),
                cancelled=gettext("Cancelled"),
                reminder=gettext("Reminder"),
            ),
            roles={k: str(v) for k, v in i18n.SHIFT_ROLE_NAMES.items()},
            kinds={k: str(v) for k, v in i18n.HEARING_KIND_NAMES.items()},
            calendar_name=name,
        )


def seat_words(locale: str) -> Words:
    """The words of a personal feed, for one seat's event."""
    return words_for(locale, FeedKind.PERSONAL, coordinator=False)


def settings() -> FeedSettings:
    return FeedSettings.from_config(current_app.config)


def stamp_cache() -> dict[str, Any]:
    """This app's in-memory ETag cache (``scheduler/feeds/stamps.py``)."""
    cache: dict[str, Any] = current_app.extensions.setdefault(STAMP_CACHE_KEY, {})
    return cache


def stamp_store(session: Session) -> stampstore.SharedStamps:
    """The shared level of feed stamps for this request: Redis (its breaker and client are the
    event cache's), or the table."""
    table = stampstore.TableStore(session)
    url = current_app.config.get("FEED_CACHE_URL") or ""
    if not url:
        return stampstore.SharedStamps(table)
    client, breaker = _redis(url)
    return stampstore.SharedStamps(stampstore.RedisStore(client, fallback=table, breaker=breaker))


def event_cache(session: Session) -> eventcache.EventCache:
    """The levels of rendered events for this request: memory, then Redis or the table."""
    table = eventcache.TableStore(session)
    url = current_app.config.get("FEED_CACHE_URL") or ""
    if not url:
        return eventcache.EventCache(shared=table)
    client, breaker = _redis(url)
    ttl = timedelta(days=int(current_app.config["FEED_CACHE_KEEP_DAYS"]))
    return eventcache.EventCache(
        shared=eventcache.RedisStore(client, ttl=ttl, fallback=table, breaker=breaker)
    )


def _redis(url: str) -> tuple[Any, eventcache.Breaker]:
    """This app's Redis client for the feed caches and whether it answered lately (made once)."""
    made = current_app.extensions.get(REDIS_KEY)
    if made is None:
        timeout = float(current_app.config["FEED_CACHE_TIMEOUT"])
        client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
        made = current_app.extensions[REDIS_KEY] = (client, eventcache.Breaker())
    return made


def feed_key() -> bytes:
    """The key feed links are derived with: FEED_TOKEN_KEY, else one derived from SECRET_KEY."""
    config = current_app.config
    return feeds.token_key(config.get("FEED_TOKEN_KEY") or config["SECRET_KEY"])


def event_ics_for_signup(session: Session, *, signup_id: int, base_url: str) -> bytes | None:
    """A one-event calendar for a seat, with the same UID and SEQUENCE as in the feed.

    For change emails (notifications) and the "Add to my calendar" download. Written in the
    seat holder's language. None if there is no such signup.
    """
    return feed_content.single_event(
        session,
        signup_id=signup_id,
        base_url=base_url,
        now=utcnow(),
        words_for=seat_words,
        uid_domain=settings().uid_domain,
    )
