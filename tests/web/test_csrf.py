"""With CSRF protection on (as in production), a POST without the token changes nothing."""

from typing import Any

import pytest
from sqlalchemy import func, select

from scheduler.enums import Role, UserStatus
from scheduler.extensions import db
from scheduler.models import Court, User
from tests.factories import DEFAULT_PASSWORD, make_user


@pytest.fixture
def app_config(database_url: str) -> dict[str, Any]:
    from tests.conftest import base_config

    return {**base_config(database_url), "WTF_CSRF_ENABLED": True}


def _token(client, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    return page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]


def test_login_without_a_token_is_refused(app, client) -> None:
    user = make_user()
    db.session.commit()
    response = client.post("/auth/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    assert client.get("/account/").status_code == 302


def test_login_with_the_token_works(app, client) -> None:
    user = make_user()
    db.session.commit()
    token = _token(client, "/auth/login")
    data = {"email": user.email, "password": DEFAULT_PASSWORD, "csrf_token": token}
    assert client.post("/auth/login", data=data).status_code == 302
    assert client.get("/account/").status_code == 200


def test_register_without_a_token_creates_nobody(app, client) -> None:
    data = {"display_name": "A", "email": "a@example.org", "password": "walnut river lantern"}
    response = client.post("/auth/register", data={**data, "confirm": data["password"]})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def _login(client, user) -> None:
    token = _token(client, "/auth/login")
    client.post("/auth/login", data={"email": user.email, "password": DEFAULT_PASSWORD, "csrf_token": token})


def test_logout_without_a_token_keeps_the_session(app, client) -> None:
    user = make_user()
    db.session.commit()
    _login(client, user)
    assert client.post("/auth/logout").status_code == 400
    assert client.get("/account/").status_code == 200


def test_staff_actions_without_a_token_change_nothing(app, client) -> None:
    coordinator = make_user(role=Role.COORDINATOR)
    pending = make_user(status=UserStatus.PENDING)
    db.session.commit()
    _login(client, coordinator)
    assert client.post(f"/people/{pending.id}/status", data={"status": "approved"}).status_code == 400
    court = {"name": "Forged Court", "kind": "court", "address": "1 St", "city": "X", "state": "TX"}
    assert client.post("/courts/new", data={**court, "timezone": "America/Chicago"}).status_code == 400
    db.session.expire_all()
    assert db.session.get(User, pending.id).status == UserStatus.PENDING
    assert db.session.scalar(select(func.count()).select_from(Court)) == 0


def test_language_switch_without_a_token_changes_nothing(app, client) -> None:
    user = make_user()
    db.session.commit()
    _login(client, user)
    assert client.post("/language", data={"lang": "es"}).status_code == 400
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "en"
