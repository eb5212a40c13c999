"""A person's mobile number: added, proved with a code sent by SMS, removed.

The number is validated and normalised to E.164 (``phonenumbers``) and stored Fernet-encrypted
(SECRETS_KEY, as TOTP secrets are): the app must read it back to send, and a stolen database
copy alone must not list the phones of a rapid-response network. It is used for SMS and Signal
only once confirmed. The code: six random digits, only its SHA-256 kept, valid a few minutes,
a few wrong tries, spent on first use. Numbers never reach a log line or an outbox row.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

import phonenumbers
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from scheduler.models import PhoneNumber, User
from scheduler.notifications.channels.base import SMS
from scheduler.notifications.channels.delivery import PHONE_CODE_KIND
from scheduler.notifications.outbox import Composed, enqueue
from scheduler.secretbox import SecretBox


class PhoneError(Exception):
    """Why a number or a code was refused: ``invalid``, ``no_code``, ``expired``, ``wrong``, ``too_many``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def normalise(raw: str, *, region: str) -> str:
    """The number in E.164 (+15551234567); PhoneError("invalid") if it is not a possible mobile number."""
    if not raw or len(raw) > 40 or "\x00" in raw:
        raise PhoneError("invalid")
    try:
        parsed = phonenumbers.parse(raw, region or None)
    except phonenumbers.NumberParseException as exc:
        raise PhoneError("invalid") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise PhoneError("invalid")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _digest(user_id: int, code: str) -> str:
    return hashlib.sha256(f"{user_id}:{code}".encode()).hexdigest()


def start(
    session: Session,
    *,
    user: User,
    raw: str,
    region: str,
    box: SecretBox,
    now: datetime,
    minutes: int,
    message: Callable[[str], tuple[str, str]],
) -> int | None:
    """Keep the number (unverified) and queue an SMS with a new code; the outbox id.

    ``message(code)`` gives the SMS's subject and text in the person's language.
    """
    number = normalise(raw, region=region)
    code = f"{secrets.randbelow(10**6):06d}"
    row = session.get(PhoneNumber, user.id)
    if row is None:
        row = PhoneNumber(user_id=user.id, created_at=now)
        session.add(row)
    row.number_ciphertext = box.encrypt(number)
    row.verified_at = None
    row.code_hash = _digest(user.id, code)
    row.code_expires_at = now + timedelta(minutes=minutes)
    row.code_attempts = 0
    session.flush()
    subject, text = message(code)
    return enqueue(
        session, user=user, channel=SMS, urgent=True, message=Composed(PHONE_CODE_KIND, subject, text)
    )


def confirm(session: Session, *, user: User, code: str, now: datetime, max_attempts: int) -> None:
    """Mark the number verified when ``code`` is the pending one; PhoneError otherwise."""
    row = session.get(PhoneNumber, user.id)
    if row is None or row.code_hash is None or row.code_expires_at is None:
        raise PhoneError("no_code")
    if row.code_attempts >= max_attempts:
        raise PhoneError("too_many")
    if now >= row.code_expires_at:
        raise PhoneError("expired")
    if not hmac.compare_digest(row.code_hash, _digest(user.id, code.strip())):
        row.code_attempts += 1
        session.flush()
        raise PhoneError("too_many" if row.code_attempts >= max_attempts else "wrong")
    row.verified_at = now
    row.code_hash = None
    row.code_expires_at = None
    row.code_attempts = 0
    session.flush()


def remove(session: Session, *, user: User) -> None:
    session.execute(delete(PhoneNumber).where(PhoneNumber.user_id == user.id))
    session.flush()


def verified_number(session: Session, user_id: int, *, box: SecretBox) -> str | None:
    row = session.get(PhoneNumber, user_id)
    if row is None or row.verified_at is None:
        return None
    return box.decrypt(row.number_ciphertext)


def masked(number: str) -> str:
    """What a page shows: the last two digits only."""
    return "•" * max(len(number) - 3, 3) + number[-2:]


def reencrypt_numbers(session: Session, *, box: SecretBox) -> int:
    """Encrypt every stored number with the newest key (key rotation); how many changed."""
    changed = 0
    for row in session.scalars(select(PhoneNumber).order_by(PhoneNumber.user_id)):
        if not box.is_current(row.number_ciphertext):
            row.number_ciphertext = box.rotate(row.number_ciphertext)
            changed += 1
    session.flush()
    return changed
