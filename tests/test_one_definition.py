"""Issue 17, item 5: each of these is defined once, so every page, feed, digest and the planner agree.

- what a volunteer may see of a hearing (the page, and the meeting point, notes and team);
- filled and open seats (a confirmed signup fills a seat; nothing else does);
- active courts.
"""

from __future__ import annotations

from datetime import timedelta

from scheduler.courts import queries as court_queries
from scheduler.enums import HearingStatus, Role, ShiftRole, SignupStatus
from scheduler.extensions import db
from scheduler.matching.facts import open_shifts
from scheduler.notifications.scheduled import unfilled_seats
from scheduler.shifts import coverage
from scheduler.shifts.queries import filled_counts, filled_on
from scheduler.types import utcnow
from tests.factories import make_court, make_hearing, make_signup, make_user

MEETING = "North door by the flag"
NOTES = "Bring the blue folder"


def test_a_cancelled_hearing_shows_its_meeting_point_on_no_page(app, client, auth) -> None:
    """The feed and the commitments page hid it; the hearing and shift pages showed it."""
    hearing = make_hearing(meeting_point=MEETING, public_notes=NOTES)
    seated = make_user(display_name="Selma Seated")
    make_signup(shift=hearing.shifts[0], user=seated)
    hearing.status = HearingStatus.CANCELLED
    hearing.cancelled_at = utcnow()
    db.session.commit()
    auth.login_as(seated)
    for url in (f"/hearings/{hearing.id}", f"/shifts/{hearing.shifts[0].id}", "/commitments"):
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.get_data(as_text=True)
        assert MEETING not in text and NOTES not in text, url


def test_a_confirmed_seat_at_a_hearing_still_on_shows_the_meeting_point_everywhere(app, client, auth) -> None:
    hearing = make_hearing(meeting_point=MEETING, public_notes=NOTES)
    seated = make_user()
    make_signup(shift=hearing.shifts[0], user=seated)
    db.session.commit()
    auth.login_as(seated)
    for url in (f"/hearings/{hearing.id}", f"/shifts/{hearing.shifts[0].id}", "/commitments"):
        text = client.get(url).get_data(as_text=True)
        assert MEETING in text and NOTES in text, url


def test_only_confirmed_signups_fill_seats_wherever_they_are_counted(app) -> None:
    now = utcnow()
    coordinator = make_user(role=Role.COORDINATOR)
    hearing = make_hearing(starts_at=now + timedelta(days=2), seats={ShiftRole.ACCOMPANIER: 3})
    shift = hearing.shifts[0]
    for status in SignupStatus:
        make_signup(shift=shift, user=make_user(), status=status)
    db.session.commit()
    db.session.refresh(shift)
    assert filled_counts(db.session, [shift.id]) == {shift.id: 1}
    assert filled_on(shift) == 1
    roles = coverage.role_coverage(db.session, hearing_ids=[hearing.id])[hearing.id]
    assert [(r.needed, r.filled, r.missing) for r in roles] == [(3, 1, 2)]
    summary = coverage.week_summary(db.session, user=coordinator, now=now)
    assert (summary.seats_needed, summary.seats_unfilled) == (3, 2)
    assert [(s.shift.id, s.filled) for s in unfilled_seats(db.session, now=now)] == [(shift.id, 1)]
    assert [s.id for s in open_shifts(db.session, now=now, until=now + timedelta(days=7))] == [shift.id]


def test_a_full_shift_is_an_open_seat_nowhere(app) -> None:
    now = utcnow()
    hearing = make_hearing(starts_at=now + timedelta(days=2), seats={ShiftRole.ACCOMPANIER: 1})
    make_signup(shift=hearing.shifts[0], user=make_user())
    db.session.commit()
    assert unfilled_seats(db.session, now=now) == []
    assert open_shifts(db.session, now=now, until=now + timedelta(days=7)) == []
    summary = coverage.week_summary(db.session, user=make_user(role=Role.COORDINATOR), now=now)
    assert summary.seats_unfilled == 0


def test_active_courts_leave_out_retired_ones_and_keep_to_the_scope(app) -> None:
    kept = make_court(name="Arlington Immigration Court", state="VA")
    other = make_court(name="Atlanta Immigration Court", state="GA")
    make_court(name="Retired Immigration Court", state="AL", active=False)
    db.session.commit()
    assert [c.name for c in court_queries.active_courts(db.session)] == [other.name, kept.name]
    assert [c.name for c in court_queries.active_courts(db.session, by_name=True)] == [kept.name, other.name]
    assert court_queries.active_courts(db.session, within={kept.id}) == [kept]
