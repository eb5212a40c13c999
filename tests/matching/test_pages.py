"""Matching pages: coordinators see suggestions and plans; volunteers see only their own."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from scheduler.enums import Attendance, Role, ShiftRole, SignupStatus
from scheduler.extensions import db
from scheduler.models import Invitation, InvitationStatus, Signup
from scheduler.types import utcnow
from tests.factories import make_court, make_hearing, make_signup, make_user
from tests.matching_helpers import free_person, local_start


@pytest.fixture
def world(app):
    court = make_court(name="Chicago Immigration Court")
    hearing = make_hearing(
        court=court,
        starts_at=local_start(3),
        seats={ShiftRole.INTERPRETER: 1, ShiftRole.ACCOMPANIER: 1},
        languages=("mam", "es"),
        respondent_ref="Rosa",
    )
    past = make_hearing(court=court, starts_at=utcnow() - timedelta(days=40))
    past.case_key = hearing.case_key
    volunteer = free_person(display_name="Vera Volunteer", languages=("mam",))
    other = free_person(display_name="Olga Other", languages=("es",))
    make_signup(shift=past.shifts[0], user=other, attendance=Attendance.ATTENDED)
    world = {
        "court": court,
        "hearing": hearing,
        "interp": next(s for s in hearing.shifts if s.role == ShiftRole.INTERPRETER),
        "accomp": next(s for s in hearing.shifts if s.role == ShiftRole.ACCOMPANIER),
        "volunteer": volunteer,
        "other": other,
        "coordinator": make_user(role=Role.COORDINATOR),
    }
    db.session.commit()
    return world


def test_coordinator_sees_suggestions_with_reasons_and_invites(client, auth, world):
    auth.login_as(world["coordinator"])
    page = client.get(f"/shifts/{world['accomp'].id}").get_data(as_text=True)
    assert "Suggested volunteers" in page
    assert "Olga Other" in page and "was with R." in page
    assert "Vera Volunteer" in page and "speaks Mam" in page
    response = client.post(f"/matching/shifts/{world['accomp'].id}/invite/{world['volunteer'].id}")
    assert response.status_code == 302
    inv = db.session.scalar(select(Invitation))
    assert (inv.user_id, inv.shift_id, inv.status) == (
        world["volunteer"].id,
        world["accomp"].id,
        InvitationStatus.PENDING,
    )
    assert (
        db.session.scalar(
            select(func.count()).select_from(Signup).where(Signup.shift_id == world["accomp"].id)
        )
        == 0
    )


def test_coordinator_withdraws_an_invitation_from_the_shift_page(client, auth, world):
    auth.login_as(world["coordinator"])
    shift_id, person = world["accomp"].id, world["volunteer"]
    client.post(f"/matching/shifts/{shift_id}/invite/{person.id}")
    page = client.get(f"/shifts/{shift_id}").get_data(as_text=True)
    assert "Invited, no answer yet" in page
    assert f"/matching/shifts/{shift_id}/invite/{person.id}/withdraw" in page
    done = client.post(f"/matching/shifts/{shift_id}/invite/{person.id}/withdraw", follow_redirects=True)
    assert "The invitation to Vera Volunteer is withdrawn." in done.get_data(as_text=True)
    assert db.session.scalar(select(Invitation.status)) == InvitationStatus.CANCELLED
    assert "Invited, no answer yet" not in client.get(f"/shifts/{shift_id}").get_data(as_text=True)
    again = client.post(f"/matching/shifts/{shift_id}/invite/{person.id}/withdraw", follow_redirects=True)
    assert "no open invitation" in again.get_data(as_text=True)


def test_inviting_someone_who_cannot_take_the_seat_says_why(client, auth, world):
    portuguese = free_person(languages=("pt",))
    db.session.commit()
    auth.login_as(world["coordinator"])
    response = client.post(
        f"/matching/shifts/{world['interp'].id}/invite/{portuguese.id}", follow_redirects=True
    )
    assert "does not speak" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0


def test_volunteer_is_refused_every_coordinator_route(client, auth, world):
    auth.login_as(world["volunteer"])
    shift_id, user_id = world["accomp"].id, world["other"].id
    assert client.get("/matching/plan").status_code == 403
    assert client.post("/matching/plan", data={"court": 0}).status_code == 403
    assert client.post("/matching/plan/send", data={"plan": "x"}).status_code == 403
    assert client.post(f"/matching/shifts/{shift_id}/invite/{user_id}").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0


def test_volunteer_pages_never_show_suggestions_or_other_volunteers(client, auth, world):
    auth.login_as(world["volunteer"])
    for url in ("/shifts", "/shifts?all=1", f"/shifts/{world['accomp'].id}", f"/shifts/{world['interp'].id}"):
        page = client.get(url).get_data(as_text=True)
        assert "Olga Other" not in page
        assert "was with" not in page and "Rosa" not in page and "R." not in page
        assert "Suggested volunteers" not in page


def test_open_seats_page_recommends_with_a_volunteer_safe_reason(client, auth, world):
    auth.login_as(world["volunteer"])
    page = client.get("/shifts").get_data(as_text=True)
    assert "Recommended for you" in page
    assert "you speak Mam" in page


def test_plan_review_then_send_checked_lines_only(client, auth, world):
    auth.login_as(world["coordinator"])
    assert client.get("/matching/plan").status_code == 200
    today = utcnow().date()
    form = {"court": 0, "start": today.isoformat(), "end": (today + timedelta(days=13)).isoformat()}
    review = client.post("/matching/plan", data=form)
    assert review.status_code == 200
    html = review.get_data(as_text=True)
    assert "Review the plan" in html and "Vera Volunteer" in html and "Olga Other" in html
    token = re.search(r'name="plan" type="hidden" value="([^"]+)"', html) or re.search(
        r'id="plan" name="plan" type="hidden" value="([^"]+)"', html
    )
    token = token.group(1)
    assert client.post("/matching/plan/send", data={"plan": token + "x", "line": ["0"]}).status_code == 400
    response = client.post("/matching/plan/send", data={"plan": token, "line": ["0"]}, follow_redirects=True)
    assert "1 invitation sent" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 1
    assert (
        db.session.scalar(
            select(func.count()).select_from(Signup).where(Signup.status == SignupStatus.CONFIRMED)
        )
        == 1
    )


def test_plan_form_errors_are_shown_not_raised(client, auth, world):
    auth.login_as(world["coordinator"])
    today = utcnow().date()
    bad = client.post(
        "/matching/plan",
        data={"court": 0, "start": today.isoformat(), "end": (today - timedelta(days=1)).isoformat()},
    )
    assert bad.status_code == 400 and "cannot be before" in bad.get_data(as_text=True)
    long = client.post(
        "/matching/plan",
        data={"court": 0, "start": today.isoformat(), "end": (today + timedelta(days=200)).isoformat()},
    )
    assert long.status_code == 400 and "two months" in long.get_data(as_text=True)


def test_volunteer_accepts_an_invitation_on_their_page(client, auth, world):
    auth.login_as(world["coordinator"])
    client.post(f"/matching/shifts/{world['accomp'].id}/invite/{world['volunteer'].id}")
    auth.logout()
    auth.login_as(world["volunteer"])
    page = client.get("/invitations").get_data(as_text=True)
    assert "Waiting for your answer" in page
    inv = db.session.scalar(select(Invitation))
    response = client.post(f"/invitations/{inv.id}/accept", follow_redirects=True)
    assert "You have the seat" in response.get_data(as_text=True)
    db.session.refresh(inv)
    assert inv.status == InvitationStatus.ACCEPTED


def test_someone_elses_invitation_is_not_found(client, auth, world):
    auth.login_as(world["coordinator"])
    client.post(f"/matching/shifts/{world['accomp'].id}/invite/{world['volunteer'].id}")
    auth.logout()
    auth.login_as(world["other"])
    inv = db.session.scalar(select(Invitation))
    assert client.post(f"/invitations/{inv.id}/accept").status_code == 404
    assert "Vera" not in client.get("/invitations").get_data(as_text=True)


def test_plan_stopped_by_the_time_limit_shows_the_gap_it_proved(client, auth, world, monkeypatch):
    """A plan the time limit stopped says how far from the best it may be, in the user's language."""
    from dataclasses import replace

    from scheduler.matching import planning

    real_plan = planning.plan

    def stopped(problem, *, time_limit):
        result = real_plan(problem, time_limit=time_limit)
        return replace(result, method="time_limit", bound=result.weighted_fill * 1.025)

    monkeypatch.setattr(planning, "plan", stopped)
    auth.login_as(world["coordinator"])
    today = utcnow().date()
    form = {"court": 0, "start": today.isoformat(), "end": (today + timedelta(days=13)).isoformat()}
    html = client.post("/matching/plan", data=form).get_data(as_text=True)
    assert "Good plan (time limit reached)" in html
    assert "proved to be within 2.4% of the best plan" in html


def test_plan_out_of_time_says_it_is_partial(app, client, auth, world, monkeypatch):
    """No time left for the search: the page says which seats were left for later, in Spanish too."""
    monkeypatch.setitem(app.config, "PLAN_TIME_LIMIT_SECONDS", 0)
    auth.login_as(world["coordinator"])
    today = utcnow().date()
    form = {"court": 0, "start": today.isoformat(), "end": (today + timedelta(days=13)).isoformat()}
    html = client.post("/matching/plan", data=form).get_data(as_text=True)
    assert "Partial plan (time limit reached)" in html
    assert "There was no time to look for volunteers for 2 shifts: their seats are left for later." in html
    assert "2 shifts still have open seats" in html
    # Nobody was looked for: the page does not claim nobody fits, nor a bound of 100%.
    assert "This plan fills 0 of" in html and "can be filled" not in html
    assert "No volunteer was found in the time there was." in html
    assert "Nobody who fits is free" not in html
    assert "proved to be within" not in html
    world["coordinator"].locale = "es"
    db.session.commit()
    html = client.post("/matching/plan", data=form).get_data(as_text=True)
    assert "Plan parcial (se alcanzó el tiempo límite)" in html
    assert "No hubo tiempo de buscar voluntarios para 2 turnos: sus lugares quedan para más tarde." in html
    assert "Este plan cubre 0 de" in html
    assert "No se encontró ningún voluntario en el tiempo disponible." in html
