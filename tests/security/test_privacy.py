"""A volunteer downloads their own data and deletes their account."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from scheduler.enums import Role, SignupStatus
from scheduler.extensions import db
from scheduler.models import AuditEvent, Signup, User
from scheduler.types import utcnow
from tests.factories import DEFAULT_PASSWORD, make_court, make_hearing, make_signup, make_user


def test_export_has_my_data_and_nothing_private_about_hearings(app, client, auth) -> None:
    court = make_court(name="Phoenix Immigration Court", timezone="America/Phoenix")
    hearing = make_hearing(
        court=court, respondent_ref="Marisol R.", private_notes="fled violence", outcome_note="relief granted"
    )
    volunteer = make_user(display_name="Vera Volunteer", languages=("es",))
    other = make_user(display_name="Otto Other")
    make_signup(shift=hearing.shifts[0], user=volunteer)
    make_signup(shift=hearing.shifts[0], user=other)
    db.session.commit()
    auth.login_as(volunteer)
    response = client.get("/account/export")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    text = response.get_data(as_text=True)
    data = json.loads(text)
    assert data["account"]["email"] == volunteer.email
    assert data["volunteer_profile"]["languages"] == ["es"]
    assert data["signups"][0]["court"] == "Phoenix Immigration Court"
    assert data["signups"][0]["starts_at_local"].endswith("-07:00")
    for secret in ("Marisol", "fled violence", "relief granted", "Otto Other", other.email):
        assert secret not in text
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.data_exported"))
    assert event.actor_id == volunteer.id


def test_volunteer_deletes_their_account_with_the_password(app, client, auth) -> None:
    past = make_hearing(starts_at=utcnow() - timedelta(days=30))
    volunteer = make_user()
    make_signup(shift=past.shifts[0], user=volunteer)
    db.session.commit()
    user_id = volunteer.id
    auth.login_as(volunteer)
    page = client.post("/account/delete", data={"password": "wrong password here", "understood": "y"})
    assert "This is not your current password." in page.get_data(as_text=True)
    assert db.session.get(User, user_id) is not None
    unticked = client.post("/account/delete", data={"password": DEFAULT_PASSWORD})
    assert "Tick the box" in unticked.get_data(as_text=True)
    done = client.post("/account/delete", data={"password": DEFAULT_PASSWORD, "understood": "y"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user_id) is None
    assert db.session.scalars(select(Signup).where(Signup.user_id == user_id)).all() == []
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.deleted_self"))
    assert event.actor_id is None and event.object_id == user_id
    assert client.get("/account/").status_code == 302


def test_deleting_is_refused_while_holding_seats_at_hearings_to_come(app, client, auth) -> None:
    volunteer = make_user()
    make_signup(shift=make_hearing().shifts[0], user=volunteer, status=SignupStatus.CONFIRMED)
    db.session.commit()
    auth.login_as(volunteer)
    assert "You still hold 1 seat" in client.get("/account/delete").get_data(as_text=True)
    client.post("/account/delete", data={"password": DEFAULT_PASSWORD, "understood": "y"})
    db.session.expire_all()
    assert db.session.get(User, volunteer.id) is not None


def test_coordinators_cannot_delete_themselves(app, client, auth) -> None:
    coordinator = make_user(role=Role.COORDINATOR)
    db.session.commit()
    auth.login_as(coordinator)
    client.post("/account/delete", data={"password": DEFAULT_PASSWORD, "understood": "y"})
    db.session.expire_all()
    assert db.session.get(User, coordinator.id) is not None


def test_profile_links_to_the_privacy_pages(app, client, auth) -> None:
    volunteer = make_user()
    db.session.commit()
    auth.login_as(volunteer)
    page = client.get("/account/").get_data(as_text=True)
    for href in ("/account/two-step", "/account/sign-out-everywhere", "/account/export", "/account/delete"):
        assert f'href="{href}"' in page
