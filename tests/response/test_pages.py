"""The rapid-response pages as people use them: check in, raise an alert, follow it, close it."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from scheduler.domain.timezones import to_local
from scheduler.enums import IncidentKind, IncidentStatus, Role, ShiftRole
from scheduler.extensions import db
from scheduler.models import AuditEvent, Incident, OnCallEntry, OutboxMessage, SeatCheckIn
from scheduler.types import utcnow
from tests.factories import dispatch_intents, make_hearing, make_signup, make_user
from tests.response.helpers import court_in_the_morning, on_call

# Within the alert window (it opens an hour before the hearing).
SOON = timedelta(minutes=30)


def _local_weekday(court) -> int:
    return to_local(utcnow(), court.timezone).weekday()


def _text(response) -> str:
    return response.get_data(as_text=True).replace("&#39;", "'")


def _today(seats: int = 2, starts_in: timedelta = timedelta(hours=2)):
    """A hearing soon (two hours by default) at a court where it is morning, one volunteer seated."""
    court = court_in_the_morning()
    hearing = make_hearing(
        court=court,
        starts_at=(utcnow() + starts_in).replace(microsecond=0),
        courtroom="7",
        respondent_ref="Marisol R.",
        seats={ShiftRole.ACCOMPANIER: seats},
    )
    volunteer = make_user(roles=(ShiftRole.ACCOMPANIER,))
    signup = make_signup(shift=hearing.shifts[0], user=volunteer)
    db.session.commit()
    return hearing, volunteer, signup


def test_the_seat_page_and_home_offer_check_in_on_the_day(app, client, auth) -> None:
    hearing, volunteer, signup = _today()
    auth.login_as(volunteer)
    seat = f"/shifts/{hearing.shifts[0].id}"
    for page in (client.get(seat), client.get("/")):
        body = _text(page)
        assert "I'm here" in body and "Running late" in body and "Can't make it" in body
    response = client.post(f"/response/shifts/{hearing.shifts[0].id}/checkin", data={"state": "here"})
    assert response.status_code == 302
    assert db.session.get(SeatCheckIn, signup.id).state == "here"
    assert "You said:" in _text(client.get(seat))


def test_no_check_in_nor_alert_on_another_day(app, client, auth) -> None:
    hearing = make_hearing()  # in three days
    volunteer = make_user()
    make_signup(shift=hearing.shifts[0], user=volunteer)
    db.session.commit()
    auth.login_as(volunteer)
    body = _text(client.get(f"/shifts/{hearing.shifts[0].id}"))
    assert "I'm here" not in body and "Raise an alert" not in body
    response = client.post(f"/response/shifts/{hearing.shifts[0].id}/checkin", data={"state": "here"})
    assert response.status_code == 302
    assert "only on the day" in _text(client.get(response.location))
    assert db.session.scalar(select(func.count()).select_from(SeatCheckIn)) == 0


def test_cant_make_it_from_home_gives_the_seat_up(app, client, auth) -> None:
    hearing, volunteer, signup = _today()
    auth.login_as(volunteer)
    response = client.post(f"/response/shifts/{hearing.shifts[0].id}/checkin", data={"state": "cant_make_it"})
    assert response.status_code == 302
    db.session.expire_all()
    assert signup.status == "dropped"
    assert "Your seat is free again" in _text(client.get("/"))
    again = client.post(f"/response/shifts/{hearing.shifts[0].id}/checkin", data={"state": "cant_make_it"})
    assert again.status_code == 302
    assert "You no longer have this seat." in _text(client.get(again.location))


def test_a_volunteer_raises_an_alert_with_a_confirmation_and_a_double_tap_opens_one(
    app, client, auth
) -> None:
    hearing, volunteer, _signup = _today(starts_in=SOON)
    auth.login_as(volunteer)
    seat = f"/shifts/{hearing.shifts[0].id}"
    assert "Raise an alert" in _text(client.get(seat))
    form = (
        client.get(f"/response/shifts/{hearing.shifts[0].id}/alert")
        .get_data(as_text=True)
        .replace("&#39;", "'")
    )
    assert "Yes, send the alert now" in form and "Need a lawyer now" in form
    url = f"/response/shifts/{hearing.shifts[0].id}/alert"
    first = client.post(url, data={"kind": "person_detained", "note": "hallway"})
    second = client.post(url, data={"kind": "person_detained", "note": "hallway"})
    assert first.status_code == second.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Incident)) == 1
    assert "already sent" in _text(client.get(second.location))
    assert client.post(url, data={"kind": "nonsense"}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Incident)) == 1


def test_an_alert_outside_the_window_is_refused_with_a_clear_message(app, client, auth) -> None:
    hearing = make_hearing(starts_at=(utcnow() + timedelta(hours=5)).replace(microsecond=0))
    volunteer = make_user()
    make_signup(shift=hearing.shifts[0], user=volunteer)
    db.session.commit()
    auth.login_as(volunteer)
    page = (
        client.get(f"/response/shifts/{hearing.shifts[0].id}/alert")
        .get_data(as_text=True)
        .replace("&#39;", "'")
    )
    assert "Alerts open one hour before the hearing" in page
    response = client.post(f"/response/shifts/{hearing.shifts[0].id}/alert", data={"kind": "ice_present"})
    assert "Alerts open one hour before" in _text(client.get(response.location)).replace("&#39;", "'")
    assert db.session.scalar(select(func.count()).select_from(Incident)) == 0


def test_coordinators_follow_the_day_and_the_incident_live_then_close_it(app, client, auth) -> None:
    hearing, volunteer, _signup = _today(starts_in=SOON)
    coordinator = make_user(role=Role.COORDINATOR, courts=(hearing.court,))
    responder = on_call(hearing.court, weekday=_local_weekday(hearing.court))  # all day, in the court's zone
    db.session.commit()
    auth.login_as(volunteer)
    client.post(f"/response/shifts/{hearing.shifts[0].id}/alert", data={"kind": "ice_present"})
    auth.logout()
    auth.login_as(coordinator)
    today = _text(client.get("/response/today"))
    assert volunteer.display_name in today and "No-show" in today and "ICE present" in today
    assert 'data-poll-url="/response/today/board"' in today
    assert hearing.court.name in _text(client.get("/response/today/board")).replace("&#39;", "'")
    incident = db.session.scalar(select(Incident))
    dispatch_intents()
    reached = _text(client.get(f"/response/incidents/{incident.id}/reached"))
    assert responder.display_name in reached and "Email" in reached and "not yet" in reached
    response = client.post(
        f"/response/incidents/{incident.id}/close",
        data={
            "what_happened": "Two officers in the hallway; nobody detained.",
            "agency": "ICE ERO",
            "lawyer_reached": "y",
            "staff_note": "call the family Monday",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (
        incident.status == IncidentStatus.CLOSED and incident.lawyer_reached and not incident.family_contacted
    )
    page = _text(client.get(f"/response/incidents/{incident.id}"))
    assert "call the family Monday" in page and "ICE ERO" in page
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "incident.closed")) is not None


def test_a_closing_record_must_say_what_happened(app, client, auth) -> None:
    hearing, _volunteer, _signup = _today()
    coordinator = make_user(role=Role.COORDINATOR, courts=(hearing.court,))
    incident = Incident(
        hearing_id=hearing.id,
        court_id=hearing.court_id,
        kind=IncidentKind.OTHER,
        raised_at=utcnow(),
        tier_reached_at=utcnow(),
    )
    db.session.add(incident)
    db.session.commit()
    auth.login_as(coordinator)
    response = client.post(f"/response/incidents/{incident.id}/close", data={"what_happened": ""})
    assert response.status_code == 400
    assert db.session.get(Incident, incident.id).status == IncidentStatus.OPEN


def test_the_ack_link_needs_no_sign_in_confirms_on_post_and_works_once(app, client) -> None:
    hearing, volunteer, _signup = _today(starts_in=SOON)
    responder = on_call(hearing.court, weekday=_local_weekday(hearing.court))
    db.session.commit()
    from scheduler.response.incidents import raise_alert

    raise_alert(
        db.session,
        actor=volunteer,
        shift_id=hearing.shifts[0].id,
        kind=IncidentKind.NEED_LAWYER,
        note="",
        now=utcnow(),
    )
    db.session.commit()
    dispatch_intents()
    body = db.session.scalar(select(OutboxMessage.text_body).where(OutboxMessage.user_id == responder.id))
    path = re.search(r"https://accompany.test(/response/ack/\S+)", body).group(1)
    page = client.get(path)
    assert page.status_code == 200 and "I'm on it" in page.get_data(as_text=True)
    assert db.session.scalar(select(Incident.acknowledged_at)) is None
    done = client.post(path)
    assert done.status_code == 200 and "acknowledged" in _text(done)
    db.session.expire_all()
    assert db.session.scalar(select(Incident.acknowledged_by_id)) == responder.id
    again = client.get(path)
    assert again.status_code == 404 and "already used" in again.get_data(as_text=True)


def test_coordinators_manage_the_on_call_roster(app, client, auth) -> None:
    court = court_in_the_morning()
    coordinator = make_user(role=Role.COORDINATOR, courts=(court,))
    lawyer = make_user(display_name="Ana Abogada")
    db.session.commit()
    auth.login_as(coordinator)
    url = f"/response/courts/{court.id}/oncall"
    response = client.post(
        url, data={"user_id": lawyer.id, "role": "lawyer", "weekday": 3, "starts": "08:00", "ends": "17:00"}
    )
    assert response.status_code == 302
    page = _text(client.get(url))
    assert "Ana Abogada" in page and "Thursday" in page and "Partner lawyer" in page
    bad = client.post(
        url, data={"user_id": lawyer.id, "role": "lawyer", "weekday": 3, "starts": "17:00", "ends": "08:00"}
    )
    assert "The end time must be after the start time." in client.get(bad.location).get_data(
        as_text=True
    ).replace("&#39;", "'")
    entry = db.session.scalar(select(OnCallEntry))
    # Removing asks first: the button that posts sits behind a disclosure that says what it does.
    page_html = client.get(url).get_data(as_text=True)
    remove = page_html.split('<details class="oncall-remove">')[1].split("</details>")[0]
    assert "will no longer be reached first" in remove and "Yes, remove" in remove
    assert f"/oncall/{entry.id}/remove" in remove and "<summary" in remove
    client.post(f"{url}/{entry.id}/remove")
    assert db.session.scalar(select(func.count()).select_from(OnCallEntry)) == 0


def test_the_on_call_roster_names_the_day_in_spanish(app, client, auth) -> None:
    court = court_in_the_morning()
    coordinator = make_user(role=Role.COORDINATOR, courts=(court,), locale="es")
    lawyer = make_user(display_name="Ana Abogada")
    db.session.commit()
    auth.login_as(coordinator)
    url = f"/response/courts/{court.id}/oncall"
    client.post(
        url, data={"user_id": lawyer.id, "role": "lawyer", "weekday": 3, "starts": "08:00", "ends": "17:00"}
    )
    page = client.get(url).get_data(as_text=True)
    # A heading-like list entry starts with the capitalised day; inside the button's label and
    # the question that confirms the removal the day is part of a sentence, in lower case.
    assert "Jueves 08:00" in page and 'aria-label="Quitar a Ana Abogada (jueves)"' in page
    assert (
        "A Ana Abogada ya no se le avisará primero cuando haya una alerta el jueves de 08:00 a 17:00." in page
    )
    assert "Sí, quitar" in page


def test_the_monthly_summary_counts_and_suppresses_small_cells(app, client, auth) -> None:
    hearing, _volunteer, _signup = _today()
    coordinator = make_user(role=Role.COORDINATOR, courts=(hearing.court,))
    now = utcnow()
    for i in range(7):
        kind = IncidentKind.ICE_PRESENT if i < 5 else IncidentKind.PERSON_DETAINED
        db.session.add(
            Incident(
                hearing_id=hearing.id,
                court_id=hearing.court_id,
                kind=kind,
                status=IncidentStatus.CLOSED,
                raised_at=now,
                tier_reached_at=now,
            )
        )
    db.session.commit()
    auth.login_as(coordinator)
    page = (
        client.get(f"/response/courts/{hearing.court_id}/summary")
        .get_data(as_text=True)
        .replace("&#39;", "'")
    )
    first_row = page.split("<tbody>")[1].split("</tr>")[0]
    cells = re.findall(r"<td>([^<]*)</td>", first_row)
    assert cells == ["fewer than 5", "5", "0", "0"]
    assert "Marisol" not in page


def test_alert_pages_speak_spanish(app, client, auth) -> None:
    hearing, _volunteer, _signup = _today(starts_in=SOON)
    volunteer = make_user(locale="es")
    make_signup(shift=hearing.shifts[0], user=volunteer)
    db.session.commit()
    auth.login_as(volunteer)
    form = (
        client.get(f"/response/shifts/{hearing.shifts[0].id}/alert")
        .get_data(as_text=True)
        .replace("&#39;", "'")
    )
    assert "Persona detenida" in form and "Sí, enviar la alerta ahora" in form
    seat = _text(client.get(f"/shifts/{hearing.shifts[0].id}"))
    assert "Ya llegué" in seat


def test_closing_times_are_read_in_the_courts_zone(app, client, auth) -> None:
    hearing, _volunteer, _signup = _today()
    coordinator = make_user(role=Role.COORDINATOR, courts=(hearing.court,))
    incident = Incident(
        hearing_id=hearing.id,
        court_id=hearing.court_id,
        kind=IncidentKind.PERSON_DETAINED,
        raised_at=utcnow(),
        tier_reached_at=utcnow(),
    )
    db.session.add(incident)
    db.session.commit()
    auth.login_as(coordinator)
    local = to_local(hearing.starts_at, hearing.court.timezone).replace(tzinfo=None)
    detained, released = local + timedelta(hours=1), local - timedelta(hours=1)
    fmt = "%Y-%m-%dT%H:%M"
    refused = client.post(
        f"/response/incidents/{incident.id}/close",
        data={
            "what_happened": "x",
            "detained_at": detained.strftime(fmt),
            "released_at": released.strftime(fmt),
        },
    )
    assert "cannot be before the detention time" in _text(client.get(refused.location))
    client.post(
        f"/response/incidents/{incident.id}/close",
        data={"what_happened": "x", "detained_at": detained.strftime(fmt)},
    )
    db.session.expire_all()
    assert incident.detained_at == hearing.starts_at.replace(second=0) + timedelta(hours=1)
