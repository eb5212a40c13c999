"""US federal holidays (5 U.S.C. 6103), as OPM lists them, with the weekday off for a weekend one."""

from __future__ import annotations

from datetime import date, timedelta

from scheduler.domain.recurrence import Holiday, federal_holiday

# OPM's federal holidays for 2026 and 2028 (2028: New Year's Day is a Saturday, observed on
# Friday 31 December 2027; Veterans Day a Saturday, observed on Friday 10 November).
OPM = {
    date(2026, 1, 1): Holiday("New Year's Day"),
    date(2026, 1, 19): Holiday("Martin Luther King Jr. Day"),
    date(2026, 2, 16): Holiday("Washington's Birthday"),
    date(2026, 5, 25): Holiday("Memorial Day"),
    date(2026, 6, 19): Holiday("Juneteenth National Independence Day"),
    date(2026, 7, 3): Holiday("Independence Day", observed=True),
    date(2026, 7, 4): Holiday("Independence Day"),
    date(2026, 9, 7): Holiday("Labor Day"),
    date(2026, 10, 12): Holiday("Columbus Day"),
    date(2026, 11, 11): Holiday("Veterans Day"),
    date(2026, 11, 26): Holiday("Thanksgiving Day"),
    date(2026, 12, 25): Holiday("Christmas Day"),
    date(2027, 12, 31): Holiday("New Year's Day", observed=True),
    date(2028, 1, 1): Holiday("New Year's Day"),
    date(2028, 1, 17): Holiday("Martin Luther King Jr. Day"),
    date(2028, 2, 21): Holiday("Washington's Birthday"),
    date(2028, 5, 29): Holiday("Memorial Day"),
    date(2028, 6, 19): Holiday("Juneteenth National Independence Day"),
    date(2028, 7, 4): Holiday("Independence Day"),
    date(2028, 9, 4): Holiday("Labor Day"),
    date(2028, 10, 9): Holiday("Columbus Day"),
    date(2028, 11, 10): Holiday("Veterans Day", observed=True),
    date(2028, 11, 11): Holiday("Veterans Day"),
    date(2028, 11, 23): Holiday("Thanksgiving Day"),
    date(2028, 12, 25): Holiday("Christmas Day"),
}


def test_every_day_of_2026_and_2028_is_a_holiday_exactly_as_opm_lists() -> None:
    for year in (2026, 2028):
        day = date(year, 1, 1)
        while day.year == year:
            assert federal_holiday(day) == OPM.get(day), day
            day += timedelta(days=1)
    assert federal_holiday(date(2027, 12, 31)) == OPM[date(2027, 12, 31)]


def test_juneteenth_from_2021_on() -> None:
    assert federal_holiday(date(2020, 6, 19)) is None
    assert federal_holiday(date(2021, 6, 18)) == Holiday(
        "Juneteenth National Independence Day", observed=True
    )
