"""Each shift's stored place in its court's local week follows every change to it.

The recommendations narrow open seats by the volunteer's weekly windows on
``shifts.local_week_start``/``local_week_end`` (issue 18 item 1). A stale value would hide a seat
that fits (nobody is told of a hearing that needs them) or offer one that does not, so every way
a shift's times or its court's zone change is made here, through the services where one exists,
and the stored values are compared with a fresh computation after each.
"""

from __future__ import annotations

from datetime import date, time, timedelta

from sqlalchemy import select

from scheduler.domain.timezones import local_to_utc, week_seconds
from scheduler.enums import Role, ShiftRole
from scheduler.extensions import db
from scheduler.hearings import importing as hearing_import
from scheduler.hearings import schedule as hearings
from scheduler.models import Court, Hearing, Shift
from scheduler.types import utcnow
from tests.factories import make_court, make_hearing, make_user
from tests.hearings.test_importing import csv_text, row

WEDNESDAY = date(2030, 1, 9)


def stale() -> dict[int, tuple]:
    """Shifts whose stored place differs from their times in their court's zone (NULL aside)."""
    db.session.flush()
    rows = db.session.execute(
        select(
            Shift.id,
            Shift.starts_at,
            Shift.ends_at,
            Shift.local_week_start,
            Shift.local_week_end,
            Court.timezone,
        )
        .join(Hearing, Hearing.id == Shift.hearing_id)
        .join(Court, Court.id == Hearing.court_id)
    ).all()
    return {
        sid: (stored_start, stored_end, week_seconds(starts, ends, tz))
        for sid, starts, ends, stored_start, stored_end, tz in rows
        if (stored_start, stored_end) != week_seconds(starts, ends, tz)
    }


def place(shift: Shift) -> tuple[int | None, int | None]:
    db.session.flush()
    return (
        db.session.execute(select(Shift.local_week_start, Shift.local_week_end).where(Shift.id == shift.id))
        .one()
        ._tuple()
    )


def test_a_new_shift_knows_its_local_day_and_hours(app) -> None:
    court = make_court(timezone="America/New_York")
    hearing = make_hearing(court=court, starts_at=local_to_utc(WEDNESDAY, time(9), court.timezone))
    shift = hearing.shifts[0]
    shift.starts_at = local_to_utc(WEDNESDAY, time(8, 30), court.timezone)
    shift.ends_at = local_to_utc(WEDNESDAY, time(10), court.timezone)
    # Wednesday is day 2 of the week: 2 days, then 08:30 and 10:00 by the court's clock.
    assert place(shift) == (2 * 86_400 + 8 * 3600 + 1800, 2 * 86_400 + 10 * 3600)
    assert stale() == {}


def test_the_services_that_move_or_lengthen_a_hearing_move_its_place(app) -> None:
    chicago, honolulu = make_court(), make_court(timezone="Pacific/Honolulu")
    coordinator = make_user(role=Role.COORDINATOR)
    hearing = make_hearing(
        court=chicago,
        starts_at=local_to_utc(WEDNESDAY, time(9), chicago.timezone),
        seats={ShiftRole.ACCOMPANIER: 2, ShiftRole.INTERPRETER: 1},
    )
    before = [place(s) for s in hearing.shifts]

    # To Friday at 13:00 in Honolulu: other day, other hour, other zone.
    hearings.reschedule_hearing(
        db.session,
        actor=coordinator,
        hearing=hearing,
        court=honolulu,
        starts_at=local_to_utc(WEDNESDAY + timedelta(days=2), time(13), honolulu.timezone),
        courtroom="4",
    )
    moved = [place(s) for s in hearing.shifts]
    assert all(start // 86_400 == 4 for start, _end in moved) and moved != before
    assert stale() == {}

    # Three hours instead of one: the shifts that ran to its end still do.
    details = hearings.HearingDetails(
        kind=hearing.kind, duration_minutes=180, languages=tuple(hearing.language_codes)
    )
    hearings.update_details(db.session, actor=coordinator, hearing=hearing, details=details)
    assert [place(s) for s in hearing.shifts] != moved
    assert stale() == {}


def test_a_hearing_moved_to_a_court_in_another_zone_keeps_its_instant_but_not_its_place(app) -> None:
    chicago, saipan = make_court(), make_court(timezone="Pacific/Saipan")
    hearing = make_hearing(court=chicago, starts_at=local_to_utc(WEDNESDAY, time(9), chicago.timezone))
    before = place(hearing.shifts[0])
    hearing.court = saipan  # the same instant is Thursday 01:00 in Saipan
    assert place(hearing.shifts[0]) != before
    assert stale() == {}


def test_a_court_given_another_zone_replaces_its_future_shifts(app) -> None:
    court = make_court()
    soon = make_hearing(court=court, starts_at=utcnow() + timedelta(days=3))
    later = make_hearing(court=court, starts_at=utcnow() + timedelta(days=30))
    long_ago = make_hearing(court=court, starts_at=utcnow() - timedelta(days=30))
    elsewhere = make_hearing(starts_at=utcnow() + timedelta(days=3))
    untouched = place(elsewhere.shifts[0])

    court.timezone = "America/Los_Angeles"  # an administrator corrects it
    db.session.flush()
    assert stale() == {long_ago.shifts[0].id: (None, None, stale_value(long_ago.shifts[0], court))}
    for hearing in (soon, later):  # read back as stored, not as the session last knew them
        shift = hearing.shifts[0]
        assert (shift.local_week_start, shift.local_week_end) == week_seconds(
            shift.starts_at, shift.ends_at, "America/Los_Angeles"
        )
    assert place(elsewhere.shifts[0]) == untouched


def stale_value(shift: Shift, court: Court) -> tuple[int, int]:
    return week_seconds(shift.starts_at, shift.ends_at, court.timezone)


def test_imported_hearings_are_placed_too(app) -> None:
    make_court(name="Chicago Immigration Court", code="CHI")
    coordinator = make_user(role=Role.COORDINATOR)
    text = csv_text([row(n) for n in range(30)])
    assert hearing_import.commit_import(db.session, actor=coordinator, text=text, now=utcnow()) == 30
    stored = db.session.execute(select(Shift.local_week_start)).scalars().all()
    assert len(stored) == 60 and None not in stored
    assert stale() == {}


def test_a_bulk_update_that_would_leave_places_stale_is_refused(app) -> None:
    import pytest
    from sqlalchemy import update

    from scheduler.models.local_week import BulkRetimeRefused, week_columns

    hearing = make_hearing(starts_at=local_to_utc(WEDNESDAY, time(9), "America/Chicago"))
    shift = hearing.shifts[0]
    later = shift.starts_at + timedelta(hours=3), shift.ends_at + timedelta(hours=3)
    with pytest.raises(BulkRetimeRefused):
        db.session.execute(
            update(Shift).where(Shift.id == shift.id).values(starts_at=later[0], ends_at=later[1])
        )
    with pytest.raises(BulkRetimeRefused):  # by primary key, row by row
        db.session.execute(update(Shift), [{"id": shift.id, "starts_at": later[0], "ends_at": later[1]}])
    with pytest.raises(BulkRetimeRefused):
        db.session.execute(update(Court).values(timezone="America/Denver"))
    with pytest.raises(BulkRetimeRefused):
        db.session.execute(update(Hearing).values(court_id=make_court().id))
    # Allowed: the places set with the times, and updates of anything else.
    db.session.execute(
        update(Shift)
        .where(Shift.id == shift.id)
        .values(starts_at=later[0], ends_at=later[1], **week_columns(*later, "America/Chicago"))
        .execution_options(synchronize_session=False)
    )
    db.session.execute(update(Shift).where(Shift.id == shift.id).values(capacity=3))
    db.session.expire_all()
    assert stale() == {}
