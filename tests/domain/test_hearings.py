"""Pure rules for posting and moving hearings."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from scheduler.domain.hearings import (
    HearingDraft,
    HearingInvalid,
    SeatSpec,
    diff_fields,
    duplicate_key,
    looks_like_a_number,
    move_window,
    new_start,
    plan_hearing,
    raises_version,
)
from scheduler.enums import ShiftRole

NOW = datetime(2030, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    ["A123456789", "A-123-456-789", "a 12345678", "A 123 456 789", "file A12345678 please", "A.123.456.789"],
)
def test_a_numbers_are_recognised(text: str) -> None:
    assert looks_like_a_number(text)


@pytest.mark.parametrize(
    "text",
    ["MARKER-RESP-7731", "Rosa M.", "A1234567", "A1234567890", "AB", "", "Courtroom A 12", "CA123456789"],
)
def test_names_and_short_numbers_are_not_a_numbers(text: str) -> None:
    assert not looks_like_a_number(text)


def draft(**overrides) -> HearingDraft:
    values = {
        "day": date(2030, 3, 11),
        "at": time(9, 0),
        "tz_name": "America/New_York",
        "duration_minutes": 60,
        "seats": (SeatSpec(role=ShiftRole.ACCOMPANIER, count=2), SeatSpec(role=ShiftRole.DRIVER, count=1)),
    }
    values.update(overrides)
    return HearingDraft(**values)


@pytest.mark.parametrize(
    ("day", "tz_name", "utc_hour"),
    [
        (date(2030, 1, 15), "Pacific/Honolulu", 19),
        (date(2030, 7, 15), "America/Phoenix", 16),
        (date(2030, 3, 11), "America/New_York", 13),  # the day after the spring-forward switch
    ],
)
def test_nine_oclock_is_the_right_utc_instant(day: date, tz_name: str, utc_hour: int) -> None:
    plan = plan_hearing(draft=draft(day=day, tz_name=tz_name), now=NOW)
    assert plan.starts_at == datetime(day.year, day.month, day.day, utc_hour, tzinfo=UTC)


def test_default_windows_lead_the_hearing_by_role() -> None:
    plan = plan_hearing(draft=draft(), now=NOW)
    by_role = {s.role: s for s in plan.shifts}
    assert by_role[ShiftRole.ACCOMPANIER].starts_at == plan.starts_at - timedelta(minutes=45)
    assert by_role[ShiftRole.DRIVER].starts_at == plan.starts_at - timedelta(minutes=90)
    assert all(s.ends_at == plan.starts_at + timedelta(hours=1) for s in plan.shifts)


def test_typed_shift_times_are_read_in_the_court_zone() -> None:
    seats = (SeatSpec(role=ShiftRole.ACCOMPANIER, count=1, start=time(8, 0), end=time(12, 30)),)
    plan = plan_hearing(draft=draft(seats=seats), now=NOW)
    assert plan.shifts[0].starts_at == datetime(2030, 3, 11, 12, 0, tzinfo=UTC)
    assert plan.shifts[0].ends_at == datetime(2030, 3, 11, 16, 30, tzinfo=UTC)


def test_every_problem_is_reported_beside_its_field() -> None:
    seats = (
        SeatSpec(role=ShiftRole.ACCOMPANIER, count=21),
        SeatSpec(role=ShiftRole.DRIVER, count=1, start=time(10, 0), end=time(9, 0)),
    )
    with pytest.raises(HearingInvalid) as caught:
        plan_hearing(
            draft=draft(day=date(2029, 1, 1), seats=seats, texts={"respondent_ref": "A 123 456 789"}), now=NOW
        )
    assert caught.value.errors == {
        "respondent_ref": "a_number",
        "date": "in_past",
        "seat_accompanier_count": "bad_count",
        "seat_driver_end": "end_before_start",
    }


def test_a_time_skipped_by_daylight_saving_is_refused() -> None:
    with pytest.raises(HearingInvalid) as caught:
        plan_hearing(draft=draft(day=date(2030, 3, 10), at=time(2, 30)), now=NOW)
    assert caught.value.errors == {"time": "nonexistent_time"}


def test_a_hearing_needs_at_least_one_seat() -> None:
    with pytest.raises(HearingInvalid) as caught:
        plan_hearing(draft=draft(seats=(SeatSpec(role=ShiftRole.ACCOMPANIER, count=0),)), now=NOW)
    assert caught.value.errors == {"seats": "no_seats"}


def test_new_start_refuses_the_past_and_the_gap() -> None:
    with pytest.raises(HearingInvalid):
        new_start(day=date(2029, 6, 1), at=time(9), tz_name="America/Chicago", now=NOW)
    with pytest.raises(HearingInvalid):
        new_start(day=date(2030, 3, 10), at=time(2, 15), tz_name="America/Chicago", now=NOW)
    assert new_start(day=date(2030, 6, 1), at=time(9), tz_name="America/Chicago", now=NOW).hour == 14


def test_a_window_moves_by_the_hearings_offset() -> None:
    old = datetime(2030, 5, 1, 14, tzinfo=UTC)
    new = datetime(2030, 5, 3, 16, tzinfo=UTC)
    window = (old - timedelta(minutes=90), old + timedelta(hours=1))
    assert move_window(old_start=old, new_start=new, window=window) == (
        new - timedelta(minutes=90),
        new + timedelta(hours=1),
    )


def test_history_keeps_public_values_and_only_the_fact_for_private_ones() -> None:
    changes = diff_fields(
        old={"courtroom": "4", "private_notes": "secret", "respondent_ref": "RM", "judge": "X"},
        new={"courtroom": "7", "private_notes": "other secret", "respondent_ref": "RM", "judge": "X"},
    )
    assert changes == {"courtroom": {"old": "4", "new": "7"}, "private_notes": {"changed": True}}
    assert raises_version(changes)
    assert not raises_version({"private_notes": {"changed": True}, "judge": {"old": "X", "new": "Y"}})


def test_duplicate_key_ignores_case_and_spacing() -> None:
    at = datetime(2030, 5, 1, 14, tzinfo=UTC)
    assert duplicate_key(court_id=1, starts_at=at, respondent_ref="Rosa  M") == duplicate_key(
        court_id=1, starts_at=at, respondent_ref="rosa m"
    )
