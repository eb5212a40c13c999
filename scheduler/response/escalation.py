"""Who is reached about an incident, their single-use acknowledgement links, and escalation.

Tiers: the court's on-call roster, then all of the court's coordinators, then the admins. A
tier with nobody in it is passed over at once. If nobody acknowledges within the wait
(``ESCALATION_MINUTES``), ``due_escalations`` (run by every worker round) records the next
tier's event; the notifications handler reaches its people. Each person gets a random token
whose SHA-256 alone is stored; the link acknowledges once, until it expires, without sign-in.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import CursorResult, exists, select, update
from sqlalchemy.orm import Session

from scheduler import audit, events
from scheduler.domain.response import LAST_TIER, TIER_COORDINATORS, TIER_ON_CALL, escalation_due
from scheduler.enums import IncidentStatus, Role, UserStatus
from scheduler.errors import ServiceError
from scheduler.feeds.tokens import hash_token
from scheduler.models import Incident, IncidentRecipient, User, coordinator_courts
from scheduler.response.oncall import on_call_now


@dataclass(frozen=True, slots=True)
class Reach:
    """A person to message now, with the one copy of their acknowledgement token."""

    user: User
    token: str
    recipient: IncidentRecipient


def _coordinators(session: Session, court_id: int) -> list[User]:
    """The court's coordinators; when nobody is scoped to it, the coordinators with no scope."""
    staff = select(User).where(User.status == UserStatus.APPROVED, User.role == Role.COORDINATOR)
    scoped = list(
        session.scalars(
            staff.join(coordinator_courts, coordinator_courts.c.user_id == User.id)
            .where(coordinator_courts.c.court_id == court_id)
            .order_by(User.id)
        )
    )
    if scoped:
        return scoped
    has_scope = exists().where(coordinator_courts.c.user_id == User.id)
    return list(session.scalars(staff.where(~has_scope).order_by(User.id)))


def tier_people(session: Session, *, incident: Incident, tier: int) -> list[User]:
    """Who a tier holds: on call when the alert was raised, the court's coordinators, the admins."""
    if tier == TIER_ON_CALL:
        return on_call_now(session, court=incident.court, now=incident.raised_at)
    if tier == TIER_COORDINATORS:
        return _coordinators(session, incident.court_id)
    return list(
        session.scalars(
            select(User).where(User.status == UserStatus.APPROVED, User.role == Role.ADMIN).order_by(User.id)
        )
    )


def reach_tier(
    session: Session, *, incident_id: int, tier: int, now: datetime, link_ttl: timedelta
) -> list[Reach]:
    """Recipients (with fresh tokens) of the first tier from ``tier`` on that has someone new.

    Nobody while the incident is closed or acknowledged. A tier's wait runs from when it was
    recorded (the alert, or ``due_escalations``); passing over empty tiers restarts it.
    """
    incident = session.get(Incident, incident_id)
    if incident is None or incident.status != IncidentStatus.OPEN or incident.acknowledged_at:
        return []
    already = set(
        session.scalars(select(IncidentRecipient.user_id).where(IncidentRecipient.incident_id == incident.id))
    )
    # Never before the tier was recorded (a clock behind the alert's would shorten the links).
    now = max(now, incident.tier_reached_at)
    people: list[User] = []
    level = min(max(tier, incident.tier), LAST_TIER)
    for level in range(level, LAST_TIER + 1):  # noqa: B020  (the tier found is kept)
        people = [p for p in tier_people(session, incident=incident, tier=level) if p.id not in already]
        if people:
            break
    if level != incident.tier:  # tiers with nobody were passed over: this one's wait starts now
        incident.tier, incident.tier_reached_at = level, now
    reaches = []
    for person in people:
        token = secrets.token_urlsafe(32)
        row = IncidentRecipient(
            incident_id=incident.id,
            user_id=person.id,
            tier=level,
            token_hash=hash_token(token),
            expires_at=now + link_ttl,
            created_at=now,
        )
        session.add(row)
        reaches.append(Reach(person, token, row))
    session.flush()
    return reaches


def mark_reached(recipient: IncidentRecipient, handed: list[tuple[str, int]]) -> None:
    """Note the channel and outbox row that took the message; none means "not reached"."""
    if handed:
        recipient.channel, recipient.outbox_id = handed[0]


def due_escalations(session: Session, now: datetime, *, wait: timedelta = timedelta(minutes=3)) -> list[int]:
    """Move each unacknowledged incident whose tier waited ``wait`` to the next tier; their ids.

    Each move is a conditional update on the tier it read, so two workers move it once.
    """
    candidates = session.execute(
        select(Incident.id, Incident.tier, Incident.tier_reached_at).where(
            Incident.status == IncidentStatus.OPEN,
            Incident.acknowledged_at.is_(None),
            Incident.tier < LAST_TIER,
            Incident.tier_reached_at <= now - wait,
        )
    ).all()
    moved = []
    for incident_id, tier, reached_at in candidates:
        if not escalation_due(tier=tier, tier_reached_at=reached_at, acknowledged=False, now=now, wait=wait):
            continue
        result = session.execute(
            update(Incident)
            .where(Incident.id == incident_id, Incident.tier == tier, Incident.acknowledged_at.is_(None))
            .values(tier=tier + 1, tier_reached_at=now)
            .execution_options(synchronize_session=False)
        )
        assert isinstance(result, CursorResult)
        if result.rowcount == 1:
            events.record(session, events.IncidentEscalated(incident_id=incident_id, tier=tier + 1))
            moved.append(incident_id)
    return moved


class AckRefused(ServiceError):
    """The link is unknown, expired or used already (``code``)."""


def _recipient(session: Session, *, token: str, now: datetime) -> IncidentRecipient:
    row = session.scalar(select(IncidentRecipient).where(IncidentRecipient.token_hash == hash_token(token)))
    if row is None:
        raise AckRefused("invalid")
    if row.acknowledged_at is not None:
        raise AckRefused("used")
    if now > row.expires_at:
        raise AckRefused("expired")
    return row


def check_ack(session: Session, *, token: str, now: datetime) -> IncidentRecipient:
    """The recipient a link belongs to, if it may still acknowledge (reads only)."""
    return _recipient(session, token=token, now=now)


def acknowledge(session: Session, *, token: str, now: datetime) -> Incident:
    """Acknowledge once; the first acknowledgement stops the escalation."""
    row = _recipient(session, token=token, now=now)
    row.acknowledged_at = now
    incident = row.incident
    if incident.acknowledged_at is None:
        incident.acknowledged_at, incident.acknowledged_by_id = now, row.user_id
    session.flush()
    audit.record(
        session,
        actor=row.user,
        action="incident.acknowledged",
        object_type="incident",
        object_id=incident.id,
        details={"tier": row.tier},
    )
    return incident
