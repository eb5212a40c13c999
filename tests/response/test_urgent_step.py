"""The worker's urgent step: an alert recorded between full rounds goes out without waiting for one."""

from __future__ import annotations

from sqlalchemy import select

from scheduler import events
from scheduler.enums import IncidentKind
from scheduler.extensions import db
from scheduler.models import IntentStatus, NotificationIntent, OutboxMessage, OutboxStatus
from scheduler.notifications import worker
from scheduler.notifications.outbox import Composed, enqueue
from scheduler.response.incidents import raise_alert
from tests.factories import make_user
from tests.response.helpers import START, hearing_today, minutes, on_call


def _ordinary_work() -> None:
    """A pending ordinary intent and a due ordinary message: the full round's, not the urgent step's."""
    person = make_user()
    events.record(db.session, events.AccountApproved(user_id=person.id))
    enqueue(db.session, user=person, message=Composed(kind="digest", subject="Digest", text="Today"))


def _raise():
    hearing, volunteer, _signup = hearing_today()
    responder = on_call(hearing.court)
    raise_alert(
        db.session,
        actor=volunteer,
        shift_id=hearing.shifts[0].id,
        kind=IncidentKind.ICE_PRESENT,
        note="",
        now=START + minutes(70),
    )
    return responder


def _handed(app) -> list:
    """What the memory channel took so far (not the ``outbox`` fixture: reading it runs a full round)."""
    return list(app.extensions["mail"].outbox)


def _kinds(status: IntentStatus = IntentStatus.PENDING) -> list[str]:
    query = select(NotificationIntent.kind).where(NotificationIntent.status == status)
    return list(db.session.scalars(query))


def _outbox() -> dict[tuple[str, bool], OutboxStatus]:
    rows = db.session.execute(select(OutboxMessage.kind, OutboxMessage.urgent, OutboxMessage.status))
    return {(kind, urgent): status for kind, urgent, status in rows}


def test_nothing_urgent_waiting_means_the_step_does_nothing(app) -> None:
    _ordinary_work()
    db.session.commit()
    assert not worker.urgent_waiting(db.session)
    assert worker.send_urgent_once().total == 0
    assert _kinds() == ["account_approved"] and _handed(app) == []


def test_an_alert_recorded_between_rounds_is_dispatched_and_handed_over_by_the_urgent_step(app) -> None:
    _ordinary_work()
    responder = _raise()
    db.session.commit()
    assert worker.urgent_waiting(db.session)
    report = worker.send_urgent_once()
    assert report.sent >= 1
    # The alert's intent became messages and they went out; the ordinary work waits for the round.
    assert _kinds() == ["account_approved"]
    assert _outbox() == {("urgent_alert", True): OutboxStatus.SENT, ("digest", False): OutboxStatus.PENDING}
    assert [m.to for m in _handed(app)] == [responder.email]
    assert not worker.urgent_waiting(db.session)


def test_the_loop_runs_the_urgent_step_between_full_rounds(app, monkeypatch) -> None:
    """A controllable clock: ten seconds to the next full round, an alert waiting after the first."""
    clock = [1000.0]
    monkeypatch.setattr(worker.time, "monotonic", lambda: clock[0])
    steps: list[float] = []
    real_step = worker.send_urgent_once

    def step():
        steps.append(clock[0])
        return real_step()

    def sleep(seconds: float) -> None:
        clock[0] += seconds
        if len(steps) == 1:  # the volunteer clicks after the first check
            _raise()
            db.session.commit()

    monkeypatch.setattr(worker.time, "sleep", sleep)
    monkeypatch.setattr(worker, "send_urgent_once", step)
    monkeypatch.setattr(worker.db.session, "remove", lambda: None)
    loop = worker.Loop(poll_seconds=10, urgent_seconds=0.5, jobs=[])
    loop._between_rounds(deadline=clock[0] + 10, echo=lambda _line: None)
    assert len(steps) == 20 and steps[0] == 1000.5
    # Handed over by the second step, half a second after the click: not at the round ten seconds on.
    assert _outbox() == {("urgent_alert", True): OutboxStatus.SENT}
    assert len(_handed(app)) == 1
