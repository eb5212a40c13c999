"""Click to hand-over: a volunteer raises an alert; how long until the worker hands the urgent
messages for 50 people on call to the mail channel.

Run: .venv/bin/python bench/alerts.py [--runs 20] [--recipients 50] [--smtp]
     [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

Seeds a court, a hearing starting in 30 minutes with one volunteer seated, and --recipients
people on call at that court all week. A worker thread runs the loop of ``flask outbox run``
with the app's DEFAULT settings: a full round every OUTBOX_POLL_SECONDS and, between rounds,
the urgent step every OUTBOX_URGENT_POLL_SECONDS (both printed). Each run closes the previous
incident, signs the volunteer's POST to the alert route (the app's own view, through Flask's
test client), and times from just before the POST until the channel accepted the first urgent
message (the hand-over) and the last one. The channel is the memory backend, or with --smtp a
local aiosmtpd server on 127.0.0.1 (the real SMTP exchange). Prints p50/p99 of both over the
runs, and the worker's settings beside them.
SQLite file under /tmp by default; with --pg-url a database accompany_bench_alerts is created
and dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import time as clock
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text, update  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from scheduler import create_app  # noqa: E402
from scheduler.accounts.registry import hash_password  # noqa: E402
from scheduler.enums import HearingKind, IncidentStatus, OnCallRole, Role, ShiftRole, SignupStatus  # noqa: E402
from scheduler.extensions import db  # noqa: E402
from scheduler.models import Court, Hearing, Incident, OnCallEntry, Shift, Signup, User  # noqa: E402
from scheduler.types import utcnow  # noqa: E402

DB_NAME = os.environ.get("BENCH_ALERTS_DB", "accompany_bench_alerts")
PASSWORD = "bench password for testing only"  # noqa: S105  (synthetic accounts)


class TimedChannel:
    """Wraps the app's mail backend: notes when each urgent message was accepted."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.lock = threading.Lock()
        self.handed: list[float] = []

    def send(self, message) -> None:
        self.inner.send(message)
        if message.subject.startswith("URGENT"):
            with self.lock:
                self.handed.append(time.perf_counter())


def seed(recipients: int) -> tuple[int, str]:
    """The hearing's shift id and the volunteer's email."""
    db.create_all()
    password = hash_password(PASSWORD)
    court = Court(name="Bench Court", city="Chicago", state="IL", address="1 Bench St", timezone="UTC")
    starts = (utcnow() + timedelta(minutes=30)).replace(microsecond=0)
    hearing = Hearing(court=court, starts_at=starts, kind=HearingKind.MASTER, case_key="bench", courtroom="5")
    shift = Shift(
        role=ShiftRole.ACCOMPANIER,
        capacity=2,
        starts_at=starts - timedelta(minutes=30),
        ends_at=starts + timedelta(hours=1),
    )
    hearing.shifts.append(shift)
    volunteer = User(
        email="volunteer@bench.test",
        display_name="Bench Volunteer",
        password_hash=password,
        role=Role.VOLUNTEER,
        status="approved",
        approved_at=utcnow(),
    )
    db.session.add_all([court, hearing, volunteer])
    db.session.flush()
    db.session.add(
        Signup(
            shift_id=shift.id, user_id=volunteer.id, status=SignupStatus.CONFIRMED, status_changed_at=utcnow()
        )
    )
    for n in range(recipients):
        person = User(
            email=f"oncall{n}@bench.test",
            display_name=f"On call {n}",
            password_hash=password,
            role=Role.VOLUNTEER,
            status="approved",
            approved_at=utcnow(),
        )
        db.session.add(person)
        db.session.flush()
        for day in range(7):
            db.session.add(
                OnCallEntry(
                    court_id=court.id,
                    user_id=person.id,
                    role=OnCallRole.RAPID_RESPONDER,
                    weekday=day,
                    starts=clock(0, 0),
                    ends=clock(23, 59, 59),
                )
            )
    db.session.add(
        User(
            email="coordinator@bench.test",
            display_name="Bench Coordinator",
            password_hash=password,
            role=Role.COORDINATOR,
            status="approved",
            approved_at=utcnow(),
        )
    )
    db.session.commit()
    return shift.id, volunteer.email


def worker(app, loop) -> None:
    """The loop of ``flask outbox run`` (its signal handlers are the main thread's, so not ``run``)."""
    with app.app_context():
        loop._loop(once=False, echo=lambda _line: None)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def measure(
    url: str, *, runs: int, recipients: int, smtp_port: int | None
) -> tuple[list[float], list[float], float, float]:
    config = {
        "DATABASE_URL": url,
        "SECRET_KEY": "bench",
        "TESTING": True,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "REQUIRE_2FA_FOR_STAFF": False,
        "BASE_URL": "https://accompany.bench",
        "OUTBOX_BATCH_SIZE": 100,
        "MAIL_BACKEND": "memory",
    }
    if smtp_port is not None:
        config.update(
            MAIL_BACKEND="smtp",
            MAIL_SMTP_HOST="127.0.0.1",
            MAIL_SMTP_PORT=smtp_port,
            MAIL_SMTP_SECURITY="none",
        )
    app = create_app(config)
    channel = TimedChannel(app.extensions["mail"])
    app.extensions["mail"] = channel
    with app.app_context():
        shift_id, email = seed(recipients)
    client = app.test_client()
    assert client.post("/auth/login", data={"email": email, "password": PASSWORD}).status_code == 302
    from scheduler.notifications.worker import Loop

    poll = float(app.config["OUTBOX_POLL_SECONDS"])
    urgent = float(app.config["OUTBOX_URGENT_POLL_SECONDS"])
    loop = Loop(poll_seconds=poll, urgent_seconds=urgent)
    thread = threading.Thread(target=worker, args=(app, loop), daemon=True)
    thread.start()
    first, last = [], []
    try:
        for _ in range(runs):
            with app.app_context():
                db.session.execute(update(Incident).values(status=IncidentStatus.CLOSED))
                db.session.commit()
            with channel.lock:
                channel.handed.clear()
            started = time.perf_counter()
            response = client.post(f"/response/shifts/{shift_id}/alert", data={"kind": "person_detained"})
            assert response.status_code == 302, response.status_code
            deadline = started + 60
            while time.perf_counter() < deadline:
                with channel.lock:
                    if len(channel.handed) >= recipients:
                        break
                time.sleep(0.005)
            with channel.lock:
                handed = sorted(channel.handed)
            if len(handed) < recipients:
                raise SystemExit(f"only {len(handed)} of {recipients} urgent messages handed over in 60 s")
            first.append(handed[0] - started)
            last.append(handed[-1] - started)
    finally:
        loop.stop()
        thread.join(timeout=30)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    return first, last, poll, urgent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--recipients", type=int, default=50)
    parser.add_argument("--smtp", action="store_true", help="hand over to a local aiosmtpd server")
    parser.add_argument("--pg-url", default="")
    args = parser.parse_args()

    server = None
    smtp_port = None
    if args.smtp:
        import socket

        from aiosmtpd.controller import Controller
        from aiosmtpd.handlers import Sink

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            smtp_port = s.getsockname()[1]
        server = Controller(Sink(), hostname="127.0.0.1", port=smtp_port)
        server.start()

    admin = None
    if args.pg_url:
        admin = create_engine(args.pg_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{DB_NAME}"'))
        url = make_url(args.pg_url).set(database=DB_NAME).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='bench-alerts-')}/alerts.sqlite3"
    try:
        first, last, poll, urgent = measure(
            url, runs=args.runs, recipients=args.recipients, smtp_port=smtp_port
        )
    finally:
        if server is not None:
            server.stop()
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)'))
            admin.dispose()

    database = "PostgreSQL" if args.pg_url else "SQLite"
    channel = "SMTP (aiosmtpd)" if args.smtp else "memory"
    print(
        f"alerts: {args.recipients} on call, {args.runs} runs, {database}, {channel} channel, "
        f"default worker settings: full round every {poll:g} s, urgent step every {urgent:g} s"
    )
    print(
        f"click to first hand-over: p50 {statistics.median(first):.3f} s  p99 {percentile(first, 99):.3f} s"
    )
    print(f"click to last hand-over:  p50 {statistics.median(last):.3f} s  p99 {percentile(last, 99):.3f} s")
    print(f"first hand-over p99 / urgent step interval: {percentile(first, 99) / urgent:.2f}")
    print(f"target (first hand-over within 5 s at p99): {'met' if percentile(first, 99) <= 5 else 'NOT met'}")


if __name__ == "__main__":
    main()
