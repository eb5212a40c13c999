"""The outbox: mail is written in the change's transaction and delivered later by a worker.

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
import smtplib
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import ColumnElement, CursorResult, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from scheduler.mail import Attachment, MailBackend, Message
from scheduler.models import (
    NotificationPreference,
    OutboxMessage,
    OutboxStatus,
    PhoneNumber,
    PushSubscription,
    User,
)
from scheduler.notifications.preferences import prefs_for
from scheduler.types import utcnow

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=1)
# The outbox's own channel; the others are handed to ``senders`` (scheduler/notifications/channels).
EMAIL = "email"
MAX_URGENT_BACKOFF = timedelta(minutes=2)


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


def as_mail(row: OutboxMessage, *, domain: str) -> Message:
    attachments: tuple[Attachment, ...] = ()
    if row.ics is not None:
        params = {"method": row.ics_method} if row.ics_method else {}
        attachments = (Attachment(filename=row.ics_filename or "event.ics", content=row.ics, params=params),)
    return Message(
        to=row.to_email,
        subject=row.subject,
        text=row.text_body,
        html=row.html_body,
        headers=dict(row.headers or {}),
        attachments=attachments,
        message_id=f"<outbox-{row.id}@{domain}>",
    )


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    # Rows another worker took over after this one's lease ran out (left to that worker).
    lost: int = 0

    @property
    def total(self) -> int:
        return self.sent + self.retried + self.failed


def _describe(exc: Exception) -> str:
    """The error without personal data: class name and SMTP code, never the server's text."""
    code = getattr(exc, "smtp_code", None) or getattr(exc, "errno", None)
    return f"{type(exc).__name__}{f' {code}' if code else ''}"[:300]


@dataclass(frozen=True, slots=True)
class Failure:
    """How a failed send is recorded: never an address, a number or the provider's text."""

    error: str
    permanent: bool = False
    retry_after: float | None = None
    # The provider did not answer: the rest of the batch on its channel fails the same at once.
    unreachable: bool = False


class ChannelSenders(Protocol):
    """The providers of the other channels (``channels.delivery.Senders``)."""

    def prepare(self, session: Session, row: OutboxMessage) -> Callable[[], None]: ...

    def failure(self, session: Session, row: OutboxMessage, exc: Exception) -> Failure | None: ...


class _Unreachable(Exception):
    """This channel's provider did not answer earlier in the batch."""


def _prepare(
    session: Session, row: OutboxMessage, *, backend: MailBackend, domain: str, senders: ChannelSenders | None
) -> Callable[[], None]:
    """What sending this row takes, built while the transaction is open (it reads the database)."""
    if row.channel == EMAIL:
        mail = as_mail(row, domain=domain)
        return lambda: backend.send(mail)
    if senders is None:
        raise LookupError(row.channel)
    return senders.prepare(session, row)


def _failure(
    session: Session, row: OutboxMessage, exc: Exception, senders: ChannelSenders | None
) -> Failure | None:
    """What to record for ``exc``; None for an error that is no delivery failure (re-raised)."""
    if isinstance(exc, _Unreachable):
        return Failure(f"{row.channel}: provider unreachable (earlier in this batch)", unreachable=True)
    if isinstance(exc, LookupError):
        return Failure(f"{row.channel}: channel not configured", permanent=True)
    if row.channel != EMAIL and senders is not None:
        return senders.failure(session, row, exc)
    if isinstance(exc, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        return Failure(_describe(exc), unreachable=True)
    if isinstance(exc, smtplib.SMTPException):
        return Failure(_describe(exc))
    if isinstance(exc, OSError):
        return Failure(_describe(exc), unreachable=True)
    return None


def send_claimed(
    session: Session,
    *,
    batch: Batch,
    backend: MailBackend,
    domain: str,
    max_attempts: int,
    senders: ChannelSenders | None = None,
) -> SendReport:
    """Send each row this worker still holds, each to its channel, recording the outcome in its own commit.

    Before each message the lease is renewed (so a slow server does not let it run out while
    this worker is busy) and checked (so a row another worker took over is left to that
    worker). The renewal is committed before the exchange starts, and one exchange is bounded
    by the SMTP or HTTP timeout, which must stay well below the lease. A channel whose provider
    did not answer is not tried again in this batch: its rows get the same failure at once, so
    a mail server that is down never holds up an urgent SMS.
    """
    report = SendReport()
    down: set[str] = set()
    for row_id in batch.ids:
        if not renew_lease(session, batch=batch, row_id=row_id):
            report.lost += 1
            log.warning("outbox %d: lease lost to another worker, left to it", row_id)
            continue
        row = session.get(OutboxMessage, row_id, populate_existing=True)
        if row is None:
            continue
        kind, channel = row.kind, row.channel
        try:
            if channel in down:
                raise _Unreachable()
            send = _prepare(session, row, backend=backend, domain=domain, senders=senders)
            session.commit()  # no transaction stays open while the provider takes its time
            send()
        except Exception as exc:
            failure = _failure(session, row, exc, senders)
            if failure is None:
                raise
            if failure.unreachable:
                down.add(channel)
            _record_failure(
                session, batch=batch, row=row, failure=failure, max_attempts=max_attempts, report=report
            )
        else:
            _mark_sent(session, row_id)
            report.sent += 1
            log.info("outbox %d (%s, %s) sent", row_id, kind, channel)
        session.commit()
    return report


def _mark_sent(session: Session, row_id: int) -> None:
    """Accepted by the provider: sent, whoever holds the row now, so nobody sends it again."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.status != OutboxStatus.SENT)
        .values(
            status=OutboxStatus.SENT,
            sent_at=utcnow(),
            attempts=OutboxMessage.attempts + 1,
            locked_by=None,
            locked_at=None,
        )
        .execution_options(synchronize_session=False)
    )


def _retry_at(attempts: int, *, urgent: bool, retry_after: float | None) -> datetime:
    wait = urgent_backoff(attempts) if urgent else backoff(attempts)
    if retry_after is not None:
        wait = max(wait, timedelta(seconds=min(retry_after, MAX_BACKOFF.total_seconds())))
    return utcnow() + wait


def _record_failure(
    session: Session,
    *,
    batch: Batch,
    row: OutboxMessage,
    failure: Failure,
    max_attempts: int,
    report: SendReport,
) -> None:
    """Back off or give up, only while this worker holds the row (else its new holder decides)."""
    attempts = row.attempts + 1
    error = failure.error[:300]
    failed = failure.permanent or attempts >= max_attempts
    values: dict[str, Any] = {"attempts": attempts, "last_error": error, "locked_by": None, "locked_at": None}
    if failed:
        values["status"] = OutboxStatus.FAILED
    else:
        retry_at = _retry_at(attempts, urgent=row.urgent, retry_after=failure.retry_after)
        values.update(status=OutboxStatus.PENDING, next_attempt_at=retry_at)
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == row.id,
            OutboxMessage.locked_by == batch.token,
            OutboxMessage.status == OutboxStatus.SENDING,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)  # what an UPDATE or DELETE gives back
    if not result.rowcount:
        report.lost += 1
        log.warning("outbox %d: failed after its lease was lost; left to its new holder", row.id)
    elif failed:
        report.failed += 1
        log.error("outbox %d (%s) failed for good: %s", row.id, row.kind, error)
    else:
        report.retried += 1
        log.warning("outbox %d (%s) attempt %d failed: %s", row.id, row.kind, attempts, error)


def send_due(
    session: Session,
    *,
    backend: MailBackend,
    worker: str,
    domain: str,
    batch_size: int = 50,
    max_attempts: int = 10,
    lease: timedelta = timedelta(minutes=10),
    max_batches: int | None = None,
    senders: ChannelSenders | None = None,
    urgent_only: bool = False,
) -> SendReport:
    """Release dead leases, then claim and send batches until nothing (urgent, if asked) is due."""
    release_expired_leases(session, lease=lease)
    total = SendReport()
    batches = 0
    while max_batches is None or batches < max_batches:
        batch = claim(session, limit=batch_size, worker=worker, urgent_only=urgent_only)
        if not batch.ids:
            break
        batches += 1
        report = send_claimed(
            session, batch=batch, backend=backend, domain=domain, max_attempts=max_attempts, senders=senders
        )
        total.sent += report.sent
        total.retried += report.retried
        total.failed += report.failed
        total.lost += report.lost
        if report.sent == 0 and report.retried + report.failed:
            # Everything in the batch failed: the server is likely down; wait for the backoff.
            break
    return total


def counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
    return {str(status): n for status, n in rows}
