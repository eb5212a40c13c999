"""The coverage dashboard: numbers, filters, scope, and a constant number of queries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event

from scheduler.enums import HearingKind, Role, ShiftRole, SignupStatus
from scheduler.extensions import db
from scheduler.shifts import coverage as dashboard
from scheduler.shifts.coverage import Filters
from scheduler.types import utcnow
from tests.factories import make_court, make_hearing, make_signup, make_user


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *args: object) -> None:
        self.count += 1


def count_queries(fn):
    counter = QueryCounter()
    engine = db.engine
    event.listen(engine, "before_cursor_execute", counter)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", counter)
    return counter.count


@pytest.mark.committed  # counts statements: the test harness's SAVEPOINTs must not be among them
def test_query_count_does_not_grow_with_the_page_size(app) -> None:
    court = make_court()
    coordinator = make_user(role=Role.COORDINATOR)
    volunteers = [make_user() for _ in range(3)]
    start = utcnow() + timedelta(days=1)
    for i in range(120):
        hearing = make_hearing(
            court=court,
            starts_at=start + timedelta(hours=i),
            seats={ShiftRole.ACCOMPANIER: 2, ShiftRole.INTERPRETER: 1},
            languages=("es", "mam"),
        )
        make_signup(shift=hearing.shifts[0], user=volunteers[i % 3])
    db.session.commit()

    def run(per_page: int) -> int:
        db.session.expire_all()

        def render() -> None:
            board = dashboard.dashboard(
                db.session,
                user=coordinator,
                filters=Filters(weeks=26, only_unfilled=True, language="es"),
                now=utcnow(),
                per_page=per_page,
            )
            assert sum(len(items) for _, items in board.days) == per_page
            for _, items in board.days:
                for item in items:
                    _ = (item.hearing.court.name, item.hearing.language_codes, item.missing)

        return count_queries(render)

    assert run(10) == run(100)


def test_coverage_counts_confirmed_people_per_role(app) -> None:
    coordinator = make_user(role=Role.COORDINATOR)
    hearing = make_hearing(seats={ShiftRole.ACCOMPANIER: 2, ShiftRole.DRIVER: 1})
    make_signup(shift=hearing.shifts[0], user=make_user())
    make_signup(shift=hearing.shifts[0], user=make_user(), status=SignupStatus.WAITLISTED)
    make_signup(shift=hearing.shifts[1], user=make_user(), status=SignupStatus.DROPPED)
    board = dashboard.dashboard(db.session, user=coordinator, filters=Filters(), now=utcnow())
    (item,) = board.days[0][1]
    assert {(r.role, r.filled, r.needed, r.missing) for r in item.roles} == {
        (ShiftRole.ACCOMPANIER, 1, 2, 1),
        (ShiftRole.DRIVER, 0, 1, 1),
    }


def test_days_are_the_courts_local_dates(app) -> None:
    coordinator = make_user(role=Role.COORDINATOR)
    honolulu = make_court(timezone="Pacific/Honolulu")
    # 08:00 UTC on the 2nd is 22:00 on the 1st in Honolulu.
    day = (utcnow() + timedelta(days=10)).date()
    instant = datetime(day.year, day.month, day.day, 8, tzinfo=UTC)
    make_hearing(court=honolulu, starts_at=instant)
    board = dashboard.dashboard(db.session, user=coordinator, filters=Filters(), now=utcnow())
    assert [d for d, _ in board.days] == [day - timedelta(days=1)]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(kind=HearingKind.BOND), {"bond"}),
        (Filters(language="ht"), {"creole"}),
        (Filters(only_unfilled=True), {"bond", "creole"}),
        (Filters(weeks=1), {"bond", "full"}),
    ],
)
def test_filters(app, filters: Filters, expected: set[str]) -> None:
    coordinator = make_user(role=Role.COORDINATOR)
    now = utcnow()
    make_hearing(kind=HearingKind.BOND, starts_at=now + timedelta(days=2), judge="bond")
    make_hearing(languages=("ht",), starts_at=now + timedelta(days=20), judge="creole")
    full = make_hearing(seats={ShiftRole.ACCOMPANIER: 1}, starts_at=now + timedelta(days=3), judge="full")
    make_signup(shift=full.shifts[0], user=make_user())
    board = dashboard.dashboard(db.session, user=coordinator, filters=filters, now=now)
    assert {item.hearing.judge for _, items in board.days for item in items} == expected


def test_a_scoped_coordinator_sees_only_their_courts(app) -> None:
    chicago, houston = make_court(), make_court(timezone="America/Chicago")
    coordinator = make_user(role=Role.COORDINATOR, courts=(chicago,))
    make_hearing(court=chicago, judge="mine")
    make_hearing(court=houston, judge="theirs")
    board = dashboard.dashboard(db.session, user=coordinator, filters=Filters(), now=utcnow())
    assert [item.hearing.judge for _, items in board.days for item in items] == ["mine"]


def test_month_calendar_counts_hearings_and_unfilled_seats_per_local_day(app) -> None:
    coordinator = make_user(role=Role.COORDINATOR)
    court = make_court(timezone="America/New_York")
    at = datetime(2031, 5, 20, 14, tzinfo=UTC)
    make_hearing(court=court, starts_at=at, seats={ShiftRole.ACCOMPANIER: 2})
    other = make_hearing(court=court, starts_at=at + timedelta(hours=2), seats={ShiftRole.ACCOMPANIER: 1})
    make_signup(shift=other.shifts[0], user=make_user())
    cal = dashboard.month_calendar(db.session, user=coordinator, filters=Filters(), year=2031, month=5)
    days = {d.day: d for week in cal.weeks for d in week}
    assert (days[at.date()].hearings, days[at.date()].missing) == (2, 2)
    assert days[at.date() + timedelta(days=1)].hearings == 0
    assert cal.previous == (2031, 4) and cal.next == (2031, 6)
