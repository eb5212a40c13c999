"""The worker's periodic jobs (reminders, digest, daily purge) run on its first pass."""

from datetime import timedelta

from scheduler.notifications.worker import PeriodicJob, run_periodic


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
