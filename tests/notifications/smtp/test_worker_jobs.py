"""The worker's periodic jobs (reminders, digest, handover offers, daily purge) run on its first pass."""

from datetime import timedelta

from scheduler.enums import SignupStatus
from scheduler.extensions import db
from scheduler.models import Signup
from scheduler.notifications.worker import PERIODIC_JOBS, PeriodicJob, run_periodic
from scheduler.types import utcnow
from tests.factories import make_hearing, make_signup, make_user


def test_jobs_run_on_the_first_pass_even_right_after_boot(app):
    runs: list[str] = []
    daily = PeriodicJob("purge", timedelta(days=1), lambda session: runs.append("purge"))
    # time.monotonic() counts from boot: a machine up for 5 seconds must still purge at start.
    run_periodic([daily], now=5.0)
    assert runs == ["purge"]
    run_periodic([daily], now=5.0 + 3600)
    assert runs == ["purge"], "a daily job runs once a day"
    run_periodic([daily], now=5.0 + 86_400)
    assert runs == ["purge", "purge"]


def test_the_worker_turns_handover_offers_past_the_cutoff_into_late_drops(app):
    """Listing seats used to do this on a GET; now only the worker does."""
    cutoff = timedelta(hours=app.config["DROP_CUTOFF_HOURS"])
    hearing = make_hearing(starts_at=utcnow() + cutoff / 2)
    giver = make_user()
    seat = make_signup(shift=hearing.shifts[0], user=giver, handover_offered_at=utcnow() - cutoff)
    db.session.commit()
    job = next(j for j in PERIODIC_JOBS if j.name == "handover offers")
    run_periodic([PeriodicJob(job.name, job.every, job.run)], now=1.0)
    db.session.expire_all()
    row = db.session.get(Signup, seat.id)
    assert row.status == SignupStatus.DROPPED and row.dropped_late
