"""Calendar feed content: frozen facts in, RFC 5545 bytes out.

Calendar apps poll feeds with no login and every client has its quirks, so the bytes are made
by the icalendar library, one component at a time, and then joined:

- each VEVENT is rendered by icalendar and cached keyed by the whole frozen event (its content
  is its key, so a changed hearing simply misses the cache and nothing can go stale);
- each VTIMEZONE is generated once per (zone, years) from the zoneinfo database;
- the calendar header is rendered by icalendar too.

Joining pre-rendered components keeps a 1,000-event feed far below the cost of serialising a
fresh icalendar tree on every poll, without giving up the library's escaping and folding.

Times are published in the court's own zone (TZID = the IANA name, with a VTIMEZONE carrying
both STANDARD and DAYLIGHT parts where the zone has them): clients show "9:00 AM" at the court
and recompute the instant correctly for the volunteer's own zone. The exception is an event
whose start or end falls in the hour that happens twice when clocks fall back: a local time
there is read as the first occurrence by some parsers (icalendar, vobject) and as the second by
others (ical.js, libical), so such an event is written in UTC, which every parser reads alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, Timezone, vUTCOffset

from scheduler.domain.timezones import is_ambiguous

PRODID = "-//Accompany//Volunteer calendar feed//EN"
REFRESH = timedelta(hours=1)
CRLF = b"\r\n"


class EventStatus(StrEnum):
    CONFIRMED = "CONFIRMED"
    TENTATIVE = "TENTATIVE"
    CANCELLED = "CANCELLED"


ALARM_MINUTES = {"none": None, "1h": 60, "1d": 24 * 60}


@dataclass(frozen=True, slots=True)
class FeedEvent:
    """Everything one VEVENT says. Hashable: it is its own cache key."""

    uid: str
    sequence: int
    starts_at: datetime  # aware
    ends_at: datetime  # aware
    tzid: str  # IANA zone the times are written in
    summary: str
    location: str
    description: str
    url: str
    status: EventStatus
    changed_at: datetime  # aware UTC; DTSTAMP and LAST-MODIFIED
    alarm_minutes: int | None = None
    alarm_text: str = ""


@dataclass(frozen=True, slots=True)
class CalendarInfo:
    name: str
    tzid: str  # X-WR-TIMEZONE: the zone most of the events are in


# Texts -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Labels:
    """Translated words the texts are made of (the caller picks the person's language)."""

    waitlist: str  # e.g. "(waitlist)"
    role: str  # "Role"
    courtroom: str
    meeting_point: str
    notes: str
    team_lead: str
    open_in_app: str  # "Details in Accompany (sign-in needed)"
    filled: str  # "%(filled)s/%(capacity)s filled"
    cancelled: str  # "Cancelled"
    reminder: str  # alarm text


@dataclass(frozen=True, slots=True)
class Commitment:
    """One person's seat, as the volunteer feed shows it. No respondent, no private notes."""

    signup_id: int
    hearing_id: int
    sequence: int  # hearing version + the seat's and the owner's revisions (services/feed_revisions)
    role_name: str
    court_name: str
    court_address: str
    tzid: str
    courtroom: str
    meeting_point: str
    public_notes: str
    team_lead_name: str
    starts_at: datetime
    ends_at: datetime
    status: EventStatus
    changed_at: datetime
    hearing_url: str


@dataclass(frozen=True, slots=True)
class HearingCoverage:
    """A hearing as a coordinator's feed shows it: how many seats are filled, by role."""

    hearing_id: int
    sequence: int  # hearing version + the hearing's and the owner's revisions
    kind_name: str
    court_name: str
    court_address: str
    tzid: str
    courtroom: str
    meeting_point: str
    public_notes: str
    starts_at: datetime
    ends_at: datetime
    cancelled: bool
    changed_at: datetime
    hearing_url: str
    roles: tuple[tuple[str, int, int], ...]  # (role name, filled, capacity)


@dataclass(frozen=True, slots=True)
class OpenSeat:
    shift_id: int
    sequence: int  # hearing version + the shift's and the owner's revisions
    role_name: str
    kind_name: str
    court_name: str
    court_address: str
    tzid: str
    courtroom: str
    starts_at: datetime
    ends_at: datetime
    filled: int
    capacity: int
    changed_at: datetime
    hearing_url: str
    cancelled: bool = False  # the hearing was cancelled: the seat stays, marked, until it expires


def _cancelled(summary: str, labels: Labels) -> str:
    """A cancelled event says so in its SUMMARY too: some calendar apps ignore STATUS."""
    return f"{labels.cancelled}: {summary}"


def _lines(*pairs: tuple[str, str]) -> str:
    return "\n".join(f"{label}: {value}" for label, value in pairs if value)


def _event(
    item: Commitment | HearingCoverage | OpenSeat,
    *,
    uid: str,
    summary: str,
    description: str,
    status: EventStatus,
    alarm_minutes: int | None = None,
    alarm_text: str = "",
) -> FeedEvent:
    """An event with what every kind takes from its item alike: times, zone, place, link, change."""
    return FeedEvent(
        uid=uid,
        sequence=item.sequence,
        starts_at=item.starts_at,
        ends_at=item.ends_at,
        tzid=item.tzid,
        summary=summary,
        location=item.court_address,
        description=description,
        url=item.hearing_url,
        status=status,
        changed_at=item.changed_at,
        alarm_minutes=alarm_minutes,
        alarm_text=alarm_text,
    )


def commitment_event(*, item: Commitment, labels: Labels, domain: str, alarm: str = "none") -> FeedEvent:
    """The VEVENT of one seat: UID per signup; SEQUENCE raised by any change it shows."""
    summary = f"{item.role_name} · {item.court_name}"
    if item.status == EventStatus.TENTATIVE:
        summary = f"{summary} {labels.waitlist}"
    elif item.status == EventStatus.CANCELLED:
        summary = _cancelled(summary, labels)
    # The meeting point, notes and team are for a confirmed seat only (as on the app's pages):
    # not for a waitlist place, a dropped or removed seat, or a cancelled hearing.
    team_details = item.status == EventStatus.CONFIRMED
    description = _lines(
        (labels.role, item.role_name),
        (labels.courtroom, item.courtroom),
        (labels.meeting_point, item.meeting_point if team_details else ""),
        (labels.notes, item.public_notes if team_details else ""),
        (labels.team_lead, item.team_lead_name if team_details else ""),
        (labels.open_in_app, item.hearing_url),
    )
    return _event(
        item,
        uid=f"signup-{item.signup_id}@{domain}",
        summary=summary,
        description=description,
        status=item.status,
        alarm_minutes=None if item.status == EventStatus.CANCELLED else ALARM_MINUTES.get(alarm),
        alarm_text=f"{labels.reminder}: {summary}",
    )


def coverage_event(*, item: HearingCoverage, labels: Labels, domain: str) -> FeedEvent:
    """A coordinator's VEVENT: the coverage leads the SUMMARY so gaps show in the calendar."""
    filled = sum(f for _, f, _ in item.roles)
    capacity = sum(c for _, _, c in item.roles)
    parts = [labels.filled % {"filled": filled, "capacity": capacity}, item.kind_name]
    if item.courtroom:
        parts.append(f"{labels.courtroom} {item.courtroom}")
    summary = " · ".join(parts)
    if item.cancelled:
        summary = _cancelled(summary, labels)
    description = "\n".join(
        [item.court_name]
        + [f"{name}: {f}/{c}" for name, f, c in item.roles]
        + [
            _lines(
                (labels.meeting_point, item.meeting_point),
                (labels.notes, item.public_notes),
                (labels.open_in_app, item.hearing_url),
            )
        ]
    )
    return _event(
        item,
        uid=f"hearing-{item.hearing_id}@{domain}",
        summary=summary,
        description=description,
        status=EventStatus.CANCELLED if item.cancelled else EventStatus.CONFIRMED,
    )


def open_seat_event(*, item: OpenSeat, labels: Labels, domain: str) -> FeedEvent:
    """A seat that still needs people; tentative, since nobody has claimed it yet."""
    filled = labels.filled % {"filled": item.filled, "capacity": item.capacity}
    summary = f"{item.role_name} · {filled} · {item.court_name}"
    description = _lines(
        (labels.courtroom, item.courtroom),
        (labels.open_in_app, item.hearing_url),
    )
    return _event(
        item,
        uid=f"shift-{item.shift_id}@{domain}",
        summary=_cancelled(summary, labels) if item.cancelled else summary,
        description=f"{item.kind_name}\n{description}",
        status=EventStatus.CANCELLED if item.cancelled else EventStatus.TENTATIVE,
    )


# Rendering --------------------------------------------------------------------------------


@lru_cache(maxsize=20_000)
def render_event(event: FeedEvent) -> bytes:
    """One VEVENT's bytes, made by icalendar (escaping, folding at 75 octets, CRLF)."""
    tz: tzinfo = ZoneInfo(event.tzid)
    vevent = Event()
    vevent.add("uid", event.uid)
    vevent.add("dtstamp", event.changed_at.astimezone(UTC))
    vevent.add("last-modified", event.changed_at.astimezone(UTC))
    vevent.add("sequence", event.sequence)
    if is_ambiguous(event.starts_at, event.tzid) or is_ambiguous(event.ends_at, event.tzid):
        tz = UTC  # one instant in every parser (see the module's docstring)
    vevent.add("dtstart", event.starts_at.astimezone(tz))
    vevent.add("dtend", event.ends_at.astimezone(tz))
    vevent.add("summary", event.summary)
    if event.location:
        vevent.add("location", event.location)
    if event.description:
        vevent.add("description", event.description)
    if event.url:
        vevent.add("url", event.url)
    vevent.add("class", "PRIVATE")
    vevent.add("status", event.status.value)
    vevent.add("transp", "TRANSPARENT" if event.status == EventStatus.CANCELLED else "OPAQUE")
    if event.alarm_minutes:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", event.alarm_text or event.summary)
        alarm.add("trigger", timedelta(minutes=-event.alarm_minutes))
        vevent.add_component(alarm)
    ical: bytes = vevent.to_ical()  # icalendar leaves to_ical() unannotated
    return ical


@lru_cache(maxsize=512)
def render_timezone(*, tzid: str, first_year: int, last_year: int) -> bytes:
    """A VTIMEZONE for the years the events span (STANDARD, and DAYLIGHT where observed)."""
    component = Timezone.from_tzid(tzid, first_date=date(first_year, 1, 1), last_date=date(last_year, 12, 31))
    # The generated COMMENT only says which years are covered; clients do not need it.
    component.pop("COMMENT", None)
    # icalendar lists every later transition in one comma-separated RDATE. Mozilla ical.js
    # (Thunderbird) and vobject read only the first value of such a line and then put summer
    # events an hour off from the next year on (tests/interop caught it), so each transition
    # gets an RDATE line of its own, which every parser reads.
    zone = ZoneInfo(tzid)
    for observance in component.subcomponents:
        offset_from, offset_to = observance["TZOFFSETFROM"], observance["TZOFFSETTO"]
        assert isinstance(offset_from, vUTCOffset) and isinstance(offset_to, vUTCOffset)
        before, after = offset_from.td, offset_to.td
        onset = observance.pop("DTSTART").dt
        observance.add("dtstart", _onset(zone, onset, before, after))
        rdates = observance.pop("RDATE", None)
        if rdates is None:
            continue
        for rdate in rdates if isinstance(rdates, list) else [rdates]:
            for value in rdate.dts:
                observance.add("rdate", _onset(zone, value.dt, before, after))
    ical: bytes = component.to_ical()
    return ical


def _onset(zone: ZoneInfo, local: datetime, before: timedelta, after: timedelta) -> datetime:
    """A transition as RFC 5545 wants it: the wall-clock time just before it (TZOFFSETFROM).

    icalendar writes the spring-forward onset in the new offset (03:00 rather than 02:00 in
    the US), which puts the change an hour late for a client that converts through UTC. Each
    reading of the given time is tried against the zone's real transitions.
    """
    if before == after:
        return local
    for offset in (before, after):
        instant = (local - offset).replace(tzinfo=UTC)
        just_before = (instant - timedelta(seconds=1)).astimezone(zone).utcoffset()
        if just_before == before and instant.astimezone(zone).utcoffset() == after:
            return (instant + before).replace(tzinfo=None)
    return local


@lru_cache(maxsize=256)
def _header(info: CalendarInfo) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", info.name)
    cal.add("x-wr-timezone", info.tzid)
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    body: bytes = cal.to_ical()
    end = b"END:VCALENDAR" + CRLF
    assert body.endswith(end)
    return body[: -len(end)]


@dataclass(frozen=True, slots=True)
class RenderedEvent:
    """A VEVENT's bytes with what the calendar around it needs to know (zone and years)."""

    ics: bytes
    tzid: str
    first_year: int
    last_year: int


def rendered(event: FeedEvent) -> RenderedEvent:
    return RenderedEvent(
        ics=render_event(event),
        tzid=event.tzid,
        first_year=event.starts_at.year,
        last_year=event.ends_at.year,
    )


def build_calendar(*, info: CalendarInfo, events: Sequence[FeedEvent], today: date) -> bytes:
    """The whole VCALENDAR: header, one VTIMEZONE per zone used, then the events."""
    return join_calendar(info=info, events=[rendered(e) for e in events], today=today)


def timezone_spans(
    *, info: CalendarInfo, events: Sequence[RenderedEvent], today: date
) -> dict[str, tuple[int, int]]:
    """The VTIMEZONEs a calendar needs: each zone used, with the years its events span."""
    zones: dict[str, tuple[int, int]] = {}
    for event in events:
        first, last = zones.get(event.tzid, (today.year - 1, today.year + 1))
        if event.first_year < first or event.last_year > last:
            zones[event.tzid] = (min(first, event.first_year), max(last, event.last_year))
        elif event.tzid not in zones:
            zones[event.tzid] = (first, last)
    return zones or {info.tzid: (today.year - 1, today.year + 1)}


def join_calendar(
    *,
    info: CalendarInfo,
    events: Sequence[RenderedEvent],
    today: date,
    zones: Mapping[tuple[str, int, int], bytes] | None = None,
) -> bytes:
    """Join pre-rendered events under a header and the VTIMEZONEs they use.

    ``zones`` may hold VTIMEZONEs already rendered (by ``(tzid, first_year, last_year)``).
    """
    spans = timezone_spans(info=info, events=events, today=today)
    parts = [_header(info)]
    for tzid in sorted(spans):
        first, last = spans[tzid]
        block = zones.get((tzid, first, last)) if zones else None
        parts.append(
            block if block is not None else render_timezone(tzid=tzid, first_year=first, last_year=last)
        )
    parts.extend(event.ics for event in events)
    parts.append(b"END:VCALENDAR" + CRLF)
    return b"".join(parts)
