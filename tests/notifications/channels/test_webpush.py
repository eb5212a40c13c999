"""Web Push against a local push endpoint: the payload decrypts with the subscription's keys."""

from __future__ import annotations

import base64
import json
import os
import time

import http_ece
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from scheduler.notifications.channels.base import Delivery, DeliveryError
from scheduler.notifications.channels.retry import RetryPolicy
from scheduler.notifications.channels.webpush import VapidSettings, WebPush, generate_vapid_keys
from tests.notifications.channels.conftest import Answer


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Browser:
    """What a browser keeps for one subscription: its ECDH key and auth secret (RFC 8291)."""

    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        point = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        self.keys = {"p256dh": b64(point), "auth": b64(self.auth)}

    def decrypt(self, body: bytes) -> dict:
        return json.loads(
            http_ece.decrypt(body, private_key=self.key, auth_secret=self.auth, version="aes128gcm")
        )


@pytest.fixture
def vapid() -> VapidSettings:
    private, public = generate_vapid_keys()
    return VapidSettings(private_key=private, public_key=public, subject="mailto:alerts@accompany.test")


def send(provider, naps, vapid, browser, **kw):
    delivery = Delivery(
        to=provider.url + "/push/device-1",
        subject="Urgent: person detained",
        text="Chicago court, room 3",
        link="https://accompany.test/incidents/1",
        urgent=True,
        keys=browser.keys,
        **kw,
    )
    WebPush(vapid, policy=RetryPolicy(), sleep=naps.append).send(delivery)


def test_payload_is_encrypted_for_the_subscription_and_decrypts(provider, naps, vapid):
    provider.answer(Answer(201))
    browser = Browser()
    send(provider, naps, vapid, browser)
    [seen] = provider.requests
    assert seen.path == "/push/device-1"
    assert seen.headers["content-encoding"] == "aes128gcm"
    assert b"person detained" not in seen.body
    assert browser.decrypt(seen.body) == {
        "title": "Urgent: person detained",
        "body": "Chicago court, room 3",
        "url": "https://accompany.test/incidents/1",
        "urgent": True,
    }
    assert seen.headers["urgency"] == "high" and int(seen.headers["ttl"]) > 0


def test_vapid_jwt_is_signed_by_our_key_for_the_push_service(provider, naps, vapid):
    provider.answer(Answer(201))
    send(provider, naps, vapid, Browser())
    authorization = provider.requests[0].headers["authorization"]
    assert authorization.startswith("vapid t=")
    token, key = (part.split("=", 1)[1] for part in authorization[len("vapid ") :].split(","))
    assert key == vapid.public_key
    header, claims, signature = token.split(".")
    assert json.loads(unb64(header))["alg"] == "ES256"
    body = json.loads(unb64(claims))
    assert body["aud"] == provider.url and body["sub"] == "mailto:alerts@accompany.test"
    assert body["exp"] > time.time()
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(vapid.public_key))
    raw = unb64(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    public.verify(der, f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))  # raises if forged


@pytest.mark.parametrize("status", [404, 410])
def test_a_gone_subscription_says_so(provider, naps, vapid, status):
    provider.answer(Answer(status))
    with pytest.raises(DeliveryError) as caught:
        send(provider, naps, vapid, Browser())
    assert caught.value.gone and caught.value.permanent
    assert len(provider.requests) == 1


def test_push_429_and_5xx_are_retried(provider, naps, vapid):
    provider.answer(Answer(429, headers={"Retry-After": "1"}), Answer(500), Answer(201))
    browser = Browser()
    send(provider, naps, vapid, browser)
    assert naps == [1.0, 1.0] and len(provider.requests) == 3
    assert browser.decrypt(provider.requests[-1].body)["title"] == "Urgent: person detained"
