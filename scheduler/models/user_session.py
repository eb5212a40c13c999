"""One row per signed-in session: the cookie carries a random id, the database its hash."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.extensions import Base
from scheduler.models._columns import created_at
from scheduler.types import UTCDateTime


class UserSession(Base):
    """A sign-in on one browser. Revoked (or purged) rows make every copy of the cookie useless."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    # SHA-256 of the random session id in the cookie (and the remember-me cookie).
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = created_at()
    # Moved on at most once a minute; the idle timeout is measured from it.
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
