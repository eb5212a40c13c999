"""Accounts: registration, login, password reset and change, vetting, roles."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler import audit, events
from scheduler.domain.passwords import PasswordProblem, password_problems
from scheduler.enums import Role, UserStatus
from scheduler.errors import PermissionDenied, ServiceError
from scheduler.models import Court, PasswordResetToken, User, VolunteerProfile
from scheduler.types import utcnow
from scheduler.unique import Taken, flush_unique

_hasher = PasswordHasher()
# Verified against when the email is unknown, so a miss costs as long as a hit.
_DUMMY_HASH = _hasher.hash("not a real password, only for timing")


class PasswordRejected(ServiceError):
    def __init__(self, problems: list[PasswordProblem]) -> None:
        super().__init__(problems[0].value, field="password")
        self.problems = problems


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_policy(password: str, *, min_length: int, email: str = "") -> None:
    problems = password_problems(password, min_length=min_length, email=email)
    if problems:
        raise PasswordRejected(problems)


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def register_volunteer(
    session: Session,
    *,
    email: str,
    display_name: str,
    password: str,
    locale: str,
    phone: str | None,
    min_length: int,
) -> User | None:
    """Create a pending volunteer; None when the email is taken.

    The caller answers both cases with the same page, so registration reveals nothing about
    which addresses have accounts.
    """
    check_password_policy(password, min_length=min_length, email=email)
    if find_user_by_email(session, email) is not None:
        # Hash anyway: a taken address must cost as long as a new one, or timing would tell.
        hash_password(password)
        return None
    user = User(
        email=email,
        display_name=display_name.strip(),
        phone=(phone or "").strip() or None,
        password_hash=hash_password(password),
        role=Role.VOLUNTEER,
        status=UserStatus.PENDING,
        locale=locale,
        password_changed_at=utcnow(),
    )
    user.profile = VolunteerProfile()
    session.add(user)
    try:
        flush_unique(session)
    except Taken:
        return None  # registered by another request at the same instant: answered as taken
    audit.record(session, actor=user, action="user.registered", object_type="user", object_id=user.id)
    return user


def authenticate(session: Session, *, email: str, password: str) -> User | None:
    user = find_user_by_email(session, email)
    if user is None:
        _verify(_DUMMY_HASH, password)
        return None
    if not _verify(user.password_hash, password):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_reset_token(session: Session, *, email: str, max_age: timedelta) -> tuple[User, str] | None:
    """A fresh single-use token for the account, or None if there is no such account."""
    user = find_user_by_email(session, email)
    if user is None:
        return None
    token = secrets.token_urlsafe(32)
    session.add(
        PasswordResetToken(user_id=user.id, token_hash=_token_hash(token), expires_at=utcnow() + max_age)
    )
    session.flush()
    return user, token


def find_reset_token(session: Session, token: str) -> PasswordResetToken | None:
    """The token's row if it is unused and unexpired."""
    row = session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == _token_hash(token))
    )
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        return None
    return row


def reset_password(session: Session, *, token: str, new_password: str, min_length: int) -> User:
    row = find_reset_token(session, token)
    if row is None:
        raise ServiceError("invalid_token")
    user = session.get(User, row.user_id)
    assert user is not None
    check_password_policy(new_password, min_length=min_length, email=user.email)
    row.used_at = utcnow()
    # Every other outstanding token for the account dies with this one.
    for other in session.scalars(
        select(PasswordResetToken).where(
            PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None)
        )
    ):
        other.used_at = row.used_at
    _set_password(user, new_password)
    audit.record(session, actor=user, action="user.password_reset", object_type="user", object_id=user.id)
    return user


def change_password(
    session: Session, *, user: User, current: str, new_password: str, min_length: int
) -> None:
    if not _verify(user.password_hash, current):
        raise ServiceError("wrong_password", field="current_password")
    check_password_policy(new_password, min_length=min_length, email=user.email)
    _set_password(user, new_password)
    audit.record(session, actor=user, action="user.password_changed", object_type="user", object_id=user.id)


def _set_password(user: User, new_password: str) -> None:
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    user.session_version += 1
    # A new password chosen by the owner lifts an admin's lock-down (scheduler/accounts/sessions.py).
    user.must_reset_password = False


def set_status(session: Session, *, actor: User, user: User, status: UserStatus) -> None:
    """Approve, suspend or reinstate. Coordinators vet volunteers; only admins touch staff."""
    if not actor.is_coordinator:
        raise PermissionDenied()
    if user.id == actor.id:
        raise ServiceError("not_yourself")
    if user.role != Role.VOLUNTEER and not actor.is_admin:
        raise PermissionDenied()
    if user.status == status:
        return
    previous = user.status
    user.status = status
    if status == UserStatus.APPROVED and user.approved_at is None:
        user.approved_at = utcnow()
    if status == UserStatus.SUSPENDED:
        user.session_version += 1
    audit.record(
        session,
        actor=actor,
        action=f"user.{_STATUS_ACTIONS[status]}",
        object_type="user",
        object_id=user.id,
        details={"from": previous.value, "to": status.value},
    )
    if status == UserStatus.APPROVED and previous == UserStatus.PENDING:
        events.record(session, events.AccountApproved(user_id=user.id))


_STATUS_ACTIONS = {
    UserStatus.APPROVED: "approved",
    UserStatus.SUSPENDED: "suspended",
    UserStatus.PENDING: "set_pending",
}


def set_role(session: Session, *, actor: User, user: User, role: Role) -> None:
    if not actor.is_admin:
        raise PermissionDenied()
    if user.id == actor.id:
        raise ServiceError("not_yourself")
    if user.role == role:
        return
    previous = user.role
    user.role = role
    if role != Role.VOLUNTEER and user.status == UserStatus.PENDING:
        user.status = UserStatus.APPROVED
        user.approved_at = utcnow()
    audit.record(
        session,
        actor=actor,
        action="user.role_changed",
        object_type="user",
        object_id=user.id,
        details={"from": previous.value, "to": role.value},
    )


def set_coordinator_courts(session: Session, *, actor: User, user: User, court_ids: list[int]) -> None:
    """Scope a coordinator to some courts (none means every court). Only admins decide this."""
    if not actor.is_admin:
        raise PermissionDenied()
    if user.role != Role.COORDINATOR:
        raise ServiceError("not_a_coordinator")
    wanted = set(court_ids)
    courts = list(session.scalars(select(Court).where(Court.id.in_(wanted)))) if wanted else []
    if len(courts) != len(wanted):
        raise ServiceError("unknown_court", field="courts")
    previous = sorted(c.id for c in user.coordinated_courts)
    if previous == sorted(wanted):
        return
    user.coordinated_courts = courts
    audit.record(
        session,
        actor=actor,
        action="user.courts_changed",
        object_type="user",
        object_id=user.id,
        details={"from": previous, "to": sorted(wanted)},
    )


def create_user(
    session: Session,
    *,
    email: str,
    display_name: str,
    password: str,
    role: Role,
    min_length: int,
    locale: str = "en",
) -> User:
    """An approved account made by an operator (CLI) or the demo seed."""
    check_password_policy(password, min_length=min_length, email=email)
    if find_user_by_email(session, email) is not None:
        raise ServiceError("email_taken", field="email")
    user = User(
        email=email,
        display_name=display_name,
        password_hash=hash_password(password),
        role=role,
        status=UserStatus.APPROVED,
        approved_at=utcnow(),
        locale=locale,
        password_changed_at=utcnow(),
    )
    user.profile = VolunteerProfile()
    session.add(user)
    session.flush()
    return user
