"""What the preferences page shows about a person's channels."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from scheduler.models import PhoneNumber
from scheduler.notifications.channels.phones import masked
from scheduler.notifications.channels.push_subscriptions import devices
from scheduler.secretbox import SecretBox


@dataclass(frozen=True, slots=True)
class ChannelStatus:
    # The number with all but its last two digits hidden, or None.
    phone: str | None
    phone_verified: bool
    # A code was sent and can still be typed.
    code_pending: bool
    devices: int


def channel_status(session: Session, user_id: int, *, box: SecretBox, now: datetime) -> ChannelStatus:
    row = session.get(PhoneNumber, user_id)
    phone = masked(box.decrypt(row.number_ciphertext)) if row is not None else None
    pending = bool(row and row.code_hash and row.code_expires_at and row.code_expires_at > now)
    return ChannelStatus(
        phone=phone,
        phone_verified=bool(row and row.verified_at),
        code_pending=pending,
        devices=devices(session, user_id),
    )
