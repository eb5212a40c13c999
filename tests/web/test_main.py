"""Home pages per role, the health check, error pages, headers and the language switch."""

import pytest
from sqlalchemy.exc import OperationalError

from scheduler.enums import Role, UserStatus
from scheduler.extensions import db
from scheduler.models import User
from tests.factories import make_court, make_hearing, make_signup, make_user


def test_healthz_reports_ok_after_a_database_round_trip(app, client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_healthz_reports_503_when_the_database_is_unreachable(app, client, monkeypatch) -> None:
    def broken(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "reason": "database unavailable"}


def test_unknown_page_is_a_404_in_the_layout(app, client) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Page not found" in page
    assert 'class="site-header"' in page


def test_wrong_method_is_a_405_in_the_layout(app, client) -> None:
    response = client.get("/auth/logout")
    assert response.status_code == 405
    assert "This page cannot be used that way." in response.get_data(as_text=True)


@pytest.mark.own_app  # adds a route
def test_an_unexpected_error_shows_the_500_page_and_no_trace(app, client) -> None:
    @app.get("/test-only-boom")
    def boom():
        raise RuntimeError("secret internals: respondent A-123-456-789")

    response = client.get("/test-only-boom")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Something went wrong" in page
    assert 'class="site-header"' in page
    assert "secret internals" not in page and "Traceback" not in page


def test_welcome_page_for_visitors(app, client) -> None:
    page = client.get("/").get_data(as_text=True)
    assert "/auth/login" in page and "/auth/register" in page


def test_volunteer_home_lists_their_own_commitments_only(app, client, auth) -> None:
    court = make_court(name="Phoenix Immigration Court", timezone="America/Phoenix")
    hearing = make_hearing(court=court)
    volunteer = make_user(display_name="Vera Volunteer", languages=("es",))
    other = make_user()
    make_signup(shift=hearing.shifts[0], user=volunteer)
    other_court = make_court(name="Somebody Else's Court")
    make_signup(shift=make_hearing(court=other_court).shifts[0], user=other)
    db.session.commit()
    auth.login_as(volunteer)
    page = client.get("/").get_data(as_text=True)
    assert "Hello, Vera Volunteer" in page
    assert "Phoenix Immigration Court" in page
    assert "Somebody Else" not in page
    assert "Complete your profile" in page  # no roles or availability yet


def test_coordinator_home_shows_who_waits_for_approval(app, client, auth) -> None:
    coordinator = make_user(role=Role.COORDINATOR)
    make_user(status=UserStatus.PENDING)
    db.session.commit()
    auth.login_as(coordinator)
    response = client.get("/", follow_redirects=True)
    assert response.status_code == 200
    # The coordinator's home (the coverage dashboard) points at who waits for approval.
    assert "volunteers waiting for approval" in response.get_data(as_text=True)
    assert "/people/?status=pending" in response.get_data(as_text=True)


def test_language_switch_is_kept_in_the_session_for_visitors(app, client) -> None:
    response = client.post("/language", data={"lang": "es", "next": "/auth/login"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"
    with client.session_transaction() as session:
        assert session["lang"] == "es"
    assert '<html lang="es">' in client.get("/auth/login").get_data(as_text=True)


def test_language_switch_is_remembered_on_the_account(app, client, auth) -> None:
    user = make_user()
    db.session.commit()
    auth.login_as(user)
    client.post("/language", data={"lang": "es"})
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "es"
    # A new device: the account's choice wins over the browser's header.
    other = app.test_client()
    other.post("/auth/login", data={"email": user.email, "password": "correct horse battery staple"})
    page = other.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="es">' in page


def test_an_unknown_language_is_ignored(app, client) -> None:
    response = client.post("/language", data={"lang": "xx"})
    assert response.status_code == 302
    with client.session_transaction() as session:
        assert "lang" not in session


def test_language_switch_will_not_redirect_off_site(app, client) -> None:
    response = client.post("/language", data={"lang": "en", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("header, expected", [("es-MX,es;q=0.9", "es"), ("fr", "en")])
def test_browser_language_is_the_default(app, client, header, expected) -> None:
    page = client.get("/auth/login", headers={"Accept-Language": header}).get_data(as_text=True)
    assert f'<html lang="{expected}">' in page
