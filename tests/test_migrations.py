"""Migrations build the schema from nothing on both databases and match the models."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from scheduler import create_app
from scheduler.extensions import db
from tests.conftest import PG_URL, base_config

MIGRATIONS = str(Path(__file__).resolve().parents[1] / "migrations")


def _for_dialect(dialect: str):
    """Leave out the model's indexes made for another database only (`Index.ddl_if(dialect=...)`,
    e.g. PostgreSQL's trigram indexes): create_all skips them there, and so do the migrations."""

    def include(obj, _name, type_, reflected, _compare_to) -> bool:
        only = getattr(getattr(obj, "_ddl_if", None), "dialect", None)
        return reflected or type_ != "index" or only is None or only == dialect

    return include


def _upgrade_and_diff(url: str) -> tuple[list, set[str]]:
    app = create_app(base_config(url))
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_object": _for_dialect(conn.dialect.name)}
            )
            diff = compare_metadata(context, db.metadata)
            tables = set(inspect(conn).get_table_names())
        db.engine.dispose()
    return diff, tables


def test_sqlite_upgrade_from_empty_matches_models(tmp_path):
    diff, tables = _upgrade_and_diff(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    assert diff == []
    assert {"users", "hearings", "shifts", "signups", "feed_tokens", "audit_events"} <= tables


def test_postgresql_upgrade_from_empty_matches_models():
    if not PG_URL:
        pytest.skip("needs TEST_DATABASE_URL (PostgreSQL)")
    name = f"accompany_migr_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        diff, tables = _upgrade_and_diff(url)
        assert diff == []
        assert {"users", "hearings", "shifts", "signups"} <= tables
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_sqlite_enforces_foreign_keys(app, backend):
    from sqlalchemy.exc import IntegrityError

    from scheduler.enums import SignupStatus
    from scheduler.models import Signup

    db.session.add(Signup(shift_id=999_999, user_id=999_999, status=SignupStatus.CONFIRMED))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
