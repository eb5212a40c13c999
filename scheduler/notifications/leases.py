"""Outbox leases: claiming due rows for one worker, renewing and releasing the claim, backoff.

See ``outbox.py`` for the delivery guarantees these give.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, CursorResult, select, update
from sqlalchemy.orm import Session

from scheduler.models import (
    OutboxMessage,
    OutboxStatus,
)
from scheduler.types import utcnow

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=1)
MAX_URGENT_BACKOFF = timedelta(minutes=2)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 ... minutes after the n-th failed attempt, never more than an hour."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def urgent_backoff(attempts: int) -> timedelta:
    """5, 10, 20 ... seconds for an urgent message, never more than two minutes."""
    return min(timedelta(seconds=5 * 2 ** max(attempts - 1, 0)), MAX_URGENT_BACKOFF)


def release_expired_leases(session: Session, *, lease: timedelta, now: datetime | None = None) -> int:
    """Rows a dead worker held go back to pending; commits. Returns how many."""
    now = now or utcnow()
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.locked_at < now - lease)
        .values(status=OutboxStatus.PENDING, locked_by=None, locked_at=None, next_attempt_at=now)
    )
    assert isinstance(result, CursorResult)  # what an UPDATE or DELETE gives back
    session.commit()
    if result.rowcount:
        log.warning("outbox: %d expired leases returned to pending", result.rowcount)
    return result.rowcount


@dataclass(frozen=True, slots=True)
class Batch:
    """Rows one claim took, and the lease token that proves this worker still holds them."""

    token: str
    ids: list[int]


def _due(now: datetime, *, urgent_only: bool) -> list[ColumnElement[bool]]:
    due = [OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now]
    if urgent_only:
        due.append(OutboxMessage.urgent.is_(True))
    return due


def urgent_due(session: Session, *, now: datetime | None = None) -> bool:
    """Whether an urgent row is due (one lookup on the status/urgent index)."""
    query = select(OutboxMessage.id).where(*_due(now or utcnow(), urgent_only=True)).limit(1)
    return session.execute(query).first() is not None


def claim(
    session: Session, *, limit: int, worker: str, now: datetime | None = None, urgent_only: bool = False
) -> Batch:
    """Claim up to ``limit`` due rows for this worker and commit; the token and ids in send order.

    ``urgent_only`` claims urgent rows only (the worker's quick urgent step).
    """
    now = now or utcnow()
    token = f"{worker}:{uuid.uuid4().hex[:12]}"[:64]
    candidates = (
        select(OutboxMessage.id)
        .where(*_due(now, urgent_only=urgent_only))
        .order_by(OutboxMessage.urgent.desc(), OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    ids = list(session.scalars(candidates))
    if not ids:
        session.commit()
        return Batch(token=token, ids=[])
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.SENDING, locked_by=token, locked_at=now)
    )
    session.commit()
    claimed = session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.locked_by == token, OutboxMessage.status == OutboxStatus.SENDING)
        .order_by(OutboxMessage.urgent.desc(), OutboxMessage.next_attempt_at, OutboxMessage.id)
    )
    return Batch(token=token, ids=list(claimed))


def claim_batch(session: Session, *, limit: int, worker: str, now: datetime | None = None) -> list[int]:
    """The ids of :func:`claim`."""
    return claim(session, limit=limit, worker=worker, now=now).ids


def renew_lease(session: Session, *, batch: Batch, row_id: int) -> bool:
    """Renew this worker's lease on what is left of its batch and commit; whether it holds ``row_id``.

    A conditional update on the token: rows another worker reclaimed after our lease ran out
    carry its token, not ours, so they are neither renewed nor sent by us.
    """
    held = OutboxMessage.locked_by == batch.token, OutboxMessage.status == OutboxStatus.SENDING
    session.execute(update(OutboxMessage).where(*held).values(locked_at=utcnow()))
    holds = session.scalar(select(OutboxMessage.id).where(OutboxMessage.id == row_id, *held)) is not None
    session.commit()
    return holds
