"""The coordinator's coverage dashboard and month calendar.

Built for tens of thousands of hearings: a fixed number of queries whatever the page size
(a count capped at HEARING_COUNT_CAP rows, page of hearings, their languages, and one for
filled/needed per role), and
grouping by day in each court's own time zone done in Python on the page only. The week's
figures and the month calendar are summed in SQL (one row, one row per day).
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from math import ceil

from sqlalchemy import ColumnElement, and_, case, false, func, or_, select
from sqlalchemy.orm import Session, contains_eager, selectinload

from scheduler.courts import scope
from scheduler.domain.hearings import ROLE_ORDER
from scheduler.domain.timezones import local_to_utc, to_local
from scheduler.enums import HearingKind, HearingStatus, ShiftRole, ShiftStatus, UserStatus
from scheduler.models import Court, Hearing, Shift, User
from scheduler.paging import capped_count, first_page, read_slice
from scheduler.shifts.queries import (
    court_zones,
    has_open_seat,
    seats_left,
    shifts_of_hearings_in,
    speaks_language,
)

MAX_WEEKS = 26
# The upcoming hearings are counted up to this many: past it the dashboard says "more than
# 240 hearings" and "Page 3", so the count costs the same at 50,000 hearings as at 1,000
# (issue 18 item 1; like the open seats' SEAT_COUNT_CAP).
HEARING_COUNT_CAP = 240


@dataclass(frozen=True, slots=True)
class Filters:
    court_id: int | None = None
    kind: HearingKind | None = None
    language: str | None = None
    only_unfilled: bool = False
    weeks: int = 4
    # One local day (each hearing on its court's own date), e.g. from a month-calendar day.
    day: date | None = None


@dataclass(frozen=True, slots=True)
class RoleCoverage:
    role: ShiftRole
    needed: int
    filled: int

    @property
    def missing(self) -> int:
        return seats_left(capacity=self.needed, filled=self.filled)


@dataclass(frozen=True, slots=True)
class HearingCoverage:
    hearing: Hearing
    local_start: datetime
    roles: tuple[RoleCoverage, ...]

    @property
    def missing(self) -> int:
        return sum(r.missing for r in self.roles)

    @property
    def needed(self) -> int:
        return sum(r.needed for r in self.roles)


@dataclass(frozen=True, slots=True)
class Page:
    """The shape the pagination macro reads. `total`: the hearings counted (at most the cap);
    `more`: more hearings than counted (no page count then); `has_next`: a row read ahead."""

    page: int
    per_page: int
    total: int
    has_next: bool = False
    more: bool = False

    @property
    def pages(self) -> int | None:
        return None if self.more else max(ceil(self.total / self.per_page), 1)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


@dataclass(frozen=True, slots=True)
class Dashboard:
    days: list[tuple[date, list[HearingCoverage]]]
    page: Page


def _filtered(
    user: User, filters: Filters, start: datetime, end: datetime, zones: Iterable[str] = ()
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        Hearing.status == HearingStatus.SCHEDULED,
        Hearing.starts_at >= start,
        Hearing.starts_at < end,
        scope.hearing_filter(user),
    ]
    if filters.day is not None:
        conditions.append(_on_local_day(filters.day, zones))
    if filters.court_id:
        conditions.append(Hearing.court_id == filters.court_id)
    if filters.kind:
        conditions.append(Hearing.kind == filters.kind)
    if filters.language:
        conditions.append(speaks_language(filters.language))
    if filters.only_unfilled:
        # Correlated, so only the shifts of hearings already in the window are looked at.
        gaps = (
            select(Shift.id)
            .where(Shift.hearing_id == Hearing.id, Shift.status == ShiftStatus.OPEN, has_open_seat())
            .correlate(Hearing)
        )
        conditions.append(gaps.exists())
    return conditions


def _on_local_day(day: date, zones: Iterable[str]) -> ColumnElement[bool]:
    """Hearings on this date in their own court's zone (one branch per zone in use)."""
    branches = [
        and_(
            Hearing.court_id.in_(select(Court.id).where(Court.timezone == tz)),
            Hearing.starts_at >= local_to_utc(day, time(0), tz),
            Hearing.starts_at < local_to_utc(day + timedelta(days=1), time(0), tz),
        )
        for tz in zones
    ]
    return or_(*branches) if branches else false()


def dashboard(
    session: Session,
    *,
    user: User,
    filters: Filters,
    now: datetime,
    page: int = 1,
    per_page: int = 50,
    cap: int | None = None,
) -> Dashboard:
    """Upcoming hearings, a page at a time (paginated by hearing), grouped by local day.

    Counted up to `cap` hearings (HEARING_COUNT_CAP unless given): below it a page past the
    end shows the last page; above it the page asked for, empty past the end (with "Previous").
    """
    cap = HEARING_COUNT_CAP if cap is None else cap
    end = now + timedelta(weeks=min(max(filters.weeks, 1), MAX_WEEKS))
    zones: list[str] = []
    if filters.day is not None:
        # One day, past or far ahead: a day either side in UTC, narrowed per court zone.
        now = datetime.combine(filters.day - timedelta(days=1), time(0)).replace(tzinfo=UTC)
        end = now + timedelta(days=3)
        zones = list(session.scalars(select(Court.timezone).distinct()))
    conditions = _filtered(user, filters, now, end, zones)
    counted = capped_count(session, select(Hearing.id).where(*conditions), cap=cap)
    page = first_page(page) if counted > cap else min(first_page(page), max(ceil(counted / per_page), 1))
    found = read_slice(
        session,
        select(Hearing)
        .join(Hearing.court)
        .where(*conditions)
        .order_by(Hearing.starts_at, Hearing.id)
        .options(contains_eager(Hearing.court), selectinload(Hearing.languages)),
        page=page,
        per_page=per_page,
    )
    hearings = found.rows
    coverage = role_coverage(session, hearing_ids=[h.id for h in hearings])
    days: dict[date, list[HearingCoverage]] = defaultdict(list)
    for hearing in hearings:
        local = to_local(hearing.starts_at, hearing.court.timezone)
        days[local.date()].append(
            HearingCoverage(hearing=hearing, local_start=local, roles=coverage.get(hearing.id, ()))
        )
    ordered = [
        (day, sorted(items, key=lambda c: c.local_start.time())) for day, items in sorted(days.items())
    ]
    shown = Page(
        page=page, per_page=per_page, total=min(counted, cap), has_next=found.has_next, more=counted > cap
    )
    return Dashboard(days=ordered, page=shown)


def role_coverage(session: Session, *, hearing_ids: list[int]) -> dict[int, tuple[RoleCoverage, ...]]:
    """Needed and filled seats per role of open shifts, for many hearings in one query.

    Each shift's filled seats are the correlated count on the signups' (shift_id, status) index,
    so the cost follows the page, not the size of the signups table.
    """
    if not hearing_ids:
        return {}
    rows = session.execute(
        select(Shift.hearing_id, Shift.role, Shift.capacity, Shift.filled_seats).where(
            Shift.hearing_id.in_(hearing_ids), Shift.status == ShiftStatus.OPEN
        )
    ).all()
    found: dict[int, dict[ShiftRole, RoleCoverage]] = defaultdict(dict)
    for hearing_id, role, needed, filled in rows:
        found[hearing_id][role] = RoleCoverage(role=role, needed=int(needed or 0), filled=int(filled or 0))
    return {hid: tuple(roles[r] for r in ROLE_ORDER if r in roles) for hid, roles in found.items()}


@dataclass(frozen=True, slots=True)
class WeekSummary:
    hearings: int
    seats_needed: int
    seats_unfilled: int
    pending_volunteers: int


def week_summary(session: Session, *, user: User, now: datetime) -> WeekSummary:
    """The figures at the top of the dashboard: the next 7 days, and who waits for approval.

    Summed in SQL (one row back), each open shift's confirmed seats counted by a correlated
    count on the (shift_id, status) index: the cost follows the week's shifts, not the shifts
    or signups tables.
    """
    week_end = now + timedelta(days=7)
    # Each shift's filled seats counted once (OFFSET 0 keeps PostgreSQL from inlining the
    # subquery and repeating the correlated count in each sum), the shifts read from the
    # shifts(starts_at) index by the bound their hearings' window implies.
    per_shift = (
        select(Shift.hearing_id, Shift.capacity, Shift.filled_seats.label("filled"))
        .join(Hearing, Shift.hearing_id == Hearing.id)
        .where(
            Hearing.status == HearingStatus.SCHEDULED,
            Shift.status == ShiftStatus.OPEN,
            Hearing.starts_at >= now,
            Hearing.starts_at < week_end,
            shifts_of_hearings_in(now, week_end),
            scope.hearing_filter(user),
        )
        .offset(0)
        .subquery()
    )
    capacity, filled = per_shift.c.capacity, per_shift.c.filled
    row = session.execute(
        select(
            func.count(func.distinct(per_shift.c.hearing_id)),
            func.coalesce(func.sum(capacity), 0),
            func.coalesce(func.sum(case((capacity > filled, capacity - filled), else_=0)), 0),
        )
    ).one()
    pending = session.scalar(select(func.count(User.id)).where(User.status == UserStatus.PENDING)) or 0
    return WeekSummary(
        hearings=int(row[0] or 0),
        seats_needed=int(row[1] or 0),
        seats_unfilled=int(row[2] or 0),
        pending_volunteers=pending,
    )


@dataclass(frozen=True, slots=True)
class CalendarDay:
    day: date
    in_month: bool
    hearings: int = 0
    missing: int = 0
    needed: int = 0
    filled: int = 0


@dataclass(frozen=True, slots=True)
class MonthCalendar:
    year: int
    month: int
    weeks: list[list[CalendarDay]] = field(default_factory=list)

    @property
    def previous(self) -> tuple[int, int]:
        return (self.year - 1, 12) if self.month == 1 else (self.year, self.month - 1)

    @property
    def next(self) -> tuple[int, int]:
        return (self.year + 1, 1) if self.month == 12 else (self.year, self.month + 1)


def month_calendar(session: Session, *, user: User, filters: Filters, year: int, month: int) -> MonthCalendar:
    """Hearings and unfilled seats per day of a month, each hearing on its court's local date."""
    first = date(year, month, 1)
    last = date(year, month, calendar.monthrange(year, month)[1])
    # A day either side in UTC covers every zone from Saipan to Honolulu.
    start = datetime.combine(first - timedelta(days=1), datetime.min.time()).replace(tzinfo=UTC)
    end = datetime.combine(last + timedelta(days=2), datetime.min.time()).replace(tzinfo=UTC)
    filters = Filters(
        court_id=filters.court_id,
        kind=filters.kind,
        language=filters.language,
        only_unfilled=filters.only_unfilled,
    )
    # Each hearing's local date, worked out in SQL: per court zone, the first local midnight
    # after its start (a CASE over the month's midnights in each zone), so the database sums
    # per day and sends back one row per day, not one per shift.
    whens = []
    for tz_name in court_zones(session):
        day = first - timedelta(days=2)
        while day <= last + timedelta(days=2):
            midnight = local_to_utc(day + timedelta(days=1), time(0), tz_name)
            whens.append((and_(Court.timezone == tz_name, Hearing.starts_at < midnight), day.toordinal()))
            day += timedelta(days=1)
    if not whens:
        return _month(year, month, {}, {})
    # Each shift's filled seats counted once (OFFSET 0 keeps PostgreSQL from inlining the
    # subquery, which would repeat the correlated count in each of the sums below).
    per_shift = (
        select(
            case(*whens, else_=None).label("day"),
            Hearing.id.label("hearing_id"),
            Shift.capacity.label("capacity"),
            Shift.filled_seats.label("filled"),
        )
        .join(Court, Hearing.court_id == Court.id)
        .outerjoin(
            Shift,
            (Shift.hearing_id == Hearing.id)
            & (Shift.status == ShiftStatus.OPEN)
            # Holds for every shift of the month's hearings: read from the starts_at index.
            & shifts_of_hearings_in(start, end),
        )
        .where(*_filtered(user, filters, start, end))
        .offset(0)
        .subquery()
    )
    capacity, filled = per_shift.c.capacity, per_shift.c.filled
    rows = session.execute(
        select(
            per_shift.c.day,
            func.count(func.distinct(per_shift.c.hearing_id)),
            func.coalesce(func.sum(case((capacity > filled, capacity - filled), else_=0)), 0),
            func.coalesce(func.sum(func.coalesce(capacity, 0)), 0),
            func.coalesce(func.sum(case((filled > capacity, capacity), else_=func.coalesce(filled, 0))), 0),
        )
        .where(per_shift.c.day.is_not(None))
        .group_by(per_shift.c.day)
    ).all()
    hearings_on = {date.fromordinal(day): int(n) for day, n, _m, _nd, _f in rows}
    missing_on = {date.fromordinal(day): int(m) for day, _n, m, _nd, _f in rows}
    needed_on = {date.fromordinal(day): int(nd) for day, _n, _m, nd, _f in rows}
    filled_on = {date.fromordinal(day): int(f) for day, _n, _m, _nd, f in rows}
    return _month(year, month, hearings_on, missing_on, needed_on, filled_on)


def _month(
    year: int,
    month: int,
    hearings_on: dict[date, int],
    missing_on: dict[date, int],
    needed_on: dict[date, int] | None = None,
    filled_on: dict[date, int] | None = None,
) -> MonthCalendar:
    needed_on = needed_on or {}
    filled_on = filled_on or {}
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        weeks.append(
            [
                CalendarDay(
                    day=d,
                    in_month=d.month == month,
                    hearings=hearings_on.get(d, 0),
                    missing=missing_on.get(d, 0),
                    needed=needed_on.get(d, 0),
                    filled=filled_on.get(d, 0),
                )
                for d in week
            ]
        )
    return MonthCalendar(year=year, month=month, weeks=weeks)
