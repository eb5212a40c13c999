"""Mail that failed for good: the admins' list, and retrying or discarding a message.

Admins see why a message failed (the error class and SMTP code the worker kept, which never
hold an address or the server's text), who it was for and its subject; never its body, which
may hold a reset or invitation link. Every retry and discard is in the audit log.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CursorResult, Select, select, update
from sqlalchemy.orm import Session

from scheduler import audit
from scheduler.models import OutboxMessage, OutboxStatus, User

# Why a message failed, from the error the worker recorded (``sending._describe``).
REFUSED_ADDRESS = "refused_address"
REFUSED_MESSAGE = "refused_message"
UNREACHABLE = "unreachable"
SIGN_IN = "sign_in"
OTHER = "other"

_REASONS = {
    "SMTPRecipientsRefused": REFUSED_ADDRESS,
    "SMTPSenderRefused": REFUSED_MESSAGE,
    "SMTPDataError": REFUSED_MESSAGE,
    "SMTPAuthenticationError": SIGN_IN,
    "SMTPNotSupportedError": SIGN_IN,
    "SMTPConnectError": UNREACHABLE,
    "SMTPServerDisconnected": UNREACHABLE,
    "ConnectionRefusedError": UNREACHABLE,
    "ConnectionResetError": UNREACHABLE,
    "TimeoutError": UNREACHABLE,
    "socket.timeout": UNREACHABLE,
    "gaierror": UNREACHABLE,
    "OSError": UNREACHABLE,
    "SSLError": UNREACHABLE,
}


def reason(last_error: str) -> str:
    """The kind of failure behind a recorded error such as "SMTPRecipientsRefused 550"."""
    return _REASONS.get((last_error or "").split(" ", 1)[0], OTHER)


def failed_query() -> Select:
    """Failed for good, newest first."""
    return (
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.FAILED)
        .order_by(OutboxMessage.id.desc())
    )


def recipients(session: Session, rows: list[OutboxMessage]) -> dict[int, User]:
    """The people a page of messages was for, by id (one query)."""
    ids = {row.user_id for row in rows if row.user_id is not None}
    if not ids:
        return {}
    return {user.id: user for user in session.scalars(select(User).where(User.id.in_(ids)))}


def _change(session: Session, *, actor: User, message_id: int, action: str, values: dict) -> bool:
    """One conditional update from ``failed`` (so two admins cannot both act), then the audit row."""
    row = session.get(OutboxMessage, message_id)
    if row is None or row.status != OutboxStatus.FAILED:
        return False
    # The kind and error only: the address and contents stay out of the audit trail.
    details = {"kind": row.kind, "error": row.last_error, "attempts": row.attempts}
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.FAILED)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)  # what an UPDATE or DELETE gives back
    if not result.rowcount:
        return False
    session.expire(row)
    audit.record(
        session,
        actor=actor,
        action=action,
        object_type="outbox_message",
        object_id=message_id,
        details=details,
    )
    session.flush()
    return True


def retry(session: Session, *, actor: User, message_id: int, now: datetime) -> bool:
    """Put a failed message back in the queue with a fresh set of attempts; False if not failed."""
    values = {
        "status": OutboxStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "locked_by": None,
        "locked_at": None,
    }
    return _change(session, actor=actor, message_id=message_id, action="outbox.retried", values=values)


def discard(session: Session, *, actor: User, message_id: int) -> bool:
    """Set a failed message aside for good and wipe its bodies; False if it is not failed."""
    values = {"status": OutboxStatus.DISCARDED, "text_body": "", "html_body": None, "ics": None}
    return _change(session, actor=actor, message_id=message_id, action="outbox.discarded", values=values)
