"""What a feed holds: rows loaded in a constant number of queries, a change stamp, the bytes.

Two questions per poll, answered separately so a poll with nothing new stays cheap:

- the stamp (``scheduler.feeds.calendars.stamp``): one aggregate query over the rows the
  feed is made of (latest ``updated_at`` of every table involved, row counts, and when the
  last event aged out of the window) hashed with the person's feed settings. It is the ETag,
  and its newest instant is Last-Modified, so both move exactly when the content can have
  changed, not on every request or every day.
- the body (``scheduler.feeds.calendars.body``): the rows as frozen dataclasses, handed to
  ``scheduler.domain.feeds``.

Windows are counted from midnight UTC so that content, and hence the stamp, changes at most
once a day by ageing alone: an event leaves 90 days after it happened, a cancellation 30 days
after it was made.

No Flask here: the caller hands in the owner's ``Words`` (made with Flask-Babel in
``scheduler/feeds/web.py``) and the configured UID domain (``FeedSettings``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import BindParameter, Select, and_, bindparam, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from scheduler import installation
from scheduler.domain import feeds as domain
from scheduler.domain.feeds import EventStatus
from scheduler.enums import HearingStatus, SignupStatus
from scheduler.feeds import eventcache
from scheduler.feeds import revisions as feed_revisions
from scheduler.feeds.tokens import FeedOwner
from scheduler.models import (
    Court,
    FeedRevision,
    Hearing,
    Shift,
    Signup,
    User,
)
from scheduler.shifts.queries import is_filled_seat
from scheduler.types import UTCDateTime

# Raise when the bytes a given set of rows produces changes, so every cached feed refreshes.
FORMAT_VERSION = "4"
DROPPED = (SignupStatus.DROPPED, SignupStatus.REMOVED)


@dataclass(frozen=True, slots=True)
class Window:
    """Midnight-based cut-offs: events before ``start`` and cancellations before ``expiry`` leave."""

    start: datetime
    expiry: datetime
    today: datetime
    past_days: int
    cancelled_days: int

    @classmethod
    def at(cls, now: datetime, *, past_days: int = 90, cancelled_days: int = 30) -> Window:
        midnight = datetime.combine(now.astimezone(UTC).date(), time(), UTC)
        return cls(
            start=midnight - timedelta(days=past_days),
            expiry=midnight - timedelta(days=cancelled_days),
            today=midnight,
            past_days=past_days,
            cancelled_days=cancelled_days,
        )

    def left_window_at(self, instant: datetime | None) -> datetime | None:
        """The midnight an event that started at ``instant`` dropped out of the feed."""
        return None if instant is None else _midnight(instant) + timedelta(days=self.past_days + 1)

    def expired_at(self, instant: datetime | None) -> datetime | None:
        return None if instant is None else _midnight(instant) + timedelta(days=self.cancelled_days + 1)


@dataclass(frozen=True, slots=True)
class Stamp:
    etag: str  # quoted, strong
    # The newest change, to the microsecond. The Last-Modified header is made from it at
    # answer time (``http_last_modified``) and If-Modified-Since is compared with it, never
    # with the header's whole seconds: two changes in one second must not look like one.
    last_modified: datetime

    def http_last_modified(self, now: datetime) -> datetime:
        """Whole seconds strictly after the newest change once that second is over (so a
        client's If-Modified-Since can prove it saw it), else that second (never in the future)."""
        second = self.last_modified.replace(microsecond=0)
        after = second + timedelta(seconds=1)
        return after if after <= now else second

    def unchanged_since(self, since: datetime) -> bool:
        """Whether nothing changed at or after ``since`` (an If-Modified-Since value)."""
        return self.last_modified < since


@dataclass(frozen=True, slots=True)
class Words:
    """A feed's words in its owner's language (``scheduler/feeds/web.py`` makes them)."""

    labels: domain.Labels
    roles: dict[str, str]
    kinds: dict[str, str]
    calendar_name: str

    def __hash__(self) -> int:  # hashable like the other settings a feed is rendered with
        return hash((self.labels, self.calendar_name, tuple(self.roles.items()), tuple(self.kinds.items())))


@dataclass(frozen=True, slots=True)
class FeedSettings:
    """What feeds take from the configuration; views build it with ``from_config(app.config)``."""

    uid_domain: str = ""  # UID_DOMAIN; empty: the installation's own (scheduler/installation.py)
    past_days: int = 90
    cancelled_days: int = 30
    stamp_verify: bool = False
    stamp_cache_size: int = 100_000
    stamp_cache_seconds: float = 3600.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> FeedSettings:
        return cls(
            uid_domain=config.get("UID_DOMAIN", "") or "",
            past_days=int(config["FEED_PAST_DAYS"]),
            cancelled_days=int(config["FEED_CANCELLED_DAYS"]),
            stamp_verify=bool(config["FEED_STAMP_VERIFY"]),
            stamp_cache_size=int(config["FEED_STAMP_CACHE_SIZE"]),
            stamp_cache_seconds=float(config["FEED_STAMP_CACHE_SECONDS"]),
        )


def _midnight(instant: datetime) -> datetime:
    return datetime.combine(instant.astimezone(UTC).date(), time(), UTC)


def _latest(*values: datetime | None) -> datetime:
    present = [v for v in values if v is not None]
    return max(present) if present else datetime(2000, 1, 1, tzinfo=UTC)


def _make_stamp(owner: FeedOwner, base_url: str, values: tuple, instants: tuple) -> Stamp:
    key = repr(
        (
            FORMAT_VERSION,
            base_url,
            owner.token_id,
            owner.locale,
            owner.alarm,
            owner.show_waitlist,
            values,
        )
    )
    last = _latest(owner.user_changed_at, *instants)
    return Stamp(etag='"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"', last_modified=last)


def domain_of(session: Session, *, configured: str) -> str:
    """The domain part of UIDs: the installation's own, not BASE_URL's host, so a move keeps them.

    ``configured`` is UID_DOMAIN (``FeedSettings.uid_domain``), empty when not set.
    """
    return installation.uid_domain(session, configured=configured)


def hearing_url(base_url: str, hearing_id: int) -> str:
    return f"{base_url.rstrip('/')}/hearings/{hearing_id}"


def seat_url(base_url: str, shift_id: int) -> str:
    return f"{base_url.rstrip('/')}/shifts/{shift_id}"


# The volunteer's own seats ----------------------------------------------------------------

_is_dropped = Signup.status.in_(DROPPED)
_is_cancelled = or_(_is_dropped, Hearing.status == HearingStatus.CANCELLED)
_cancel_time = case(
    (_is_dropped, func.coalesce(Signup.status_changed_at, Signup.updated_at)),
    else_=func.coalesce(Hearing.cancelled_at, Hearing.updated_at),
)


def _greatest(dialect: str, *columns):
    """The latest of several instants in one row (GREATEST on PostgreSQL, max() on SQLite)."""
    fn = func.greatest if dialect == "postgresql" else func.max
    return fn(*columns, type_=UTCDateTime())


# Statements are built once per dialect and run with parameters: building and hashing a
# statement of this size costs more than running it, and the 304 path should cost one query.
_USER: BindParameter[int] = bindparam("user_id")
_START = bindparam("start", type_=UTCDateTime())
_EXPIRY = bindparam("expiry", type_=UTCDateTime())
_SIGNUP: BindParameter[int] = bindparam("signup_id")


@dataclass(frozen=True)
class _Statements:
    stamp: Select
    rows: Select  # one person's seats in the window
    leads: Select
    one_row: Select  # one seat, whatever its age
    one_lead: Select


def _joined(select_stmt: Select) -> Select:
    return (
        select_stmt.join(Shift, Shift.id == Signup.shift_id)
        .join(Hearing, Hearing.id == Shift.hearing_id)
        .join(Court, Court.id == Hearing.court_id)
    )


def _leads_of(hearings) -> Select:
    return (
        select(Shift.hearing_id, User.display_name)
        .join(Signup, Signup.shift_id == Shift.id)
        .join(User, User.id == Signup.user_id)
        .where(
            Shift.hearing_id.in_(hearings),
            Signup.team_lead.is_(True),
            is_filled_seat(),
        )
        .order_by(Signup.id)
    )


@lru_cache(maxsize=4)
def _statements(dialect: str) -> _Statements:
    team = (
        select(Shift.hearing_id)
        .join(Signup, Signup.shift_id == Shift.id)
        .where(Signup.user_id == _USER, Shift.starts_at >= _START)
    )
    expired = and_(_is_cancelled, _cancel_time < _EXPIRY)
    # Every teammate's signup (a lead named or un-named bumps it) and each lead's account (their
    # name is in the feed), in one scalar: subqueries here are evaluated once per reference.
    mate, mate_shift = aliased(Signup), aliased(Shift)
    teammates = (
        select(
            func.max(
                _greatest(
                    dialect, mate.updated_at, case((mate.team_lead, User.updated_at), else_=mate.updated_at)
                )
            )
        )
        .select_from(mate)
        .join(mate_shift, mate_shift.id == mate.shift_id)
        .join(User, User.id == mate.user_id)
        .where(mate_shift.hearing_id.in_(team))
        .scalar_subquery()
    )
    hidden = (
        select(func.max(Shift.starts_at))
        .join(Signup, Signup.shift_id == Shift.id)
        .where(Signup.user_id == _USER, Shift.starts_at < _START)
        .scalar_subquery()
    )
    changed = _greatest(dialect, Signup.updated_at, Shift.updated_at, Hearing.updated_at, Court.updated_at)
    # The seat's SEQUENCE before its owner's revision: the hearing's version plus the seat's own.
    seat_rev = aliased(FeedRevision)
    sequence = Hearing.version + func.coalesce(seat_rev.revision, 0)
    stamp = _joined(
        select(
            func.count(),
            func.count(case((expired, 1))),
            func.max(changed),
            func.max(case((expired, _cancel_time))),
            teammates,
            hidden,
        ).select_from(Signup)
    ).where(Signup.user_id == _USER, Shift.starts_at >= _START)
    columns = (
        _joined(
            select(
                Signup.id,
                Signup.status,
                Shift.role,
                Shift.starts_at,
                Shift.ends_at,
                changed,
                Hearing.id,
                sequence,
                Hearing.status,
                Hearing.courtroom,
                Hearing.meeting_point,
                Hearing.public_notes,
                Court.name,
                Court.address,
                Court.timezone,
                Shift.id,
            ).select_from(Signup)
        )
        .outerjoin(seat_rev, and_(seat_rev.kind == feed_revisions.SIGNUP, seat_rev.object_id == Signup.id))
        .order_by(Shift.starts_at, Signup.id)
    )
    visible = or_(~_is_cancelled, _cancel_time >= _EXPIRY)
    return _Statements(
        stamp=stamp,
        rows=columns.where(Signup.user_id == _USER, Shift.starts_at >= _START, visible),
        leads=_leads_of(team),
        one_row=columns.where(Signup.id == _SIGNUP),
        one_lead=_leads_of(
            select(Shift.hearing_id).join(Signup, Signup.shift_id == Shift.id).where(Signup.id == _SIGNUP)
        ),
    )


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def volunteer_stamp(session: Session, *, owner: FeedOwner, window: Window, base_url: str) -> Stamp:
    params = {"user_id": owner.user_id, "start": window.start, "expiry": window.expiry}
    row = session.execute(_statements(_dialect(session)).stamp, params).one()
    _count, _n_expired, latest, last_expiry, team_changed, last_hidden = row
    instants = (latest, team_changed, window.left_window_at(last_hidden), window.expired_at(last_expiry))
    return _make_stamp(owner, base_url, tuple(row), instants)


def _commitment_rows(session: Session, rows: Select, leads: Select, params: dict):
    """The seats with their hearing and court, and the team lead's name per hearing."""
    found = session.execute(rows, params).all()
    names: dict[int, str] = {}
    for hearing_id, name in session.execute(leads, params):
        names.setdefault(hearing_id, name)
    return found, names


_CANCELLED_SIGNUP = frozenset(DROPPED)


def _commitment(row, lead: str, *, words: Words, base_url: str, show_waitlist: bool, revision: int = 0):
    (
        signup_id,
        s_status,
        role,
        starts,
        ends,
        changed,
        hearing_id,
        sequence,
        h_status,
        courtroom,
        meeting_point,
        notes,
        court_name,
        address,
        tzid,
        shift_id,
    ) = row
    if s_status in _CANCELLED_SIGNUP or h_status == HearingStatus.CANCELLED:
        status = EventStatus.CANCELLED
    elif s_status == SignupStatus.WAITLISTED:
        if not show_waitlist:
            return None
        status = EventStatus.TENTATIVE
    else:
        status = EventStatus.CONFIRMED
    return domain.Commitment(
        signup_id=signup_id,
        hearing_id=hearing_id,
        sequence=sequence + revision,
        role_name=words.roles.get(role, str(role)),
        court_name=court_name,
        court_address=address,
        tzid=tzid,
        courtroom=courtroom,
        meeting_point=meeting_point,
        public_notes=notes,
        team_lead_name=lead,
        starts_at=starts,
        ends_at=ends,
        status=status,
        changed_at=changed,
        # The seat page, which the seat holder may open, also for a seat they dropped (the
        # hearing page is for the hearing's coordinators only).
        hearing_url=seat_url(base_url, shift_id),
    )


def _seat_event(
    words: Words, alarm: str, base_url: str, show_waitlist: bool, revision: int, dom: str
) -> Callable[[tuple[Any, str]], domain.FeedEvent | None]:
    """How a seat's row and its lead's name become its VEVENT, for one owner's settings."""

    def make(inputs: tuple[Any, str]) -> domain.FeedEvent | None:
        row, lead = inputs
        item = _commitment(
            row, lead, words=words, base_url=base_url, show_waitlist=show_waitlist, revision=revision
        )
        if item is None:
            return None
        return domain.commitment_event(item=item, labels=words.labels, domain=dom, alarm=alarm)

    return make


def volunteer_events(
    session: Session,
    *,
    owner: FeedOwner,
    window: Window,
    base_url: str,
    words: Words,
    uid_domain: str,
    revision: int = 0,
    cache: eventcache.EventCache | None = None,
) -> list[domain.RenderedEvent]:
    stmts = _statements(_dialect(session))
    params = {"user_id": owner.user_id, "start": window.start, "expiry": window.expiry}
    rows, leads = _commitment_rows(session, stmts.rows, stmts.leads, params)
    dom = domain_of(session, configured=uid_domain)
    style = (words, owner.alarm, base_url, owner.show_waitlist, revision, dom)
    batch = eventcache.Batch(
        kind=feed_revisions.SIGNUP,
        context=eventcache.context_of(feed_revisions.SIGNUP, FORMAT_VERSION, *style),
        make=_seat_event(*style),
    )
    for row in rows:
        # The event's revision without its owner's (row[7]: hearing version + the seat's own).
        batch.add(row[0], row[7], (tuple(row), leads.get(row[6], "")))
    return (cache or eventcache.EventCache()).render(batch)


def single_event(
    session: Session,
    *,
    signup_id: int,
    base_url: str,
    now: datetime,
    words_for: Callable[[str], Words],
    uid_domain: str,
) -> bytes | None:
    """One seat as a calendar of one event (same UID and SEQUENCE as the feed's).

    ``words_for`` gives the words for a locale: the seat holder's, read here.
    """
    owner_row = session.execute(
        select(User.locale, User.feed_alarm, User.id)
        .join(Signup, Signup.user_id == User.id)
        .where(Signup.id == signup_id)
    ).one_or_none()
    if owner_row is None:
        return None
    locale, alarm, user_id = owner_row
    words = words_for(locale)
    stmts = _statements(_dialect(session))
    rows, leads = _commitment_rows(session, stmts.one_row, stmts.one_lead, {"signup_id": signup_id})
    if not rows:
        return None
    revision = feed_revisions.owner_revision(session, user_id)
    item = _commitment(
        rows[0],
        leads.get(rows[0][6], ""),
        words=words,
        base_url=base_url,
        show_waitlist=True,
        revision=revision,
    )
    dom = domain_of(session, configured=uid_domain)
    event = domain.commitment_event(item=item, labels=words.labels, domain=dom, alarm=alarm)
    info = domain.CalendarInfo(name=words.calendar_name, tzid=event.tzid)
    return domain.build_calendar(info=info, events=[event], today=now.date())
