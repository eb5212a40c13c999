"""Fill the gaps: plans never overbook anyone, and beat greedy where greedy falls short."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.domain.plan_matrix import build_model, parts
from scheduler.domain.planner import (
    Candidate,
    PlanProblem,
    PlanSeat,
    greedy,
    lp_bound,
    plan,
    seat_priority,
    violations,
)
from scheduler.enums import HearingKind, ShiftRole

NOW = datetime(2027, 3, 1, 6, 0, tzinfo=UTC)
T0 = datetime(2027, 3, 3, 14, 0, tzinfo=UTC)
WEEK = (2027, 9)


def s(shift_id, start_h=0.0, hours=2.0, court=1, places=1, priority=100, week=WEEK) -> PlanSeat:
    start = T0 + timedelta(hours=start_h)
    return PlanSeat(shift_id, places, priority, court, start, start + timedelta(hours=hours), week)


def problem(seats, pairs, caps=None, held=None, buffer=60) -> PlanProblem:
    users = {u for u, _, _ in pairs}
    return PlanProblem(
        seats=tuple(seats),
        candidates=tuple(Candidate(u, sid, score) for u, sid, score in pairs),
        caps=caps or dict.fromkeys(users, 5),
        held=held or {},
        travel_buffer=timedelta(minutes=buffer),
    )


def test_priority_puts_interpreters_individual_hearings_and_sooner_dates_first():
    soon = NOW + timedelta(days=1)
    late = NOW + timedelta(days=20)
    p = lambda role, kind, at: seat_priority(role=role, hearing_kind=kind, starts_at=at, now=NOW)  # noqa: E731
    assert p(ShiftRole.INTERPRETER, HearingKind.MASTER, soon) > p(
        ShiftRole.ACCOMPANIER, HearingKind.MASTER, soon
    )
    assert p(ShiftRole.ACCOMPANIER, HearingKind.INDIVIDUAL, soon) > p(
        ShiftRole.ACCOMPANIER, HearingKind.MASTER, soon
    )
    assert p(ShiftRole.ACCOMPANIER, HearingKind.MASTER, soon) > p(
        ShiftRole.ACCOMPANIER, HearingKind.MASTER, late
    )


def test_greedy_gives_the_only_fit_away_and_the_plan_does_not():
    # Ann is the best for seat 1 but the only one who can take seat 2 (same time).
    # Greedy seats Ann on 1 first and leaves 2 empty; the plan puts Ben on 1 and Ann on 2.
    pr = problem([s(1, priority=120), s(2, priority=110, court=2)], [(1, 1, 0.9), (2, 1, 0.2), (1, 2, 0.5)])
    assert sorted(greedy(pr)) == [(1, 1)]
    result = plan(pr)
    assert sorted(result.lines) == [(1, 2), (2, 1)]
    assert result.seats_filled == 2 > result.greedy_seats == 1
    assert result.method == "optimal"


def test_greedy_spends_a_weekly_cap_the_plan_saves():
    # Weekly cap 1: greedy gives Ann the first seat, so nobody can take the interpreter seat
    # only she fits; the plan gives Ben the first seat and Ann the interpreter seat.
    seats = [s(1, priority=130), s(2, start_h=24, priority=125), s(3, start_h=24, priority=100)]
    pairs = [(1, 1, 0.9), (2, 1, 0.1), (1, 2, 0.9), (2, 3, 0.5)]
    pr = problem(seats, pairs, caps={1: 1, 2: 1})
    assert sorted(greedy(pr)) == [(1, 1), (2, 3)]
    result = plan(pr)
    assert sorted(result.lines) == [(1, 2), (2, 1)]
    assert result.weighted_fill == 255 > result.greedy_weighted == 230


def test_travel_buffer_between_courts_is_respected_and_same_court_back_to_back_is_fine():
    seats = [s(1, hours=2, court=1), s(2, start_h=2.5, court=2), s(3, start_h=2, court=1)]
    pr = problem(seats, [(1, 1, 1.0), (1, 2, 1.0), (1, 3, 1.0)])
    lines = set(plan(pr).lines)
    assert (1, 1) in lines and (1, 3) in lines and (1, 2) not in lines


def test_filling_a_higher_priority_seat_beats_a_better_score():
    pr = problem([s(1, priority=140), s(2, priority=100)], [(1, 1, 0.0), (1, 2, 1.0)])
    assert plan(pr).lines == ((1, 1),)


def test_among_equal_fills_the_better_score_wins():
    pr = problem([s(1, places=1)], [(1, 1, 0.3), (2, 1, 0.8)])
    assert plan(pr).lines == ((2, 1),)


def test_held_seats_use_up_the_weekly_cap():
    pr = problem([s(1), s(2, start_h=30)], [(1, 1, 1.0), (1, 2, 1.0)], caps={1: 2}, held={(1, WEEK): 1})
    assert plan(pr).seats_filled == 1


def test_no_time_means_the_greedy_fallback_and_a_valid_plan():
    pr = problem([s(1, priority=120), s(2, priority=110, court=2)], [(1, 1, 0.9), (2, 1, 0.2), (1, 2, 0.5)])
    result = plan(pr, time_limit=0)
    assert result.method == "greedy"
    assert sorted(result.lines) == sorted(greedy(pr))
    assert violations(pr, result.lines) == []


def test_a_tiny_time_limit_still_returns_a_valid_plan():
    seats = [s(i, start_h=(i % 7) * 1.5, court=1 + i % 3, places=1 + i % 2) for i in range(40)]
    pairs = [(u, i, ((u * 7 + i) % 10) / 10) for u in range(30) for i in range(40) if (u + i) % 3]
    pr = problem(seats, pairs, caps={u: 1 + u % 3 for u in range(30)})
    result = plan(pr, time_limit=0.001)
    assert result.method in {"greedy", "time_limit", "optimal"}
    assert violations(pr, result.lines) == []
    assert result.weighted_fill >= result.greedy_weighted


def test_lp_bound_is_an_upper_bound():
    pr = problem([s(1, priority=120), s(2, priority=110, court=2)], [(1, 1, 0.9), (2, 1, 0.2), (1, 2, 0.5)])
    assert lp_bound(pr) == pytest.approx(230)
    assert plan(pr).weighted_fill <= lp_bound(pr) + 1e-6


def test_violations_catches_each_broken_rule():
    pr = problem([s(1), s(2, start_h=1, court=2)], [(1, 1, 1.0), (1, 2, 1.0), (2, 1, 1.0)], caps={1: 5, 2: 5})
    assert violations(pr, [(1, 1), (2, 1)]) == ["overfilled shift 1"]
    assert violations(pr, [(1, 1), (1, 2)]) == ["conflict for 1: 1 and 2"]
    assert violations(pr, [(3, 1)]) == ["not eligible (3, 1)"]
    capped = problem([s(1), s(2, start_h=30)], [(1, 1, 1.0), (1, 2, 1.0)], caps={1: 1})
    assert violations(capped, [(1, 1), (1, 2)]) == [f"weekly cap for 1 in {WEEK}"]


@st.composite
def instances(draw):
    n_seats = draw(st.integers(1, 12))
    n_users = draw(st.integers(1, 8))
    seats = [
        s(
            i,
            start_h=draw(st.integers(0, 20)) * 0.5,
            hours=draw(st.sampled_from([1.0, 2.0, 3.5])),
            court=draw(st.integers(1, 3)),
            places=draw(st.integers(0, 3)),
            priority=draw(st.integers(100, 190)),
            week=draw(st.sampled_from([WEEK, (2027, 10)])),
        )
        for i in range(n_seats)
    ]
    pairs = [
        (u, i, draw(st.floats(0, 1))) for u in range(n_users) for i in range(n_seats) if draw(st.booleans())
    ]
    caps = {u: draw(st.integers(0, 4)) for u in range(n_users)}
    held = {(u, WEEK): draw(st.integers(0, 2)) for u in range(n_users)}
    return problem(seats, pairs, caps=caps, held=held, buffer=draw(st.sampled_from([0, 30, 60])))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_no_plan_breaks_a_rule(pr):
    result = plan(pr, time_limit=5)
    assert violations(pr, result.lines) == []
    assert violations(pr, greedy(pr)) == []
    assert result.weighted_fill >= result.greedy_weighted
    bound = lp_bound(pr)
    assert bound is not None and result.weighted_fill <= bound + 1e-6


@st.composite
def plans_to_check(draw):
    pr = draw(instances())
    keep = draw(st.lists(st.booleans(), min_size=len(pr.candidates), max_size=len(pr.candidates)))
    return pr, [(c.user_id, c.shift_id) for c, kept in zip(pr.candidates, keep, strict=True) if kept]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans_to_check())
def test_the_model_rows_say_exactly_what_the_rules_say(case):
    """Any set of candidate lines meets every row of the sparse model iff it breaks no rule."""
    pr, lines = case
    model = build_model(pr, pr.candidates)
    x = model.column_of(lines).astype(float)
    assert bool((model.matrix @ x <= model.upper + 1e-9).all()) == (violations(pr, lines) == [])


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_parts_split_no_row_and_solve_to_the_same_plan_value(pr):
    model = build_model(pr, [c for c in pr.candidates if c.shift_id in {x.shift_id for x in pr.seats}])
    found = parts(model)
    cols = np.concatenate([c for c, _ in found]) if found else np.zeros(0, int)
    assert sorted(cols.tolist()) == list(range(model.size))
    part_of = np.empty(model.size, dtype=int)
    for k, (c, rows) in enumerate(found):
        part_of[c] = k
        # Every row of the part touches only the part's columns.
        assert set(model.matrix[rows].nonzero()[1].tolist()) <= set(c.tolist())
    assert sum(len(rows) for _, rows in found) == model.matrix.shape[0]
    apart = plan(pr, time_limit=30, rel_gap=0)
    whole = plan(pr, time_limit=30, rel_gap=0, split=False)
    assert apart.weighted_fill == whole.weighted_fill
    assert apart.score == pytest.approx(whole.score, abs=1e-6)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(), st.sampled_from([0.0, 1e-9, 1e-4, 1e-3]))
def test_a_plan_stopped_at_once_is_valid_and_no_worse_than_greedy(pr, limit):
    result = plan(pr, time_limit=limit)
    assert violations(pr, result.lines) == []
    assert result.weighted_fill >= result.greedy_weighted
    bound = lp_bound(pr)
    assert result.bound is not None and bound is not None
    # The bound the plan reports holds for every plan, the best one included.
    assert result.bound + 1e-6 >= plan(pr, time_limit=30, rel_gap=0).weighted_fill
