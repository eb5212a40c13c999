"""Each eligibility rule on its own."""

from datetime import UTC, date, datetime, time, timedelta

from scheduler.domain.eligibility import (
    Commitment,
    Reason,
    Rules,
    SeatFacts,
    VolunteerFacts,
    Window,
    claim_refusals,
    match_refusals,
)
from scheduler.enums import ShiftRole

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
# Wednesday 2027-03-03, 09:15-11:00 in Chicago (CST, UTC-6)
START = datetime(2027, 3, 3, 15, 15, tzinfo=UTC)
END = datetime(2027, 3, 3, 17, 0, tzinfo=UTC)


def seat(**kw) -> SeatFacts:
    values = dict(
        shift_id=1,
        hearing_id=1,
        court_id=10,
        court_tz="America/Chicago",
        role=ShiftRole.ACCOMPANIER,
        starts_at=START,
        ends_at=END,
        languages=frozenset({"mam", "es"}),
    )
    values.update(kw)
    return SeatFacts(**values)


def volunteer(**kw) -> VolunteerFacts:
    values = dict(
        user_id=7,
        approved=True,
        languages=frozenset({"es"}),
        roles=frozenset({ShiftRole.ACCOMPANIER, ShiftRole.INTERPRETER}),
        max_shifts_per_week=2,
        availability=(Window(2, time(8), time(12)),),
    )
    values.update(kw)
    return VolunteerFacts(**values)


def reasons(refusals) -> set[Reason]:
    return {r.reason for r in refusals}


DEFAULT_RULES = Rules()


def claim(v=None, s=None, commitments=(), now=NOW, rules=DEFAULT_RULES):
    return reasons(
        claim_refusals(
            volunteer=v or volunteer(), seat=s or seat(), commitments=commitments, now=now, rules=rules
        )
    )


def test_a_fitting_volunteer_may_claim():
    assert claim() == set()


def test_suspended_or_pending_volunteer_is_refused():
    assert claim(v=volunteer(approved=False)) == {Reason.NOT_APPROVED}


def test_interpreter_needs_one_of_the_hearing_languages():
    assert claim(s=seat(role=ShiftRole.INTERPRETER)) == set()
    refused = claim(v=volunteer(languages=frozenset({"pt"})), s=seat(role=ShiftRole.INTERPRETER))
    assert refused == {Reason.NO_SHARED_LANGUAGE}


def test_driver_needs_a_car():
    assert claim(s=seat(role=ShiftRole.DRIVER)) == {Reason.NO_CAR}
    assert claim(v=volunteer(has_car=True), s=seat(role=ShiftRole.DRIVER)) == set()


def test_configured_training_is_required():
    rules = Rules(required_trainings={ShiftRole.ACCOMPANIER: frozenset({"court_accompaniment"})})
    assert claim(rules=rules) == {Reason.MISSING_TRAINING}
    trained = volunteer(trainings=frozenset({"court_accompaniment"}))
    assert claim(v=trained, rules=rules) == set()


def test_started_shift_cannot_be_claimed():
    assert claim(now=START) == {Reason.STARTED}


def test_cancelled_hearing_cannot_be_claimed():
    assert claim(s=seat(cancelled=True)) == {Reason.CANCELLED}


def test_overlap_at_the_same_court():
    other = Commitment(2, 10, "America/Chicago", END - timedelta(minutes=1), END + timedelta(hours=1))
    assert claim(commitments=[other]) == {Reason.OVERLAP}


def test_back_to_back_at_the_same_court_is_fine():
    other = Commitment(2, 10, "America/Chicago", END, END + timedelta(hours=1))
    assert claim(commitments=[other]) == set()


def test_travel_buffer_applies_between_different_courts():
    thirty_minutes_later = Commitment(
        2, 11, "America/Chicago", END + timedelta(minutes=30), END + timedelta(hours=2)
    )
    assert claim(commitments=[thirty_minutes_later]) == {Reason.TRAVEL_BUFFER}
    two_hours_later = Commitment(2, 11, "America/Chicago", END + timedelta(hours=2), END + timedelta(hours=3))
    assert claim(commitments=[two_hours_later]) == set()
    no_buffer = Rules(travel_buffer=timedelta(0))
    assert claim(commitments=[thirty_minutes_later], rules=no_buffer) == set()


def test_weekly_cap_counts_seats_in_the_same_local_week():
    monday = Commitment(3, 10, "America/Chicago", START - timedelta(days=2), END - timedelta(days=2))
    tuesday = Commitment(4, 10, "America/Chicago", START - timedelta(days=1), END - timedelta(days=1))
    assert claim(commitments=[monday]) == set()
    assert claim(commitments=[monday, tuesday]) == {Reason.WEEKLY_CAP}
    last_week = Commitment(5, 10, "America/Chicago", START - timedelta(days=7), END - timedelta(days=7))
    assert claim(commitments=[monday, last_week]) == set()


def test_the_seat_itself_is_not_a_conflict():
    same = Commitment(1, 10, "America/Chicago", START, END)
    assert claim(commitments=[same]) == set()


def match(v=None, s=None):
    return reasons(
        match_refusals(volunteer=v or volunteer(), seat=s or seat(), commitments=(), now=NOW, rules=Rules())
    )


def test_matching_needs_the_role_offered():
    assert match() == set()
    assert match(s=seat(role=ShiftRole.OBSERVER)) == {Reason.ROLE_NOT_OFFERED}


def test_matching_needs_a_window_covering_the_seat_in_court_local_time():
    # 09:15-11:00 Chicago time is inside Wednesday 08:00-12:00.
    assert match(v=volunteer(availability=(Window(2, time(9), time(11)),))) == set()
    assert match(v=volunteer(availability=(Window(2, time(9, 30), time(11)),))) == {Reason.UNAVAILABLE}
    assert match(v=volunteer(availability=(Window(3, time(8), time(12)),))) == {Reason.UNAVAILABLE}
    # The same UTC instant at a Los Angeles court is 07:15-09:00 local: outside the window.
    assert match(s=seat(court_tz="America/Los_Angeles")) == {Reason.UNAVAILABLE}


def test_matching_skips_blackout_dates():
    assert match(v=volunteer(blackout_dates=frozenset({date(2027, 3, 3)}))) == {Reason.BLACKOUT}
