"""Feed tokens: the secret in a calendar URL, and the settings that shape a person's feed.

A token is an HMAC-SHA256 (256 bits, base64url) of the person, the feed kind and a per-person
*generation* under a key that is not in the database (``FEED_TOKEN_KEY``, by default derived
from ``SECRET_KEY`` for this purpose only). Only the token's SHA-256 is stored and lookups go by
that hash, so a copy of the database alone cannot be turned into working feed URLs, and feed
lookup stays one indexed query. Because the token can be derived again from the generation,
the subscription page always shows the person's current link: a second phone can subscribe to
the same link without breaking the first. "Get a new link" raises the generation (the old link
stops at once).

Tokens made before generations existed were random (``secrets.token_urlsafe(32)``); they keep
working (the lookup by hash is unchanged) but cannot be shown again: the page offers a new link.
If the key changes, derived links still work too (lookup is by the stored hash); the page then
notices that it can no longer show them and offers a new link.

Feed content (stamps and calendar bytes) lives in ``scheduler.feeds.content``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import ColumnElement, CursorResult, ScalarSelect, Select, bindparam, func, select, update
from sqlalchemy.orm import Session

from scheduler import audit
from scheduler.accounts.token_stamps import hash_token, stamp_last_used
from scheduler.enums import FeedKind, UserStatus
from scheduler.models import FeedChange, FeedToken, User
from scheduler.types import utcnow

ALARM_CHOICES = ("none", "1h", "1d")


def feed_path(token: str) -> str:
    return f"/feeds/{token}.ics"


def feed_url(base_url: str, token: str) -> str:
    return base_url.rstrip("/") + feed_path(token)


def active_token(session: Session, *, user: User, kind: FeedKind) -> FeedToken | None:
    return session.scalar(
        select(FeedToken).where(
            FeedToken.user_id == user.id, FeedToken.kind == kind, FeedToken.revoked_at.is_(None)
        )
    )


def token_key(secret_key: str) -> bytes:
    """The dedicated feed-token key derived from the app's secret key (when none is configured)."""
    return hmac.new(secret_key.encode("utf-8"), b"accompany feed token key v1", hashlib.sha256).digest()


def derive_token(key: bytes, *, user_id: int, kind: FeedKind, generation: int) -> str:
    message = f"feed-token:v1:{user_id}:{kind.value}:{generation}".encode()
    return base64.urlsafe_b64encode(hmac.new(key, message, hashlib.sha256).digest()).rstrip(b"=").decode()


def current_token(session: Session, *, user: User, kind: FeedKind, key: bytes) -> str | None:
    """The person's live feed token, derived again; None if off or not derivable (older link, key changed)."""
    row = active_token(session, user=user, kind=kind)
    if row is None or row.generation is None:
        return None
    token = derive_token(key, user_id=user.id, kind=kind, generation=row.generation)
    return token if hmac.compare_digest(hash_token(token), row.token_hash) else None


def issue_token(
    session: Session, *, user: User, kind: FeedKind, actor: User | None, key: bytes | None = None
) -> str:
    """Make a new feed token for this person, revoking the one before; returns the secret.

    With ``key`` the token is derived from the next generation (and can be shown again);
    without, it is random and can be shown only now.
    """
    now = utcnow()
    revoked = _revoke_all(session, user=user, kind=kind, now=now)
    generation = None
    if key is None:
        token = secrets.token_urlsafe(32)
    else:
        latest = session.scalar(
            select(func.max(FeedToken.generation)).where(FeedToken.user_id == user.id, FeedToken.kind == kind)
        )
        generation = (latest or 0) + 1
        token = derive_token(key, user_id=user.id, kind=kind, generation=generation)
    row = FeedToken(
        user_id=user.id, kind=kind, token_hash=hash_token(token), created_at=now, generation=generation
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="feed.rotate" if revoked else "feed.create",
        object_type="user",
        object_id=user.id,
        details={"kind": kind.value, "token_id": row.id},
    )
    return token


def revoke_token(session: Session, *, user: User, kind: FeedKind, actor: User | None) -> bool:
    """Turn the feed off: its URL answers 404 from now on. False if it was already off."""
    revoked = _revoke_all(session, user=user, kind=kind, now=utcnow())
    if revoked:
        audit.record(
            session,
            actor=actor,
            action="feed.revoke",
            object_type="user",
            object_id=user.id,
            details={"kind": kind.value},
        )
    return revoked > 0


def _revoke_all(session: Session, *, user: User, kind: FeedKind, now: datetime) -> int:
    result = session.execute(
        update(FeedToken)
        .where(FeedToken.user_id == user.id, FeedToken.kind == kind, FeedToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)  # what an UPDATE or DELETE gives back
    return result.rowcount or 0


@dataclass(frozen=True, slots=True)
class FeedOwner:
    """What a feed request needs to know about the token and its owner (plain values)."""

    token_id: int
    kind: FeedKind
    last_used_at: datetime | None
    user_id: int
    is_coordinator: bool
    is_admin: bool
    locale: str
    alarm: str
    show_waitlist: bool
    user_changed_at: datetime
    token_hash: str
    # (count, newest id) of the change-journal rows for this person and for everyone, read in
    # the same statement as the token: the in-memory ETag is reused while they stay the same.
    marks: tuple[int, int | None, int, int | None]


_TOKEN, _USER, _JOURNAL = FeedToken.__table__.c, User.__table__.c, FeedChange.__table__.c


def _journal(*where: ColumnElement[bool]) -> tuple[ScalarSelect, ScalarSelect]:
    """Row count and newest id of the journal rows matching ``where`` (two index lookups)."""
    return (
        select(func.count(_JOURNAL.id)).where(*where).scalar_subquery(),
        select(func.max(_JOURNAL.id)).where(*where).scalar_subquery(),
    )


@lru_cache(maxsize=1)
def _resolve_statement() -> Select:
    """Built once: every feed poll runs it, and building a statement costs more than running it.

    Of table columns, not mapped attributes: a Core statement skips the ORM's per-execution
    work (compile state, row loading), which was most of a 304's cost.
    """
    return (
        select(
            _TOKEN.id,
            _TOKEN.kind,
            _TOKEN.last_used_at,
            _USER.id,
            _USER.role,
            _USER.locale,
            _USER.feed_alarm,
            _USER.feed_show_waitlist,
            _USER.updated_at,
            *_journal(_JOURNAL.user_id == _USER.id),
            *_journal(_JOURNAL.user_id.is_(None), _JOURNAL.court_id.is_(None)),
        )
        .select_from(FeedToken.__table__.join(User.__table__, _USER.id == _TOKEN.user_id))
        .where(
            _TOKEN.token_hash == bindparam("token_hash"),
            _TOKEN.revoked_at.is_(None),
            _USER.status == UserStatus.APPROVED,
        )
    )


def resolve_token(session: Session, token: str) -> FeedOwner | None:
    """The live token and its approved owner, in one query; None for anything else."""
    if not token or len(token) > 128:
        return None
    token_hash = hash_token(token)
    row = session.connection().execute(_resolve_statement(), {"token_hash": token_hash}).one_or_none()
    if row is None:
        return None
    token_id, kind, last_used, user_id, role, locale, alarm, show_waitlist, changed, *marks = row
    return FeedOwner(
        token_id=token_id,
        kind=kind,
        last_used_at=last_used,
        user_id=user_id,
        is_coordinator=role.value in ("coordinator", "admin"),
        is_admin=role.value == "admin",
        locale=locale,
        alarm=alarm if alarm in ALARM_CHOICES else "none",
        show_waitlist=show_waitlist,
        user_changed_at=changed,
        token_hash=token_hash,
        marks=tuple(marks),
    )


def note_use(session: Session, *, owner: FeedOwner, now: datetime) -> bool:
    """Record that the feed was fetched, at most once an hour; True when a write was made."""
    return stamp_last_used(
        session, FeedToken, token_id=owner.token_id, last_used_at=owner.last_used_at, now=now
    )


def update_settings(session: Session, *, user: User, alarm: str, show_waitlist: bool) -> None:
    if alarm not in ALARM_CHOICES:
        raise ValueError(f"unknown alarm setting {alarm!r}")
    user.feed_alarm = alarm
    user.feed_show_waitlist = show_waitlist
    session.flush()
