"""What a feed holds: rows loaded in a constant number of queries, a change stamp, the bytes.

Two questions per poll, answered separately so a poll with nothing new stays cheap:

- ``stamp()``: one aggregate query over the rows the feed is made of (latest ``updated_at``
  of every table involved, row counts, and when the last event aged out of the window) hashed
  with the person's feed settings. It is the ETag, and its newest instant is Last-Modified, so
  both move exactly when the content can have changed, not on every request or every day.
- ``body()``: the rows as frozen dataclasses, handed to ``scheduler.domain.feeds``.

Windows are counted from midnight UTC so that content, and hence the stamp, changes at most
once a day by ageing alone: an event leaves 90 days after it happened, a cancellation 30 days
after it was made.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from flask_babel import force_locale, gettext
from sqlalchemy import and_, case, exists, func, or_, select, true
from sqlalchemy.orm import Session, aliased

from scheduler import i18n
from scheduler.domain import feeds as domain
from scheduler.domain.feeds import EventStatus
from scheduler.enums import FeedKind, HearingStatus, ShiftRole, ShiftStatus, SignupStatus
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
    coordinator_courts,
)
from scheduler.services.feeds import FeedOwner
from scheduler.types import UTCDateTime

# Raise when the bytes a given set of rows produces changes, so every cached feed refreshes.
FORMAT_VERSION = "1"
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
    last_modified: datetime


@dataclass(frozen=True, slots=True)
class Words:
    labels: domain.Labels
    roles: dict[str, str]
    kinds: dict[str, str]
    calendar_name: str


def words_for(locale: str, kind: FeedKind, *, coordinator: bool) -> Words:
    """The feed's words in the owner's language (no request needed: works in CLI and mail)."""
    with force_locale(locale):
        if kind == FeedKind.OPEN_SEATS:
            name = gettext("Accompany: open seats")
        elif coordinator:
            name = gettext("Accompany: hearings I coordinate")
        else:
            name = gettext("Accompany: my commitments")
        return Words(
            labels=domain.Labels(
                waitlist=gettext("(waitlist)"),
                role=gettext("Role"),
                courtroom=gettext("Courtroom"),
                meeting_point=gettext("Meeting point"),
                notes=gettext("Notes"),
                team_lead=gettext("Team lead"),
                open_in_app=gettext("Details in Accompany (sign-in needed)"),
                filled=gettext("%(filled)s/%(capacity)s filled"),
                cancelled=gettext("Cancelled"),
                reminder=gettext("Reminder"),
            ),
            roles={k: str(v) for k, v in i18n.SHIFT_ROLE_NAMES.items()},
            kinds={k: str(v) for k, v in i18n.HEARING_KIND_NAMES.items()},
            calendar_name=name,
        )


def _midnight(instant: datetime) -> datetime:
    return datetime.combine(instant.astimezone(UTC).date(), time(), UTC)


def _latest(*values: datetime | None) -> datetime:
    present = [v for v in values if v is not None]
    return max(present) if present else datetime(2000, 1, 1, tzinfo=UTC)


def _make_stamp(owner: FeedOwner, base_url: str, values: tuple, instants: tuple) -> Stamp:
    key = repr(
        (FORMAT_VERSION, base_url, owner.token_id, owner.locale, owner.alarm, owner.show_waitlist, values)
    )
    last = _latest(owner.user_changed_at, *instants).replace(microsecond=0)
    return Stamp(etag='"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"', last_modified=last)


def domain_of(base_url: str) -> str:
    host = base_url.split("://", 1)[-1].split("/", 1)[0]
    return host.split(":", 1)[0] or "accompany"


def hearing_url(base_url: str, hearing_id: int) -> str:
    return f"{base_url.rstrip('/')}/hearings/{hearing_id}"


# The volunteer's own seats ----------------------------------------------------------------

_is_dropped = Signup.status.in_(DROPPED)
_is_cancelled = or_(_is_dropped, Hearing.status == HearingStatus.CANCELLED)
_cancel_time = case(
    (_is_dropped, func.coalesce(Signup.status_changed_at, Signup.updated_at)),
    else_=func.coalesce(Hearing.cancelled_at, Hearing.updated_at),
)


def _greatest(session: Session, *columns):
    """The latest of several instants in one row (GREATEST on PostgreSQL, max() on SQLite)."""
    name = session.get_bind().dialect.name
    fn = func.greatest if name == "postgresql" else func.max
    return fn(*columns, type_=UTCDateTime())


def _team_hearings(user_id: int, window: Window):
    return (
        select(Shift.hearing_id)
        .join(Signup, Signup.shift_id == Shift.id)
        .where(Signup.user_id == user_id, Shift.starts_at >= window.start)
    )


def _lead_stamp(session: Session, team):
    """Count and latest change of the team leads on these hearings (their name is in the feed)."""
    mate, mate_shift = aliased(Signup), aliased(Shift)
    base = (
        select(func.count(), func.max(_greatest(session, mate.updated_at, User.updated_at)))
        .select_from(mate)
        .join(mate_shift, mate_shift.id == mate.shift_id)
        .join(User, User.id == mate.user_id)
        .where(mate_shift.hearing_id.in_(team), mate.team_lead.is_(True))
    )
    return base


def volunteer_stamp(session: Session, *, owner: FeedOwner, window: Window, base_url: str) -> Stamp:
    expired = and_(_is_cancelled, _cancel_time < window.expiry)
    team = _team_hearings(owner.user_id, window)
    leads = _lead_stamp(session, team).subquery()
    hidden = (
        select(func.max(Shift.starts_at))
        .join(Signup, Signup.shift_id == Shift.id)
        .where(Signup.user_id == owner.user_id, Shift.starts_at < window.start)
        .scalar_subquery()
    )
    changed = _greatest(session, Signup.updated_at, Shift.updated_at, Hearing.updated_at, Court.updated_at)
    row = session.execute(
        select(
            func.count(),
            func.count(case((expired, 1))),
            func.max(changed),
            func.max(case((expired, _cancel_time))),
            select(leads.c[0]).scalar_subquery(),
            select(leads.c[1]).scalar_subquery(),
            hidden,
        )
        .select_from(Signup)
        .join(Shift, Shift.id == Signup.shift_id)
        .join(Hearing, Hearing.id == Shift.hearing_id)
        .join(Court, Court.id == Hearing.court_id)
        .where(Signup.user_id == owner.user_id, Shift.starts_at >= window.start)
    ).one()
    _count, _n_expired, latest, last_expiry, _n_leads, leads_changed, last_hidden = row
    instants = (latest, leads_changed, window.left_window_at(last_hidden), window.expired_at(last_expiry))
    return _make_stamp(owner, base_url, tuple(row), instants)


def _commitment_rows(session: Session, where, team, *, expiry: datetime | None):
    """The seats with their hearing and court, cancelled ones past ``expiry`` left out."""
    visible = true() if expiry is None else or_(~_is_cancelled, _cancel_time >= expiry)
    rows = session.execute(
        select(
            Signup.id,
            Signup.status,
            Shift.role,
            Shift.starts_at,
            Shift.ends_at,
            _greatest(session, Signup.updated_at, Shift.updated_at, Hearing.updated_at, Court.updated_at),
            Hearing.id,
            Hearing.version,
            Hearing.status,
            Hearing.courtroom,
            Hearing.meeting_point,
            Hearing.public_notes,
            Court.name,
            Court.address,
            Court.timezone,
        )
        .join(Shift, Shift.id == Signup.shift_id)
        .join(Hearing, Hearing.id == Shift.hearing_id)
        .join(Court, Court.id == Hearing.court_id)
        .where(*where, visible)
        .order_by(Shift.starts_at, Signup.id)
    ).all()
    leads: dict[int, str] = {}
    for hearing_id, name in session.execute(
        select(Shift.hearing_id, User.display_name)
        .join(Signup, Signup.shift_id == Shift.id)
        .join(User, User.id == Signup.user_id)
        .where(
            Shift.hearing_id.in_(team), Signup.team_lead.is_(True), Signup.status == SignupStatus.CONFIRMED
        )
        .order_by(Signup.id)
    ):
        leads.setdefault(hearing_id, name)
    return rows, leads


_CANCELLED_SIGNUP = frozenset(DROPPED)


def _commitments(rows, leads, *, words: Words, base_url: str, show_waitlist: bool):
    roles = words.roles
    base = base_url.rstrip("/")
    cancelled_hearing = HearingStatus.CANCELLED
    waitlisted = SignupStatus.WAITLISTED
    make = domain.Commitment
    for (
        signup_id,
        s_status,
        role,
        starts,
        ends,
        changed,
        hearing_id,
        version,
        h_status,
        courtroom,
        meeting_point,
        notes,
        court_name,
        address,
        tzid,
    ) in rows:
        if s_status in _CANCELLED_SIGNUP or h_status == cancelled_hearing:
            status = EventStatus.CANCELLED
        elif s_status == waitlisted:
            if not show_waitlist:
                continue
            status = EventStatus.TENTATIVE
        else:
            status = EventStatus.CONFIRMED
        yield make(
            signup_id,
            hearing_id,
            version,
            roles.get(role, role),
            court_name,
            address,
            tzid,
            courtroom,
            meeting_point,
            notes,
            leads.get(hearing_id, ""),
            starts,
            ends,
            status,
            changed,
            f"{base}/hearings/{hearing_id}",
        )


def volunteer_events(
    session: Session, *, owner: FeedOwner, window: Window, base_url: str, words: Words
) -> list[domain.FeedEvent]:
    rows, leads = _commitment_rows(
        session,
        (Signup.user_id == owner.user_id, Shift.starts_at >= window.start),
        _team_hearings(owner.user_id, window),
        expiry=window.expiry,
    )
    dom = domain_of(base_url)
    labels = words.labels
    event = domain.commitment_event
    return [
        event(item=item, labels=labels, domain=dom, alarm=owner.alarm)
        for item in _commitments(
            rows, leads, words=words, base_url=base_url, show_waitlist=owner.show_waitlist
        )
    ]


def single_event(session: Session, *, signup_id: int, base_url: str, now: datetime) -> bytes | None:
    """One seat as a calendar of one event (same UID and SEQUENCE as the feed's)."""
    owner_row = session.execute(
        select(User.locale, User.feed_alarm)
        .join(Signup, Signup.user_id == User.id)
        .where(Signup.id == signup_id)
    ).one_or_none()
    if owner_row is None:
        return None
    locale, alarm = owner_row
    words = words_for(locale, FeedKind.PERSONAL, coordinator=False)
    rows, leads = _commitment_rows(
        session,
        (Signup.id == signup_id,),
        select(Shift.hearing_id).join(Signup, Signup.shift_id == Shift.id).where(Signup.id == signup_id),
        expiry=None,
    )
    items = list(_commitments(rows, leads, words=words, base_url=base_url, show_waitlist=True))
    if not items:
        return None
    dom = domain_of(base_url)
    event = domain.commitment_event(item=items[0], labels=words.labels, domain=dom, alarm=alarm)
    info = domain.CalendarInfo(name=words.calendar_name, tzid=event.tzid)
    return domain.build_calendar(info=info, events=[event], today=now.date())


# Coordinators: every hearing at the courts they coordinate ---------------------------------


def _scope(owner: FeedOwner):
    """Admins, and coordinators given no courts, see every court (as services/scope.py)."""
    if owner.is_admin:
        return true()
    mine = select(coordinator_courts.c.court_id).where(coordinator_courts.c.user_id == owner.user_id)
    return or_(~exists(mine), Hearing.court_id.in_(mine))


def coordinator_stamp(session: Session, *, owner: FeedOwner, window: Window, base_url: str) -> Stamp:
    scope = _scope(owner)
    in_window = Hearing.starts_at >= window.start
    cancel_time = func.coalesce(Hearing.cancelled_at, Hearing.updated_at)
    expired = and_(in_window, Hearing.status == HearingStatus.CANCELLED, cancel_time < window.expiry)
    ids = select(Hearing.id).where(scope, in_window)
    shifts = select(func.max(Shift.updated_at)).where(Shift.hearing_id.in_(ids)).scalar_subquery()
    signups = (
        select(func.max(Signup.updated_at))
        .join(Shift, Shift.id == Signup.shift_id)
        .where(Shift.hearing_id.in_(ids))
        .scalar_subquery()
    )
    row = session.execute(
        select(
            func.count(case((in_window, 1))),
            func.count(case((expired, 1))),
            func.max(case((in_window, Hearing.updated_at))),
            func.max(case((in_window, Court.updated_at))),
            shifts,
            signups,
            func.max(case((~in_window, Hearing.starts_at))),
            func.max(case((expired, cancel_time))),
        )
        .select_from(Hearing)
        .join(Court, Court.id == Hearing.court_id)
        .where(scope)
    ).one()
    instants = (*row[2:6], window.left_window_at(row[6]), window.expired_at(row[7]))
    return _make_stamp(owner, base_url, tuple(row), instants)


def coordinator_events(
    session: Session, *, owner: FeedOwner, window: Window, base_url: str, words: Words
) -> list[domain.FeedEvent]:
    where = (_scope(owner), Hearing.starts_at >= window.start)
    hearings = session.execute(
        select(
            Hearing.id,
            Hearing.version,
            Hearing.kind,
            Hearing.status,
            Hearing.cancelled_at,
            Hearing.starts_at,
            Hearing.duration_minutes,
            Hearing.courtroom,
            Hearing.meeting_point,
            Hearing.public_notes,
            Hearing.updated_at,
            Court.name,
            Court.address,
            Court.timezone,
            Court.updated_at,
        )
        .join(Court, Court.id == Hearing.court_id)
        .where(*where)
        .order_by(Hearing.starts_at, Hearing.id)
    ).all()
    filled = func.count(Signup.id)
    seats: dict[int, list[tuple[str, int, int]]] = defaultdict(list)
    changed: dict[int, datetime] = {}
    for hearing_id, role, capacity, sh_updated, n in session.execute(
        select(Shift.hearing_id, Shift.role, Shift.capacity, Shift.updated_at, filled)
        .outerjoin(Signup, and_(Signup.shift_id == Shift.id, Signup.status == SignupStatus.CONFIRMED))
        .join(Hearing, Hearing.id == Shift.hearing_id)
        .where(*where)
        .group_by(Shift.id, Shift.hearing_id, Shift.role, Shift.capacity, Shift.updated_at)
        .order_by(Shift.hearing_id, Shift.role)
    ):
        seats[hearing_id].append((words.roles.get(role.value, role.value), n, capacity))
        changed[hearing_id] = max(sh_updated, changed.get(hearing_id, sh_updated))
    dom = domain_of(base_url)
    events = []
    for (
        hid,
        version,
        kind,
        status,
        cancelled_at,
        starts,
        minutes,
        room,
        meet,
        notes,
        h_up,
        cname,
        addr,
        tz,
        c_up,
    ) in hearings:
        cancelled = status == HearingStatus.CANCELLED
        if cancelled and (cancelled_at or h_up) < window.expiry:
            continue
        item = domain.HearingCoverage(
            hearing_id=hid,
            hearing_version=version,
            kind_name=words.kinds.get(kind.value, kind.value),
            court_name=cname,
            court_address=addr,
            tzid=tz,
            courtroom=room,
            meeting_point=meet,
            public_notes=notes,
            starts_at=starts,
            ends_at=starts + timedelta(minutes=minutes),
            cancelled=cancelled,
            changed_at=max(h_up, c_up, changed.get(hid, h_up)),
            hearing_url=hearing_url(base_url, hid),
            roles=tuple(seats.get(hid, ())),
        )
        events.append(domain.coverage_event(item=item, labels=words.labels, domain=dom))
    return events


# Open seats that fit a volunteer ----------------------------------------------------------


def _open_seat_rows(session: Session, *, owner: FeedOwner, window: Window):
    """Upcoming seats with room, in a role the person offers (with the language or car it needs)."""
    uid = owner.user_id
    confirmed = (
        select(func.count(Signup.id))
        .where(Signup.shift_id == Shift.id, Signup.status == SignupStatus.CONFIRMED)
        .correlate(Shift)
        .scalar_subquery()
    )
    mine = select(Signup.shift_id).where(Signup.user_id == uid, Signup.status.not_in(DROPPED))
    speaks = exists(
        select(HearingLanguage.hearing_id)
        .join(VolunteerLanguage, VolunteerLanguage.language == HearingLanguage.language)
        .where(HearingLanguage.hearing_id == Hearing.id, VolunteerLanguage.user_id == uid)
    )
    drives = exists(
        select(VolunteerProfile.user_id).where(VolunteerProfile.user_id == uid, VolunteerProfile.has_car)
    )
    return session.execute(
        select(
            Shift.id,
            Shift.role,
            Shift.capacity,
            confirmed,
            Shift.starts_at,
            Shift.ends_at,
            Shift.updated_at,
            Hearing.id,
            Hearing.version,
            Hearing.kind,
            Hearing.courtroom,
            Hearing.updated_at,
            Court.name,
            Court.address,
            Court.timezone,
            Court.updated_at,
        )
        .join(Hearing, Hearing.id == Shift.hearing_id)
        .join(Court, Court.id == Hearing.court_id)
        .where(
            Shift.starts_at >= window.today,
            Shift.status == ShiftStatus.OPEN,
            Hearing.status == HearingStatus.SCHEDULED,
            Shift.capacity > confirmed,
            Shift.role.in_(select(VolunteerRole.role).where(VolunteerRole.user_id == uid)),
            Shift.id.not_in(mine),
            or_(Shift.role != ShiftRole.INTERPRETER, speaks),
            or_(Shift.role != ShiftRole.DRIVER, drives),
        )
        .order_by(Shift.starts_at, Shift.id)
    ).all()


def open_seats_stamp(session: Session, *, owner: FeedOwner, window: Window, base_url: str) -> Stamp:
    """This feed is small and depends on seats filling up, so its stamp hashes its rows."""
    rows = _open_seat_rows(session, owner=owner, window=window)
    instants = tuple(max(r[6], r[11], r[15]) for r in rows)
    return _make_stamp(owner, base_url, (window.today, tuple(tuple(r) for r in rows)), instants)


def open_seat_events(
    session: Session, *, owner: FeedOwner, window: Window, base_url: str, words: Words
) -> list[domain.FeedEvent]:
    dom = domain_of(base_url)
    events = []
    for (
        shift_id,
        role,
        cap,
        n,
        starts,
        ends,
        sh_up,
        hid,
        version,
        kind,
        room,
        h_up,
        cname,
        addr,
        tz,
        c_up,
    ) in _open_seat_rows(session, owner=owner, window=window):
        item = domain.OpenSeat(
            shift_id=shift_id,
            hearing_version=version,
            role_name=words.roles.get(role.value, role.value),
            kind_name=words.kinds.get(kind.value, kind.value),
            court_name=cname,
            court_address=addr,
            tzid=tz,
            courtroom=room,
            starts_at=starts,
            ends_at=ends,
            filled=n,
            capacity=cap,
            changed_at=max(sh_up, h_up, c_up),
            hearing_url=hearing_url(base_url, hid),
        )
        events.append(domain.open_seat_event(item=item, labels=words.labels, domain=dom))
    return events


# Entry points used by the feed route ------------------------------------------------------


def stamp(session: Session, *, owner: FeedOwner, window: Window, base_url: str) -> Stamp:
    if owner.kind == FeedKind.OPEN_SEATS:
        return open_seats_stamp(session, owner=owner, window=window, base_url=base_url)
    if owner.is_coordinator:
        return coordinator_stamp(session, owner=owner, window=window, base_url=base_url)
    return volunteer_stamp(session, owner=owner, window=window, base_url=base_url)


def body(session: Session, *, owner: FeedOwner, window: Window, base_url: str) -> bytes:
    words = words_for(owner.locale, owner.kind, coordinator=owner.is_coordinator)
    if owner.kind == FeedKind.OPEN_SEATS:
        loader = open_seat_events
    elif owner.is_coordinator:
        loader = coordinator_events
    else:
        loader = volunteer_events
    events = loader(session, owner=owner, window=window, base_url=base_url, words=words)
    tzids = [e.tzid for e in events]
    main_zone = max(set(tzids), key=tzids.count) if tzids else "America/New_York"
    info = domain.CalendarInfo(name=words.calendar_name, tzid=main_zone)
    return domain.build_calendar(info=info, events=events, today=window.today.date())
