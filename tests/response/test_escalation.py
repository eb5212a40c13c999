"""Reaching people: on call first, then coordinators, then admins, until someone acknowledges."""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
from sqlalchemy import select

from scheduler.enums import IncidentKind, Role
from scheduler.extensions import db
from scheduler.models import Incident, IncidentRecipient, OutboxMessage, OutboxStatus
from scheduler.response import escalation
from scheduler.response.incidents import raise_alert
from scheduler.types import utcnow
from tests.factories import dispatch_intents, make_user
from tests.response.helpers import START, hearing_today, minutes, on_call

WAIT = timedelta(minutes=3)
RAISED = START + minutes(70)


def _setup(*, with_on_call: bool = True):
    hearing, volunteer, _signup = hearing_today()
    responder = on_call(hearing.court) if with_on_call else None
    on_call(hearing.court, weekday=4)  # Friday: not reached on a Thursday
    coordinators = [make_user(role=Role.COORDINATOR, courts=(hearing.court,)) for _ in range(2)]
    make_user(role=Role.COORDINATOR, courts=(hearing_today()[0].court,))  # another court's
    admin = make_user(role=Role.ADMIN)
    incident, _opened = raise_alert(
        db.session,
        actor=volunteer,
        shift_id=hearing.shifts[0].id,
        kind=IncidentKind.ICE_PRESENT,
        note="",
        now=RAISED,
    )
    return incident, responder, coordinators, admin


def _reached() -> dict[int, int]:
    db.session.expire_all()
    return {r.user_id: r.tier for r in db.session.scalars(select(IncidentRecipient))}


def _token_for(user_id: int) -> str:
    body = db.session.scalar(
        select(OutboxMessage.text_body).where(
            OutboxMessage.user_id == user_id, OutboxMessage.kind == "urgent_alert"
        )
    )
    return re.search(r"/response/ack/([A-Za-z0-9_-]+)", body).group(1)


def test_the_on_call_people_are_reached_first_with_an_urgent_message(app) -> None:
    _incident, responder, _coordinators, _admin = _setup()
    before = utcnow()
    dispatch_intents()
    assert _reached() == {responder.id: 0}
    recipient = db.session.scalar(select(IncidentRecipient))
    row = db.session.get(OutboxMessage, recipient.outbox_id)
    assert recipient.channel == "email"
    assert row.kind == "urgent_alert" and row.status == OutboxStatus.PENDING
    assert row.headers["Importance"] == "high"
    assert before - timedelta(seconds=5) <= row.next_attempt_at <= utcnow()
    assert recipient.token_hash not in row.text_body and len(recipient.token_hash) == 64


def test_nobody_acknowledges_so_coordinators_then_admins_are_reached(app) -> None:
    incident, responder, coordinators, admin = _setup()
    dispatch_intents()
    assert escalation.due_escalations(db.session, RAISED + WAIT - timedelta(seconds=1), wait=WAIT) == []
    assert escalation.due_escalations(db.session, RAISED + WAIT, wait=WAIT) == [incident.id]
    assert escalation.due_escalations(db.session, RAISED + WAIT, wait=WAIT) == []  # moved once
    dispatch_intents()
    assert _reached() == {responder.id: 0, coordinators[0].id: 1, coordinators[1].id: 1}
    incident = db.session.get(Incident, incident.id)
    assert incident.tier == 1
    # The next tier's clock starts when it was reached (the handler ran at the real time).
    later = incident.tier_reached_at + WAIT
    assert escalation.due_escalations(db.session, later, wait=WAIT) == [incident.id]
    dispatch_intents()
    assert _reached()[admin.id] == 2
    assert escalation.due_escalations(db.session, later + 10 * WAIT, wait=WAIT) == []  # no tier left


def test_an_acknowledgement_stops_the_escalation_and_the_link_works_once(app) -> None:
    incident, responder, _coordinators, _admin = _setup()
    dispatch_intents()
    token = _token_for(responder.id)
    assert escalation.check_ack(db.session, token=token, now=RAISED).user_id == responder.id
    escalation.acknowledge(db.session, token=token, now=RAISED + minutes(1))
    assert incident.acknowledged_at == RAISED + minutes(1) and incident.acknowledged_by_id == responder.id
    assert escalation.due_escalations(db.session, RAISED + 10 * WAIT, wait=WAIT) == []
    with pytest.raises(escalation.AckRefused) as used:
        escalation.acknowledge(db.session, token=token, now=RAISED + minutes(2))
    assert used.value.code == "used"
    with pytest.raises(escalation.AckRefused) as bogus:
        escalation.check_ack(db.session, token="not-a-token", now=RAISED)
    assert bogus.value.code == "invalid"


def test_an_acknowledgement_link_expires(app) -> None:
    _incident, responder, _coordinators, _admin = _setup()
    dispatch_intents()
    token = _token_for(responder.id)
    expires = db.session.scalar(select(IncidentRecipient.expires_at))
    with pytest.raises(escalation.AckRefused) as expired:
        escalation.acknowledge(db.session, token=token, now=expires + timedelta(seconds=1))
    assert expired.value.code == "expired"


def test_with_nobody_on_call_the_coordinators_are_reached_at_once(app) -> None:
    incident, _responder, coordinators, _admin = _setup(with_on_call=False)
    dispatch_intents()
    assert _reached() == {c.id: 1 for c in coordinators}
    assert db.session.get(Incident, incident.id).tier == 1


def test_on_call_windows_are_read_in_the_courts_zone(app) -> None:
    hearing, volunteer, _signup = hearing_today()
    # 10:10 in Chicago: the morning person is reached, the afternoon one is not.
    morning = on_call(hearing.court, starts=time(8, 0), ends=time(12, 0))
    on_call(hearing.court, starts=time(12, 0), ends=time(18, 0))
    raise_alert(
        db.session,
        actor=volunteer,
        shift_id=hearing.shifts[0].id,
        kind=IncidentKind.OTHER,
        note="",
        now=RAISED,
    )
    from scheduler.response.oncall import on_call_now

    assert [u.id for u in on_call_now(db.session, court=hearing.court, now=RAISED)] == [morning.id]


def test_each_worker_round_escalates_what_is_due(app) -> None:
    from scheduler.notifications.worker import send_once

    incident, responder, coordinators, _admin = _setup()
    dispatch_intents()
    incident.tier_reached_at = utcnow() - timedelta(minutes=app.config["ESCALATION_MINUTES"], seconds=1)
    db.session.commit()
    send_once()
    assert _reached() == {responder.id: 0, coordinators[0].id: 1, coordinators[1].id: 1}
    sent = db.session.scalars(select(OutboxMessage.status).where(OutboxMessage.kind == "urgent_alert"))
    assert set(sent) == {OutboxStatus.SENT}


def test_a_person_no_channel_takes_is_listed_as_not_reached(app, client, auth, monkeypatch) -> None:
    from scheduler.notifications import messages

    monkeypatch.setattr(messages, "send_urgent", lambda session, **kw: [])
    incident, responder, coordinators, _admin = _setup()
    dispatch_intents()
    recipient = db.session.scalar(select(IncidentRecipient).where(IncidentRecipient.user_id == responder.id))
    assert (recipient.channel, recipient.outbox_id) == ("", None)
    db.session.commit()
    auth.login_as(coordinators[0])
    page = client.get(f"/response/incidents/{incident.id}/reached").get_data(as_text=True)
    assert responder.display_name in page and "Not reached" in page


def test_the_people_reached_see_what_the_alert_said_and_nothing_more(app, client, auth) -> None:
    incident, responder, _coordinators, _admin = _setup()
    incident.note = "MARKER-NOTE"
    dispatch_intents()
    db.session.commit()
    auth.login_as(responder)
    page = client.get(f"/response/incidents/{incident.id}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "ICE present" in body and "Courtroom 12B" in body
    assert "MARKER-NOTE" not in body and "Close the incident" not in body
    assert client.get(f"/response/incidents/{incident.id}/reached").status_code == 403
    auth.logout()
    auth.login_as(make_user())
    assert client.get(f"/response/incidents/{incident.id}").status_code == 403
