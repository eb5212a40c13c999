"""Builders for test data. Each flushes, so ids are there; tests commit when they need to."""

from __future__ import annotations

import itertools
import uuid
from datetime import datetime, timedelta

from scheduler.accounts.registry import hash_password
from scheduler.domain.hearings import default_shift_window
from scheduler.enums import HearingKind, Role, ShiftRole, SignupStatus, UserStatus
from scheduler.extensions import db
from scheduler.models import (
    Court,
    Hearing,
    HearingLanguage,
    Shift,
    Signup,
    User,
    VolunteerLanguage,
    VolunteerProfile,
    VolunteerRole,
)
from scheduler.types import utcnow

DEFAULT_PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)
_hash_cache: dict[str, str] = {}


def _hash(password: str) -> str:
    # argon2 is slow on purpose; tests hash each distinct password once.
    if password not in _hash_cache:
        _hash_cache[password] = hash_password(password)
    return _hash_cache[password]


def make_court(**overrides) -> Court:
    n = next(_counter)
    values = {
        "name": f"Test Immigration Court {n}",
        "city": "Chicago",
        "state": "IL",
        "address": f"{n} Test Street, Chicago, IL 60603",
        "timezone": "America/Chicago",
    }
    values.update(overrides)
    court = Court(**values)
    db.session.add(court)
    db.session.flush()
    return court


def make_user(
    *,
    role: Role = Role.VOLUNTEER,
    status: UserStatus = UserStatus.APPROVED,
    email: str | None = None,
    password: str = DEFAULT_PASSWORD,
    display_name: str | None = None,
    languages: tuple[str, ...] = (),
    roles: tuple[ShiftRole, ...] = (),
    has_car: bool = False,
    max_shifts_per_week: int = 5,
    courts: tuple[Court, ...] = (),
    locale: str = "en",
) -> User:
    n = next(_counter)
    user = User(
        email=email or f"{role.value}{n}@example.test",
        display_name=display_name or f"{role.value.title()} {n}",
        password_hash=_hash(password),
        role=role,
        status=status,
        approved_at=utcnow() if status == UserStatus.APPROVED else None,
        locale=locale,
    )
    user.profile = VolunteerProfile(has_car=has_car, max_shifts_per_week=max_shifts_per_week)
    user.profile.languages = [VolunteerLanguage(language=code) for code in languages]
    user.profile.roles = [VolunteerRole(role=r) for r in roles]
    if courts:
        user.coordinated_courts = list(courts)
    db.session.add(user)
    db.session.flush()
    return user


def make_hearing(
    *,
    court: Court | None = None,
    starts_at: datetime | None = None,
    duration_minutes: int = 60,
    kind: HearingKind = HearingKind.MASTER,
    seats: dict[ShiftRole, int] | None = None,
    languages: tuple[str, ...] = ("es",),
    **overrides,
) -> Hearing:
    court = court or make_court()
    starts_at = starts_at or (utcnow() + timedelta(days=3)).replace(microsecond=0)
    hearing = Hearing(
        court=court,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        kind=kind,
        case_key=uuid.uuid4().hex,
        **overrides,
    )
    hearing.languages = [HearingLanguage(language=code) for code in languages]
    for role, capacity in (seats or {ShiftRole.ACCOMPANIER: 2}).items():
        start, end = default_shift_window(
            role=role, hearing_start=starts_at, duration_minutes=duration_minutes
        )
        hearing.shifts.append(Shift(role=role, capacity=capacity, starts_at=start, ends_at=end))
    db.session.add(hearing)
    db.session.flush()
    return hearing


def make_signup(
    *, shift: Shift, user: User, status: SignupStatus = SignupStatus.CONFIRMED, **overrides
) -> Signup:
    signup = Signup(shift=shift, user_id=user.id, status=status, status_changed_at=utcnow(), **overrides)
    db.session.add(signup)
    db.session.flush()
    return signup


def session_id_for(user: User) -> str:
    """A live server-side session for ``user``: the value to put in a test session's ``_user_id``."""
    from scheduler.accounts import sessions

    session_id = sessions.start(db.session, user=user, now=utcnow())
    db.session.commit()
    return session_id


def dispatch_intents() -> int:
    """Run the worker's first step: turn recorded events into outbox mail; how many messages."""
    from scheduler.notifications.dispatch import dispatch_pending

    return dispatch_pending(db.session).messages


def make_api_token(
    user: User, *, write: bool = True, private: bool = False, last_used_at: datetime | None = None
) -> str:
    """A live API token for ``user`` through the service (staff get two-step sign-in first)."""
    from scheduler.accounts import api_tokens
    from scheduler.models import ApiToken, TwoFactorSecret

    if user.role in (Role.COORDINATOR, Role.ADMIN) and db.session.get(TwoFactorSecret, user.id) is None:
        db.session.add(TwoFactorSecret(user_id=user.id, secret_ciphertext="x", confirmed_at=utcnow()))
        db.session.flush()
    secret = api_tokens.create_token(
        db.session(), user=user, name="test", can_write=write, can_read_private=private, days=30, now=utcnow()
    )
    if last_used_at is not None:
        row = db.session.scalar(
            db.select(ApiToken).where(ApiToken.token_hash == api_tokens.hash_token(secret))
        )
        row.last_used_at = last_used_at
        db.session.flush()
    return secret
