"""Who is reached on which channel, and a mobile number proved by a code sent by SMS."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select

from scheduler.extensions import db, secret_box
from scheduler.models import OutboxMessage, PhoneNumber
from scheduler.notifications import preferences
from scheduler.notifications.channels import phones
from scheduler.notifications.channels.fanout import enqueue_on_channels
from scheduler.types import utcnow
from tests.factories import make_user
from tests.notifications.channels.conftest import Answer
from tests.notifications.channels.helpers import NUMBER, give_device, give_phone, run_worker, sms_to

EVERYTHING = ("email", "sms", "signal", "push")


def fan(user, *, urgent=True, available=EVERYTHING):
    return enqueue_on_channels(
        db.session,
        user=user,
        kind="incident_alert",
        subject="Urgent: person detained",
        text="Chicago court, room 3",
        link="https://accompany.test/incidents/7",
        urgent=urgent,
        now=utcnow(),
        available=available,
    )


def test_every_channel_a_person_has_by_default(app):
    user = make_user()
    give_phone(user)
    give_device(user, "https://push.example.test/a")
    give_device(user, "https://push.example.test/b")
    queued = fan(user)
    assert [c for c, _ in queued] == ["email", "sms", "signal", "push", "push"]
    stored = {r.id: r for r in db.session.scalars(select(OutboxMessage))}
    assert all(stored[i].urgent for _, i in queued)
    email = stored[queued[0][1]]
    assert email.to_email == user.email and "https://accompany.test/incidents/7" in email.text_body
    assert all(stored[i].to_email == "" for c, i in queued if c != "email")


def test_only_the_channels_the_person_chose(app):
    user = make_user()
    give_phone(user)
    preferences.save_urgent_channels(db.session, user=user, channels=["sms"], known=EVERYTHING)
    assert [c for c, _ in fan(user)] == ["sms"]


def test_a_channel_not_configured_here_is_skipped(app):
    user = make_user()
    give_phone(user)
    assert [c for c, _ in fan(user, available=("email", "signal"))] == ["email", "signal"]


def test_nobody_reached_is_an_empty_list(app):
    user = make_user()
    give_phone(user, verified=False)
    preferences.save_urgent_channels(db.session, user=user, channels=["sms", "push"], known=EVERYTHING)
    assert fan(user) == []


def test_ordinary_messages_go_by_email_only(app):
    user = make_user()
    give_phone(user)
    assert [c for c, _ in fan(user, urgent=False)] == ["email"]


def test_numbers_are_checked_and_normalised():
    assert phones.normalise("(312) 555-0142", region="US") == NUMBER
    assert phones.normalise("+52 55 1234 5678", region="US") == "+525512345678"
    for bad in ("", "12", "not a number", "+1 000 000 0000", "3" * 41, "312\x00555"):
        with pytest.raises(phones.PhoneError):
            phones.normalise(bad, region="US")


def start(user, number="312 555 0142", now=None):
    codes: list[str] = []

    def message(code: str) -> tuple[str, str]:
        codes.append(code)
        return "Accompany code", f"Your code is {code}"

    phones.start(
        db.session,
        user=user,
        raw=number,
        region="US",
        box=secret_box(),
        now=now or utcnow(),
        minutes=10,
        message=message,
    )
    return codes[0]


def test_a_code_confirms_the_number_once(app):
    user = make_user()
    code = start(user)
    row = db.session.get(PhoneNumber, user.id)
    assert NUMBER not in row.number_ciphertext and "5550142" not in row.number_ciphertext
    assert code not in (row.code_hash or "")
    assert phones.verified_number(db.session, user.id, box=secret_box()) is None
    phones.confirm(db.session, user=user, code=code, now=utcnow(), max_attempts=5)
    assert phones.verified_number(db.session, user.id, box=secret_box()) == NUMBER
    with pytest.raises(phones.PhoneError) as again:
        phones.confirm(db.session, user=user, code=code, now=utcnow(), max_attempts=5)
    assert again.value.reason == "no_code"


def test_wrong_codes_are_counted_and_then_refused(app):
    user = make_user()
    code = start(user)
    wrong = "000000" if code != "000000" else "111111"
    reasons = []
    for _ in range(3):
        with pytest.raises(phones.PhoneError) as caught:
            phones.confirm(db.session, user=user, code=wrong, now=utcnow(), max_attempts=3)
        reasons.append(caught.value.reason)
    assert reasons == ["wrong", "wrong", "too_many"]
    with pytest.raises(phones.PhoneError) as caught:
        phones.confirm(db.session, user=user, code=code, now=utcnow(), max_attempts=3)
    assert caught.value.reason == "too_many"


def test_an_expired_code_is_refused(app):
    user = make_user()
    code = start(user, now=utcnow() - timedelta(minutes=11))
    with pytest.raises(phones.PhoneError) as caught:
        phones.confirm(db.session, user=user, code=code, now=utcnow(), max_attempts=5)
    assert caught.value.reason == "expired"


def test_the_code_goes_by_sms_to_the_unverified_number_and_nothing_else_does(app, provider, caplog):
    caplog.set_level(logging.DEBUG)
    user = make_user()
    code = start(user)
    fan(user, available=("sms",))  # not verified yet: an alert does not use the number
    db.session.commit()
    provider.answer(Answer(201))
    run_worker({"sms": sms_to(provider.url, [])})
    [seen] = provider.requests
    assert NUMBER in seen.body.decode().replace("%2B", "+") and code in seen.body.decode()
    [row] = db.session.scalars(select(OutboxMessage))
    assert row.kind == "phone_code" and row.to_email == ""


def test_numbers_never_reach_the_logs(app, provider, caplog):
    caplog.set_level(logging.DEBUG)
    user = make_user()
    give_phone(user)
    fan(user, available=("sms",))
    db.session.commit()
    provider.answer(Answer(500))
    run_worker({"sms": sms_to(provider.url, [], tries=1)})
    provider.answer(Answer(201))
    db.session.execute(OutboxMessage.__table__.update().values(next_attempt_at=utcnow()))
    db.session.commit()
    run_worker({"sms": sms_to(provider.url, [])})
    assert len(provider.requests) == 2
    logged = caplog.text + "".join(r.getMessage() for r in caplog.records)
    assert "outbox" in logged
    for fragment in (NUMBER, "3125550142", "5550142"):
        assert fragment not in logged
    [row] = db.session.scalars(select(OutboxMessage))
    assert "555" not in row.last_error


def test_removing_the_number_stops_sms(app):
    user = make_user()
    give_phone(user)
    phones.remove(db.session, user=user)
    assert fan(user, available=("sms", "signal")) == []


def test_key_rotation_reencrypts_numbers(app):
    user = make_user()
    give_phone(user)
    from cryptography.fernet import Fernet

    from scheduler.secretbox import SecretBox

    newer = SecretBox([Fernet.generate_key().decode(), *box_keys(app)])
    assert phones.reencrypt_numbers(db.session, box=newer) == 1
    assert phones.verified_number(db.session, user.id, box=newer) == NUMBER
    assert phones.reencrypt_numbers(db.session, box=newer) == 0


def box_keys(app) -> list[str]:
    return list(app.config["SECRETS_KEY"])


def test_other_kinds_also_go_on_the_channels_chosen_for_them(app):
    from scheduler.notifications import outbox

    user = make_user()
    give_phone(user)
    give_device(user, "https://push.example.test/a")
    preferences.save_kind_channels(
        db.session,
        user=user,
        chosen={"reminder": ["push", "sms"], "changes": ["signal"]},
        known=EVERYTHING[1:],
    )
    reminder = outbox.Composed(
        kind="reminder", subject="Seat tomorrow", text="long mail", link="https://a.test/s/1"
    )
    assert outbox.enqueue(db.session, user=user, message=reminder, dedupe_key="reminder:24:1") is not None
    assert outbox.enqueue(db.session, user=user, message=reminder, dedupe_key="reminder:24:1") is None  # once
    outbox.enqueue(db.session, user=user, message=outbox.Composed(kind="invitation", subject="I", text="t"))
    rows = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    assert [(r.kind, r.channel) for r in rows] == [
        ("reminder", "email"),
        ("reminder", "sms"),
        ("reminder", "push"),
        ("invitation", "email"),
    ]
    sms = rows[1]
    assert sms.text_body == "" and sms.headers == {"X-Link": "https://a.test/s/1"} and sms.to_email == ""
    assert len({r.dedupe_key for r in rows[:3]}) == 3
