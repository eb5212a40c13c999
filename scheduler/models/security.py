"""Secrets that stand for a person: feed tokens and password-reset tokens, stored as hashes."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.enums import FeedKind
from scheduler.extensions import Base
from scheduler.models._columns import created_at, enum_check, enum_type
from scheduler.types import UTCDateTime


class FeedToken(Base):
    """Unlocks one iCal feed and nothing else. Only the SHA-256 of the token is kept.

    ``generation`` numbers a person's links of one kind (1, 2, ...): the token is an HMAC of the
    person, kind and generation under a key that is not in the database, so the page can show
    the current link again. Rows without one are older random tokens (still valid, not showable).
    """

    __tablename__ = "feed_tokens"
    __table_args__ = (enum_check("kind", FeedKind),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[FeedKind] = mapped_column(enum_type(FeedKind), default=FeedKind.PERSONAL)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = created_at()
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    generation: Mapped[int | None] = mapped_column(sa.Integer)


class PasswordResetToken(Base):
    """Single use and short-lived; only the SHA-256 of the emailed token is kept."""

    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = created_at()
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
