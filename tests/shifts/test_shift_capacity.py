"""Coordinators change how many people a shift needs after the hearing is posted."""

from __future__ import annotations

from sqlalchemy import select

from scheduler.enums import Role, ShiftRole, SignupStatus
from scheduler.extensions import db
from scheduler.models import AuditEvent, Shift, Signup
from tests.factories import make_court, make_hearing, make_signup, make_user


def _full_shift_with_waitlist():
    court = make_court()
    hearing = make_hearing(court=court, seats={ShiftRole.ACCOMPANIER: 1})
    shift = hearing.shifts[0]
    make_signup(shift=shift, user=make_user())
    waiting = make_user()
    make_signup(shift=shift, user=waiting, status=SignupStatus.WAITLISTED)
    coordinator = make_user(role=Role.COORDINATOR, courts=(court,))
    db.session.commit()
    return court, shift, waiting, coordinator


def _reload(shift_id):
    db.session.expire_all()
    return db.session.get(Shift, shift_id)


def test_raising_the_seats_gives_the_new_seat_to_the_waitlist(client, auth):
    _court, shift, waiting, coordinator = _full_shift_with_waitlist()
    auth.login_as(coordinator)
    response = client.post(f"/shifts/{shift.id}/capacity", data={"capacity": "2"}, follow_redirects=True)
    assert response.status_code == 200
    assert b"1 from the waitlist now have a seat" in response.data
    assert _reload(shift.id).capacity == 2
    status = db.session.scalar(
        select(Signup.status).where(Signup.shift_id == shift.id, Signup.user_id == waiting.id)
    )
    assert status == SignupStatus.CONFIRMED
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "shift.capacity_changed"))
    assert event.actor_id == coordinator.id and event.details == {"from": 1, "to": 2}


def test_lowering_below_the_seats_held_is_refused_with_a_reason(client, auth):
    _court, shift, _waiting, coordinator = _full_shift_with_waitlist()
    auth.login_as(coordinator)
    response = client.post(f"/shifts/{shift.id}/capacity", data={"capacity": "0"}, follow_redirects=True)
    assert b"Remove someone first" in response.data
    assert _reload(shift.id).capacity == 1


def test_a_number_outside_0_to_20_is_refused_with_a_message(client, auth):
    _court, shift, _waiting, coordinator = _full_shift_with_waitlist()
    auth.login_as(coordinator)
    for bad in ("21", "-1", "many", ""):
        response = client.post(f"/shifts/{shift.id}/capacity", data={"capacity": bad}, follow_redirects=True)
        assert response.status_code == 200
        assert b"from 0 to 20" in response.data
    assert _reload(shift.id).capacity == 1


def test_a_coordinator_of_another_court_cannot_change_the_seats(client, auth):
    _court, shift, _waiting, _coordinator = _full_shift_with_waitlist()
    elsewhere = make_user(role=Role.COORDINATOR, courts=(make_court(),))
    db.session.commit()
    auth.login_as(elsewhere)
    assert client.post(f"/shifts/{shift.id}/capacity", data={"capacity": "5"}).status_code == 403
    assert _reload(shift.id).capacity == 1


def test_a_volunteer_cannot_change_the_seats(client, auth):
    _court, shift, _waiting, _coordinator = _full_shift_with_waitlist()
    volunteer = make_user()
    db.session.commit()
    auth.login_as(volunteer)
    assert client.post(f"/shifts/{shift.id}/capacity", data={"capacity": "5"}).status_code == 403
    assert _reload(shift.id).capacity == 1
