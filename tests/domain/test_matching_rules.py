"""Eligibility rules the first rule tests did not cover alone, through matching's prepared path too."""

from datetime import UTC, date, datetime, time, timedelta

from scheduler.domain.eligibility import (
    Commitment,
    Reason,
    Rules,
    SeatFacts,
    VolunteerFacts,
    Window,
    match_refusals,
    prepare_seat,
    prepared_match_refusals,
    schedule_of,
)
from scheduler.enums import ShiftRole

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
START = datetime(2027, 3, 3, 15, 15, tzinfo=UTC)  # Wednesday 09:15 in Chicago
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
        languages=frozenset({"es"}),
    )
    values.update(kw)
    return SeatFacts(**values)


def volunteer(**kw) -> VolunteerFacts:
    values = dict(
        user_id=7,
        approved=True,
        languages=frozenset({"es"}),
        roles=frozenset({ShiftRole.ACCOMPANIER}),
        max_shifts_per_week=2,
        availability=(Window(2, time(8), time(12)),),
    )
    values.update(kw)
    return VolunteerFacts(**values)


def both(v=None, s=None, commitments=()):
    """The reasons from the plain rules, checked equal to the prepared path's."""
    v, s = v or volunteer(), s or seat()
    plain = {
        r.reason for r in match_refusals(volunteer=v, seat=s, commitments=commitments, now=NOW, rules=Rules())
    }
    fast = {
        r.reason
        for r in prepared_match_refusals(
            volunteer=v, seat=prepare_seat(s), schedule=schedule_of(commitments), now=NOW, rules=Rules()
        )
    }
    assert plain == fast
    return plain


def test_a_closed_shift_takes_nobody():
    assert both(s=seat(closed=True)) == {Reason.CLOSED}


def test_a_weekly_cap_of_zero_means_no_seats():
    assert both(v=volunteer(max_shifts_per_week=0)) == {Reason.WEEKLY_CAP}


def test_a_seat_past_midnight_needs_no_window_it_cannot_fit():
    late = seat(
        starts_at=datetime(2027, 3, 4, 5, 0, tzinfo=UTC), ends_at=datetime(2027, 3, 4, 7, 0, tzinfo=UTC)
    )
    always = tuple(Window(d, time(0), time(23, 59)) for d in range(7))
    assert both(v=volunteer(availability=always), s=late) == {Reason.UNAVAILABLE}


def test_a_blackout_on_another_day_does_not_matter():
    assert both(v=volunteer(blackout_dates=frozenset({date(2027, 3, 4)}))) == set()


def test_a_commitment_far_away_in_time_is_no_conflict():
    far = Commitment(2, 11, "America/New_York", START + timedelta(days=1), END + timedelta(days=1))
    assert both(commitments=[far]) == set()


def test_holding_this_very_seat_is_not_a_conflict_with_itself():
    same = Commitment(1, 10, "America/Chicago", START, END)
    assert both(commitments=[same]) == set()
