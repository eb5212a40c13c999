"""The bench's planning instances where greedy falls short, and the bound the planner proves.

No timing here: each instance is solved with a generous limit, and the assertions are about
plans, never seconds.
"""

import random

import pytest

from bench.plan_instances import INSTANCES, at_scale
from scheduler.domain.candidate_search import candidates_for_seats
from scheduler.domain.eligibility import Rules
from scheduler.domain.planner import greedy, lp_bound, plan, violations


@pytest.mark.parametrize("name", sorted(INSTANCES))
def test_optimiser_beats_greedy_and_stays_under_the_bound(name):
    problem = INSTANCES[name]()
    result = plan(problem, time_limit=120)
    assert violations(problem, result.lines) == []
    assert violations(problem, greedy(problem)) == []
    assert result.weighted_fill >= result.greedy_weighted
    # These instances are built so that greedy spends the only person for one seat on another.
    assert result.seats_filled > result.greedy_seats
    bound = lp_bound(problem)
    assert bound is not None and bound + 1e-6 >= result.weighted_fill
    # The bound the solver proved is a true upper bound, and the gap it implies is honest.
    assert result.bound is not None
    assert result.bound + 1e-6 >= result.weighted_fill
    assert result.gap is not None and result.gap >= 0
    if result.method == "optimal":
        assert result.gap == 0


def test_a_plan_with_no_time_left_is_greedy_and_its_bound_still_holds():
    """No time for the solver: greedy's plan, and the seats' own bound (each seat filled as far
    as its candidates allow), which the optimum never exceeds."""
    problem = INSTANCES[sorted(INSTANCES)[0]]()
    result = plan(problem, time_limit=0)
    assert result.method == "greedy"
    assert result.weighted_fill == result.greedy_weighted
    best = plan(problem, time_limit=120)
    assert result.bound is not None and result.bound >= best.weighted_fill
    assert result.gap is not None and result.gap > 0


@pytest.mark.parametrize("name", sorted(INSTANCES))
@pytest.mark.parametrize("limit", [1e-9, 1e-3, 0.05])
def test_a_near_zero_limit_is_never_worse_than_greedy(name, limit):
    """Greedy's plan is HiGHS's starting solution: however soon the limit stops it, the plan
    is valid, at least greedy's, and its bound is still above the optimum."""
    problem = INSTANCES[name]()
    result = plan(problem, time_limit=limit)
    assert violations(problem, result.lines) == []
    assert result.weighted_fill >= result.greedy_weighted
    best = plan(problem, time_limit=120)
    assert best.method == "optimal"
    assert result.bound is not None and result.bound + 1e-6 >= best.weighted_fill >= result.weighted_fill


@pytest.mark.parametrize("name", sorted(INSTANCES))
def test_parts_solved_apart_give_the_same_objective_as_the_whole(name):
    problem = INSTANCES[name]()
    apart = plan(problem, time_limit=120, rel_gap=0)
    whole = plan(problem, time_limit=120, rel_gap=0, split=False)
    assert apart.method == whole.method == "optimal"
    assert apart.weighted_fill == whole.weighted_fill == apart.bound == whole.bound
    assert apart.score == pytest.approx(whole.score, abs=1e-6)


def test_every_trap_at_scale_beats_greedy_and_its_parts_agree_with_the_whole():
    problem = at_scale()
    apart = plan(problem, time_limit=120, rel_gap=0)
    whole = plan(problem, time_limit=120, rel_gap=0, split=False)
    assert violations(problem, apart.lines) == [] == violations(problem, whole.lines)
    assert apart.method == whole.method == "optimal"
    assert apart.seats_filled > apart.greedy_seats
    assert apart.parts > 1 == whole.parts
    assert apart.weighted_fill == whole.weighted_fill == apart.bound
    assert apart.score == pytest.approx(whole.score, abs=1e-6)
    assert lp_bound(problem) + 1e-6 >= apart.weighted_fill


def test_keeping_the_best_n_candidates_gives_the_same_first_n():
    """Scoring first and checking the rules only until n pass changes nothing in the first n."""
    import bench.matching as synthetic

    rng = random.Random(11)
    people = synthetic.make_volunteers(rng, 400)
    histories = synthetic.make_history(rng, people)
    schedules = synthetic.make_schedules(rng, people)
    seats = [s for s, _ in synthetic.make_seats(rng, 150)]
    common = dict(
        seats=seats,
        volunteers=people,
        schedules=schedules,
        histories=histories,
        now=synthetic.NOW,
        rules=Rules(travel_buffer=synthetic.RULES.travel_buffer),
        exclude={seats[0].facts.shift_id: frozenset({1, 2, 3})},
    )
    everyone = candidates_for_seats(**common)
    keep = {s.facts.shift_id: 1 + i % 7 for i, s in enumerate(seats)}
    best = candidates_for_seats(**common, keep=keep)
    assert any(len(everyone[sid]) > n for sid, n in keep.items())
    for sid, n in keep.items():
        assert best[sid] == everyone[sid][:n]
