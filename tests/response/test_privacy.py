"""No respondent data in any rapid-response message; incidents follow retention and the audit log."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from scheduler.enums import CheckInState, IncidentKind, Role
from scheduler.extensions import db
from scheduler.models import AuditEvent, Incident, IncidentRecipient, NotificationIntent, OutboxMessage
from scheduler.privacy import retention
from scheduler.response import escalation
from scheduler.response.checkin import CheckInSettings, check_in
from scheduler.response.incidents import ClosingRecord, close_incident, raise_alert
from scheduler.types import utcnow
from tests.factories import dispatch_intents, make_user
from tests.response.helpers import START, hearing_today, minutes, on_call

REF, PRIVATE, NOTE = "MARKER-RESP-7731", "MARKER-PRIV-5510", "MARKER-NOTE-3390"
MARKERS = (REF, PRIVATE, NOTE)


def _all_text(row: OutboxMessage) -> str:
    return " ".join([row.subject, row.text_body, row.html_body or "", str(row.headers), row.to_email])


def test_alert_and_check_in_messages_name_no_respondent_nor_the_note(app) -> None:
    hearing, volunteer, _signup = hearing_today(seats=2)
    hearing.respondent_ref, hearing.private_notes = REF, PRIVATE
    leaver = make_user()
    from tests.factories import make_signup

    make_signup(shift=hearing.shifts[0], user=leaver)
    responder = on_call(hearing.court, user=make_user(locale="es"))
    make_user(role=Role.COORDINATOR, courts=(hearing.court,))
    make_user(role=Role.ADMIN)
    db.session.flush()
    check_in(
        db.session,
        actor=leaver,
        shift_id=hearing.shifts[0].id,
        state=CheckInState.CANT_MAKE_IT,
        now=START - minutes(120),
        settings=CheckInSettings(),
    )
    incident, _ = raise_alert(
        db.session,
        actor=volunteer,
        shift_id=hearing.shifts[0].id,
        kind=IncidentKind.PERSON_DETAINED,
        note=f"{NOTE} taken by two officers",
        now=START + minutes(70),
    )
    payloads = " ".join(str(p) for p in db.session.scalars(select(NotificationIntent.payload)))
    assert not any(m in payloads for m in MARKERS)
    dispatch_intents()
    escalation.due_escalations(db.session, START + minutes(80), wait=timedelta(minutes=3))
    dispatch_intents()
    escalation.due_escalations(db.session, START + minutes(90), wait=timedelta(minutes=3))
    dispatch_intents()
    rows = list(db.session.scalars(select(OutboxMessage)))
    kinds = {r.kind for r in rows}
    assert {"urgent_alert", "cant_make_it"} <= kinds
    for row in rows:
        text = _all_text(row)
        assert not any(m in text for m in MARKERS), f"{row.kind} carries respondent data"
    alert = next(r for r in rows if r.kind == "urgent_alert" and r.user_id == responder.id)
    # Court, courtroom, time, kind and the links: in the recipient's language.
    assert hearing.court.name in alert.subject and "Persona detenida" in alert.subject
    assert "Sala: 12B" in alert.text_body and "9:00 CST" in alert.text_body
    assert re.search(r"/response/ack/\S+", alert.text_body)
    assert f"/response/incidents/{incident.id}" in alert.text_body


def test_old_incidents_lose_their_words_and_who_was_reached_but_keep_their_counts(app) -> None:
    now = utcnow()
    hearing, volunteer, _signup = hearing_today(starts_at=now - timedelta(days=100))
    on_call(hearing.court, weekday=hearing.starts_at.weekday())
    coordinator = make_user(role=Role.COORDINATOR, courts=(hearing.court,))
    incident, _ = raise_alert(
        db.session,
        actor=volunteer,
        shift_id=hearing.shifts[0].id,
        kind=IncidentKind.ICE_PRESENT,
        note=NOTE,
        now=hearing.starts_at,
    )
    dispatch_intents()
    close_incident(
        db.session,
        actor=coordinator,
        incident_id=incident.id,
        record=ClosingRecord(what_happened="detained at 10", agency="ICE", staff_note="cousin's number"),
        now=hearing.starts_at + timedelta(hours=2),
    )
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(IncidentRecipient)) >= 1
    result = retention.purge(db.session, now=now, hearing_days=90)
    db.session.commit()
    db.session.expire_all()
    assert result.incidents_wiped == 1
    kept = db.session.get(Incident, incident.id)
    assert (kept.note, kept.what_happened, kept.agency, kept.staff_note) == ("", "", "", "")
    assert kept.kind == IncidentKind.ICE_PRESENT and kept.court_id == hearing.court_id
    assert db.session.scalar(select(func.count()).select_from(IncidentRecipient)) == 0
    assert retention.purge(db.session, now=now, hearing_days=90).incidents_wiped == 0


def test_incidents_are_in_the_audit_log(app) -> None:
    hearing, volunteer, _signup = hearing_today()
    responder = on_call(hearing.court)
    coordinator = make_user(role=Role.COORDINATOR, courts=(hearing.court,))
    incident, _ = raise_alert(
        db.session,
        actor=volunteer,
        shift_id=hearing.shifts[0].id,
        kind=IncidentKind.OTHER,
        note="",
        now=START + minutes(70),
    )
    dispatch_intents()
    body = db.session.scalar(select(OutboxMessage.text_body).where(OutboxMessage.user_id == responder.id))
    token = re.search(r"/response/ack/([A-Za-z0-9_-]+)", body).group(1)
    escalation.acknowledge(db.session, token=token, now=START + minutes(71))
    close_incident(
        db.session,
        actor=coordinator,
        incident_id=incident.id,
        record=ClosingRecord(what_happened="false alarm"),
        now=START + minutes(90),
    )
    actions = list(
        db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.object_type == "incident").order_by(AuditEvent.id)
        )
    )
    assert actions == ["incident.raised", "incident.acknowledged", "incident.closed"]
    details = " ".join(str(d) for d in db.session.scalars(select(AuditEvent.details)))
    assert "false alarm" not in details
