"""Short memory: wipe private hearing details after a while, drop accounts never approved.

Hearing rows, their seats and sign-ups stay (reports count them); only what could identify
or endanger a person goes: the respondent reference, private notes and the outcome note, and
the words of rapid-response incidents (their counts stay for the monthly summary).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import CursorResult, delete, or_, select, update
from sqlalchemy.orm import Session

from scheduler import audit
from scheduler.accounts import idempotency, sessions
from scheduler.casework import awaiting, reports
from scheduler.enums import UserStatus
from scheduler.feeds import changes as feed_changes
from scheduler.feeds import eventcache as feed_eventcache
from scheduler.feeds import stampstore as feed_stampstore
from scheduler.models import Hearing, Incident, IncidentRecipient, PasswordResetToken, User


@dataclass(frozen=True)
class PurgeResult:
    hearings_wiped: int
    pending_accounts_removed: int
    reset_tokens_removed: int
    feed_changes_removed: int = 0
    sessions_removed: int = 0
    feed_events_removed: int = 0
    casework_wiped: int = 0
    incidents_wiped: int = 0
    idempotency_keys_removed: int = 0
    feed_stamps_removed: int = 0


def purge(
    session: Session,
    *,
    now: datetime,
    hearing_days: int = 90,
    pending_days: int = 60,
    feed_changes_keep: timedelta = timedelta(hours=48),
    session_idle: timedelta = timedelta(days=3),
    feed_cache_keep: timedelta = timedelta(days=30),
    feed_past_days: int = 90,
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

    # Cases awaiting a date and reports' staff notes keep a person's details no longer either.
    casework_wiped = awaiting.wipe_private(session, before=hearing_cutoff) + reports.wipe_private(
        session, before=hearing_cutoff
    )

    journal = feed_changes.prune(session, now=now, keep=feed_changes_keep)
    # Sessions signed out, or idle past the longest idle timeout: nothing can use them any more.
    ended_sessions = sessions.purge(session, now=now, idle=session_idle)
    # Rendered events no feed will ask for again: gone, out of every window, superseded or old.
    cached = feed_eventcache.purge(session, now=now, keep=feed_cache_keep, past_days=feed_past_days)
    # Shared feed stamps past their expiry: never reused again.
    stamps = feed_stampstore.purge(session, now=now)
    incidents = _wipe_incidents(session, cutoff=hearing_cutoff)
    # The API's kept answers for retried requests (Idempotency-Key) are needed for a day.
    kept_answers = idempotency.purge(session, now=now)

    result = PurgeResult(
        hearings_wiped=wiped or 0,
        pending_accounts_removed=len(stale_ids),
        reset_tokens_removed=tokens or 0,
        feed_changes_removed=journal,
        sessions_removed=ended_sessions,
        feed_events_removed=cached,
        casework_wiped=casework_wiped,
        incidents_wiped=incidents,
        idempotency_keys_removed=kept_answers,
        feed_stamps_removed=stamps,
    )
    if result.hearings_wiped or result.pending_accounts_removed or result.incidents_wiped:
        audit.record(
            session,
            actor=None,
            action="retention.purged",
            object_type="system",
            object_id=None,
            details={
                "hearings_wiped": result.hearings_wiped,
                "pending_accounts_removed": result.pending_accounts_removed,
                "incidents_wiped": result.incidents_wiped,
                "hearing_days": hearing_days,
                "pending_days": pending_days,
            },
        )
    session.flush()
    return result


def _wipe_incidents(session: Session, *, cutoff: datetime) -> int:
    """Incidents raised before the cutoff keep their kind, court and times (the monthly counts)
    and lose their words (the raiser's note, the record, the staff note) and who was reached."""
    old = select(Incident.id).where(Incident.raised_at < cutoff)
    session.execute(
        delete(IncidentRecipient)
        .where(IncidentRecipient.incident_id.in_(old))
        .execution_options(synchronize_session=False)
    )
    wiped = session.execute(
        update(Incident)
        .where(
            Incident.raised_at < cutoff,
            or_(
                Incident.note != "",
                Incident.what_happened != "",
                Incident.agency != "",
                Incident.staff_note != "",
            ),
        )
        .values(note="", what_happened="", agency="", staff_note="")
        .execution_options(synchronize_session=False)
    )
    assert isinstance(wiped, CursorResult)
    return wiped.rowcount or 0
