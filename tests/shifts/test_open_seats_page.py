"""/shifts: only seats the volunteer can take when it says so, the filter in words, by day."""

from datetime import timedelta

from scheduler.enums import ShiftRole
from scheduler.extensions import db
from scheduler.types import utcnow
from tests.factories import make_court, make_hearing, make_user


def test_fitting_list_hides_seats_the_claim_would_refuse_and_says_what_it_shows(app, client, auth):
    court = make_court()
    volunteer = make_user(roles=(ShiftRole.ACCOMPANIER, ShiftRole.DRIVER), has_car=False)
    start = (utcnow() + timedelta(days=4)).replace(microsecond=0)
    drive = make_hearing(court=court, starts_at=start, seats={ShiftRole.DRIVER: 1})
    walk = make_hearing(court=court, starts_at=start + timedelta(days=1), seats={ShiftRole.ACCOMPANIER: 1})
    db.session.commit()
    auth.login_as(volunteer)

    fitting = client.get("/shifts").get_data(as_text=True)
    assert f"/shifts/{walk.shifts[0].id}/claim" in fitting
    assert f"/shifts/{drive.shifts[0].id}/claim" not in fitting  # a driver without a car
    assert "next 8 weeks" in fitting and "seats you can take" in fitting
    assert 'class="seat-day"' in fitting

    everything = client.get("/shifts?all=1").get_data(as_text=True)
    assert f"/shifts/{drive.shifts[0].id}/claim" in everything
    assert "all seats" in everything


def test_an_empty_list_says_so(app, client, auth):
    auth.login_as(make_user(roles=(ShiftRole.ACCOMPANIER,)))
    page = client.get("/shifts").get_data(as_text=True)
    assert "No open seat you can take matches" in page
