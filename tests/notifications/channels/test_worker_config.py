"""The worker builds its providers from the settings; the VAPID key command makes usable keys."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs

import pytest
from cryptography.hazmat.primitives import serialization
from sqlalchemy import select

from scheduler.extensions import db
from scheduler.models import OutboxMessage, OutboxStatus
from scheduler.notifications.channels.fanout import enqueue_on_channels
from scheduler.notifications.channels.webpush import VapidSettings, WebPush
from scheduler.notifications.worker import send_once
from scheduler.types import utcnow
from tests.conftest import base_config
from tests.factories import make_user
from tests.notifications.channels.conftest import Answer
from tests.notifications.channels.helpers import NUMBER, give_phone


@pytest.fixture
def app_config(database_url, provider):
    config = base_config(database_url)
    config.update(
        TWILIO_ACCOUNT_SID="AC9",
        TWILIO_AUTH_TOKEN="tok",
        TWILIO_FROM="+15005550006",
        TWILIO_API_BASE=provider.url,
    )
    return config


def test_the_worker_sends_sms_through_the_configured_provider(app, provider):
    user = make_user()
    give_phone(user)
    queued = enqueue_on_channels(
        db.session,
        user=user,
        kind="incident_alert",
        subject="Urgent",
        text="Court, room 3",
        link="https://accompany.test/i/1",
        urgent=True,
        now=utcnow(),
    )
    db.session.commit()
    assert [c for c, _ in queued] == ["email", "sms"]  # signal and push are not configured here
    provider.answer(Answer(201))
    report = send_once()
    assert report.sent == 2
    [seen] = provider.requests
    assert seen.path == "/2010-04-01/Accounts/AC9/Messages.json"
    assert parse_qs(seen.body.decode())["To"] == [NUMBER]
    assert {r.status for r in db.session.scalars(select(OutboxMessage))} == {OutboxStatus.SENT}


def test_generate_vapid_keys_prints_a_working_pair(app, runner):
    result = runner.invoke(args=["push", "generate-vapid-keys"])
    assert result.exit_code == 0
    lines = dict(line.split("=", 1) for line in result.output.splitlines() if "=" in line)
    pusher = WebPush(VapidSettings(lines["VAPID_PRIVATE_KEY"], lines["VAPID_PUBLIC_KEY"], "mailto:a@b.test"))
    point = pusher.vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    assert base64.urlsafe_b64encode(point).rstrip(b"=").decode() == lines["VAPID_PUBLIC_KEY"]
