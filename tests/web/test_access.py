"""Who may open what: pending and suspended people see only their status; volunteers no staff page."""

import pytest
from sqlalchemy import select

from scheduler.enums import Role, UserStatus
from scheduler.extensions import db
from scheduler.models import Court, User
from tests.factories import make_court, make_hearing, make_user

MARKER_COURT = "Zanzibar Marker Immigration Court"
MARKER_ROOM = "Courtroom-QX-4417"


@pytest.fixture
def world(app):
    """A court with a hearing whose names must never reach a pending or suspended person."""
    court = make_court(name=MARKER_COURT)
    make_hearing(court=court, courtroom=MARKER_ROOM)
    other = make_user(display_name="Other Volunteer Name")
    db.session.commit()
    return {"court": court, "other": other}


def approved_pages(world) -> list[str]:
    court_id, other_id = world["court"].id, world["other"].id
    return [
        "/account/",
        "/account/volunteer",
        "/people/",
        f"/people/{other_id}",
        "/courts/",
        "/courts/new",
        f"/courts/{court_id}/edit",
    ]


@pytest.mark.parametrize("status", [UserStatus.PENDING, UserStatus.SUSPENDED])
def test_pending_and_suspended_people_see_only_their_status(app, client, auth, world, status) -> None:
    person = make_user(status=status, display_name="Waiting Person")
    db.session.commit()
    auth.login_as(person)
    home = client.get("/")
    assert home.status_code == 200
    text = home.get_data(as_text=True)
    assert ("waiting for a coordinator" in text) if status == UserStatus.PENDING else ("suspended" in text)
    for url in approved_pages(world):
        response = client.get(url)
        assert response.status_code == 403, url
        page = response.get_data(as_text=True)
        assert MARKER_COURT not in page and MARKER_ROOM not in page, url
        assert "Other Volunteer Name" not in page, url
    assert MARKER_COURT not in text and MARKER_ROOM not in text


def test_pending_person_cannot_post_to_staff_actions(app, client, auth, world) -> None:
    person = make_user(status=UserStatus.PENDING)
    db.session.commit()
    auth.login_as(person)
    assert client.post(f"/people/{person.id}/status", data={"status": "approved"}).status_code == 403
    assert db.session.get(User, person.id).status == UserStatus.PENDING


def test_every_coordinator_page_refuses_an_approved_volunteer(app, client, auth, world) -> None:
    volunteer = make_user()
    db.session.commit()
    auth.login_as(volunteer)
    court_id, other_id = world["court"].id, world["other"].id
    gets = ["/people/", f"/people/{other_id}", "/courts/", "/courts/new", f"/courts/{court_id}/edit"]
    for url in gets:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "You do not have permission" in response.get_data(as_text=True)
    posts = {
        f"/people/{other_id}/status": {"status": "suspended"},
        f"/people/{other_id}/role": {"role": "admin"},
        f"/people/{other_id}/courts": {"courts": [str(court_id)]},
        "/courts/new": {"name": "Sneaky Court"},
        f"/courts/{court_id}/edit": {"name": "Renamed"},
    }
    for url, data in posts.items():
        assert client.post(url, data=data).status_code == 403, url
    assert db.session.get(User, other_id).status == UserStatus.APPROVED
    assert db.session.get(User, volunteer.id).role == Role.VOLUNTEER
    assert db.session.get(Court, court_id).name == MARKER_COURT


def test_anonymous_visitors_are_sent_to_sign_in(app, client, world) -> None:
    for url in approved_pages(world):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/auth/login" in response.headers["Location"]


def test_welcome_page_for_visitors_shows_no_hearing(app, client, world) -> None:
    page = client.get("/").get_data(as_text=True)
    assert MARKER_COURT not in page
    assert "/auth/register" in page


def test_role_change_is_admin_only(app, client, auth) -> None:
    coordinator = make_user(role=Role.COORDINATOR)
    volunteer = make_user()
    db.session.commit()
    auth.login_as(coordinator)
    assert client.post(f"/people/{volunteer.id}/role", data={"role": "coordinator"}).status_code == 403
    assert db.session.get(User, volunteer.id).role == Role.VOLUNTEER
    assert "Change the role" not in client.get(f"/people/{volunteer.id}").get_data(as_text=True)


def test_admin_makes_a_coordinator(app, client, auth) -> None:
    admin = make_user(role=Role.ADMIN)
    volunteer = make_user()
    db.session.commit()
    auth.login_as(admin)
    response = client.post(f"/people/{volunteer.id}/role", data={"role": "coordinator"})
    assert response.status_code == 302
    assert db.session.get(User, volunteer.id).role == Role.COORDINATOR


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.ADMIN])
def test_a_coordinator_cannot_suspend_staff(app, client, auth, role) -> None:
    coordinator = make_user(role=Role.COORDINATOR)
    staff = make_user(role=role)
    db.session.commit()
    auth.login_as(coordinator)
    assert client.post(f"/people/{staff.id}/status", data={"status": "suspended"}).status_code == 403
    assert db.session.get(User, staff.id).status == UserStatus.APPROVED
    assert "Suspend" not in client.get(f"/people/{staff.id}").get_data(as_text=True)


def test_suspending_someone_signs_them_out(app, auth) -> None:
    coordinator = make_user(role=Role.COORDINATOR)
    volunteer = make_user()
    db.session.commit()
    volunteer_client = app.test_client()
    volunteer_client.post(
        "/auth/login", data={"email": volunteer.email, "password": "correct horse battery staple"}
    )
    assert volunteer_client.get("/account/").status_code == 200
    auth.login_as(coordinator)
    auth._client.post(f"/people/{volunteer.id}/status", data={"status": "suspended"})
    assert volunteer_client.get("/account/").status_code == 302


def test_people_list_filters_by_status_and_search(app, client, auth) -> None:
    coordinator = make_user(role=Role.COORDINATOR)
    make_user(status=UserStatus.PENDING, display_name="Pending Paula")
    make_user(display_name="Approved Alma")
    db.session.commit()
    auth.login_as(coordinator)
    pending = client.get("/people/").get_data(as_text=True)
    assert "Pending Paula" in pending and "Approved Alma" not in pending
    everyone = client.get("/people/?status=all&q=alma").get_data(as_text=True)
    assert "Approved Alma" in everyone and "Pending Paula" not in everyone
    assert client.get("/people/?status=bogus").status_code == 200


def test_unknown_person_is_404(app, client, auth) -> None:
    coordinator = make_user(role=Role.COORDINATOR)
    db.session.commit()
    auth.login_as(coordinator)
    assert client.get("/people/999999").status_code == 404


def test_admin_scopes_a_coordinator_to_courts(app, client, auth) -> None:
    admin = make_user(role=Role.ADMIN)
    coordinator = make_user(role=Role.COORDINATOR)
    chicago, denver, _ = make_court(), make_court(), make_court()
    db.session.commit()
    auth.login_as(admin)
    page = client.get(f"/people/{coordinator.id}").get_data(as_text=True)
    assert "Save the courts" in page and chicago.name in page
    response = client.post(
        f"/people/{coordinator.id}/courts", data={"courts": [str(chicago.id), str(denver.id)]}
    )
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(User, coordinator.id)
    assert {c.id for c in saved.coordinated_courts} == {chicago.id, denver.id}
    assert client.post(f"/people/{coordinator.id}/courts", data={}).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, coordinator.id).coordinated_courts == []


def test_court_scope_form_refuses_unknown_courts_and_non_coordinators(app, client, auth) -> None:
    admin = make_user(role=Role.ADMIN)
    coordinator = make_user(role=Role.COORDINATOR)
    volunteer = make_user()
    court = make_court()
    db.session.commit()
    auth.login_as(admin)
    assert client.post(f"/people/{coordinator.id}/courts", data={"courts": ["999999"]}).status_code == 400
    assert client.post(f"/people/{volunteer.id}/courts", data={"courts": [str(court.id)]}).status_code == 400
    assert "Save the courts" not in client.get(f"/people/{volunteer.id}").get_data(as_text=True)


def test_court_scope_is_refused_to_coordinators(app, client, auth) -> None:
    coordinator = make_user(role=Role.COORDINATOR)
    other = make_user(role=Role.COORDINATOR)
    court = make_court()
    db.session.commit()
    auth.login_as(coordinator)
    assert client.post(f"/people/{other.id}/courts", data={"courts": [str(court.id)]}).status_code == 403
    assert db.session.scalars(select(User).where(User.coordinated_courts.any())).all() == []
