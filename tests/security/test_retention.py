"""Short memory: old private hearing details are wiped, never-approved accounts removed."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from scheduler.enums import UserStatus
from scheduler.extensions import db
from scheduler.models import Hearing, Shift, Signup, User
from scheduler.privacy import retention
from scheduler.types import utcnow
from tests.factories import make_hearing, make_signup, make_user

PRIVATE = {"respondent_ref": "M.", "private_notes": "lives with cousin", "outcome_note": "continued to May"}


def test_purge_wipes_private_fields_of_old_hearings_and_keeps_counts(app) -> None:
    now = utcnow()
    old = make_hearing(starts_at=now - timedelta(days=91), **PRIVATE)
    recent = make_hearing(starts_at=now - timedelta(days=89), **PRIVATE)
    volunteer = make_user()
    make_signup(shift=old.shifts[0], user=volunteer)
    db.session.commit()

    result = retention.purge(db.session, now=now, hearing_days=90)
    db.session.commit()
    db.session.expire_all()

    assert result.hearings_wiped == 1
    assert (old.respondent_ref, old.private_notes, old.outcome_note) == ("", "", "")
    assert recent.respondent_ref == "M." and recent.private_notes and recent.outcome_note
    # Rows stay for reports.
    assert db.session.scalar(select(func.count()).select_from(Hearing)) == 2
    assert db.session.scalar(select(func.count()).select_from(Shift).where(Shift.hearing_id == old.id)) == 1
    assert db.session.scalar(select(func.count()).select_from(Signup)) == 1
    assert retention.purge(db.session, now=now, hearing_days=90).hearings_wiped == 0


def test_purge_removes_accounts_never_approved_after_sixty_days(app) -> None:
    now = utcnow()
    stale = make_user(status=UserStatus.PENDING)
    stale.created_at = now - timedelta(days=61)
    fresh = make_user(status=UserStatus.PENDING)
    fresh.created_at = now - timedelta(days=10)
    old_but_approved = make_user()
    old_but_approved.created_at = now - timedelta(days=400)
    db.session.commit()
    stale_id = stale.id

    result = retention.purge(db.session, now=now, pending_days=60)
    db.session.commit()
    assert result.pending_accounts_removed == 1
    assert db.session.get(User, stale_id) is None
    assert (
        db.session.get(User, fresh.id) is not None and db.session.get(User, old_but_approved.id) is not None
    )


def test_purge_command_prints_counts(app, runner) -> None:
    app.config["RETENTION_HEARING_DAYS"] = 30
    make_hearing(starts_at=utcnow() - timedelta(days=31), **PRIVATE)
    db.session.commit()
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "wiped from 1 hearings older than 30 days" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(Hearing.private_notes)) == ""


def test_the_worker_purges_daily(app) -> None:
    from scheduler.notifications.worker import PERIODIC_JOBS

    job = next(j for j in PERIODIC_JOBS if j.name == "purge")
    assert job.every == timedelta(days=1)
    make_hearing(starts_at=utcnow() - timedelta(days=120), **PRIVATE)
    db.session.commit()
    result = job.run(db.session)
    assert result.hearings_wiped == 1
