"""A worker killed mid-batch, and several workers at once: every message arrives, once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from scheduler.extensions import db
from scheduler.models import OutboxMessage, OutboxStatus
from scheduler.notifications import messages
from scheduler.notifications.worker import send_once
from tests.conftest import PG_URL
from tests.factories import make_user

# Workers run in subprocesses and threads, each on its own connection.
pytestmark = pytest.mark.committed

ROOT = Path(__file__).resolve().parents[3]
FLASK = str(Path(sys.executable).with_name("flask"))


@pytest.fixture
def database_url(backend: str, tmp_path: Path) -> str:
    # Other processes must see the data: a file instead of an in-memory SQLite database.
    return PG_URL if backend == "postgresql" else f"sqlite:///{tmp_path / 'notify.sqlite3'}"


def _queue(n: int) -> list[str]:
    users = [make_user(email=f"person{i}@example.org") for i in range(n)]
    for user in users:
        messages.account_approved(db.session, user=user)
    db.session.commit()
    return [u.email for u in users]


def _worker(app, tmp_path: Path, *, lease_minutes: int = 10) -> subprocess.Popen:
    cfg = app.config
    env = os.environ | {
        "SCHEDULER_DATABASE_URL": cfg["DATABASE_URL"],
        "SCHEDULER_SECRET_KEY": cfg["SECRET_KEY"],
        "SCHEDULER_INSTANCE_PATH": str(tmp_path / "instance"),
        "SCHEDULER_BASE_URL": cfg["BASE_URL"],
        "SCHEDULER_MAIL_BACKEND": "smtp",
        "SCHEDULER_MAIL_SMTP_HOST": "127.0.0.1",
        "SCHEDULER_MAIL_SMTP_PORT": str(cfg["MAIL_SMTP_PORT"]),
        "SCHEDULER_MAIL_SMTP_SECURITY": "none",
        "SCHEDULER_OUTBOX_LEASE_MINUTES": str(lease_minutes),
    }
    return subprocess.Popen(
        [FLASK, "--app", "wsgi", "outbox", "send"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def _statuses() -> list[OutboxStatus]:
    db.session.expire_all()
    return [r.status for r in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]


def test_worker_killed_between_messages_then_restarted_sends_each_once(app, smtp_server, tmp_path) -> None:
    emails = _queue(6)
    proc: dict[str, subprocess.Popen] = {}

    def kill_on_fourth(received: int) -> None:
        # The 4th message's MAIL FROM: the 3rd was accepted and the worker has moved on.
        if received == 3 and "first" in proc:
            os.kill(proc.pop("first").pid, signal.SIGKILL)

    smtp_server.recorder.on_mail = kill_on_fourth
    first = _worker(app, tmp_path)
    proc["first"] = first
    first.communicate(timeout=60)
    assert first.returncode == -signal.SIGKILL
    assert len(smtp_server.messages) == 3
    assert _statuses().count(OutboxStatus.SENT) == 3
    assert _statuses().count(OutboxStatus.SENDING) == 3  # claimed by the dead worker

    smtp_server.recorder.on_mail = None
    # The restart finds the dead worker's lease expired (0 minutes here, 10 by default).
    second = _worker(app, tmp_path, lease_minutes=0)
    out, _ = second.communicate(timeout=60)
    assert second.returncode == 0, out.decode()
    assert b"3 sent" in out
    assert sorted(m["To"] for m in smtp_server.messages) == sorted(emails)
    assert len(set(smtp_server.recorder.message_ids())) == 6
    assert _statuses() == [OutboxStatus.SENT] * 6


def test_a_crash_after_the_server_accepted_resends_with_the_same_message_id(
    app, smtp_server, tmp_path
) -> None:
    """The one window SMTP cannot close: accepted, then killed before marking it sent.

    The message goes out again after the lease, with the same Message-ID, so mail systems can
    drop the copy. This test pins that documented behaviour, so it cannot silently get worse.
    """
    _queue(2)
    holder: dict[str, subprocess.Popen] = {}
    original = smtp_server.recorder.handle_DATA

    async def accept_then_kill(server, session, envelope):
        result = await original(server, session, envelope)
        if "first" in holder:
            os.kill(holder.pop("first").pid, signal.SIGKILL)
        return result

    smtp_server.recorder.handle_DATA = accept_then_kill
    first = _worker(app, tmp_path)
    holder["first"] = first
    first.communicate(timeout=60)
    smtp_server.recorder.handle_DATA = original
    second = _worker(app, tmp_path, lease_minutes=0)
    out, _ = second.communicate(timeout=60)
    assert second.returncode == 0, out.decode()
    ids = smtp_server.recorder.message_ids()
    assert len(ids) == 3 and len(set(ids)) == 2  # one resend, same Message-ID as its first copy
    assert _statuses() == [OutboxStatus.SENT] * 2


def test_several_workers_at_once_send_every_message_once(app, smtp_server) -> None:
    emails = _queue(40)
    app.config["OUTBOX_BATCH_SIZE"] = 5
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def work() -> None:
        try:
            with app.app_context():  # its own session and connection
                barrier.wait()
                send_once()
                db.session.remove()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert sorted(m["To"] for m in smtp_server.messages) == sorted(emails)
    assert len(smtp_server.recorder.message_ids()) == len(set(smtp_server.recorder.message_ids())) == 40
    assert _statuses() == [OutboxStatus.SENT] * 40
