"""Outbox sending: claimed rows go to their channel, one commit each; failures back off.

See ``outbox.py`` for the delivery guarantees these give.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import CursorResult, update
from sqlalchemy.orm import Session

from scheduler.mail import Attachment, MailBackend, Message
from scheduler.models import (
    OutboxMessage,
    OutboxStatus,
)
from scheduler.notifications.leases import (
    MAX_BACKOFF,
    Batch,
    backoff,
    claim,
    release_expired_leases,
    renew_lease,
    urgent_backoff,
)
from scheduler.types import utcnow

log = logging.getLogger(__name__)

# The outbox's own channel; the others are handed to ``senders`` (scheduler/notifications/channels).
EMAIL = "email"


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
