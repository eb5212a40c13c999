"""The planning problem in plain values, how to check a plan, and the greedy baseline.

``scheduler.domain.planner`` optimises over these; tests and the bench check any plan with
``violations`` and compare it with ``greedy``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from scheduler.domain.eligibility import clash
from scheduler.enums import HearingKind, ShiftRole

Week = tuple[int, int]
Line = tuple[int, int]  # (user_id, shift_id)

# Seat priorities: integers, so the lexicographic objective stays exact.
BASE_PRIORITY = 100
INTERPRETER_BONUS = 40
INDIVIDUAL_BONUS = 20
URGENCY_DAYS = 28


def seat_priority(
    *, role: ShiftRole | str, hearing_kind: HearingKind | str, starts_at: datetime, now: datetime
) -> int:
    """How much filling one seat of this shift is worth: interpreters, merits hearings, soon."""
    priority = BASE_PRIORITY
    if role == ShiftRole.INTERPRETER:
        priority += INTERPRETER_BONUS
    if hearing_kind == HearingKind.INDIVIDUAL:
        priority += INDIVIDUAL_BONUS
    days = max(0, (starts_at - now).days)
    return priority + max(0, URGENCY_DAYS - days)


@dataclass(frozen=True, slots=True)
class PlanSeat:
    shift_id: int
    places: int
    priority: int
    court_id: int
    starts_at: datetime
    ends_at: datetime
    week: Week


@dataclass(frozen=True, slots=True)
class Candidate:
    user_id: int
    shift_id: int
    # The match score scaled to [0, 1].
    score: float


@dataclass(frozen=True, slots=True)
class PlanProblem:
    seats: Sequence[PlanSeat]
    candidates: Sequence[Candidate]
    # Weekly cap per volunteer, and seats they already hold per (volunteer, week).
    caps: Mapping[int, int]
    held: Mapping[tuple[int, Week], int] = field(default_factory=dict)
    travel_buffer: timedelta = timedelta(minutes=60)

    def room(self, user_id: int, week: Week) -> int:
        return max(0, self.caps.get(user_id, 0) - self.held.get((user_id, week), 0))


@dataclass(frozen=True, slots=True)
class PlanResult:
    lines: tuple[Line, ...]
    # "optimal", "time_limit" (best plan HiGHS found in time) or "greedy" (the fallback).
    method: str
    seats_filled: int
    weighted_fill: int
    score: float
    greedy_seats: int
    greedy_weighted: int
    seconds: float
    message: str = ""
    # An upper bound on weighted_fill that the solver proved (None: not proved in time). It is
    # weighted_fill itself when the plan is optimal.
    bound: float | None = None
    # Models solved: the independent parts the problem fell into, the small ones together.
    parts: int = 0

    @property
    def gap(self) -> float | None:
        """The relative gap proved: how far, at most, the plan's weighted fill is from the best."""
        if self.bound is None:
            return None
        if self.bound <= 0:
            return 0.0
        return max(0.0, (self.bound - self.weighted_fill) / self.bound)


# --- Checking a plan ----------------------------------------------------------------------


def violations(problem: PlanProblem, lines: Iterable[Line]) -> list[str]:
    """Every rule a plan breaks (empty for a valid plan). Used by tests and as a last guard."""
    seats = {s.shift_id: s for s in problem.seats}
    allowed = {(c.user_id, c.shift_id) for c in problem.candidates}
    found: list[str] = []
    per_seat: dict[int, int] = defaultdict(int)
    per_user: dict[int, list[PlanSeat]] = defaultdict(list)
    seen: set[Line] = set()
    for line in lines:
        user_id, shift_id = line
        if line in seen:
            found.append(f"duplicate {line}")
            continue
        seen.add(line)
        if line not in allowed or shift_id not in seats:
            found.append(f"not eligible {line}")
            continue
        per_seat[shift_id] += 1
        per_user[user_id].append(seats[shift_id])
    for shift_id, n in per_seat.items():
        if n > seats[shift_id].places:
            found.append(f"overfilled shift {shift_id}")
    for user_id, taken in per_user.items():
        taken.sort(key=lambda s: s.starts_at)
        for i, a in enumerate(taken):
            for b in taken[i + 1 :]:
                if seats_clash(a, b, problem.travel_buffer):
                    found.append(f"conflict for {user_id}: {a.shift_id} and {b.shift_id}")
        weeks: dict[Week, int] = defaultdict(int)
        for s in taken:
            weeks[s.week] += 1
        for week, n in weeks.items():
            if n > problem.room(user_id, week):
                found.append(f"weekly cap for {user_id} in {week}")
    return found


def seats_clash(a: PlanSeat, b: PlanSeat, buffer: timedelta) -> bool:
    return (
        clash(
            a_start=a.starts_at,
            a_end=a.ends_at,
            a_court=a.court_id,
            b_start=b.starts_at,
            b_end=b.ends_at,
            b_court=b.court_id,
            travel_buffer=buffer,
        )
        is not None
    )


# --- The greedy baseline ------------------------------------------------------------------


def greedy(problem: PlanProblem) -> list[Line]:
    """Seats by priority (then date), each given to its best-scoring volunteer still free."""
    by_seat: dict[int, list[Candidate]] = defaultdict(list)
    for c in problem.candidates:
        by_seat[c.shift_id].append(c)
    taken: dict[int, list[PlanSeat]] = defaultdict(list)
    used_week: dict[tuple[int, Week], int] = defaultdict(int)
    lines: list[Line] = []
    for seat in sorted(problem.seats, key=lambda s: (-s.priority, s.starts_at, s.shift_id)):
        left = seat.places
        for c in sorted(by_seat.get(seat.shift_id, ()), key=lambda c: (-c.score, c.user_id)):
            if left <= 0:
                break
            key = (c.user_id, seat.week)
            if used_week[key] >= problem.room(c.user_id, seat.week):
                continue
            if any(seats_clash(seat, other, problem.travel_buffer) for other in taken[c.user_id]):
                continue
            taken[c.user_id].append(seat)
            used_week[key] += 1
            lines.append((c.user_id, seat.shift_id))
            left -= 1
    return lines


def build_problem(
    *,
    seats: Sequence[tuple[PlanSeat, Sequence[tuple[int, float]]]],
    caps: Mapping[int, int],
    held: Mapping[tuple[int, Week], int],
    travel_buffer: timedelta,
    max_score: float,
    per_shift: int | None = None,
) -> PlanProblem:
    """A problem from seats and their (user_id, raw score) candidates, best first.

    Scores are scaled to [0, 1]. ``per_shift`` keeps only each shift's best candidates (at
    least three per open place): hundreds of people can fit a seat, and the optimiser gains
    nothing from the long tail but time.
    """
    top = max_score or 1.0

    def kept(seat: PlanSeat, matches: Sequence[tuple[int, float]]) -> Sequence[tuple[int, float]]:
        if per_shift is None:
            return matches
        return matches[: max(per_shift, 3 * seat.places)]

    return PlanProblem(
        seats=tuple(seat for seat, _ in seats),
        candidates=tuple(
            Candidate(user_id, seat.shift_id, max(0.0, min(1.0, score / top)))
            for seat, matches in seats
            for user_id, score in kept(seat, matches)
        ),
        caps=caps,
        held=held,
        travel_buffer=travel_buffer,
    )
