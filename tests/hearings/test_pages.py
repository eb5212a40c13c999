"""Hearing pages: posting in the court's zone, moving, cancelling, and who may see what."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from scheduler.enums import HearingStatus, Role, ShiftRole, ShiftStatus, SignupStatus
from scheduler.extensions import db
from scheduler.models import Hearing
from scheduler.types import utcnow
from tests.factories import make_court, make_hearing, make_signup, make_user

RESP = "MARKER-RESP-7731"
PRIVATE = "MARKER-PRIVATE-4412"


def form(court_id: int, **changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "court_id": court_id,
        "date": (utcnow() + timedelta(days=30)).date().isoformat(),
        "time": "09:00",
        "duration_minutes": 90,
        "kind": "individual",
        "courtroom": "4",
        "respondent_ref": RESP,
        "private_notes": PRIVATE,
        "meeting_point": "Front steps",
        "languages": ["es", "mam"],
        "seat_accompanier_count": 2,
        "seat_interpreter_count": 1,
        "seat_driver_count": 1,
        "seat_observer_count": 0,
    }
    values.update(changes)
    return values


@pytest.mark.parametrize(
    ("tz_name", "day", "utc_hour"),
    [
        ("Pacific/Honolulu", "2031-01-14", 19),
        ("America/Phoenix", "2031-07-15", 16),
        ("America/New_York", "2031-03-10", 13),  # DST began on Sunday 9 March 2031
    ],
)
def test_nine_oclock_at_the_court_is_stored_in_utc_and_shown_as_nine(
    app, client, auth, tz_name: str, day: str, utc_hour: int
) -> None:
    court = make_court(timezone=tz_name)
    coordinator = make_user(role=Role.COORDINATOR)
    db.session.commit()
    auth.login_as(coordinator)
    page = client.get("/hearings/new").get_data(as_text=True)
    assert tz_name in page  # the form names the zone
    response = client.post("/hearings/new", data=form(court.id, date=day))
    assert response.status_code == 302
    hearing = db.session.scalar(select(Hearing))
    y, m, d = map(int, day.split("-"))
    assert hearing.starts_at == datetime(y, m, d, utc_hour, tzinfo=UTC)
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "9:00\u202fAM" in shown or "9:00 AM" in shown
    driver = next(s for s in hearing.shifts if s.role == ShiftRole.DRIVER)
    assert driver.starts_at == hearing.starts_at - timedelta(minutes=90)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"date": "2020-01-01"}, "already passed"),
        ({"seat_accompanier_count": 21}, "from 1 to 20"),
        ({"seat_driver_start": "11:00", "seat_driver_end": "10:00"}, "end must be after the start"),
        ({"respondent_ref": "A-123-456-789"}, "looks like an A-number"),
        ({"public_notes": "Case a 12345678"}, "looks like an A-number"),
        ({"date": "2031-03-09", "time": "02:30"}, "does not exist at this court"),
    ],
)
def test_bad_input_is_refused_beside_the_field(app, client, auth, changes, message) -> None:
    court = make_court(timezone="America/New_York")
    coordinator = make_user(role=Role.COORDINATOR)
    db.session.commit()
    auth.login_as(coordinator)
    response = client.post("/hearings/new", data=form(court.id, **changes))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(Hearing)) is None


@pytest.fixture
def world(app):
    chicago = make_court(name="Chicago Immigration Court")
    houston = make_court(name="Houston Immigration Court")
    hearing = make_hearing(
        court=chicago,
        respondent_ref=RESP,
        private_notes=PRIVATE,
        meeting_point="Lobby by the elevators",
        public_notes="Bring water",
        seats={ShiftRole.ACCOMPANIER: 2, ShiftRole.DRIVER: 1},
    )
    on_it = make_user(display_name="Vera Volunteer")
    teammate = make_user(display_name="Tomas Teammate")
    make_signup(shift=hearing.shifts[0], user=on_it)
    make_signup(shift=hearing.shifts[1], user=teammate)
    db.session.commit()
    return {
        "hearing": hearing,
        "chicago": chicago,
        "houston": houston,
        "on_it": on_it,
        "houston_coordinator": make_user(role=Role.COORDINATOR, courts=(houston,)),
        "chicago_coordinator": make_user(role=Role.COORDINATOR, courts=(chicago,)),
    }


def endpoints(hearing_id: int) -> list[tuple[str, str]]:
    return [
        ("get", "/hearings/"),
        ("get", "/hearings/calendar"),
        ("get", "/hearings/new"),
        ("post", "/hearings/new"),
        ("get", "/hearings/import"),
        ("post", "/hearings/import"),
        ("get", "/hearings/import/template.csv"),
        ("post", "/hearings/import/sometoken"),
        ("get", f"/hearings/{hearing_id}/edit"),
        ("post", f"/hearings/{hearing_id}/edit"),
        ("post", f"/hearings/{hearing_id}/reschedule"),
        ("post", f"/hearings/{hearing_id}/cancel"),
        ("post", f"/hearings/{hearing_id}/next"),
    ]


def test_a_volunteer_cannot_use_any_coordinator_endpoint(app, client, auth, world) -> None:
    auth.login_as(world["on_it"])
    for method, url in endpoints(world["hearing"].id):
        response = getattr(client, method)(url, data={"reason": "x", "court_id": world["chicago"].id})
        assert response.status_code == 403, url
    hearing = db.session.get(Hearing, world["hearing"].id)
    assert hearing.status == HearingStatus.SCHEDULED and hearing.version == 1


def test_a_coordinator_of_another_court_gets_403(app, client, auth, world) -> None:
    auth.login_as(world["houston_coordinator"])
    hid = world["hearing"].id
    for method, url in [
        ("get", f"/hearings/{hid}"),
        ("get", f"/hearings/{hid}/edit"),
        ("get", f"/hearings/{hid}/reschedule"),
        ("post", f"/hearings/{hid}/cancel"),
        ("get", f"/hearings/{hid}/next"),
    ]:
        response = getattr(client, method)(url, data={"reason": "nope"})
        assert response.status_code == 403, url
        assert RESP not in response.get_data(as_text=True)
    # Nor can they move a hearing of theirs into a court they do not coordinate.
    theirs = make_hearing(court=world["houston"])
    db.session.commit()
    day = (utcnow() + timedelta(days=40)).date().isoformat()
    response = client.post(
        f"/hearings/{theirs.id}/reschedule",
        data={"court_id": world["chicago"].id, "date": day, "time": "10:00"},
    )
    assert response.status_code == 200 and db.session.get(Hearing, theirs.id).court_id == world["houston"].id
    dashboard = client.get("/hearings/").get_data(as_text=True)
    assert "Chicago Immigration Court" not in dashboard


def test_volunteer_pages_never_show_private_fields(app, client, auth, world) -> None:
    auth.login_as(world["on_it"])
    page = client.get(f"/hearings/{world['hearing'].id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Lobby by the elevators" in text and "Bring water" in text
    assert "Tomas Teammate" in text  # the team on the same hearing
    for url in ["/", f"/hearings/{world['hearing'].id}"]:
        body = client.get(url, follow_redirects=True).get_data(as_text=True)
        assert RESP not in body and PRIVATE not in body, url
        assert "Change history" not in body


def test_a_waitlisted_volunteer_sees_neither_meeting_point_nor_team(app, client, auth, world) -> None:
    waiting = make_user(display_name="Walter Waiting")
    make_signup(shift=world["hearing"].shifts[0], user=waiting, status=SignupStatus.WAITLISTED)
    db.session.commit()
    auth.login_as(waiting)
    text = client.get(f"/hearings/{world['hearing'].id}").get_data(as_text=True)
    assert "Lobby by the elevators" not in text and "Bring water" not in text
    assert "Vera Volunteer" not in text and "Tomas Teammate" not in text
    assert "once you have a seat" in text
    auth.logout()
    auth.login_as(world["on_it"])
    seated = client.get(f"/hearings/{world['hearing'].id}").get_data(as_text=True)
    assert "Lobby by the elevators" in seated and "Tomas Teammate" in seated


def test_a_volunteer_not_on_the_hearing_gets_404(app, client, auth, world) -> None:
    stranger = make_user()
    db.session.commit()
    auth.login_as(stranger)
    response = client.get(f"/hearings/{world['hearing'].id}")
    assert response.status_code == 404
    assert RESP not in response.get_data(as_text=True)


def test_coordinator_page_shows_private_fields_team_and_history(app, client, auth, world) -> None:
    auth.login_as(world["chicago_coordinator"])
    text = client.get(f"/hearings/{world['hearing'].id}").get_data(as_text=True)
    assert RESP in text and PRIVATE in text and "Vera Volunteer" in text
    assert "1 of 2 filled" in text and "Change history" in text


def test_reschedule_through_the_form(app, client, auth, world) -> None:
    auth.login_as(world["chicago_coordinator"])
    hearing = world["hearing"]
    before = {s.role: s.starts_at for s in hearing.shifts}
    old = hearing.starts_at
    day = (utcnow() + timedelta(days=40)).date().isoformat()
    response = client.post(
        f"/hearings/{hearing.id}/reschedule",
        data={"court_id": world["chicago"].id, "date": day, "time": "13:30", "courtroom": "9"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    hearing = db.session.get(Hearing, hearing.id)
    assert hearing.version == 2 and hearing.courtroom == "9"
    assert hearing.starts_at.astimezone(ZoneInfo("America/Chicago")).strftime("%H:%M") == "13:30"
    assert {s.role: s.starts_at for s in hearing.shifts} == {
        r: t + (hearing.starts_at - old) for r, t in before.items()
    }
    page = client.get(f"/hearings/{hearing.id}").get_data(as_text=True)
    assert "rescheduled or moved the hearing" in page


def test_cancel_through_the_form(app, client, auth, world) -> None:
    auth.login_as(world["chicago_coordinator"])
    hid = world["hearing"].id
    assert client.post(f"/hearings/{hid}/cancel", data={"reason": ""}).status_code == 200
    response = client.post(f"/hearings/{hid}/cancel", data={"reason": "Government shutdown"})
    assert response.status_code == 302
    db.session.expire_all()
    hearing = db.session.get(Hearing, hid)
    assert hearing.status == HearingStatus.CANCELLED
    assert all(s.status == ShiftStatus.CLOSED for s in hearing.shifts)
    assert "Government shutdown" in client.get(f"/hearings/{hid}").get_data(as_text=True)


@pytest.mark.parametrize("tick", [True, False])
def test_editing_the_meeting_point_emails_the_team_unless_unticked(
    app, client, auth, world, outbox, tick
) -> None:
    auth.login_as(world["chicago_coordinator"])
    hid = world["hearing"].id
    page = client.get(f"/hearings/{hid}/edit").get_data(as_text=True)
    (checkbox,) = re.findall(r'<input[^>]*name="notify_volunteers"[^>]*>', page)
    assert "checked" in checkbox  # ticked unless the coordinator unticks it
    data = {
        "kind": "master",
        "duration_minutes": 60,
        "languages": ["es"],
        "meeting_point": "Room 5 door",
        "public_notes": "Bring water",
    }
    if tick:
        data["notify_volunteers"] = "y"
    assert client.post(f"/hearings/{hid}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Hearing, hid).meeting_point == "Room 5 door"
    told = sorted(m.to for m in outbox if "Hearing details changed" in m.subject)
    assert len(told) == (2 if tick else 0)


def test_next_hearing_is_prefilled_and_lists_the_previous_team(app, client, auth, world) -> None:
    auth.login_as(world["chicago_coordinator"])
    hid = world["hearing"].id
    prefilled = client.get(f"/hearings/{hid}/next").get_data(as_text=True)
    assert RESP in prefilled and "Lobby by the elevators" in prefilled
    day = (utcnow() + timedelta(days=60)).date().isoformat()
    response = client.post(f"/hearings/{hid}/next", data=form(world["chicago"].id, date=day))
    assert response.status_code == 302
    new = db.session.scalar(select(Hearing).where(Hearing.previous_hearing_id == hid))
    assert new.case_key == world["hearing"].case_key
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Accompanied this person before" in page and "Vera Volunteer" in page


def test_coordinator_home_is_the_dashboard(app, client, auth, world) -> None:
    auth.login_as(world["chicago_coordinator"])
    response = client.get("/", follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "seats still unfilled in the next 7 days" in text
    assert "volunteers waiting for approval" in text
    assert "Accompaniers" in text and "1 of 2" in text and "1 missing" in text
    assert client.get("/hearings/calendar").status_code == 200
    assert client.get("/hearings/?court=abc&kind=zzz&weeks=-4&page=99").status_code == 200


def test_moving_to_a_court_in_another_zone_keeps_the_typed_local_time(app, client, auth, world) -> None:
    auth.login_as(world["chicago_coordinator"])
    chicago_coordinator = world["chicago_coordinator"]
    new_york = make_court(name="New York Immigration Court", timezone="America/New_York")
    chicago_coordinator.coordinated_courts.append(new_york)
    db.session.commit()
    hearing = world["hearing"]
    driver_gap = hearing.starts_at - hearing.shifts[1].starts_at
    day = (utcnow() + timedelta(days=45)).date()
    response = client.post(
        f"/hearings/{hearing.id}/reschedule",
        data={"court_id": new_york.id, "date": day.isoformat(), "time": "09:00", "courtroom": "12"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    hearing = db.session.get(Hearing, hearing.id)
    local = hearing.starts_at.astimezone(ZoneInfo("America/New_York"))
    assert (local.date(), local.strftime("%H:%M")) == (day, "09:00")
    assert hearing.starts_at - hearing.shifts[1].starts_at == driver_gap
    assert "9:00" in client.get(f"/hearings/{hearing.id}").get_data(as_text=True)


def test_a_hearing_on_a_federal_holiday_says_so_to_everyone_who_sees_it(app, client, auth) -> None:
    from datetime import date, time

    from scheduler.domain.timezones import local_to_utc

    court = make_court(timezone="America/New_York")
    thanksgiving = make_hearing(
        court=court, starts_at=local_to_utc(date(2031, 11, 27), time(9), court.timezone)
    )
    the_day_after = make_hearing(
        court=court, starts_at=local_to_utc(date(2031, 11, 28), time(9), court.timezone)
    )
    coordinator = make_user(role=Role.COORDINATOR, courts=(court,))
    volunteer = make_user(locale="es")
    make_signup(shift=thanksgiving.shifts[0], user=volunteer)
    db.session.commit()

    auth.login_as(coordinator)
    page = client.get(f"/hearings/{thanksgiving.id}").get_data(as_text=True)
    assert "Thanksgiving Day (federal holiday)" in page and "check that the date is right" in page
    assert "federal holiday" not in client.get(f"/hearings/{the_day_after.id}").get_data(as_text=True)

    auth.logout()
    auth.login_as(volunteer)
    response = client.get(f"/hearings/{thanksgiving.id}")
    assert response.status_code == 200
    assert "Día de Acción de Gracias (día festivo federal)" in response.get_data(as_text=True)
