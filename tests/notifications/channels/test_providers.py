"""SMS (Twilio) and Signal (signal-cli) against local servers that speak their HTTP APIs."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs

import pytest

from scheduler.notifications.channels.base import Delivery, DeliveryError
from scheduler.notifications.channels.retry import RetryPolicy, retry_after
from scheduler.notifications.channels.signal_cli import SignalCLI, SignalSettings
from scheduler.notifications.channels.sms import TwilioSettings, TwilioSMS
from tests.notifications.channels.conftest import Answer

NUMBER = "+13125550142"
ALERT = Delivery(
    to=NUMBER,
    subject="Urgent: ICE present",
    text="Chicago court, room 3, 9:00",
    link="https://x.test/i/1",
    urgent=True,
)


def twilio(provider, naps, **policy) -> TwilioSMS:
    settings = TwilioSettings(
        account_sid="AC123", auth_token="secret-token", from_number="+15005550006", api_base=provider.url
    )
    return TwilioSMS(settings, policy=RetryPolicy(**policy), sleep=naps.append)


def test_sms_request_shape_and_auth(provider, naps):
    provider.answer(Answer(201, {"sid": "SM1", "status": "queued"}))
    twilio(provider, naps).send(ALERT)
    [seen] = provider.requests
    assert seen.path == "/2010-04-01/Accounts/AC123/Messages.json"
    assert seen.headers["authorization"] == "Basic " + base64.b64encode(b"AC123:secret-token").decode()
    assert seen.headers["content-type"] == "application/x-www-form-urlencoded"
    form = {k: v[0] for k, v in parse_qs(seen.body.decode()).items()}
    assert form["To"] == NUMBER and form["From"] == "+15005550006"
    assert form["Body"].startswith("Urgent: ICE present\nChicago court") and form["Body"].endswith(
        "https://x.test/i/1"
    )
    assert naps == []


def test_sms_body_is_short_and_keeps_the_link(provider, naps):
    long = Delivery(to=NUMBER, subject="S", text="x" * 2000, link="https://x.test/i/1")
    twilio(provider, naps).send(long)
    body = parse_qs(provider.requests[0].body.decode())["Body"][0]
    assert len(body) <= 320 and body.endswith("\nhttps://x.test/i/1")


def test_429_waits_what_retry_after_says(provider, naps):
    provider.answer(Answer(429, headers={"Retry-After": "2"}), Answer(201))
    twilio(provider, naps).send(ALERT)
    assert len(provider.requests) == 2
    assert naps == [2.0]


def test_a_long_retry_after_is_left_to_the_outbox(provider, naps):
    provider.answer(Answer(429, headers={"Retry-After": "120"}))
    with pytest.raises(DeliveryError) as caught:
        twilio(provider, naps).send(ALERT)
    assert caught.value.retry_after == 120 and not caught.value.permanent
    assert len(provider.requests) == 1 and naps == []


def test_5xx_is_retried_with_exponential_backoff_up_to_a_maximum(provider, naps):
    provider.answer(Answer(500), Answer(502), Answer(503), Answer(201))
    twilio(provider, naps, tries=5, base_delay=0.5, max_delay=1.5).send(ALERT)
    assert len(provider.requests) == 4
    assert naps == [0.5, 1.0, 1.5]


def test_5xx_that_never_ends_raises_after_the_last_try(provider, naps):
    provider.answer(Answer(500))
    with pytest.raises(DeliveryError) as caught:
        twilio(provider, naps, tries=3).send(ALERT)
    assert len(provider.requests) == 3 and naps == [0.5, 1.0]
    assert caught.value.reason == "HTTP 500" and not caught.value.permanent and not caught.value.unreachable


def test_a_refused_message_is_not_retried(provider, naps):
    provider.answer(Answer(400, {"code": 21211, "message": "invalid To"}))
    with pytest.raises(DeliveryError) as caught:
        twilio(provider, naps).send(ALERT)
    assert caught.value.permanent and len(provider.requests) == 1


def test_a_timeout_gives_up_at_once_and_says_unreachable(provider, naps):
    provider.answer(Answer(201, delay=0.5))
    with pytest.raises(DeliveryError) as caught:
        twilio(provider, naps, timeout=0.2).send(ALERT)
    assert caught.value.unreachable and caught.value.reason == "timeout"
    assert len(provider.requests) == 1


def test_a_server_that_is_not_there_is_unreachable(naps):
    settings = TwilioSettings(
        account_sid="AC1", auth_token="t", from_number="+15005550006", api_base="http://127.0.0.1:9"
    )
    with pytest.raises(DeliveryError) as caught:
        TwilioSMS(settings, policy=RetryPolicy(timeout=1), sleep=naps.append).send(ALERT)
    assert caught.value.unreachable


def test_retry_after_reads_seconds_and_dates():
    assert retry_after("7") == 7.0
    assert retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert retry_after("soon") is None and retry_after(None) is None


def signal(provider, naps) -> SignalCLI:
    return SignalCLI(
        SignalSettings(url=provider.url, account="+15005550007"), policy=RetryPolicy(), sleep=naps.append
    )


def test_signal_json_rpc_shape(provider, naps):
    provider.answer(Answer(200, {"jsonrpc": "2.0", "result": {"timestamp": 1}, "id": 1}))
    signal(provider, naps).send(ALERT)
    [seen] = provider.requests
    assert seen.path == "/api/v1/rpc"
    request = seen.json()
    assert request["jsonrpc"] == "2.0" and request["method"] == "send"
    assert request["params"]["account"] == "+15005550007"
    assert request["params"]["recipient"] == [NUMBER]
    assert (
        "ICE present" in request["params"]["message"] and "https://x.test/i/1" in request["params"]["message"]
    )


def test_signal_error_answer_is_a_failure(provider, naps):
    provider.answer(
        Answer(200, {"jsonrpc": "2.0", "error": {"code": -32602, "message": "unregistered"}, "id": 1})
    )
    with pytest.raises(DeliveryError) as caught:
        signal(provider, naps).send(ALERT)
    assert caught.value.permanent


def test_signal_5xx_then_success(provider, naps):
    provider.answer(
        Answer(503, headers={"Retry-After": "1"}), Answer(200, {"jsonrpc": "2.0", "result": {}, "id": 1})
    )
    signal(provider, naps).send(ALERT)
    assert naps == [1.0] and len(provider.requests) == 2
