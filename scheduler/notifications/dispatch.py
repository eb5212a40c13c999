"""Turn pending intents into outbox mail: the first step of each worker round.

Each intent is handled in its own transaction: the worker deletes the intent row and, in the
same transaction, its handler queues the messages (``handlers.py``). The delete is the claim:
``DELETE ... WHERE id = :id AND status = 'pending'`` removes the row for exactly one worker.
On PostgreSQL the candidate is first selected ``FOR UPDATE SKIP LOCKED``, so concurrent workers
take different intents without waiting; a worker that still reaches a row another one holds
waits for that transaction, then deletes nothing and moves on. On SQLite the single write lock
serialises the deletes the same way. A crash before the commit leaves the intent pending and no
mail; after it, mail and no intent. So every intent becomes its messages exactly once.

A handler that raises (a template error, a bug) marks its intent ``failed`` with the error's
class name and the round goes on; a database error ends the round with the intent pending.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import CursorResult, delete, func, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from scheduler.events import from_row
from scheduler.models import IntentStatus, NotificationIntent
from scheduler.notifications.handlers import handle
from scheduler.types import utcnow

log = logging.getLogger(__name__)


@dataclass
class DispatchReport:
    handled: int = 0
    messages: int = 0
    failed: int = 0


def _next_pending(
    session: Session, after: int, kinds: Collection[str] | None
) -> tuple[int, str, dict] | None:
    query = (
        select(NotificationIntent.id, NotificationIntent.kind, NotificationIntent.payload)
        .where(NotificationIntent.status == IntentStatus.PENDING, NotificationIntent.id > after)
        .order_by(NotificationIntent.id)
        .limit(1)
    )
    if kinds is not None:
        query = query.where(NotificationIntent.kind.in_(sorted(kinds)))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    row = session.execute(query).first()
    return None if row is None else (row[0], row[1], row[2])


def _take(session: Session, intent_id: int) -> bool:
    """Delete the pending intent; whether this worker got it (another may have been first)."""
    result = session.execute(
        delete(NotificationIntent)
        .where(NotificationIntent.id == intent_id, NotificationIntent.status == IntentStatus.PENDING)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)
    return result.rowcount == 1


def _mark_failed(session: Session, intent_id: int, exc: Exception) -> None:
    session.execute(
        update(NotificationIntent)
        .where(NotificationIntent.id == intent_id, NotificationIntent.status == IntentStatus.PENDING)
        .values(status=IntentStatus.FAILED, last_error=type(exc).__name__[:300], failed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    session.commit()


def dispatch_pending(
    session: Session, *, limit: int = 500, kinds: Collection[str] | None = None
) -> DispatchReport:
    """Handle up to ``limit`` pending intents, oldest first, each in its own commit.

    ``kinds`` limits the round to those event kinds (the worker's urgent step passes
    ``events.URGENT_KINDS``); None handles every kind.
    """
    report = DispatchReport()
    last_id = 0
    for _ in range(limit):
        found = _next_pending(session, last_id, kinds)
        if found is None:
            break
        intent_id, kind, payload = found
        last_id = intent_id
        if not _take(session, intent_id):
            session.commit()
            continue
        try:
            queued = handle(session, from_row(kind, payload))
        except DBAPIError:
            session.rollback()
            raise
        except Exception as exc:  # one broken message must not hold up the others
            session.rollback()
            _mark_failed(session, intent_id, exc)
            report.failed += 1
            # Kind, id and error class only: the payload may hold a reset token or hearing details.
            log.error("intent %d (%s) failed: %s", intent_id, kind, type(exc).__name__)
            continue
        session.commit()
        report.handled += 1
        report.messages += queued
        log.info("intent %d (%s): %d messages queued", intent_id, kind, queued)
    session.commit()
    return report


def urgent_pending(session: Session, kinds: Collection[str]) -> bool:
    """Whether a pending intent of one of ``kinds`` waits (one indexed lookup on status, id)."""
    query = (
        select(NotificationIntent.id)
        .where(NotificationIntent.status == IntentStatus.PENDING, NotificationIntent.kind.in_(sorted(kinds)))
        .limit(1)
    )
    return session.execute(query).first() is not None


def counts(session: Session) -> dict[str, int]:
    """Intents by status (handled ones are deleted, so only pending and failed)."""
    rows = session.execute(
        select(NotificationIntent.status, func.count()).group_by(NotificationIntent.status)
    )
    return {str(status): n for status, n in rows}
