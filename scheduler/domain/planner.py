"""Fill the gaps: a plan that gives open seats to eligible volunteers, never overbooking anyone.

The optimiser is HiGHS, called through ``highspy`` (the HiGHS project's own Python binding,
the same solver SciPy bundles). We chose HiGHS over OR-Tools CP-SAT because it comes as one
pinned PyPI wheel (no protobuf to fight) and the problem is a plain 0/1 linear programme whose
LP relaxation is nearly integral, which is HiGHS's home ground. We call highspy rather than
``scipy.optimize.milp`` because milp takes no starting solution: highspy's ``setSolution``
hands HiGHS the greedy plan, so the search starts from it and a run stopped by the time limit
returns at least greedy's plan, with the bound it proved.

The model. One binary x[v, s] per *eligible* (volunteer, shift) pair only (eligibility comes from
the shared rules, computed by the caller), meaning "v takes one seat of shift s":

* per shift: sum_v x[v, s] <= open places (capacity minus confirmed);
* per volunteer, seats that overlap in time form cliques (found by a sweep over starts):
  sum over a clique <= 1; seats at different courts closer than the travel buffer: x_a + x_b <= 1;
* per volunteer and local ISO week: sum <= weekly cap minus seats already held that week.

``scheduler.domain.plan_matrix`` builds it as a sparse matrix with numpy (no Python loop per
pair) and splits it into independent parts (pairs no constraint links: usually the weeks);
the large parts are solved one by one, the small ones together in one model.

Objective, lexicographic: first the weighted seats filled (integer priorities: interpreter
seats and individual hearings first, sooner dates first), then the total match score. With
integer priorities and scores normalised to [0, 1], scaling scores by 1 / (places + 1) makes
any gain in weighted fill worth more than every score together.

Time. A limit (default 10 s, wall clock: under load the solver gets less of it) bounds the
whole; each part gets a share of the time left in proportion to its size, largest first.
A part with no row binding is taken whole; a part solved to optimality gives the optimum; a part
stopped by the limit gives HiGHS's best plan, never worse than greedy's (its starting point);
a part reached with no time left takes greedy's lines.

The gap. Each part proves a bound on its weighted fill: the optimum when solved to optimality,
else HiGHS's dual bound, else (no time to start) every seat's priority times the places its
candidates could fill. Their sum bounds the whole plan, and ``PlanResult.gap`` says how far the
plan may be from the best, so a plan stopped by the time limit tells the coordinator how good
it is.
"""

from __future__ import annotations

import math
import time as clock
from collections.abc import Sequence
from dataclasses import dataclass

import highspy
import numpy as np
import numpy.typing as npt

from scheduler.domain.plan_matrix import Ints, Model, build_model, parts
from scheduler.domain.plan_model import (
    Candidate,
    Line,
    PlanProblem,
    PlanResult,
    PlanSeat,
    build_problem,
    greedy,
    seat_priority,
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

Chosen = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class _Run:
    """What one HiGHS run gave: its plan (None: no feasible one), whether proved optimal, and
    its dual bound on the objective it maximised (None: nothing proved)."""

    chosen: Chosen | None
    optimal: bool
    bound: float | None


@dataclass(frozen=True, slots=True)
class _Part:
    chosen: Chosen
    method: str
    bound: float


def _highs(
    part: Model,
    cost: npt.NDArray[np.float64],
    *,
    integral: bool,
    start: Chosen | None,
    seconds: float,
    rel_gap: float,
) -> _Run:
    """Maximise ``cost @ x`` over the part's rows with x in [0, 1] (0/1 when ``integral``)."""
    # highspy's wrapper class has no annotated __init__.
    h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", False)
    # One thread: the app's workers share the machine's cores, and HiGHS's MIP is serial.
    h.setOptionValue("threads", 1)
    h.setOptionValue("time_limit", max(1e-3, seconds))
    h.setOptionValue("mip_rel_gap", rel_gap)
    n, matrix = part.size, part.matrix
    h.passModel(
        n,
        matrix.shape[0],
        matrix.nnz,
        int(highspy.MatrixFormat.kRowwise),
        int(highspy.ObjSense.kMaximize),
        0.0,
        cost,
        np.zeros(n),
        np.ones(n),
        np.full(matrix.shape[0], -highspy.kHighsInf),
        part.upper,
        matrix.indptr.astype(np.int32),
        matrix.indices.astype(np.int32),
        matrix.data.astype(np.float64),
        np.full(n, 1 if integral else 0, dtype=np.int32),
    )
    if start is not None:
        solution = highspy.HighsSolution()
        solution.col_value = start.astype(np.float64).tolist()
        h.setSolution(solution)
    h.run()
    info = h.getInfo()
    status = h.getModelStatus()
    optimal = status == highspy.HighsModelStatus.kOptimal
    feasible = info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
    x = np.asarray(h.getSolution().col_value) if feasible else None
    bound = info.objective_function_value if optimal and not integral else info.mip_dual_bound
    if not integral and not optimal:
        bound = math.inf
    return _Run(None if x is None else x > 0.5, optimal, bound if math.isfinite(bound) else None)


def _cost(part: Model, *, scores: bool) -> npt.NDArray[np.float64]:
    """Priorities, plus the scores scaled below one unit of priority all together."""
    if not scores:
        return part.priority.copy()
    places = int(np.unique(np.stack([part.shifts, part.places]), axis=1)[1].sum())
    return part.priority + part.score / (places + 1)


def _seat_bound(part: Model) -> float:
    """Every seat filled as far as its candidates allow: a bound needing no solver."""
    shifts, first, counts = np.unique(part.shifts, return_index=True, return_counts=True)
    del shifts
    return float((part.priority[first] * np.minimum(counts, part.places[first])).sum())


def _fill(part: Model, chosen: Chosen) -> int:
    return round(float(part.priority[chosen].sum()))


def _solve_part(part: Model, start: Chosen, seconds: float, rel_gap: float) -> _Part:
    """The part's plan, how it was found, and the bound proved on its weighted fill."""
    trivial = _seat_bound(part)
    if part.matrix.shape[0] == 0:  # no row binds: every pair can be taken
        everything = np.ones(part.size, dtype=np.bool_)
        return _Part(everything, "optimal", float(_fill(part, everything)))
    if seconds <= 0:
        return _Part(start, "greedy", trivial)
    run = _highs(part, _cost(part, scores=True), integral=True, start=start, seconds=seconds, rel_gap=rel_gap)
    # Seat priorities are integers, so the weighted fill is too: round the bound down (the
    # scores add less than one to the objective). "Optimal" is optimal within ``rel_gap``, so
    # the bound is the dual bound, not the plan's own fill.
    bound = trivial if run.bound is None else min(trivial, math.floor(run.bound + 1e-6))
    chosen = run.chosen
    if chosen is None or _value(part, chosen) < _value(part, start):
        return _Part(start, "greedy" if chosen is None else "time_limit", max(bound, _fill(part, start)))
    return _Part(chosen, "optimal" if run.optimal else "time_limit", float(max(bound, _fill(part, chosen))))


def _value(part: Model, chosen: Chosen) -> tuple[int, float]:
    return _fill(part, chosen), float(part.score[chosen].sum())


# Parts smaller than this are solved together, as one model: HiGHS costs a few milliseconds a
# run, and hundreds of two-pair parts (a trap seat and its only candidate) would add up.
SMALL_PART = 500


def _batched(found: list[tuple[Ints, Ints]]) -> list[tuple[Ints, Ints]]:
    """The large parts alone, the small ones together (still independent of the large ones)."""
    large = [p for p in found if len(p[0]) >= SMALL_PART]
    small = [p for p in found if len(p[0]) < SMALL_PART]
    if len(small) > 1:
        small = [(np.concatenate([c for c, _ in small]), np.concatenate([r for _, r in small]))]
    return large + small


def plan(
    problem: PlanProblem, *, time_limit: float = 10.0, rel_gap: float = 1e-6, split: bool = True
) -> PlanResult:
    """The best plan HiGHS finds within ``time_limit`` seconds, starting from the greedy one.

    The problem is split into independent parts (seats no volunteer could link, usually the
    weeks), each solved with a share of the time left in proportion to its size; ``split=False``
    solves it as one model (the tests and the bench compare the two).
    """
    started = clock.perf_counter()
    base = greedy(problem)
    seats = {s.shift_id: s for s in problem.seats}
    pairs = [c for c in problem.candidates if c.shift_id in seats and seats[c.shift_id].places > 0]
    model = build_model(problem, pairs)
    g_start = model.column_of(base)
    whole = [(np.arange(model.size), np.arange(model.matrix.shape[0]))]
    split_into = _batched(parts(model)) if split else whole
    scores = {(c.user_id, c.shift_id): c.score for c in problem.candidates}

    def result(lines: Sequence[Line], method: str, bound: float, message: str = "") -> PlanResult:
        return PlanResult(
            lines=tuple(sorted(lines, key=lambda line: (line[1], line[0]))),
            method=method,
            seats_filled=len(lines),
            weighted_fill=sum(seats[s].priority for _, s in lines),
            score=sum(scores[line] for line in lines),
            greedy_seats=len(base),
            greedy_weighted=sum(seats[s].priority for _, s in base),
            seconds=clock.perf_counter() - started,
            message=message,
            bound=bound,
            parts=len(split_into),
        )

    lines: list[Line] = []
    methods: set[str] = set()
    bound = 0.0
    left_pairs = model.size
    for cols, rows in split_into:
        remaining = time_limit - (clock.perf_counter() - started)
        share = remaining * len(cols) / max(1, left_pairs)
        left_pairs -= len(cols)
        part = model.part(cols, rows)
        solved = _solve_part(part, g_start[cols], share, rel_gap)
        lines.extend(part.lines(solved.chosen))
        methods.add(solved.method)
        bound += solved.bound
    if violations(problem, lines):  # numerical trouble: never hand out a broken plan
        floor = float(_fill(model, g_start))
        return result(base, "greedy", max(bound, floor), "solver plan failed the checks")
    for method in ("greedy", "time_limit"):
        if method in methods:
            return result(lines, method, bound)
    return result(lines, "optimal", bound)


def lp_bound(problem: PlanProblem, *, time_limit: float = 60.0) -> float | None:
    """The LP relaxation's bound on weighted seats filled (for reporting the plan's gap)."""
    seats = {s.shift_id: s for s in problem.seats}
    model = build_model(
        problem, [c for c in problem.candidates if c.shift_id in seats and seats[c.shift_id].places > 0]
    )
    if not model.size:
        return 0.0
    run = _highs(
        model, _cost(model, scores=False), integral=False, start=None, seconds=time_limit, rel_gap=0.0
    )
    return run.bound
