"""Shift pages: what volunteers see and may do, and that no id in a URL reaches another's seat."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from scheduler.enums import Role, ShiftRole, SignupStatus
from scheduler.extensions import db
from scheduler.models import AuditEvent, Signup
from scheduler.types import utcnow
from tests.factories import make_court, make_hearing, make_signup, make_user


def _hearing(**kw):
    values = dict(
        respondent_ref="J.Q.",
        private_notes="Family fears a hallway arrest",
        meeting_point="Lobby by the elevators",
        public_notes="Bring a book",
        seats={ShiftRole.ACCOMPANIER: 2},
    )
    values.update(kw)
    return make_hearing(**values)


def _with_phone(user, phone):
    user.phone = phone
    return user


def _status(shift, user):
    db.session.expire_all()
    return db.session.scalar(
        select(Signup.status).where(Signup.shift_id == shift.id, Signup.user_id == user.id)
    )


def test_open_shifts_lists_seats_without_anything_private(client, auth):
    hearing = _hearing()
    other = make_user(display_name="Somebody Else")
    make_signup(shift=hearing.shifts[0], user=other)
    volunteer = make_user(roles=(ShiftRole.ACCOMPANIER,))
    db.session.commit()
    auth.login_as(volunteer)
    page = client.get("/shifts").get_data(as_text=True)
    assert hearing.court.name in page
    assert "1 of 2 filled" in page
    for secret in ("J.Q.", "hallway arrest", "Lobby by the elevators", "Bring a book", "Somebody Else"):
        assert secret not in page


def test_open_shifts_default_to_the_profile_and_can_show_all(client, auth):
    _hearing(seats={ShiftRole.DRIVER: 1}, court=make_court(name="Driver Court"))
    _hearing(court=make_court(name="Accompany Court"))
    volunteer = make_user(roles=(ShiftRole.ACCOMPANIER,))
    db.session.commit()
    auth.login_as(volunteer)
    fitted = client.get("/shifts").get_data(as_text=True)
    assert '"seat-where">Accompany Court' in fitted and '"seat-where">Driver Court' not in fitted
    everything = client.get("/shifts?all=1").get_data(as_text=True)
    assert '"seat-where">Driver Court' in everything


def test_pending_volunteer_cannot_see_or_claim_shifts(client, auth):
    from scheduler.enums import UserStatus

    shift = _hearing().shifts[0]
    pending = make_user(status=UserStatus.PENDING)
    db.session.commit()
    auth.login_as(pending)
    assert client.get("/shifts").status_code == 403
    assert client.post(f"/shifts/{shift.id}/claim").status_code == 403
    assert _status(shift, pending) is None


def test_claim_shows_the_meeting_point_only_after_taking_the_seat(client, auth):
    shift = _hearing().shifts[0]
    volunteer = make_user()
    db.session.commit()
    auth.login_as(volunteer)
    assert "Lobby by the elevators" not in client.get(f"/shifts/{shift.id}").get_data(as_text=True)
    page = client.post(f"/shifts/{shift.id}/claim", follow_redirects=True).get_data(as_text=True)
    assert "You have a seat" in page and "Lobby by the elevators" in page
    assert _status(shift, volunteer) == SignupStatus.CONFIRMED


def test_refusal_says_why_in_plain_words(client, auth):
    shift = _hearing(seats={ShiftRole.INTERPRETER: 1}, languages=("mam", "es")).shifts[0]
    volunteer = make_user(languages=("pt",))
    db.session.commit()
    auth.login_as(volunteer)
    page = client.post(f"/shifts/{shift.id}/claim", follow_redirects=True).get_data(as_text=True)
    assert "This seat needs someone who speaks Mam or Spanish." in page
    assert _status(shift, volunteer) is None


def test_overlap_refusal_names_the_other_seat(client, auth):
    court = make_court(name="Chicago Immigration Court")
    start = (utcnow() + timedelta(days=3)).replace(microsecond=0)
    first = _hearing(court=court, starts_at=start).shifts[0]
    second = _hearing(court=court, starts_at=start + timedelta(minutes=20)).shifts[0]
    volunteer = make_user()
    make_signup(shift=first, user=volunteer)
    db.session.commit()
    auth.login_as(volunteer)
    page = client.post(f"/shifts/{second.id}/claim", follow_redirects=True).get_data(as_text=True)
    assert "You already have a seat on" in page and "at Chicago Immigration Court that overlaps" in page


def test_claim_needs_a_csrf_token_when_csrf_is_on(app, client, auth):
    shift = _hearing().shifts[0]
    volunteer = make_user()
    db.session.commit()
    auth.login_as(volunteer)
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(f"/shifts/{shift.id}/claim")
    assert response.status_code == 400
    assert _status(shift, volunteer) is None


def test_changing_the_shift_id_cannot_drop_someone_elses_seat(client, auth):
    shift = _hearing().shifts[0]
    owner, intruder = make_user(), make_user()
    make_signup(shift=shift, user=owner)
    db.session.commit()
    auth.login_as(intruder)
    page = client.post(f"/shifts/{shift.id}/drop", follow_redirects=True).get_data(as_text=True)
    assert "You do not hold a seat on this shift." in page
    assert client.post(f"/shifts/{shift.id}/handover", follow_redirects=True).status_code == 200
    assert client.post(f"/shifts/{shift.id}/handover/withdraw", follow_redirects=True).status_code == 200
    assert _status(shift, owner) == SignupStatus.CONFIRMED
    db.session.expire_all()
    owner_row = db.session.scalar(select(Signup).where(Signup.user_id == owner.id))
    assert owner_row.handover_offered_at is None


def test_volunteer_cannot_see_the_roster_or_act_as_coordinator(client, auth):
    shift = _hearing().shifts[0]
    owner = _with_phone(make_user(display_name="Owner Person"), "+1 312 555 0100")
    make_signup(shift=shift, user=owner)
    intruder = make_user()
    db.session.commit()
    auth.login_as(intruder)
    page = client.get(f"/shifts/{shift.id}").get_data(as_text=True)
    assert "Owner Person" not in page and "555 0100" not in page
    for action in ("remove", "assign", "lead", "attendance", "outcome"):
        assert client.post(f"/shifts/{shift.id}/{action}", data={"user_id": owner.id}).status_code == 403
    assert _status(shift, owner) == SignupStatus.CONFIRMED


def test_unknown_shift_is_a_404_not_a_500(client, auth):
    auth.login_as(make_user())
    db.session.commit()
    assert client.get("/shifts/999999").status_code == 404
    assert client.post("/shifts/999999/claim").status_code == 404


def test_late_drop_needs_a_reason_and_shows_on_the_coordinator_home(client, auth):
    shift = _hearing(starts_at=(utcnow() + timedelta(hours=6)).replace(microsecond=0)).shifts[0]
    volunteer = make_user(display_name="Late Dropper")
    coordinator = make_user(role=Role.COORDINATOR)
    make_signup(shift=shift, user=volunteer)
    db.session.commit()
    auth.login_as(volunteer)
    page = client.post(f"/shifts/{shift.id}/drop", follow_redirects=True).get_data(as_text=True)
    assert "Please say why you cannot come" in page
    assert _status(shift, volunteer) == SignupStatus.CONFIRMED
    client.post(f"/shifts/{shift.id}/drop", data={"reason": "Flu"})
    assert _status(shift, volunteer) == SignupStatus.DROPPED
    auth.logout()
    auth.login_as(coordinator)
    home = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "Seats given up at short notice" in home and "Late Dropper" in home and "Flu" in home


def test_coordinator_override_is_recorded(client, auth):
    shift = _hearing(seats={ShiftRole.DRIVER: 1}).shifts[0]
    coordinator = make_user(role=Role.COORDINATOR)
    volunteer = make_user(display_name="No Car Person")
    db.session.commit()
    auth.login_as(coordinator)
    page = client.post(f"/shifts/{shift.id}/assign", data={"user_id": volunteer.id}, follow_redirects=True)
    assert "This seat is for a driver with a car" in page.get_data(as_text=True)
    assert _status(shift, volunteer) is None
    client.post(
        f"/shifts/{shift.id}/assign", data={"user_id": volunteer.id, "override_reason": "Borrowing a car"}
    )
    db.session.expire_all()
    row = db.session.scalar(select(Signup).where(Signup.user_id == volunteer.id))
    assert row.status == SignupStatus.CONFIRMED and row.override_reason == "Borrowing a car"
    assert row.assigned_by_id == coordinator.id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "signup.assigned_override"))
    assert event.details["override"] == ["no_car"] and event.actor_id == coordinator.id


def test_coordinator_outside_their_courts_gets_403(client, auth):
    shift = _hearing().shifts[0]
    elsewhere = make_user(role=Role.COORDINATOR, courts=(make_court(),))
    db.session.commit()
    auth.login_as(elsewhere)
    assert client.get(f"/shifts/{shift.id}").status_code == 403
    assert client.post(f"/shifts/{shift.id}/assign", data={"user_id": elsewhere.id}).status_code == 403


def test_remove_promotes_and_the_promoted_person_sees_it(client, auth):
    shift = _hearing(seats={ShiftRole.ACCOMPANIER: 1}).shifts[0]
    holder, waiting = make_user(), make_user()
    coordinator = make_user(role=Role.COORDINATOR)
    make_signup(shift=shift, user=holder)
    make_signup(
        shift=shift,
        user=waiting,
        status=SignupStatus.WAITLISTED,
        waitlisted_at=utcnow(),
        seen_status=SignupStatus.WAITLISTED,
    )
    db.session.commit()
    auth.login_as(coordinator)
    client.post(f"/shifts/{shift.id}/remove", data={"user_id": holder.id})
    assert _status(shift, holder) == SignupStatus.REMOVED
    assert _status(shift, waiting) == SignupStatus.CONFIRMED
    auth.logout()
    auth.login_as(waiting)
    first = client.get("/commitments").get_data(as_text=True)
    assert "You moved up from the waitlist" in first and "Lobby by the elevators" in first
    again = client.get("/commitments").get_data(as_text=True)
    assert "You moved up from the waitlist" in again, "a GET marks nothing as seen"
    stamps = re.findall(r'name="seen" value="([^"]+)"', again)
    assert client.post("/commitments/seen", data={"seen": stamps}).status_code == 302
    after = client.get("/commitments").get_data(as_text=True)
    assert "You moved up from the waitlist" not in after and "Mark these changes as seen" not in after


def test_a_change_after_the_page_was_shown_stays_news(client, auth):
    hearing = _hearing(seats={ShiftRole.ACCOMPANIER: 1})
    volunteer, coordinator = make_user(), make_user(role=Role.COORDINATOR)
    make_signup(shift=hearing.shifts[0], user=volunteer, assigned_by_id=coordinator.id)
    db.session.commit()
    auth.login_as(volunteer)
    page = client.get("/commitments").get_data(as_text=True)
    assert "New: a coordinator gave you this seat." in page
    stamps = re.findall(r'name="seen" value="([^"]+)"', page)
    hearing.version += 1  # a coordinator edits the hearing before the button is pressed
    db.session.commit()
    client.post("/commitments/seen", data={"seen": stamps})
    assert "New: a coordinator gave you this seat." in client.get("/commitments").get_data(as_text=True)


def test_commitments_show_the_team_and_phones_only_to_the_team_lead(client, auth):
    hearing = _hearing(seats={ShiftRole.ACCOMPANIER: 2, ShiftRole.INTERPRETER: 1})
    lead = _with_phone(make_user(display_name="Lead Person"), "+1 312 555 0101")
    member = _with_phone(make_user(display_name="Member Person"), "+1 312 555 0102")
    interpreter = _with_phone(make_user(display_name="Interp Person", languages=("es",)), "+1 312 555 0103")
    make_signup(shift=hearing.shifts[0], user=lead, team_lead=True)
    make_signup(shift=hearing.shifts[0], user=member)
    make_signup(shift=hearing.shifts[1], user=interpreter)
    db.session.commit()
    auth.login_as(member)
    page = client.get("/commitments").get_data(as_text=True)
    assert "Lead Person" in page and "Interp Person" in page and "Team lead" in page
    assert "555 01" not in page
    auth.logout()
    auth.login_as(lead)
    page = client.get("/commitments").get_data(as_text=True)
    assert "555 0102" in page and "555 0103" in page


def test_hand_over_through_the_pages(client, auth):
    shift = _hearing(seats={ShiftRole.ACCOMPANIER: 1}).shifts[0]
    giver, taker = make_user(), make_user()
    make_signup(shift=shift, user=giver)
    db.session.commit()
    auth.login_as(giver)
    client.post(f"/shifts/{shift.id}/handover")
    auth.logout()
    auth.login_as(taker)
    assert "Take over this seat" in client.get(f"/shifts/{shift.id}").get_data(as_text=True)
    client.post(f"/shifts/{shift.id}/handover/take")
    assert _status(shift, taker) == SignupStatus.CONFIRMED
    assert _status(shift, giver) == SignupStatus.DROPPED
