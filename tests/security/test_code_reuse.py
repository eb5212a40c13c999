"""Each code signs in once: the same TOTP or recovery code sent at once from many half sign-ins.

Every session has passed the password step on its own test client; the code step then runs in
threads, each request on its own database connection (PostgreSQL), all released together.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from scheduler import create_app
from scheduler.extensions import db
from scheduler.web.two_step import MAX_FAILURES
from tests.conftest import FreshRequestClient, base_config
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.security.helpers import enable_2fa, fresh_code

SESSIONS = 8


@pytest.fixture
def app_config(database_url):
    config = base_config(database_url)
    config["RATELIMIT_ENABLED"] = False  # eight sign-ins from one address in one second
    return config


def _half_signed_in(app, user, count: int) -> list:
    clients = []
    for _ in range(count):
        client = app.test_client()
        response = client.post("/auth/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
        assert response.headers["Location"].endswith("/auth/two-step")
        clients.append(client)
    return clients


def _send_at_once(clients: list, code: str) -> int:
    """Post the code from every client at the same moment; how many were let in."""
    barrier = threading.Barrier(len(clients))

    def one(client) -> bool:
        barrier.wait()
        response = client.post("/auth/two-step", data={"code": code})
        return response.status_code == 302 and not response.headers["Location"].endswith("/auth/login")

    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        admitted = sum(pool.map(one, clients))
    signed_in = sum(client.get("/account/").status_code == 200 for client in clients)
    assert signed_in == admitted
    return admitted


@pytest.mark.committed  # other connections must see the rows
def test_one_totp_code_from_eight_sessions_at_once_lets_in_one_on_postgresql(app, backend) -> None:
    if backend != "postgresql":
        pytest.skip("row locks are tested on PostgreSQL; SQLite has its own test below")
    volunteer = make_user()
    enable_2fa(volunteer)
    clients = _half_signed_in(app, volunteer, SESSIONS)
    assert _send_at_once(clients, fresh_code(volunteer, offset=1)) == 1


@pytest.mark.committed  # other connections must see the rows
def test_one_recovery_code_from_eight_sessions_at_once_lets_in_one_on_postgresql(app, backend) -> None:
    if backend != "postgresql":
        pytest.skip("row locks are tested on PostgreSQL; SQLite has its own test below")
    volunteer = make_user()
    codes = enable_2fa(volunteer)
    clients = _half_signed_in(app, volunteer, SESSIONS)
    assert _send_at_once(clients, codes[0]) == 1


def test_one_code_from_eight_sessions_at_once_lets_in_one_on_a_sqlite_file(tmp_path) -> None:
    app = create_app({**base_config(f"sqlite:///{tmp_path / 'codes.sqlite3'}"), "RATELIMIT_ENABLED": False})
    app.test_client_class = FreshRequestClient
    with app.app_context():
        db.create_all()
        volunteer = make_user()
        codes = enable_2fa(volunteer)
        assert _send_at_once(_half_signed_in(app, volunteer, SESSIONS), fresh_code(volunteer, offset=1)) == 1
        assert _send_at_once(_half_signed_in(app, volunteer, SESSIONS), codes[1]) == 1
        db.session.remove()
        db.engine.dispose()


def test_wrong_codes_are_counted_per_account_so_an_old_cookie_gives_no_new_tries(app, client) -> None:
    volunteer = make_user()
    enable_2fa(volunteer)
    client.post("/auth/login", data={"email": volunteer.email, "password": DEFAULT_PASSWORD})
    saved = client.get_cookie("session").value  # taken before any wrong code
    for _ in range(MAX_FAILURES - 1):
        assert client.post("/auth/two-step", data={"code": "000000"}).status_code == 200
    assert client.post("/auth/two-step", data={"code": "000000"}).headers["Location"].endswith("/auth/login")
    # Replaying the cookie from before the wrong codes: no fresh tries, not even with the right code.
    client.set_cookie("session", saved)
    response = client.post("/auth/two-step", data={"code": fresh_code(volunteer, offset=1)})
    assert response.headers["Location"].endswith("/auth/login")
    assert client.get("/account/").status_code == 302


def test_the_password_step_starts_a_fresh_count_of_wrong_codes(app, client) -> None:
    volunteer = make_user()
    enable_2fa(volunteer)
    for _ in range(2):
        client.post("/auth/login", data={"email": volunteer.email, "password": DEFAULT_PASSWORD})
        for _ in range(MAX_FAILURES - 1):
            assert client.post("/auth/two-step", data={"code": "000000"}).status_code == 200
    assert client.post("/auth/two-step", data={"code": fresh_code(volunteer, offset=1)}).status_code == 302
    assert client.get("/account/").status_code == 200
