"""Writing the audit trail.

``record`` notes what a change did (called by services, in the change's transaction).
``record_access`` notes who looked at private details: it is the only write a GET request may
make, and every such note goes through it (tests/security/test_get_writes_nothing.py walks
every GET route and lets nothing else through).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from scheduler.models import AuditEvent, User


def record(
    session: Session,
    *,
    actor: User | None,
    action: str,
    object_type: str,
    object_id: int | None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        details=details or {},
    )
    session.add(event)
    return event


# Looking, not changing: the actions ``record_access`` accepts.
ACCESS_ACTIONS = frozenset({"hearing.private_viewed", "user.data_exported"})


def record_access(
    session: Session, *, actor: User, action: str, object_type: str, object_id: int
) -> AuditEvent:
    """Note that ``actor`` saw private details (a hearing's notes, their own data export)."""
    if action not in ACCESS_ACTIONS:
        raise ValueError(f"{action!r} is not an access action; changes go through audit.record")
    return record(session, actor=actor, action=action, object_type=object_type, object_id=object_id)
