"""Reading the audit trail for the admins' page: filters and paging."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload

from scheduler.models import AuditEvent, User
from scheduler.paging import Slice, distinct_values, read_slice


@dataclass(frozen=True)
class AuditFilter:
    action: str = ""
    actor: str = ""
    object_type: str = ""
    object_id: int | None = None
    since: date | None = None
    until: date | None = None


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def query(filters: AuditFilter) -> Select:
    """Newest first; an action ending in "." matches the whole family ("user." = every user event)."""
    stmt = select(AuditEvent).options(selectinload(AuditEvent.actor)).order_by(AuditEvent.id.desc())
    if filters.action:
        if filters.action.endswith("."):
            stmt = stmt.where(AuditEvent.action.startswith(filters.action, autoescape=True))
        else:
            stmt = stmt.where(AuditEvent.action == filters.action)
    if filters.actor:
        pattern = f"%{filters.actor.strip().lower()[:100]}%"
        actor_ids = select(User.id).where(or_(User.email.ilike(pattern), User.display_name.ilike(pattern)))
        stmt = stmt.where(AuditEvent.actor_id.in_(actor_ids))
    if filters.object_type:
        stmt = stmt.where(AuditEvent.object_type == filters.object_type)
    if filters.object_id is not None:
        stmt = stmt.where(AuditEvent.object_id == filters.object_id)
    if filters.since:
        stmt = stmt.where(AuditEvent.created_at >= _start_of(filters.since))
    if filters.until and filters.until < date.max:
        stmt = stmt.where(AuditEvent.created_at < _start_of(filters.until + timedelta(days=1)))
    return stmt


def page_of(session: Session, filters: AuditFilter, *, page: int, per_page: int) -> Slice[AuditEvent]:
    """A page of events, newest first, and whether older ones follow (no count of them all)."""
    return read_slice(session, query(filters), page=page, per_page=per_page)


def known_values(session: Session, column: InstrumentedAttribute[str]) -> list[str]:
    """The filter's choices: each distinct value once, read from the column's index."""
    return [v for v in distinct_values(session, column) if v]
