"""Alerts: who may raise one and when, one incident per double tap (also under a real race)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from scheduler.domain.response import AlertRefused
from scheduler.enums import HearingStatus, IncidentKind, Role, SignupStatus
from scheduler.errors import PermissionDenied
from scheduler.extensions import db
from scheduler.models import AuditEvent, Incident, NotificationIntent, User
from scheduler.response.incidents import raise_alert
from tests.conftest import PG_URL
from tests.factories import make_signup, make_user
from tests.response.helpers import START, hearing_today, minutes

RAISED = START + minutes(70)


def _raise(user, hearing, kind=IncidentKind.PERSON_DETAINED, now=RAISED, note=""):
    return raise_alert(db.session, actor=user, shift_id=hearing.shifts[0].id, kind=kind, note=note, now=now)


def test_the_seats_volunteer_opens_an_incident_and_its_event(app) -> None:
    hearing, volunteer, _signup = hearing_today()
    incident, opened = _raise(volunteer, hearing, note="  hallway,   two   agents ")
    assert opened
    assert (incident.hearing_id, incident.court_id, incident.kind) == (
        hearing.id,
        hearing.court_id,
        "person_detained",
    )
    assert incident.note == "hallway, two agents"
    assert incident.tier == 0 and incident.tier_reached_at == START + minutes(70)
    kinds = list(db.session.scalars(select(NotificationIntent.kind)))
    assert kinds.count("incident_raised") == 1
    assert (
        db.session.scalar(select(AuditEvent.action).where(AuditEvent.object_id == incident.id))
        == "incident.raised"
    )


def test_a_double_tap_opens_one_incident_but_another_kind_opens_another(app) -> None:
    hearing, volunteer, _signup = hearing_today()
    first, opened = _raise(volunteer, hearing)
    again, opened_again = _raise(volunteer, hearing)
    assert opened and not opened_again and again.id == first.id
    other, opened_other = _raise(volunteer, hearing, kind=IncidentKind.NEED_LAWYER)
    assert opened_other and other.id != first.id
    assert db.session.scalar(select(func.count()).select_from(Incident)) == 2
    assert list(db.session.scalars(select(NotificationIntent.kind))).count("incident_raised") == 2


def test_staff_of_the_court_may_raise_an_alert_others_may_not(app) -> None:
    hearing, _volunteer, _signup = hearing_today()
    coordinator = make_user(role=Role.COORDINATOR, courts=(hearing.court,))
    assert _raise(coordinator, hearing)[1]
    outsider = make_user(role=Role.COORDINATOR, courts=(hearing_today()[0].court,))
    for person in (make_user(), outsider):
        with pytest.raises(PermissionDenied):
            _raise(person, hearing, kind=IncidentKind.ICE_PRESENT)
    waiting = make_user()
    make_signup(shift=hearing.shifts[0], user=waiting, status=SignupStatus.WAITLISTED)
    with pytest.raises(PermissionDenied):
        _raise(waiting, hearing, kind=IncidentKind.ICE_PRESENT)


@pytest.mark.parametrize(
    ("now", "code"),
    [(START - minutes(61), "too_early"), (START + minutes(60) + timedelta(hours=4, seconds=1), "too_late")],
)
def test_outside_the_window_the_alert_is_refused(app, now, code) -> None:
    hearing, volunteer, _signup = hearing_today()
    with pytest.raises(AlertRefused) as refused:
        _raise(volunteer, hearing, now=now)
    assert refused.value.code == code
    assert db.session.scalar(select(func.count()).select_from(Incident)) == 0


def test_after_lock_down_or_cancellation_the_alert_is_refused(app) -> None:
    hearing, volunteer, _signup = hearing_today()
    volunteer.must_reset_password = True
    with pytest.raises(AlertRefused) as locked:
        _raise(volunteer, hearing)
    assert locked.value.code == "locked_down"
    volunteer.must_reset_password = False
    hearing.status = HearingStatus.CANCELLED
    db.session.flush()
    with pytest.raises(AlertRefused) as cancelled:
        _raise(volunteer, hearing)
    assert cancelled.value.code == "cancelled"


@pytest.mark.committed
def test_two_taps_at_once_on_two_connections_open_one_incident(app, backend) -> None:
    if backend != "postgresql":
        pytest.skip("a real race needs two connections with row locks (PostgreSQL)")
    hearing, volunteer, _signup = hearing_today()
    hearing_id, shift_id, user_id = hearing.id, hearing.shifts[0].id, volunteer.id
    db.session.commit()
    engine = create_engine(PG_URL, poolclass=NullPool)
    barrier = threading.Barrier(2)
    results: list[tuple[int, bool]] = []

    def tap() -> None:
        with Session(engine) as session:
            actor = session.get(User, user_id)
            barrier.wait()
            incident, opened = raise_alert(
                session,
                actor=actor,
                shift_id=shift_id,
                kind=IncidentKind.PERSON_DETAINED,
                note="",
                now=START + minutes(70),
            )
            session.commit()
            results.append((incident.id, opened))

    threads = [threading.Thread(target=tap) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    engine.dispose()
    assert len(results) == 2
    assert len({incident_id for incident_id, _ in results}) == 1
    assert sorted(opened for _, opened in results) == [False, True]
    db.session.expire_all()
    assert (
        db.session.scalar(select(func.count()).select_from(Incident).where(Incident.hearing_id == hearing_id))
        == 1
    )
