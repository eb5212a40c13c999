"""Writing the audit trail."""

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
