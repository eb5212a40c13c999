"""Idempotency keys: a create or claim sent again with the same key gets the first response.

The first request reserves its (token, key) row before doing anything, in its own transaction;
the change and the response it stores commit together. A twin sent at the same time waits on the
row's unique key (PostgreSQL) or the database lock (SQLite) and, once the first commits, finds
its row and answers with the stored response instead of claiming a second time. If the first
fails, its row goes with it, and a retry runs afresh.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scheduler.models import IdempotentResponse

MAX_KEY = 200
# A key is remembered this long; the daily purge removes older rows.
KEEP = timedelta(hours=24)
PENDING = 0  # the status of a reserved row whose response is not stored yet


def fingerprint(method: str, path: str, body: bytes) -> str:
    """What the request asked for: the same key for a different request is refused."""
    digest = hashlib.sha256()
    for part in (method.encode(), b"\n", path.encode(), b"\n", body):
        digest.update(part)
    return digest.hexdigest()


def find(session: Session, *, token_id: int, key: str) -> IdempotentResponse | None:
    return session.scalar(
        select(IdempotentResponse).where(
            IdempotentResponse.token_id == token_id, IdempotentResponse.key == key
        )
    )


def reserve(
    session: Session, *, token_id: int, key: str, request_fingerprint: str, now: datetime
) -> IdempotentResponse | None:
    """Hold the key for this request; None when another request holds it (the caller rolls back)."""
    row = IdempotentResponse(
        token_id=token_id,
        key=key,
        fingerprint=request_fingerprint,
        status_code=PENDING,
        body="",
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return None
    return row


def store(row: IdempotentResponse, *, status_code: int, body: str) -> None:
    row.status_code = status_code
    row.body = body


def purge(session: Session, *, now: datetime) -> int:
    """Forget keys older than KEEP."""
    result = session.execute(
        delete(IdempotentResponse)
        .where(IdempotentResponse.created_at < now - KEEP)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)
    return result.rowcount or 0
