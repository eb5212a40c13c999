"""Sessions end: after idle time, everywhere on request, on a password change, on lock-down."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from scheduler.accounts.registry import find_reset_token
from scheduler.enums import FeedKind, Role
from scheduler.extensions import db
from scheduler.models import AuditEvent, FeedToken, UserSession
from scheduler.types import utcnow
from tests.factories import DEFAULT_PASSWORD, make_user

REMEMBER = "remember_token"


def _age_session(client, minutes: int) -> None:
    """Make every live session look last seen ``minutes`` ago (the idle clock is on the server)."""
    db.session.execute(
        update(UserSession)
        .where(UserSession.revoked_at.is_(None))
        .values(last_seen_at=utcnow() - timedelta(minutes=minutes))
    )
    db.session.commit()


def test_coordinator_is_signed_out_after_an_idle_hour(app, client, auth) -> None:
    coordinator = make_user(role=Role.COORDINATOR)
    db.session.commit()
    auth.login_as(coordinator)
    _age_session(client, 59)
    assert client.get("/people/").status_code == 200
    _age_session(client, 61)
    response = client.get("/people/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert client.get("/people/").status_code == 302


def test_volunteer_stays_signed_in_for_a_day_but_not_for_four(app, client, auth) -> None:
    volunteer = make_user()
    db.session.commit()
    auth.login_as(volunteer)
    _age_session(client, 60 * 24)
    assert client.get("/account/").status_code == 200
    _age_session(client, 60 * 24 * 3 + 1)
    assert client.get("/account/").status_code == 302


def test_idle_timeouts_are_configurable(app, client, auth) -> None:
    app.config["IDLE_TIMEOUT_VOLUNTEER_MINUTES"] = 5
    volunteer = make_user()
    db.session.commit()
    auth.login_as(volunteer)
    _age_session(client, 6)
    assert client.get("/account/").status_code == 302


def test_staff_get_no_remember_me_cookie(app, client, auth) -> None:
    coordinator = make_user(role=Role.COORDINATOR)
    db.session.commit()
    auth.login(coordinator.email, remember=True)
    assert client.get_cookie(REMEMBER) is None


def test_a_staff_session_restored_from_a_remember_cookie_is_refused(app, client, auth) -> None:
    """A coordinator promoted while holding a volunteer's remember-me cookie cannot skip the idle rule."""
    person = make_user()
    db.session.commit()
    auth.login(person.email, remember=True)
    assert client.get_cookie(REMEMBER) is not None
    person.role = Role.COORDINATOR
    db.session.commit()
    client.delete_cookie("session")  # the browser was closed: only the remember cookie is left
    response = client.get("/people/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_volunteers_remember_cookie_lasts_no_longer_than_their_idle_window(app) -> None:
    assert app.config["REMEMBER_COOKIE_DURATION"] <= timedelta(
        minutes=app.config["IDLE_TIMEOUT_VOLUNTEER_MINUTES"]
    )


def test_sign_out_everywhere_ends_other_devices(app, auth) -> None:
    volunteer = make_user()
    db.session.commit()
    phone, laptop = app.test_client(), app.test_client()
    for device in (phone, laptop):
        assert (
            device.post(
                "/auth/login", data={"email": volunteer.email, "password": DEFAULT_PASSWORD}
            ).status_code
            == 302
        )
    assert "every device" in laptop.get("/account/sign-out-everywhere").get_data(as_text=True)
    assert laptop.post("/account/sign-out-everywhere").status_code == 302
    assert phone.get("/account/").status_code == 302
    assert laptop.get("/account/").status_code == 302
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.signed_out_everywhere"))


def test_a_password_change_ends_every_other_session(app) -> None:
    volunteer = make_user()
    db.session.commit()
    phone, laptop = app.test_client(), app.test_client()
    for device in (phone, laptop):
        device.post(
            "/auth/login", data={"email": volunteer.email, "password": DEFAULT_PASSWORD, "remember": "y"}
        )
    new = "a completely different passphrase"
    laptop.post(
        "/account/password", data={"current_password": DEFAULT_PASSWORD, "password": new, "confirm": new}
    )
    assert laptop.get("/account/").status_code == 200
    phone.delete_cookie("session")  # not even the remember-me cookie brings the phone back
    assert phone.get("/account/").status_code == 302


def test_admin_lock_down_ends_sessions_turns_off_feeds_and_forces_a_reset(app, client, auth, outbox) -> None:
    admin = make_user(role=Role.ADMIN)
    target = make_user()
    db.session.add(FeedToken(user_id=target.id, kind=FeedKind.PERSONAL, token_hash="a" * 64))
    db.session.commit()
    victim = app.test_client()
    victim.post("/auth/login", data={"email": target.email, "password": DEFAULT_PASSWORD})
    assert victim.get("/account/").status_code == 200

    auth.login_as(admin)
    assert "Lock down" in client.get(f"/admin/people/{target.id}/lockdown").get_data(as_text=True)
    assert client.post(f"/admin/people/{target.id}/lockdown").status_code == 302

    assert victim.get("/account/").status_code == 302
    token = db.session.scalar(select(FeedToken).where(FeedToken.user_id == target.id))
    assert token.revoked_at is not None
    # The old password no longer signs in; the owner is sent to reset it.
    attacker = app.test_client()
    response = attacker.post("/auth/login", data={"email": target.email, "password": DEFAULT_PASSWORD})
    assert response.headers["Location"].endswith("/auth/forgot")
    assert attacker.get("/account/").status_code == 302
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.locked_down"))
    assert event.actor_id == admin.id and event.object_id == target.id


def test_a_reset_after_lock_down_gives_the_account_back(app, client) -> None:
    from scheduler.accounts import registry as accounts
    from scheduler.accounts import sessions

    admin = make_user(role=Role.ADMIN)
    target = make_user()
    sessions.lock_down(db.session, actor=admin, user=target)
    _, token = accounts.create_reset_token(db.session, email=target.email, max_age=timedelta(hours=1))
    assert find_reset_token(db.session, token) is not None
    new = "a completely different passphrase"
    accounts.reset_password(db.session, token=token, new_password=new, min_length=10)
    db.session.commit()
    assert not target.must_reset_password
    response = client.post("/auth/login", data={"email": target.email, "password": new})
    assert response.headers["Location"] == "/"


def test_only_admins_lock_accounts_down(app, client, auth) -> None:
    coordinator = make_user(role=Role.COORDINATOR)
    target = make_user()
    db.session.commit()
    auth.login_as(coordinator)
    assert client.post(f"/admin/people/{target.id}/lockdown").status_code == 403
    db.session.refresh(target)
    assert not target.must_reset_password


def test_the_feed_route_never_sets_a_cookie(app, client, auth) -> None:
    volunteer = make_user()
    db.session.commit()
    auth.login_as(volunteer)
    _age_session(client, 10)
    response = client.get("/feeds/" + "x" * 43 + ".ics")
    assert "Set-Cookie" not in response.headers


def test_the_calendar_settings_pages_obey_the_idle_timeout(app, client, auth) -> None:
    """Only the token feed skips the session; the page that makes feed links does not."""
    volunteer = make_user()
    db.session.commit()
    auth.login_as(volunteer)
    _age_session(client, 60 * 24 * 3 + 1)
    response = client.get("/account/calendar")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
