"""Configuration layers and the secret key rules."""

import pytest

from scheduler import create_app


def _config(tmp_path, **extra):
    # SECRETS_KEY (stored secrets) has its own tests in tests/security/test_secrets_at_rest.py.
    secrets_key = "G2meZvXfTeWpuQImxcoXXI9ZFzw-DVDesG7AB53tWSM="
    return {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}", "SECRETS_KEY": secrets_key, **extra}


def test_first_run_writes_a_random_secret_key_to_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("SCHEDULER_SECRET_KEY", raising=False)
    monkeypatch.setenv("SCHEDULER_INSTANCE_PATH", str(tmp_path / "instance"))
    first = create_app(_config(tmp_path))
    key_file = tmp_path / "instance" / "secret_key"
    assert key_file.exists()
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert len(first.config["SECRET_KEY"]) >= 64
    second = create_app(_config(tmp_path))
    assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"]


def test_production_refuses_to_start_without_a_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("SCHEDULER_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(_config(tmp_path, ENV="production"))


def test_production_makes_cookies_secure(tmp_path):
    app = create_app(_config(tmp_path, ENV="production", SECRET_KEY="x" * 64, BASE_URL="https://a.example"))
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_environment_variables_override_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("SCHEDULER_DATABASE_URL", f"sqlite:///{tmp_path / 'env.sqlite3'}")
    monkeypatch.setenv("SCHEDULER_RATELIMIT_STORAGE_URL", "memory://")
    monkeypatch.setenv("SCHEDULER_SECRET_KEY", "from-the-environment")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("env.sqlite3")
    assert app.config["SECRET_KEY"] == "from-the-environment"


def test_test_config_wins_over_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SCHEDULER_PAGE_SIZE", "10")
    app = create_app(_config(tmp_path, SECRET_KEY="k", PAGE_SIZE=25))
    assert app.config["PAGE_SIZE"] == 25
