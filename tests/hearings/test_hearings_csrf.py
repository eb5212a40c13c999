"""With CSRF protection on, hearing changes without the form's token change nothing."""

from __future__ import annotations

from typing import Any

import pytest

from scheduler.enums import HearingStatus, Role
from scheduler.extensions import db
from scheduler.models import Hearing
from tests.factories import DEFAULT_PASSWORD, make_hearing, make_user


@pytest.fixture
def app_config(database_url: str) -> dict[str, Any]:
    from tests.conftest import base_config

    return {**base_config(database_url), "WTF_CSRF_ENABLED": True}


def _token(client, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    return page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]


def test_cancel_needs_the_token(app, client) -> None:
    coordinator = make_user(role=Role.COORDINATOR)
    hearing = make_hearing()
    db.session.commit()
    login = _token(client, "/auth/login")
    client.post(
        "/auth/login", data={"email": coordinator.email, "password": DEFAULT_PASSWORD, "csrf_token": login}
    )
    url = f"/hearings/{hearing.id}/cancel"
    assert client.post(url, data={"reason": "No token"}).status_code == 400
    assert db.session.get(Hearing, hearing.id).status == HearingStatus.SCHEDULED
    response = client.post(url, data={"reason": "Court closed", "csrf_token": _token(client, url)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Hearing, hearing.id).status == HearingStatus.CANCELLED
