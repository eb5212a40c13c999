"""One instant in every parser for a time in the hour that happens twice (issue 15, item 2).

On 2027-11-07 clocks fall back at 02:00 in New York and Chicago, so 01:30 happens twice. A
local TZID there is read as the first occurrence by icalendar and vobject and as the second by
ical.js (Thunderbird) and libical (Evolution, GNOME Calendar). The feed writes such events in
UTC; each parser must read back exactly the stored instant, for both occurrences, in two zones.
libical runs under the system python3 (Debian's gir1.2-ical-3.0 and python3-gi).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import icalendar
import pytest

from scheduler.domain.timezones import local_to_utc
from scheduler.enums import FeedKind, ShiftRole
from scheduler.extensions import db
from scheduler.feeds import tokens as feeds
from tests.factories import make_court, make_hearing, make_signup, make_user

HERE = Path(__file__).parent
FALL_BACK = date(2027, 11, 7)
ZONES = ["America/New_York", "America/Chicago"]
SYSTEM_PYTHON = "/usr/bin/python3"


@pytest.fixture
def feed(app, client):
    """A seat at 01:30 local on the fall-back night, first and second occurrence, in two zones."""
    volunteer = make_user()
    expected: dict[str, tuple[datetime, datetime]] = {}
    for tzid in ZONES:
        court = make_court(timezone=tzid, name=f"Court in {tzid}")
        for fold in (0, 1):
            start = local_to_utc(FALL_BACK, time(1, 30), tzid, fold=fold)
            end = start + timedelta(minutes=45)
            hearing = make_hearing(court=court, starts_at=start, seats={ShiftRole.ACCOMPANIER: 1})
            shift = hearing.shifts[0]
            shift.starts_at, shift.ends_at = start, end
            signup = make_signup(shift=shift, user=volunteer)
            expected[f"signup-{signup.id}@accompany.test"] = (start, end)
    # A neighbour on a normal day keeps its local TZID.
    normal = make_hearing(
        court=court,
        starts_at=local_to_utc(date(2027, 11, 8), time(9), ZONES[-1]),
        seats={ShiftRole.DRIVER: 1},
    )
    normal.shifts[0].starts_at = normal.starts_at
    normal.shifts[0].ends_at = normal.starts_at + timedelta(hours=1)
    make_signup(shift=normal.shifts[0], user=volunteer)
    token = feeds.issue_token(db.session, user=volunteer, kind=FeedKind.PERSONAL, actor=None)
    db.session.commit()
    response = client.get(f"/feeds/{token}.ics")
    assert response.status_code == 200
    return response.data, expected


def _check(
    read: dict[str, tuple[datetime, datetime]], expected: dict[str, tuple[datetime, datetime]]
) -> None:
    assert set(expected) <= set(read)
    for uid, (start, end) in expected.items():
        got_start, got_end = (value.astimezone(UTC) for value in read[uid])
        assert (got_start, got_end) == (start, end), (
            f"{uid}: read {got_start}..{got_end}, stored {start}..{end}"
        )
    # Both occurrences are there: two different instants per zone (New York's second is
    # Chicago's first, so three in all).
    assert len({read[uid][0].astimezone(UTC) for uid in expected}) == 3


def test_the_ambiguous_events_are_written_in_utc_and_others_in_the_court_zone(feed):
    body, expected = feed
    events = {str(e["UID"]): e for e in icalendar.Calendar.from_ical(body).walk("VEVENT")}
    for uid in expected:
        assert events[uid]["DTSTART"].to_ical().endswith(b"Z")
        assert "TZID" not in events[uid]["DTSTART"].params
    (other,) = [e for uid, e in events.items() if uid not in expected]
    assert other["DTSTART"].params["TZID"] == ZONES[-1]


def test_icalendar(feed):
    body, expected = feed
    events = icalendar.Calendar.from_ical(body).walk("VEVENT")
    _check({str(e["UID"]): (e.decoded("DTSTART"), e.decoded("DTEND")) for e in events}, expected)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_vobject(feed):
    vobject = pytest.importorskip("vobject")
    body, expected = feed
    cal = vobject.readOne(body.decode("utf-8"))
    _check({e.uid.value: (e.dtstart.value, e.dtend.value) for e in cal.vevent_list}, expected)


def test_ical_js(feed):
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    if not (HERE / "node_modules" / "ical.js").is_dir():
        pytest.skip("ical.js is not installed: run `npm ci` in tests/interop (make test does)")
    body, expected = feed
    result = subprocess.run(
        ["node", str(HERE / "icaljs_events.mjs")], input=body, capture_output=True, check=True, timeout=60
    )
    parse = lambda text: datetime.fromisoformat(text.replace("Z", "+00:00"))  # noqa: E731
    read = {e["uid"]: (parse(e["start_utc"]), parse(e["end_utc"])) for e in json.loads(result.stdout)}
    _check(read, expected)


def _libical_missing() -> str | None:
    if not Path(SYSTEM_PYTHON).exists():
        return "no system python3 for libical"
    probe = subprocess.run(
        [
            SYSTEM_PYTHON,
            "-c",
            "import gi; gi.require_version('ICalGLib', '3.0'); from gi.repository import ICalGLib",
        ],
        capture_output=True,
        timeout=60,
    )
    if probe.returncode != 0:
        return "libical's GObject bindings are missing: apt-get install gir1.2-ical-3.0 python3-gi"
    return None


def test_libical(feed):
    reason = _libical_missing()
    if reason:
        pytest.skip(reason)
    body, expected = feed
    result = subprocess.run(
        [SYSTEM_PYTHON, str(HERE / "libical_events.py")],
        input=body,
        capture_output=True,
        check=True,
        timeout=60,
    )
    stamp = lambda seconds: datetime.fromtimestamp(seconds, UTC)  # noqa: E731
    read = {e["uid"]: (stamp(e["start_utc"]), stamp(e["end_utc"])) for e in json.loads(result.stdout)}
    _check(read, expected)
