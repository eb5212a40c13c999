"""People with channels, and a worker round whose providers talk to the local fake servers."""

from __future__ import annotations

import os
import socket

from scheduler.extensions import db, secret_box
from scheduler.mail import MailBackend, MemoryBackend
from scheduler.models import PhoneNumber, PushSubscription
from scheduler.notifications import outbox
from scheduler.notifications.channels.base import Provider
from scheduler.notifications.channels.delivery import Senders
from scheduler.notifications.channels.retry import RetryPolicy
from scheduler.notifications.channels.signal_cli import SignalCLI, SignalSettings
from scheduler.notifications.channels.sms import TwilioSettings, TwilioSMS
from scheduler.types import utcnow

NUMBER = "+13125550142"


def closed_port() -> int:
    """A local port nobody listens on (a provider or mail server that is down)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def give_phone(user, number: str = NUMBER, *, verified: bool = True) -> None:
    db.session.add(
        PhoneNumber(
            user_id=user.id,
            number_ciphertext=secret_box().encrypt(number),
            verified_at=utcnow() if verified else None,
        )
    )
    db.session.flush()


def give_device(user, endpoint: str) -> PushSubscription:
    from tests.notifications.channels.test_webpush import Browser

    browser = Browser()
    row = PushSubscription(
        user_id=user.id,
        endpoint=endpoint,
        endpoint_hash=os.urandom(16).hex(),
        p256dh=browser.keys["p256dh"],
        auth=browser.keys["auth"],
    )
    db.session.add(row)
    db.session.flush()
    return row


def sms_to(url: str, naps: list[float], **policy) -> TwilioSMS:
    settings = TwilioSettings(account_sid="AC123", auth_token="tok", from_number="+15005550006", api_base=url)
    return TwilioSMS(settings, policy=RetryPolicy(**policy), sleep=naps.append)


def signal_to(url: str, naps: list[float]) -> SignalCLI:
    return SignalCLI(
        SignalSettings(url=url, account="+15005550007"), policy=RetryPolicy(timeout=2), sleep=naps.append
    )


def run_worker(providers: dict[str, Provider], backend: MailBackend | None = None) -> outbox.SendReport:
    return outbox.send_due(
        db.session,
        backend=backend or MemoryBackend(),
        worker="test",
        domain="accompany.test",
        senders=Senders(providers=providers, box=secret_box()),
    )
