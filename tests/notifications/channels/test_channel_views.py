"""The preferences page's channels: a number and its code, push devices, urgent-alert choices."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from scheduler.extensions import db
from scheduler.models import NotificationPreference, OutboxMessage, PhoneNumber, PushSubscription
from tests.conftest import base_config
from tests.factories import make_user
from tests.notifications.channels.test_webpush import Browser

PRIVATE, PUBLIC = (
    "1MzF2Q3teQmnr6QUrDQckUO8NAvtrOl0J4xO8w1LvR4",
    "BG1jiVDnB2PDihQikLH_yJ5HvxEGTLpD_9Vl1EhNspaWNBB_WXtfuNBKmnI2uf23vK0MCFw49bCcFqa_jiG86hY",
)


@pytest.fixture
def app_config(database_url):
    config = base_config(database_url)
    config.update(
        RATELIMIT_ENABLED=False,
        TWILIO_ACCOUNT_SID="AC123",
        TWILIO_AUTH_TOKEN="tok",
        TWILIO_FROM="+15005550006",
        TWILIO_API_BASE="http://127.0.0.1:9",
        VAPID_PRIVATE_KEY=PRIVATE,
        VAPID_PUBLIC_KEY=PUBLIC,
    )
    return config


def sent_code() -> str:
    row = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "phone_code")).one()
    assert row.channel == "sms" and row.to_email == ""
    return re.search(r"\d{6}", row.text_body).group(0)


def test_add_and_confirm_a_number(app, client, auth):
    user = make_user()
    db.session.commit()
    auth.login_as(user)
    page = client.get("/account/notifications").get_data(as_text=True)
    assert 'id="channels"' in page and "Send me a code" in page and f'data-key="{PUBLIC}"' in page
    response = client.post("/account/channels/phone", data={"number": "(312) 555-0142"})
    assert response.status_code == 302
    page = client.get("/account/notifications").get_data(as_text=True)
    assert "We sent a code" in page and "ending in 42" in page and "5550142" not in page
    client.post("/account/channels/phone/verify", data={"code": sent_code()})
    page = client.get("/account/notifications").get_data(as_text=True)
    assert "Your number ending in 42 is confirmed." in page
    assert db.session.get(PhoneNumber, user.id).verified_at is not None
    client.post("/account/channels/phone/remove")
    assert db.session.get(PhoneNumber, user.id) is None


def test_a_wrong_code_and_a_bad_number_are_explained(app, client, auth):
    user = make_user()
    db.session.commit()
    auth.login_as(user)
    page = client.post("/account/channels/phone", data={"number": "12"}, follow_redirects=True).get_data(
        as_text=True
    )
    assert "not a mobile number" in page
    client.post("/account/channels/phone", data={"number": "3125550142"})
    wrong = "000000" if sent_code() != "000000" else "111111"
    page = client.post(
        "/account/channels/phone/verify", data={"code": wrong}, follow_redirects=True
    ).get_data(as_text=True)
    assert "That code is not right" in page
    assert db.session.get(PhoneNumber, user.id).code_attempts == 1


def test_the_page_in_spanish(app, client, auth):
    user = make_user(locale="es")
    db.session.commit()
    auth.login_as(user)
    page = client.get("/account/notifications").get_data(as_text=True)
    assert "Alertas urgentes" in page and "Envíenme un código" in page


def test_subscribe_and_unsubscribe_a_device(app, client, auth):
    user, other = make_user(), make_user()
    db.session.commit()
    auth.login_as(user)
    keys = Browser().keys
    body = {"endpoint": "https://push.example.test/send/abc", "keys": keys}
    assert client.post("/account/channels/push/subscribe", json=body).status_code == 204
    assert client.post("/account/channels/push/subscribe", json=body).status_code == 204  # once per device
    [row] = db.session.scalars(select(PushSubscription))
    assert row.user_id == user.id and row.p256dh == keys["p256dh"]
    assert "1 device receives notifications." in client.get("/account/notifications").get_data(as_text=True)
    auth.logout()
    auth.login_as(other)
    assert (
        client.post("/account/channels/push/unsubscribe", json={"endpoint": body["endpoint"]}).status_code
        == 204
    )
    assert db.session.scalars(select(PushSubscription)).one().user_id == user.id  # not theirs to remove
    auth.logout()
    auth.login_as(user)
    client.post("/account/channels/push/unsubscribe", json={"endpoint": body["endpoint"]})
    assert db.session.scalars(select(PushSubscription)).all() == []


@pytest.mark.parametrize(
    "body",
    [
        None,
        {"endpoint": "http://push.example.test/x", "keys": Browser().keys},
        {"endpoint": "https://push.example.test/x", "keys": {"p256dh": "short", "auth": "x"}},
        {"endpoint": ["https://a"], "keys": {}},
        {"endpoint": "https://push.example.test/x", "keys": "nope"},
        {"endpoint": "https://push.example.test/\x00", "keys": Browser().keys},
    ],
)
def test_bad_subscriptions_are_refused(app, client, auth, body):
    user = make_user()
    db.session.commit()
    auth.login_as(user)
    response = client.post("/account/channels/push/subscribe", json=body)
    assert response.status_code == 400
    assert db.session.scalars(select(PushSubscription)).all() == []


def test_urgent_channel_choices_are_saved(app, client, auth):
    user = make_user()
    db.session.commit()
    auth.login_as(user)
    client.post("/account/channels/urgent", data={"urgent_sms": "y", "urgent_push": "y"})
    assert db.session.get(NotificationPreference, user.id).urgent_channels == ["sms", "push"]
    page = client.get("/account/notifications").get_data(as_text=True)
    assert re.search(r'id="urgent_email"(?![^>]*checked)', page)
    assert re.search(r'id="urgent_sms"[^>]*checked|checked[^>]*id="urgent_sms"', page)


def test_other_kinds_channel_choices_are_saved(app, client, auth):
    user = make_user()
    db.session.commit()
    auth.login_as(user)
    page = client.get("/account/notifications").get_data(as_text=True)
    assert 'name="kind_changes"' in page and 'name="kind_digest"' not in page  # digest: coordinators
    client.post(
        "/account/channels/kinds", data={"kind_reminder": ["push", "bogus", "email"], "kind_changes": "sms"}
    )
    row = db.session.get(NotificationPreference, user.id)
    assert row.kind_channels == {"changes": ["sms"], "reminder": ["push"]}
