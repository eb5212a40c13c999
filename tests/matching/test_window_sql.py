"""The recommendations' SQL test of weekly windows keeps exactly the seats the rules accept.

A volunteer's windows are in each court's own wall-clock time. The candidates' query compares
each shift's stored place in its court's local week with the windows (issue 18 item 1); these
tests put seats on the edges (a minute before a window, ending a minute after, past midnight,
across a clock change, in zones a day apart) and check the query returns the seats
``eligibility.is_available`` accepts, no more and no fewer.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from scheduler.domain.eligibility import Window, is_available
from scheduler.domain.timezones import local_to_utc, to_local
from scheduler.enums import ShiftRole
from scheduler.extensions import db
from scheduler.matching import facts as matching_facts
from scheduler.models import AvailabilityWindow, Hearing, Shift
from tests.factories import make_court, make_hearing, make_user

ZONES = ("America/Chicago", "Pacific/Honolulu", "America/New_York", "Pacific/Saipan")
WINDOWS = (
    Window(weekday=0, start=time(7), end=time(12)),
    Window(weekday=2, start=time(7), end=time(12)),
    Window(weekday=5, start=time(13, 30), end=time(23, 59, 59)),
    Window(weekday=6, start=time(0), end=time(4)),
)
# (local start, minutes): inside, a minute early, a minute late at the end, to the second,
# past midnight, and in the small hours (where the clocks change).
SEATS = (
    (time(7), 60),
    (time(6, 59), 60),
    (time(11), 61),
    (time(11), 60),
    (time(23, 30), 60),
    (time(14), 120),
    (time(1, 30), 120),
    (time(3), 30),
)


def _seats_around(first: date, days: int) -> list[Shift]:
    shifts = []
    for tz in ZONES:
        court = make_court(timezone=tz)
        for offset in range(days):
            day = first + timedelta(days=offset)
            for at, minutes in SEATS:
                try:
                    start = local_to_utc(day, at, tz)
                except ValueError:  # the hour skipped when clocks spring forward
                    continue
                hearing = make_hearing(court=court, starts_at=start, seats={ShiftRole.ACCOMPANIER: 1})
                # Re-timed after it was written: the stored place follows the change.
                shift = hearing.shifts[0]
                shift.starts_at, shift.ends_at = start, start + timedelta(minutes=minutes)
                shifts.append(shift)
    db.session.flush()
    return shifts


def _volunteer():
    person = make_user(roles=(ShiftRole.ACCOMPANIER,))
    person.profile.availability = [
        AvailabilityWindow(weekday=w.weekday, start_time=w.start, end_time=w.end) for w in WINDOWS
    ]
    db.session.flush()
    return matching_facts.load_facts(db.session, user_ids=[person.id])[person.id]


@pytest.mark.parametrize(
    "first",
    [
        date(2027, 3, 11),  # the US spring forward (14 March) and Saipan, which has none
        date(2027, 11, 4),  # the US fall back (7 November)
    ],
)
def test_the_sql_window_test_is_the_rule(app, first: date) -> None:
    shifts = _seats_around(first, days=6)
    volunteer = _volunteer()
    now = datetime.combine(first, time(), UTC) - timedelta(days=1)
    found = matching_facts.open_seats_for_volunteer(
        db.session, volunteer=volunteer, now=now, until=now + timedelta(days=9), limit=10_000
    )
    expected = set()
    for shift in shifts:
        tz = shift.hearing.court.timezone
        if is_available(WINDOWS, to_local(shift.starts_at, tz), to_local(shift.ends_at, tz)):
            expected.add(shift.id)
    assert 10 < len(expected) < len(shifts) / 2  # the edges are exercised both ways
    assert {seat.facts.shift_id for seat in found} == expected


def test_a_seat_whose_place_is_not_known_is_left_to_the_rules(app) -> None:
    """Rows written around the ORM (NULL) are let through; the rules decide afterwards."""
    shifts = _seats_around(date(2027, 3, 1), days=3)
    db.session.execute(Shift.__table__.update().values(local_week_start=None, local_week_end=None))
    volunteer = _volunteer()
    now = datetime(2027, 2, 28, tzinfo=UTC)
    found = matching_facts.open_seats_for_volunteer(
        db.session, volunteer=volunteer, now=now, until=now + timedelta(days=5), limit=10_000
    )
    assert {seat.facts.shift_id for seat in found} == {s.id for s in shifts}
    assert db.session.query(Hearing).count() == len(shifts)
