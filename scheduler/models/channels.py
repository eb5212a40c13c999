"""Ways to reach a person besides email: a verified phone number and Web Push subscriptions.

The number is Fernet-encrypted with SECRETS_KEY (scheduler/secretbox.py), like TOTP secrets: the
app must read it back to send an SMS or a Signal message, and a copy of the database alone must
not hand out the phone numbers of people who help immigrants at court.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.extensions import Base
from scheduler.models._columns import created_at
from scheduler.types import UTCDateTime


class PhoneNumber(Base):
    """A person's mobile number; it is used for messages only once confirmed with a code."""

    __tablename__ = "phone_numbers"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    # E.164 (+15551234567), encrypted; never logged, never copied into an outbox row.
    number_ciphertext: Mapped[str] = mapped_column(sa.String(255))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # SHA-256 of the pending code (six digits, salted with the user id); cleared once used.
    code_hash: Mapped[str | None] = mapped_column(sa.String(64))
    code_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    code_attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = created_at()


class PushSubscription(Base):
    """One browser or home-screen app that agreed to receive Web Push (RFC 8030) messages."""

    __tablename__ = "push_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The push service's URL for this device; its SHA-256 keeps one row per device.
    endpoint: Mapped[str] = mapped_column(sa.Text)
    endpoint_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # The browser's keys for RFC 8291 encryption (base64url).
    p256dh: Mapped[str] = mapped_column(sa.String(200))
    auth: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = created_at()
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
