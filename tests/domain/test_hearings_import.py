"""Reading hearing rows from CSV, before anything is written."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from scheduler.domain.hearing_import import (
    COLUMNS,
    COMMENT_MARK,
    EXAMPLE_NOTE,
    CourtRef,
    ImportFileInvalid,
    mark_duplicates,
    read_numbered_rows,
    read_rows,
    template_csv,
    validate_row,
)
from scheduler.enums import HearingKind

NOW = datetime(2030, 1, 1, tzinfo=UTC)
COURTS = {
    "chicago immigration court": CourtRef(id=1, name="Chicago Immigration Court", tz_name="America/Chicago"),
    "chi": CourtRef(id=1, name="Chicago Immigration Court", tz_name="America/Chicago"),
}
GOOD = {
    "court": "CHI",
    "date": "2030-03-04",
    "time": "09:00",
    "kind": "master",
    "languages": "es;mam",
    "respondent_ref": "Rosa M.",
    "accompaniers": "2",
    "interpreters": "1",
    "date_confirmed": "yes",
}


def check(**changes: str):
    return validate_row(line=2, values={**GOOD, **changes}, courts=COURTS, now=NOW)


def test_a_good_row_becomes_a_plan_at_the_courts_time() -> None:
    row = check()
    assert row.ok
    assert row.court and row.court.id == 1
    assert row.plan and row.plan.starts_at == datetime(2030, 3, 4, 15, tzinfo=UTC)
    assert row.kind == HearingKind.MASTER
    assert row.languages == ("es", "mam")
    assert row.date_confirmed
    assert {s.role.value: s.capacity for s in row.plan.shifts} == {"accompanier": 2, "interpreter": 1}


@pytest.mark.parametrize(
    ("changes", "column", "code"),
    [
        ({"court": "Atlantis"}, "court", "unknown_court"),
        ({"date": "04/03/2030"}, "date", "bad_date"),
        ({"date": "2029-12-31"}, "date", "in_past"),
        ({"time": "9am"}, "time", "bad_time"),
        ({"kind": "trial"}, "kind", "bad_kind"),
        ({"respondent_ref": "A-123-456-789"}, "respondent_ref", "a_number"),
        ({"private_notes": "his number is A 12345678"}, "private_notes", "a_number"),
        ({"accompaniers": "25"}, "accompaniers", "bad_count"),
        ({"drivers": "two"}, "drivers", "bad_count"),
        ({"accompaniers": "0", "interpreters": "0"}, "accompaniers", "no_seats"),
        ({"languages": "es;klingon"}, "languages", "unknown_language"),
        ({"date_confirmed": "maybe"}, "date_confirmed", "bad_yes_no"),
    ],
)
def test_bad_rows_say_which_column_and_why(changes: dict[str, str], column: str, code: str) -> None:
    row = check(**changes)
    assert not row.ok
    assert (column, code) in row.errors
    assert row.plan is None


def test_an_a_number_is_caught_even_when_the_court_is_unknown() -> None:
    row = check(court="Nowhere", respondent_ref="A123456789")
    assert ("respondent_ref", "a_number") in row.errors


def test_duplicates_within_the_file_and_against_stored_hearings() -> None:
    first = check()
    again = validate_row(line=3, values={**GOOD, "respondent_ref": "rosa  m."}, courts=COURTS, now=NOW)
    other = validate_row(line=4, values={**GOOD, "time": "10:00"}, courts=COURTS, now=NOW)
    stored = {(1, datetime(2030, 3, 4, 16, tzinfo=UTC), "rosa m.")}
    marked = mark_duplicates(rows=[first, again, other], existing=stored)
    assert [r.duplicate_of for r in marked] == [None, 2, 0]


def test_read_rows_needs_the_required_columns_and_skips_blank_lines() -> None:
    with pytest.raises(ImportFileInvalid) as caught:
        read_rows("court,date\nCHI,2030-01-01\n")
    assert caught.value.code == "missing_columns"
    rows = read_rows("\ufeffCourt,Date,Time,Kind\nCHI,2030-03-04,09:00,bond\n,,,\n")
    assert rows == [{"court": "CHI", "date": "2030-03-04", "time": "09:00", "kind": "bond"}]


def test_the_template_has_every_column_and_an_example_that_is_never_imported() -> None:
    text = template_csv(example_day=NOW.date().replace(month=6))
    assert read_rows(text) == []
    # Without its comment mark the example is a valid row, with every column.
    uncommented = text.replace(f"{COMMENT_MARK} {EXAMPLE_NOTE} ", "")
    rows = read_rows(uncommented)
    assert list(rows[0]) == list(COLUMNS)
    courts = {"chicago immigration court": COURTS["chi"]}
    assert validate_row(line=2, values=rows[0], courts=courts, now=NOW).ok


def test_lines_count_skipped_rows_so_they_match_the_spreadsheet() -> None:
    text = template_csv(example_day=NOW.date()) + "CHI,2030-03-04,09:00,,bond\n"
    assert [line for line, _ in read_numbered_rows(text)] == [3]
