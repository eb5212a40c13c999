"""Fill the gaps: load the open seats of a coordinator's courts and ask the planner for a plan.

Nothing is assigned here. The plan is shown for review; invitations go out only for the lines
the coordinator keeps (``scheduler.matching.invitations.send_plan``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from time import monotonic

from scheduler.courts import scope
from scheduler.domain.candidate_search import SEARCH_SHARE, ClockDeadline, candidates_for_seats
from scheduler.domain.eligibility import week_of
from scheduler.domain.matching import NO_HISTORY, Label, explain, max_score
from scheduler.domain.planner import PlanResult, PlanSeat, build_problem, plan, seat_priority
from scheduler.domain.timezones import local_to_utc, zone
from scheduler.errors import PermissionDenied, ServiceError
from scheduler.matching.facts import (
    MatchSettings,
    holders,
    load_facts,
    load_histories,
    load_schedules,
    match_seat,
    open_shifts,
    pending_invitations,
    users_by_id,
)
from scheduler.models import Shift, User
from scheduler.shifts.queries import filled_counts, seats_left

MAX_RANGE = timedelta(days=62)


@dataclass(frozen=True, slots=True)
class PlanLine:
    shift: Shift
    user: User
    labels: tuple[Label, ...]
    score: float


@dataclass(frozen=True, slots=True)
class PlanReview:
    lines: list[PlanLine]
    result: PlanResult
    open_seats: int
    shifts: int
    unfilled: list[tuple[Shift, int]]
    # Shifts the candidate search reached before the time limit (all of them unless partial).
    searched: int

    @property
    def partial(self) -> bool:
        """Whether the time limit stopped the search before every shift had its candidates."""
        return self.searched < self.shifts


def range_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """UTC bounds wide enough for every zone; each shift is then checked in its own court's dates."""
    if end < start:
        raise ServiceError("bad_range", field="end")
    if end - start > MAX_RANGE:
        raise ServiceError("range_too_long", field="end")
    return (
        local_to_utc(start, time(0), "UTC") - timedelta(hours=14),
        local_to_utc(end + timedelta(days=1), time(0), "UTC") + timedelta(hours=12),
    )


def build_plan(
    session,
    *,
    actor: User,
    court_ids: set[int] | None,
    start: date,
    end: date,
    now: datetime,
    settings: MatchSettings,
    clock: Callable[[], float] = monotonic,
) -> PlanReview:
    """A proposed plan for the open seats in [start, end] (court-local dates) at the given courts.

    ``court_ids`` None means all the courts the coordinator may manage. The time limit
    (``settings.plan_time_limit``, on ``clock``) covers the whole: the candidate search stops at
    its share of it, the most pressing seats searched first, and the solve gets what is left;
    the seats not reached are left for later (``PlanReview.partial``).
    """
    started = clock()
    limit = settings.plan_time_limit
    courts = _courts_to_plan(actor, court_ids)
    lo, hi = range_bounds(start, end)
    shifts = [
        s
        for s in open_shifts(session, now=max(now, lo), until=hi, court_ids=courts)
        if start <= s.starts_at.astimezone(_zone(s)).date() <= end
    ]
    priority = {s.id: _priority(s, now) for s in shifts}
    invited = pending_invitations(session, [s.id for s in shifts])
    places = _places_left(session, shifts, invited)
    facts = load_facts(session)
    seats = [match_seat(s, include_ref=True) for s in shifts]
    schedules = load_schedules(session, window=(lo, hi))
    histories = load_histories(session, now=now, case_keys=[m.case_key for m in seats])
    matches = candidates_for_seats(
        # The most pressing seats first: those are the ones searched if time runs short.
        seats=sorted(seats, key=lambda m: (-priority[m.facts.shift_id], m.facts.starts_at, m.facts.shift_id)),
        volunteers=list(facts.values()),
        schedules=schedules,
        histories=histories,
        now=now,
        rules=settings.rules,
        weights=settings.weights,
        exclude=_excluded(session, shifts, invited),
        keep=_keep(settings, places),
        deadline=ClockDeadline(started + SEARCH_SHARE * limit, clock),
    )
    problem = _problem(shifts, matches, places, priority, facts, schedules, settings=settings)
    result = plan(problem, time_limit=max(0.0, limit - (clock() - started)))
    unsearched = [s for s in shifts if s.id not in matches]
    if unsearched:
        result = _partial(result, sum(priority[s.id] * places[s.id] for s in unsearched))
    lines = _lines(
        session, result, shifts=shifts, seats=seats, matches=matches, facts=facts, histories=histories
    )
    return PlanReview(
        lines=lines,
        result=result,
        open_seats=sum(places.values()),
        shifts=len(shifts),
        unfilled=_unfilled(result, shifts, places),
        searched=len(shifts) - len(unsearched),
    )


def _priority(shift: Shift, now: datetime) -> int:
    return seat_priority(role=shift.role, hearing_kind=shift.hearing.kind, starts_at=shift.starts_at, now=now)


def _partial(result: PlanResult, unsearched_weight: int) -> PlanResult:
    """A plan over the seats searched in time, as a plan of them all: not proved the best, and
    its bound widened by every seat left out filled in full (so the gap shown still holds)."""
    method = "time_limit" if result.method == "optimal" else result.method
    bound = None if result.bound is None else result.bound + unsearched_weight
    return replace(result, method=method, bound=bound)


def _courts_to_plan(actor: User, court_ids: set[int] | None) -> set[int] | None:
    """The courts asked for, refused unless the coordinator may manage every one of them."""
    if not actor.is_coordinator:
        raise PermissionDenied()
    allowed = scope.court_ids(actor)
    if court_ids is not None and allowed is not None and not court_ids <= allowed:
        raise PermissionDenied()
    return court_ids if court_ids is not None else allowed


def _places_left(session, shifts: list[Shift], invited) -> dict[int, int]:
    """Open places per shift, less the invitations still pending.

    Invited people are not excluded from the count of open places: an invitation is not a seat,
    but a plan should not invite more people than there are places left.
    """
    filled = filled_counts(session, [s.id for s in shifts])
    pending_per_shift: dict[int, int] = {}
    for _, sid in invited:
        pending_per_shift[sid] = pending_per_shift.get(sid, 0) + 1
    return {
        s.id: seats_left(capacity=s.capacity, filled=filled.get(s.id, 0) + pending_per_shift.get(s.id, 0))
        for s in shifts
    }


def _excluded(session, shifts: list[Shift], invited) -> dict[int, frozenset[int]]:
    """Per shift, the people already holding a place on it or invited to it."""
    held_by = holders(session, [s.id for s in shifts])
    return {
        s.id: frozenset(held_by.get(s.id, frozenset())) | {u for u, sid in invited if sid == s.id}
        for s in shifts
    }


def _keep(settings: MatchSettings, places: dict[int, int]) -> dict[int, int] | None:
    """Only the candidates build_problem keeps: the rules then run for a few people per seat."""
    per_shift = settings.plan_candidates_per_shift
    return {sid: max(per_shift, 3 * n) for sid, n in places.items()} if per_shift else None


def _problem(shifts, matches, places, priority, facts, schedules, *, settings: MatchSettings):
    return build_problem(
        seats=[
            (
                PlanSeat(
                    s.id,
                    places[s.id],
                    priority[s.id],
                    s.hearing.court_id,
                    s.starts_at,
                    s.ends_at,
                    week_of(s.starts_at, s.hearing.court.timezone),
                ),
                [(m.user_id, m.score) for m in matches.get(s.id, ())],
            )
            for s in shifts
        ],
        caps={v.user_id: v.max_shifts_per_week for v in facts.values()},
        held={(uid, week): n for uid, sch in schedules.items() for week, n in sch.per_week.items()},
        travel_buffer=settings.rules.travel_buffer,
        max_score=max_score(settings.weights),
        per_shift=settings.plan_candidates_per_shift,
    )


def _lines(session, result: PlanResult, *, shifts, seats, matches, facts, histories) -> list[PlanLine]:
    """The plan's lines with their people and the reasons each was chosen, in time order."""
    by_id = {s.id: s for s in shifts}
    match_of = {(m.user_id, sid): m for sid, ms in matches.items() for m in ms}
    people = users_by_id(session, [uid for uid, _ in result.lines])
    seat_of = {m.facts.shift_id: m for m in seats}
    lines = [
        PlanLine(
            by_id[sid],
            people[uid],
            explain(volunteer=facts[uid], seat=seat_of[sid], history=histories.get(uid, NO_HISTORY)),
            match_of[(uid, sid)].score,
        )
        for uid, sid in result.lines
    ]
    lines.sort(key=lambda line: (line.shift.starts_at, line.shift.id, -line.score))
    return lines


def _unfilled(result: PlanResult, shifts: list[Shift], places: dict[int, int]) -> list[tuple[Shift, int]]:
    taken: dict[int, int] = {}
    for _, sid in result.lines:
        taken[sid] = taken.get(sid, 0) + 1
    return [(s, places[s.id] - taken.get(s.id, 0)) for s in shifts if places[s.id] > taken.get(s.id, 0)]


def _zone(shift: Shift):
    return zone(shift.hearing.court.timezone)
