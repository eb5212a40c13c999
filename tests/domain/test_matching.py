"""Scoring and ranking: the order a coordinator sees, and the reasons it shows."""

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.domain.candidate_search import candidates_for_seats
from scheduler.domain.eligibility import (
    Commitment,
    Reason,
    Rules,
    SeatFacts,
    VolunteerFacts,
    Window,
    clash,
    conflict_refusals,
    match_refusals,
    prepare_seat,
    prepared_match_refusals,
    schedule_of,
)
from scheduler.domain.matching import (
    History,
    MatchSeat,
    primary_languages,
    rank,
    ref_initial,
    seats_for,
)
from scheduler.enums import ShiftRole

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
# Wednesday 2027-03-03, 09:15-11:00 in Chicago.
START = datetime(2027, 3, 3, 15, 15, tzinfo=UTC)
END = datetime(2027, 3, 3, 17, 0, tzinfo=UTC)
WEDNESDAY = (Window(2, time(8), time(12)),)


def seat(role=ShiftRole.ACCOMPANIER, languages=("mam", "es"), court_id=10, **kw) -> MatchSeat:
    facts = SeatFacts(
        shift_id=kw.pop("shift_id", 1),
        hearing_id=1,
        court_id=court_id,
        court_tz="America/Chicago",
        role=role,
        starts_at=kw.pop("starts_at", START),
        ends_at=kw.pop("ends_at", END),
        languages=frozenset(languages),
    )
    return MatchSeat(facts, kw.pop("kind", "master"), kw.pop("case_key", "case-1"), kw.pop("ref", "R."))


def person(user_id, languages=("es",), preferred=(), **kw) -> VolunteerFacts:
    return VolunteerFacts(
        user_id=user_id,
        approved=kw.pop("approved", True),
        languages=frozenset(languages),
        roles=frozenset(kw.pop("roles", (ShiftRole.ACCOMPANIER, ShiftRole.INTERPRETER))),
        max_shifts_per_week=kw.pop("cap", 3),
        availability=kw.pop("availability", WEDNESDAY),
        preferred_court_ids=frozenset(preferred),
        **kw,
    )


def order(people, histories=None, s=None, **kw):
    ranking = rank(
        seat=s or seat(),
        volunteers=people,
        schedules={},
        histories=histories or {},
        now=NOW,
        rules=Rules(),
        **kw,
    )
    return [m.user_id for m in ranking.matches]


def test_continuity_beats_fairness():
    histories = {
        1: History(seats_last_30_days=4, case_last_seen={"case-1": date(2027, 1, 20)}),
        2: History(seats_last_30_days=0),
    }
    assert order([person(2), person(1)], histories) == [1, 2]


def test_continuity_beats_language_court_and_fairness_together():
    histories = {1: History(seats_last_30_days=5, case_last_seen={"case-1": date(2027, 1, 20)})}
    rival = person(2, languages=("mam",), preferred=(10,))
    assert order([rival, person(1)], histories, s=seat(role=ShiftRole.INTERPRETER)) == [1, 2]


def test_language_fit_beats_court_preference_for_interpreters():
    mam = person(1, languages=("mam",))
    spanish_prefers_court = person(2, languages=("es",), preferred=(10,))
    assert order([spanish_prefers_court, mam], s=seat(role=ShiftRole.INTERPRETER)) == [1, 2]


def test_the_hearings_first_language_beats_the_bridge_language():
    assert primary_languages({"mam", "es"}) == {"mam"}
    assert primary_languages({"es", "en"}) == {"es", "en"}
    assert order(
        [person(2, languages=("es",)), person(1, languages=("mam",))], s=seat(role=ShiftRole.INTERPRETER)
    ) == [1, 2]


def test_court_preference_beats_a_busier_month():
    histories = {1: History(seats_last_30_days=2)}
    assert order([person(2), person(1, preferred=(10,))], histories) == [1, 2]


def test_fewer_recent_seats_rank_first():
    histories = {1: History(seats_last_30_days=0), 2: History(seats_last_30_days=3)}
    assert order([person(2), person(1)], histories) == [1, 2]


def test_reliability_and_experience_break_ties():
    histories = {
        1: History(attended=8, no_show=0, attended_by_kind={"master": 6}),
        2: History(attended=4, no_show=4),
    }
    assert order([person(2), person(1)], histories) == [1, 2]


def test_a_newcomer_is_neutral_not_last():
    histories = {1: History(attended=1, no_show=5), 3: History(attended=9, no_show=0)}
    assert order([person(1), person(2), person(3)], histories) == [3, 2, 1]


def test_weights_come_from_config():
    histories = {1: History(case_last_seen={"case-1": date(2027, 1, 20)})}
    rival = person(2, preferred=(10,))
    assert order([rival, person(1)], histories) == [1, 2]
    assert order([rival, person(1)], histories, weights={"continuity": 5}) == [2, 1]


def test_ineligible_people_carry_their_reasons():
    ranking = rank(
        seat=seat(role=ShiftRole.INTERPRETER, languages=("quc", "es")),
        volunteers=[person(1, languages=("pt",)), person(2, approved=False, languages=("quc",))],
        schedules={},
        histories={},
        now=NOW,
        rules=Rules(),
    )
    assert ranking.matches == []
    reasons = {i.user_id: {r.reason for r in i.refusals} for i in ranking.ineligible}
    assert reasons == {1: {Reason.NO_SHARED_LANGUAGE}, 2: {Reason.NOT_APPROVED}}


def test_labels_explain_the_score_and_only_continuity_is_private():
    histories = {1: History(seats_last_30_days=1, case_last_seen={"case-1": date(2027, 1, 20)})}
    ranking = rank(
        seat=seat(role=ShiftRole.INTERPRETER),
        volunteers=[person(1, languages=("mam",), preferred=(10,))],
        schedules={},
        histories=histories,
        now=NOW,
        rules=Rules(),
    )
    match = ranking.matches[0]
    codes = {label.code: label for label in match.labels}
    assert codes["speaks"].params == {"language": "mam"}
    assert "prefers_court" in codes
    assert codes["seats_this_month"].params == {"n": 1}
    assert codes["was_with"].params == {"ref_initial": "R.", "day": date(2027, 1, 20)}
    assert codes["was_with"].private
    assert "was_with" not in {label.code for label in match.safe_labels()}


def test_respondent_initial():
    assert ref_initial("rosa M.") == "R."
    assert ref_initial("  ") == ""


def test_excluded_people_are_left_out():
    assert order([person(1), person(2)], exclude={1}) == [2]


def test_one_volunteer_against_many_seats():
    cheap = seat(shift_id=1, languages=("es",))
    mam = seat(shift_id=2, role=ShiftRole.INTERPRETER)
    thursday = seat(shift_id=3, starts_at=START + timedelta(days=1), ends_at=END + timedelta(days=1))
    fitting, refused = seats_for(
        volunteer=person(1, languages=("mam",)),
        seats=[cheap, mam, thursday],
        schedule=schedule_of([]),
        history=History(),
        now=NOW,
        rules=Rules(),
    )
    assert [s.facts.shift_id for s, _ in fitting] == [2, 1]
    assert [(s.facts.shift_id, {r.reason for r in rs}) for s, rs in refused] == [(3, {Reason.UNAVAILABLE})]


def test_candidates_for_many_seats_agree_with_ranking_each():
    seats = [
        seat(shift_id=1),
        seat(shift_id=2, role=ShiftRole.INTERPRETER),
        seat(shift_id=3, role=ShiftRole.DRIVER),
    ]
    people = [person(1, languages=("mam",)), person(2, roles=(ShiftRole.DRIVER,), has_car=True), person(3)]
    found = candidates_for_seats(
        seats=seats, volunteers=people, schedules={}, histories={}, now=NOW, rules=Rules()
    )
    for s in seats:
        expected = order(people, s=s)
        assert [m.user_id for m in found[s.facts.shift_id]] == expected


# --- The prepared fast path answers exactly what the plain rules answer ---------------------

ZONES = ("America/Chicago", "America/Los_Angeles", "America/New_York")
instants = st.integers(min_value=0, max_value=14 * 24 * 4).map(
    lambda q: datetime(2027, 3, 1, tzinfo=UTC) + timedelta(minutes=15 * q)
)


@st.composite
def commitments(draw):
    start = draw(instants)
    length = timedelta(minutes=15 * draw(st.integers(1, 16)))
    return Commitment(
        draw(st.integers(100, 130)),
        draw(st.integers(10, 12)),
        draw(st.sampled_from(ZONES)),
        start,
        start + length,
    )


@st.composite
def cases(draw):
    start = draw(instants)
    facts = SeatFacts(
        shift_id=draw(st.integers(100, 103)),
        hearing_id=1,
        court_id=draw(st.integers(10, 12)),
        court_tz=draw(st.sampled_from(ZONES)),
        role=draw(st.sampled_from(list(ShiftRole))),
        starts_at=start,
        ends_at=start + timedelta(minutes=15 * draw(st.integers(1, 16))),
        languages=frozenset(draw(st.sets(st.sampled_from(["es", "mam", "pt"]), min_size=1))),
        cancelled=draw(st.booleans()),
    )
    windows = tuple(
        Window(draw(st.integers(0, 6)), time(draw(st.integers(0, 11))), time(draw(st.integers(12, 23))))
        for _ in range(draw(st.integers(0, 3)))
    )
    volunteer = VolunteerFacts(
        user_id=1,
        approved=draw(st.booleans()),
        languages=frozenset(draw(st.sets(st.sampled_from(["es", "mam", "pt"])))),
        roles=frozenset(draw(st.sets(st.sampled_from(list(ShiftRole))))),
        has_car=draw(st.booleans()),
        max_shifts_per_week=draw(st.integers(0, 3)),
        availability=windows,
        blackout_dates=frozenset(draw(st.sets(st.dates(date(2027, 3, 1), date(2027, 3, 15)), max_size=2))),
    )
    held = draw(st.lists(commitments(), max_size=5))
    now = draw(instants)
    buffer = timedelta(minutes=draw(st.sampled_from([0, 30, 60])))
    return volunteer, facts, held, now, Rules(travel_buffer=buffer)


@settings(max_examples=300, deadline=None)
@given(cases())
def test_prepared_rules_match_the_plain_rules(case):
    volunteer, facts, held, now, rules = case
    plain = match_refusals(volunteer=volunteer, seat=facts, commitments=held, now=now, rules=rules)
    fast = prepared_match_refusals(
        volunteer=volunteer, seat=prepare_seat(facts), schedule=schedule_of(held), now=now, rules=rules
    )
    key = lambda r: (r.reason.value, r.shift_id or 0)  # noqa: E731
    assert sorted(fast, key=key) == sorted(plain, key=key)


@settings(max_examples=200, deadline=None)
@given(cases())
def test_pairwise_clash_is_the_conflict_rule(case):
    _, facts, held, _, rules = case
    for other in held:
        refusals = conflict_refusals(seat=facts, commitments=[other], rules=rules)
        found = clash(
            a_start=facts.starts_at,
            a_end=facts.ends_at,
            a_court=facts.court_id,
            b_start=other.starts_at,
            b_end=other.ends_at,
            b_court=other.court_id,
            travel_buffer=rules.travel_buffer,
        )
        assert [r.reason for r in refusals] == ([found] if found else [])
