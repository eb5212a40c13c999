"""The worker hands each outbox row to its channel: urgent first, failures apart, mail down or not."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs

from sqlalchemy import select, update

from scheduler.extensions import db, secret_box
from scheduler.mail import MemoryBackend, SMTPBackend, SMTPSettings
from scheduler.models import OutboxMessage, OutboxStatus, PushSubscription
from scheduler.notifications import outbox
from scheduler.notifications.channels.delivery import Senders
from scheduler.notifications.channels.fanout import enqueue_on_channels
from scheduler.notifications.channels.retry import RetryPolicy
from scheduler.notifications.channels.webpush import VapidSettings, WebPush, generate_vapid_keys
from scheduler.notifications.outbox import Composed
from scheduler.types import utcnow
from tests.factories import make_user
from tests.notifications.channels.conftest import Answer
from tests.notifications.channels.helpers import (
    NUMBER,
    closed_port,
    give_device,
    give_phone,
    run_worker,
    signal_to,
    sms_to,
)

EVERYTHING = ("email", "sms", "signal", "push")


def alert(user, **kw):
    values = dict(
        kind="incident_alert",
        subject="Urgent: ICE present",
        text="Chicago Immigration Court, room 3, 9:00",
        link="https://accompany.test/incidents/1",
        urgent=True,
        now=utcnow(),
        available=EVERYTHING,
    )
    values.update(kw)
    return enqueue_on_channels(db.session, user=user, **values)


def rows() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_urgent_rows_are_claimed_before_older_mail(app):
    user = make_user()
    for n in range(3):
        outbox.enqueue(db.session, user=user, message=Composed(kind="reminder", subject=f"R{n}", text="t"))
    [(_, urgent_id)] = alert(user, available=("email",))
    db.session.commit()
    batch = outbox.claim(db.session, limit=2, worker="w")
    assert batch.ids[0] == urgent_id and len(batch.ids) == 2


def test_mail_server_down_an_urgent_alert_still_goes_out_by_sms(app, provider):
    user = make_user()
    give_phone(user)
    outbox.enqueue(db.session, user=user, message=Composed(kind="reminder", subject="Reminder", text="t"))
    queued = alert(user, available=("email", "sms"))
    db.session.commit()
    assert [c for c, _ in queued] == ["email", "sms"]
    provider.answer(Answer(201))
    down = SMTPBackend(
        SMTPSettings(host="127.0.0.1", port=closed_port(), security="none", timeout=2), "a@b.test"
    )

    report = run_worker({"sms": sms_to(provider.url, [])}, backend=down)

    assert report.sent == 1 and report.retried == 2
    [seen] = provider.requests
    assert parse_qs(seen.body.decode())["To"] == [NUMBER]
    by_channel = {(r.channel, r.kind): r for r in rows()}
    assert by_channel["sms", "incident_alert"].status == OutboxStatus.SENT
    for key in (("email", "incident_alert"), ("email", "reminder")):
        assert by_channel[key].status == OutboxStatus.PENDING and by_channel[key].attempts == 1
    # The urgent email is retried in seconds, the ordinary one in minutes.
    assert by_channel["email", "incident_alert"].next_attempt_at < utcnow() + timedelta(seconds=30)
    assert by_channel["email", "reminder"].next_attempt_at > utcnow() + timedelta(seconds=30)


def test_a_failed_provider_never_blocks_the_others(app, provider):
    user = make_user()
    give_phone(user)
    give_device(user, provider.url + "/push/1")
    alert(user)
    db.session.commit()
    provider.answer(Answer(201))
    private, public = generate_vapid_keys()
    push = WebPush(VapidSettings(private, public, "mailto:a@b.test"), policy=RetryPolicy(), sleep=[].append)
    signal_down = signal_to(f"http://127.0.0.1:{closed_port()}", [])

    report = run_worker({"sms": sms_to(provider.url, []), "signal": signal_down, "push": push})

    status = {r.channel: r.status for r in rows()}
    assert status == {
        "email": OutboxStatus.SENT,
        "sms": OutboxStatus.SENT,
        "push": OutboxStatus.SENT,
        "signal": OutboxStatus.PENDING,
    }
    assert report.sent == 3 and report.retried == 1
    assert sorted(r.path.split("/")[1] for r in provider.requests) == ["2010-04-01", "push"]


def test_5xx_after_the_last_try_is_retried_later_with_backoff(app, provider):
    user = make_user()
    give_phone(user)
    alert(user, available=("sms",))
    db.session.commit()
    provider.answer(Answer(500))
    naps: list[float] = []
    run_worker({"sms": sms_to(provider.url, naps, tries=2)})
    [row] = rows()
    assert row.status == OutboxStatus.PENDING and row.attempts == 1 and row.last_error == "sms: HTTP 500"
    assert naps == [0.5] and len(provider.requests) == 2
    assert utcnow() < row.next_attempt_at <= utcnow() + timedelta(seconds=6)


def test_a_long_retry_after_is_honoured_by_the_outbox(app, provider):
    user = make_user()
    give_phone(user)
    alert(user, available=("sms",))
    db.session.commit()
    provider.answer(Answer(429, headers={"Retry-After": "90"}))
    run_worker({"sms": sms_to(provider.url, [])})
    [row] = rows()
    assert row.status == OutboxStatus.PENDING
    assert row.next_attempt_at >= utcnow() + timedelta(seconds=85)


def test_retries_stop_at_the_maximum(app, provider):
    user = make_user()
    give_phone(user)
    alert(user, available=("sms",))
    db.session.commit()
    provider.answer(Answer(503))
    for _ in range(3):
        db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
        outbox.send_due(
            db.session,
            backend=MemoryBackend(),
            worker="t",
            domain="d",
            max_attempts=3,
            senders=Senders(providers={"sms": sms_to(provider.url, [], tries=1)}, box=secret_box()),
        )
    [row] = rows()
    assert row.status == OutboxStatus.FAILED and row.attempts == 3


def test_push_410_forgets_the_device(app, provider):
    user = make_user()
    device_id = give_device(user, provider.url + "/push/gone").id
    alert(user, available=("push",))
    db.session.commit()
    provider.answer(Answer(410))
    private, public = generate_vapid_keys()
    push = WebPush(VapidSettings(private, public, "mailto:a@b.test"), policy=RetryPolicy(), sleep=[].append)
    run_worker({"push": push})
    [row] = rows()
    assert row.status == OutboxStatus.FAILED and row.last_error == "push: HTTP 410"
    assert db.session.get(PushSubscription, device_id) is None


def test_a_channel_without_settings_fails_the_row_for_good(app):
    user = make_user()
    give_phone(user)
    alert(user, available=("sms",))
    db.session.commit()
    report = run_worker({})
    assert report.failed == 1 and rows()[0].last_error == "sms: channel not configured"
