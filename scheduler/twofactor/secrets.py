"""Two-step sign-in: TOTP secrets, one-time recovery codes, and who must use them."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
from sqlalchemy import CursorResult, delete, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from scheduler import audit
from scheduler.enums import Role
from scheduler.errors import PermissionDenied, ServiceError
from scheduler.models import RecoveryCode, SiteSetting, TwoFactorSecret, User
from scheduler.secretbox import SecretBox
from scheduler.types import utcnow

RECOVERY_CODE_COUNT = 10
# Crockford-like alphabet without look-alikes (0/O, 1/I/L): codes are read off paper.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
REQUIRE_ALL_SETTING = "require_2fa_for_everyone"
_STEP_SECONDS = 30


class InvalidCode(ServiceError):
    def __init__(self) -> None:
        super().__init__("invalid_code", field="code")


def get_setting(session: Session, key: str, default: object = None) -> object:
    row = session.get(SiteSetting, key)
    return default if row is None else row.value


def set_setting(session: Session, *, actor: User, key: str, value: object) -> None:
    if not actor.is_admin:
        raise PermissionDenied()
    row = session.get(SiteSetting, key)
    previous = None if row is None else row.value
    if row is None:
        row = SiteSetting(key=key)
        session.add(row)
    if previous == value:
        return
    row.value = value
    row.updated_by_id = actor.id
    audit.record(
        session,
        actor=actor,
        action="settings.changed",
        object_type="setting",
        object_id=None,
        details={"key": key, "from": previous, "to": value},
    )
    session.flush()


def is_required(session: Session, user: User, *, staff_required: bool) -> bool:
    """Whether this person may only sign in with a second factor."""
    if staff_required and user.role in (Role.COORDINATOR, Role.ADMIN):
        return True
    return bool(get_setting(session, REQUIRE_ALL_SETTING, False))


def confirmed_secret(session: Session, user: User) -> TwoFactorSecret | None:
    row = session.get(TwoFactorSecret, user.id)
    return row if row is not None and row.confirmed_at is not None else None


def is_enabled(session: Session, user: User) -> bool:
    return confirmed_secret(session, user) is not None


def new_secret() -> str:
    """A fresh TOTP secret (160 random bits), not stored anywhere yet."""
    return pyotp.random_base32()


def start_enrolment(session: Session, *, user: User, box: SecretBox, secret: str | None = None) -> str:
    """Store a secret for the authenticator app as pending, not in force until a code confirms it.

    ``secret`` is the one the person was shown (``new_secret``); without it a fresh one is made.
    Calling it again before confirming replaces the pending secret (a new QR code).
    """
    row = session.get(TwoFactorSecret, user.id)
    if row is not None and row.confirmed_at is not None:
        raise ServiceError("already_enabled")
    secret = secret or new_secret()
    if row is None:
        session.add(TwoFactorSecret(user_id=user.id, secret_ciphertext=box.encrypt(secret)))
    else:
        row.secret_ciphertext = box.encrypt(secret)
        row.last_used_step = None
    session.flush()
    return secret


def pending_secret(session: Session, user: User, *, box: SecretBox) -> str | None:
    row = session.get(TwoFactorSecret, user.id)
    return box.decrypt(row.secret_ciphertext) if row is not None and row.confirmed_at is None else None


def provisioning_uri(*, secret: str, email: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)


def confirm_enrolment(
    session: Session, *, user: User, code: str, box: SecretBox, now: datetime | None = None
) -> list[str]:
    """Turn the pending secret on with a first good code; returns the recovery codes (shown once)."""
    row = session.get(TwoFactorSecret, user.id)
    if row is None or row.confirmed_at is not None:
        raise ServiceError("no_pending_secret")
    step = _matching_step(row, _normalise(code), now or utcnow(), box)
    if step is None or not _spend_step(session, row, step, pending=True):
        raise InvalidCode()
    row.confirmed_at = now or utcnow()
    reset_failures(session, user=user)
    codes = _replace_recovery_codes(session, user)
    audit.record(session, actor=user, action="user.2fa_enabled", object_type="user", object_id=user.id)
    return codes


def verify(session: Session, *, user: User, code: str, box: SecretBox, now: datetime | None = None) -> str:
    """Check a sign-in code: "totp" or "recovery" for the kind that matched, else InvalidCode."""
    row = confirmed_secret(session, user)
    if row is None:
        raise ServiceError("not_enabled")
    cleaned = _normalise(code)
    if cleaned.isdigit() and len(cleaned) == 6:
        step = _matching_step(row, cleaned, now or utcnow(), box)
        if step is None or not _spend_step(session, row, step):
            raise InvalidCode()
        reset_failures(session, user=user)
        return "totp"
    digest = _hash_code(cleaned)
    for candidate in session.scalars(
        select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ):
        if hmac.compare_digest(candidate.code_hash, digest):
            if not _spend_recovery_code(session, candidate, now or utcnow()):
                raise InvalidCode()
            reset_failures(session, user=user)
            audit.record(
                session, actor=user, action="user.2fa_recovery_used", object_type="user", object_id=user.id
            )
            return "recovery"
    raise InvalidCode()


def reencrypt_secrets(session: Session, *, box: SecretBox) -> int:
    """Encrypt every stored TOTP secret with the newest key (key rotation); returns how many changed.

    Raises SecretUnreadable, and changes nothing, if some secret opens with none of the keys.
    """
    changed = 0
    for row in session.scalars(select(TwoFactorSecret).order_by(TwoFactorSecret.user_id)):
        if not box.is_current(row.secret_ciphertext):
            row.secret_ciphertext = box.rotate(row.secret_ciphertext)
            changed += 1
    session.flush()
    return changed


def failed_attempts(session: Session, user: User) -> int:
    """Wrong codes since the last password step or good code, counted per account on the server."""
    count = session.scalar(select(TwoFactorSecret.failed_attempts).where(TwoFactorSecret.user_id == user.id))
    return count or 0


def record_failure(session: Session, *, user: User) -> int:
    """Count one wrong code for the account (an atomic increment); returns the new count."""
    session.execute(
        update(TwoFactorSecret)
        .where(TwoFactorSecret.user_id == user.id)
        .values(failed_attempts=TwoFactorSecret.failed_attempts + 1)
        .execution_options(synchronize_session="fetch")
    )
    return failed_attempts(session, user)


def reset_failures(session: Session, *, user: User) -> None:
    """A correct password starts a fresh count of wrong codes."""
    session.execute(
        update(TwoFactorSecret)
        .where(TwoFactorSecret.user_id == user.id, TwoFactorSecret.failed_attempts != 0)
        .values(failed_attempts=0)
        .execution_options(synchronize_session="fetch")
    )


def remaining_recovery_codes(session: Session, user: User) -> int:
    return session.execute(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ).scalar_one()


def regenerate_recovery_codes(session: Session, *, user: User) -> list[str]:
    if not is_enabled(session, user):
        raise ServiceError("not_enabled")
    codes = _replace_recovery_codes(session, user)
    audit.record(
        session, actor=user, action="user.2fa_codes_regenerated", object_type="user", object_id=user.id
    )
    return codes


def disable(session: Session, *, actor: User, user: User) -> None:
    """Remove the second factor (the person themselves, or an admin for someone who lost it)."""
    if actor.id != user.id and not actor.is_admin:
        raise PermissionDenied()
    session.execute(delete(TwoFactorSecret).where(TwoFactorSecret.user_id == user.id))
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    # A second factor removed by someone else ends every session the person has.
    if actor.id != user.id:
        user.session_version += 1
    audit.record(session, actor=actor, action="user.2fa_disabled", object_type="user", object_id=user.id)
    session.flush()


def _replace_recovery_codes(session: Session, user: User) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        session.add(RecoveryCode(user_id=user.id, code_hash=_hash_code(raw)))
    session.flush()
    return codes


def _normalise(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())[:32]


def _hash_code(cleaned: str) -> str:
    return hashlib.sha256(cleaned.encode()).hexdigest()


def _spend_step(session: Session, row: TwoFactorSecret, step: int, *, pending: bool = False) -> bool:
    """Record ``step`` as used unless another request already used it or a later one.

    One conditional UPDATE: on PostgreSQL a second request waits for the first one's row lock
    and then finds the condition false; SQLite runs writers one at a time. Exactly one wins.
    """
    result = session.execute(
        update(TwoFactorSecret)
        .where(
            TwoFactorSecret.user_id == row.user_id,
            TwoFactorSecret.confirmed_at.is_(None) if pending else TwoFactorSecret.confirmed_at.is_not(None),
            or_(TwoFactorSecret.last_used_step.is_(None), TwoFactorSecret.last_used_step < step),
        )
        .values(last_used_step=step)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)  # what an UPDATE or DELETE gives back
    if result.rowcount != 1:
        return False
    set_committed_value(row, "last_used_step", step)
    return True


def _spend_recovery_code(session: Session, code: RecoveryCode, now: datetime) -> bool:
    """Mark a recovery code used, unless a request at the same moment already did (one wins)."""
    result = session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.id == code.id, RecoveryCode.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)  # what an UPDATE or DELETE gives back
    if result.rowcount != 1:
        return False
    set_committed_value(code, "used_at", now)
    return True


def _matching_step(row: TwoFactorSecret, code: str, now: datetime, box: SecretBox) -> int | None:
    """The time step whose code matches (one step of clock drift allowed), unless already used."""
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(box.decrypt(row.secret_ciphertext))
    current = int(now.timestamp()) // _STEP_SECONDS
    for step in (current, current - 1, current + 1):
        if row.last_used_step is not None and step <= row.last_used_step:
            continue
        if hmac.compare_digest(totp.at(step * _STEP_SECONDS), code):
            return step
    return None
