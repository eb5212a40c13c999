"""What every channel provider is: ``send(Delivery)``, raising DeliveryError when it did not go."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

EMAIL = "email"
SMS = "sms"
SIGNAL = "signal"
PUSH = "push"
CHANNELS = (EMAIL, SMS, SIGNAL, PUSH)
# Channels that need a verified phone number.
PHONE_CHANNELS = (SMS, SIGNAL)


@dataclass(frozen=True, slots=True)
class Delivery:
    """One message for one destination, already in the recipient's language.

    ``to`` is the destination the provider understands: an email address, an E.164 number, or a
    push subscription's endpoint (with ``keys``). It is never logged.
    """

    to: str
    subject: str
    text: str
    link: str = ""
    urgent: bool = False
    # Push only: the subscription's p256dh and auth keys.
    keys: dict[str, str] | None = None


class DeliveryError(Exception):
    """The provider did not take the message.

    ``unreachable``: no answer (refused, timed out), so the rest of this batch on the channel
    waits instead of waiting for the same timeout again. ``permanent``: the provider refused the
    message itself (a bad number), so retrying is pointless. ``gone``: the destination no longer
    exists (a push subscription answered 404 or 410). ``retry_after``: seconds the provider
    asked us to wait (429 or 503 with Retry-After).
    """

    def __init__(
        self,
        reason: str,
        *,
        unreachable: bool = False,
        permanent: bool = False,
        gone: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason[:120]
        self.unreachable = unreachable
        self.permanent = permanent or gone
        self.gone = gone
        self.retry_after = retry_after


class Provider(Protocol):
    def send(self, delivery: Delivery) -> None: ...


def short_text(delivery: Delivery, *, limit: int) -> str:
    """Subject, text and link in at most ``limit`` characters, the link kept whole."""
    link = f"\n{delivery.link}" if delivery.link else ""
    body = f"{delivery.subject}\n{delivery.text}".strip()
    room = max(limit - len(link), 0)
    if len(body) > room:
        body = body[: max(room - 1, 0)].rstrip() + "…"
    return body + link
