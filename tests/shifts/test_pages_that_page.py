"""Pages that page: open seats and recommendations cost the same however big the network is.

Guards of issue 18, item 1: a fixed number of SQL statements per page whatever the number of
rows, counts only for the rows shown, and recommendation candidates narrowed in SQL. No timing.
"""

from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import event

from scheduler.domain.eligibility import schedule_of
from scheduler.domain.matching import History, seats_for
from scheduler.enums import ShiftRole, SignupStatus
from scheduler.extensions import db
from scheduler.matching import facts as matching_service
from scheduler.matching import suggestions
from scheduler.models import AvailabilityWindow
from scheduler.shifts import queries as shift_queries
from scheduler.shifts.queries import ShiftFilters
from scheduler.types import utcnow
from tests.factories import make_court, make_hearing, make_signup, make_user
from tests.matching_helpers import free_person, local_start


def statements(fn) -> list[str]:
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    return seen


def add_hearings(court, people, n: int, *, first_day: int = 1) -> None:
    for k in range(n):
        hearing = make_hearing(
            court=court,
            starts_at=local_start(days=first_day + k % 12, hour=9 + k % 6),
            seats={ShiftRole.ACCOMPANIER: 2, ShiftRole.INTERPRETER: 1},
            languages=("es", "mam") if k % 2 else ("es",),
        )
        make_signup(shift=hearing.shifts[0], user=people[k % len(people)])


def test_the_open_seats_query_counts_seats_only_for_the_rows_it_keeps(app) -> None:
    """No grouped count of every confirmed signup joined in before the date filter."""
    query = shift_queries.open_shifts_query(filters=ShiftFilters(), now=utcnow(), horizon=timedelta(days=14))
    sql = str(query.compile(db.engine)).upper()
    assert "GROUP BY" not in sql


def test_the_open_seats_query_bounds_hearings_by_the_seats_window_and_keeps_edge_seats(app) -> None:
    """The hearings are bounded too (so a court filter reads that court's coming hearings, not
    its history), and a seat starting after its hearing began, or just before the horizon for
    a hearing just after it, is still listed."""

    now = utcnow().replace(microsecond=0)
    court = make_court()
    begun = make_hearing(court=court, starts_at=now - timedelta(hours=3), seats={ShiftRole.DRIVER: 1})
    ride_home = begun.shifts[0]
    ride_home.starts_at, ride_home.ends_at = now + timedelta(hours=1), now + timedelta(hours=2)
    late = make_hearing(court=court, starts_at=now + timedelta(days=14, hours=20))
    early_seat = late.shifts[0]
    early_seat.starts_at = now + timedelta(days=13, hours=23)
    early_seat.ends_at = late.starts_at + timedelta(hours=1)
    past = make_hearing(court=court, starts_at=now - timedelta(days=30))
    db.session.flush()
    query = shift_queries.open_shifts_query(
        filters=ShiftFilters(court_ids=(court.id,)), now=now, horizon=timedelta(days=14)
    )
    found = {shift.id for shift in db.session.scalars(query).unique()}
    assert {ride_home.id, early_seat.id} <= found
    assert not found & {s.id for s in past.shifts}
    sql = str(query.compile(db.engine))
    assert "hearings.starts_at >" in sql and "hearings.starts_at <" in sql, sql


def test_the_open_seats_page_runs_the_same_statements_for_few_and_many_rows(app, client, auth) -> None:
    court = make_court()
    people = [free_person(languages=("es",)) for _ in range(3)]
    reader = free_person(languages=("es", "mam"))
    add_hearings(court, people, 3)
    db.session.commit()
    auth.login_as(reader)
    client.get("/shifts?all=1")  # templates, caches, the signed-in person in the session
    few = statements(lambda: client.get("/shifts?all=1"))
    add_hearings(court, people, 40, first_day=2)
    db.session.commit()
    client.get("/shifts?all=1")
    many = statements(lambda: client.get("/shifts?all=1"))
    assert len(few) > 5 and len(many) == len(few), many


def past_way(user, now, settings, limit=5):
    """The recommendations as computed before: every open seat loaded, the rules on each."""
    volunteer = matching_service.load_facts(db.session, user_ids=[user.id])[user.id]
    shifts = matching_service.open_shifts(db.session, now=now, until=now + timedelta(days=14))
    held = {
        sid
        for sid, ids in matching_service.holders(db.session, [s.id for s in shifts]).items()
        if user.id in ids
    }
    shifts = [s for s in shifts if s.id not in held and s.role in volunteer.roles]
    schedule = matching_service.load_schedules(
        db.session, window=(now, now + timedelta(days=14)), user_ids=[user.id]
    ).get(user.id)
    history = matching_service.load_histories(db.session, now=now, user_ids=[user.id]).get(user.id, History())
    fitting, _ = seats_for(
        volunteer=volunteer,
        seats=[matching_service.match_seat(s, include_ref=False) for s in shifts],
        schedule=schedule or schedule_of([]),
        history=history,
        now=now,
        rules=settings.rules,
        weights=settings.weights,
    )
    return [(seat.facts.shift_id, match.score) for seat, match in fitting[:limit]]


def test_recommendations_load_only_seats_that_could_fit_and_rank_as_before(app) -> None:
    court, other = make_court(), make_court(timezone="America/Los_Angeles")
    crowd = [free_person(languages=("es",)) for _ in range(3)]
    add_hearings(court, crowd, 20)
    add_hearings(other, crowd, 10)
    person = make_user(languages=("es",), roles=(ShiftRole.ACCOMPANIER, ShiftRole.INTERPRETER))
    # Mornings on Monday to Wednesday only, in each court's own time.
    person.profile.availability = [
        AvailabilityWindow(weekday=d, start_time=time(7), end_time=time(12)) for d in range(3)
    ]
    person.profile.preferred_courts = [other]
    db.session.flush()
    # A seat they already hold is never recommended.
    held = make_hearing(court=court, starts_at=local_start(days=2, hour=9))
    make_signup(shift=held.shifts[0], user=person, status=SignupStatus.WAITLISTED)
    now = utcnow()
    settings = matching_service.MatchSettings()
    volunteer = matching_service.load_facts(db.session, user_ids=[person.id])[person.id]
    loaded = matching_service.open_seats_for_volunteer(
        db.session, volunteer=volunteer, now=now, until=now + timedelta(days=14)
    )
    everything = matching_service.open_shifts(db.session, now=now, until=now + timedelta(days=14))
    assert 0 < len(loaded) < len(everything)
    # The facts read as columns are the facts of the shift itself.
    by_id = {s.id: s for s in everything}
    for seat in loaded:
        assert seat == matching_service.match_seat(by_id[seat.facts.shift_id], include_ref=False)
        zone = __import__("zoneinfo").ZoneInfo(seat.facts.court_tz)
        local, local_end = seat.facts.starts_at.astimezone(zone), seat.facts.ends_at.astimezone(zone)
        # Inside the window exactly, not within an hour of it.
        assert local.weekday() in (0, 1, 2) and time(7) <= local.time() and local_end.time() <= time(12)
        assert seat.facts.shift_id != held.shifts[0].id
        if seat.facts.role == ShiftRole.INTERPRETER:
            assert seat.facts.languages & {"es"}
    got = suggestions.recommended_for(db.session, user=person, now=now, settings=settings)
    assert [(r.shift.id, r.score) for r in got] == past_way(person, now, settings)
    # However many seats there are, a fixed number of statements.
    few = len(
        statements(lambda: suggestions.recommended_for(db.session, user=person, now=now, settings=settings))
    )
    add_hearings(court, crowd, 30, first_day=3)
    db.session.flush()
    assert (
        len(
            statements(
                lambda: suggestions.recommended_for(db.session, user=person, now=now, settings=settings)
            )
        )
        == few
    )


def test_a_volunteer_without_windows_or_roles_gets_no_query_for_seats(app) -> None:
    person = make_user(languages=("es",), roles=(ShiftRole.ACCOMPANIER,))
    volunteer = matching_service.load_facts(db.session, user_ids=[person.id])[person.id]
    now = utcnow()
    assert (
        statements(
            lambda: matching_service.open_seats_for_volunteer(
                db.session, volunteer=volunteer, now=now, until=now + timedelta(days=14)
            )
        )
        == []
    )


def _world_across_zones():
    """Hearings near local midnights in three zones around a month's edges, some seats taken."""
    from datetime import UTC, datetime

    courts = [
        make_court(timezone="Pacific/Honolulu"),
        make_court(timezone="America/New_York"),
        make_court(timezone="Pacific/Saipan"),
    ]
    people = [make_user() for _ in range(3)]
    base = datetime(2031, 4, 29, 0, tzinfo=UTC)
    hearings = []
    for k in range(36):
        hearing = make_hearing(
            court=courts[k % 3],
            starts_at=base + timedelta(hours=7 * k + k % 5),
            seats={ShiftRole.ACCOMPANIER: 1 + k % 3, ShiftRole.DRIVER: 1},
        )
        for person in people[: k % 4]:
            make_signup(shift=hearing.shifts[0], user=person)
        hearings.append(hearing)
    hearings[5].status = __import__("scheduler.enums", fromlist=["HearingStatus"]).HearingStatus.CANCELLED
    db.session.flush()
    return hearings


def test_the_month_calendar_sums_each_courts_local_day_in_sql(app) -> None:
    from collections import Counter
    from zoneinfo import ZoneInfo

    from scheduler.enums import HearingStatus, Role
    from scheduler.shifts import coverage as dashboard
    from scheduler.shifts.coverage import Filters

    coordinator = make_user(role=Role.COORDINATOR)
    hearings = _world_across_zones()
    cal = dashboard.month_calendar(db.session, user=coordinator, filters=Filters(), year=2031, month=5)
    got = {d.day: (d.hearings, d.missing) for week in cal.weeks for d in week if d.in_month}
    count, missing = Counter(), Counter()
    for h in hearings:
        day = h.starts_at.astimezone(ZoneInfo(h.court.timezone)).date()
        if h.status != HearingStatus.SCHEDULED or day.month != 5:
            continue
        count[day] += 1
        for shift in h.shifts:
            taken = sum(1 for s in shift.signups if s.status == SignupStatus.CONFIRMED)
            missing[day] += max(shift.capacity - taken, 0)
    assert sum(count.values()) > 10
    assert got == {day: (count[day], missing[day]) for day in got}
    # A fixed number of statements whatever the month holds.
    few = len(
        statements(
            lambda: dashboard.month_calendar(
                db.session, user=coordinator, filters=Filters(), year=2031, month=6
            )
        )
    )
    assert few == len(
        statements(
            lambda: dashboard.month_calendar(
                db.session, user=coordinator, filters=Filters(), year=2031, month=5
            )
        )
    )


def test_the_week_summary_is_summed_in_sql(app) -> None:
    from datetime import UTC, datetime

    from scheduler.enums import Role
    from scheduler.shifts import coverage as dashboard

    coordinator = make_user(role=Role.COORDINATOR)
    hearings = _world_across_zones()
    now = datetime(2031, 4, 30, 0, tzinfo=UTC)
    week = [
        h for h in hearings if now <= h.starts_at < now + timedelta(days=7) and h.status.value == "scheduled"
    ]
    needed = sum(s.capacity for h in week for s in h.shifts)
    unfilled = sum(
        max(s.capacity - sum(1 for x in s.signups if x.status == SignupStatus.CONFIRMED), 0)
        for h in week
        for s in h.shifts
    )
    summary = dashboard.week_summary(db.session, user=coordinator, now=now)
    assert (summary.hearings, summary.seats_needed, summary.seats_unfilled) == (len(week), needed, unfilled)
    assert 0 < unfilled < needed
    # Two statements (the sums, the people waiting for approval), each one row back.
    run = statements(lambda: dashboard.week_summary(db.session, user=coordinator, now=now))
    assert len(run) == 2 and "GROUP BY" not in run[0].upper()


def test_every_planned_seat_starts_within_the_bound_the_windowed_queries_rely_on(app) -> None:
    """The week summary reads shifts by shifts.starts_at, two days either side of its hearings'
    window: the farthest a seat can start from its hearing (a seat at midnight for a hearing
    at 23:59 the same local day, on the day clocks change) is inside that bound, and a hearing
    moved later keeps each seat's offset."""
    from datetime import date

    from scheduler.domain.hearings import HearingDraft, SeatSpec, move_window, plan_hearing

    for day in (date(2031, 3, 9), date(2031, 11, 2), date(2031, 6, 10)):
        draft = HearingDraft(
            day=day,
            at=time(23, 59),
            tz_name="America/Chicago",
            duration_minutes=1,
            seats=(
                SeatSpec(ShiftRole.ACCOMPANIER, 1, start=time(0, 0), end=time(0, 1)),
                SeatSpec(ShiftRole.DRIVER, 1),
            ),
        )
        plan = plan_hearing(draft=draft, now=utcnow(), allow_past=True)
        for seat in plan.shifts:
            assert abs(seat.starts_at - plan.starts_at) < shift_queries.SHIFT_FROM_HEARING
            moved = move_window(
                old_start=plan.starts_at,
                new_start=plan.starts_at + timedelta(days=40),
                window=(seat.starts_at, seat.ends_at),
            )
            assert moved[0] - (plan.starts_at + timedelta(days=40)) == seat.starts_at - plan.starts_at


def test_the_week_summary_counts_a_seat_that_starts_a_day_before_the_week(app) -> None:
    """A hearing just inside the week whose seat starts the day before still counts."""
    from datetime import UTC, datetime

    from scheduler.enums import Role
    from scheduler.models import Shift
    from scheduler.shifts import coverage as dashboard

    coordinator = make_user(role=Role.COORDINATOR)
    now = datetime(2031, 4, 30, 0, tzinfo=UTC)
    hearing = make_hearing(starts_at=now + timedelta(minutes=30), seats={ShiftRole.ACCOMPANIER: 2})
    early = Shift(
        role=ShiftRole.DRIVER,
        capacity=1,
        starts_at=now - timedelta(hours=23),
        ends_at=now + timedelta(hours=1),
    )
    hearing.shifts.append(early)
    db.session.flush()
    summary = dashboard.week_summary(db.session, user=coordinator, now=now)
    assert (summary.hearings, summary.seats_needed, summary.seats_unfilled) == (1, 3, 3)


def test_the_dashboards_language_filter_probes_each_hearing(app) -> None:
    """Spanish is most hearings: the filter looks up each hearing's own language rows (a
    correlated lookup), not a list of every hearing in that language."""
    from datetime import UTC, datetime

    from scheduler.enums import Role
    from scheduler.shifts import coverage as dashboard

    coordinator = make_user(role=Role.COORDINATOR)
    now = datetime(2031, 4, 30, 0, tzinfo=UTC)
    spanish = make_hearing(starts_at=now + timedelta(days=1), languages=("es", "mam"))
    make_hearing(starts_at=now + timedelta(days=2), languages=("fr",))
    run = statements(
        lambda: dashboard.dashboard(
            db.session, user=coordinator, filters=dashboard.Filters(language="es"), now=now
        )
    )
    found = dashboard.dashboard(
        db.session, user=coordinator, filters=dashboard.Filters(language="es"), now=now
    )
    assert [c.hearing.id for _day, items in found.days for c in items] == [spanish.id]
    counted = next(" ".join(q.split()).upper() for q in run if q.upper().startswith("SELECT COUNT(*)"))
    assert "HEARING_LANGUAGES.HEARING_ID = HEARINGS.ID" in counted, counted
    assert " IN (SELECT HEARING_LANGUAGES.HEARING_ID" not in counted


# The volunteer's /shifts with "Recommended for you" (in the tests): 29 statements before the
# seats that fit were checked with the claim's one-statement load of the person (was seven) and
# the recommendations loaded the person and their seats in three (load_person, was eight).
VOLUNTEER_SHIFTS_STATEMENTS = 17


def test_the_volunteers_seats_and_recommendations_run_a_fixed_small_number_of_statements(
    app, client, auth
) -> None:
    court = make_court()
    people = [free_person(languages=("es",)) for _ in range(3)]
    reader = free_person(languages=("es", "mam"))
    add_hearings(court, people, 3)
    db.session.commit()
    auth.login_as(reader)
    client.get("/shifts")
    few = statements(lambda: client.get("/shifts"))
    add_hearings(court, people, 40, first_day=2)
    db.session.commit()
    client.get("/shifts")
    many = statements(lambda: client.get("/shifts"))
    assert len(many) == len(few) <= VOLUNTEER_SHIFTS_STATEMENTS, [" ".join(q.split())[:80] for q in many]


def test_one_persons_facts_in_three_statements_are_those_of_the_bulk_loaders(app) -> None:
    from scheduler.models import BlackoutDate

    court = make_court()
    person = free_person(languages=("es", "mam"), has_car=True)
    person.profile.preferred_courts = [court]
    db.session.add(BlackoutDate(user_id=person.id, day=utcnow().date() + timedelta(days=4)))
    hearing = make_hearing(court=court, starts_at=local_start(days=2))
    make_signup(shift=hearing.shifts[0], user=person)
    db.session.flush()
    now = utcnow()
    window = (now, now + timedelta(days=14))
    run = statements(lambda: matching_service.load_person(db.session, user_id=person.id, window=window))
    found = matching_service.load_person(db.session, user_id=person.id, window=window)
    assert found is not None and len(run) == 3
    volunteer, schedule = found
    assert volunteer == matching_service.load_facts(db.session, user_ids=[person.id])[person.id]
    assert volunteer.blackout_dates and volunteer.availability and volunteer.preferred_court_ids
    expected = matching_service.load_schedules(db.session, window=window, user_ids=[person.id])[person.id]
    assert schedule == expected and schedule != schedule_of([])


def test_the_month_calendar_counts_a_seat_that_starts_the_day_before_its_hearing(app) -> None:
    """The calendar reads shifts by the bound its hearings imply: an early seat still counts."""
    from datetime import UTC, datetime

    from scheduler.enums import Role
    from scheduler.models import Shift
    from scheduler.shifts import coverage as dashboard

    coordinator = make_user(role=Role.COORDINATOR)
    court = make_court(timezone="UTC")
    start = datetime(2031, 5, 1, 0, 30, tzinfo=UTC)
    hearing = make_hearing(court=court, starts_at=start, seats={ShiftRole.ACCOMPANIER: 2})
    hearing.shifts.append(
        Shift(role=ShiftRole.DRIVER, capacity=1, starts_at=start - timedelta(hours=23), ends_at=start)
    )
    db.session.flush()
    month = dashboard.month_calendar(
        db.session, user=coordinator, filters=dashboard.Filters(), year=2031, month=5
    )
    first = next(d for week in month.weeks for d in week if d.day == start.date())
    assert (first.hearings, first.needed, first.missing) == (1, 3, 3)


def test_seat_facts_read_as_columns_are_those_of_the_loaded_shift(app) -> None:
    """The list and the recommendations judge seats on facts read as columns: they must be the
    facts the claim itself reads from the shift (languages, zone, cancelled, closed)."""
    from sqlalchemy import select

    from scheduler.enums import HearingStatus, ShiftStatus
    from scheduler.models import Court, Hearing, Shift
    from scheduler.shifts.facts import seat_fact_columns, seat_facts, seat_facts_of

    court = make_court(timezone="Pacific/Saipan")
    two = make_hearing(
        court=court, languages=("es", "mam"), seats={ShiftRole.ACCOMPANIER: 1, ShiftRole.DRIVER: 1}
    )
    none = make_hearing(court=court, languages=())
    cancelled = make_hearing(court=court)
    cancelled.status = HearingStatus.CANCELLED
    closed = make_hearing(court=court)
    closed.shifts[0].status = ShiftStatus.CLOSED
    db.session.flush()
    rows = db.session.execute(
        select(*seat_fact_columns())
        .join(Hearing, Hearing.id == Shift.hearing_id)
        .join(Court, Court.id == Hearing.court_id)
    ).all()
    shifts = {s.id: s for s in db.session.scalars(select(Shift))}
    assert len(rows) == len(shifts) == 5
    for row in rows:
        assert seat_facts_of(row) == seat_facts(shifts[row[0]])
    by_hearing = {seat_facts_of(r).hearing_id: seat_facts_of(r) for r in rows}
    assert by_hearing[two.id].languages == {"es", "mam"} and by_hearing[none.id].languages == frozenset()
    assert by_hearing[cancelled.id].cancelled and by_hearing[closed.id].closed
