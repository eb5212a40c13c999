"""Fill the gaps: a plan that gives open seats to eligible volunteers, never overbooking anyone.

The optimiser is ``scipy.optimize.milp`` (HiGHS). We chose it over OR-Tools CP-SAT because
SciPy ships HiGHS inside a well-kept, pinned PyPI wheel (no extra binary download, no protobuf
version pinning to fight), it is already the standard scientific stack, and the problem is a
plain 0/1 linear programme whose LP relaxation is nearly integral, which is HiGHS's home ground.

The model. One binary x[v, s] per *eligible* (volunteer, shift) pair only (eligibility comes from
the shared rules, computed by the caller), meaning "v takes one seat of shift s":

* per shift: sum_v x[v, s] <= open places (capacity minus confirmed);
* per volunteer, seats that overlap in time form cliques (found by a sweep over starts):
  sum over a clique <= 1; seats at different courts closer than the travel buffer: x_a + x_b <= 1;
* per volunteer and local ISO week: sum <= weekly cap minus seats already held that week.

Objective, lexicographic: first the weighted seats filled (integer priorities: interpreter
seats and individual hearings first, sooner dates first), then the total match score. With
integer priorities and scores normalised to [0, 1], scaling scores by 1 / (places + 1) makes
any gain in weighted fill worth more than every score together.

The constraint graph falls apart into independent parts (a week's seats rarely link to the
next week's), and HiGHS solves several small models far faster than one large one, so each
part is solved alone with its share of the time. A time limit (default 10 s) bounds the whole.
Where HiGHS returns no feasible plan in time for a part, or one worse than greedy there, that
part takes the greedy plan, and the result says so.
"""

from __future__ import annotations

import time as clock
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

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
                if _clash(a, b, problem.travel_buffer):
                    found.append(f"conflict for {user_id}: {a.shift_id} and {b.shift_id}")
        weeks: dict[Week, int] = defaultdict(int)
        for s in taken:
            weeks[s.week] += 1
        for week, n in weeks.items():
            if n > problem.room(user_id, week):
                found.append(f"weekly cap for {user_id} in {week}")
    return found


def _clash(a: PlanSeat, b: PlanSeat, buffer: timedelta) -> bool:
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
            if any(_clash(seat, other, problem.travel_buffer) for other in taken[c.user_id]):
                continue
            taken[c.user_id].append(seat)
            used_week[key] += 1
            lines.append((c.user_id, seat.shift_id))
            left -= 1
    return lines


# --- The optimiser ------------------------------------------------------------------------


@dataclass
class _Model:
    pairs: list[Candidate]
    c: np.ndarray
    rows: list[int]
    cols: list[int]
    upper: list[float]
    lower: list[float]


def _build(problem: PlanProblem, pairs: Sequence[Candidate]) -> _Model:
    seats = {s.shift_id: s for s in problem.seats}
    places = sum(seats[shift_id].places for shift_id in {p.shift_id for p in pairs})
    # Scores weigh less together than one unit of priority: the objective is lexicographic.
    eps = 1.0 / (places + 1)
    c = np.array([-(seats[p.shift_id].priority + eps * min(1.0, max(0.0, p.score))) for p in pairs])
    model = _Model(list(pairs), c, [], [], [], [])
    for idx, bound in _rows(problem, model.pairs):
        r = len(model.upper)
        model.rows.extend([r] * len(idx))
        model.cols.extend(idx)
        model.lower.append(-np.inf)
        model.upper.append(bound)
    return model


def _rows(problem: PlanProblem, pairs: Sequence[Candidate]) -> list[tuple[list[int], int]]:
    """The constraints as (variable indices, upper bound); only rows that can bind."""
    seats = {s.shift_id: s for s in problem.seats}
    rows: list[tuple[list[int], int]] = []
    by_seat: dict[int, list[int]] = defaultdict(list)
    by_user: dict[int, list[int]] = defaultdict(list)
    for i, p in enumerate(pairs):
        by_seat[p.shift_id].append(i)
        by_user[p.user_id].append(i)
    for shift_id, idx in by_seat.items():
        if len(idx) > seats[shift_id].places:
            rows.append((idx, seats[shift_id].places))
    for user_id, idx in by_user.items():
        idx.sort(key=lambda i: (seats[pairs[i].shift_id].starts_at, pairs[i].shift_id))
        ordered = [seats[pairs[i].shift_id] for i in idx]
        for clique in _overlap_cliques(ordered):
            rows.append(([idx[k] for k in clique], 1))
        for a, b in _buffer_pairs(ordered, problem.travel_buffer):
            rows.append(([idx[a], idx[b]], 1))
        weeks: dict[Week, list[int]] = defaultdict(list)
        for i in idx:
            weeks[seats[pairs[i].shift_id].week].append(i)
        for week, members in weeks.items():
            room = problem.room(user_id, week)
            if len(members) > room:
                rows.append((members, room))
    return rows


def _components(problem: PlanProblem, pairs: Sequence[Candidate]) -> list[list[Candidate]]:
    """Groups of pairs no constraint links; each is solved on its own (usually one per week)."""
    parent = list(range(len(pairs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for idx, _ in _rows(problem, pairs):
        root = find(idx[0])
        for j in idx[1:]:
            other = find(j)
            if other != root:
                parent[other] = root
    groups: dict[int, list[Candidate]] = defaultdict(list)
    for i, p in enumerate(pairs):
        groups[find(i)].append(p)
    return sorted(groups.values(), key=len, reverse=True)


def _overlap_cliques(ordered: Sequence[PlanSeat]) -> list[list[int]]:
    """Maximal sets of mutually overlapping seats (intervals sorted by start), size 2 or more."""
    cliques: list[list[int]] = []
    active: list[int] = []
    for k, seat in enumerate(ordered):
        active = [j for j in active if ordered[j].ends_at > seat.starts_at]
        active.append(k)
        nxt = ordered[k + 1] if k + 1 < len(ordered) else None
        # The clique is maximal when the next seat starts after one of these has ended.
        if len(active) > 1 and (nxt is None or any(ordered[j].ends_at <= nxt.starts_at for j in active)):
            cliques.append(list(active))
    return cliques


def _buffer_pairs(ordered: Sequence[PlanSeat], buffer: timedelta) -> list[tuple[int, int]]:
    """Seats that do not overlap but sit at different courts too close for the travel buffer."""
    pairs: list[tuple[int, int]] = []
    if buffer <= timedelta(0):
        return pairs
    longest = max((s.ends_at - s.starts_at for s in ordered), default=timedelta(0))
    for a, sa in enumerate(ordered):
        for b in range(a + 1, len(ordered)):
            sb = ordered[b]
            if sb.starts_at >= sa.ends_at + buffer + longest:
                break
            overlap = sb.starts_at < sa.ends_at and sa.starts_at < sb.ends_at
            if not overlap and _clash(sa, sb, buffer):
                pairs.append((a, b))
    return pairs


def _solve(model: _Model, *, integral: bool, time_limit: float, rel_gap: float) -> object:
    n = len(model.pairs)
    matrix = coo_matrix(
        (np.ones(len(model.rows)), (np.array(model.rows), np.array(model.cols))),
        shape=(len(model.upper), n),
    ).tocsr()
    return milp(
        model.c,
        constraints=LinearConstraint(matrix, np.array(model.lower), np.array(model.upper)),
        integrality=np.ones(n) if integral else np.zeros(n),
        bounds=Bounds(0, 1),
        options={"time_limit": max(0.001, time_limit), "mip_rel_gap": rel_gap, "presolve": True},
    )


def _measure(problem: PlanProblem, lines: Sequence[Line]) -> tuple[int, int, float]:
    seats = {s.shift_id: s for s in problem.seats}
    scores = {(c.user_id, c.shift_id): c.score for c in problem.candidates}
    weighted = sum(seats[s].priority for _, s in lines)
    return len(lines), weighted, sum(scores[line] for line in lines)


def plan(problem: PlanProblem, *, time_limit: float = 10.0, rel_gap: float = 1e-6) -> PlanResult:
    """The best plan HiGHS finds within ``time_limit`` seconds, else the greedy one.

    The problem is split into independent parts (seats no volunteer could link, usually the
    weeks), each solved with a share of the time left in proportion to its size.
    """
    started = clock.perf_counter()
    base = greedy(problem)
    g_count, g_weighted, _ = _measure(problem, base)

    def result(lines: Sequence[Line], method: str, message: str = "") -> PlanResult:
        count, weighted, score = _measure(problem, lines)
        return PlanResult(
            lines=tuple(sorted(lines, key=lambda line: (line[1], line[0]))),
            method=method,
            seats_filled=count,
            weighted_fill=weighted,
            score=score,
            greedy_seats=g_count,
            greedy_weighted=g_weighted,
            seconds=clock.perf_counter() - started,
            message=message,
        )

    seats = {s.shift_id: s for s in problem.seats}
    pairs = [c for c in problem.candidates if c.shift_id in seats and seats[c.shift_id].places > 0]
    if not pairs:
        return result([], "optimal")
    parts = _components(problem, pairs)
    left_pairs = len(pairs)
    lines: list[Line] = []
    methods: set[str] = set()
    for part in parts:
        part_keys = {(p.user_id, p.shift_id) for p in part}
        part_greedy = [line for line in base if line in part_keys]
        remaining = time_limit - (clock.perf_counter() - started)
        share = remaining * len(part) / left_pairs
        left_pairs -= len(part)
        chosen, method = _solve_part(problem, part, part_greedy, share, rel_gap)
        lines.extend(chosen)
        methods.add(method)
    if violations(problem, lines):  # numerical trouble: never hand out a broken plan
        return result(base, "greedy", "solver plan failed the checks")
    for method in ("greedy", "time_limit"):
        if method in methods:
            return result(lines, method)
    return result(lines, "optimal")


def _solve_part(
    problem: PlanProblem,
    part: Sequence[Candidate],
    part_greedy: Sequence[Line],
    seconds: float,
    rel_gap: float,
) -> tuple[list[Line], str]:
    if len(part) == 1 or seconds <= 0:
        return (list(part_greedy), "optimal" if len(part) == 1 else "greedy")
    model = _build(problem, part)
    res = _solve(model, integral=True, time_limit=seconds, rel_gap=rel_gap)
    x = getattr(res, "x", None)
    if x is None:
        return list(part_greedy), "greedy"
    chosen = [(p.user_id, p.shift_id) for p, value in zip(model.pairs, x) if value > 0.5]
    if _measure(problem, chosen)[1:] < _measure(problem, part_greedy)[1:]:
        return list(part_greedy), "greedy"
    return chosen, "optimal" if getattr(res, "status", 1) == 0 else "time_limit"


def lp_bound(problem: PlanProblem, *, time_limit: float = 60.0) -> float | None:
    """The LP relaxation's bound on weighted seats filled (for reporting the plan's gap)."""
    seats = {s.shift_id: s for s in problem.seats}
    model = _build(
        problem, [c for c in problem.candidates if c.shift_id in seats and seats[c.shift_id].places > 0]
    )
    if not model.pairs:
        return 0.0
    model.c = np.array([-float(seats[p.shift_id].priority) for p in model.pairs])
    res = _solve(model, integral=False, time_limit=time_limit, rel_gap=0.0)
    fun = getattr(res, "fun", None)
    return None if fun is None else -float(fun)


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
