"""Entering a time that happens twice, or not at all, at a court (issue 15, item 2).

On the night clocks fall back (2027-11-07 in the US) 01:30 happens twice. The coordinator is
asked which one (the first is selected, and shown), and pages show the zone abbreviation (EDT
or EST) beside the time. A time in the spring-forward gap is refused at every entry point.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from scheduler.domain.hearing_import import CourtRef, validate_row
from scheduler.domain.timezones import is_ambiguous, local_to_utc, occurrences
from scheduler.enums import Role, ShiftRole
from scheduler.extensions import db
from scheduler.models import Hearing
from tests.factories import make_court, make_hearing, make_user
from tests.hearings.test_pages import form

FALL_BACK = "2027-11-07"
# (zone, first occurrence, second occurrence, their abbreviations)
ZONES = [
    (
        "America/New_York",
        datetime(2027, 11, 7, 5, 30, tzinfo=UTC),
        datetime(2027, 11, 7, 6, 30, tzinfo=UTC),
        "EDT",
        "EST",
    ),
    (
        "America/Chicago",
        datetime(2027, 11, 7, 6, 30, tzinfo=UTC),
        datetime(2027, 11, 7, 7, 30, tzinfo=UTC),
        "CDT",
        "CST",
    ),
]


def test_occurrences_of_a_wall_clock_time() -> None:
    for tz_name, first, second, *_ in ZONES:
        assert occurrences(date(2027, 11, 7), time(1, 30), tz_name) == (first, second)
        assert is_ambiguous(first, tz_name) and is_ambiguous(second, tz_name)
        assert local_to_utc(date(2027, 11, 7), time(1, 30), tz_name, fold=1) == second
    assert occurrences(date(2027, 3, 14), time(2, 30), "America/New_York") == ()
    assert len(occurrences(date(2027, 11, 7), time(3, 0), "America/New_York")) == 1


@pytest.mark.parametrize(("tz_name", "first", "second", "first_abbr", "second_abbr"), ZONES)
def test_a_new_hearing_at_an_ambiguous_time_asks_which_and_shows_the_offset(
    app, client, auth, tz_name, first, second, first_abbr, second_abbr
) -> None:
    court = make_court(timezone=tz_name)
    coordinator = make_user(role=Role.COORDINATOR)
    db.session.commit()
    auth.login_as(coordinator)
    data = form(court.id, date=FALL_BACK, time="01:30")
    asked = client.post("/hearings/new", data=data)
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and db.session.scalar(select(Hearing)) is None
    assert "happens twice at this court that night" in page
    assert '<input checked id="occurrence-0" name="occurrence"' in page  # shown, the first chosen
    for occurrence, instant, abbr in (("1", second, second_abbr), ("0", first, first_abbr)):
        saved = client.post("/hearings/new", data={**data, "occurrence": occurrence})
        assert saved.status_code == 302
        hearing = db.session.scalar(select(Hearing).order_by(Hearing.id.desc()))
        assert hearing.starts_at == instant
        shown = client.get(saved.headers["Location"]).get_data(as_text=True)
        assert f"1:30\u202fAM {abbr}" in shown or f"1:30 AM {abbr}" in shown


def test_an_ordinary_time_shows_no_occurrence_choice(app, client, auth) -> None:
    court = make_court(timezone="America/New_York")
    coordinator = make_user(role=Role.COORDINATOR)
    db.session.commit()
    auth.login_as(coordinator)
    page = client.get("/hearings/new").get_data(as_text=True)
    assert 'name="occurrence"' not in page
    assert client.post("/hearings/new", data=form(court.id, date=FALL_BACK, time="09:00")).status_code == 302


def test_reschedule_to_the_second_occurrence_and_back(app, client, auth) -> None:
    court = make_court(timezone="America/Chicago")
    coordinator = make_user(role=Role.COORDINATOR)
    hearing = make_hearing(
        court=court, starts_at=datetime(2027, 10, 1, 14, tzinfo=UTC), seats={ShiftRole.ACCOMPANIER: 1}
    )
    db.session.commit()
    auth.login_as(coordinator)
    data = {"court_id": court.id, "date": FALL_BACK, "time": "01:30", "courtroom": ""}
    asked = client.post(f"/hearings/{hearing.id}/reschedule", data=data)
    assert asked.status_code == 200 and "happens twice" in asked.get_data(as_text=True)
    moved = client.post(f"/hearings/{hearing.id}/reschedule", data={**data, "occurrence": "1"})
    assert moved.status_code == 302
    db.session.expire_all()
    assert db.session.get(Hearing, hearing.id).starts_at == datetime(2027, 11, 7, 7, 30, tzinfo=UTC)
    # The form opened again shows which one it is.
    again = client.get(f"/hearings/{hearing.id}/reschedule").get_data(as_text=True)
    assert '<input checked id="occurrence-1" name="occurrence"' in again
    shown = client.get(f"/hearings/{hearing.id}").get_data(as_text=True)
    assert "1:30\u202fAM CST" in shown or "1:30 AM CST" in shown


def test_the_spring_forward_gap_is_refused_when_rescheduling(app, client, auth) -> None:
    court = make_court(timezone="America/New_York")
    coordinator = make_user(role=Role.COORDINATOR)
    hearing = make_hearing(court=court, starts_at=datetime(2027, 2, 1, 14, tzinfo=UTC))
    db.session.commit()
    auth.login_as(coordinator)
    data = {"court_id": court.id, "date": "2027-03-14", "time": "02:30", "courtroom": ""}
    response = client.post(f"/hearings/{hearing.id}/reschedule", data=data)
    assert response.status_code == 200
    assert "does not exist at this court" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Hearing, hearing.id).starts_at == datetime(2027, 2, 1, 14, tzinfo=UTC)


def test_csv_import_refuses_the_gap_and_takes_the_first_of_a_repeated_time() -> None:
    courts = {"chi": CourtRef(id=1, name="Chicago Immigration Court", tz_name="America/Chicago")}
    now = datetime(2027, 1, 1, tzinfo=UTC)
    good = {"court": "CHI", "kind": "master", "languages": "es", "respondent_ref": "R.", "accompaniers": "1"}
    gap = validate_row(line=2, values={**good, "date": "2027-03-14", "time": "02:30"}, courts=courts, now=now)
    assert not gap.ok and ("time", "nonexistent_time") in gap.errors
    twice = validate_row(line=3, values={**good, "date": FALL_BACK, "time": "01:30"}, courts=courts, now=now)
    assert twice.ok and twice.plan is not None
    assert twice.plan.starts_at == datetime(2027, 11, 7, 6, 30, tzinfo=UTC)
    assert twice.plan.shifts[0].starts_at == twice.plan.starts_at - timedelta(minutes=45)
