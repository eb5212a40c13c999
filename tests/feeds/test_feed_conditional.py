"""Conditional feed requests never answer 304 over a change the client has not seen.

Last-Modified has whole seconds; changes do not. The route's clock is pinned so the polls fall
in the same second as the changes, which is what a fast calendar app or a retry does.
"""

from __future__ import annotations

from datetime import timedelta
from email.utils import format_datetime

import pytest

from scheduler.enums import FeedKind, Role, ShiftRole
from scheduler.extensions import db
from scheduler.feeds import tokens as feeds
from scheduler.feeds import views as routes
from scheduler.types import utcnow
from tests.factories import make_court, make_hearing, make_signup, make_user


class Clock:
    def __init__(self, now) -> None:
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock(None)
    monkeypatch.setattr(routes, "utcnow", clock)
    return clock


def _world(kind: str):
    court = make_court()
    coordinator = make_user(role=Role.COORDINATOR, courts=(court,))
    volunteer = make_user(roles=(ShiftRole.ACCOMPANIER,))
    hearing = make_hearing(
        court=court, starts_at=utcnow() + timedelta(days=5), seats={ShiftRole.ACCOMPANIER: 3}
    )
    make_signup(shift=hearing.shifts[0], user=volunteer)
    owner = coordinator if kind == "coordinator" else volunteer
    token = feeds.issue_token(db.session, user=owner, kind=FeedKind.PERSONAL, actor=None)
    db.session.commit()
    return hearing, token


def _pin(clock: Clock):
    """Pin the route's clock to a whole second after every write so far, and return it."""
    clock.now = utcnow().replace(microsecond=0) + timedelta(seconds=2)
    return clock.now


def _change(hearing, at, **values) -> None:
    for name, value in values.items():
        setattr(hearing, name, value)
    db.session.flush()
    hearing.updated_at = at  # the instant the change was made, inside the pinned second
    db.session.commit()


def _get(client, token: str, **headers):
    response = client.get(f"/feeds/{token}.ics", headers=headers)
    assert response.status_code in (200, 304)
    return response


@pytest.mark.parametrize("kind", ["volunteer", "coordinator"])
def test_two_changes_in_one_second_with_if_modified_since_alone(client, clock, kind):
    hearing, token = _world(kind)
    second = _pin(clock)
    _change(hearing, second + timedelta(milliseconds=200), courtroom="14")
    clock.now = second + timedelta(milliseconds=300)
    first = _get(client, token)
    assert first.status_code == 200 and b"14" in first.data
    assert first.last_modified <= clock.now  # never in the future
    _change(hearing, second + timedelta(milliseconds=700), courtroom="15")
    clock.now = second + timedelta(milliseconds=900)
    again = _get(client, token, **{"If-Modified-Since": first.headers["Last-Modified"]})
    assert again.status_code == 200
    assert b"Courtroom: 15" in again.data or b"Courtroom 15" in again.data
    # Once that second is over, Last-Modified is strictly after the change and a client that
    # saw it gets its 304: clients sending only If-Modified-Since still poll cheaply.
    clock.now = second + timedelta(seconds=2)
    settled = _get(client, token)
    assert settled.last_modified == second + timedelta(seconds=1)
    assert _get(client, token, **{"If-Modified-Since": settled.headers["Last-Modified"]}).status_code == 304


@pytest.mark.parametrize("kind", ["volunteer", "coordinator"])
def test_two_changes_in_one_second_with_if_none_match(client, clock, kind):
    hearing, token = _world(kind)
    second = _pin(clock)
    _change(hearing, second + timedelta(milliseconds=200), courtroom="14")
    clock.now = second + timedelta(milliseconds=300)
    first = _get(client, token)
    _change(hearing, second + timedelta(milliseconds=700), courtroom="15")
    clock.now = second + timedelta(milliseconds=900)
    headers = {"If-None-Match": first.headers["ETag"], "If-Modified-Since": first.headers["Last-Modified"]}
    again = _get(client, token, **headers)
    assert again.status_code == 200
    assert again.headers["ETag"] != first.headers["ETag"]
    assert _get(client, token, **{"If-None-Match": again.headers["ETag"]}).status_code == 304


def test_open_seats_feed_answers_if_modified_since_only_with_the_content(client, clock):
    """A seat filling up elsewhere leaves no newer instant in the feed's own rows."""
    volunteer = make_user(roles=(ShiftRole.ACCOMPANIER,))
    hearing = make_hearing(starts_at=utcnow() + timedelta(days=5), seats={ShiftRole.ACCOMPANIER: 1})
    token = feeds.issue_token(db.session, user=volunteer, kind=FeedKind.OPEN_SEATS, actor=None)
    db.session.commit()
    clock.now = utcnow() + timedelta(seconds=5)
    first = _get(client, token)
    assert f"shift-{hearing.shifts[0].id}@".encode() in first.data
    make_signup(shift=hearing.shifts[0], user=make_user())
    db.session.commit()
    clock.now += timedelta(seconds=5)
    since = format_datetime(clock.now, usegmt=True)
    again = _get(client, token, **{"If-Modified-Since": since})
    assert again.status_code == 200
    assert f"shift-{hearing.shifts[0].id}@".encode() not in again.data
