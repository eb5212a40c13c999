"""Web Push subscriptions: one row per device (browser or home-screen app) that said yes."""

from __future__ import annotations

import base64
import binascii
import hashlib
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from scheduler.models import PushSubscription, User


class BadSubscription(ValueError):
    """Not a subscription a browser would make (bad URL or keys)."""


def _key_bytes(value: str, size: int) -> None:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError) as exc:
        raise BadSubscription("key") from exc
    if len(raw) != size:
        raise BadSubscription("key")


def check(endpoint: str, p256dh: str, auth: str) -> None:
    """A push service URL over https and RFC 8291 keys (a 65-byte P-256 point, a 16-byte secret)."""
    if not endpoint or len(endpoint) > 2000 or "\x00" in endpoint:
        raise BadSubscription("endpoint")
    parts = urlsplit(endpoint)
    if parts.scheme != "https" or not parts.hostname:
        raise BadSubscription("endpoint")
    if len(p256dh) > 200 or len(auth) > 64:
        raise BadSubscription("key")
    _key_bytes(p256dh, 65)
    _key_bytes(auth, 16)


def endpoint_hash(endpoint: str) -> str:
    return hashlib.sha256(endpoint.encode()).hexdigest()


def subscribe(
    session: Session, *, user: User, endpoint: str, p256dh: str, auth: str, now: datetime
) -> PushSubscription:
    """Keep this device's subscription; a device that changes hands goes to its new person."""
    check(endpoint, p256dh, auth)
    digest = endpoint_hash(endpoint)
    row = session.scalar(select(PushSubscription).where(PushSubscription.endpoint_hash == digest))
    if row is None:
        row = PushSubscription(endpoint=endpoint, endpoint_hash=digest, created_at=now)
        session.add(row)
    row.user_id = user.id
    row.p256dh = p256dh
    row.auth = auth
    session.flush()
    return row


def unsubscribe(session: Session, *, user: User, endpoint: str) -> bool:
    """Forget this device for this person; whether there was one."""
    result = session.execute(
        delete(PushSubscription).where(
            PushSubscription.user_id == user.id, PushSubscription.endpoint_hash == endpoint_hash(endpoint)
        )
    )
    session.flush()
    return bool(getattr(result, "rowcount", 0))


def remove_all(session: Session, *, user: User) -> None:
    session.execute(delete(PushSubscription).where(PushSubscription.user_id == user.id))
    session.flush()


def devices(session: Session, user_id: int) -> int:
    return session.scalar(select(func.count()).where(PushSubscription.user_id == user_id)) or 0


def subscriptions(session: Session, user_id: int) -> list[PushSubscription]:
    return list(
        session.scalars(
            select(PushSubscription).where(PushSubscription.user_id == user_id).order_by(PushSubscription.id)
        )
    )
