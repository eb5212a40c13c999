"""Events are recorded with the change and become mail exactly once, however many workers run."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from scheduler import events
from scheduler.enums import Role, ShiftRole, SignupStatus
from scheduler.extensions import db
from scheduler.hearings import schedule as hearings
from scheduler.models import IntentStatus, NotificationIntent, OutboxMessage
from scheduler.notifications import dispatch
from scheduler.notifications.dispatch import dispatch_pending
from tests.conftest import PG_URL
from tests.factories import dispatch_intents, make_hearing, make_signup, make_user


def _intents() -> list[NotificationIntent]:
    db.session.expire_all()
    return list(db.session.scalars(select(NotificationIntent).order_by(NotificationIntent.id)))


def _outbox_count() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage))


def _seated_hearing():
    hearing = make_hearing(seats={ShiftRole.ACCOMPANIER: 2})
    signups = [make_signup(shift=hearing.shifts[0], user=make_user()) for _ in range(2)]
    coordinator = make_user(role=Role.COORDINATOR)
    db.session.commit()
    return hearing, signups, coordinator


def _reschedule(hearing, coordinator) -> None:
    hearings.reschedule_hearing(
        db.session,
        actor=coordinator,
        hearing=hearing,
        court=hearing.court,
        starts_at=hearing.starts_at + timedelta(days=1),
        courtroom="7",
    )


def test_the_event_is_written_in_the_changes_transaction(app: Flask, outbox) -> None:
    hearing, signups, coordinator = _seated_hearing()
    _reschedule(hearing, coordinator)
    db.session.flush()
    [intent] = db.session.scalars(select(NotificationIntent))  # before any commit: same transaction
    assert intent.kind == "hearing_rescheduled"
    assert sorted(intent.payload["signup_ids"]) == sorted(s.id for s in signups)
    db.session.commit()
    assert len(outbox) == 2  # the worker's round turns it into one message per seat, then sends
    assert _intents() == []  # handled intents are deleted with the mail they made


def test_a_rolled_back_change_leaves_no_intent_and_no_mail(app: Flask, outbox) -> None:
    hearing, _signups, coordinator = _seated_hearing()
    old_start = hearing.starts_at
    _reschedule(hearing, coordinator)
    db.session.flush()
    assert len(_intents()) == 1
    db.session.rollback()
    assert _intents() == []
    assert dispatch_intents() == 0
    assert len(outbox) == 0
    assert _outbox_count() == 0
    assert db.session.get(type(hearing), hearing.id).starts_at == old_start


def test_running_the_dispatch_twice_mails_once(app: Flask) -> None:
    hearing, _signups, coordinator = _seated_hearing()
    _reschedule(hearing, coordinator)
    db.session.commit()
    assert dispatch_intents() == 2
    assert dispatch_intents() == 0
    assert _outbox_count() == 2


def test_an_intent_another_worker_took_first_is_skipped(app: Flask, monkeypatch) -> None:
    """The delete is the claim: a row gone between the look-up and the delete is left alone."""
    user = make_user()
    events.record(db.session, events.AccountApproved(user_id=user.id))
    db.session.commit()
    real_take = dispatch._take

    def taken_by_someone_else(session: Session, intent_id: int) -> bool:
        session.execute(NotificationIntent.__table__.delete())  # the other worker's committed delete
        return real_take(session, intent_id)

    monkeypatch.setattr(dispatch, "_take", taken_by_someone_else)
    report = dispatch_pending(db.session)
    assert (report.handled, report.messages) == (0, 0)
    assert _outbox_count() == 0


def test_a_failing_handler_marks_its_intent_failed_and_others_go_on(app: Flask, monkeypatch, caplog) -> None:
    first, second = make_user(), make_user()
    events.record(db.session, events.AccountApproved(user_id=first.id))
    events.record(db.session, events.AccountApproved(user_id=second.id))
    db.session.commit()
    from scheduler.notifications import handlers, messages

    real = messages.account_approved

    def broken_for_first(session, *, user):
        if user.id == first.id:
            raise KeyError("a broken template")
        return real(session, user=user)

    monkeypatch.setattr(handlers.messages, "account_approved", broken_for_first)
    report = dispatch_pending(db.session)
    assert (report.handled, report.failed, report.messages) == (1, 1, 1)
    [failed] = _intents()
    assert failed.status == IntentStatus.FAILED and failed.last_error == "KeyError"
    assert failed.payload == {"user_id": first.id}
    assert dispatch.counts(db.session) == {"failed": 1}
    assert dispatch_intents() == 0  # a failed intent is not tried again on every round
    assert "a broken template" not in caplog.text


def test_events_round_trip_through_their_rows() -> None:
    from datetime import UTC, datetime

    event = events.HearingRescheduled(
        hearing_id=3,
        signup_ids=(4, 5),
        old_starts_at=datetime(2030, 3, 7, 14, 15, tzinfo=UTC),
        old_court_id=2,
        old_courtroom="12",
    )
    assert events.from_row(event.kind, events.to_payload(event)) == event
    changes = events.HearingDetailsChanged(
        hearing_id=3, signup_ids=(4,), changes={"languages": {"old": ["es"], "new": ["es", "mam"]}}
    )
    assert events.from_row(changes.kind, events.to_payload(changes)) == changes


def test_an_event_that_is_not_declared_is_refused(app: Flask) -> None:
    from dataclasses import dataclass
    from typing import ClassVar

    @dataclass(frozen=True)
    class Stray(events.Event):
        kind: ClassVar[str] = "stray"

    with pytest.raises(ValueError):
        events.record(db.session, Stray())


def _dispatch_concurrently(app: Flask, workers: int) -> list[dispatch.DispatchReport]:
    engine = create_engine(PG_URL, poolclass=NullPool)
    barrier = threading.Barrier(workers)

    def one(_: int) -> dispatch.DispatchReport:
        with app.app_context(), Session(engine) as session:
            barrier.wait()
            return dispatch_pending(session)

    try:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(one, range(workers)))
    finally:
        engine.dispose()


@pytest.mark.committed  # workers in threads, each on its own connection
def test_concurrent_workers_turn_each_intent_into_mail_exactly_once(app: Flask, backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("PostgreSQL only: SKIP LOCKED and row locks across connections")
    hearing = make_hearing(seats={ShiftRole.ACCOMPANIER: 40})
    people = [make_user() for _ in range(30)]
    seats = [make_signup(shift=hearing.shifts[0], user=p, status=SignupStatus.CONFIRMED) for p in people]
    db.session.flush()
    for person in people:
        events.record(db.session, events.AccountApproved(user_id=person.id))
    events.record(
        db.session, events.HearingCancelled(hearing_id=hearing.id, signup_ids=tuple(s.id for s in seats))
    )
    db.session.commit()
    reports = _dispatch_concurrently(app, workers=4)
    assert sum(r.handled for r in reports) == 31
    assert sum(r.failed for r in reports) == 0
    assert sum(r.messages for r in reports) == 60
    db.session.expire_all()
    kinds = dict(
        db.session.execute(select(OutboxMessage.kind, func.count()).group_by(OutboxMessage.kind)).all()
    )
    assert kinds == {"account_approved": 30, "hearing_cancelled": 30}
    per_person = db.session.execute(
        select(OutboxMessage.user_id, OutboxMessage.kind, func.count())
        .group_by(OutboxMessage.user_id, OutboxMessage.kind)
        .having(func.count() > 1)
    ).all()
    assert per_person == []
    assert _intents() == []
    assert sum(r.handled for r in _dispatch_concurrently(app, workers=2)) == 0


def test_an_intent_holds_no_private_detail(app: Flask) -> None:
    """Only what volunteers may see goes into the event: never the reference or private notes."""
    marker = "RESP-MARKER-7731"
    hearing = make_hearing(
        seats={ShiftRole.ACCOMPANIER: 1}, respondent_ref=marker, private_notes=marker, meeting_point="Lobby"
    )
    make_signup(shift=hearing.shifts[0], user=make_user())
    coordinator = make_user(role=Role.COORDINATOR)
    db.session.commit()
    hearings.update_details(
        db.session,
        actor=coordinator,
        hearing=hearing,
        details=hearings.HearingDetails(
            kind=hearing.kind,
            duration_minutes=hearing.duration_minutes,
            languages=tuple(hearing.language_codes),
            respondent_ref=f"{marker}-new",
            private_notes=f"{marker}-new",
            meeting_point="4th floor",
            courtroom=hearing.courtroom,
        ),
    )
    hearings.cancel_hearing(db.session, actor=coordinator, hearing=hearing, reason=f"closed {marker}")
    db.session.commit()
    intents = _intents()
    assert [i.kind for i in intents] == ["hearing_details_changed", "hearing_cancelled"]
    assert intents[0].payload["changes"] == {"meeting_point": {"old": "Lobby", "new": "4th floor"}}
    assert all(marker not in repr(i.payload) for i in intents)


def test_outbox_status_counts_intents_not_yet_mailed(app: Flask, runner) -> None:
    events.record(db.session, events.AccountApproved(user_id=make_user().id))
    db.session.commit()
    assert "intents pending: 1" in runner.invoke(args=["outbox", "status"]).output
    runner.invoke(args=["outbox", "send"])
    output = runner.invoke(args=["outbox", "status"]).output
    assert "intents" not in output and "sent: 1" in output
