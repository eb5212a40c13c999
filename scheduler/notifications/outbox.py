"""The outbox: mail is written in the change's transaction and delivered later by a worker.

This module queues (``enqueue``); ``leases.py`` claims due rows for one worker and
``sending.py`` hands them to their channel. Their public names are importable from here too.

Delivery guarantees, as built
-----------------------------
* **Nothing lost.** A message exists once its change commits. Sending failures (server down,
  refused, timeout) put the row back to ``pending`` with exponential backoff (1, 2, 4 ... minutes,
  capped at an hour) until ``OUTBOX_MAX_ATTEMPTS``, then ``failed`` (kept, listed by
  ``flask outbox status``). A worker that dies holding rows leaves them ``sending``; when the
  lease (``OUTBOX_LEASE_MINUTES``) expires they return to ``pending``.
* **Never claimed twice.** Rows are claimed by one ``UPDATE ... WHERE status = 'pending'`` that
  stamps a per-claim token; on PostgreSQL the candidate rows are first selected
  ``FOR UPDATE SKIP LOCKED`` so concurrent workers take disjoint batches without waiting. On
  SQLite the single writer lock serialises the claiming UPDATEs, and the ``status = 'pending'``
  condition makes the loser claim nothing. Either way two workers never claim the same row.
* **Sent once per lease.** A claim is a lease, proved by its token. Before each message the
  worker renews the lease on what is left of its batch and checks, in the same conditional
  update, that the row still carries its token; a row that another worker reclaimed after the
  lease ran out (a slow server, a paused process) is left to that worker. A message the server
  accepted is marked ``sent`` whoever holds it by then, so the new holder skips it. One SMTP
  exchange is bounded by ``MAIL_SMTP_TIMEOUT``, which must stay well below the lease
  (``OUTBOX_LEASE_MINUTES``); the worker warns once when it is not.
* **At least once, not exactly once.** Each row is marked ``sent`` in its own commit right after
  the SMTP server accepts it, before the next message is sent. A worker killed *between*
  messages therefore loses nothing and repeats nothing. The one window left is a crash after
  the server accepted a message and before that commit: SMTP and the database cannot share a
  transaction, so after the lease expires that one message is sent again. It carries the same
  ``Message-ID`` header, which lets mail servers and clients drop the duplicate. We prefer a
  rare duplicate to a lost hearing change.
* **Once per key.** Reminders and digests carry a ``dedupe_key`` with a unique constraint, so
  running ``outbox remind`` or ``outbox digest`` any number of times enqueues each once.

Logs name outbox ids and kinds only, never addresses or contents.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from scheduler.models import (
    NotificationPreference,
    OutboxMessage,
    OutboxStatus,
    PhoneNumber,
    PushSubscription,
    User,
)
from scheduler.notifications.leases import (
    Batch,
    backoff,
    claim,
    claim_batch,
    release_expired_leases,
    renew_lease,
    urgent_backoff,
    urgent_due,
)
from scheduler.notifications.preferences import prefs_for
from scheduler.notifications.sending import (
    EMAIL,
    ChannelSenders,
    Failure,
    SendReport,
    as_mail,
    send_claimed,
    send_due,
)
from scheduler.types import utcnow

log = logging.getLogger(__name__)

# Queueing is this module's own; claiming and sending are re-exported for their callers.
__all__ = [
    "EMAIL",
    "Batch",
    "ChannelSenders",
    "Composed",
    "Failure",
    "SendReport",
    "as_mail",
    "backoff",
    "claim",
    "claim_batch",
    "counts",
    "enqueue",
    "existing_keys",
    "release_expired_leases",
    "renew_lease",
    "send_claimed",
    "send_due",
    "urgent_backoff",
    "urgent_due",
]


@dataclass(frozen=True, slots=True)
class Composed:
    """A message ready to store: subject and bodies already in the recipient's language."""

    kind: str
    subject: str
    text: str
    html: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    ics: bytes | None = None
    ics_filename: str | None = None
    ics_method: str | None = None
    # Where a short copy on another channel (SMS, Signal, push) points: the app's page for it.
    link: str = ""


def enqueue(
    session: Session,
    *,
    user: User | None,
    to_email: str | None = None,
    locale: str | None = None,
    message: Composed,
    dedupe_key: str | None = None,
    not_before: datetime | None = None,
    channel: str = EMAIL,
    urgent: bool = False,
    push_subscription_id: int | None = None,
) -> int | None:
    """Store a message in the current transaction; the id, or None when the key was taken.

    Only email rows keep an address: SMS and Signal find the verified number at send time,
    push rows name their subscription.
    """
    values: dict[str, Any] = {
        "kind": message.kind,
        "channel": channel,
        "urgent": urgent,
        "push_subscription_id": push_subscription_id,
        "user_id": user.id if user is not None else None,
        "to_email": (to_email or (user.email if user is not None else "")) if channel == EMAIL else "",
        "locale": locale or (user.locale if user is not None else "en"),
        "subject": message.subject[:300],
        "text_body": message.text,
        "html_body": message.html,
        "headers": dict(message.headers),
        "ics": message.ics,
        "ics_filename": message.ics_filename,
        "ics_method": message.ics_method,
        "dedupe_key": dedupe_key,
        "status": OutboxStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": not_before or utcnow(),
        "last_error": "",
        "created_at": utcnow(),
    }
    if channel == EMAIL and not values["to_email"]:
        raise ValueError("an outbox message needs a recipient")
    if channel != EMAIL and user is None:
        raise ValueError("a message on another channel needs a person")
    if dedupe_key is None:
        stmt = insert(OutboxMessage).values(**values).returning(OutboxMessage.id)
    else:
        dialect = session.get_bind().dialect.name
        ins = pg_insert if dialect == "postgresql" else sqlite_insert
        stmt = (
            ins(OutboxMessage)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
            .returning(OutboxMessage.id)
        )
    row_id = session.execute(stmt).scalar_one_or_none()
    if row_id is not None and user is not None and channel == EMAIL:
        _also_on_other_channels(
            session, user=user, message=message, dedupe_key=dedupe_key, not_before=not_before
        )
    return row_id


def _also_on_other_channels(
    session: Session, *, user: User, message: Composed, dedupe_key: str | None, not_before: datetime | None
) -> None:
    """A short copy on each other channel the person chose for this kind (preferences.kind_channels)."""
    row = session.get(NotificationPreference, user.id)
    extra = prefs_for(session, user.id, default_hours=()).extra_channels(message.kind) if row else ()
    if not extra:
        return
    short = Composed(kind=message.kind, subject=message.subject, text="", headers={"X-Link": message.link})
    phone = session.get(PhoneNumber, user.id)
    for channel in extra:
        targets: list[int | None] = []
        if channel in ("sms", "signal") and phone is not None and phone.verified_at is not None:
            targets = [None]
        elif channel == "push":
            targets = list(
                session.scalars(select(PushSubscription.id).where(PushSubscription.user_id == user.id))
            )
        for target in targets:
            key = None if dedupe_key is None else f"{dedupe_key}:{channel}:{target or ''}"[:200]
            enqueue(
                session,
                user=user,
                message=short,
                dedupe_key=key,
                not_before=not_before,
                channel=channel,
                push_subscription_id=target,
            )


def existing_keys(session: Session, keys: Iterable[str]) -> set[str]:
    """Which of these dedupe keys are already in the outbox (to skip composing them again)."""
    wanted = list(keys)
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found.update(
            session.scalars(select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(chunk)))
        )
    return found


def counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
    return {str(status): n for status, n in rows}
