"""Who may take which seat: the rules shared by claiming, assigning and matching.

Plain values in, plain reasons out. Claiming checks the hard rules a volunteer cannot opt out of
(approval, qualification, conflicts, weekly cap, timing); matching adds what a volunteer said
about themselves (the roles they offer, their weekly availability, dates they are away).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from scheduler.domain.timezones import to_local
from scheduler.enums import ShiftRole


class Reason(StrEnum):
    NOT_APPROVED = "not_approved"
    CANCELLED = "cancelled"
    CLOSED = "closed"
    STARTED = "started"
    NO_SHARED_LANGUAGE = "no_shared_language"
    NO_CAR = "no_car"
    MISSING_TRAINING = "missing_training"
    OVERLAP = "overlap"
    TRAVEL_BUFFER = "travel_buffer"
    WEEKLY_CAP = "weekly_cap"
    ROLE_NOT_OFFERED = "role_not_offered"
    UNAVAILABLE = "unavailable"
    BLACKOUT = "blackout"


@dataclass(frozen=True, slots=True)
class Window:
    """A weekly availability window in the court's local wall-clock time (0 = Monday)."""

    weekday: int
    start: time
    end: time


@dataclass(frozen=True, slots=True)
class VolunteerFacts:
    user_id: int
    approved: bool
    languages: frozenset[str] = frozenset()
    roles: frozenset[ShiftRole] = frozenset()
    has_car: bool = False
    trainings: frozenset[str] = frozenset()
    max_shifts_per_week: int = 2
    availability: tuple[Window, ...] = ()
    blackout_dates: frozenset[date] = frozenset()
    preferred_court_ids: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class SeatFacts:
    """One shift (all seats of one role at one hearing)."""

    shift_id: int
    hearing_id: int
    court_id: int
    court_tz: str
    role: ShiftRole
    starts_at: datetime
    ends_at: datetime
    languages: frozenset[str] = frozenset()
    cancelled: bool = False
    closed: bool = False


@dataclass(frozen=True, slots=True)
class Commitment:
    """A seat the volunteer already holds (confirmed)."""

    shift_id: int
    court_id: int
    court_tz: str
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True, slots=True)
class Rules:
    travel_buffer: timedelta = timedelta(minutes=60)
    # Trainings each role needs, e.g. {ShiftRole.DRIVER: frozenset({"driver_safety"})}.
    required_trainings: Mapping[ShiftRole, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Refusal:
    reason: Reason
    # Facts for the message: the languages needed, the conflicting shift, the missing trainings.
    languages: frozenset[str] = frozenset()
    shift_id: int | None = None
    trainings: frozenset[str] = frozenset()
    limit: int | None = None


def claim_refusals(
    *,
    volunteer: VolunteerFacts,
    seat: SeatFacts,
    commitments: Iterable[Commitment],
    now: datetime,
    rules: Rules,
) -> list[Refusal]:
    """Every hard rule this claim breaks; empty when the volunteer may take the seat."""
    refusals = status_refusals(volunteer=volunteer, seat=seat, now=now)
    refusals.extend(qualification_refusals(volunteer=volunteer, seat=seat, rules=rules))
    others = [c for c in commitments if c.shift_id != seat.shift_id]
    refusals.extend(conflict_refusals(seat=seat, commitments=others, rules=rules))
    cap = weekly_cap_refusal(volunteer=volunteer, seat=seat, commitments=others)
    if cap:
        refusals.append(cap)
    return refusals


def match_refusals(
    *,
    volunteer: VolunteerFacts,
    seat: SeatFacts,
    commitments: Iterable[Commitment],
    now: datetime,
    rules: Rules,
) -> list[Refusal]:
    """The claim rules plus what the volunteer told us: roles offered, availability, absences."""
    commitments = list(commitments)
    refusals = claim_refusals(volunteer=volunteer, seat=seat, commitments=commitments, now=now, rules=rules)
    if seat.role not in volunteer.roles:
        refusals.append(Refusal(Reason.ROLE_NOT_OFFERED))
    local_start = to_local(seat.starts_at, seat.court_tz)
    local_end = to_local(seat.ends_at, seat.court_tz)
    if local_start.date() in volunteer.blackout_dates or local_end.date() in volunteer.blackout_dates:
        refusals.append(Refusal(Reason.BLACKOUT))
    elif not is_available(volunteer.availability, local_start, local_end):
        refusals.append(Refusal(Reason.UNAVAILABLE))
    return refusals


def status_refusals(*, volunteer: VolunteerFacts, seat: SeatFacts, now: datetime) -> list[Refusal]:
    """The rules about the person's and the seat's state, before any qualification or conflict."""
    refusals: list[Refusal] = []
    if not volunteer.approved:
        refusals.append(Refusal(Reason.NOT_APPROVED))
    if seat.cancelled:
        refusals.append(Refusal(Reason.CANCELLED))
    elif seat.closed:
        refusals.append(Refusal(Reason.CLOSED))
    if now >= seat.starts_at:
        refusals.append(Refusal(Reason.STARTED))
    return refusals


def qualification_refusals(*, volunteer: VolunteerFacts, seat: SeatFacts, rules: Rules) -> list[Refusal]:
    refusals: list[Refusal] = []
    if seat.role == ShiftRole.INTERPRETER and not (volunteer.languages & seat.languages):
        refusals.append(Refusal(Reason.NO_SHARED_LANGUAGE, languages=seat.languages))
    if seat.role == ShiftRole.DRIVER and not volunteer.has_car:
        refusals.append(Refusal(Reason.NO_CAR))
    missing = frozenset(rules.required_trainings.get(seat.role, frozenset())) - volunteer.trainings
    if missing:
        refusals.append(Refusal(Reason.MISSING_TRAINING, trainings=missing))
    return refusals


def conflict_refusals(*, seat: SeatFacts, commitments: Iterable[Commitment], rules: Rules) -> list[Refusal]:
    """Overlaps with other seats; at another court the travel buffer must fit in between."""
    refusals: list[Refusal] = []
    for other in commitments:
        if other.starts_at < seat.ends_at and seat.starts_at < other.ends_at:
            refusals.append(Refusal(Reason.OVERLAP, shift_id=other.shift_id))
        elif other.court_id != seat.court_id and (
            other.starts_at - rules.travel_buffer < seat.ends_at
            and seat.starts_at < other.ends_at + rules.travel_buffer
        ):
            refusals.append(Refusal(Reason.TRAVEL_BUFFER, shift_id=other.shift_id))
    return refusals


def week_of(instant: datetime, tz_name: str) -> tuple[int, int]:
    """The ISO (year, week) of an instant's local date at its court."""
    iso = to_local(instant, tz_name).isocalendar()
    return iso.year, iso.week


def weekly_cap_refusal(
    *, volunteer: VolunteerFacts, seat: SeatFacts, commitments: Iterable[Commitment]
) -> Refusal | None:
    week = week_of(seat.starts_at, seat.court_tz)
    held = sum(1 for c in commitments if week_of(c.starts_at, c.court_tz) == week)
    if held >= volunteer.max_shifts_per_week:
        return Refusal(Reason.WEEKLY_CAP, limit=volunteer.max_shifts_per_week)
    return None


def is_available(windows: Iterable[Window], local_start: datetime, local_end: datetime) -> bool:
    """Whether one weekly window covers the whole seat (which must start and end the same day)."""
    if local_start.date() != local_end.date():
        return False
    weekday = local_start.weekday()
    return any(
        w.weekday == weekday and w.start <= local_start.time() and local_end.time() <= w.end for w in windows
    )


# --- Many volunteers against one seat, fast ----------------------------------------------
# Ranking thousands of people for a seat repeats the same work per person: the seat's local
# time and week, and a scan of each person's commitments. The prepared forms below do that
# work once (per seat, per person) and then apply the very rules above to what is left, so
# ``prepared_match_refusals`` answers exactly what ``match_refusals`` does (a test checks it).


@dataclass(frozen=True, slots=True)
class PreparedSeat:
    seat: SeatFacts
    local_start: datetime
    local_end: datetime
    week: tuple[int, int]


def prepare_seat(seat: SeatFacts) -> PreparedSeat:
    local_start = to_local(seat.starts_at, seat.court_tz)
    iso = local_start.isocalendar()
    return PreparedSeat(seat, local_start, to_local(seat.ends_at, seat.court_tz), (iso.year, iso.week))


@dataclass(frozen=True, slots=True)
class Schedule:
    """A person's confirmed seats sorted by start, with how many fall in each local week."""

    commitments: tuple[Commitment, ...] = ()
    starts: tuple[datetime, ...] = ()
    longest: timedelta = timedelta(0)
    per_week: Mapping[tuple[int, int], int] = field(default_factory=dict)
    shift_ids: frozenset[int] = frozenset()


EMPTY_SCHEDULE = Schedule()


def schedule_of(commitments: Iterable[Commitment]) -> Schedule:
    ordered = tuple(sorted(commitments, key=lambda c: (c.starts_at, c.shift_id)))
    if not ordered:
        return EMPTY_SCHEDULE
    per_week: dict[tuple[int, int], int] = {}
    for c in ordered:
        week = week_of(c.starts_at, c.court_tz)
        per_week[week] = per_week.get(week, 0) + 1
    return Schedule(
        commitments=ordered,
        starts=tuple(c.starts_at for c in ordered),
        longest=max(c.ends_at - c.starts_at for c in ordered),
        per_week=per_week,
        shift_ids=frozenset(c.shift_id for c in ordered),
    )


def nearby(
    schedule: Schedule, *, starts_at: datetime, ends_at: datetime, margin: timedelta
) -> list[Commitment]:
    """The commitments that could overlap [starts_at, ends_at) widened by ``margin`` each side."""
    if not schedule.commitments:
        return []
    lo = bisect_left(schedule.starts, starts_at - margin - schedule.longest)
    hi = bisect_left(schedule.starts, ends_at + margin)
    return [c for c in schedule.commitments[lo:hi] if c.ends_at + margin > starts_at]


def prepared_match_refusals(
    *,
    volunteer: VolunteerFacts,
    seat: PreparedSeat,
    schedule: Schedule,
    now: datetime,
    rules: Rules,
) -> list[Refusal]:
    """``match_refusals`` for a prepared seat and schedule, in the same order."""
    facts = seat.seat
    if facts.shift_id in schedule.shift_ids:
        # Holding this very seat changes the counts; rare, so take the plain path.
        return match_refusals(
            volunteer=volunteer, seat=facts, commitments=schedule.commitments, now=now, rules=rules
        )
    refusals = status_refusals(volunteer=volunteer, seat=facts, now=now)
    refusals.extend(qualification_refusals(volunteer=volunteer, seat=facts, rules=rules))
    if schedule.commitments:
        close = nearby(schedule, starts_at=facts.starts_at, ends_at=facts.ends_at, margin=rules.travel_buffer)
        refusals.extend(conflict_refusals(seat=facts, commitments=close, rules=rules))
        if schedule.per_week.get(seat.week, 0) >= volunteer.max_shifts_per_week:
            refusals.append(Refusal(Reason.WEEKLY_CAP, limit=volunteer.max_shifts_per_week))
    elif volunteer.max_shifts_per_week <= 0:
        refusals.append(Refusal(Reason.WEEKLY_CAP, limit=volunteer.max_shifts_per_week))
    if facts.role not in volunteer.roles:
        refusals.append(Refusal(Reason.ROLE_NOT_OFFERED))
    if (
        seat.local_start.date() in volunteer.blackout_dates
        or seat.local_end.date() in volunteer.blackout_dates
    ):
        refusals.append(Refusal(Reason.BLACKOUT))
    elif not is_available(volunteer.availability, seat.local_start, seat.local_end):
        refusals.append(Refusal(Reason.UNAVAILABLE))
    return refusals


def clash(
    *,
    a_start: datetime,
    a_end: datetime,
    a_court: int,
    b_start: datetime,
    b_end: datetime,
    b_court: int,
    travel_buffer: timedelta,
) -> Reason | None:
    """Whether one person can hold both seats: the rule of ``conflict_refusals`` for one pair."""
    if b_start < a_end and a_start < b_end:
        return Reason.OVERLAP
    if b_court != a_court and b_start - travel_buffer < a_end and a_start < b_end + travel_buffer:
        return Reason.TRAVEL_BUFFER
    return None
