"""From an outbox row to a provider's Delivery: the destination is looked up at send time.

SMS and Signal rows carry no number: the person's verified number is decrypted here, just
before sending, so a number removed or changed after the message was queued is respected and
no plaintext number is ever stored in the outbox. A push row names its subscription.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import delete
from sqlalchemy.orm import Session

from scheduler.models import OutboxMessage, PhoneNumber, PushSubscription
from scheduler.notifications.channels.base import PHONE_CHANNELS, PUSH, Delivery, DeliveryError, Provider
from scheduler.notifications.sending import Failure
from scheduler.secretbox import SecretBox

# The one kind sent to a number not yet verified: the code that verifies it.
PHONE_CODE_KIND = "phone_code"


@dataclass
class Senders:
    """The providers this worker can use, by channel (email is the outbox's mail backend)."""

    providers: Mapping[str, Provider] = field(default_factory=dict)
    box: SecretBox | None = None

    def prepare(self, session: Session, row: OutboxMessage) -> Callable[[], None]:
        """Look up the destination now; the returned call sends (and may raise DeliveryError)."""
        provider = self.providers.get(row.channel)
        if provider is None:
            raise DeliveryError("channel not configured", permanent=True)
        delivery = resolve(session, row, self.box)
        return lambda: provider.send(delivery)

    def failure(self, session: Session, row: OutboxMessage, exc: Exception) -> Failure | None:
        """What the outbox records; a gone push subscription is forgotten here."""
        if not isinstance(exc, DeliveryError):
            return None
        if exc.gone:
            forget_subscription(session, row.push_subscription_id)
        return Failure(
            f"{row.channel}: {exc.reason}",
            permanent=exc.permanent,
            retry_after=exc.retry_after,
            unreachable=exc.unreachable,
        )


def _phone(session: Session, row: OutboxMessage, box: SecretBox | None) -> str:
    phone = session.get(PhoneNumber, row.user_id) if row.user_id is not None else None
    if phone is None or box is None:
        raise DeliveryError("no number", permanent=True)
    if phone.verified_at is None and row.kind != PHONE_CODE_KIND:
        raise DeliveryError("number not verified", permanent=True)
    return box.decrypt(phone.number_ciphertext)


def resolve(session: Session, row: OutboxMessage, box: SecretBox | None) -> Delivery:
    """The Delivery for a non-email row; DeliveryError(permanent) when it has nowhere to go."""
    link = str((row.headers or {}).get("X-Link", ""))
    if row.channel in PHONE_CHANNELS:
        to, keys = _phone(session, row, box), None
    elif row.channel == PUSH:
        sub = session.get(PushSubscription, row.push_subscription_id) if row.push_subscription_id else None
        if sub is None:
            raise DeliveryError("subscription gone", permanent=True)
        to, keys = sub.endpoint, {"p256dh": sub.p256dh, "auth": sub.auth}
    else:
        raise DeliveryError(f"unknown channel {row.channel}", permanent=True)
    return Delivery(to=to, subject=row.subject, text=row.text_body, link=link, urgent=row.urgent, keys=keys)


def forget_subscription(session: Session, subscription_id: int | None) -> None:
    """The push service said the device is gone (404/410): stop sending to it."""
    if subscription_id is not None:
        session.execute(delete(PushSubscription).where(PushSubscription.id == subscription_id))
