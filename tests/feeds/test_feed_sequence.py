"""Every change to what an event shows raises its SEQUENCE, in every feed that carries it.

A calendar app replaces an event it already has only when SEQUENCE goes up. For each kind of
change, every feed is read before and after, by icalendar and by Mozilla ical.js (Thunderbird):
an event whose STATUS, SUMMARY, DTSTART, DTEND, LOCATION, DESCRIPTION or URL differs must have
a higher SEQUENCE, and each change must alter the events it is expected to (so the check can
fail). Polling again with nothing changed gives the same bytes.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import icalendar
import pytest
from sqlalchemy import select, update

from scheduler.domain.eligibility import Rules
from scheduler.enums import FeedKind, Role, ShiftRole, SignupStatus
from scheduler.extensions import db
from scheduler.feeds import content as feed_content
from scheduler.feeds import revisions as feed_revisions
from scheduler.feeds import tokens as feeds
from scheduler.hearings import schedule as hearings
from scheduler.models import FeedRevision, Hearing, Signup
from scheduler.shifts import claims as shifts
from scheduler.shifts import roster as shift_admin
from scheduler.types import utcnow
from tests.factories import make_court, make_hearing, make_signup, make_user

RULES = Rules()
INTEROP = Path(__file__).resolve().parents[1] / "interop"
SHOWN = ("STATUS", "SUMMARY", "DTSTART", "DTEND", "LOCATION", "DESCRIPTION", "URL")


def _at(days: int):
    return utcnow().replace(hour=15, minute=0, second=0, microsecond=0) + timedelta(days=days)


class World:
    """A Chicago hearing with a volunteer, a teammate, a full seat with a waitlist, and the
    three feed kinds: two volunteers' own feeds, the coordinator's and an open-seats feed."""

    def __init__(self) -> None:
        self.court = make_court(name="Chicago Immigration Court", address="525 W Van Buren St")
        self.coordinator = make_user(role=Role.COORDINATOR, courts=(self.court,))
        self.volunteer = make_user(roles=(ShiftRole.ACCOMPANIER,))
        self.teammate = make_user(roles=(ShiftRole.ACCOMPANIER,), display_name="Tess Teammate")
        self.waiting = make_user(roles=(ShiftRole.DRIVER,), has_car=True)
        self.looking = make_user(roles=(ShiftRole.ACCOMPANIER, ShiftRole.DRIVER), has_car=True)
        self.other = make_user(roles=(ShiftRole.ACCOMPANIER,))
        self.hearing = make_hearing(
            court=self.court,
            starts_at=_at(5),
            seats={ShiftRole.ACCOMPANIER: 3, ShiftRole.DRIVER: 1},
            courtroom="12",
            meeting_point="Lobby",
            public_notes="Bring ID",
        )
        roles = {shift.role: shift for shift in self.hearing.shifts}
        self.accompany, self.drive = roles[ShiftRole.ACCOMPANIER], roles[ShiftRole.DRIVER]
        self.seat = make_signup(shift=self.accompany, user=self.volunteer)
        self.mate_seat = make_signup(shift=self.accompany, user=self.teammate)
        self.driver = make_signup(shift=self.drive, user=self.other)
        self.queued = make_signup(
            shift=self.drive, user=self.waiting, status=SignupStatus.WAITLISTED, waitlisted_at=utcnow()
        )
        self.tokens = {
            "volunteer": self._token(self.volunteer),
            "teammate": self._token(self.teammate),
            "waiting": self._token(self.waiting),
            "coordinator": self._token(self.coordinator),
            "open seats": self._token(self.looking, FeedKind.OPEN_SEATS),
        }
        db.session.commit()

    @staticmethod
    def _token(user, kind: FeedKind = FeedKind.PERSONAL) -> str:
        return feeds.issue_token(db.session, user=user, kind=kind, actor=None)

    def uid(self, name: str) -> str:
        key = {
            "seat": f"signup-{self.seat.id}",
            "mate": f"signup-{self.mate_seat.id}",
            "queued": f"signup-{self.queued.id}",
            "coverage": f"hearing-{self.hearing.id}",
            "open": f"shift-{self.accompany.id}",
        }[name]
        return f"{key}@accompany.test"


@pytest.fixture
def world(app) -> World:
    return World()


def _drop(world: World) -> None:
    shifts.drop_shift(
        db.session,
        actor=world.volunteer,
        shift_id=world.accompany.id,
        now=utcnow(),
        cutoff=timedelta(hours=1),
        reason="",
        rules=RULES,
    )


def _remove(world: World) -> None:
    shift_admin.remove_volunteer(
        db.session,
        actor=world.coordinator,
        shift_id=world.accompany.id,
        user_id=world.volunteer.id,
        now=utcnow(),
        rules=RULES,
    )


def _promote(world: World) -> None:
    """The driver drops; the waitlisted person moves up."""
    shifts.drop_shift(
        db.session,
        actor=world.other,
        shift_id=world.drive.id,
        now=utcnow(),
        cutoff=timedelta(hours=1),
        reason="",
        rules=RULES,
    )


def _claim_again(world: World) -> None:
    shifts.claim_shift(
        db.session, actor=world.volunteer, shift_id=world.accompany.id, now=utcnow(), rules=RULES
    )


def _fill(world: World) -> None:
    shifts.claim_shift(
        db.session, actor=world.looking, shift_id=world.accompany.id, now=utcnow(), rules=RULES
    )


def _capacity(world: World) -> None:
    shift_admin.set_capacity(
        db.session,
        actor=world.coordinator,
        shift_id=world.accompany.id,
        capacity=4,
        now=utcnow(),
        rules=RULES,
    )


def _details(world: World, **values) -> None:
    h = world.hearing
    current = {"meeting_point": h.meeting_point, "public_notes": h.public_notes, "courtroom": h.courtroom}
    details = hearings.HearingDetails(
        kind=h.kind,
        duration_minutes=h.duration_minutes,
        languages=tuple(h.language_codes),
        **{**current, **values},
    )
    hearings.update_details(
        db.session, actor=world.coordinator, hearing=h, details=details, notify_volunteers=False
    )


def _reschedule(world: World) -> None:
    h = world.hearing
    hearings.reschedule_hearing(
        db.session,
        actor=world.coordinator,
        hearing=h,
        court=h.court,
        starts_at=h.starts_at + timedelta(hours=2),
        courtroom=h.courtroom,
    )


def _cancel(world: World) -> None:
    hearings.cancel_hearing(db.session, actor=world.coordinator, hearing=world.hearing, reason="Judge ill")


def _lead(world: World) -> None:
    shift_admin.set_team_lead(
        db.session, actor=world.coordinator, shift_id=world.accompany.id, user_id=world.teammate.id, lead=True
    )


def _lead_renamed(world: World) -> None:
    world.teammate.display_name = "Tess Renamed"


def _court_renamed(world: World) -> None:
    world.court.name = "Chicago Immigration Court (Van Buren)"


def _court_moved(world: World) -> None:
    world.court.address = "55 E Monroe St, Chicago, IL"


def _language(world: World) -> None:
    world.volunteer.locale = "es"


def _alarm(world: World) -> None:
    feeds.update_settings(db.session, user=world.volunteer, alarm="1h", show_waitlist=True)


def _bulk(world: World) -> None:
    """A bulk statement the ORM does not flush: still raises what it touches."""
    db.session.execute(update(Hearing).where(Hearing.id == world.hearing.id).values(courtroom="31"))


# change: (setup committed first, the change, events whose content must change).
CHANGES = {
    "volunteer drops": (
        None,
        _drop,
        {("volunteer", "seat"), ("coordinator", "coverage"), ("open seats", "open")},
    ),
    "coordinator removes": (None, _remove, {("volunteer", "seat"), ("coordinator", "coverage")}),
    "waitlist promotion": (None, _promote, {("waiting", "queued")}),
    "claimed again after a drop": (_drop, _claim_again, {("volunteer", "seat"), ("coordinator", "coverage")}),
    "seat filled by another": (None, _fill, {("coordinator", "coverage")}),
    "capacity": (None, _capacity, {("coordinator", "coverage"), ("open seats", "open")}),
    "meeting point": (
        None,
        lambda w: _details(w, meeting_point="Room 3 door"),
        {("volunteer", "seat"), ("teammate", "mate"), ("coordinator", "coverage")},
    ),
    "public notes": (
        None,
        lambda w: _details(w, public_notes="Bring the hearing notice"),
        {("volunteer", "seat"), ("coordinator", "coverage")},
    ),
    "courtroom": (
        None,
        lambda w: _details(w, courtroom="14"),
        {("volunteer", "seat"), ("open seats", "open")},
    ),
    "reschedule": (
        None,
        _reschedule,
        {("volunteer", "seat"), ("coordinator", "coverage"), ("open seats", "open")},
    ),
    "cancel": (None, _cancel, {("volunteer", "seat"), ("coordinator", "coverage"), ("open seats", "open")}),
    "team lead named": (None, _lead, {("volunteer", "seat")}),
    "lead renamed": (_lead, _lead_renamed, {("volunteer", "seat")}),
    "court renamed": (
        None,
        _court_renamed,
        {("volunteer", "seat"), ("coordinator", "coverage"), ("open seats", "open")},
    ),
    "court address": (
        None,
        _court_moved,
        {("volunteer", "seat"), ("coordinator", "coverage"), ("open seats", "open")},
    ),
    "owner's language": (None, _language, {("volunteer", "seat")}),
    "bulk statement": (None, _bulk, {("volunteer", "seat"), ("teammate", "mate"), ("open seats", "open")}),
}


def _icalendar(body: bytes) -> dict[str, tuple[int, tuple]]:
    out = {}
    for event in icalendar.Calendar.from_ical(body).walk("VEVENT"):
        shown = []
        for name in SHOWN:
            value = event.get(name)
            shown.append(
                None if value is None else event.decoded(name) if name.startswith("DT") else str(value)
            )
        out[str(event["UID"])] = (int(event.get("SEQUENCE", 0)), tuple(shown))
    return out


def _icaljs(bodies: list[bytes]) -> list[dict[str, tuple[int, tuple]]] | None:
    if shutil.which("node") is None or not (INTEROP / "node_modules" / "ical.js").is_dir():
        return None
    result = subprocess.run(
        ["node", str(INTEROP / "icaljs_props.mjs")],
        input=json.dumps([b.decode("utf-8") for b in bodies]).encode(),
        capture_output=True,
        check=True,
        timeout=60,
    )
    return [
        {e["uid"]: (e["sequence"], tuple(e["shown"][k.lower()] for k in SHOWN)) for e in events}
        for events in json.loads(result.stdout)
    ]


def _read(client, world: World) -> dict[str, bytes]:
    bodies = {}
    for name, token in world.tokens.items():
        response = client.get(f"/feeds/{token}.ics")
        assert response.status_code == 200
        bodies[name] = response.data
    return bodies


def _parsed(bodies: dict[str, bytes]) -> list[dict[str, dict[str, tuple[int, tuple]]]]:
    """Per parser: feed name -> UID -> (SEQUENCE, what it shows)."""
    names = list(bodies)
    readings = [{name: _icalendar(bodies[name]) for name in names}]
    js = _icaljs([bodies[name] for name in names])
    if js is not None:
        readings.append(dict(zip(names, js, strict=True)))
    return readings


@pytest.mark.parametrize("change", list(CHANGES))
def test_every_visible_change_raises_sequence(client, world, change):
    setup, apply, expected = CHANGES[change]
    if setup is not None:
        setup(world)
        db.session.commit()
    before = _read(client, world)
    assert _read(client, world) == before  # nothing changed: the same bytes
    apply(world)
    db.session.commit()
    after = _read(client, world)
    for reading_before, reading_after in zip(_parsed(before), _parsed(after), strict=True):
        changed = set()
        for feed, events in reading_after.items():
            for uid, (sequence, shown) in events.items():
                if uid not in reading_before[feed]:
                    continue
                old_sequence, old_shown = reading_before[feed][uid]
                assert sequence >= old_sequence, f"{feed} {uid}: SEQUENCE went down"
                if shown != old_shown:
                    changed.add((feed, uid))
                    assert sequence > old_sequence, (
                        f"{change}: {feed} {uid} changed, SEQUENCE stayed {sequence}"
                    )
        wanted = {(feed, world.uid(event)) for feed, event in expected}
        assert wanted <= changed, f"{change}: expected {wanted - changed} to change"
    assert _read(client, world) == after


def test_the_attached_event_has_the_feed_sequence(app, client, world):
    """The one-event calendar (change emails, downloads) carries the feed's SEQUENCE."""
    _details(world, meeting_point="Room 3 door")
    db.session.commit()
    feed = _icalendar(_read(client, world)["volunteer"])[world.uid("seat")][0]
    one = feed_content.event_ics_for_signup(
        db.session, signup_id=world.seat.id, base_url=app.config["BASE_URL"]
    )
    assert _icalendar(one)[world.uid("seat")][0] == feed
    assert feed_revisions.seat_sequence(db.session, world.seat.id) == feed


def test_revisions_are_stored_and_outlive_the_journal(app, client, world):
    """Not derived from the change journal (pruned after 48 h) or from content (a hash can go down)."""
    before = _icalendar(_read(client, world)["volunteer"])[world.uid("seat")][0]
    _details(world, meeting_point="Room 3 door")
    db.session.commit()
    raised = _icalendar(_read(client, world)["volunteer"])[world.uid("seat")][0]
    assert raised > before
    from scheduler.privacy import retention

    retention.purge(db.session, now=utcnow() + timedelta(days=10), feed_changes_keep=timedelta(hours=48))
    _details(world, meeting_point="Lobby")  # back to what it said first: SEQUENCE still goes up
    db.session.commit()
    app.extensions["feed_stamps"].clear()  # another worker, or a restart
    again = _icalendar(_read(client, world)["volunteer"])[world.uid("seat")][0]
    assert again > raised
    stored = db.session.scalar(
        select(FeedRevision.revision).where(
            FeedRevision.kind == "signup", FeedRevision.object_id == world.seat.id
        )
    )
    assert stored is not None and again == world.hearing.version + stored


def test_private_edits_raise_nothing(app, world):
    def revisions():
        return sorted(
            db.session.execute(select(FeedRevision.kind, FeedRevision.object_id, FeedRevision.revision))
        )

    start = revisions()
    world.hearing.private_notes = "call the lawyer first"
    world.hearing.judge = "Judge Rivera"
    seat = db.session.get(Signup, world.seat.id)
    seat.seen_version = 7
    world.volunteer.last_login_at = utcnow()
    db.session.commit()
    assert revisions() == start
