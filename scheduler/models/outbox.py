"""Mail waiting to go out, and what each person wants to receive.

A message is written here in the same transaction as the change that causes it, so a change
that commits always has its mail, and a change that rolls back never sends any.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.extensions import Base
from scheduler.models._columns import created_at, enum_check, enum_type, updated_at
from scheduler.types import UTCDateTime


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    # Failed for good and set aside by an admin (its bodies wiped; its dedupe key kept, so a
    # reminder or digest is not queued again).
    DISCARDED = "discarded"


class OutboxMessage(Base):
    """One composed email. Composed at enqueue time, so the worker needs no request or locale."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        enum_check("status", OutboxStatus),
        sa.Index("ix_outbox_messages_status_next_attempt_at", "status", "next_attempt_at"),
        sa.Index("ix_outbox_messages_status_urgent", "status", "urgent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40), index=True)
    # How it goes out (scheduler/notifications/channels): email, sms, signal or push.
    channel: Mapped[str] = mapped_column(sa.String(16), default="email", server_default="email")
    # Urgent messages (rapid-response alerts) are claimed and sent before all others.
    urgent: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Push only: the device it goes to (gone when the push service says the device is gone).
    push_subscription_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("push_subscriptions.id", ondelete="SET NULL")
    )
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # A snapshot: the address the message was meant for when the change happened. Empty for
    # SMS and Signal: the verified number is read (and decrypted) at send time, never copied.
    to_email: Mapped[str] = mapped_column(sa.String(254))
    locale: Mapped[str] = mapped_column(sa.String(8), default="en")
    subject: Mapped[str] = mapped_column(sa.String(300))
    text_body: Mapped[str] = mapped_column(sa.Text)
    html_body: Mapped[str | None] = mapped_column(sa.Text)
    headers: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    ics: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    ics_filename: Mapped[str | None] = mapped_column(sa.String(100))
    ics_method: Mapped[str | None] = mapped_column(sa.String(16))
    # Set for messages that must go out at most once (reminders, digests): a second enqueue
    # with the same key is silently dropped by the unique constraint.
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(200), unique=True)
    status: Mapped[OutboxStatus] = mapped_column(enum_type(OutboxStatus), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The lease: which worker claimed the row and when; an expired lease returns it to pending.
    locked_by: Mapped[str | None] = mapped_column(sa.String(64))
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Error class and SMTP code only: never an address or a body.
    last_error: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[datetime] = created_at()
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class NotificationPreference(Base):
    """Which optional messages a person receives. No row means the defaults below."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    # Hours before a seat to remind; None means the configured default (REMINDER_HOURS).
    reminder_hours: Mapped[list[int] | None] = mapped_column(sa.JSON)
    invitations: Mapped[bool] = mapped_column(default=True)
    late_drops: Mapped[bool] = mapped_column(default=True)
    digest: Mapped[bool] = mapped_column(default=True)
    # Channels for urgent alerts (email, sms, signal, push); None means every channel one has.
    urgent_channels: Mapped[list[str] | None] = mapped_column(sa.JSON)
    # Other channels besides email, per kind of message ({"reminder": ["push"], ...}).
    kind_channels: Mapped[dict[str, list[str]] | None] = mapped_column(sa.JSON)
    updated_at: Mapped[datetime] = updated_at()
