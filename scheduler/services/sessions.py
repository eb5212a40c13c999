"""Ending sessions: idle timeout rules, "sign out everywhere", and an admin's lock-down.

Every session and remember-me cookie carries the user's ``session_version`` (see
``User.get_id`` and ``scheduler.security.load_user``): raising it ends them all at once.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.enums import Role
from scheduler.models import FeedToken, User
from scheduler.services import audit
from scheduler.services.errors import PermissionDenied, ServiceError
from scheduler.types import utcnow


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

    Ends every session, turns off every calendar feed, and makes the password useless until
    the owner resets it through their email. Returns the number of feeds revoked.
    """
    if not actor.is_admin:
        raise PermissionDenied()
    if actor.id == user.id:
        raise ServiceError("not_yourself")
    user.session_version += 1
    user.must_reset_password = True
    revoked = revoke_feeds(session, user)
    audit.record(
        session,
        actor=actor,
        action="user.locked_down",
        object_type="user",
        object_id=user.id,
        details={"feeds_revoked": revoked},
    )
    session.flush()
    return revoked
