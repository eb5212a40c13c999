"""A cancelled event says so in words too, in the feed owner's language, in every feed kind.

Some calendar apps ignore STATUS:CANCELLED and keep showing the event as if it were on; the
SUMMARY then has to say it ("Cancelled: ..." / "Cancelada: ...").
"""

from __future__ import annotations

from datetime import timedelta

import icalendar
import pytest

from scheduler.domain.eligibility import Rules
from scheduler.enums import FeedKind, Role, ShiftRole
from scheduler.extensions import db
from scheduler.feeds import content as feed_content
from scheduler.feeds import tokens as feeds
from scheduler.hearings import schedule as hearings
from scheduler.shifts import claims as shifts
from scheduler.shifts import roster as shift_admin
from scheduler.types import utcnow
from tests.factories import make_court, make_hearing, make_signup, make_user

RULES = Rules()
PREFIX = {"en": "Cancelled: ", "es": "Cancelada: "}


def _at(days: int):
    return utcnow().replace(hour=15, minute=0, second=0, microsecond=0) + timedelta(days=days)


def _events(client, token: str) -> dict[str, icalendar.Event]:
    response = client.get(f"/feeds/{token}.ics")
    assert response.status_code == 200
    events = icalendar.Calendar.from_ical(response.data).walk("VEVENT")
    return {str(e["UID"]).split("@")[0]: e for e in events}


def _assert_cancelled(event: icalendar.Event, locale: str) -> None:
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["SUMMARY"]).startswith(PREFIX[locale]), str(event["SUMMARY"])


def _assert_on(event: icalendar.Event) -> None:
    assert str(event["STATUS"]) != "CANCELLED"
    assert not any(str(event["SUMMARY"]).startswith(p) for p in PREFIX.values())


@pytest.mark.parametrize("locale", ["en", "es"])
def test_cancelled_hearing_is_labelled_in_all_three_feeds(app, client, locale):
    court = make_court(name="Chicago Immigration Court")
    coordinator = make_user(role=Role.COORDINATOR, courts=(court,), locale=locale)
    volunteer = make_user(roles=(ShiftRole.ACCOMPANIER,), locale=locale)
    looking = make_user(roles=(ShiftRole.ACCOMPANIER,), locale=locale)
    hearing = make_hearing(court=court, starts_at=_at(5), seats={ShiftRole.ACCOMPANIER: 3})
    seat = make_signup(shift=hearing.shifts[0], user=volunteer)
    tokens = {
        "personal": feeds.issue_token(db.session, user=volunteer, kind=FeedKind.PERSONAL, actor=None),
        "coordinator": feeds.issue_token(db.session, user=coordinator, kind=FeedKind.PERSONAL, actor=None),
        "open": feeds.issue_token(db.session, user=looking, kind=FeedKind.OPEN_SEATS, actor=None),
    }
    db.session.commit()
    keys = {
        "personal": f"signup-{seat.id}",
        "coordinator": f"hearing-{hearing.id}",
        "open": f"shift-{hearing.shifts[0].id}",
    }
    for name, token in tokens.items():
        _assert_on(_events(client, token)[keys[name]])
    hearings.cancel_hearing(db.session, actor=coordinator, hearing=hearing, reason="Judge ill")
    db.session.commit()
    for name, token in tokens.items():
        _assert_cancelled(_events(client, token)[keys[name]], locale)


@pytest.mark.parametrize("locale", ["en", "es"])
@pytest.mark.parametrize("how", ["dropped", "removed"])
def test_dropped_or_removed_seat_is_labelled(app, client, locale, how):
    court = make_court()
    coordinator = make_user(role=Role.COORDINATOR, courts=(court,))
    volunteer = make_user(roles=(ShiftRole.ACCOMPANIER,), locale=locale)
    hearing = make_hearing(court=court, starts_at=_at(5), seats={ShiftRole.ACCOMPANIER: 2})
    seat = make_signup(shift=hearing.shifts[0], user=volunteer)
    token = feeds.issue_token(db.session, user=volunteer, kind=FeedKind.PERSONAL, actor=None)
    db.session.commit()
    _assert_on(_events(client, token)[f"signup-{seat.id}"])
    shift_id = hearing.shifts[0].id
    if how == "dropped":
        shifts.drop_shift(
            db.session,
            actor=volunteer,
            shift_id=shift_id,
            now=utcnow(),
            cutoff=timedelta(hours=24),
            reason="",
            rules=RULES,
        )
    else:
        shift_admin.remove_volunteer(
            db.session, actor=coordinator, shift_id=shift_id, user_id=volunteer.id, now=utcnow(), rules=RULES
        )
    db.session.commit()
    _assert_cancelled(_events(client, token)[f"signup-{seat.id}"], locale)
    # The one-event download says the same (same UID, same words).
    one = icalendar.Calendar.from_ical(
        feed_content.event_ics_for_signup(db.session, signup_id=seat.id, base_url=app.config["BASE_URL"])
    )
    (event,) = one.walk("VEVENT")
    _assert_cancelled(event, locale)
