"""The outbox commands an operator runs (or cron, or the worker loop)."""

from __future__ import annotations

from datetime import timedelta

from scheduler.enums import ShiftRole
from scheduler.extensions import db
from scheduler.notifications import messages
from scheduler.types import utcnow
from tests.factories import make_hearing, make_signup, make_user


def test_remind_twice_then_run_once_delivers_one_reminder(app, runner, smtp_server) -> None:
    hearing = make_hearing(
        starts_at=(utcnow() + timedelta(hours=3)).replace(microsecond=0), seats={ShiftRole.ACCOMPANIER: 1}
    )
    make_signup(shift=hearing.shifts[0], user=make_user(email="ana@example.org"))
    db.session.commit()
    assert "reminders queued: 1" in runner.invoke(args=["outbox", "remind"]).output
    assert "reminders queued: 0" in runner.invoke(args=["outbox", "remind"]).output
    assert "pending: 1" in runner.invoke(args=["outbox", "status"]).output
    # One round of the worker loop: its periodic reminder job finds nothing new, then it sends.
    result = runner.invoke(args=["outbox", "run", "--once"])
    assert result.exit_code == 0, result.output
    assert "1 sent" in result.output
    assert [m["To"] for m in smtp_server.messages] == ["ana@example.org"]
    assert "sent: 1" in runner.invoke(args=["outbox", "status"]).output


def test_send_reports_what_it_did(app, runner, smtp_server) -> None:
    messages.account_approved(db.session, user=make_user())
    db.session.commit()
    smtp_server.stop()
    assert "0 sent, 1 to retry, 0 failed" in runner.invoke(args=["outbox", "send"]).output
