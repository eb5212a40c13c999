"""Two-step sign-in: required for staff, offered to volunteers, recovery codes single use."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import func, select

from scheduler.enums import Role
from scheduler.errors import ServiceError
from scheduler.extensions import db, secret_box
from scheduler.models import AuditEvent, RecoveryCode, TwoFactorSecret
from scheduler.twofactor import secrets as twofactor
from tests.conftest import base_config
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.security.helpers import enable_2fa, fresh_code, login_with_2fa, shown_secret


@pytest.fixture
def app_config(database_url):
    config = base_config(database_url)
    config["REQUIRE_2FA_FOR_STAFF"] = True
    return config


def _signed_in(client) -> bool:
    return client.get("/account/").status_code == 200


def test_volunteer_without_2fa_signs_in_with_the_password_alone(app, client) -> None:
    volunteer = make_user()
    db.session.commit()
    response = client.post("/auth/login", data={"email": volunteer.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert _signed_in(client)


def test_coordinator_must_enrol_before_the_sign_in_completes(app, client) -> None:
    coordinator = make_user(role=Role.COORDINATOR)
    db.session.commit()
    response = client.post("/auth/login", data={"email": coordinator.email, "password": DEFAULT_PASSWORD})
    assert response.headers["Location"].endswith("/auth/two-step/setup")
    # Half signed in: no page but the setup opens.
    assert client.get("/people/").status_code == 302
    page = client.get("/auth/two-step/setup").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page
    secret = shown_secret(page)  # the typed-in alternative to the QR code
    assert shown_secret(client.get("/auth/two-step/setup").get_data(as_text=True)) == secret
    assert db.session.get(TwoFactorSecret, coordinator.id) is None  # showing it stored nothing
    wrong = client.post("/auth/two-step/setup", data={"code": "000000"})
    assert "That code is not right" in wrong.get_data(as_text=True)
    assert client.get("/people/").status_code == 302
    done = client.post("/auth/two-step/setup", data={"code": pyotp.TOTP(secret).now()})
    codes = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", done.get_data(as_text=True))
    assert len(codes) == 10
    assert client.get("/people/").status_code == 200
    stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10 and not any(c.replace("-", "") in stored for c in codes)


def test_enrolled_coordinator_needs_the_code_and_a_wrong_code_does_not_sign_in(app, client) -> None:
    coordinator = make_user(role=Role.COORDINATOR)
    enable_2fa(coordinator)
    client.post("/auth/login", data={"email": coordinator.email, "password": DEFAULT_PASSWORD})
    bad = client.post("/auth/two-step", data={"code": "123456"})
    assert bad.status_code == 200 and "That code is not right" in bad.get_data(as_text=True)
    assert client.get("/people/").status_code == 302
    ok = client.post("/auth/two-step", data={"code": fresh_code(coordinator, offset=1)})
    assert ok.status_code == 302
    assert client.get("/people/").status_code == 200


def test_a_code_cannot_be_used_twice(app, client) -> None:
    volunteer = make_user()
    enable_2fa(volunteer)
    code = fresh_code(volunteer, offset=1)
    assert twofactor.verify(db.session, user=volunteer, code=code, box=secret_box()) == "totp"
    with pytest.raises(ServiceError):
        twofactor.verify(db.session, user=volunteer, code=code, box=secret_box())


def test_recovery_codes_work_once_each(app, client) -> None:
    volunteer = make_user()
    codes = enable_2fa(volunteer)
    client.post("/auth/login", data={"email": volunteer.email, "password": DEFAULT_PASSWORD})
    assert client.post("/auth/two-step", data={"code": codes[0].upper()}).status_code == 302
    assert _signed_in(client)
    client.post("/auth/logout")
    client.post("/auth/login", data={"email": volunteer.email, "password": DEFAULT_PASSWORD})
    again = client.post("/auth/two-step", data={"code": codes[0]})
    assert again.status_code == 200 and not _signed_in(client)
    assert twofactor.remaining_recovery_codes(db.session, volunteer) == 9
    assert db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "user.2fa_recovery_used")
    )


def test_five_wrong_codes_send_the_person_back_to_the_password(app, client) -> None:
    volunteer = make_user()
    enable_2fa(volunteer)
    client.post("/auth/login", data={"email": volunteer.email, "password": DEFAULT_PASSWORD})
    for _ in range(4):
        assert client.post("/auth/two-step", data={"code": "000000"}).status_code == 200
    last = client.post("/auth/two-step", data={"code": "000000"})
    assert last.headers["Location"].endswith("/auth/login")
    # Even the right code now needs the password first.
    response = client.post("/auth/two-step", data={"code": fresh_code(volunteer, offset=1)})
    assert response.headers["Location"].endswith("/auth/login")
    assert not _signed_in(client)


def test_code_attempts_are_rate_limited_per_account(app, client) -> None:
    app.config["TWO_FACTOR_RATE_LIMIT"] = "3 per minute"
    volunteer = make_user()
    enable_2fa(volunteer)
    statuses = []
    for _ in range(2):  # two sign-ins, so the five-failure reset does not hide the limit
        client.post("/auth/login", data={"email": volunteer.email, "password": DEFAULT_PASSWORD})
        statuses += [client.post("/auth/two-step", data={"code": "000000"}).status_code for _ in range(2)]
    assert statuses[:3] == [200, 200, 200] and statuses[3] == 429


def test_half_signed_in_marker_expires(app, client) -> None:
    volunteer = make_user()
    enable_2fa(volunteer)
    client.post("/auth/login", data={"email": volunteer.email, "password": DEFAULT_PASSWORD})
    with client.session_transaction() as sess:
        sess["two_step"] = {**sess["two_step"], "exp": int(time.time()) - 1}
    response = client.post("/auth/two-step", data={"code": fresh_code(volunteer, offset=1)})
    assert response.headers["Location"].endswith("/auth/login")
    assert not _signed_in(client)


def test_volunteer_turns_2fa_on_and_off_from_the_profile(app, client, auth) -> None:
    volunteer = make_user()
    db.session.commit()
    auth.login_as(volunteer)
    page = client.get("/account/two-step").get_data(as_text=True)
    assert "Off" in page and "data:image/svg+xml" in page
    secret = shown_secret(page)
    wrong = client.post("/account/two-step/enable", data={"code": "000000"})
    assert wrong.status_code == 302 and not twofactor.is_enabled(db.session, volunteer)
    assert shown_secret(client.get("/account/two-step").get_data(as_text=True)) == secret
    on = client.post("/account/two-step/enable", data={"code": pyotp.TOTP(secret).now()})
    assert "Your recovery codes" in on.get_data(as_text=True)
    assert twofactor.is_enabled(db.session, volunteer)
    wrong_password = client.post(
        "/account/two-step/disable",
        data={"password": "nope nope nope", "code": fresh_code(volunteer, offset=1)},
    )
    assert wrong_password.status_code == 302 and twofactor.is_enabled(db.session, volunteer)
    client.post(
        "/account/two-step/disable",
        data={"password": DEFAULT_PASSWORD, "code": fresh_code(volunteer, offset=1)},
    )
    db.session.expire_all()
    assert not twofactor.is_enabled(db.session, volunteer)


def test_staff_cannot_turn_required_2fa_off(app, client) -> None:
    coordinator = make_user(role=Role.COORDINATOR)
    enable_2fa(coordinator)
    login_with_2fa(client, coordinator, DEFAULT_PASSWORD)
    client.post(
        "/account/two-step/disable",
        data={"password": DEFAULT_PASSWORD, "code": fresh_code(coordinator, offset=1)},
    )
    db.session.expire_all()
    assert twofactor.is_enabled(db.session, coordinator)


def test_admin_can_require_2fa_for_everyone(app, client) -> None:
    admin = make_user(role=Role.ADMIN)
    volunteer = make_user()
    enable_2fa(admin)
    login_with_2fa(client, admin, DEFAULT_PASSWORD)
    assert client.post("/admin/security", data={"require_all": "y"}).status_code == 302
    assert twofactor.get_setting(db.session, twofactor.REQUIRE_ALL_SETTING) is True
    client.post("/auth/logout")
    response = client.post("/auth/login", data={"email": volunteer.email, "password": DEFAULT_PASSWORD})
    assert response.headers["Location"].endswith("/auth/two-step/setup")
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "settings.changed")) is not None


def test_admin_can_reset_a_lost_second_factor(app, client) -> None:
    admin = make_user(role=Role.ADMIN)
    volunteer = make_user()
    enable_2fa(admin)
    enable_2fa(volunteer)
    login_with_2fa(client, admin, DEFAULT_PASSWORD)
    version = volunteer.session_version
    assert client.post(f"/admin/people/{volunteer.id}/two-step/reset").status_code == 302
    db.session.expire_all()
    assert not twofactor.is_enabled(db.session, volunteer)
    assert volunteer.session_version == version + 1
