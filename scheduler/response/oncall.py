"""The on-call roster: per court, by weekday and local time window, who is reached first.

A person may be on call for several courts. The court's coordinators (and admins) manage it.
"""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from scheduler import audit
from scheduler.courts import scope
from scheduler.domain.response import Window, on_call_at
from scheduler.domain.timezones import to_local
from scheduler.enums import OnCallRole, UserStatus
from scheduler.errors import PermissionDenied, ServiceError
from scheduler.models import Court, OnCallEntry, User


def _court(session: Session, *, actor: User, court_id: int) -> Court:
    court = session.get(Court, court_id)
    if court is None:
        raise ServiceError("not_found")
    if not scope.may_manage_court(actor, court.id):
        raise PermissionDenied()
    return court


def roster(session: Session, *, actor: User, court_id: int) -> tuple[Court, list[OnCallEntry]]:
    court = _court(session, actor=actor, court_id=court_id)
    entries = list(
        session.scalars(
            select(OnCallEntry)
            .where(OnCallEntry.court_id == court.id)
            .order_by(OnCallEntry.weekday, OnCallEntry.starts, OnCallEntry.id)
            .options(selectinload(OnCallEntry.user))
        )
    )
    return court, entries


def people_to_choose(session: Session) -> list[User]:
    """Approved people who can be put on call, by name."""
    return list(
        session.scalars(select(User).where(User.status == UserStatus.APPROVED).order_by(User.display_name))
    )


def add_entry(
    session: Session,
    *,
    actor: User,
    court_id: int,
    user_id: int,
    role: OnCallRole,
    weekday: int,
    starts: time,
    ends: time,
) -> OnCallEntry:
    court = _court(session, actor=actor, court_id=court_id)
    person = session.get(User, user_id)
    if person is None or person.status != UserStatus.APPROVED:
        raise ServiceError("unknown_person", field="user_id")
    if not 0 <= weekday <= 6:
        raise ServiceError("bad_weekday", field="weekday")
    if ends <= starts:
        raise ServiceError("ends_before_starts", field="ends")
    entry = OnCallEntry(
        court_id=court.id, user_id=person.id, role=role, weekday=weekday, starts=starts, ends=ends
    )
    session.add(entry)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="oncall.added",
        object_type="court",
        object_id=court.id,
        details={"user_id": person.id, "weekday": weekday, "role": role.value},
    )
    return entry


def remove_entry(session: Session, *, actor: User, court_id: int, entry_id: int) -> None:
    court = _court(session, actor=actor, court_id=court_id)
    entry = session.get(OnCallEntry, entry_id)
    if entry is None or entry.court_id != court.id:
        raise ServiceError("not_found")
    session.delete(entry)
    audit.record(
        session,
        actor=actor,
        action="oncall.removed",
        object_type="court",
        object_id=court.id,
        details={"user_id": entry.user_id, "weekday": entry.weekday},
    )
    session.flush()


def on_call_now(session: Session, *, court: Court, now: datetime) -> list[User]:
    """Approved people on call at the court at this instant (its local weekday and time)."""
    entries = session.scalars(
        select(OnCallEntry).where(OnCallEntry.court_id == court.id).order_by(OnCallEntry.id)
    )
    windows = [Window(e.user_id, e.weekday, e.starts, e.ends) for e in entries]
    ids = on_call_at(windows, local=to_local(now, court.timezone))
    if not ids:
        return []
    people = {
        u.id: u
        for u in session.scalars(select(User).where(User.id.in_(ids), User.status == UserStatus.APPROVED))
    }
    return [people[i] for i in ids if i in people]
