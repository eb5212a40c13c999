"""The planner's candidate search gives every seat exactly what ranking that seat alone gives.

The search is vectorised (masks, array scores) for speed; ``rank`` over everyone is the slow,
plain reference: same people, same order, same scores and parts, to the last bit.
"""

import random
from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

import bench.matching as synthetic
from scheduler.domain.candidate_search import ClockDeadline, candidates_for_seats
from scheduler.domain.eligibility import Commitment, Rules, SeatFacts, VolunteerFacts, Window, schedule_of
from scheduler.domain.matching import History, MatchSeat, rank
from scheduler.enums import ShiftRole

ZONES = ("America/Chicago", "America/Los_Angeles", "America/New_York", "America/Phoenix")
LANGUAGES = ("es", "en", "mam", "pt")
TRAININGS = ("driver_safety", "court_watch")
KINDS = ("master", "individual", "bond", "other")
CASES = ("", "c1", "c2")
SEAT_IDS = range(100, 106)
instants = st.integers(min_value=0, max_value=14 * 24 * 4).map(
    lambda q: datetime(2027, 3, 1, tzinfo=UTC) + timedelta(minutes=15 * q)
)
# Seats and the seats people hold start in the courts' working hours over one week (13:00-21:45
# UTC is 06:00-17:45 somewhere in them), so that people's windows often cover them, the rules
# have someone to pass, and held seats often clash or sit within the travel buffer.
working_hours = st.tuples(st.integers(2, 8), st.integers(13 * 4, 22 * 4 - 1)).map(
    lambda dq: datetime(2027, 3, 1, tzinfo=UTC) + timedelta(days=dq[0], minutes=15 * dq[1])
)
quarter = st.integers(0, 3).map(lambda q: 15 * q)


def reference(*, seats, volunteers, schedules, histories, now, rules, weights, exclude, keep):
    """``rank`` for each seat over everyone, cut to the seat's ``keep``."""
    found = {}
    for seat in seats:
        sid = seat.facts.shift_id
        matches = rank(
            seat=seat,
            volunteers=volunteers,
            schedules=schedules,
            histories=histories,
            now=now,
            rules=rules,
            weights=weights,
            exclude=exclude.get(sid, frozenset()),
            explain=False,
        ).matches
        found[sid] = matches if sid not in keep else matches[: max(0, keep[sid])]
    return found


@st.composite
def volunteers(draw, user_id, free=False):
    if free:  # offers everything, any day, any time: only the seats held can refuse them
        return VolunteerFacts(
            user_id=user_id,
            approved=True,
            languages=frozenset(LANGUAGES),
            roles=frozenset(ShiftRole),
            has_car=True,
            trainings=frozenset(TRAININGS),
            max_shifts_per_week=draw(st.integers(1, 3)),
            availability=tuple(Window(day, time(0), time(23, 59)) for day in range(7)),
        )
    windows = tuple(
        Window(
            weekday,
            time(draw(st.sampled_from([0, 5, 7, 11])), draw(quarter)),
            time(draw(st.sampled_from([12, 17, 21, 23])), draw(quarter)),
        )
        for weekday in range(7)
        if draw(st.integers(0, 9)) < 7
    )
    return VolunteerFacts(
        user_id=user_id,
        approved=draw(st.integers(0, 9)) > 0,
        languages=frozenset(draw(st.sets(st.sampled_from(LANGUAGES)))),
        roles=frozenset(draw(st.sets(st.sampled_from(list(ShiftRole)), min_size=1))),
        has_car=draw(st.booleans()),
        trainings=frozenset(draw(st.sets(st.sampled_from(TRAININGS)))),
        max_shifts_per_week=draw(st.sampled_from([0, 1, 1, 2, 3])),
        availability=windows,
        blackout_dates=frozenset(draw(st.sets(st.dates(date(2027, 3, 1), date(2027, 3, 16)), max_size=2))),
        preferred_court_ids=frozenset(draw(st.sets(st.integers(10, 12)))),
    )


@st.composite
def seats(draw, shift_id):
    start = draw(working_hours)
    facts = SeatFacts(
        shift_id=shift_id,
        hearing_id=shift_id,
        court_id=draw(st.integers(10, 12)),
        court_tz=draw(st.sampled_from(ZONES)),
        role=draw(st.sampled_from(list(ShiftRole))),
        starts_at=start,
        ends_at=start + timedelta(minutes=15 * draw(st.integers(1, 16))),
        languages=frozenset(draw(st.sets(st.sampled_from(LANGUAGES), max_size=3))),
        cancelled=draw(st.integers(0, 19)) == 0,
        closed=draw(st.integers(0, 19)) == 0,
    )
    return MatchSeat(facts, draw(st.sampled_from(KINDS)), draw(st.sampled_from(CASES)), "R.")


@st.composite
def histories(draw):
    attended = draw(st.integers(0, 12))
    return History(
        seats_last_30_days=draw(st.integers(0, 5)),
        attended=attended,
        no_show=draw(st.integers(0, 3)),
        attended_by_kind=draw(st.dictionaries(st.sampled_from(KINDS), st.integers(0, 8))),
        case_last_seen=draw(st.dictionaries(st.sampled_from(CASES[1:]), st.just(date(2027, 1, 15)))),
    )


@st.composite
def commitments(draw, user_id, near=()):
    """A seat held; with ``near`` (instants), often starting up to four hours either side of one."""
    start = draw(working_hours)
    if near and draw(st.booleans()):
        start = draw(st.sampled_from(near)) + timedelta(minutes=15 * draw(st.integers(-16, 16)))
    return Commitment(
        # Now and then the very seat being planned (its holder is then checked the plain way).
        draw(st.sampled_from([-user_id, *SEAT_IDS])),
        draw(st.integers(10, 12)),
        draw(st.sampled_from(ZONES)),
        start,
        start + timedelta(minutes=15 * draw(st.integers(1, 16))),
    )


@st.composite
def instances(draw, free=False):
    n = draw(st.integers(0, 16))
    people = [draw(volunteers(uid, free)) for uid in draw(st.permutations(range(1, n + 1)))]
    plan_seats = [draw(seats(sid)) for sid in SEAT_IDS[: draw(st.integers(1, len(SEAT_IDS)))]]
    ids = [v.user_id for v in people]
    past = {uid: draw(histories()) for uid in ids if draw(st.booleans())}
    starts = [s.facts.starts_at for s in plan_seats]
    held = {uid: schedule_of(draw(st.lists(commitments(uid, starts), max_size=3))) for uid in ids}
    weights = draw(
        st.none()
        | st.dictionaries(
            st.sampled_from(
                ["continuity", "language", "preferred_court", "fairness", "reliability", "experience"]
            ),
            st.sampled_from([-1, 0, 0, 10, 40, 100]) | st.floats(-1, 150, allow_nan=False),
        )
    )
    sids = [s.facts.shift_id for s in plan_seats]
    exclude = draw(
        st.dictionaries(
            st.sampled_from(sids), st.frozensets(st.sampled_from(ids)) if ids else st.just(frozenset())
        )
    )
    keep = draw(st.dictionaries(st.sampled_from(sids), st.integers(-1, 4)))
    required = draw(
        st.dictionaries(st.sampled_from(list(ShiftRole)), st.frozensets(st.sampled_from(TRAININGS)))
    )
    rules = Rules(
        travel_buffer=timedelta(minutes=draw(st.sampled_from([0, 30, 60, 60, -30]))),
        required_trainings=required,
    )
    return {
        "seats": plan_seats,
        "volunteers": people,
        "schedules": held,
        "histories": past,
        "now": draw(instants.filter(lambda at: at.day < 3)),
        "rules": rules,
        "weights": weights,
        "exclude": exclude,
        "keep": keep,
    }


@settings(max_examples=400, deadline=None)
@given(instances())
def test_the_search_gives_each_seat_what_ranking_it_alone_gives(instance):
    found = candidates_for_seats(**instance)
    assert found == reference(**instance)


@settings(max_examples=300, deadline=None)
@given(instances(free=True))
def test_seats_already_held_refuse_whom_the_rules_refuse(instance):
    """People free in every other way: overlaps, the travel buffer and weekly caps decide."""
    found = candidates_for_seats(**instance)
    assert found == reference(**instance)


def test_a_realistic_instance_gives_the_same_candidates_as_ranking_each_seat():
    rng = random.Random(5)
    people = synthetic.make_volunteers(rng, 300)
    instance = {
        "volunteers": people,
        "histories": synthetic.make_history(rng, people),
        "schedules": synthetic.make_schedules(rng, people),
        "seats": [s for s, _ in synthetic.make_seats(rng, 120)],
        "now": synthetic.NOW,
        "rules": synthetic.RULES,
        "weights": None,
    }
    first = instance["seats"][0].facts.shift_id
    exclude = {first: frozenset({1, 2, 3})}
    for keep in ({}, {s.facts.shift_id: 1 + i % 7 for i, s in enumerate(instance["seats"])}):
        found = candidates_for_seats(**instance, exclude=exclude, keep=keep)
        assert found == reference(**instance, exclude=exclude, keep=keep)
    assert sum(map(len, found.values())) > 100


class AfterChecks:
    """A fake deadline that passes once it has been checked ``n`` times."""

    def __init__(self, n: int) -> None:
        self.left = n

    def passed(self) -> bool:
        self.left -= 1
        return self.left < 0


def test_a_deadline_stops_the_search_between_seats_keeping_the_seats_searched():
    rng = random.Random(8)
    people = synthetic.make_volunteers(rng, 200)
    common = {
        "volunteers": people,
        "histories": synthetic.make_history(rng, people),
        "schedules": synthetic.make_schedules(rng, people),
        "seats": [s for s, _ in synthetic.make_seats(rng, 30)],
        "now": synthetic.NOW,
        "rules": synthetic.RULES,
    }
    everything = candidates_for_seats(**common)
    cut = candidates_for_seats(**common, deadline=AfterChecks(4))
    first = [s.facts.shift_id for s in common["seats"][:4]]
    assert list(cut) == first
    assert cut == {sid: everything[sid] for sid in first}
    assert candidates_for_seats(**common, deadline=AfterChecks(0)) == {}


def test_a_clock_deadline_passes_when_its_clock_reaches_it():
    readings = iter([9.0, 10.0, 11.0])
    deadline = ClockDeadline(10.0, clock=lambda: next(readings))
    assert [deadline.passed(), deadline.passed(), deadline.passed()] == [False, True, True]
