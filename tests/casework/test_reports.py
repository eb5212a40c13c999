"""The report after a hearing: who may file it, when, once; and the next step it takes."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from scheduler.casework import reports as service
from scheduler.domain.timezones import local_to_utc
from scheduler.enums import HearingKind, HearingOutcome, HeldStatus, SignupStatus
from scheduler.errors import PermissionDenied, ServiceError
from scheduler.extensions import db
from scheduler.models import AwaitingDate, Hearing, HearingReport, Invitation
from tests.casework.helpers import NOW, SETTINGS, chicago, coordinator_of
from tests.factories import make_hearing, make_signup, make_user
from tests.matching_helpers import free_person


def _held(court, *, creator=None, days_ago: int = 2):
    hearing = make_hearing(
        court=court, starts_at=NOW - timedelta(days=days_ago), judge="Judge Ortiz", courtroom="5"
    )
    hearing.created_by_id = creator.id if creator else None
    hearing.respondent_ref = "MARKER-RESP-7731"
    return hearing


def _file(hearing, user, **answers):
    values = {"held": HeldStatus.HAPPENED}
    values.update(answers)
    return service.file_report(
        db.session,
        actor=user,
        hearing=hearing,
        answers=service.ReportAnswers(**values),
        now=NOW,
        settings=SETTINGS,
    )


def test_a_confirmed_volunteer_files_once_and_the_judge_defaults_to_the_hearings(app) -> None:
    court = chicago()
    hearing = _held(court)
    lead = make_user()
    make_signup(shift=hearing.shifts[0], user=lead, team_lead=True)
    report = _file(
        hearing, lead, ice_present=True, interpreter_present=True, interpreter_adequate=False, courtroom="7"
    )
    assert (report.judge, report.courtroom, report.held_month) == ("Judge Ortiz", "7", NOW.strftime("%Y-%m"))
    assert service.is_team_lead(hearing, lead)
    with pytest.raises(ServiceError) as refused:
        _file(hearing, lead)
    assert refused.value.code == "already_reported"
    assert db.session.scalar(select(func.count()).select_from(HearingReport)) == 1


def test_a_typed_judge_is_kept_with_single_spaces(app) -> None:
    hearing = _held(chicago())
    lead = make_user()
    make_signup(shift=hearing.shifts[0], user=lead, team_lead=True)
    assert _file(hearing, lead, judge="  Judge   Ana\tLee ").judge == "Judge Ana Lee"


def test_only_confirmed_volunteers_of_that_hearing(app) -> None:
    court = chicago()
    hearing = _held(court)
    waiting = make_user()
    make_signup(shift=hearing.shifts[0], user=waiting, status=SignupStatus.WAITLISTED)
    for user in (waiting, make_user(), coordinator_of(court)):
        with pytest.raises(PermissionDenied):
            _file(hearing, user)


def test_not_before_the_hearing_and_never_a_next_date_in_the_past(app) -> None:
    court = chicago()
    upcoming = make_hearing(court=court, starts_at=NOW + timedelta(hours=2))
    volunteer = make_user()
    make_signup(shift=upcoming.shifts[0], user=volunteer)
    with pytest.raises(ServiceError) as refused:
        _file(upcoming, volunteer)
    assert refused.value.code == "not_yet"
    held = _held(court)
    make_signup(shift=held.shifts[0], user=volunteer)
    hearings_before = db.session.scalar(select(func.count()).select_from(Hearing))
    with pytest.raises(ServiceError) as refused:
        _file(held, volunteer, next_kind=HearingKind.MASTER, next_starts_at=NOW - timedelta(minutes=1))
    assert refused.value.code == "next_in_past"
    with pytest.raises(ServiceError) as refused:
        _file(held, volunteer, next_kind=HearingKind.MASTER)
    assert refused.value.code == "next_date_required"
    assert db.session.scalar(select(func.count()).select_from(HearingReport)) == 0
    assert db.session.scalar(select(func.count()).select_from(Hearing)) == hearings_before


def test_a_next_date_posts_the_next_hearing_and_invites_the_team(app) -> None:
    court = chicago()
    coordinator = coordinator_of(court)
    hearing = _held(court, creator=coordinator)
    volunteer = free_person(languages=("es",))
    make_signup(shift=hearing.shifts[0], user=volunteer)
    starts = local_to_utc(date(2031, 5, 6), time(9), court.timezone)
    report = _file(
        hearing,
        volunteer,
        held=HeldStatus.POSTPONED,
        outcome=HearingOutcome.CONTINUED,
        next_kind=HearingKind.INDIVIDUAL,
        next_starts_at=starts,
    )
    following = db.session.get(Hearing, report.next_hearing_id)
    assert following.starts_at == starts and following.kind == HearingKind.INDIVIDUAL
    assert following.case_key == hearing.case_key and following.previous_hearing_id == hearing.id
    assert [i.user_id for i in db.session.scalars(select(Invitation))] == [volunteer.id]


def test_a_date_to_be_set_makes_an_awaiting_entry(app) -> None:
    court = chicago()
    hearing = _held(court)
    volunteer = make_user()
    make_signup(shift=hearing.shifts[0], user=volunteer)
    report = _file(
        hearing, volunteer, held=HeldStatus.NOT_HELD, next_kind=HearingKind.MASTER, next_to_be_set=True
    )
    entry = db.session.get(AwaitingDate, report.next_awaiting_id)
    assert entry.case_key == hearing.case_key and entry.respondent_ref == "MARKER-RESP-7731"
    assert entry.next_check_on == NOW.date() + timedelta(days=14)


def test_my_reports_and_reports_to_file(app) -> None:
    court = chicago()
    volunteer = make_user()
    first, second = _held(court, days_ago=3), _held(court, days_ago=1)
    for hearing in (first, second):
        make_signup(shift=hearing.shifts[0], user=volunteer)
    assert [h.id for h in service.reports_to_file(db.session, user=volunteer, now=NOW)] == [
        second.id,
        first.id,
    ]
    _file(first, volunteer)
    assert [h.id for h in service.reports_to_file(db.session, user=volunteer, now=NOW)] == [second.id]
    assert [r.hearing_id for r in service.my_reports(db.session, user=volunteer)] == [first.id]


def test_the_team_lead_files_first_and_the_team_a_day_later(app) -> None:
    court = chicago()
    hearing = _held(court, days_ago=0)
    hearing.starts_at = NOW - timedelta(hours=3)
    lead, member = make_user(), make_user()
    make_signup(shift=hearing.shifts[0], user=lead, team_lead=True)
    make_signup(shift=hearing.shifts[0], user=member)
    assert service.waits_for_lead(hearing, member, now=NOW) and not service.waits_for_lead(
        hearing, lead, now=NOW
    )
    with pytest.raises(ServiceError) as refused:
        _file(hearing, member)
    assert refused.value.code == "lead_first"
    assert not service.waits_for_lead(hearing, member, now=NOW + timedelta(hours=22))
    assert _file(hearing, lead).author_id == lead.id
