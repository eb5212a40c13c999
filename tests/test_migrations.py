"""Migrations build the schema from nothing on both databases and match the models."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def _fresh_postgresql_database() -> Iterator[str]:
    """An empty PostgreSQL database of its own, dropped afterwards: its URL."""
    if not PG_URL:
        pytest.skip("needs TEST_DATABASE_URL (PostgreSQL)")
    name = f"accompany_migr_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_postgresql_upgrade_from_empty_matches_models():
    with _fresh_postgresql_database() as url:
        diff, tables = _upgrade_and_diff(url)
    assert diff == []
    assert {"users", "hearings", "shifts", "signups"} <= tables


def test_sqlite_enforces_foreign_keys(app, backend):
    from sqlalchemy.exc import IntegrityError

    from scheduler.enums import SignupStatus
    from scheduler.models import Signup

    db.session.add(Signup(shift_id=999_999, user_id=999_999, status=SignupStatus.CONFIRMED))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def _filled_seats_after_upgrade(url: str) -> list[int]:
    """Upgrade to 0017, add a shift with signups the old way, upgrade: the migration counts
    the existing seats, and its triggers keep counting the next ones."""
    from datetime import timedelta

    from scheduler.enums import HearingKind, SignupStatus
    from scheduler.models import Hearing, Signup
    from scheduler.types import utcnow
    from tests.factories import make_court, make_user

    app = create_app(base_config(url))
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="0017_api_tokens")
        starts = utcnow().replace(microsecond=0) + timedelta(days=3)
        hearing = Hearing(
            court=make_court(), starts_at=starts, duration_minutes=60, case_key="k", kind=HearingKind.MASTER
        )
        db.session.add(hearing)
        db.session.flush()
        # The Shift model has the new column already: the row goes in as 0017 knew it.
        db.session.execute(
            text(
                "INSERT INTO shifts (id, hearing_id, role, capacity, starts_at, ends_at, status, created_at,"
                " updated_at)"
                " VALUES (9001, :hearing, 'accompanier', 3, :starts, :ends, 'open', :starts, :starts)"
            ),
            {"hearing": hearing.id, "starts": starts, "ends": starts + timedelta(hours=2)},
        )
        for status in ("confirmed", "confirmed", "waitlisted", "dropped"):
            db.session.add(Signup(shift_id=9001, user_id=make_user().id, status=SignupStatus(status)))
        db.session.commit()
        db.session.remove()
        upgrade(directory=MIGRATIONS)
        with db.engine.begin() as conn:
            counted = [conn.execute(text("SELECT filled_seats FROM shifts WHERE id = 9001")).scalar_one()]
            conn.execute(text("UPDATE signups SET status = 'confirmed' WHERE status = 'waitlisted'"))
            first = conn.execute(
                text("SELECT min(user_id) FROM signups WHERE status = 'confirmed'")
            ).scalar_one()
            conn.execute(text("DELETE FROM signups WHERE user_id = :u"), {"u": first})
            counted.append(conn.execute(text("SELECT filled_seats FROM shifts WHERE id = 9001")).scalar_one())
        db.engine.dispose()
    return counted


def test_sqlite_migration_counts_the_seats_already_held(tmp_path):
    assert _filled_seats_after_upgrade(f"sqlite:///{tmp_path / 'old.sqlite3'}") == [2, 2]


def test_postgresql_migration_counts_the_seats_already_held():
    with _fresh_postgresql_database() as url:
        assert _filled_seats_after_upgrade(url) == [2, 2]


def _local_week_after_upgrade(url: str) -> dict[int, tuple[tuple, tuple]]:
    """Upgrade to 0019, add shifts the old way in three zones (one past local midnight, one
    across the spring-forward hour), upgrade: stored place -> expected, per shift."""
    from datetime import date, time, timedelta

    from scheduler.domain.timezones import local_to_utc, week_seconds
    from scheduler.enums import HearingKind
    from scheduler.models import Hearing
    from tests.factories import make_court

    app = create_app(base_config(url))
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="0019_feed_stamp_cache")
        seats = {
            9101: ("America/Chicago", date(2027, 3, 14), time(1, 30), 120),  # clocks go forward at 2
            9102: ("Pacific/Saipan", date(2027, 3, 14), time(23, 30), 60),  # ends the next day
            9103: ("America/New_York", date(2027, 6, 6), time(9), 60),  # a Sunday
        }
        expected = {}
        for shift_id, (tz, day, at, minutes) in seats.items():
            starts = local_to_utc(day, at, tz)
            ends = starts + timedelta(minutes=minutes)
            hearing = Hearing(
                court=make_court(timezone=tz),
                starts_at=starts,
                duration_minutes=minutes,
                case_key=f"k{shift_id}",
                kind=HearingKind.MASTER,
            )
            db.session.add(hearing)
            db.session.flush()
            db.session.execute(
                text(
                    "INSERT INTO shifts (id, hearing_id, role, capacity, starts_at, ends_at, status,"
                    " created_at, updated_at)"
                    " VALUES (:id, :hearing, 'accompanier', 1, :starts, :ends, 'open', :starts, :starts)"
                ),
                {
                    "id": shift_id,
                    "hearing": hearing.id,
                    "starts": starts if db.engine.dialect.name != "sqlite" else starts.replace(tzinfo=None),
                    "ends": ends if db.engine.dialect.name != "sqlite" else ends.replace(tzinfo=None),
                },
            )
            expected[shift_id] = week_seconds(starts, ends, tz)
        db.session.commit()
        db.session.remove()
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as conn:
            stored = dict(
                (row[0], (row[1], row[2]))
                for row in conn.execute(text("SELECT id, local_week_start, local_week_end FROM shifts"))
            )
        db.engine.dispose()
    return {shift_id: (stored[shift_id], expected[shift_id]) for shift_id in seats}


def test_sqlite_migration_places_the_shifts_already_there(tmp_path):
    found = _local_week_after_upgrade(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    assert all(stored == expected for stored, expected in found.values()), found
    # Two hours from 01:30 across the skipped hour end at 04:30 by the clock.
    assert found[9101][0] == (6 * 86_400 + 5400, 6 * 86_400 + 4 * 3600 + 1800)


def test_postgresql_migration_places_the_shifts_already_there():
    with _fresh_postgresql_database() as url:
        found = _local_week_after_upgrade(url)
    assert all(stored == expected for stored, expected in found.values()), found
