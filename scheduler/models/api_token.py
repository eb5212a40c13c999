"""Personal API tokens and the responses kept for retried requests (Idempotency-Key)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.extensions import Base
from scheduler.models._columns import created_at
from scheduler.types import UTCDateTime


class ApiToken(Base):
    """A bearer token for /api/v1/. Only the SHA-256 of the secret is kept; it is shown once.

    ``can_write`` adds changes (claims, drops, hearings) to reading; ``can_read_private`` lets a
    coordinator's token read the respondent reference and private notes of hearings in scope.
    ``last_used_at`` is written at most once an hour (as for feed tokens): not an access log.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # The first characters of the secret, shown in the list so a person can tell tokens apart.
    prefix: Mapped[str] = mapped_column(sa.String(12))
    can_write: Mapped[bool] = mapped_column(default=False)
    can_read_private: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = created_at()
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class IdempotentResponse(Base):
    """The response to a create or claim sent with an Idempotency-Key, kept per token and key.

    Written in the same transaction as the change it answers for, so a retry either finds both
    (and gets the same response) or neither; the unique key makes a concurrent twin wait and
    then find the first one's row.
    """

    __tablename__ = "api_idempotent_responses"
    __table_args__ = (sa.UniqueConstraint("token_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(sa.ForeignKey("api_tokens.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(200))
    # SHA-256 of the method, path and body: the same key with another request is refused.
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    status_code: Mapped[int] = mapped_column(sa.Integer)
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = created_at()
