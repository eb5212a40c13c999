"""A journal of "this feed may have changed", so a feed poll can answer 304 from memory.

Rows are only ever inserted (by ``scheduler.feeds.changes`` in the same transaction as
the change) and pruned when old: no row is ever updated, so concurrent claims never queue on a
shared counter. A row names a person (their own feed), a court (feeds of its coordinators and
open seats), or neither (every feed: a court was edited, rows were deleted or bulk-written).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.extensions import Base
from scheduler.types import UTCDateTime, utcnow

# Execution option for statements that change nothing any feed shows (e.g. the row lock in
# scheduler.shifts.claims, which writes a column to itself): both feed journals
# (scheduler.feeds.changes and scheduler.feeds.revisions) let them pass. Defined here, beside
# the journal's tables, so the areas that write can name it without importing feeds.
FEED_NEUTRAL = "feed_neutral"


class FeedChange(Base):
    __tablename__ = "feed_changes"
    __table_args__ = (
        # Serves "this person's rows" and "rows for everyone" (user_id and court_id both NULL).
        sa.Index("ix_feed_changes_user_court_id", "user_id", "court_id", "id"),
        sa.Index("ix_feed_changes_court_id_id", "court_id", "id"),
        sa.Index("ix_feed_changes_changed_at", "changed_at"),
    )

    # BigInteger on PostgreSQL (a busy network writes a few rows per change, for years);
    # INTEGER on SQLite, where only that type is an alias of the rowid.
    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    # No foreign keys: a row must outlive a deleted person or court (it says "changed").
    user_id: Mapped[int | None] = mapped_column()
    court_id: Mapped[int | None] = mapped_column()
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class FeedRevision(Base):
    """A calendar event's revision: only ever raised, never pruned (SEQUENCE must not go down).

    ``kind`` names what the event is made from: ``signup`` (a seat in a person's feed),
    ``shift`` (an open seat), ``hearing`` (a coordinator's coverage event), or ``user`` (a
    person's own feed settings and language, added to every event of their feeds). An event's
    SEQUENCE is its hearing's version plus its row's revision plus its owner's: a sum of
    counters that only go up. Raised by ``scheduler.feeds.revisions``.
    """

    __tablename__ = "feed_revisions"

    kind: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    object_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    revision: Mapped[int] = mapped_column(default=0)
