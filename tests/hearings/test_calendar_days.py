"""Month-calendar days link to that day's hearings and give filled/needed in words."""

import re
from datetime import UTC, datetime

from scheduler.enums import Role, ShiftRole
from scheduler.extensions import db
from tests.factories import make_court, make_hearing, make_signup, make_user


def test_a_calendar_day_links_to_its_hearings_with_counts_in_text(app, client, auth):
    court = make_court(timezone="America/Los_Angeles")
    # 20:30 in Los Angeles on 14 March 2030 is already 15 March in UTC.
    late = make_hearing(
        court=court,
        starts_at=datetime(2030, 3, 15, 3, 30, tzinfo=UTC),
        seats={ShiftRole.ACCOMPANIER: 3},
        respondent_ref="Lateday",
    )
    make_hearing(court=court, starts_at=datetime(2030, 3, 15, 18, 0, tzinfo=UTC), respondent_ref="Nextday")
    make_signup(shift=late.shifts[0], user=make_user())
    coordinator = make_user(role=Role.COORDINATOR)
    db.session.commit()
    auth.login_as(coordinator)

    month = client.get("/hearings/calendar?year=2030&month=3").get_data(as_text=True)
    assert re.search(r"/hearings/\?[^\"]*day=2030-03-14", month)
    assert "1 of 3 filled" in month

    day = client.get("/hearings/?day=2030-03-14").get_data(as_text=True)
    assert f"/hearings/{late.id}" in day
    assert "Nextday" not in day and "1 hearing on" in day


def test_a_bad_day_is_ignored(app, client, auth):
    auth.login_as(make_user(role=Role.COORDINATOR))
    for bad in ("2030-02-30", "99999-01-01", "x" * 500, "0001-01-01"):
        assert client.get(f"/hearings/?day={bad}").status_code == 200
