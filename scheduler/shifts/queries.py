"""Reading seats: open shifts, a shift's roster, a volunteer's commitments, late-drop alerts.

Each page costs a constant number of queries whatever its length: counts come from one grouped
query, related rows from eager loads.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, false, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from scheduler.courts import scope
from scheduler.domain.timezones import local_to_utc
from scheduler.enums import HearingStatus, ShiftRole, ShiftStatus, SignupStatus, UserStatus
from scheduler.models import Court, Hearing, HearingLanguage, Shift, Signup, User, VolunteerProfile

# A volunteer sees this far ahead by default; most networks only show the next few weeks.
DEFAULT_HORIZON = timedelta(weeks=8)


def with_hearing() -> tuple[Any, ...]:
    """Loader options for a shift's hearing with its court (joined) and languages (one IN query)."""
    return (
        joinedload(Shift.hearing).joinedload(Hearing.court),
        joinedload(Shift.hearing).selectinload(Hearing.languages),
    )


@dataclass(frozen=True, slots=True)
class ShiftFilters:
    court_ids: tuple[int, ...] = ()
    roles: tuple[ShiftRole, ...] = ()
    languages: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None


def profile_filters(user: User) -> ShiftFilters:
    """What fits the person: the roles they offer, their languages, their preferred courts."""
    profile = user.profile
    if profile is None:
        return ShiftFilters()
    return ShiftFilters(
        court_ids=tuple(c.id for c in profile.preferred_courts),
        roles=tuple(profile.role_values),
        languages=tuple(profile.language_codes),
    )


# Filled seats: a shift's confirmed signups, nothing else (a waitlisted or dropped row holds no
# seat). Pages, feeds, the digest and the planner read them from `shifts.filled_seats`, which
# the database's triggers keep equal to that count on every change (scheduler.models.
# filled_seats); a count over signups already loaded with their shift needs no query; a claim
# counts under its own lock (scheduler.shifts.claims).


def is_filled_seat() -> ColumnElement[bool]:
    """The signups that fill a seat."""
    return Signup.status == SignupStatus.CONFIRMED


def filled_counts(session: Session, shift_ids: Iterable[int]) -> dict[int, int]:
    """Filled seats per shift, for many shifts in one query (absent: no such shift)."""
    ids = list(shift_ids)
    if not ids:
        return {}
    return dict(session.execute(select(Shift.id, Shift.filled_seats).where(Shift.id.in_(ids))).tuples().all())


def filled_on(shift: Shift) -> int:
    """Filled seats of a shift whose signups are loaded (no query)."""
    return sum(1 for signup in shift.signups if signup.status == SignupStatus.CONFIRMED)


def my_statuses(session: Session, *, user_id: int, shift_ids: Iterable[int]) -> dict[int, Signup]:
    ids = list(shift_ids)
    if not ids:
        return {}
    rows = session.scalars(
        select(Signup).where(
            Signup.user_id == user_id,
            Signup.shift_id.in_(ids),
            Signup.status.in_([SignupStatus.CONFIRMED, SignupStatus.WAITLISTED]),
        )
    )
    return {s.shift_id: s for s in rows}


def has_open_seat() -> ColumnElement[bool]:
    """A shift with fewer filled seats than its capacity."""
    return Shift.filled_seats < Shift.capacity


def open_seats() -> ColumnElement[int]:
    """Seats still to fill on a shift (never below zero), as a column expression."""
    filled = Shift.filled_seats
    return case((Shift.capacity > filled, Shift.capacity - filled), else_=0)


def seats_left(*, capacity: int, filled: int) -> int:
    """The same in Python, for counts already loaded."""
    return max(capacity - filled, 0)


# A shift starts on its hearing's local date (plan_hearing: the role's lead time before the
# hearing, or a start the coordinator chose on that date) and keeps its offset when the hearing
# moves (move_window; a series or the next hearing copies the offsets too). So every shift
# starts within a day and a bit of its hearing, and two days either side of a window of
# hearings holds every shift of those hearings.
SHIFT_FROM_HEARING = timedelta(days=2)


def shifts_of_hearings_in(start: datetime, end: datetime) -> ColumnElement[bool]:
    """A bound on shifts.starts_at implied by hearings starting in [start, end).

    Redundant with the hearing's own window (keep that condition too), but it lets the
    database read the window's shifts from the shifts(starts_at) index instead of every shift.
    """
    return and_(Shift.starts_at >= start - SHIFT_FROM_HEARING, Shift.starts_at < end + SHIFT_FROM_HEARING)


def speaks_language(language: str) -> ColumnElement[bool]:
    """The hearing (in the statement) is in this language: one probe of the (hearing_id,
    language) key per hearing, never a read of every hearing in that language.

    A scalar subquery, not EXISTS or IN: PostgreSQL turns those into a join that reads all of
    hearing_languages for a common language (Spanish: most hearings), whatever the window.
    """
    found = (
        select(HearingLanguage.hearing_id)
        .where(HearingLanguage.hearing_id == Hearing.id, HearingLanguage.language == language)
        .limit(1)
        .scalar_subquery()
    )
    return found.is_not(None)


def needs_people() -> ColumnElement[bool]:
    """An open seat: an open shift of a scheduled hearing with a seat still to fill.

    The statement must join Hearing; the time window is each caller's own (the list from now
    on, the digest the next week, the planner the dates asked for).
    """
    return and_(Hearing.status == HearingStatus.SCHEDULED, Shift.status == ShiftStatus.OPEN, has_open_seat())


def _local_dates(zones: Iterable[str], first: date | None, last: date | None) -> ColumnElement[bool]:
    """Seats whose start falls on these dates in their own court's zone (one branch per zone)."""
    branches = []
    for tz in zones:
        conditions = [Court.timezone == tz]
        if first is not None:
            conditions.append(Shift.starts_at >= local_to_utc(first, time(0), tz))
        if last is not None:
            conditions.append(Shift.starts_at < local_to_utc(last + timedelta(days=1), time(0), tz))
        branches.append(and_(*conditions))
    return or_(*branches) if branches else false()


def court_zones(session: Session) -> list[str]:
    return list(session.scalars(select(Court.timezone).distinct()))


def open_shifts_query(
    *,
    filters: ShiftFilters,
    now: datetime,
    horizon: timedelta | None,
    zones: Iterable[str] = (),
    load: bool = True,
) -> Select:
    """Upcoming seats still needing people (or with a seat offered for hand-over).

    ``load=False`` leaves out the loader options, for a caller that selects columns instead.
    """
    offered = (
        select(Signup.id)
        .where(
            Signup.shift_id == Shift.id,
            is_filled_seat(),
            Signup.handover_offered_at.is_not(None),
        )
        .exists()
    )
    query = (
        select(Shift)
        .join(Hearing, Shift.hearing_id == Hearing.id)
        .join(Court, Hearing.court_id == Court.id)
        .where(
            Hearing.status == HearingStatus.SCHEDULED,
            Shift.status == ShiftStatus.OPEN,
            Shift.starts_at > now,
            or_(has_open_seat(), offered),
        )
    )
    if horizon is not None:
        query = query.where(Shift.starts_at < now + horizon)
    if filters.court_ids:
        # Implied by the seats' window (a seat starts within two days of its hearing): a court
        # filter then reads that court's coming hearings from (court_id, starts_at), not every
        # hearing it ever had. Only with a court filter: without one the seats come in order
        # from shifts(starts_at), and on a database without statistics yet (fresh from a bulk
        # load) the bound made the planner go hearings first, reading every coming hearing
        # (75-100 ms at 50,000 hearings, against 6 without it).
        query = query.where(
            Hearing.court_id.in_(filters.court_ids), Hearing.starts_at > now - SHIFT_FROM_HEARING
        )
        if horizon is not None:
            query = query.where(Hearing.starts_at < now + horizon + SHIFT_FROM_HEARING)
    if filters.roles:
        query = query.where(Shift.role.in_(filters.roles))
    if filters.languages:
        # Languages only narrow interpreter seats; anyone can accompany whatever the language.
        speaks = (
            select(HearingLanguage.hearing_id)
            .where(HearingLanguage.hearing_id == Hearing.id, HearingLanguage.language.in_(filters.languages))
            .exists()
        )
        query = query.where(or_(Shift.role != ShiftRole.INTERPRETER, speaks))
    if filters.date_from is not None or filters.date_to is not None:
        query = query.where(_local_dates(zones, filters.date_from, filters.date_to))
    query = query.order_by(Shift.starts_at, Shift.id)
    return query.options(*with_hearing()) if load else query


def shifts_with_hearing(session: Session, shift_ids: Sequence[int]) -> list[Shift]:
    """These shifts with their hearing, court and languages, in the order given (one statement,
    all joined: for the few rows a page shows)."""
    if not shift_ids:
        return []
    query = (
        select(Shift)
        .where(Shift.id.in_(list(shift_ids)))
        .options(
            joinedload(Shift.hearing).joinedload(Hearing.court),
            joinedload(Shift.hearing).joinedload(Hearing.languages),
        )
    )
    found = {s.id: s for s in session.scalars(query).unique()}
    return [found[i] for i in shift_ids if i in found]


def shift_for_page(session: Session, shift_id: int) -> Shift | None:
    """A shift with its hearing, court, languages and every signup with its person."""
    return session.scalar(
        select(Shift)
        .where(Shift.id == shift_id)
        .options(*with_hearing(), selectinload(Shift.signups).joinedload(Signup.user))
    )


@dataclass(slots=True)
class Roster:
    confirmed: list[Signup] = field(default_factory=list)
    waitlisted: list[Signup] = field(default_factory=list)
    gone: list[Signup] = field(default_factory=list)  # dropped or removed, with their reasons


def roster(shift: Shift) -> Roster:
    result = Roster()
    for signup in shift.signups:
        if signup.status == SignupStatus.CONFIRMED:
            result.confirmed.append(signup)
        elif signup.status == SignupStatus.WAITLISTED:
            result.waitlisted.append(signup)
        else:
            result.gone.append(signup)
    result.waitlisted.sort(key=lambda s: (s.waitlisted_at or s.created_at, s.id))
    result.gone.sort(key=lambda s: s.status_changed_at or s.updated_at, reverse=True)
    return result


def search_volunteers(session: Session, *, text: str, limit: int = 20) -> list[User]:
    """Approved people by name or email, for a coordinator assigning a seat."""
    text = text.strip()[:100]
    if not text:
        return []
    pattern = f"%{text.lower()}%"
    return list(
        session.scalars(
            select(User)
            .where(
                User.status == UserStatus.APPROVED,
                or_(User.email.like(pattern), func.lower(User.display_name).like(pattern)),
            )
            .order_by(User.display_name)
            .limit(limit)
            .options(selectinload(User.profile).selectinload(VolunteerProfile.languages))
        )
    )


def shifts_by_id(session: Session, shift_ids: Iterable[int]) -> dict[int, Shift]:
    """The seats named in refusals (overlaps), to say when and where they are."""
    ids = list(set(shift_ids))
    if not ids:
        return {}
    rows = session.scalars(
        select(Shift).where(Shift.id.in_(ids)).options(joinedload(Shift.hearing).joinedload(Hearing.court))
    )
    return {s.id: s for s in rows}


def manageable(user: User, shift: Shift) -> bool:
    return scope.may_manage_court(user, shift.hearing.court_id)
