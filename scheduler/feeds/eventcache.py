"""Rendered calendar events, shared by every worker and kept across restarts.

Why: rendering a VEVENT (icalendar: escaping, folding) is most of a feed's cost. A worker's
memory alone makes each worker pay it again for every feed after every restart (15-25x a warm
request). So each event is looked up in three levels: this process's memory, then the shared
store (Redis when ``FEED_CACHE_URL`` is set, else the ``feed_event_cache`` table), and only
then rendered.

Never stale, by construction: an event is stored under the SHA-256 of *everything* its bytes
are made from: the row values as the feed query returns them (hearing version plus the event's
revision, times, names, fill...), the team lead's name, the owner's words (language), alarm,
waitlist setting, revision, the base URL, the UID domain, and the renderer's own source code
(``RENDER_VERSION``). Any change to any of them is another key; an old entry is only unused,
and the daily purge (``purge``) removes it. A feed can only find an entry whose inputs it holds
itself (it computes the digest from its own rows), so no feed can read another's event, and
feeds carry no respondent data in the first place (``scheduler.domain.feeds``).

Filled on a feed GET (write-through), in a savepoint after the feed is built: the bytes depend
on the viewer's language, alarm and base URL, known only then, and filling at write time would
render, inside every write transaction, events of feeds nobody polls. The write is bookkeeping
of the request, like ``feed_tokens.last_used_at``: only on a miss, ``ON CONFLICT DO NOTHING``,
and it cannot change what anyone sees (tests/security/test_get_writes_nothing.py lists it).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol, cast

import redis
from sqlalchemy import CursorResult, and_, bindparam, delete, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, aliased

from scheduler.domain import feeds as domain
from scheduler.feeds.revisions import HEARING, SHIFT, SIGNUP
from scheduler.models import FeedEventCache, FeedRevision, Hearing, Shift, Signup
from scheduler.types import utcnow

log = logging.getLogger(__name__)

_HERE = Path(__file__).resolve()
# The code that turns a row into bytes: any edit to it is a new key for every event.
_RENDERERS = (
    _HERE.parents[1] / "domain" / "feeds.py",
    _HERE.parent / "content.py",
    _HERE.parent / "coverage.py",
)


def _render_version() -> str:
    digest = hashlib.sha256(metadata.version("icalendar").encode())
    for path in _RENDERERS:
        try:
            digest.update(path.read_bytes())
        except OSError:  # installed without sources: content.FORMAT_VERSION is still in every key
            digest.update(path.name.encode())
    return digest.hexdigest()[:16]


RENDER_VERSION = _render_version()
# Entries kept in this process's memory before it starts over (each a row and a VEVENT, about
# 2 kB: as many as the per-worker caches held before).
MEMORY_SIZE = 20_000
_MEMORY: dict[Hashable, domain.RenderedEvent | None] = {}
_MISSING = object()
# VTIMEZONE blocks by (tzid, first year, last year), kept in the table as kind "zone" (no
# revision: only the age limit purges them).
ZONE = "zone"
_ZONES: dict[tuple[str, int, int], bytes] = {}


def clear_memory() -> None:
    """Forget this process's level (as a restart does); the shared store keeps its entries."""
    _MEMORY.clear()
    _ZONES.clear()


def context_of(kind: str, *parts: Any) -> str:
    """The digest of what a batch of events shares (words, alarm, base URL, UID domain...).

    ``repr`` of plain values, enums, datetimes and frozen dataclasses: the same in every process.
    """
    return hashlib.sha256(repr((RENDER_VERSION, kind, parts)).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Entry:
    """One rendered event and what the purge needs to judge it."""

    digest: str
    kind: str  # FeedRevision's kind: signup, shift or hearing
    object_id: int
    revision: int  # hearing version + the event's own revision (not the owner's)
    event: domain.RenderedEvent


class SharedStore(Protocol):
    """Where rendered events are shared between processes (``TableStore``, ``RedisStore``)."""

    def get_many(self, digests: Sequence[str]) -> dict[str, domain.RenderedEvent]: ...

    def put_many(self, entries: Sequence[Entry]) -> None: ...


@dataclass
class Batch:
    """Events of one kind made the same way: ``make(inputs)`` gives the event (or None: hidden)."""

    kind: str
    context: str  # ``context_of(...)``: everything besides each row's inputs
    make: Callable[[Any], domain.FeedEvent | None]
    items: list[tuple[int, int, Hashable]] = field(default_factory=list)  # id, revision, inputs

    def add(self, object_id: int, revision: int, inputs: Hashable) -> None:
        self.items.append((object_id, revision, inputs))


@dataclass
class EventCache:
    """A request's view of the levels: ``shared`` may be None (memory only); ``new`` collects
    what this request rendered itself, for the caller to ``keep`` once the feed is built."""

    shared: SharedStore | None = None
    new: list[Entry] = field(default_factory=list)

    def render(self, batch: Batch) -> list[domain.RenderedEvent]:
        found: list[domain.RenderedEvent | None] = []
        missing: list[int] = []
        memory = _MEMORY
        for position, (_id, _rev, inputs) in enumerate(batch.items):
            hit = memory.get((batch.context, inputs), _MISSING)  # one hash of the row
            if hit is _MISSING:
                missing.append(position)
                found.append(None)
            else:
                found.append(cast(domain.RenderedEvent | None, hit))
        if missing:
            self._fill(batch, missing, found)
        return [event for event in found if event is not None]

    def _fill(self, batch: Batch, missing: list[int], found: list[domain.RenderedEvent | None]) -> None:
        digests = {p: _digest(batch.context, batch.items[p][2]) for p in missing}
        shared = self.shared.get_many(list(digests.values())) if self.shared is not None else {}
        if len(_MEMORY) + len(missing) > MEMORY_SIZE:
            _MEMORY.clear()  # crude, but bounded; what is lost is in the shared store
        for position, digest in digests.items():
            object_id, revision, inputs = batch.items[position]
            event = shared.get(digest)
            if event is None:
                made = batch.make(inputs)
                if made is not None:
                    event = domain.rendered(made)
                    self.new.append(Entry(digest, batch.kind, object_id, revision, event))
            _MEMORY[(batch.context, inputs)] = event
            found[position] = event

    def zones(self, spans: dict[str, tuple[int, int]]) -> dict[tuple[str, int, int], bytes]:
        """The VTIMEZONEs a feed needs (icalendar takes tens of ms per zone): same three levels."""
        wanted = [(tzid, first, last) for tzid, (first, last) in spans.items()]
        out = {key: _ZONES[key] for key in wanted if key in _ZONES}
        missing = [key for key in wanted if key not in out]
        if not missing:
            return out
        digests = {key: _digest(context_of(ZONE), key) for key in missing}
        shared = self.shared.get_many(list(digests.values())) if self.shared is not None else {}
        for key, digest in digests.items():
            found = shared.get(digest)
            if found is None:
                tzid, first, last = key
                found = domain.RenderedEvent(
                    ics=domain.render_timezone(tzid=tzid, first_year=first, last_year=last),
                    tzid=tzid,
                    first_year=first,
                    last_year=last,
                )
                self.new.append(Entry(digest, ZONE, 0, 0, found))
            out[key] = _ZONES[key] = found.ics
        return out


def _digest(context: str, inputs: Hashable) -> str:
    return hashlib.sha256((context + repr(inputs)).encode()).hexdigest()


# The table ----------------------------------------------------------------------------------

_CHUNK = 1000


class TableStore:
    """The ``feed_event_cache`` table, read and written through the request's session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get_many(self, digests: Sequence[str]) -> dict[str, domain.RenderedEvent]:
        table = FeedEventCache.__table__
        columns = (table.c.digest, table.c.ics, table.c.tzid, table.c.first_year, table.c.last_year)
        out: dict[str, domain.RenderedEvent] = {}
        for start in range(0, len(digests), _CHUNK):
            chunk = digests[start : start + _CHUNK]
            for digest, ics, tzid, first, last in self.session.execute(
                select(*columns).where(table.c.digest.in_(chunk))
            ):
                out[digest] = domain.RenderedEvent(
                    ics=bytes(ics), tzid=tzid, first_year=first, last_year=last
                )
        return out

    def put_many(self, entries: Sequence[Entry]) -> None:
        """Insert, leaving a row another worker wrote first as it is (the same bytes)."""
        if not entries:
            return
        table = FeedEventCache.__table__
        dialect = self.session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        now = utcnow()
        for start in range(0, len(entries), _CHUNK):
            rows = [_row(entry, now) for entry in entries[start : start + _CHUNK]]
            self.session.execute(insert(table).values(rows).on_conflict_do_nothing(index_elements=["digest"]))


def _row(entry: Entry, now: datetime) -> dict[str, Any]:
    event = entry.event
    return {
        "digest": entry.digest,
        "kind": entry.kind,
        "object_id": entry.object_id,
        "revision": entry.revision,
        "tzid": event.tzid,
        "first_year": event.first_year,
        "last_year": event.last_year,
        "ics": event.ics,
        "created_at": now,
    }


# Redis ------------------------------------------------------------------------------------------


@dataclass
class Breaker:
    """Whether Redis answered lately: kept per app (the event and stamp caches share it), so a
    dead host costs one timeout per period."""

    retry_seconds: float = 30.0
    down_until: float = 0.0

    def up(self) -> bool:
        return time.monotonic() >= self.down_until

    def failed(self, error: Exception) -> None:
        if self.up():
            log.warning("feed caches: Redis unavailable (%s); using the tables", type(error).__name__)
        self.down_until = time.monotonic() + self.retry_seconds


class RedisStore:
    """Redis (``FEED_CACHE_URL``): one key per event, expiring after ``ttl`` (its own purge).

    While Redis does not answer, the ``fallback`` store (the table) serves, and Redis is tried
    again after the breaker's period: a feed is never refused because its cache is away.
    """

    PREFIX = "accompany:feed-event:"

    def __init__(self, client: Any, *, ttl: timedelta, fallback: SharedStore, breaker: Breaker) -> None:
        self.client = client
        self.ttl = ttl
        self.fallback = fallback
        self.breaker = breaker

    def get_many(self, digests: Sequence[str]) -> dict[str, domain.RenderedEvent]:
        if not digests:
            return {}
        if self.breaker.up():
            try:
                values = self.client.mget([self.PREFIX + d for d in digests])
            except (redis.RedisError, OSError) as error:
                self.breaker.failed(error)
            else:
                return {d: _unpack(v) for d, v in zip(digests, values, strict=True) if v is not None}
        return self.fallback.get_many(digests)

    def put_many(self, entries: Sequence[Entry]) -> None:
        if self.breaker.up():
            try:
                pipe = self.client.pipeline(transaction=False)
                for entry in entries:
                    pipe.set(self.PREFIX + entry.digest, _pack(entry.event), ex=self.ttl, nx=True)
                pipe.execute()
            except (redis.RedisError, OSError) as error:
                self.breaker.failed(error)
            else:
                return
        self.fallback.put_many(entries)


def keep(session: Session, cache: EventCache) -> bool:
    """Put what ``cache`` rendered into its shared store; True when the caller should commit.

    In a savepoint: a failure (a read-only database, a race) costs the entries, never the feed.
    """
    if not cache.new or cache.shared is None:
        return False
    try:
        with session.begin_nested():
            cache.shared.put_many(cache.new)
    except SQLAlchemyError as error:
        log.warning("feed event cache: entries not kept (%s)", type(error).__name__)
        return False
    cache.new = []
    return True


def _pack(event: domain.RenderedEvent) -> bytes:
    return f"{event.tzid}\n{event.first_year}\n{event.last_year}\n".encode() + event.ics


def _unpack(value: bytes) -> domain.RenderedEvent:
    tzid, first, last, ics = value.split(b"\n", 3)
    return domain.RenderedEvent(ics=ics, tzid=tzid.decode(), first_year=int(first), last_year=int(last))


# Purge ------------------------------------------------------------------------------------------


def purge(session: Session, *, now: datetime, keep: timedelta, past_days: int) -> int:
    """Remove table rows no feed will ask for again; returns how many.

    A row goes when its event no longer exists, started before every feed's window (past
    ``past_days``), has a newer revision (its content changed since), or is older than
    ``keep`` (old languages, alarms, base URLs and renderer versions, which no revision tells).
    """
    table = FeedEventCache.__table__
    start = now - timedelta(days=past_days + 1)
    removed = _delete(session, table.c.created_at < now - keep)
    for current in _CURRENT.values():
        stale = list(session.scalars(current(start)))
        for first in range(0, len(stale), _CHUNK):
            removed += _delete(session, table.c.digest.in_(stale[first : first + _CHUNK]))
    return removed


def _delete(session: Session, *where: Any) -> int:
    result = session.execute(delete(FeedEventCache.__table__).where(*where))
    assert isinstance(result, CursorResult)
    return result.rowcount or 0


def _unused(kind: str, key: Any, starts_at: Any, revision: Any, joined: Any) -> Any:
    """Digests of ``kind`` rows whose event is gone, out of every window, or not current."""
    table = FeedEventCache.__table__
    return (
        select(table.c.digest)
        .select_from(joined)
        .where(
            table.c.kind == kind,
            or_(key.is_(None), starts_at < bindparam("start"), revision != table.c.revision),
        )
    )


def _current_seat(start: datetime):
    table, rev = FeedEventCache.__table__, aliased(FeedRevision)
    joined = (
        table.outerjoin(Signup.__table__, Signup.id == table.c.object_id)
        .outerjoin(Shift.__table__, Shift.id == Signup.shift_id)
        .outerjoin(Hearing.__table__, Hearing.id == Shift.hearing_id)
        .outerjoin(rev, and_(rev.kind == SIGNUP, rev.object_id == Signup.id))
    )
    revision = Hearing.version + func.coalesce(rev.revision, 0)
    return _unused(SIGNUP, Signup.id, Shift.starts_at, revision, joined).params(start=start)


def _current_open_seat(start: datetime):
    table, rev = FeedEventCache.__table__, aliased(FeedRevision)
    joined = (
        table.outerjoin(Shift.__table__, Shift.id == table.c.object_id)
        .outerjoin(Hearing.__table__, Hearing.id == Shift.hearing_id)
        .outerjoin(rev, and_(rev.kind == SHIFT, rev.object_id == Shift.id))
    )
    revision = Hearing.version + func.coalesce(rev.revision, 0)
    return _unused(SHIFT, Shift.id, Shift.starts_at, revision, joined).params(start=start)


def _current_hearing(start: datetime):
    table, rev = FeedEventCache.__table__, aliased(FeedRevision)
    joined = table.outerjoin(Hearing.__table__, Hearing.id == table.c.object_id).outerjoin(
        rev, and_(rev.kind == HEARING, rev.object_id == Hearing.id)
    )
    revision = Hearing.version + func.coalesce(rev.revision, 0)
    return _unused(HEARING, Hearing.id, Hearing.starts_at, revision, joined).params(start=start)


_CURRENT = {SIGNUP: _current_seat, SHIFT: _current_open_seat, HEARING: _current_hearing}
