"""A series in the feeds: one event per occurrence, each with its own UID and SEQUENCE.

One occurrence moved ("this one", the reschedule service) and one cancelled must show as such
in icalendar and in Mozilla ical.js (Thunderbird's parser), the others untouched; the change
mails go to the people on that occurrence only; no respondent reference anywhere.
"""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, date, datetime, time
from pathlib import Path

import icalendar
import pytest
from sqlalchemy import select

from scheduler.casework import series as service
from scheduler.domain.recurrence import Frequency
from scheduler.domain.timezones import local_to_utc
from scheduler.enums import FeedKind, HearingKind
from scheduler.extensions import db
from scheduler.feeds import tokens as feeds
from scheduler.hearings import schedule as hearings
from scheduler.models import OutboxMessage
from tests.casework.helpers import NOW, SETTINGS, checkin, chicago, coordinator_of
from tests.factories import dispatch_intents, make_signup, make_user
from tests.interop.test_feeds_parsers import _icaljs_ready

INTEROP = Path(__file__).resolve().parents[1] / "interop"


@pytest.fixture
def series_feed(app, client):
    court = chicago()
    coordinator = coordinator_of(court)
    first = checkin(court, date(2031, 3, 4))
    made = service.start_series(
        db.session,
        actor=coordinator,
        hearing=first,
        spec=service.SeriesSpec(frequency=Frequency.WEEKLY, count=4, weeks_ahead=4),
        now=NOW,
        settings=SETTINGS,
    )
    volunteer = make_user()
    seats = {o.hearing_id: make_signup(shift=o.hearing.shifts[0], user=volunteer) for o in made.occurrences}
    moved, cancelled = made.occurrences[1].hearing, made.occurrences[2].hearing
    new_start = local_to_utc(date(2031, 3, 12), time(14), court.timezone)
    hearings.reschedule_hearing(
        db.session, actor=coordinator, hearing=moved, court=court, starts_at=new_start, courtroom="7"
    )
    hearings.cancel_hearing(db.session, actor=coordinator, hearing=cancelled, reason="ICE closed")
    token = feeds.issue_token(db.session, user=volunteer, kind=FeedKind.PERSONAL, actor=None)
    db.session.commit()
    response = client.get(f"/feeds/{token}.ics")
    assert response.status_code == 200
    uid = {o.hearing_id: f"signup-{seats[o.hearing_id].id}" for o in made.occurrences}
    return {
        "body": response.data,
        "uids": [uid[o.hearing_id] for o in made.occurrences],
        "moved": uid[moved.id],
        "cancelled": uid[cancelled.id],
        "new_start": moved.shifts[0].starts_at,  # a seat's event starts when the team meets
        "volunteer": volunteer,
    }


def test_each_occurrence_is_its_own_event_and_changes_alone(series_feed) -> None:
    events = {
        str(e["UID"]).split("@")[0]: e
        for e in icalendar.Calendar.from_ical(series_feed["body"]).walk("VEVENT")
    }
    assert set(series_feed["uids"]) <= set(events)
    moved, cancelled = events[series_feed["moved"]], events[series_feed["cancelled"]]
    assert moved.decoded("DTSTART").astimezone(UTC) == series_feed["new_start"]
    assert str(cancelled["STATUS"]) == "CANCELLED"
    untouched = [
        events[u] for u in series_feed["uids"] if u not in (series_feed["moved"], series_feed["cancelled"])
    ]
    assert all(int(e["SEQUENCE"]) < int(moved["SEQUENCE"]) for e in untouched)
    assert all(int(e["SEQUENCE"]) < int(cancelled["SEQUENCE"]) for e in untouched)
    assert b"MARKER-RESP-7731" not in series_feed["body"]


def test_ical_js_reads_the_moved_and_the_cancelled_occurrence(series_feed) -> None:
    reason = _icaljs_ready()
    if reason:
        pytest.skip(reason)
    result = subprocess.run(
        ["node", str(INTEROP / "icaljs_events.mjs")],
        input=series_feed["body"],
        capture_output=True,
        check=True,
        timeout=60,
    )
    events = {e["uid"].split("@")[0]: e for e in json.loads(result.stdout)}
    assert set(series_feed["uids"]) <= set(events)
    moved = events[series_feed["moved"]]
    assert moved["zone"] == "America/Chicago" and moved["start_local"] == "2031-03-12T13:15:00"
    assert datetime.fromisoformat(moved["start_utc"].replace("Z", "+00:00")) == series_feed["new_start"]
    assert events[series_feed["cancelled"]]["status"] == "CANCELLED"
    others = [
        events[u] for u in series_feed["uids"] if u not in (series_feed["moved"], series_feed["cancelled"])
    ]
    assert all(e["status"] != "CANCELLED" and e["start_local"].endswith("T08:15:00") for e in others)
    assert all(e["sequence"] < moved["sequence"] for e in others)


def test_change_mails_follow_for_that_occurrence_only_and_name_no_one(series_feed) -> None:
    assert dispatch_intents() == 2  # one mail for the move, one for the cancellation
    mails = db.session.scalars(select(OutboxMessage)).all()
    assert len(mails) == 2
    for mail in mails:
        assert "MARKER-RESP-7731" not in (
            mail.subject + mail.text_body + (mail.html_body or "") + str(mail.ics)
        )


def test_a_date_set_for_a_case_reaches_the_coordinators_feed_without_the_reference(app, client) -> None:
    from scheduler.casework import awaiting

    court = chicago()
    coordinator = coordinator_of(court)
    entry = awaiting.add_awaiting(
        db.session,
        actor=coordinator,
        court=court,
        kind=HearingKind.MASTER,
        next_check_on=NOW.date(),
        today=NOW.date(),
        respondent_ref="MARKER-RESP-7731",
    )
    hearing = awaiting.set_date(
        db.session,
        actor=coordinator,
        entry=entry,
        starts_at=local_to_utc(date(2031, 4, 8), time(10), court.timezone),
        now=NOW,
        settings=SETTINGS,
    )
    token = feeds.issue_token(db.session, user=coordinator, kind=FeedKind.PERSONAL, actor=None)
    db.session.commit()
    body = client.get(f"/feeds/{token}.ics").data
    uids = {str(e["UID"]).split("@")[0] for e in icalendar.Calendar.from_ical(body).walk("VEVENT")}
    assert f"hearing-{hearing.id}" in uids
    assert b"MARKER-RESP-7731" not in body
