"""Casework pages end to end: forms, refusals shown in words, and what each person sees."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from scheduler.domain.timezones import to_local
from scheduler.enums import HearingKind, HeldStatus, ShiftRole
from scheduler.extensions import db
from scheduler.models import AwaitingDate, Hearing, HearingReport, HearingSeries
from scheduler.types import utcnow
from tests.casework.helpers import chicago, coordinator_of
from tests.factories import make_hearing, make_signup, make_user

RESP = "MARKER-RESP-7731"


def _upcoming_checkin(court):
    return make_hearing(
        court=court,
        starts_at=(utcnow() + timedelta(days=2)).replace(microsecond=0),
        kind=HearingKind.ICE_CHECKIN,
        respondent_ref=RESP,
    )


def test_repeat_a_check_in_and_see_its_dates(app, client, auth) -> None:
    court = chicago()
    coordinator = coordinator_of(court)
    hearing = _upcoming_checkin(court)
    db.session.commit()
    auth.login_as(coordinator)
    page = client.get(f"/hearings/{hearing.id}")
    assert f"/casework/hearings/{hearing.id}/repeat".encode() in page.data
    response = client.post(
        f"/casework/hearings/{hearing.id}/repeat",
        data={"frequency": "weekly", "interval": "2", "end": "count", "count": "4", "weeks_ahead": "5"},
    )
    assert response.status_code == 302
    made = db.session.scalar(select(HearingSeries))
    page = client.get(response.headers["Location"])
    assert page.status_code == 200 and b"Recurring check-in" in page.data
    assert len(made.occurrences) == 3  # today+2, +2 weeks, +4 weeks; the 4th opens later


def test_a_repetition_over_a_year_is_refused_in_words_and_nothing_is_written(app, client, auth) -> None:
    court = chicago()
    coordinator = coordinator_of(court)
    hearing = _upcoming_checkin(court)
    db.session.commit()
    auth.login_as(coordinator)
    response = client.post(
        f"/casework/hearings/{hearing.id}/repeat",
        data={"frequency": "weekly", "interval": "1", "end": "count", "count": "80", "weeks_ahead": "4"},
        follow_redirects=True,
    )
    assert b"more than a year" in response.data
    assert db.session.scalar(select(func.count()).select_from(HearingSeries)) == 0


def test_awaiting_list_add_and_set_the_date(app, client, auth) -> None:
    court = chicago()
    coordinator = coordinator_of(court)
    db.session.commit()
    auth.login_as(coordinator)
    today = to_local(utcnow(), court.timezone).date()
    response = client.post(
        "/casework/awaiting/new",
        data={
            "court_id": court.id,
            "kind": "master",
            "respondent_ref": RESP,
            "next_check_on": today.isoformat(),
        },
    )
    assert response.status_code == 302
    listing = client.get("/casework/awaiting")
    assert RESP.encode() in listing.data and "check now" in listing.get_data(as_text=True)
    entry = db.session.scalar(select(AwaitingDate))
    day = (today + timedelta(days=30)).isoformat()
    response = client.post(f"/casework/awaiting/{entry.id}/date", data={"date": day, "time": "09:30"})
    assert response.status_code == 302 and "/hearings/" in response.headers["Location"]
    db.session.expire_all()
    assert db.session.get(AwaitingDate, entry.id).hearing_id is not None
    assert RESP not in response.headers["Location"]


def test_volunteer_files_a_report_and_sees_it_in_their_history(app, client, auth) -> None:
    court = chicago()
    hearing = make_hearing(court=court, starts_at=utcnow() - timedelta(hours=3), respondent_ref=RESP)
    volunteer = make_user(roles=(ShiftRole.ACCOMPANIER,))
    make_signup(shift=hearing.shifts[0], user=volunteer, team_lead=True)
    db.session.commit()
    auth.login_as(volunteer)
    assert f"/casework/hearings/{hearing.id}/report".encode() in client.get(f"/hearings/{hearing.id}").data
    form = client.get(f"/casework/hearings/{hearing.id}/report")
    assert form.status_code == 200 and RESP.encode() not in form.data
    response = client.post(
        f"/casework/hearings/{hearing.id}/report",
        data={
            "held": "postponed",
            "outcome": "continued",
            "ice_present": "yes",
            "next_kind": "master",
            "next_to_be_set": "y",
        },
    )
    assert response.status_code == 302
    report = db.session.scalar(select(HearingReport))
    assert report.held == HeldStatus.POSTPONED and report.next_awaiting_id is not None
    mine = client.get("/casework/reports/mine")
    assert "It was postponed" in mine.get_data(as_text=True) and RESP.encode() not in mine.data
    again = client.get(f"/casework/hearings/{hearing.id}/report", follow_redirects=True)
    assert b"already filed the report" in again.data


def test_a_next_date_in_the_past_is_refused_in_words(app, client, auth) -> None:
    court = chicago()
    hearing = make_hearing(court=court, starts_at=utcnow() - timedelta(hours=3))
    volunteer = make_user()
    make_signup(shift=hearing.shifts[0], user=volunteer)
    db.session.commit()
    auth.login_as(volunteer)
    yesterday = (utcnow() - timedelta(days=1)).date().isoformat()
    response = client.post(
        f"/casework/hearings/{hearing.id}/report",
        data={"held": "happened", "next_kind": "master", "next_date": yesterday, "next_time": "09:00"},
        follow_redirects=True,
    )
    assert b"must be in the future" in response.data
    assert db.session.scalar(select(func.count()).select_from(HearingReport)) == 0
    assert db.session.scalar(select(func.count()).select_from(Hearing)) == 1


def test_coordinator_sees_the_report_on_the_hearing_page_and_court_watch(app, client, auth) -> None:
    court = chicago()
    coordinator = coordinator_of(court)
    for i in range(5):
        hearing = make_hearing(court=court, starts_at=utcnow() - timedelta(days=1 + i), respondent_ref=RESP)
        db.session.add(
            HearingReport(
                hearing_id=hearing.id,
                court_id=court.id,
                held_month=to_local(hearing.starts_at, court.timezone).strftime("%Y-%m"),
                judge="Judge Ortiz",
                held=HeldStatus.HAPPENED,
                ice_present=True,
                staff_note="MARKER-NOTE-1",
            )
        )
    db.session.commit()
    auth.login_as(coordinator)
    page = client.get(f"/hearings/{hearing.id}")
    assert b"MARKER-NOTE-1" in page.data and b"Report after the hearing" in page.data
    year = to_local(hearing.starts_at, court.timezone).year
    watch = client.get(f"/casework/court-watch?year={year}")
    assert watch.status_code == 200 and b"<svg" in watch.data and b"Judge Ortiz" in watch.data
    assert RESP.encode() not in watch.data and b"<script" not in watch.data
    csv = client.get(f"/casework/court-watch.csv?year={year}")
    assert csv.mimetype == "text/csv" and b"Judge Ortiz" in csv.data and RESP.encode() not in csv.data


def test_other_volunteers_never_see_the_report(app, client, auth) -> None:
    court = chicago()
    hearing = make_hearing(court=court, starts_at=utcnow() - timedelta(hours=3))
    volunteer, other = make_user(), make_user()
    make_signup(shift=hearing.shifts[0], user=volunteer)
    db.session.add(
        HearingReport(
            hearing_id=hearing.id,
            court_id=court.id,
            held_month="2031-01",
            held=HeldStatus.HAPPENED,
            staff_note="N-77",
        )
    )
    db.session.commit()
    auth.login_as(volunteer)
    assert b"N-77" not in client.get(f"/hearings/{hearing.id}").data
    auth.logout()
    auth.login_as(other)
    assert client.get(f"/casework/hearings/{hearing.id}/report").status_code == 404


def test_a_check_in_on_a_federal_holiday_is_flagged_and_skipped_in_one_tap(app, client, auth) -> None:
    from datetime import date

    from scheduler.casework import series as series_service
    from scheduler.domain.recurrence import Frequency
    from tests.casework.helpers import NOW, SETTINGS, checkin

    court = chicago()
    coordinator = coordinator_of(court)
    # The 4th Thursday, monthly: 23 October 2031, then Thanksgiving and Christmas Day.
    first = checkin(court, date(2031, 10, 23))
    made = series_service.start_series(
        db.session,
        actor=coordinator,
        hearing=first,
        spec=series_service.SeriesSpec(frequency=Frequency.MONTHLY_WEEKDAY, count=3, weeks_ahead=1),
        now=NOW,
        settings=SETTINGS,
    )
    db.session.commit()
    auth.login_as(coordinator)
    page = client.get(f"/casework/series/{made.id}").get_data(as_text=True).replace("&#39;", "'")
    assert "Thanksgiving Day (federal holiday)" in page and "Christmas Day (federal holiday)" in page
    assert page.count('class="holiday-skip"') == 2

    # The button's own form: the date and the holiday as the reason, sent as the page has them.
    form = next(f for f in page.split('<form method="post" class="holiday-skip"')[1:] if "2031-11-27" in f)
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form.split("</form>")[0]))
    assert fields["reason"] == "Thanksgiving Day (federal holiday)"
    response = client.post(f"/casework/series/{made.id}/skip", data=fields)
    assert response.status_code == 302
    # A double tap: the second post is refused in words, nothing else changes.
    again = client.post(f"/casework/series/{made.id}/skip", data=fields, follow_redirects=True)
    assert again.status_code == 200 and "not one of the series" in again.get_data(as_text=True)
    db.session.expire_all()
    assert series_service.planned_dates(db.session.get(HearingSeries, made.id)) == [
        date(2031, 10, 23),
        date(2031, 12, 25),
    ]
    coordinator.locale = "es"
    db.session.commit()
    page = client.get(f"/casework/series/{made.id}").get_data(as_text=True)
    assert "Navidad (día festivo federal)" in page and "Acción de Gracias" not in page
