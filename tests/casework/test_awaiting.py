"""Hearings awaiting a date: the list, the check date, the digest, and setting the date in one step."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlalchemy import select

from scheduler.casework import awaiting as service
from scheduler.domain.timezones import local_to_utc
from scheduler.enums import HearingKind, ShiftRole
from scheduler.errors import PermissionDenied, ServiceError
from scheduler.extensions import db
from scheduler.models import AwaitingDate, Invitation
from tests.casework.helpers import NOW, SETTINGS, checkin, chicago, coordinator_of
from tests.factories import make_signup
from tests.matching_helpers import free_person

TODAY = date(2031, 3, 3)


def _entry(court, coordinator, **kw):
    values = {
        "kind": HearingKind.MASTER,
        "next_check_on": TODAY,
        "today": TODAY,
        "respondent_ref": "MARKER-RESP-7731",
    }
    values.update(kw)
    return service.add_awaiting(db.session, actor=coordinator, court=court, **values)


def test_open_entries_are_listed_in_scope_soonest_check_first(app) -> None:
    court, other = chicago(), chicago()
    coordinator = coordinator_of(court)
    later = _entry(court, coordinator, next_check_on=TODAY + timedelta(days=9))
    sooner = _entry(court, coordinator)
    _entry(other, coordinator_of(other))
    assert [e.id for e in service.open_entries(db.session, actor=coordinator)] == [sooner.id, later.id]


def test_refusals_an_a_number_a_past_check_and_another_court(app) -> None:
    court = chicago()
    coordinator = coordinator_of(court)
    with pytest.raises(ServiceError) as refused:
        _entry(court, coordinator, respondent_ref="A123456789")
    assert refused.value.code == "a_number"
    with pytest.raises(ServiceError) as refused:
        _entry(court, coordinator, next_check_on=TODAY - timedelta(days=1))
    assert refused.value.code == "in_past"
    with pytest.raises(PermissionDenied):
        _entry(court, coordinator_of(chicago()))
    assert db.session.scalars(select(AwaitingDate)).all() == []


def test_due_checks_count_per_court_and_name_no_one(app) -> None:
    court = chicago()
    coordinator = coordinator_of(court)
    _entry(court, coordinator)
    _entry(court, coordinator)
    _entry(court, coordinator, next_check_on=TODAY + timedelta(days=3))
    due = service.due_checks(db.session, today=TODAY)
    assert [(d.court_id, d.count) for d in due] == [(court.id, 2)]
    assert "MARKER" not in repr(due)


def test_setting_the_date_posts_the_hearing_and_invites_the_last_team(app) -> None:
    court = chicago()
    coordinator = coordinator_of(court)
    before = checkin(court, date(2031, 2, 4))
    volunteer = free_person(languages=("es",))
    make_signup(shift=before.shifts[0], user=volunteer)
    entry = _entry(court, coordinator, previous=before, kind=HearingKind.INDIVIDUAL)
    starts = local_to_utc(date(2031, 4, 8), time(10), court.timezone)
    hearing = service.set_date(
        db.session, actor=coordinator, entry=entry, starts_at=starts, now=NOW, settings=SETTINGS
    )
    assert hearing.starts_at == starts and hearing.kind == HearingKind.INDIVIDUAL
    assert hearing.case_key == before.case_key and hearing.respondent_ref == "MARKER-RESP-7731"
    assert [s.role for s in hearing.shifts] == [ShiftRole.ACCOMPANIER]
    assert entry.resolved_at == NOW and entry.hearing_id == hearing.id
    assert [i.user_id for i in db.session.scalars(select(Invitation))] == [volunteer.id]
    assert service.open_entries(db.session, actor=coordinator) == []
    with pytest.raises(ServiceError):
        service.set_date(
            db.session, actor=coordinator, entry=entry, starts_at=starts, now=NOW, settings=SETTINGS
        )


def test_a_new_case_gets_default_seats_and_a_past_date_is_refused(app) -> None:
    court = chicago()
    coordinator = coordinator_of(court)
    entry = _entry(court, coordinator)
    with pytest.raises(ServiceError) as refused:
        service.set_date(
            db.session, actor=coordinator, entry=entry, starts_at=NOW, now=NOW, settings=SETTINGS
        )
    assert refused.value.code == "in_past" and entry.resolved_at is None
    hearing = service.set_date(
        db.session,
        actor=coordinator,
        entry=entry,
        starts_at=NOW + timedelta(days=20),
        now=NOW,
        settings=SETTINGS,
    )
    assert {(s.role, s.capacity) for s in hearing.shifts} == {(ShiftRole.ACCOMPANIER, 2)}


def test_check_again_moves_the_check_date(app) -> None:
    court = chicago()
    coordinator = coordinator_of(court)
    entry = _entry(court, coordinator)
    service.check_again(
        db.session, actor=coordinator, entry=entry, next_check_on=TODAY + timedelta(days=7), today=TODAY
    )
    assert entry.next_check_on == TODAY + timedelta(days=7)
    assert service.due_checks(db.session, today=TODAY) == []
