"""Rows into matching's plain facts, a constant number of queries whatever the number of people.

Loading is separate from ranking: every function here reads what the pure rules in
``scheduler.domain.matching`` and ``scheduler.domain.planner`` need in bulk (one query per kind
of fact, eager loads for lists), then hands plain values over.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, case, false, func, or_, select, union
from sqlalchemy.orm import Session

from scheduler.domain.claims import HOLDING
from scheduler.domain.eligibility import (
    Commitment,
    Rules,
    Schedule,
    VolunteerFacts,
    Window,
    schedule_of,
)
from scheduler.domain.matching import (
    DEFAULT_WEIGHTS,
    History,
    MatchSeat,
    clean_weights,
    ref_initial,
)
from scheduler.domain.timezones import window_seconds
from scheduler.enums import Attendance, HearingStatus, ShiftRole, UserStatus
from scheduler.models import (
    AvailabilityWindow,
    BlackoutDate,
    Court,
    Hearing,
    HearingLanguage,
    Invitation,
    InvitationStatus,
    Shift,
    Signup,
    User,
    VolunteerLanguage,
    VolunteerProfile,
    VolunteerRole,
    VolunteerTraining,
    volunteer_preferred_courts,
)
from scheduler.shifts.facts import (
    load_claimants,
    rules_from_config,
    seat_fact_columns,
    seat_facts,
    seat_facts_of,
)
from scheduler.shifts.queries import (
    SHIFT_FROM_HEARING,
    is_filled_seat,
    needs_people,
    with_hearing,
)

# Weekly caps look at the seat's local ISO week; eight days either side covers it in any zone.
_WEEK_MARGIN = timedelta(days=8)
RECENT = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class MatchSettings:
    """What config says about matching; views build it from current_app.config."""

    rules: Rules = field(default_factory=Rules)
    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    suggestions: int = 10
    plan_time_limit: float = 10.0
    plan_candidates_per_shift: int = 25


def settings_from_config(config: Mapping) -> MatchSettings:
    return MatchSettings(
        rules=rules_from_config(config),
        weights=clean_weights(config.get("MATCH_WEIGHTS")),
        suggestions=int(config.get("MATCH_SUGGESTIONS", 10)),
        plan_time_limit=float(config.get("PLAN_TIME_LIMIT_SECONDS", 10.0)),
        plan_candidates_per_shift=int(config.get("PLAN_CANDIDATES_PER_SHIFT", 25)),
    )


# --- Facts ---------------------------------------------------------------------------------


def load_facts(
    session: Session, *, user_ids: Iterable[int] | None = None, role: ShiftRole | None = None
) -> dict[int, VolunteerFacts]:
    """Matching facts of approved people who offer a role (``role`` if given), or of given people.

    Plain column reads, one query per kind of fact and no ORM objects: ranking thousands of
    people must not spend its time building objects nobody displays.
    """
    people = select(User.id).join(VolunteerProfile, VolunteerProfile.user_id == User.id)
    if user_ids is None:
        offered = select(VolunteerRole.user_id)
        if role is not None:
            offered = offered.where(VolunteerRole.role == role)
        people = people.where(User.status == UserStatus.APPROVED, User.id.in_(offered))
    else:
        people = people.where(User.id.in_(list(set(user_ids))))
    ids = people.subquery()
    base = session.execute(
        select(User.id, User.status, VolunteerProfile.has_car, VolunteerProfile.max_shifts_per_week)
        .join(VolunteerProfile, VolunteerProfile.user_id == User.id)
        .where(User.id.in_(select(ids.c.id)))
        .order_by(User.id)
    ).all()
    lists: dict[str, dict[int, list]] = {}
    for name, columns in (
        ("languages", (VolunteerLanguage.user_id, VolunteerLanguage.language)),
        ("roles", (VolunteerRole.user_id, VolunteerRole.role)),
        ("trainings", (VolunteerTraining.user_id, VolunteerTraining.training)),
        (
            "availability",
            (
                AvailabilityWindow.user_id,
                AvailabilityWindow.weekday,
                AvailabilityWindow.start_time,
                AvailabilityWindow.end_time,
            ),
        ),
        ("blackouts", (BlackoutDate.user_id, BlackoutDate.day)),
        ("courts", (volunteer_preferred_courts.c.user_id, volunteer_preferred_courts.c.court_id)),
    ):
        found: dict[int, list] = defaultdict(list)
        for row in session.execute(select(*columns).where(columns[0].in_(select(ids.c.id)))):
            found[row[0]].append(row[1] if len(row) == 2 else Window(*row[1:]))
        lists[name] = found
    return {
        user_id: VolunteerFacts(
            user_id=user_id,
            approved=status == UserStatus.APPROVED,
            languages=frozenset(lists["languages"][user_id]),
            roles=frozenset(ShiftRole(r) for r in lists["roles"][user_id]),
            has_car=bool(has_car),
            trainings=frozenset(lists["trainings"][user_id]),
            max_shifts_per_week=cap,
            availability=tuple(sorted(lists["availability"][user_id], key=lambda w: (w.weekday, w.start))),
            blackout_dates=frozenset(lists["blackouts"][user_id]),
            preferred_court_ids=frozenset(lists["courts"][user_id]),
        )
        for user_id, status, has_car, cap in base
    }


def load_person(
    session: Session, *, user_id: int, window: tuple[datetime, datetime]
) -> tuple[VolunteerFacts, Schedule] | None:
    """One person's matching facts and their confirmed seats near a window, in three statements.

    The same facts ``load_facts`` and ``load_schedules`` give (seven and one statements): the
    claim's one-statement load of the person and their seats, then their weekly windows and
    blackout dates. None if there is no such person.
    """
    claimant = load_claimants(session, user_ids=[user_id], around=window).get(user_id)
    if claimant is None:
        return None
    windows = session.execute(
        select(AvailabilityWindow.weekday, AvailabilityWindow.start_time, AvailabilityWindow.end_time).where(
            AvailabilityWindow.user_id == user_id
        )
    ).all()
    days = session.scalars(select(BlackoutDate.day).where(BlackoutDate.user_id == user_id))
    volunteer = replace(
        claimant.volunteer,
        availability=tuple(sorted((Window(*w) for w in windows), key=lambda w: (w.weekday, w.start))),
        blackout_dates=frozenset(days),
    )
    return volunteer, schedule_of(claimant.commitments)


def users_by_id(session: Session, user_ids: Iterable[int]) -> dict[int, User]:
    """The few people a page names, in one query."""
    ids = list(set(user_ids))
    if not ids:
        return {}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))}


def load_schedules(
    session: Session, *, window: tuple[datetime, datetime], user_ids: Iterable[int] | None = None
) -> dict[int, Schedule]:
    """Confirmed seats near a window (overlaps, travel, weekly caps), per person, in one query."""
    start, end = window
    query = (
        select(Signup.user_id, Shift.id, Hearing.court_id, Court.timezone, Shift.starts_at, Shift.ends_at)
        .join(Shift, Signup.shift_id == Shift.id)
        .join(Hearing, Shift.hearing_id == Hearing.id)
        .join(Court, Hearing.court_id == Court.id)
        .where(
            is_filled_seat(),
            Hearing.status == HearingStatus.SCHEDULED,
            Shift.ends_at >= start - _WEEK_MARGIN,
            Shift.starts_at <= end + _WEEK_MARGIN,
        )
    )
    if user_ids is not None:
        query = query.where(Signup.user_id.in_(list(set(user_ids))))
    held: dict[int, list[Commitment]] = defaultdict(list)
    for user_id, shift_id, court_id, tz, starts_at, ends_at in session.execute(query):
        held[user_id].append(Commitment(shift_id, court_id, tz, starts_at, ends_at))
    return {user_id: schedule_of(items) for user_id, items in held.items()}


def load_histories(
    session: Session, *, now: datetime, case_keys: Iterable[str] = (), user_ids: Iterable[int] | None = None
) -> dict[int, History]:
    """Recent seats, attendance, experience per hearing kind, and past seats with the same people.

    Four grouped queries. A dropped or removed seat is no history: only confirmed ones count.
    """
    ids = None if user_ids is None else list(set(user_ids))

    def scoped(query):
        return query if ids is None else query.where(Signup.user_id.in_(ids))

    base = (
        select(Signup.user_id)
        .join(Shift, Signup.shift_id == Shift.id)
        .join(Hearing, Shift.hearing_id == Hearing.id)
        .where(is_filled_seat())
    )
    recent: dict[int, int] = dict(
        session.execute(
            scoped(
                base.add_columns(func.count())
                .where(Shift.starts_at >= now - RECENT, Shift.starts_at < now)
                .group_by(Signup.user_id)
            )
        )
        .tuples()
        .all()
    )
    attendance: dict[int, dict[str, int]] = defaultdict(dict)
    for user_id, mark, n in session.execute(
        scoped(
            base.add_columns(Signup.attendance, func.count())
            .where(Signup.attendance.is_not(None))
            .group_by(Signup.user_id, Signup.attendance)
        )
    ):
        attendance[user_id][getattr(mark, "value", mark)] = n
    by_kind: dict[int, dict[str, int]] = defaultdict(dict)
    for user_id, kind, n in session.execute(
        scoped(
            base.add_columns(Hearing.kind, func.count())
            .where(Signup.attendance == Attendance.ATTENDED)
            .group_by(Signup.user_id, Hearing.kind)
        )
    ):
        by_kind[user_id][getattr(kind, "value", kind)] = n
    cases: dict[int, dict[str, date]] = defaultdict(dict)
    keys = sorted(set(k for k in case_keys if k))
    if keys:
        rows = session.execute(
            scoped(
                base.add_columns(Hearing.case_key, func.max(Shift.starts_at))
                .where(Hearing.case_key.in_(keys), Shift.starts_at < now)
                .group_by(Signup.user_id, Hearing.case_key)
            )
        )
        for user_id, key, last in rows:
            cases[user_id][key] = last.date() if isinstance(last, datetime) else last
    people = set(recent) | set(attendance) | set(by_kind) | set(cases)
    return {
        user_id: History(
            seats_last_30_days=recent.get(user_id, 0),
            attended=attendance[user_id].get("attended", 0),
            no_show=attendance[user_id].get("no_show", 0),
            attended_by_kind=dict(by_kind[user_id]),
            case_last_seen=dict(cases[user_id]),
        )
        for user_id in people
    }


def match_seat(shift: Shift, *, include_ref: bool) -> MatchSeat:
    """Scoring facts of a shift; the respondent initial only when a coordinator will read it."""
    hearing = shift.hearing
    return MatchSeat(
        facts=seat_facts(shift),
        hearing_kind=getattr(hearing.kind, "value", hearing.kind),
        case_key=hearing.case_key,
        ref_initial=ref_initial(hearing.respondent_ref) if include_ref else "",
    )


def _shift_query():
    return select(Shift).options(*with_hearing())


def holders(session: Session, shift_ids: Sequence[int]) -> dict[int, frozenset[int]]:
    """Who already holds (or waits for) a seat on each shift: never suggested again."""
    found: dict[int, set[int]] = defaultdict(set)
    if shift_ids:
        for shift_id, user_id in session.execute(
            select(Signup.shift_id, Signup.user_id).where(
                Signup.shift_id.in_(list(shift_ids)), Signup.status.in_(HOLDING)
            )
        ):
            found[shift_id].add(user_id)
    return {k: frozenset(v) for k, v in found.items()}


def pending_invitations(session: Session, shift_ids: Sequence[int]) -> set[tuple[int, int]]:
    if not shift_ids:
        return set()
    return set(
        session.execute(
            select(Invitation.user_id, Invitation.shift_id).where(
                Invitation.shift_id.in_(list(shift_ids)), Invitation.status == InvitationStatus.PENDING
            )
        )
        .tuples()
        .all()
    )


def open_invitations(session: Session, shift_id: int) -> list[tuple[int, datetime]]:
    """(person, sent at) of each unanswered invitation to one shift, oldest first."""
    return [
        (user_id, created)
        for user_id, created in session.execute(
            select(Invitation.user_id, Invitation.created_at)
            .where(Invitation.shift_id == shift_id, Invitation.status == InvitationStatus.PENDING)
            .order_by(Invitation.created_at, Invitation.id)
        )
    ]


def open_shifts(
    session: Session,
    *,
    now: datetime,
    until: datetime,
    court_ids: Iterable[int] | None = None,
) -> list[Shift]:
    """Open shifts of scheduled hearings starting in [now, until), eager-loaded, with a free seat."""
    query = (
        _shift_query()
        .join(Shift.hearing)
        .where(needs_people(), Shift.starts_at >= now, Shift.starts_at < until)
        .order_by(Shift.starts_at, Shift.id)
    )
    if court_ids is not None:
        query = query.where(Hearing.court_id.in_(list(court_ids)))
    return list(session.scalars(query).unique())


# A volunteer's recommendations consider at most this many seats (those with a person they
# went with before first, then their preferred courts, then the soonest): the page shows five.
RECOMMENDATION_CANDIDATES = 200


def open_seats_for_volunteer(
    session: Session,
    *,
    volunteer: VolunteerFacts,
    now: datetime,
    until: datetime,
    case_keys: Iterable[str] = (),
    limit: int = RECOMMENDATION_CANDIDATES,
) -> list[MatchSeat]:
    """Open seats in [now, until) this volunteer might take, narrowed in SQL, as scoring facts.

    Only the roles they offer, interpreter seats in a language they speak, seats inside one
    of their weekly windows (in each court's own zone), with a free place, and not one they
    hold or wait for. The eligibility rules still run on what comes back (blackouts,
    conflicts, weekly caps); this only keeps the rows loaded independent of the network's size.
    Facts, not Shift objects: building up to `limit` objects with their hearings, courts and
    languages cost more than the query at 50,000 hearings, and the page shows five of them
    (the caller loads those).
    """
    if not volunteer.roles or not volunteer.availability:
        return []
    fits = _within_windows(volunteer.availability)
    held = (
        select(Signup.id)
        .where(Signup.shift_id == Shift.id, Signup.user_id == volunteer.user_id, Signup.status.in_(HOLDING))
        .exists()
    )
    candidates = (
        select(Shift.id)
        .join(Shift.hearing)
        .where(
            needs_people(),
            Shift.starts_at >= now,
            Shift.starts_at < until,
            # Implied by the seats' window (a seat starts within two days of its hearing):
            # the hearings come from their starts_at index, not a read of every hearing.
            Hearing.starts_at >= now - SHIFT_FROM_HEARING,
            Hearing.starts_at < until + SHIFT_FROM_HEARING,
            Shift.role.in_(sorted(volunteer.roles)),
            fits,
            ~held,
        )
    )
    if ShiftRole.INTERPRETER in volunteer.roles:
        speaks = (
            select(HearingLanguage.hearing_id)
            .where(
                HearingLanguage.hearing_id == Hearing.id,
                HearingLanguage.language.in_(sorted(volunteer.languages)),
            )
            .exists()
        )
        candidates = candidates.where(or_(Shift.role != ShiftRole.INTERPRETER, speaks))
    keys = sorted(set(case_keys))
    again = Hearing.case_key.in_(keys) if keys else false()
    preferred = (
        Hearing.court_id.in_(sorted(volunteer.preferred_court_ids))
        if volunteer.preferred_court_ids
        else false()
    )
    # The best `limit` seats by (same people first, their courts next, soonest) are among the
    # soonest `limit` of each of the three kinds: each branch walks the shifts(starts_at)
    # index and stops at `limit` rows, so the candidates cost the same in a network of 50,000
    # hearings as in one of 1,000 (no sort of every open seat of the fortnight).
    soonest = (Shift.starts_at, Shift.id)
    branches = [candidates.order_by(*soonest).limit(limit)]
    if keys:
        branches.append(candidates.where(again).order_by(*soonest).limit(limit))
    if volunteer.preferred_court_ids:
        branches.append(candidates.where(preferred).order_by(*soonest).limit(limit))
    chosen = union(*(select(b.subquery().c.id) for b in branches)).subquery()
    rows = session.execute(
        select(*seat_fact_columns(), Hearing.kind, Hearing.case_key)
        .join(Hearing, Hearing.id == Shift.hearing_id)
        .join(Court, Court.id == Hearing.court_id)
        .where(Shift.id.in_(select(chosen.c.id)))
        .order_by(case((again, 0), else_=1), case((preferred, 0), else_=1), *soonest)
        .limit(limit)
    ).all()
    return [
        MatchSeat(facts=seat_facts_of(row), hearing_kind=getattr(row[10], "value", row[10]), case_key=row[11])
        for row in rows
    ]


def _within_windows(windows: Sequence[Window]) -> ColumnElement[bool]:
    """Seats inside one of these weekly windows, by their stored place in their court's local week.

    Exactly ``eligibility.is_available`` to the second (the rules still run on what comes back);
    a seat whose place is not known is let through for the rules to decide.
    """
    spans = []
    for w in windows:
        start, end = window_seconds(w.weekday, w.start, w.end)
        spans.append(and_(Shift.local_week_start >= start, Shift.local_week_end <= end))
    return or_(Shift.local_week_start.is_(None), *spans)
