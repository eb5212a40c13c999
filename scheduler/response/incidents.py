"""Alerts: a seat's volunteer (or the court's staff) opens an incident during the hearing window.

One open incident per hearing and kind: a double tap, or two volunteers tapping at once, land
on the same incident. A partial unique index decides; the insert runs in a savepoint, so the
loser of a race finds the winner's row instead of failing (on PostgreSQL the second insert
waits for the first transaction and then sees its committed row).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from scheduler import audit, events
from scheduler.courts import scope
from scheduler.domain.response import AlertRefused, check_alert_time
from scheduler.enums import HearingStatus, IncidentKind, IncidentStatus, SignupStatus
from scheduler.errors import PermissionDenied, ServiceError
from scheduler.models import Hearing, Incident, IncidentRecipient, OutboxMessage, User
from scheduler.shifts import claims, locking
from scheduler.shifts.facts import load_shift

NOTE_MAX = 280


def _may_alert(session: Session, *, actor: User, shift_id: int, court_id: int) -> bool:
    if scope.may_manage_court(actor, court_id):
        return True
    mine = locking.own_signup(session, shift_id=shift_id, user_id=actor.id)
    return mine is not None and mine.status == SignupStatus.CONFIRMED


def alert_target(session: Session, *, actor: User, shift_id: int, now: datetime) -> Hearing:
    """The hearing an alert from this seat would be about; raises when it may not be raised now.

    PermissionDenied for anyone but the seat's confirmed volunteers and the court's staff;
    AlertRefused("locked_down" / "cancelled" / "too_early" / "too_late") otherwise.
    """
    shift = load_shift(session, shift_id)
    if shift is None:
        raise claims.ShiftMissing()
    hearing = shift.hearing
    if not actor.is_approved or not _may_alert(
        session, actor=actor, shift_id=shift.id, court_id=hearing.court_id
    ):
        raise PermissionDenied()
    if actor.must_reset_password:
        raise AlertRefused("locked_down")
    if hearing.status == HearingStatus.CANCELLED:
        raise AlertRefused("cancelled")
    check_alert_time(now=now, hearing_start=hearing.starts_at, duration_minutes=hearing.duration_minutes)
    return hearing


def _open_incident(session: Session, hearing_id: int, kind: IncidentKind) -> Incident | None:
    return session.scalar(
        select(Incident).where(
            Incident.hearing_id == hearing_id, Incident.kind == kind, Incident.status == IncidentStatus.OPEN
        )
    )


def raise_alert(
    session: Session, *, actor: User, shift_id: int, kind: IncidentKind, note: str, now: datetime
) -> tuple[Incident, bool]:
    """Open the incident (or find the one already open); whether this call opened it."""
    hearing = alert_target(session, actor=actor, shift_id=shift_id, now=now)
    existing = _open_incident(session, hearing.id, kind)
    if existing is not None:
        return existing, False
    incident = Incident(
        hearing_id=hearing.id,
        court_id=hearing.court_id,
        kind=kind,
        note=" ".join(note.split())[:NOTE_MAX],
        raised_by_id=actor.id,
        raised_at=now,
        tier=0,
        tier_reached_at=now,
    )
    try:
        with session.begin_nested():
            session.add(incident)
    except IntegrityError:
        found = _open_incident(session, hearing.id, kind)
        if found is None:
            raise
        return found, False
    audit.record(
        session,
        actor=actor,
        action="incident.raised",
        object_type="incident",
        object_id=incident.id,
        details={"hearing_id": hearing.id, "kind": kind.value},
    )
    events.record(session, events.IncidentRaised(incident_id=incident.id))
    return incident, True


def incident_for_staff(session: Session, *, actor: User, incident_id: int) -> Incident | None:
    """The incident with who was reached, for the court's staff (None if missing; else PermissionDenied)."""
    incident = _load(session, incident_id)
    if incident is not None and not scope.may_manage_court(actor, incident.court_id):
        raise PermissionDenied()
    return incident


def incident_for_viewer(session: Session, *, actor: User, incident_id: int) -> tuple[Incident | None, bool]:
    """The incident and whether ``actor`` is its staff; the people it reached may see it too.

    Those others see what the alert said (kind, court, courtroom, time) and whether someone
    acknowledged: not the raiser's note, the record, nor who else was reached.
    """
    incident = _load(session, incident_id)
    if incident is None:
        return None, False
    if scope.may_manage_court(actor, incident.court_id):
        return incident, True
    if any(r.user_id == actor.id for r in incident.recipients):
        return incident, False
    raise PermissionDenied()


def _load(session: Session, incident_id: int) -> Incident | None:
    return session.scalar(
        select(Incident)
        .where(Incident.id == incident_id)
        .options(
            selectinload(Incident.hearing).selectinload(Hearing.court),
            selectinload(Incident.recipients).selectinload(IncidentRecipient.user),
        )
    )


@dataclass(frozen=True, slots=True)
class Reached:
    """One line of "who was reached": name, tier, channel, handed over when, acknowledged when."""

    name: str
    tier: int
    channel: str
    handed_over_at: datetime | None
    acknowledged_at: datetime | None


def reached(session: Session, incident: Incident) -> list[Reached]:
    sent = {
        row.id: row.sent_at
        for row in session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.id.in_([r.outbox_id for r in incident.recipients if r.outbox_id])
            )
        )
    }
    return [
        Reached(
            name=r.user.display_name if r.user else "",
            tier=r.tier,
            channel=r.channel,
            handed_over_at=sent.get(r.outbox_id) if r.outbox_id else None,
            acknowledged_at=r.acknowledged_at,
        )
        for r in incident.recipients
    ]


@dataclass(frozen=True, slots=True)
class ClosingRecord:
    what_happened: str
    agency: str = ""
    detained_at: datetime | None = None
    released_at: datetime | None = None
    lawyer_reached: bool = False
    family_contacted: bool = False
    follow_up_needed: bool = False
    staff_note: str = ""


def close_incident(
    session: Session, *, actor: User, incident_id: int, record: ClosingRecord, now: datetime
) -> Incident:
    incident = incident_for_staff(session, actor=actor, incident_id=incident_id)
    if incident is None:
        raise ServiceError("not_found")
    if incident.status == IncidentStatus.CLOSED:
        raise ServiceError("already_closed")
    if record.detained_at and record.released_at and record.released_at < record.detained_at:
        raise ServiceError("released_before_detained", field="released_at")
    for name in ClosingRecord.__dataclass_fields__:
        setattr(incident, name, getattr(record, name))
    incident.status = IncidentStatus.CLOSED
    incident.closed_at, incident.closed_by_id = now, actor.id
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="incident.closed",
        object_type="incident",
        object_id=incident.id,
        details={"follow_up_needed": record.follow_up_needed},
    )
    return incident
