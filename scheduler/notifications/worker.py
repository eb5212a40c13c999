"""The outbox worker: turn recorded intents into mail, send due mail, and run periodic jobs.

Other areas add jobs to ``PERIODIC_JOBS`` (e.g. a daily purge): each runs in its own
transaction at most once per interval, and a failing job is logged without stopping the loop.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from types import FrameType

from flask import current_app
from sqlalchemy.orm import Session

from scheduler.casework.series import open_all_windows
from scheduler.events import URGENT_KINDS
from scheduler.extensions import db, mailer, secret_box
from scheduler.matching.facts import settings_from_config
from scheduler.notifications.channels.delivery import Senders
from scheduler.notifications.channels.providers import providers_from_config
from scheduler.notifications.dispatch import dispatch_pending, urgent_pending
from scheduler.notifications.leases import urgent_due
from scheduler.notifications.links import mail_domain
from scheduler.notifications.scheduled import send_digest, send_reminders
from scheduler.notifications.sending import SendReport, send_due
from scheduler.privacy.cli import purge_job
from scheduler.response.escalation import due_escalations
from scheduler.shifts.facts import rules_from_config
from scheduler.shifts.handover import expire_handover_offers
from scheduler.types import utcnow

log = logging.getLogger(__name__)


@dataclass
class PeriodicJob:
    name: str
    every: timedelta
    run: Callable[[Session], object]
    # None until the first run: every job runs on the worker's first pass, whatever the uptime.
    last_run: float | None = None


def _reminders(session: Session) -> int:
    return send_reminders(session)


def _digest(session: Session) -> int:
    # Idempotent per coordinator and day, so a frequent check is safe; it only sends once.
    return send_digest(session)


def _handover_offers(session: Session) -> int:
    """Offers nobody took by the drop cutoff fall back to late drops (and the waitlist moves up)."""
    config = current_app.config
    expired = expire_handover_offers(
        session,
        now=utcnow(),
        cutoff=timedelta(hours=config["DROP_CUTOFF_HOURS"]),
        rules=rules_from_config(config),
    )
    return len(expired)


def _series_windows(session: Session) -> int:
    """Recurring check-ins open their next dates as the weeks-ahead window moves on."""
    return open_all_windows(session, now=utcnow(), settings=settings_from_config(current_app.config))


PERIODIC_JOBS: list[PeriodicJob] = [
    PeriodicJob("reminders", timedelta(minutes=1), _reminders),
    PeriodicJob("digest", timedelta(minutes=15), _digest),
    # Not when someone lists seats: a GET writes nothing. Taking an offer past the cutoff is
    # refused in the meantime (shifts.handover.take_handover), so a minute's lag changes nothing.
    PeriodicJob("handover offers", timedelta(minutes=1), _handover_offers),
    # Retention (scheduler/privacy/retention.py): wipe old private hearing details daily.
    PeriodicJob("purge", timedelta(days=1), purge_job),
    # Casework (scheduler/casework/series.py): occurrences are made, and their people invited.
    PeriodicJob("series windows", timedelta(hours=1), _series_windows),
]


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:40]


_lease_checked = False


def _check_lease(cfg: dict) -> None:
    """Warn once per process when one SMTP exchange could outlive the lease."""
    global _lease_checked
    if _lease_checked:
        return
    _lease_checked = True
    lease_seconds = int(cfg["OUTBOX_LEASE_MINUTES"]) * 60
    if cfg["MAIL_BACKEND"] == "smtp" and 0 < lease_seconds < 4 * float(cfg["MAIL_SMTP_TIMEOUT"]):
        # One exchange can wait several timeouts (connect, each command); a lease shorter than
        # that could run out mid-message and let another worker send the message again.
        log.warning("OUTBOX_LEASE_MINUTES is short for MAIL_SMTP_TIMEOUT; duplicates become possible")


def escalate(session: Session) -> list[int]:
    """Incidents nobody acknowledged in time move to their next tier (rapid response); commits."""
    wait = timedelta(minutes=float(current_app.config["ESCALATION_MINUTES"]))
    moved = due_escalations(session, utcnow(), wait=wait)
    session.commit()
    if moved:
        log.warning("escalated %d incidents", len(moved))
    return moved


def send_once(*, max_batches: int | None = None) -> SendReport:
    """Escalate unanswered alerts, turn pending intents into mail (``dispatch.py``), send what is due."""
    cfg = current_app.config
    _check_lease(cfg)
    escalate(db.session())
    dispatch_pending(db.session())
    return _send(max_batches=max_batches, urgent_only=False)


def urgent_waiting(session: Session) -> bool:
    """The urgent step's cheap check: a pending alert intent or a due urgent outbox row."""
    waiting = urgent_pending(session, URGENT_KINDS) or urgent_due(session)
    session.commit()
    return waiting


def send_urgent_once() -> SendReport:
    """The quick step between full rounds: alert intents become messages and urgent rows go out.

    Two indexed lookups when nothing is urgent; the loop runs it every
    ``OUTBOX_URGENT_POLL_SECONDS`` so an alert never waits for the next full round.
    """
    if not urgent_waiting(db.session()):
        return SendReport()
    dispatch_pending(db.session(), kinds=URGENT_KINDS)
    return _send(max_batches=None, urgent_only=True)


def _send(*, max_batches: int | None, urgent_only: bool) -> SendReport:
    cfg = current_app.config
    return send_due(
        db.session(),
        backend=mailer(),
        worker=worker_name(),
        domain=mail_domain(),
        batch_size=int(cfg["OUTBOX_BATCH_SIZE"]),
        max_attempts=int(cfg["OUTBOX_MAX_ATTEMPTS"]),
        lease=timedelta(minutes=int(cfg["OUTBOX_LEASE_MINUTES"])),
        max_batches=max_batches,
        senders=senders(),
        urgent_only=urgent_only,
    )


def senders() -> Senders:
    """The app's channel providers, made once per app (each keeps its HTTP connections)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    made = app.extensions.get("channel_senders")
    if made is None:
        made = app.extensions["channel_senders"] = Senders(
            providers=providers_from_config(app.config), box=secret_box()
        )
    return made


def run_periodic(jobs: list[PeriodicJob], *, now: float) -> None:
    for job in jobs:
        if job.last_run is not None and now - job.last_run < job.every.total_seconds():
            continue
        job.last_run = now
        try:
            result = job.run(db.session())
            db.session.commit()
            log.info("job %s: %s", job.name, result)
        except Exception:  # one bad job must not stop mail from going out
            db.session.rollback()
            log.exception("job %s failed", job.name)


class Loop:
    """``flask outbox run``: until SIGTERM/SIGINT, finishing the message in hand first."""

    def __init__(
        self, *, poll_seconds: float, urgent_seconds: float = 0.5, jobs: list[PeriodicJob] | None = None
    ) -> None:
        self.poll_seconds = poll_seconds
        # Between full rounds, the urgent step runs this often (alerts: hand-over within seconds).
        self.urgent_seconds = max(0.05, min(urgent_seconds, poll_seconds))
        # Copies: each loop keeps its own "last run" times.
        self.jobs = [PeriodicJob(j.name, j.every, j.run) for j in (PERIODIC_JOBS if jobs is None else jobs)]
        self.stopping = False

    def stop(self, _signum: int | None = None, _frame: FrameType | None = None) -> None:
        self.stopping = True

    def run(self, *, once: bool = False, echo: Callable[[str], None] = print) -> None:
        previous = {sig: signal.signal(sig, self.stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            self._loop(once=once, echo=echo)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _loop(self, *, once: bool, echo: Callable[[str], None]) -> None:
        while not self.stopping:
            run_periodic(self.jobs, now=time.monotonic())
            try:
                report = send_once()
            except Exception:  # the database went away: wait and try again
                db.session.rollback()
                log.exception("outbox round failed")
            else:
                if report.total:
                    echo(f"outbox: {report.sent} sent, {report.retried} to retry, {report.failed} failed")
            db.session.remove()
            if once:
                break
            self._between_rounds(deadline=time.monotonic() + self.poll_seconds, echo=echo)

    def _between_rounds(self, *, deadline: float, echo: Callable[[str], None]) -> None:
        """Until the next full round, run the urgent step every ``urgent_seconds``."""
        while not self.stopping and time.monotonic() < deadline:
            time.sleep(min(self.urgent_seconds, max(0.0, deadline - time.monotonic())))
            if self.stopping:
                break
            try:
                report = send_urgent_once()
            except Exception:
                db.session.rollback()
                log.exception("urgent step failed")
            else:
                if report.total:
                    echo(f"outbox (urgent): {report.sent} sent, {report.retried} to retry")
            db.session.remove()
