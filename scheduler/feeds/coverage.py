"""Coordinators' and open-seat feeds: hearings with their coverage, seats that still need people.

Same contract as ``scheduler.feeds.content``: a one-query stamp, then the rows.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, SQLColumnExpression, and_, case, exists, func, or_, select, true
from sqlalchemy.orm import Session, aliased

from scheduler.domain import feeds as domain
from scheduler.enums import HearingStatus, ShiftRole, ShiftStatus
from scheduler.feeds import eventcache
from scheduler.feeds import revisions as feed_revisions
from scheduler.feeds.content import (
    DROPPED,
    FORMAT_VERSION,
    Stamp,
    Window,
    Words,
    _make_stamp,
    domain_of,
    hearing_url,
    seat_url,
)
from scheduler.feeds.tokens import FeedOwner
from scheduler.models import (
    Court,
    FeedRevision,
    Hearing,
    HearingLanguage,
    Shift,
    Signup,
    VolunteerLanguage,
    VolunteerProfile,
    VolunteerRole,
    coordinator_courts,
)
from scheduler.shifts.queries import has_open_seat

# Coordinators: every hearing at the courts they coordinate ---------------------------------


def in_scope(owner: FeedOwner, court_id: SQLColumnExpression[int | None]) -> ColumnElement[bool]:
    """Whether ``court_id`` is one of the owner's courts: admins, and coordinators given no
    courts, have every court (as services/scope.py). Shared by the feed and its change check."""
    if owner.is_admin:
        return true()
    mine = select(coordinator_courts.c.court_id).where(coordinator_courts.c.user_id == owner.user_id)
    return or_(~exists(mine), court_id.in_(mine))


def _scope(owner: FeedOwner) -> ColumnElement[bool]:
    return in_scope(owner, Hearing.court_id)


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
    where = (_scope(owner), Hearing.starts_at >= window.start)
    rev = aliased(FeedRevision)
    hearings = session.execute(
        select(
            Hearing.id,
            Hearing.version + func.coalesce(rev.revision, 0),
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
        .outerjoin(rev, and_(rev.kind == feed_revisions.HEARING, rev.object_id == Hearing.id))
        .where(*where)
        .order_by(Hearing.starts_at, Hearing.id)
    ).all()
    seats: dict[int, list[tuple[str, int, int]]] = defaultdict(list)
    changed: dict[int, datetime] = {}
    for hearing_id, role, capacity, sh_updated, n in session.execute(
        select(Shift.hearing_id, Shift.role, Shift.capacity, Shift.updated_at, Shift.filled_seats)
        .join(Hearing, Hearing.id == Shift.hearing_id)
        .where(*where)
        .order_by(Shift.hearing_id, Shift.role)
    ):
        seats[hearing_id].append((words.roles.get(role.value, role.value), n, capacity))
        changed[hearing_id] = max(sh_updated, changed.get(hearing_id, sh_updated))
    dom = domain_of(session, configured=uid_domain)
    batch = eventcache.Batch(
        kind=feed_revisions.HEARING,
        context=eventcache.context_of(feed_revisions.HEARING, FORMAT_VERSION, words.labels, dom),
        make=lambda item: domain.coverage_event(item=item, labels=words.labels, domain=dom),
    )
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
            sequence=version + revision,
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
        batch.add(hid, version, item)
    return (cache or eventcache.EventCache()).render(batch)


# Open seats that fit a volunteer ----------------------------------------------------------


def _open_seat_rows(session: Session, *, owner: FeedOwner, window: Window):
    """Upcoming seats with room, in a role the person offers (with the language or car it needs)."""
    uid = owner.user_id
    mine = select(Signup.shift_id).where(Signup.user_id == uid, Signup.status.not_in(DROPPED))
    speaks = exists(
        select(HearingLanguage.hearing_id)
        .join(VolunteerLanguage, VolunteerLanguage.language == HearingLanguage.language)
        .where(HearingLanguage.hearing_id == Hearing.id, VolunteerLanguage.user_id == uid)
    )
    rev = aliased(FeedRevision)
    drives = exists(
        select(VolunteerProfile.user_id).where(VolunteerProfile.user_id == uid, VolunteerProfile.has_car)
    )
    return session.execute(
        select(
            Shift.id,
            Shift.role,
            Shift.capacity,
            Shift.filled_seats,
            Shift.starts_at,
            Shift.ends_at,
            Shift.updated_at,
            Hearing.id,
            Hearing.version + func.coalesce(rev.revision, 0),
            Hearing.kind,
            Hearing.courtroom,
            Hearing.updated_at,
            Court.name,
            Court.address,
            Court.timezone,
            Court.updated_at,
            Hearing.status,
        )
        .join(Hearing, Hearing.id == Shift.hearing_id)
        .join(Court, Court.id == Hearing.court_id)
        .outerjoin(rev, and_(rev.kind == feed_revisions.SHIFT, rev.object_id == Shift.id))
        .where(
            Shift.starts_at >= window.today,
            or_(
                and_(Shift.status == ShiftStatus.OPEN, Hearing.status == HearingStatus.SCHEDULED),
                # A seat of a hearing cancelled since stays, marked cancelled, as in the other feeds.
                and_(
                    Hearing.status == HearingStatus.CANCELLED,
                    func.coalesce(Hearing.cancelled_at, Hearing.updated_at) >= window.expiry,
                ),
            ),
            has_open_seat(),
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
    dom = domain_of(session, configured=uid_domain)
    batch = eventcache.Batch(
        kind=feed_revisions.SHIFT,
        context=eventcache.context_of(feed_revisions.SHIFT, FORMAT_VERSION, words.labels, dom),
        make=lambda item: domain.open_seat_event(item=item, labels=words.labels, domain=dom),
    )
    for (
        shift_id,
        role,
        cap,
        n,
        starts,
        ends,
        sh_up,
        _hearing_id,
        version,
        kind,
        room,
        h_up,
        cname,
        addr,
        tz,
        c_up,
        h_status,
    ) in _open_seat_rows(session, owner=owner, window=window):
        item = domain.OpenSeat(
            shift_id=shift_id,
            sequence=version + revision,
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
            hearing_url=seat_url(base_url, shift_id),  # the seat page: volunteers may open it
            cancelled=h_status == HearingStatus.CANCELLED,
        )
        batch.add(shift_id, version, item)
    return (cache or eventcache.EventCache()).render(batch)
