"""Registration, sign-in, sign-out and forgotten passwords, as a person uses them."""

import re
from datetime import timedelta

from sqlalchemy import select

from scheduler.enums import Role, UserStatus
from scheduler.extensions import db
from scheduler.models import PasswordResetToken, User
from tests.factories import DEFAULT_PASSWORD, make_user

NEW_PASSWORD = "walnut river lantern"
GENERIC_LOGIN_ERROR = "That email and password do not match an account."


def register(client, email="ana@example.org", password=NEW_PASSWORD, **extra):
    data = {"display_name": "Ana Pérez", "email": email, "password": password, "confirm": password}
    data.update(extra)
    return client.post("/auth/register", data=data)


def test_registration_approval_then_login(app, client, auth) -> None:
    response = register(client)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/auth/registered")
    volunteer = db.session.scalar(select(User).where(User.email == "ana@example.org"))
    assert volunteer.status == UserStatus.PENDING

    # Pending: signing in works but shows only the status page.
    auth.login("ana@example.org", NEW_PASSWORD)
    page = client.get("/").get_data(as_text=True)
    assert "waiting for a coordinator" in page
    assert client.get("/account/").status_code == 403
    auth.logout()

    coordinator = make_user(role=Role.COORDINATOR)
    db.session.commit()
    auth.login_as(coordinator)
    assert client.post(f"/people/{volunteer.id}/status", data={"status": "approved"}).status_code == 302
    auth.logout()

    auth.login("ana@example.org", NEW_PASSWORD)
    page = client.get("/").get_data(as_text=True)
    assert "Hello, Ana Pérez" in page
    assert client.get("/account/").status_code == 200


def test_register_with_an_existing_email_looks_the_same_and_tells_the_owner(app, client, outbox) -> None:
    make_user(email="taken@example.org", locale="es")
    db.session.commit()
    new = register(client, email="new@example.org")
    taken = register(client, email="Taken@Example.org")
    assert (new.status_code, new.headers["Location"]) == (taken.status_code, taken.headers["Location"])
    assert client.get(taken.headers["Location"]).status_code == 200
    assert [m.to for m in outbox] == ["taken@example.org"]
    assert "/auth/forgot" in outbox[0].text
    assert (
        db.session.scalar(select(User).where(User.email == "taken@example.org")).display_name != "Ana Pérez"
    )


def test_register_refuses_a_common_password_with_a_reason(app, client) -> None:
    response = register(client, password="password123")
    assert response.status_code == 200
    assert "too common" in response.get_data(as_text=True)
    assert db.session.scalar(select(User)) is None


def test_register_refuses_a_short_password(app, client) -> None:
    response = register(client, password="short1!")
    assert "at least 10 characters" in response.get_data(as_text=True)
    assert db.session.scalar(select(User)) is None


def test_bad_credentials_get_one_generic_message(app, client, auth) -> None:
    make_user(email="ana@example.org")
    db.session.commit()
    wrong_password = auth.login("ana@example.org", "not the password").get_data(as_text=True)
    unknown_email = auth.login("nobody@example.org", "not the password").get_data(as_text=True)
    assert GENERIC_LOGIN_ERROR in wrong_password
    assert GENERIC_LOGIN_ERROR in unknown_email


def test_remember_me_sets_a_lasting_cookie_only_when_asked(app, client, auth) -> None:
    user = make_user()
    db.session.commit()
    response = auth.login(user.email, remember=False)
    assert "remember_token" not in response.headers.get("Set-Cookie", "")
    auth.logout()
    response = auth.login(user.email, remember=True)
    cookies = response.headers.getlist("Set-Cookie")
    remember = next(c for c in cookies if c.startswith("remember_token="))
    assert "HttpOnly" in remember
    assert "SameSite=Lax" in remember
    assert "Expires=" in remember


def test_session_cookie_is_httponly_and_lax(app, client, auth) -> None:
    user = make_user()
    db.session.commit()
    cookie = next(c for c in auth.login_as(user).headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_logout_signs_out(app, client, auth) -> None:
    user = make_user()
    db.session.commit()
    auth.login_as(user)
    assert client.get("/account/").status_code == 200
    assert auth.logout().status_code == 302
    response = client.get("/account/")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_logout_by_get_is_not_allowed(app, client, auth) -> None:
    user = make_user()
    db.session.commit()
    auth.login_as(user)
    assert client.get("/auth/logout").status_code == 405
    assert client.get("/account/").status_code == 200


def test_login_goes_on_to_a_safe_next_page_only(app, client) -> None:
    user = make_user()
    db.session.commit()
    data = {"email": user.email, "password": DEFAULT_PASSWORD}
    response = client.post("/auth/login", data={**data, "next": "/account/"})
    assert response.headers["Location"] == "/account/"
    client.post("/auth/logout")
    response = client.post("/auth/login", data={**data, "next": "//evil.example/"})
    assert response.headers["Location"] == "/"


def test_forgot_password_answers_the_same_for_known_and_unknown_emails(app, client, outbox) -> None:
    make_user(email="ana@example.org")
    db.session.commit()
    known = client.post("/auth/forgot", data={"email": "ana@example.org"}, follow_redirects=True)
    unknown = client.post("/auth/forgot", data={"email": "nobody@example.org"}, follow_redirects=True)
    assert known.status_code == unknown.status_code == 200
    assert _main(known) == _main(unknown)
    assert [m.to for m in outbox] == ["ana@example.org"]


def _main(response) -> str:
    return response.get_data(as_text=True).split('<main id="main"', 1)[1].split("</main>", 1)[0]


def _reset_link(outbox) -> str:
    match = re.search(r"https://accompany\.test(/auth/reset/\S+)", outbox[-1].text)
    assert match, outbox[-1].text
    return match.group(1)


def test_reset_link_sets_a_new_password_once(app, client, auth, outbox) -> None:
    user = make_user(email="ana@example.org")
    db.session.commit()
    client.post("/auth/forgot", data={"email": "ana@example.org"})
    link = _reset_link(outbox)
    assert client.get(link).status_code == 200
    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert auth.login(user.email, NEW_PASSWORD).status_code == 302
    auth.logout()
    # The same link again: refused, and the password stays.
    again = client.post(link, data={"password": "yet another phrase", "confirm": "yet another phrase"})
    assert again.status_code == 404
    assert "This link no longer works" in again.get_data(as_text=True)
    assert auth.login(user.email, NEW_PASSWORD).status_code == 302


def test_expired_reset_link_is_refused(app, client, outbox) -> None:
    make_user(email="ana@example.org")
    db.session.commit()
    client.post("/auth/forgot", data={"email": "ana@example.org"})
    link = _reset_link(outbox)
    row = db.session.scalar(select(PasswordResetToken))
    row.expires_at -= timedelta(hours=2)
    db.session.commit()
    response = client.get(link)
    assert response.status_code == 404
    assert "This link no longer works" in response.get_data(as_text=True)


def test_made_up_reset_link_is_refused(app, client) -> None:
    response = client.get("/auth/reset/not-a-real-token")
    assert response.status_code == 404
    assert "Ask for a new link" in response.get_data(as_text=True)


def test_reset_refuses_a_weak_password_and_keeps_the_link_usable(app, client, outbox) -> None:
    make_user(email="maria.lopez@example.org")
    db.session.commit()
    client.post("/auth/forgot", data={"email": "maria.lopez@example.org"})
    link = _reset_link(outbox)
    response = client.post(link, data={"password": "maria.lopez-2026", "confirm": "maria.lopez-2026"})
    assert response.status_code == 200
    assert "Do not use your email address" in response.get_data(as_text=True)
    assert client.get(link).status_code == 200


def test_reset_email_is_in_the_owners_language(app, client, outbox) -> None:
    make_user(email="ana@example.org", locale="es")
    db.session.commit()
    client.post("/auth/forgot", data={"email": "ana@example.org"})
    assert outbox[0].to == "ana@example.org"
    # The subject never carries anything but the product name.
    assert "ana" not in outbox[0].subject.lower()


def test_changing_the_password_signs_out_other_devices_but_not_this_one(app, auth) -> None:
    user = make_user()
    db.session.commit()
    this_device, other_device, remembered = app.test_client(), app.test_client(), app.test_client()
    for client in (this_device, other_device):
        client.post("/auth/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    remembered.post("/auth/login", data={"email": user.email, "password": DEFAULT_PASSWORD, "remember": "y"})
    remembered.delete_cookie("session")  # only the remember-me cookie is left, as after a browser restart
    assert remembered.get("/account/").status_code == 200

    response = this_device.post(
        "/account/password",
        data={"current_password": DEFAULT_PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert this_device.get("/account/").status_code == 200
    assert other_device.get("/account/").status_code == 302
    remembered.delete_cookie("session")
    assert remembered.get("/account/").status_code == 302


def test_changing_the_password_needs_the_current_one(app, client, auth) -> None:
    user = make_user()
    db.session.commit()
    auth.login_as(user)
    response = client.post(
        "/account/password",
        data={"current_password": "not my password", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "This is not your current password." in response.get_data(as_text=True)
    client.post("/auth/logout")
    assert auth.login(user.email, DEFAULT_PASSWORD).status_code == 302


def test_profile_edit_saves_name_phone_and_language(app, client, auth) -> None:
    user = make_user()
    db.session.commit()
    auth.login_as(user)
    response = client.post(
        "/account/", data={"display_name": " Rosa M. ", "phone": "312-555-0101", "locale": "es"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(User, user.id)
    assert (saved.display_name, saved.phone, saved.locale) == ("Rosa M.", "312-555-0101", "es")
