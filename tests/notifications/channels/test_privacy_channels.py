"""Privacy of the channels: what reaches a provider, the export, account deletion."""

from __future__ import annotations

import json
from urllib.parse import unquote_plus

from sqlalchemy import select

from scheduler.extensions import db
from scheduler.models import OutboxMessage, PhoneNumber, PushSubscription
from scheduler.notifications.channels.fanout import enqueue_on_channels
from scheduler.notifications.channels.retry import RetryPolicy
from scheduler.notifications.channels.webpush import VapidSettings, WebPush, generate_vapid_keys
from scheduler.types import utcnow
from tests.factories import make_court, make_hearing, make_user
from tests.notifications.channels.conftest import Answer
from tests.notifications.channels.helpers import (
    NUMBER,
    give_device,
    give_phone,
    run_worker,
    signal_to,
    sms_to,
)


def test_a_provider_receives_the_message_and_nothing_else(app, provider):
    """Subject, text, link and the destination: no other field of the row or the hearing leaks."""
    hearing = make_hearing(court=make_court(), respondent_ref="Marisol R.", private_notes="fled violence")
    user = make_user(display_name="Vera Volunteer")
    give_phone(user)
    device = give_device(user, provider.url + "/push/1")
    keys = {"p256dh": device.p256dh, "auth": device.auth}
    enqueue_on_channels(
        db.session,
        user=user,
        kind="incident_alert",
        subject="Urgent: ICE present",
        text=f"{hearing.court.name}, 9:00",
        link="https://accompany.test/incidents/1",
        urgent=True,
        now=utcnow(),
        available=("sms", "signal", "push"),
    )
    db.session.commit()
    provider.answer(Answer(201, {"jsonrpc": "2.0", "result": {}, "id": 1}))
    private, public = generate_vapid_keys()
    push = WebPush(VapidSettings(private, public, "mailto:a@b.test"), policy=RetryPolicy(), sleep=[].append)
    run_worker({"sms": sms_to(provider.url, []), "signal": signal_to(provider.url, []), "push": push})
    assert len(provider.requests) == 3
    bodies = [unquote_plus(r.body.decode("latin-1")) for r in provider.requests]
    for body in bodies:
        for secret in ("Marisol", "fled violence", "Vera Volunteer", user.email):
            assert secret not in body
    # The push payload is encrypted; only the device can read it (asserted in test_webpush.py).
    assert keys["auth"] not in bodies[-1]
    for row in db.session.scalars(select(OutboxMessage)):
        assert row.to_email == "" and NUMBER not in json.dumps(row.headers) and NUMBER not in row.text_body


def test_the_export_holds_ones_number_and_devices(app, client, auth):
    user = make_user()
    give_phone(user)
    give_device(user, "https://push.example.test/1")
    db.session.commit()
    auth.login_as(user)
    data = json.loads(client.get("/account/export").get_data(as_text=True))
    assert data["alert_channels"]["mobile_number"] == NUMBER
    assert data["alert_channels"]["mobile_number_verified_at"] is not None
    assert len(data["alert_channels"]["push_devices"]) == 1
    assert "push.example.test" not in json.dumps(data)  # a device's push URL is a capability, not shown


def test_deleting_the_account_removes_the_number_and_devices(app, client, auth):
    user = make_user()
    give_phone(user)
    give_device(user, "https://push.example.test/1")
    db.session.commit()
    auth.login_as(user)
    response = client.post(
        "/account/delete", data={"password": "correct horse battery staple", "understood": "y"}
    )
    assert response.status_code == 302
    assert db.session.scalars(select(PhoneNumber)).all() == []
    assert db.session.scalars(select(PushSubscription)).all() == []
