"""Personal API tokens: shown once, kept hashed, scoped, expiring, revocable, and only bearer."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from scheduler.accounts import api_tokens, sessions
from scheduler.enums import Role, UserStatus
from scheduler.errors import ServiceError
from scheduler.extensions import db
from scheduler.models import ApiToken, AuditEvent, TwoFactorSecret
from scheduler.types import utcnow
from tests.factories import make_api_token, make_hearing, make_user


def test_a_token_is_stored_only_as_its_hash_and_works_as_a_bearer(app, api) -> None:
    volunteer = make_user()
    secret = make_api_token(volunteer)
    db.session.commit()
    row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == volunteer.id))
    assert secret.startswith("acc_") and len(secret) > 40
    assert row.token_hash == api_tokens.hash_token(secret) and secret not in (row.token_hash, row.prefix)
    assert api.get("courts", secret).status_code == 200
    assert api.get("courts", secret[:-1] + ("A" if secret[-1] != "A" else "B")).status_code == 401


def test_a_signed_in_cookie_alone_never_reaches_the_api(app, api, auth) -> None:
    volunteer = make_user()
    db.session.commit()
    auth.login_as(volunteer)
    assert api.client.get("/commitments").status_code == 200  # the cookie works on the pages
    response = api.get("commitments")
    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert api.get("commitments", headers={"Authorization": "Basic dXNlcjpwdw=="}).status_code == 401


def test_expired_revoked_and_unapproved_tokens_are_refused(app, api) -> None:
    volunteer, suspended = make_user(), make_user()
    live, old, gone = (make_api_token(volunteer) for _ in range(3))
    theirs = make_api_token(suspended)
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.token_hash == api_tokens.hash_token(old))
        .values(expires_at=utcnow() - timedelta(minutes=1))
    )
    gone_id = db.session.scalar(select(ApiToken.id).where(ApiToken.token_hash == api_tokens.hash_token(gone)))
    assert api_tokens.revoke_token(db.session(), user=volunteer, token_id=gone_id, now=utcnow())
    suspended.status = UserStatus.SUSPENDED
    db.session.commit()
    assert api.get("courts", live).status_code == 200
    assert [api.get("courts", t).status_code for t in (old, gone, theirs)] == [401, 401, 401]


def test_staff_need_two_step_sign_in_for_a_token_and_to_keep_using_it(app, api) -> None:
    coordinator = make_user(role=Role.COORDINATOR)
    with pytest.raises(ServiceError) as refused:
        api_tokens.create_token(
            db.session(),
            user=coordinator,
            name="x",
            can_write=False,
            can_read_private=False,
            days=30,
            now=utcnow(),
        )
    assert refused.value.code == "two_step_required"
    token = make_api_token(coordinator)  # turns two-step sign-in on first
    db.session.commit()
    assert api.get("hearings", token).status_code == 200
    db.session.delete(db.session.get(TwoFactorSecret, coordinator.id))
    db.session.commit()
    assert api.get("hearings", token).status_code == 401


def test_only_staff_tokens_can_read_private_details(app) -> None:
    volunteer = make_user()
    make_api_token(volunteer, private=True)
    row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == volunteer.id))
    assert row.can_read_private is False


def test_a_lock_down_revokes_every_api_token(app, api) -> None:
    admin, volunteer = make_user(role=Role.ADMIN), make_user()
    token = make_api_token(volunteer)
    db.session.commit()
    assert api.get("courts", token).status_code == 200
    sessions.lock_down(db.session(), actor=admin, user=volunteer)
    db.session.commit()
    assert api.get("courts", token).status_code == 401
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.locked_down"))
    assert event.details["api_tokens_revoked"] == 1


def test_a_read_only_token_cannot_change_anything(app, api) -> None:
    hearing, volunteer = make_hearing(), make_user()
    token = make_api_token(volunteer, write=False)
    db.session.commit()
    response = api.post(f"shifts/{hearing.shifts[0].id}/claim", token, json={}, lang="es")
    assert response.status_code == 403
    assert response.json["code"] == "read_only_token"
    assert "Este token" in response.json["detail"]


def test_the_account_page_shows_a_new_token_once_and_lists_and_revokes_it(app, api, auth) -> None:
    volunteer = make_user()
    db.session.commit()
    auth.login_as(volunteer)
    form = {"name": "Signal bot", "access": "write", "days": "30"}
    made = api.client.post("/account/api-tokens", data=form)
    page = made.get_data(as_text=True)
    secret = re.search(r"acc_[A-Za-z0-9_-]{40,}", page).group(0)
    assert made.headers["Cache-Control"] == "no-store"
    assert api.post("shifts/999/claim", secret, json={}).status_code == 404  # works, and can write
    listing = api.client.get("/account/api-tokens").get_data(as_text=True)
    assert "Signal bot" in listing and secret not in listing and secret[:8] in listing
    row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == volunteer.id))
    assert api.client.post(f"/account/api-tokens/{row.id}/revoke").status_code == 302
    assert api.get("courts", secret).status_code == 401
    assert "Signal bot" not in api.client.get("/account/api-tokens").get_data(as_text=True)


def test_a_coordinator_without_two_step_sign_in_is_told_on_the_page(app, api, auth) -> None:
    coordinator = make_user(role=Role.COORDINATOR)
    db.session.commit()
    auth.login_as(coordinator)
    page = api.client.post("/account/api-tokens", data={"name": "Report", "access": "read", "days": "90"})
    assert "only with two-step sign-in" in page.get_data(as_text=True)
    assert db.session.scalar(select(ApiToken).where(ApiToken.user_id == coordinator.id)) is None
