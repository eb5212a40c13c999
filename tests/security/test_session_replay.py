"""Sign-out signs out: a copy of the cookie taken before the session ended is refused after it.

Each test signs in, copies the session and remember-me cookies as a thief would, ends the
session one way (sign-out, idle timeout, password change, lock-down) and replays the copy
in another browser (test client).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event, func, select, update

from scheduler.enums import Role
from scheduler.extensions import db
from scheduler.models import UserSession
from scheduler.privacy import retention
from scheduler.types import utcnow
from tests.factories import DEFAULT_PASSWORD, make_user

REMEMBER = "remember_token"


def _sign_in(app, user, *, remember: bool = True):
    client = app.test_client()
    data = {"email": user.email, "password": DEFAULT_PASSWORD}
    if remember:
        data["remember"] = "y"
    assert client.post("/auth/login", data=data).status_code == 302
    assert client.get("/account/").status_code == 200
    return client


def _copy(client) -> dict[str, str]:
    return {name: client.get_cookie(name).value for name in ("session", REMEMBER) if client.get_cookie(name)}


def _replay(app, cookies: dict[str, str], *names: str) -> int:
    """Status of /account/ in a fresh browser holding only the named copied cookies."""
    thief = app.test_client()
    for name in names:
        thief.set_cookie(name, cookies[name])
    return thief.get("/account/").status_code


def _age_sessions(minutes: int) -> None:
    db.session.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=minutes)))
    db.session.commit()


def test_a_copied_cookie_is_refused_after_sign_out(app) -> None:
    volunteer = make_user()
    db.session.commit()
    client = _sign_in(app, volunteer)
    copied = _copy(client)
    assert _replay(app, copied, "session") == 200  # the copy works while the session lives
    client.post("/auth/logout")
    assert client.get("/account/").status_code == 302
    assert _replay(app, copied, "session") == 302
    assert _replay(app, copied, REMEMBER) == 302
    assert _replay(app, copied, "session", REMEMBER) == 302


def test_a_copied_cookie_is_refused_after_the_idle_timeout(app) -> None:
    volunteer = make_user()
    db.session.commit()
    client = _sign_in(app, volunteer)
    copied = _copy(client)
    _age_sessions(app.config["IDLE_TIMEOUT_VOLUNTEER_MINUTES"] + 1)
    assert client.get("/account/").status_code == 302  # signed out for idleness
    assert _replay(app, copied, "session") == 302
    assert _replay(app, copied, REMEMBER) == 302  # the browser-restart path is closed too


def test_a_copied_cookie_is_refused_after_a_password_change(app) -> None:
    volunteer = make_user()
    db.session.commit()
    client = _sign_in(app, volunteer)
    copied = _copy(client)
    new = "a completely different passphrase"
    response = client.post(
        "/account/password", data={"current_password": DEFAULT_PASSWORD, "password": new, "confirm": new}
    )
    assert response.status_code == 302
    assert client.get("/account/").status_code == 200  # this browser goes on in a new session
    assert _replay(app, copied, "session") == 302
    assert _replay(app, copied, REMEMBER) == 302


def test_a_copied_cookie_is_refused_after_lock_down(app, client, auth) -> None:
    admin = make_user(role=Role.ADMIN)
    target = make_user()
    db.session.commit()
    victim = _sign_in(app, target)
    copied = _copy(victim)
    auth.login_as(admin)
    assert client.post(f"/admin/people/{target.id}/lockdown").status_code == 302
    assert victim.get("/account/").status_code == 302
    assert _replay(app, copied, "session") == 302
    assert _replay(app, copied, REMEMBER) == 302
    db.session.expire_all()
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(UserSession)
            .where(UserSession.user_id == target.id, UserSession.revoked_at.is_(None))
        )
        == 0
    )


def test_a_signed_in_request_reads_its_session_once_and_writes_nothing_within_a_minute(app) -> None:
    volunteer = make_user()
    db.session.commit()
    client = _sign_in(app, volunteer)
    statements: list[str] = []

    def note(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        assert client.get("/account/").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    on_sessions = [s for s in statements if "user_sessions" in s]
    assert len(on_sessions) == 1 and on_sessions[0].lstrip().upper().startswith("SELECT")
    assert "users" in on_sessions[0]  # the person is loaded in the same query
    # Past a minute, the next request moves last-seen on (one write).
    _age_sessions(2)
    client.get("/account/")
    db.session.expire_all()
    seen = db.session.scalar(select(UserSession.last_seen_at).where(UserSession.user_id == volunteer.id))
    assert utcnow() - seen < timedelta(minutes=1)


def test_the_purge_removes_ended_and_lapsed_sessions(app) -> None:
    volunteer = make_user()
    db.session.commit()
    signed_out = _sign_in(app, volunteer)
    signed_out.post("/auth/logout")
    live = _sign_in(app, volunteer)
    _sign_in(app, volunteer)  # left open, then lapses
    db.session.execute(
        update(UserSession)
        .where(UserSession.revoked_at.is_(None))
        .values(last_seen_at=utcnow() - timedelta(days=4))
    )
    db.session.commit()
    live.get("/account/")  # signed out for idleness: revoked
    result = retention.purge(db.session, now=utcnow(), session_idle=timedelta(days=3))
    db.session.commit()
    assert result.sessions_removed == 3
    assert db.session.scalar(select(func.count()).select_from(UserSession)) == 0
