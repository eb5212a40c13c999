"""Who may take which seat: the rules shared by claiming, assigning and matching.

Plain values in, plain reasons out. Claiming checks the hard rules a volunteer cannot opt out of
(approval, qualification, conflicts, weekly cap, timing); matching adds what a volunteer said
about themselves (the roles they offer, their weekly availability, dates they are away).
"""

from __future__ import annotations

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
    refusals: list[Refusal] = []
    if not volunteer.approved:
        refusals.append(Refusal(Reason.NOT_APPROVED))
    if seat.cancelled:
        refusals.append(Refusal(Reason.CANCELLED))
    elif seat.closed:
        refusals.append(Refusal(Reason.CLOSED))
    if now >= seat.starts_at:
        refusals.append(Refusal(Reason.STARTED))
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
