"""Web Push (RFC 8030) with encrypted payloads (RFC 8291) and VAPID (RFC 8292), via pywebpush."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02
from pywebpush import WebPushException, webpush

from scheduler.notifications.channels.base import Delivery, DeliveryError
from scheduler.notifications.channels.retry import HttpProvider

# Seconds a push service keeps an undelivered message: an alert is stale after an hour.
PUSH_TTL = 3600


@dataclass(frozen=True, slots=True)
class VapidSettings:
    private_key: str  # base64url of the raw 32-byte P-256 private key
    public_key: str  # base64url of the uncompressed point (the browser's applicationServerKey)
    subject: str  # mailto: or https: contact for push services


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def generate_vapid_keys() -> tuple[str, str]:
    """A new (private, public) VAPID key pair, both base64url."""
    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_numbers().private_value.to_bytes(32, "big")
    public = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return _b64(private), _b64(public)


def payload(delivery: Delivery) -> str:
    """What the service worker shows: title, body and the link a tap opens."""
    return json.dumps(
        {
            "title": delivery.subject,
            "body": delivery.text[:300],
            "url": delivery.link,
            "urgent": delivery.urgent,
        }
    )


class WebPush(HttpProvider[VapidSettings]):
    def __init__(self, settings: VapidSettings, **options: Any) -> None:
        super().__init__(settings, **options)  # policy, http, sleep: see HttpProvider
        self.vapid = Vapid02.from_raw(settings.private_key.encode())

    def send(self, delivery: Delivery) -> None:
        if not delivery.keys:
            raise DeliveryError("no subscription keys", permanent=True)
        try:
            webpush(
                {"endpoint": delivery.to, "keys": delivery.keys},
                data=payload(delivery),
                vapid_private_key=self.vapid,
                vapid_claims={"sub": self.settings.subject},
                ttl=PUSH_TTL,
                headers={"Urgency": "high" if delivery.urgent else "normal"},
                requests_session=self.session,
            )
        except WebPushException as exc:
            raise DeliveryError("web push refused") from exc
