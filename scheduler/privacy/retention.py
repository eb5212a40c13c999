"""Short memory: wipe private hearing details after a while, drop accounts never approved.

Hearing rows, their seats and sign-ups stay (reports count them); only what could identify
or endanger a person goes: the respondent reference, private notes and the outcome note.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import CursorResult, delete, or_, select, update
from sqlalchemy.orm import Session

from scheduler import audit
from scheduler.accounts import idempotency, sessions
from scheduler.enums import UserStatus
from scheduler.feeds import changes as feed_changes
from scheduler.models import Hearing, PasswordResetToken, User


@dataclass(frozen=True)
class PurgeResult:
    hearings_wiped: int
    pending_accounts_removed: int
    reset_tokens_removed: int
    feed_changes_removed: int = 0
    sessions_removed: int = 0
    idempotency_keys_removed: int = 0


def purge(
    session: Session,
    *,
    now: datetime,
    hearing_days: int = 90,
    pending_days: int = 60,
    feed_changes_keep: timedelta = timedelta(hours=48),
    session_idle: timedelta = timedelta(days=3),
) -> PurgeResult:
    """Run the retention rules once; safe to run as often as wanted (a second run finds nothing)."""
    hearing_cutoff = now - timedelta(days=hearing_days)
    wiped_rows = session.execute(
        update(Hearing)
        .where(
            Hearing.starts_at < hearing_cutoff,
            or_(Hearing.respondent_ref != "", Hearing.private_notes != "", Hearing.outcome_note != ""),
        )
        .values(respondent_ref="", private_notes="", outcome_note="")
        .execution_options(synchronize_session=False)
    )
    assert isinstance(wiped_rows, CursorResult)  # what an UPDATE or DELETE gives back
    wiped = wiped_rows.rowcount

    pending_cutoff = now - timedelta(days=pending_days)
    stale_ids = list(
        session.scalars(
            select(User.id).where(User.status == UserStatus.PENDING, User.created_at < pending_cutoff)
        )
    )
    for user_id in stale_ids:
        user = session.get(User, user_id)
        if user is not None:
            session.delete(user)

    spent_tokens = session.execute(
        delete(PasswordResetToken)
        .where(or_(PasswordResetToken.expires_at < now, PasswordResetToken.used_at.is_not(None)))
        .execution_options(synchronize_session=False)
    )
    assert isinstance(spent_tokens, CursorResult)
    tokens = spent_tokens.rowcount

    journal = feed_changes.prune(session, now=now, keep=feed_changes_keep)
    # Sessions signed out, or idle past the longest idle timeout: nothing can use them any more.
    ended_sessions = sessions.purge(session, now=now, idle=session_idle)
    # The API's kept answers for retried requests (Idempotency-Key) are needed for a day.
    kept_answers = idempotency.purge(session, now=now)

    result = PurgeResult(
        hearings_wiped=wiped or 0,
        pending_accounts_removed=len(stale_ids),
        reset_tokens_removed=tokens or 0,
        feed_changes_removed=journal,
        sessions_removed=ended_sessions,
        idempotency_keys_removed=kept_answers,
    )
    if result.hearings_wiped or result.pending_accounts_removed:
        audit.record(
            session,
            actor=None,
            action="retention.purged",
            object_type="system",
            object_id=None,
            details={
                "hearings_wiped": result.hearings_wiped,
                "pending_accounts_removed": result.pending_accounts_removed,
                "hearing_days": hearing_days,
                "pending_days": pending_days,
            },
        )
    session.flush()
    return result
