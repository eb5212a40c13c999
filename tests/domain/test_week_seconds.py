"""A seat's place in its court's local week, compared with windows, is the availability rule."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.domain.eligibility import Window, is_available
from scheduler.domain.timezones import to_local, week_seconds, window_seconds

ZONES = ("America/Chicago", "America/New_York", "Pacific/Honolulu", "Pacific/Saipan", "Europe/Madrid")


def fits(place: tuple[int, int], windows: list[Window]) -> bool:
    """What the SQL asks of the stored columns: inside one window, both ends."""
    start, end = place
    for w in windows:
        low, high = window_seconds(w.weekday, w.start, w.end)
        if start >= low and end <= high:
            return True
    return False


times = st.times().map(lambda t: t.replace(microsecond=0))
windows = st.lists(
    st.builds(Window, weekday=st.integers(0, 6), start=times, end=times).filter(lambda w: w.start <= w.end),
    max_size=6,
)


@settings(max_examples=400, deadline=None)
@given(
    start=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31)).map(
        lambda d: d.replace(microsecond=0, tzinfo=UTC)
    ),
    minutes=st.integers(1, 36 * 60),
    tz=st.sampled_from(ZONES),
    windows=windows,
)
def test_the_stored_place_answers_as_the_rule(start, minutes, tz, windows) -> None:
    end = start + timedelta(minutes=minutes)
    assert fits(week_seconds(start, end, tz), windows) == is_available(
        windows, to_local(start, tz), to_local(end, tz)
    )


def test_a_seat_past_midnight_fits_no_window() -> None:
    start = datetime(2027, 1, 10, 5, 30, tzinfo=UTC)  # Saturday 23:30 in Chicago
    place = week_seconds(start, start + timedelta(hours=1), "America/Chicago")
    assert place == (5 * 86_400 + 23 * 3600 + 1800, 6 * 86_400 + 1800)
    assert not fits(place, [Window(weekday=5, start=time(0), end=time(23, 59, 59))])


def test_sunday_night_into_monday_does_not_wrap_to_the_start_of_the_week() -> None:
    start = datetime(2027, 1, 11, 5, 30, tzinfo=UTC)  # Sunday 23:30 in Chicago
    start_s, end_s = week_seconds(start, start + timedelta(hours=1), "America/Chicago")
    assert end_s > 7 * 86_400 > start_s
    assert not fits((start_s, end_s), [Window(weekday=0, start=time(0), end=time(12))])
