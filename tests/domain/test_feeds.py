"""Feed bytes: RFC 5545 shape, folding, escaping, time zones; no database needed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from scheduler.domain import feeds

DST_ZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"]
NO_DST_ZONES = ["America/Phoenix", "Pacific/Honolulu", "America/Puerto_Rico", "Pacific/Saipan"]


def _event(**overrides) -> feeds.FeedEvent:
    values = {
        "uid": "signup-1@accompany.test",
        "sequence": 3,
        "starts_at": datetime(2026, 7, 1, 14, tzinfo=UTC),
        "ends_at": datetime(2026, 7, 1, 16, tzinfo=UTC),
        "tzid": "America/Chicago",
        "summary": "Intérprete · Corte de Inmigración de Chicago",
        "location": "525 W Van Buren St, Chicago; IL",
        "description": "Rol: Intérprete\nSala: 12",
        "url": "https://accompany.test/hearings/1",
        "status": feeds.EventStatus.CONFIRMED,
        "changed_at": datetime(2026, 6, 1, tzinfo=UTC),
    }
    values.update(overrides)
    return feeds.FeedEvent(**values)


def _build(*events: feeds.FeedEvent) -> bytes:
    info = feeds.CalendarInfo(name="Mis compromisos", tzid="America/Chicago")
    return feeds.build_calendar(info=info, events=list(events), today=date(2026, 6, 1))


def test_lines_fold_at_75_octets_without_splitting_utf8():
    long_text = "Punto de encuentro: vestíbulo, piso 4 — Tx'otx' Mam 🌎 ñandú ç " * 12
    body = _build(_event(description=long_text, summary="Mam · Tnom Xjal 🌎 " * 10))
    assert not body.startswith(b"\xef\xbb\xbf")
    for line in body.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")  # each physical line is valid UTF-8 on its own
    assert b"\n" not in body.replace(b"\r\n", b"")
    (ev,) = icalendar.Calendar.from_ical(body).walk("VEVENT")
    assert str(ev["DESCRIPTION"]) == long_text


def test_text_is_escaped():
    body = _build(_event(summary="a, b; c \\ d"))
    assert b"SUMMARY:a\\, b\\; c \\\\ d\r\n" in body
    assert b"LOCATION:525 W Van Buren St\\, Chicago\\; IL\r\n" in body
    assert b"DESCRIPTION:Rol: Int\xc3\xa9rprete\\nSala: 12\r\n" in body


@pytest.mark.parametrize("tzid", DST_ZONES)
def test_vtimezone_has_standard_and_daylight(tzid):
    body = _build(_event(tzid=tzid))
    (tz,) = icalendar.Calendar.from_ical(body).walk("VTIMEZONE")
    assert str(tz["TZID"]) == tzid
    assert {c.name for c in tz.subcomponents} == {"STANDARD", "DAYLIGHT"}


@pytest.mark.parametrize("tzid", [*DST_ZONES, "Europe/London", "Australia/Lord_Howe"])
def test_each_vtimezone_onset_is_a_real_transition_in_the_offset_before_it(tzid):
    """RFC 5545: an onset is local time in TZOFFSETFROM (US spring-forward: 02:00, not 03:00).

    Written an hour late, a client converting through UTC shows 03:00-04:00 events on that
    day an hour early.
    """
    zone = ZoneInfo(tzid)
    tz = icalendar.Timezone.from_ical(feeds.render_timezone(tzid=tzid, first_year=2026, last_year=2028))
    onsets = 0
    for observance in tz.subcomponents:
        before, after = observance["TZOFFSETFROM"].td, observance["TZOFFSETTO"].td
        if before == after:
            continue
        rdates = observance.get("RDATE", [])
        values = [observance["DTSTART"].dt]
        values += [d.dt for r in (rdates if isinstance(rdates, list) else [rdates]) for d in r.dts]
        for local in values:
            instant = (local - before).replace(tzinfo=UTC)
            assert (instant - timedelta(seconds=1)).astimezone(zone).utcoffset() == before, (tzid, local)
            assert instant.astimezone(zone).utcoffset() == after, (tzid, local)
            onsets += 1
    assert onsets == 6  # two a year, 2026 to 2028


@pytest.mark.parametrize("tzid", NO_DST_ZONES)
def test_vtimezone_without_dst_is_standard_only(tzid):
    body = _build(_event(tzid=tzid))
    (tz,) = icalendar.Calendar.from_ical(body).walk("VTIMEZONE")
    assert {c.name for c in tz.subcomponents} == {"STANDARD"}


def test_one_vtimezone_per_zone_covering_the_event_years():
    body = _build(
        _event(uid="a"),
        _event(
            uid="b",
            starts_at=datetime(2029, 1, 3, 15, tzinfo=UTC),
            ends_at=datetime(2029, 1, 3, 16, tzinfo=UTC),
        ),
        _event(uid="c", tzid="Pacific/Saipan"),
    )
    zones = icalendar.Calendar.from_ical(body).walk("VTIMEZONE")
    assert sorted(str(z["TZID"]) for z in zones) == ["America/Chicago", "Pacific/Saipan"]
    assert b"20290311T" in body  # the 2029 spring-forward is described


def test_event_written_in_court_time():
    body = _build(_event())
    assert b"DTSTART;TZID=America/Chicago:20260701T090000\r\n" in body
    assert b"DTEND;TZID=America/Chicago:20260701T110000\r\n" in body


def test_alarm_only_when_asked_and_not_on_cancelled():
    item = feeds.Commitment(
        signup_id=7,
        hearing_id=3,
        sequence=2,
        role_name="Driver",
        court_name="Court",
        court_address="Addr",
        tzid="America/Chicago",
        courtroom="",
        meeting_point="",
        public_notes="",
        team_lead_name="",
        starts_at=datetime(2026, 7, 1, 14, tzinfo=UTC),
        ends_at=datetime(2026, 7, 1, 15, tzinfo=UTC),
        status=feeds.EventStatus.CONFIRMED,
        changed_at=datetime(2026, 6, 1, tzinfo=UTC),
        hearing_url="https://a/hearings/3",
    )
    labels = feeds.Labels(
        waitlist="(waitlist)",
        role="Role",
        courtroom="Courtroom",
        meeting_point="Meeting point",
        notes="Notes",
        team_lead="Team lead",
        open_in_app="Details",
        filled="%(filled)s/%(capacity)s filled",
        cancelled="Cancelled",
        reminder="Reminder",
    )
    with_alarm = feeds.commitment_event(item=item, labels=labels, domain="a", alarm="1h")
    assert b"TRIGGER:-PT1H" in feeds.render_event(with_alarm)
    assert with_alarm.uid == "signup-7@a" and with_alarm.sequence == 2
    from dataclasses import replace

    cancelled = feeds.commitment_event(
        item=replace(item, status=feeds.EventStatus.CANCELLED), labels=labels, domain="a", alarm="1h"
    )
    assert b"VALARM" not in feeds.render_event(cancelled)
    assert b"STATUS:CANCELLED" in feeds.render_event(cancelled)
