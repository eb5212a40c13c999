"""The rapid-response rules: the seat's day, the alert window, seat states, on-call, escalation."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from scheduler.domain.response import (
    LAST_TIER,
    AlertRefused,
    SeatState,
    Window,
    alert_window,
    check_alert_time,
    escalation_due,
    is_seat_day,
    on_call_at,
    seat_state,
    suppressed,
)

START = datetime(2030, 3, 7, 15, 0, tzinfo=UTC)  # 09:00 in Chicago


def test_the_seat_day_is_the_courts_own_date() -> None:
    # 03:00 UTC on the 8th is still the evening of the 7th in Chicago.
    assert is_seat_day(now=datetime(2030, 3, 8, 3, 0, tzinfo=UTC), starts_at=START, tz_name="America/Chicago")
    assert not is_seat_day(now=datetime(2030, 3, 8, 3, 0, tzinfo=UTC), starts_at=START, tz_name="UTC")
    assert not is_seat_day(now=START - timedelta(days=1), starts_at=START, tz_name="America/Chicago")


def test_the_alert_window_opens_an_hour_before_and_closes_four_hours_after_the_end() -> None:
    opens, closes = alert_window(hearing_start=START, duration_minutes=90)
    assert opens == START - timedelta(hours=1)
    assert closes == START + timedelta(minutes=90) + timedelta(hours=4)
    check_alert_time(now=opens, hearing_start=START, duration_minutes=90)
    check_alert_time(now=closes, hearing_start=START, duration_minutes=90)
    with pytest.raises(AlertRefused) as early:
        check_alert_time(now=opens - timedelta(seconds=1), hearing_start=START, duration_minutes=90)
    assert early.value.code == "too_early"
    with pytest.raises(AlertRefused) as late:
        check_alert_time(now=closes + timedelta(seconds=1), hearing_start=START, duration_minutes=90)
    assert late.value.code == "too_late"


@pytest.mark.parametrize(
    ("checkin", "offset", "expected"),
    [
        ("here", -10, SeatState.CHECKED_IN),
        ("late", 10, SeatState.LATE),
        ("cant_make_it", -10, SeatState.CANT_MAKE_IT),
        (None, -10, SeatState.NOT_YET),
        (None, 0, SeatState.NO_SHOW),
        (None, 10, SeatState.NO_SHOW),
    ],
)
def test_seat_states(checkin, offset, expected) -> None:
    now = START + timedelta(minutes=offset)
    assert seat_state(checkin=checkin, now=now, starts_at=START) == expected


def test_on_call_by_local_weekday_and_time() -> None:
    windows = [
        Window(1, 3, time(8, 0), time(12, 0)),
        Window(2, 3, time(12, 0), time(18, 0)),
        Window(1, 3, time(9, 0), time(10, 0)),  # the same person twice: reached once
        Window(3, 4, time(8, 0), time(12, 0)),  # Friday
    ]
    thursday_9 = datetime(2030, 3, 7, 9, 0)
    assert on_call_at(windows, local=thursday_9) == [1]
    assert on_call_at(windows, local=thursday_9.replace(hour=12)) == [2]  # ends are exclusive
    assert on_call_at(windows, local=thursday_9.replace(hour=19)) == []


def test_escalation_waits_and_stops_at_the_last_tier_or_an_acknowledgement() -> None:
    wait = timedelta(minutes=3)
    due = {"tier_reached_at": START, "wait": wait}
    assert not escalation_due(tier=0, acknowledged=False, now=START + timedelta(minutes=2, seconds=59), **due)
    assert escalation_due(tier=0, acknowledged=False, now=START + wait, **due)
    assert not escalation_due(tier=0, acknowledged=True, now=START + wait, **due)
    assert not escalation_due(tier=LAST_TIER, acknowledged=False, now=START + wait, **due)


def test_small_counts_are_suppressed() -> None:
    assert [suppressed(n) for n in (0, 1, 4, 5, 12)] == [0, None, None, 5, 12]
