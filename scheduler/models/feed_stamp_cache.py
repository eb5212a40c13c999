"""Feed ETags shared by every worker and kept across restarts (``scheduler.feeds.stampstore``).

A row is one stamp (ETag and newest change) under the SHA-256 of the token's hash and
everything the stamp was valid for (journal counts, feed settings, window, base URL...). A
change to any of them is another digest, so a row is never stale, only unused; it is not
reused after ``expires_at`` (``FEED_STAMP_CACHE_SECONDS`` after it was computed), and the
daily purge removes it then. No token, name or foreign key: a digest reveals nothing and must
not hold up deleting what it was made from.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.extensions import Base
from scheduler.types import UTCDateTime


class FeedStampCache(Base):
    __tablename__ = "feed_stamp_cache"
    __table_args__ = (sa.Index("ix_feed_stamp_cache_expires_at", "expires_at"),)

    # SHA-256 (hex) of the token's hash and the key the stamp was computed under.
    digest: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    etag: Mapped[str] = mapped_column(sa.String(80))  # quoted, as the ETag header carries it
    last_modified: Mapped[datetime] = mapped_column(UTCDateTime())  # to the microsecond
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
