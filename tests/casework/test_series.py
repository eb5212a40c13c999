"""Recurring ICE check-ins: each date an ordinary hearing, opened as the window moves."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from scheduler.casework import series as service
from scheduler.domain.recurrence import Frequency, RecurrenceInvalid
from scheduler.domain.timezones import to_local
from scheduler.enums import HearingStatus, ShiftRole
from scheduler.errors import PermissionDenied, ServiceError
from scheduler.extensions import db
from scheduler.models import Hearing, HearingSeries, Invitation, NotificationIntent, SeriesOccurrence
from tests.casework.helpers import NOW, SETTINGS, checkin, chicago, coordinator_of
from tests.factories import make_hearing, make_signup
from tests.matching_helpers import free_person

FIRST = date(2031, 3, 4)  # a Tuesday, the day after NOW


def _series(court, coordinator, **spec):
    first = checkin(court, FIRST)
    values = {"frequency": Frequency.WEEKLY, "count": 10, "weeks_ahead": 4}
    values.update(spec)
    made = service.start_series(
        db.session,
        actor=coordinator,
        hearing=first,
        spec=service.SeriesSpec(**values),
        now=NOW,
        settings=SETTINGS,
    )
    return first, made


def _dates(series: HearingSeries) -> list[date]:
    return [o.occurs_on for o in series.occurrences]


def test_weekly_series_opens_the_dates_within_its_window_at_the_same_wall_clock_time(app) -> None:
    court = chicago()
    _, made = _series(court, coordinator_of(court))
    assert _dates(made) == [FIRST + timedelta(weeks=n) for n in range(4)]  # up to 4 weeks from now
    for occurrence in made.occurrences:
        local = to_local(occurrence.hearing.starts_at, court.timezone)
        assert (local.date(), local.time()) == (occurrence.occurs_on, time(9))  # across the DST change
        assert [s.role for s in occurrence.hearing.shifts] == [ShiftRole.ACCOMPANIER]
        assert occurrence.hearing.respondent_ref == "MARKER-RESP-7731"
    assert len({o.hearing.case_key for o in made.occurrences}) == 1


def test_the_window_moves_on_and_the_series_ends_with_its_last_date(app) -> None:
    court = chicago()
    _, made = _series(court, coordinator_of(court), count=6)
    assert service.open_all_windows(db.session, now=NOW + timedelta(weeks=2), settings=SETTINGS) == 2
    assert len(made.occurrences) == 6 and made.ended
    assert service.open_all_windows(db.session, now=NOW + timedelta(weeks=3), settings=SETTINGS) == 0


def test_monthly_on_a_weekday_and_skipped_dates(app) -> None:
    court = chicago()
    skipped = frozenset({date(2031, 4, 1)})  # the 1st Tuesday of April
    _, made = _series(
        court,
        coordinator_of(court),
        frequency=Frequency.MONTHLY_WEEKDAY,
        count=4,
        skipped=skipped,
        weeks_ahead=20,
    )
    assert _dates(made) == [date(2031, 3, 4), date(2031, 5, 6), date(2031, 6, 3)]


def test_monthly_on_a_date(app) -> None:
    court = chicago()
    _, made = _series(court, coordinator_of(court), frequency=Frequency.MONTHLY_DATE, count=3, weeks_ahead=10)
    assert _dates(made) == [date(2031, 3, 4), date(2031, 4, 4), date(2031, 5, 4)]


@pytest.mark.parametrize(
    ("spec", "code"),
    [
        ({"count": 60}, "too_long"),
        ({"count": None, "until": date(2032, 6, 1)}, "too_long"),
        ({"count": None, "until": date(2031, 3, 1)}, "none"),
        ({"count": 1, "skipped": frozenset({FIRST})}, "none"),
        ({"count": None}, "no_end"),
    ],
)
def test_a_rule_of_more_than_a_year_or_no_date_is_refused_and_nothing_is_written(app, spec, code) -> None:
    court = chicago()
    coordinator = coordinator_of(court)
    before = db.session.scalar(select(func.count()).select_from(Hearing))
    with pytest.raises(RecurrenceInvalid) as refused:
        _series(court, coordinator, **spec)
    assert refused.value.code == code
    assert db.session.scalar(select(func.count()).select_from(HearingSeries)) == 0
    assert db.session.scalar(select(func.count()).select_from(Hearing)) == before + 1  # the check-in only


def test_only_an_upcoming_check_in_in_scope_repeats(app) -> None:
    court = chicago()
    other = coordinator_of(chicago())
    with pytest.raises(PermissionDenied):
        _series(court, other)
    master = make_hearing(court=court, starts_at=NOW + timedelta(days=2))
    with pytest.raises(ServiceError):
        service.start_series(
            db.session,
            actor=coordinator_of(court),
            hearing=master,
            spec=service.SeriesSpec(frequency=Frequency.WEEKLY, count=3),
            now=NOW,
            settings=SETTINGS,
        )


def test_the_same_volunteers_are_invited_first(app) -> None:
    court = chicago()
    coordinator = coordinator_of(court)
    first = checkin(court, FIRST)
    volunteer = free_person(languages=("es",))
    make_signup(shift=first.shifts[0], user=volunteer)
    made = service.start_series(
        db.session,
        actor=coordinator,
        hearing=first,
        spec=service.SeriesSpec(frequency=Frequency.WEEKLY, count=3, weeks_ahead=4),
        now=NOW,
        settings=SETTINGS,
    )
    invited = db.session.scalars(select(Invitation).where(Invitation.user_id == volunteer.id)).all()
    later = {o.hearing.shifts[0].id for o in made.occurrences[1:]}
    assert {i.shift_id for i in invited} == later


def test_skipping_a_date_cancels_its_hearing_through_the_cancel_service(app) -> None:
    court = chicago()
    coordinator = coordinator_of(court)
    _, made = _series(court, coordinator)
    second = made.occurrences[1].hearing
    service.skip_date(db.session, actor=coordinator, series=made, day=second_day(made), reason="Holiday")
    assert second.status == HearingStatus.CANCELLED and second.version == 2
    kinds = db.session.scalars(select(NotificationIntent.kind)).all()
    assert "hearing_cancelled" in kinds
    with pytest.raises(ServiceError):
        service.skip_date(db.session, actor=coordinator, series=made, day=date(2031, 3, 5), reason="x")


def test_skipping_a_date_with_an_a_number_in_the_reason_is_refused(app) -> None:
    """The reason reaches everyone with a seat that day: the cancel service refuses an A-number."""
    court = chicago()
    coordinator = coordinator_of(court)
    _, made = _series(court, coordinator)
    second = made.occurrences[1].hearing
    with pytest.raises(ServiceError) as refused:
        service.skip_date(
            db.session, actor=coordinator, series=made, day=second_day(made), reason="Client A 123 456 789"
        )
    assert (refused.value.code, refused.value.field) == ("a_number", "reason")
    assert second.status == HearingStatus.SCHEDULED


def second_day(made: HearingSeries) -> date:
    return made.occurrences[1].occurs_on


def test_this_and_the_following_splits_the_rule_and_moves_later_occurrences(app) -> None:
    court = chicago()
    coordinator = coordinator_of(court)
    _, made = _series(court, coordinator, count=6)
    third = made.occurrences[2]
    moved_ids = [o.hearing_id for o in made.occurrences[2:]]
    new = service.change_following(
        db.session,
        actor=coordinator,
        series=made,
        from_day=third.occurs_on,
        new_first=third.occurs_on + timedelta(days=1),
        new_time=time(13, 30),
        now=NOW,
        settings=SETTINGS,
    )
    assert new is not None and new.previous_series_id == made.id
    assert service.planned_dates(made) == [FIRST, FIRST + timedelta(weeks=1)]
    assert len(service.planned_dates(new)) == 4  # the count carries on
    for hearing_id in moved_ids:
        hearing = db.session.get(Hearing, hearing_id)
        local = to_local(hearing.starts_at, court.timezone)
        assert local.weekday() == 2 and local.time() == time(13, 30)  # Wednesdays now
        assert hearing.version == 2
    rescheduled = db.session.scalars(
        select(NotificationIntent).where(NotificationIntent.kind == "hearing_rescheduled")
    ).all()
    assert {i.payload["hearing_id"] for i in rescheduled} == set(moved_ids)
    assert db.session.scalar(
        select(func.count()).select_from(SeriesOccurrence).where(SeriesOccurrence.series_id == new.id)
    ) >= len(moved_ids)


def test_stopping_from_a_date_cancels_the_later_occurrences(app) -> None:
    court = chicago()
    coordinator = coordinator_of(court)
    _, made = _series(court, coordinator, count=6)
    from_day = made.occurrences[3].occurs_on
    assert (
        service.change_following(
            db.session,
            actor=coordinator,
            series=made,
            from_day=from_day,
            new_first=None,
            new_time=None,
            now=NOW,
            settings=SETTINGS,
            reason="Case closed",
        )
        is None
    )
    statuses = [o.hearing.status for o in made.occurrences]
    assert statuses[:3] == [HearingStatus.SCHEDULED] * 3
    assert set(statuses[3:]) == {HearingStatus.CANCELLED}
    assert made.ended
    assert service.open_all_windows(db.session, now=NOW + timedelta(weeks=8), settings=SETTINGS) == 0


def test_a_refused_new_rule_changes_nothing(app) -> None:
    court = chicago()
    coordinator = coordinator_of(court)
    _, made = _series(court, coordinator, count=None, until=date(2031, 12, 30))
    rule = made.rule
    with pytest.raises(RecurrenceInvalid):
        service.change_following(
            db.session,
            actor=coordinator,
            series=made,
            from_day=made.occurrences[1].occurs_on,
            new_first=date(2032, 1, 6),
            new_time=None,
            now=NOW,
            settings=SETTINGS,
        )
    assert made.rule == rule and not made.ended
    assert {o.hearing.status for o in made.occurrences} == {HearingStatus.SCHEDULED}
