"""Sessions: one row per sign-in, idle timeout rules, "sign out everywhere", lock-down.

The session id in the cookie (and in the remember-me cookie) is ``<user id>.<session
version>.<random token>``; the database keeps the token's SHA-256 in ``user_sessions``
(``scheduler.web.security.load_user`` checks both with one indexed query). Revoking the row ends
every copy of that cookie; raising the user's ``session_version`` ends all of their sessions.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import CursorResult, delete, or_, select, update
from sqlalchemy.orm import Session

from scheduler import audit
from scheduler.accounts import api_tokens
from scheduler.enums import Role
from scheduler.errors import PermissionDenied, ServiceError
from scheduler.models import FeedToken, User, UserSession
from scheduler.types import utcnow

# The last-seen time is written at most this often, so most requests write nothing.
TOUCH_INTERVAL = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(session: Session, *, user: User, now: datetime) -> str:
    """Record a new sign-in; returns the session id to put in the cookie (never stored)."""
    token = secrets.token_urlsafe(32)
    session.add(UserSession(user_id=user.id, token_hash=_hash(token), created_at=now, last_seen_at=now))
    session.flush()
    return f"{user.id}.{user.session_version}.{token}"


def find(session: Session, session_id: str) -> tuple[User, UserSession] | None:
    """The person and the live session row for a cookie's session id; one indexed lookup."""
    try:
        raw_id, raw_version, token = session_id.split(".", 2)
        user_id, version = int(raw_id), int(raw_version)
    except (AttributeError, TypeError, ValueError):
        return None
    if not token:
        return None
    row = session.execute(
        select(User, UserSession)
        .join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.token_hash == _hash(token), UserSession.revoked_at.is_(None), User.id == user_id)
    ).first()
    if row is None or row[0].session_version != version:
        return None
    return row[0], row[1]


def touch(record: UserSession, *, now: datetime) -> bool:
    """Move last-seen on if a minute has passed; True when the row changed (caller commits)."""
    if now - record.last_seen_at < TOUCH_INTERVAL:
        return False
    record.last_seen_at = now
    return True


def revoke(session: Session, *, session_row_id: int, now: datetime) -> None:
    """End one session (sign-out, idle timeout): every copy of its cookie stops working."""
    session.execute(
        update(UserSession)
        .where(UserSession.id == session_row_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session="fetch")
    )


def revoke_all(session: Session, *, user: User, now: datetime) -> None:
    """End every session of this person (their session version moves on as well)."""
    session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session="fetch")
    )


def purge(session: Session, *, now: datetime, idle: timedelta) -> int:
    """Remove rows of sessions that ended (revoked) or lapsed (idle longer than ``idle``)."""
    result = session.execute(
        delete(UserSession)
        .where(or_(UserSession.revoked_at.is_not(None), UserSession.last_seen_at < now - idle))
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)  # what an UPDATE or DELETE gives back
    return result.rowcount or 0


def idle_timeout_minutes(user: User, *, coordinator_minutes: int, volunteer_minutes: int) -> int:
    """Staff hold more and are a richer target: their sessions lapse sooner."""
    if user.role in (Role.COORDINATOR, Role.ADMIN):
        return coordinator_minutes
    return volunteer_minutes


def is_idle(*, last_seen: float | None, now: float, timeout_minutes: int) -> bool:
    """True when the last request (epoch seconds) is longer ago than the timeout."""
    if last_seen is None:
        return False
    return now - last_seen > timeout_minutes * 60


def end_all_sessions(session: Session, *, user: User) -> None:
    """Sign the person out on every device and browser ("sign out everywhere")."""
    user.session_version += 1
    revoke_all(session, user=user, now=utcnow())
    audit.record(
        session, actor=user, action="user.signed_out_everywhere", object_type="user", object_id=user.id
    )
    session.flush()


def revoke_feeds(session: Session, user: User) -> int:
    now = utcnow()
    count = 0
    for token in session.scalars(
        select(FeedToken).where(FeedToken.user_id == user.id, FeedToken.revoked_at.is_(None))
    ):
        token.revoked_at = now
        count += 1
    return count


def lock_down(session: Session, *, actor: User, user: User) -> int:
    """Contain an account that may be in the wrong hands; returns how many feeds were turned off.

    Ends every session, turns off every calendar feed and API token, and makes the password
    useless until the owner resets it through their email. Returns the number of feeds revoked.
    """
    if not actor.is_admin:
        raise PermissionDenied()
    if actor.id == user.id:
        raise ServiceError("not_yourself")
    user.session_version += 1
    revoke_all(session, user=user, now=utcnow())
    user.must_reset_password = True
    revoked = revoke_feeds(session, user)
    tokens = api_tokens.revoke_all(session, user=user, now=utcnow())
    audit.record(
        session,
        actor=actor,
        action="user.locked_down",
        object_type="user",
        object_id=user.id,
        details={"feeds_revoked": revoked, "api_tokens_revoked": tokens},
    )
    session.flush()
    return revoked
