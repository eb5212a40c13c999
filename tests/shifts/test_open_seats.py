"""The volunteer's open-seat list: "fits you" means the claim would accept it; pages by day."""

from datetime import timedelta

from scheduler.domain.eligibility import Rules
from scheduler.enums import ShiftRole
from scheduler.extensions import db
from scheduler.shifts import open_seats
from scheduler.shifts.claims import claim_shift
from scheduler.shifts.open_seats import open_seats_page
from scheduler.shifts.queries import DEFAULT_HORIZON, profile_filters
from scheduler.types import utcnow
from tests.factories import make_court, make_hearing, make_signup, make_user

RULES = Rules(
    travel_buffer=timedelta(minutes=60), required_trainings={ShiftRole.OBSERVER: frozenset({"basic"})}
)


def _page(user, *, only_claimable=True, page=1, per_page=50):
    return open_seats_page(
        db.session,
        user_id=user.id,
        filters=profile_filters(user),
        only_claimable=only_claimable,
        now=utcnow(),
        horizon=DEFAULT_HORIZON,
        rules=RULES,
        page=page,
        per_page=per_page,
    )[0]


def test_fitting_seats_are_only_those_the_claim_accepts(app):
    here, there = make_court(), make_court()
    volunteer = make_user(
        languages=("es",),
        roles=(ShiftRole.ACCOMPANIER, ShiftRole.DRIVER, ShiftRole.OBSERVER),
        has_car=False,
        courts=(),
    )
    start = (utcnow() + timedelta(days=5)).replace(hour=15, minute=0, second=0, microsecond=0)
    held = make_hearing(court=here, starts_at=start, seats={ShiftRole.ACCOMPANIER: 2})
    make_signup(shift=held.shifts[0], user=volunteer)
    # At another court 30 minutes after the held seat ends: no time to travel.
    too_close = make_hearing(
        court=there, starts_at=start + timedelta(minutes=60), seats={ShiftRole.ACCOMPANIER: 1}
    )
    no_car = make_hearing(court=here, starts_at=start + timedelta(days=2), seats={ShiftRole.DRIVER: 1})
    untrained = make_hearing(court=here, starts_at=start + timedelta(days=3), seats={ShiftRole.OBSERVER: 1})
    fine = make_hearing(court=there, starts_at=start + timedelta(days=4), seats={ShiftRole.ACCOMPANIER: 1})
    db.session.commit()

    fitting = {s.id for s in _page(volunteer).rows}
    everything = {s.id for s in _page(volunteer, only_claimable=False).rows}

    assert fine.shifts[0].id in fitting
    for refused in (too_close, no_car, untrained):
        assert refused.shifts[0].id in everything
        assert refused.shifts[0].id not in fitting
    # Every seat offered as fitting is one the claim takes.
    for shift_id in fitting - {held.shifts[0].id}:
        claim_shift(db.session, actor=volunteer, shift_id=shift_id, now=utcnow(), rules=RULES)


def test_pages_are_short_and_grouped_by_the_courts_day(app):
    court = make_court(timezone="America/Chicago")
    volunteer = make_user(languages=("es",), roles=(ShiftRole.ACCOMPANIER,))
    first = (utcnow() + timedelta(days=3)).replace(hour=15, minute=0, second=0, microsecond=0)
    for day in range(3):
        for hour in (0, 3):
            starts_at = first + timedelta(days=day, hours=hour)
            make_hearing(court=court, starts_at=starts_at, seats={ShiftRole.ACCOMPANIER: 1})
    db.session.commit()

    page_one = _page(volunteer, per_page=4)
    assert page_one.total == 6 and page_one.pages == 2 and page_one.has_next and not page_one.has_prev
    assert [len(seats) for _, seats in page_one.days()] == [2, 2]
    last = _page(volunteer, page=99, per_page=4)
    assert last.page == 2 and [len(seats) for _, seats in last.days()] == [2]


def _seats(n: int) -> None:
    court = make_court()
    for k in range(n):
        make_hearing(
            court=court,
            starts_at=(utcnow() + timedelta(days=2 + k)).replace(hour=15, minute=0, second=0, microsecond=0),
            seats={ShiftRole.ACCOMPANIER: 1},
        )


def test_all_seats_are_counted_up_to_a_cap_then_paged_without_a_total(app, monkeypatch):
    """The count reads at most cap + 1 seats: past the cap, "more than" and no page count."""
    monkeypatch.setattr(open_seats, "SEAT_COUNT_CAP", 3)
    volunteer = make_user(roles=(ShiftRole.ACCOMPANIER,))
    _seats(5)
    first = _page(volunteer, only_claimable=False, per_page=2)
    assert (first.total, first.more, first.pages, first.has_next) == (3, True, None, True)
    last = _page(volunteer, only_claimable=False, page=3, per_page=2)
    assert len(last.rows) == 1 and not last.has_next and last.has_prev
    monkeypatch.setattr(open_seats, "SEAT_COUNT_CAP", 5)
    exact = _page(volunteer, only_claimable=False, per_page=2)
    assert (exact.total, exact.more, exact.pages) == (5, False, 3)


def test_the_page_says_more_than_the_cap_and_page_n(app, client, auth, monkeypatch):
    monkeypatch.setattr(open_seats, "SEAT_COUNT_CAP", 3)
    volunteer = make_user(roles=(ShiftRole.ACCOMPANIER,))
    _seats(15)
    db.session.commit()
    auth.login_as(volunteer)
    page = client.get("/shifts?all=1").get_data(as_text=True)
    assert "more than 3 seats" in page and "Page 1" in page and "Page 1 of" not in page
    assert 'rel="next"' in page


def test_fitting_seats_are_looked_for_among_the_next_seats_up_to_the_cap(app, monkeypatch):
    """The claim rules run in Python: on at most cap seats, whatever the network holds."""
    monkeypatch.setattr(open_seats, "SEAT_COUNT_CAP", 3)
    volunteer = make_user(roles=(ShiftRole.ACCOMPANIER,))
    _seats(5)
    found = _page(volunteer, per_page=2)
    assert (found.total, found.among, found.pages, found.has_next) == (3, 3, 2, True)
    assert found.rows[0].starts_at < found.rows[1].starts_at  # the nearest seats first
    monkeypatch.setattr(open_seats, "SEAT_COUNT_CAP", 5)
    everything = _page(volunteer, per_page=2)
    assert (everything.total, everything.among) == (5, None)
