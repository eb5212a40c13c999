"""Rendered calendar events shared by every worker and kept across restarts.

A row is one VEVENT's bytes under the digest of everything that shaped them (the row values,
the owner's words, alarm and base URL, the renderer's code: ``scheduler.feeds.eventcache``).
A changed input is a new digest, so a row is never stale, only unused; the daily purge removes
rows whose event is gone, left the feed window or has a newer revision, and rows past their age.
No foreign keys: a row must not hold up deleting what it was made from.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.extensions import Base
from scheduler.types import UTCDateTime, utcnow


class FeedEventCache(Base):
    __tablename__ = "feed_event_cache"
    __table_args__ = (
        sa.Index("ix_feed_event_cache_kind_object", "kind", "object_id", "revision"),
        sa.Index("ix_feed_event_cache_created_at", "created_at"),
    )

    # SHA-256 (hex) of the event's inputs: what a feed looks the row up by.
    digest: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    # The event key and revision (``FeedRevision``'s kind and object, hearing version plus the
    # event's own revision, without the owner's): what the purge judges a row by.
    kind: Mapped[str] = mapped_column(sa.String(8))
    object_id: Mapped[int] = mapped_column()
    revision: Mapped[int] = mapped_column()
    tzid: Mapped[str] = mapped_column(sa.String(64))
    first_year: Mapped[int] = mapped_column()
    last_year: Mapped[int] = mapped_column()
    ics: Mapped[bytes] = mapped_column(sa.LargeBinary())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
