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

The gap. Each part's solve proves a bound (HiGHS's dual bound; the optimum itself when the part
is solved to optimality); their sum bounds the whole plan's weighted fill, and ``PlanResult.gap``
says how far the plan may be from the best, so a plan stopped by the time limit tells the
coordinator how good it is. A part with no bound (no time left for it) leaves the bound unknown.

No warm start: ``scipy.optimize.milp`` (SciPy 1.17) takes no starting solution (HiGHS's
``setSolution`` is not exposed), so the greedy plan cannot seed the search. Greedy is the floor
instead: a part whose solver plan is worse than greedy's, or missing, takes greedy's lines.
"""

from __future__ import annotations

import math
import time as clock
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

from scheduler.domain.plan_model import (
    Candidate,
    Line,
    PlanProblem,
    PlanResult,
    PlanSeat,
    Week,
    build_problem,
    greedy,
    seat_priority,
    seats_clash,
    violations,
)

__all__ = [
    "Candidate",
    "PlanProblem",
    "PlanResult",
    "PlanSeat",
    "build_problem",
    "greedy",
    "lp_bound",
    "plan",
    "seat_priority",
    "violations",
]


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
            if not overlap and seats_clash(sa, sb, buffer):
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
        integrality=np.ones(n, dtype=np.uint8) if integral else np.zeros(n, dtype=np.uint8),
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

    def result(
        lines: Sequence[Line], method: str, message: str = "", bound: float | None = None
    ) -> PlanResult:
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
            bound=None if bound is None else max(float(weighted), bound),
        )

    seats = {s.shift_id: s for s in problem.seats}
    pairs = [c for c in problem.candidates if c.shift_id in seats and seats[c.shift_id].places > 0]
    if not pairs:
        return result([], "optimal", bound=0.0)
    parts = _components(problem, pairs)
    left_pairs = len(pairs)
    lines: list[Line] = []
    methods: set[str] = set()
    bound: float | None = 0.0
    for part in parts:
        part_keys = {(p.user_id, p.shift_id) for p in part}
        part_greedy = [line for line in base if line in part_keys]
        remaining = time_limit - (clock.perf_counter() - started)
        share = remaining * len(part) / left_pairs
        left_pairs -= len(part)
        chosen, method, part_bound = _solve_part(problem, part, part_greedy, share, rel_gap)
        lines.extend(chosen)
        methods.add(method)
        bound = None if bound is None or part_bound is None else bound + part_bound
    if violations(problem, lines):  # numerical trouble: never hand out a broken plan
        return result(base, "greedy", "solver plan failed the checks", bound=bound)
    for method in ("greedy", "time_limit"):
        if method in methods:
            return result(lines, method, bound=bound)
    return result(lines, "optimal", bound=bound)


def _solve_part(
    problem: PlanProblem,
    part: Sequence[Candidate],
    part_greedy: Sequence[Line],
    seconds: float,
    rel_gap: float,
) -> tuple[list[Line], str, float | None]:
    """The part's lines, how they were found, and the bound proved on its weighted fill."""
    if len(part) == 1:
        # One pair: greedy takes it whenever it can be taken, which is the optimum.
        return list(part_greedy), "optimal", float(_measure(problem, part_greedy)[1])
    if seconds <= 0:
        return list(part_greedy), "greedy", None
    started = clock.perf_counter()
    model = _build(problem, part)
    # The LP relaxation first: for these assignment-like parts it is often integral, and an
    # integral LP optimum is the optimum, found without branching (and with its bound).
    lp_lines, lp_value = _relaxed(problem, model, part_greedy, seconds, rel_gap)
    if lp_lines is not None:
        return lp_lines, "optimal", lp_value
    left = seconds - (clock.perf_counter() - started)
    if left <= 0:
        return list(part_greedy), "greedy", lp_value
    return _integral(problem, model, part_greedy, left, rel_gap, lp_value)


def _chosen(model: _Model, x: Any) -> list[Line]:
    return [(p.user_id, p.shift_id) for p, value in zip(model.pairs, x) if value > 0.5]


def _relaxed(
    problem: PlanProblem, model: _Model, part_greedy: Sequence[Line], seconds: float, rel_gap: float
) -> tuple[list[Line] | None, float | None]:
    """The LP optimum's lines when it is integral, valid and no worse than greedy; and its bound."""
    relaxed = _solve(model, integral=False, time_limit=seconds, rel_gap=rel_gap)
    lp_x, lp_fun = getattr(relaxed, "x", None), getattr(relaxed, "fun", None)
    if getattr(relaxed, "status", 1) != 0 or lp_x is None or lp_fun is None:
        return None, None
    lp_value = float(math.floor(-float(lp_fun) + 1e-6))
    if not np.all(np.abs(lp_x - np.round(lp_x)) < 1e-7):
        return None, lp_value
    chosen = _chosen(model, lp_x)
    better = _measure(problem, chosen)[1:] >= _measure(problem, part_greedy)[1:]
    if better and not violations(problem, chosen):
        return chosen, lp_value
    return None, lp_value


def _integral(
    problem: PlanProblem,
    model: _Model,
    part_greedy: Sequence[Line],
    seconds: float,
    rel_gap: float,
    lp_value: float | None,
) -> tuple[list[Line], str, float | None]:
    """Branch and bound within ``seconds``; greedy's lines when the solver does no better."""
    res = _solve(model, integral=True, time_limit=seconds, rel_gap=rel_gap)
    # The solver minimises -(priority + eps * score); minus its dual bound bounds the weighted
    # fill from above (the scores only add to it).
    dual = getattr(res, "mip_dual_bound", None)
    # Seat priorities are integers, so the weighted fill is too: round the bound down.
    bound = float(math.floor(-float(dual) + 1e-6)) if dual is not None and np.isfinite(dual) else None
    if bound is None or (lp_value is not None and lp_value < bound):
        bound = lp_value  # the LP relaxation's optimum bounds the part too
    x = getattr(res, "x", None)
    if x is None:
        return list(part_greedy), "greedy", bound
    chosen = _chosen(model, x)
    if _measure(problem, chosen)[1:] < _measure(problem, part_greedy)[1:]:
        return list(part_greedy), "greedy", bound
    return chosen, "optimal" if getattr(res, "status", 1) == 0 else "time_limit", bound


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
