"""A unique value taken by another request at the same instant: the sequential answer, never a 500.

Two requests at the same instant both pass a service's "is it taken?" check; the database's
unique constraint then refuses the second at flush. The deterministic tests below make the
check miss (as it does in the race) and expect exactly what a person gets when the value was
taken earlier; on PostgreSQL two real registrations meet at a barrier between check and insert.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from scheduler.accounts import registry as accounts
from scheduler.courts import catalogue as court_service
from scheduler.enums import Role
from scheduler.extensions import db
from scheduler.models import Court, User
from tests.factories import DEFAULT_PASSWORD, make_court, make_user
from tests.security.test_hostile_input import _sign_in

EMAIL = "same.instant@example.org"


def _registration(email: str = EMAIL) -> dict[str, str]:
    return {
        "display_name": "Same Instant",
        "email": email,
        "password": DEFAULT_PASSWORD,
        "confirm": DEFAULT_PASSWORD,
    }


def _users_with(email: str) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(User).where(User.email == email))


def test_a_registration_that_loses_the_race_gets_the_sequential_answer(app, monkeypatch) -> None:
    client = app.test_client()
    sequential = client.post("/auth/register", data=_registration())
    assert sequential.status_code == 302
    monkeypatch.setattr(accounts, "find_user_by_email", lambda _session, _email: None)
    raced = client.post("/auth/register", data=_registration())
    assert raced.status_code == sequential.status_code
    assert raced.headers["Location"] == sequential.headers["Location"]
    assert _users_with(EMAIL) == 1


@pytest.mark.committed  # other connections must see the rows
def test_two_registrations_at_the_same_instant_on_postgresql(app: Flask, backend, monkeypatch) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite in memory has one connection: no two writers at once")
    barrier = threading.Barrier(2, timeout=30)
    hash_password = accounts.hash_password

    def hash_after_both_checked(password: str) -> str:
        barrier.wait()  # both requests have found the email free
        return hash_password(password)

    monkeypatch.setattr(accounts, "hash_password", hash_after_both_checked)
    statuses: list[int] = []

    def register() -> None:
        response = app.test_client().post("/auth/register", data=_registration())
        statuses.append(response.status_code)

    threads = [threading.Thread(target=register) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302, 302]
    assert _users_with(EMAIL) == 1


@pytest.mark.parametrize("field", ["name", "code"])
def test_a_court_name_or_code_taken_at_the_same_instant_is_a_form_error(app, monkeypatch, field) -> None:
    existing = make_court(name="Raced Court", code="RCD")
    admin = make_user(role=Role.ADMIN)
    db.session.commit()
    monkeypatch.setattr(court_service, "name_taken", lambda *_a, **_k: False)
    monkeypatch.setattr(court_service, "code_taken", lambda *_a, **_k: False)
    data: dict[str, Any] = {
        "name": "Another Court",
        "kind": existing.kind.value,
        "code": "OTH",
        "address": "1 Main St",
        "city": "Chicago",
        "state": "IL",
        "timezone": "America/Chicago",
        "active": "y",
    }
    data[field] = getattr(existing, field)
    client = app.test_client()
    _sign_in(client, admin.id)
    response = client.post("/courts/new", data=data)
    assert response.status_code == 200
    message = (
        "Another court already has this name." if field == "name" else "Another court already has this code."
    )
    assert message in response.get_data(as_text=True)
    assert _count_courts() == 1
    _sign_in(client, admin.id)
    other = make_court(name="Second Court", code="SEC")
    db.session.commit()
    response = client.post(f"/courts/{other.id}/edit", data=data)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert _count_courts() == 2


def _count_courts() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Court))
