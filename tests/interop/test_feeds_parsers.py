"""The app's feeds read by independent parsers: every hearing at the court's wall-clock time.

Besides icalendar (which wrote the bytes) the feed goes through Mozilla ical.js (the parser in
Thunderbird, via node), vobject and ics.py. None of them is built on icalendar. Each court zone
gets a January and a July hearing at 09:00 local time, on both sides of daylight saving.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

from scheduler.domain.timezones import local_to_utc
from scheduler.enums import FeedKind, ShiftRole
from scheduler.extensions import db
from scheduler.feeds import tokens as feeds
from tests.factories import make_court, make_hearing, make_signup, make_user

ZONES = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "Pacific/Honolulu",
    "America/Puerto_Rico",
    "Pacific/Saipan",
]
HERE = Path(__file__).parent
NINE = time(9, 0)


def _next_month_day(month: int) -> date:
    today = date.today()
    year = today.year + (1 if (today.month, today.day) >= (month, 14) else 0)
    return date(year, month, 14)


@pytest.fixture
def feed(app, client):
    """A volunteer with a 09:00 seat in January and July at a court in every zone."""
    volunteer = make_user()
    expected: dict[str, tuple[str, datetime]] = {}
    for tzid in ZONES:
        court = make_court(timezone=tzid, name=f"Court in {tzid}")
        for month in (1, 7):
            start = local_to_utc(_next_month_day(month), NINE, tzid)
            hearing = make_hearing(court=court, starts_at=start, seats={ShiftRole.ACCOMPANIER: 1})
            shift = hearing.shifts[0]
            shift.starts_at, shift.ends_at = start, start + timedelta(hours=2)
            signup = make_signup(shift=shift, user=volunteer)
            expected[f"signup-{signup.id}@accompany.test"] = (tzid, start)
    token = feeds.issue_token(db.session, user=volunteer, kind=FeedKind.PERSONAL, actor=None)
    db.session.commit()
    response = client.get(f"/feeds/{token}.ics")
    assert response.status_code == 200
    return response.data, expected


def _check(starts: dict[str, datetime], expected: dict[str, tuple[str, datetime]]) -> None:
    assert set(starts) == set(expected)
    for uid, start in starts.items():
        tzid, instant = expected[uid]
        local = start.astimezone(ZoneInfo(tzid))
        assert (local.hour, local.minute) == (9, 0), f"{uid} in {tzid} read as {local}"
        assert start.astimezone(UTC) == instant


def test_icalendar(feed):
    body, expected = feed
    events = icalendar.Calendar.from_ical(body).walk("VEVENT")
    _check({str(e["UID"]): e.decoded("DTSTART") for e in events}, expected)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_vobject(feed):
    vobject = pytest.importorskip("vobject")
    body, expected = feed
    cal = vobject.readOne(body.decode("utf-8"))
    _check({e.uid.value: e.dtstart.value for e in cal.vevent_list}, expected)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_ics_py(feed):
    ics = pytest.importorskip("ics")
    body, expected = feed
    cal = ics.Calendar(body.decode("utf-8"))
    _check({e.uid: e.begin.datetime for e in cal.events}, expected)


def _icaljs_ready() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed"
    if not (HERE / "node_modules" / "ical.js").is_dir():
        return "ical.js is not installed: run `npm ci` in tests/interop (make test does)"
    return None


def test_ical_js(feed):
    reason = _icaljs_ready()
    if reason:
        pytest.skip(reason)
    body, expected = feed
    result = subprocess.run(
        ["node", str(HERE / "icaljs_events.mjs")], input=body, capture_output=True, check=True, timeout=60
    )
    events = json.loads(result.stdout)
    starts = {}
    for event in events:
        tzid, _instant = expected[event["uid"]]
        assert event["zone"] == tzid
        assert event["start_local"].endswith("T09:00:00")
        assert event["end_local"].endswith("T11:00:00")
        starts[event["uid"]] = datetime.fromisoformat(event["start_utc"].replace("Z", "+00:00"))
    _check(starts, expected)
