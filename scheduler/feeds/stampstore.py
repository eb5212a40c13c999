"""Feed ETags shared by every worker and kept across restarts: the second level of ``stamps``.

Why: each worker remembers the stamps it computed (``scheduler.feeds.stamps``), but a new
worker, or one after a restart, starts empty, and its first conditional poll of every feed
runs the stamp query (about 1.7x a minimal response for a busy feed, against 1.0x from
memory). Another worker has usually computed that very stamp already. So a memory miss looks
here (Redis when ``FEED_CACHE_URL`` is set, else the ``feed_stamp_cache`` table) before it
runs the stamp query.

The same argument as the memory level keeps it right: an entry is stored under the SHA-256 of
the token's hash and the *whole* key the memory level compares (journal counts, the owner's
settings, the window and its UTC day, the base URL...), plus ``STAMP_VERSION`` (the code that
computes stamps and keys), so a key that differs in anything finds nothing. Each entry keeps
its expiry (``FEED_STAMP_CACHE_SECONDS`` after it was computed, on the wall clock) and is
never reused past it; with ``FEED_STAMP_VERIFY`` a shared hit is checked like a memory hit.
Neither a key nor a value holds a token, a name or a reference: digests and the ETag only.

Filled on a feed GET, on a miss, in a savepoint: one row written (an upsert, which also renews
an expired entry for the same key), bookkeeping of the request like ``feed_event_cache``
(tests/security/test_get_writes_nothing.py lists it). A failed write costs the entry, never
the feed: it is logged without data and counted (``failures``).
"""

from __future__ import annotations

import hashlib
import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import redis
from sqlalchemy import CursorResult, Insert, Select, bindparam, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from scheduler.feeds.content import FORMAT_VERSION, Stamp
from scheduler.feeds.eventcache import Breaker
from scheduler.models import FeedStampCache
from scheduler.types import utcnow

log = logging.getLogger(__name__)

_HERE = Path(__file__).resolve()
# The code that makes a stamp and the key it is valid for: any edit to it is a new digest for
# every entry, so a deployment that changes how stamps are made never reuses an old one.
_STAMP_CODE = tuple(
    _HERE.parent / name for name in ("calendars.py", "content.py", "coverage.py", "stamps.py")
)


def _stamp_version() -> str:
    digest = hashlib.sha256(FORMAT_VERSION.encode())
    for path in _STAMP_CODE:
        try:
            digest.update(path.read_bytes())
        except OSError:  # installed without sources: FORMAT_VERSION is still in every key
            digest.update(path.name.encode())
    return digest.hexdigest()[:16]


STAMP_VERSION = _stamp_version()


def digest_of(token_hash: str, key: tuple[Any, ...]) -> str:
    """The entry's name: ``repr`` of plain values, enums, datetimes and frozen dataclasses,
    the same in every process."""
    return hashlib.sha256(repr((STAMP_VERSION, token_hash, key)).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Entry:
    stamp: Stamp
    expires_at: datetime  # wall clock (UTC): monotonic clocks differ between processes


class Store(Protocol):
    """Where stamps are shared between processes (``TableStore``, ``RedisStore``)."""

    def get(self, digest: str) -> Entry | None: ...

    def put(self, digest: str, entry: Entry) -> bool:
        """Keep ``entry``; True when it went into the request's session (the caller commits)."""
        ...


@dataclass
class Failures:
    """Stamps that could not be kept, since this process started (each costs one stamp query)."""

    writes: int = 0


failures = Failures()


@dataclass
class SharedStamps:
    """A request's view of the shared level: what it found, and the entry it computed itself
    (``pending``), for the caller to ``keep`` once it knows the stamp."""

    store: Store
    pending: tuple[str, Entry] | None = None

    def find(self, digest: str) -> Entry | None:
        return self.store.get(digest)

    def remember(self, digest: str, entry: Entry) -> None:
        self.pending = (digest, entry)


def keep(session: Session, shared: SharedStamps | None) -> bool:
    """Put the stamp this request computed into the shared store; True when the caller should
    commit. A failure (a read-only database, a lost connection) costs the entry, never the feed."""
    if shared is None or shared.pending is None:
        return False
    digest, entry = shared.pending
    shared.pending = None
    try:
        return shared.store.put(digest, entry)
    except SQLAlchemyError as error:
        failures.writes += 1
        log.warning(
            "feed stamp cache: stamp not kept (%s); %d so far in this process",
            type(error).__name__,
            failures.writes,
        )
        return False


# The table ----------------------------------------------------------------------------------

_TABLE = FeedStampCache.__table__


@lru_cache(maxsize=1)
def _get_statement() -> Select:
    """Built once: a fresh worker runs it on every first poll of a feed."""
    c = _TABLE.c
    return select(c.etag, c.last_modified, c.expires_at).where(c.digest == bindparam("digest"))


@lru_cache(maxsize=2)
def _put_statement(dialect: str) -> Insert:
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(_TABLE)
    # Renew in place: the same key can come back after its entry expired (a quiet night).
    return statement.on_conflict_do_update(
        index_elements=["digest"],
        set_={
            "etag": statement.excluded.etag,
            "last_modified": statement.excluded.last_modified,
            "expires_at": statement.excluded.expires_at,
        },
    )


class TableStore:
    """The ``feed_stamp_cache`` table, read and written through the request's session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, digest: str) -> Entry | None:
        # On the connection: a Core statement there skips the ORM's per-execution work.
        row = self.session.connection().execute(_get_statement(), {"digest": digest}).first()
        if row is None:
            return None
        etag, last_modified, expires_at = row
        return Entry(Stamp(etag=etag, last_modified=last_modified), expires_at)

    def put(self, digest: str, entry: Entry) -> bool:
        """One upsert, in a savepoint: a failure leaves the request's transaction usable."""
        statement = _put_statement(self.session.get_bind().dialect.name)
        row = {
            "digest": digest,
            "etag": entry.stamp.etag,
            "last_modified": entry.stamp.last_modified,
            "expires_at": entry.expires_at,
        }
        connection = self.session.connection()  # Core on the connection: no ORM per-execution work
        with connection.begin_nested():
            connection.execute(statement, row)
        return True


def purge(session: Session, *, now: datetime) -> int:
    """Remove the table's entries past their expiry (none can be reused); returns how many."""
    result = session.execute(delete(_TABLE).where(_TABLE.c.expires_at <= now))
    assert isinstance(result, CursorResult)
    return result.rowcount or 0


# Redis ------------------------------------------------------------------------------------------


class RedisStore:
    """Redis (``FEED_CACHE_URL``): one key per entry, expiring with it (its own purge).

    While Redis does not answer, the ``fallback`` store (the table) serves; the ``breaker`` is
    the one the event cache uses with the same client, so a dead host costs one timeout per
    period for both.
    """

    PREFIX = "accompany:feed-stamp:"

    def __init__(self, client: Any, *, fallback: Store, breaker: Breaker) -> None:
        self.client = client
        self.fallback = fallback
        self.breaker = breaker

    def get(self, digest: str) -> Entry | None:
        if self.breaker.up():
            try:
                value = self.client.get(self.PREFIX + digest)
            except (redis.RedisError, OSError) as error:
                self.breaker.failed(error)
            else:
                return None if value is None else _unpack(value)
        return self.fallback.get(digest)

    def put(self, digest: str, entry: Entry) -> bool:
        seconds = math.floor((entry.expires_at - utcnow()) / timedelta(seconds=1))  # never past it
        if seconds <= 0:
            return False
        if self.breaker.up():
            try:
                self.client.set(self.PREFIX + digest, _pack(entry), ex=seconds)
            except (redis.RedisError, OSError) as error:
                self.breaker.failed(error)
            else:
                return False
        return self.fallback.put(digest, entry)


def _pack(entry: Entry) -> bytes:
    stamp = entry.stamp
    return f"{stamp.etag}\n{stamp.last_modified.isoformat()}\n{entry.expires_at.isoformat()}".encode()


def _unpack(value: bytes) -> Entry | None:
    """The entry, or None (a miss) for a value this code did not write."""
    try:
        etag, last_modified, expires_at = value.decode().split("\n")
        stamp = Stamp(etag=etag, last_modified=datetime.fromisoformat(last_modified))
        entry = Entry(stamp, datetime.fromisoformat(expires_at))
    except ValueError:  # UnicodeDecodeError too
        return None
    return entry if entry.expires_at.tzinfo is not None and stamp.last_modified.tzinfo is not None else None


def remaining(entry: Entry, *, now: datetime, limit: float) -> float:
    """Seconds ``entry`` may still be reused: to its expiry, and never more than the configured
    ``FEED_STAMP_CACHE_SECONDS`` (``limit``), should an entry come from a longer setting."""
    return min((entry.expires_at - now) / timedelta(seconds=1), limit)
