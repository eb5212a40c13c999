"""Personal API tokens: made on the account page, shown once, kept only as a SHA-256.

A token is ``acc_`` and 256 random bits (base64url). It reads, or reads and writes; a
coordinator's token may also read respondent references and private notes of hearings in their
courts. Every token expires; its owner revokes it, and an admin's lock-down revokes them all.
Staff (coordinators, admins) get tokens only while they use two-step sign-in, and a staff token
stops working if they turn it off: the token then holds more than a password alone would.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from scheduler import audit
from scheduler.accounts.token_stamps import hash_token, stamp_last_used
from scheduler.enums import Role, UserStatus
from scheduler.errors import ServiceError
from scheduler.models import ApiToken, TwoFactorSecret, User

PREFIX = "acc_"
# How long a new token may live, in days (the account page offers these).
LIFETIMES = (30, 90, 365)
MAX_NAME = 80
STAFF = (Role.COORDINATOR, Role.ADMIN)


def has_two_step(session: Session, user: User) -> bool:
    row = session.get(TwoFactorSecret, user.id)
    return row is not None and row.confirmed_at is not None


def create_token(
    session: Session,
    *,
    user: User,
    name: str,
    can_write: bool,
    can_read_private: bool,
    days: int,
    now: datetime,
) -> str:
    """Make a token and return its secret (the only time it is seen); raises ServiceError."""
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise ServiceError("token_name", field="name")
    if days not in LIFETIMES:
        raise ServiceError("token_lifetime", field="days")
    if user.status != UserStatus.APPROVED:
        raise ServiceError("not_approved")
    if user.role in STAFF and not has_two_step(session, user):
        raise ServiceError("two_step_required")
    secret = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=hash_token(secret),
        prefix=secret[: len(PREFIX) + 4],
        can_write=can_write,
        can_read_private=can_read_private and user.role in STAFF,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=user,
        action="api_token.created",
        object_type="user",
        object_id=user.id,
        details={"token_id": row.id, "write": row.can_write, "private": row.can_read_private},
    )
    return secret


def list_tokens(session: Session, *, user: User) -> list[ApiToken]:
    """The person's tokens not revoked (expired ones too, so they can see why one stopped)."""
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def revoke_token(session: Session, *, user: User, token_id: int, now: datetime) -> bool:
    """The owner turns one token off; False if it is not theirs or already off."""
    result = session.execute(
        update(ApiToken)
        .where(ApiToken.id == token_id, ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)  # what an UPDATE gives back
    if not result.rowcount:
        return False
    audit.record(
        session,
        actor=user,
        action="api_token.revoked",
        object_type="user",
        object_id=user.id,
        details={"token_id": token_id},
    )
    return True


def revoke_all(session: Session, *, user: User, now: datetime) -> int:
    """Every live token of this person stops at once (lock-down); returns how many."""
    result = session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)
    return result.rowcount or 0


@dataclass(frozen=True, slots=True)
class Caller:
    """Who an API request acts for, and what their token lets them do."""

    user: User
    token_id: int
    can_write: bool
    can_read_private: bool
    last_used_at: datetime | None


def resolve(session: Session, token: str, *, now: datetime) -> Caller | None:
    """The live token's approved owner, in one query; None for anything else.

    A staff token counts only while its owner has two-step sign-in (a confirmed secret).
    """
    if not token.startswith(PREFIX) or len(token) > 128:
        return None
    row = session.execute(
        select(ApiToken, User, TwoFactorSecret.confirmed_at)
        .join(User, User.id == ApiToken.user_id)
        .outerjoin(TwoFactorSecret, TwoFactorSecret.user_id == User.id)
        .where(
            ApiToken.token_hash == hash_token(token),
            ApiToken.revoked_at.is_(None),
            ApiToken.expires_at > now,
            User.status == UserStatus.APPROVED,
        )
    ).one_or_none()
    if row is None:
        return None
    api_token, user, two_step_at = row
    if user.role in STAFF and two_step_at is None:
        return None
    return Caller(
        user=user,
        token_id=api_token.id,
        can_write=api_token.can_write,
        can_read_private=api_token.can_read_private,
        last_used_at=api_token.last_used_at,
    )


def note_use(session: Session, *, caller: Caller, now: datetime) -> bool:
    """Stamp the token's last use, at most once an hour; True when a write was made."""
    return stamp_last_used(
        session, ApiToken, token_id=caller.token_id, last_used_at=caller.last_used_at, now=now
    )
