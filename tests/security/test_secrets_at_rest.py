"""TOTP secrets are stored encrypted (Fernet, SECRETS_KEY); existing rows are encrypted by the
migration; keys rotate with ``flask secrets rotate``; production needs a configured key."""

from __future__ import annotations

from pathlib import Path

import pyotp
import pytest
from cryptography.fernet import Fernet
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from scheduler import create_app
from scheduler.extensions import db, secret_box
from scheduler.models import TwoFactorSecret
from scheduler.secretbox import SecretBox, SecretUnreadable
from tests.conftest import base_config
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.security.helpers import enable_2fa, fresh_code, shown_secret, stored_secret

MIGRATIONS = str(Path(__file__).resolve().parents[2] / "migrations")


def test_the_database_holds_no_totp_secret_in_clear(app, client, auth) -> None:
    volunteer = make_user()
    db.session.commit()
    auth.login_as(volunteer)
    page = client.get("/account/two-step").get_data(as_text=True)
    secret = shown_secret(page)  # shown to its owner, to type into the app
    # Until a code confirms it, the browser holds it, encrypted like the column: never in clear.
    cookie = client.get_cookie("session")
    assert cookie is not None and secret not in cookie.value
    held = app.session_interface.get_signing_serializer(app).loads(cookie.value)
    assert held["two_step_enrol"]["uid"] == volunteer.id and secret not in str(held)
    client.post("/account/two-step/enable", data={"code": pyotp.TOTP(secret).now()})
    assert stored_secret(volunteer) == secret
    stored = db.session.scalar(select(TwoFactorSecret.secret_ciphertext))
    assert secret not in stored
    with pytest.raises(SecretUnreadable):  # a copy of the database without the key is useless
        SecretBox([Fernet.generate_key().decode()]).decrypt(stored)
    # Every column of the row, as the database returns it: no clear secret anywhere.
    row = db.session.execute(text("SELECT * FROM two_factor_secrets")).one()
    assert all(secret not in str(value) for value in row)


def test_rotation_re_encrypts_every_secret_with_the_newest_key(app, runner, client) -> None:
    volunteer = make_user()
    enable_2fa(volunteer)
    secret = stored_secret(volunteer)
    old_key = app.config["SECRETS_KEY"][0]
    new_key = Fernet.generate_key().decode()
    app.extensions["secret_box"] = SecretBox([new_key, old_key])
    result = runner.invoke(args=["secrets", "rotate"])
    assert result.exit_code == 0, result.output
    assert "1 secrets re-encrypted" in result.output
    # The old key can go: the new one alone opens the secret, and sign-in still works.
    app.extensions["secret_box"] = SecretBox([new_key])
    db.session.expire_all()
    assert stored_secret(volunteer) == secret
    client.post("/auth/login", data={"email": volunteer.email, "password": DEFAULT_PASSWORD})
    assert client.post("/auth/two-step", data={"code": fresh_code(volunteer, offset=1)}).status_code == 302
    assert client.get("/account/").status_code == 200
    again = runner.invoke(args=["secrets", "rotate"])
    assert "0 secrets re-encrypted" in again.output


def test_rotation_without_the_old_key_changes_nothing_and_says_so(app, runner) -> None:
    volunteer = make_user()
    enable_2fa(volunteer)
    before = db.session.scalar(select(TwoFactorSecret.secret_ciphertext))
    app.extensions["secret_box"] = SecretBox([Fernet.generate_key().decode()])
    result = runner.invoke(args=["secrets", "rotate"])
    assert result.exit_code != 0 and "nothing was changed" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(TwoFactorSecret.secret_ciphertext)) == before


def test_generate_key_prints_a_usable_key(app, runner) -> None:
    result = runner.invoke(args=["secrets", "generate-key"])
    SecretBox([result.output.strip()])  # raises if it is not a Fernet key


def test_the_migration_encrypts_existing_secrets_and_downgrade_restores_them(tmp_path) -> None:
    app = create_app(base_config(f"sqlite:///{tmp_path / 'm.sqlite3'}"))
    secret = pyotp.random_base32()
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="0003")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO users (id, email, display_name, password_hash, role, status, locale, "
                    "session_version, created_at, updated_at, must_reset_password, feed_alarm, "
                    "feed_show_waitlist) VALUES (1, 'a@example.test', 'A', 'x', 'coordinator', "
                    "'approved', 'en', 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00', 0, 'none', 1)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO two_factor_secrets (user_id, secret, confirmed_at, created_at) "
                    "VALUES (1, :secret, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
                ),
                {"secret": secret},
            )
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as conn:
            stored = conn.execute(text("SELECT secret_ciphertext FROM two_factor_secrets")).scalar_one()
        assert secret not in stored and secret_box().decrypt(stored) == secret
        downgrade(directory=MIGRATIONS, revision="0003")
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT secret FROM two_factor_secrets")).scalar_one() == secret
        db.engine.dispose()


def _config(tmp_path, **extra):
    return {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}", "SECRET_KEY": "k" * 64, **extra}


def test_production_refuses_to_start_without_a_secrets_key(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("SCHEDULER_SECRETS_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRETS_KEY"):
        create_app(_config(tmp_path, ENV="production"))


def test_a_secrets_key_that_is_not_a_fernet_key_is_refused_at_start(tmp_path) -> None:
    with pytest.raises(RuntimeError, match="not a Fernet key"):
        create_app(_config(tmp_path, SECRETS_KEY="too-short"))


def test_development_makes_a_secrets_key_once_in_the_instance_folder(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("SCHEDULER_SECRETS_KEY", raising=False)
    monkeypatch.setenv("SCHEDULER_INSTANCE_PATH", str(tmp_path / "instance"))
    first = create_app(_config(tmp_path))
    key_file = tmp_path / "instance" / "secrets_key"
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    second = create_app(_config(tmp_path))
    assert first.config["SECRETS_KEY"] == second.config["SECRETS_KEY"] == [key_file.read_text().strip()]


def test_several_keys_from_the_environment_newest_first(tmp_path, monkeypatch) -> None:
    new, old = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setenv("SCHEDULER_SECRETS_KEY", f"{new},{old}")
    app = create_app(_config(tmp_path, ENV="production", BASE_URL="https://accompany.example"))
    assert app.config["SECRETS_KEY"] == [new, old]
    written_with_old = SecretBox([old]).encrypt("JBSWY3DPEHPK3PXP")
    box = app.extensions["secret_box"]
    assert box.decrypt(written_with_old) == "JBSWY3DPEHPK3PXP"
    assert SecretBox([new]).decrypt(box.encrypt("x")) == "x"
