"""With CSRF protection on, matching's POSTs without the token change nothing."""

from typing import Any

import pytest
from sqlalchemy import func, select

from scheduler.enums import Role, ShiftRole
from scheduler.extensions import db
from scheduler.models import Invitation
from tests.factories import DEFAULT_PASSWORD, make_court, make_hearing, make_user
from tests.matching_helpers import free_person, local_start


@pytest.fixture
def app_config(database_url: str) -> dict[str, Any]:
    from tests.conftest import base_config

    return {**base_config(database_url), "WTF_CSRF_ENABLED": True}


def _login(client, user) -> None:
    page = client.get("/auth/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    data = {"email": user.email, "password": DEFAULT_PASSWORD, "csrf_token": token}
    assert client.post("/auth/login", data=data).status_code == 302


def test_invite_and_plan_send_need_the_token(app, client):
    hearing = make_hearing(court=make_court(), starts_at=local_start(3), seats={ShiftRole.ACCOMPANIER: 1})
    person = free_person(languages=("es",))
    coordinator = make_user(role=Role.COORDINATOR)
    db.session.commit()
    _login(client, coordinator)
    assert client.post(f"/matching/shifts/{hearing.shifts[0].id}/invite/{person.id}").status_code == 400
    assert client.post("/matching/plan/send", data={"plan": "x", "line": ["0"]}).status_code == 400
    assert client.post("/matching/plan", data={"court": 0}).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0
