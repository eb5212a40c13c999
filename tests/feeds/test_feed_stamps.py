"""A poll with nothing new is answered from memory; every real change still reaches the calendar.

The suite runs with FEED_STAMP_VERIFY on: whenever a remembered ETag is reused, a fresh stamp
query is run too and any difference raises StaleFeedStamp. The changes below go through the
same services the pages use, so each one proves its writes reach the change journal.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select, text, update

from scheduler.domain.eligibility import Rules
from scheduler.enums import FeedKind, Role, ShiftRole, SignupStatus
from scheduler.extensions import db
from scheduler.feeds import tokens as feeds
from scheduler.feeds.stamps import StaleFeedStamp
from scheduler.hearings import importing as hearing_import
from scheduler.hearings import schedule as hearings
from scheduler.models import FEED_NEUTRAL, FeedChange, Hearing, Shift
from scheduler.privacy import retention
from scheduler.shifts import claims as shifts
from scheduler.shifts import locking
from scheduler.shifts import roster as shift_admin
from scheduler.types import utcnow
from tests.factories import make_court, make_hearing, make_signup, make_user
from tests.hearings.test_importing import csv_text, row

RULES = Rules()


def _at(days: int) -> object:
    return utcnow().replace(hour=15, minute=0, second=0, microsecond=0) + timedelta(days=days)


class World:
    """Two courts; a hearing at Chicago with a volunteer and a teammate; one elsewhere."""

    def __init__(self) -> None:
        self.chicago = make_court(name="Chicago Immigration Court", code="CHI")
        self.denver = make_court(name="Denver Immigration Court", timezone="America/Denver")
        self.coordinator = make_user(role=Role.COORDINATOR, courts=(self.chicago,))
        self.volunteer = make_user(roles=(ShiftRole.ACCOMPANIER, ShiftRole.DRIVER), has_car=True)
        self.teammate = make_user(roles=(ShiftRole.ACCOMPANIER,))
        self.other = make_user(roles=(ShiftRole.ACCOMPANIER,))
        self.hearing = make_hearing(
            court=self.chicago,
            starts_at=_at(5),
            seats={ShiftRole.ACCOMPANIER: 3, ShiftRole.DRIVER: 1},
        )
        self.elsewhere = make_hearing(court=self.denver, starts_at=_at(6), seats={ShiftRole.ACCOMPANIER: 2})
        roles = {shift.role: shift for shift in self.hearing.shifts}
        self.accompany, self.drive = roles[ShiftRole.ACCOMPANIER], roles[ShiftRole.DRIVER]
        self.seat = make_signup(shift=self.accompany, user=self.volunteer)
        make_signup(shift=self.accompany, user=self.teammate)
        self.tokens = {
            "volunteer": self._token(self.volunteer),
            "teammate": self._token(self.teammate),
            "other": self._token(self.other),
            "coordinator": self._token(self.coordinator),
            "open_seats": self._token(self.volunteer, FeedKind.OPEN_SEATS),
        }
        db.session.commit()

    @staticmethod
    def _token(user, kind: FeedKind = FeedKind.PERSONAL) -> str:
        return feeds.issue_token(db.session, user=user, kind=kind, actor=None)


@pytest.fixture
def world(app) -> World:
    return World()


def _poll(client, token: str, etag: str | None = None):
    headers = {"If-None-Match": etag} if etag else {}
    response = client.get(f"/feeds/{token}.ics", headers=headers)
    assert response.status_code in (200, 304)
    return response


def _etags(client, world: World) -> dict[str, str]:
    return {name: _poll(client, token).headers["ETag"] for name, token in world.tokens.items()}


def _changed(client, world: World, before: dict[str, str]) -> set[str]:
    """The feeds a calendar app would download again (200 to its If-None-Match)."""
    return {
        name for name, token in world.tokens.items() if _poll(client, token, before[name]).status_code == 200
    }


def _claim(world: World) -> None:
    shifts.claim_shift(db.session, actor=world.other, shift_id=world.accompany.id, now=utcnow(), rules=RULES)


def _drop(world: World) -> None:
    shifts.drop_shift(
        db.session,
        actor=world.volunteer,
        shift_id=world.accompany.id,
        now=utcnow(),
        cutoff=timedelta(hours=24),
        reason="",
        rules=RULES,
    )


def _reschedule(world: World) -> None:
    h = world.hearing
    hearings.reschedule_hearing(
        db.session,
        actor=world.coordinator,
        hearing=h,
        court=h.court,
        starts_at=h.starts_at + timedelta(hours=2),
        courtroom="7",
    )


def _cancel(world: World) -> None:
    hearings.cancel_hearing(db.session, actor=world.coordinator, hearing=world.hearing, reason="Judge ill")


def _details(world: World) -> None:
    h = world.hearing
    details = hearings.HearingDetails(
        kind=h.kind,
        duration_minutes=h.duration_minutes,
        languages=tuple(h.language_codes),
        meeting_point="Room 3 door",
    )
    hearings.update_details(db.session, actor=world.coordinator, hearing=h, details=details)


def _lead(world: World) -> None:
    shift_admin.set_team_lead(
        db.session,
        actor=world.coordinator,
        shift_id=world.accompany.id,
        user_id=world.teammate.id,
        lead=True,
    )


def _rename(world: World) -> None:
    world.teammate.display_name = "Tess Renamed"


def _court_edited(world: World) -> None:
    world.chicago.address = "525 W Van Buren St, Suite 500, Chicago, IL 60607"


def _capacity(world: World) -> None:
    shift_admin.set_capacity(
        db.session,
        actor=world.coordinator,
        shift_id=world.drive.id,
        capacity=2,
        now=utcnow(),
        rules=RULES,
    )


def _imported(world: World) -> None:
    hearing_import.commit_import(
        db.session, actor=world.coordinator, text=csv_text([row(1, court="CHI")]), now=utcnow()
    )


def _alarm(world: World) -> None:
    feeds.update_settings(db.session, user=world.volunteer, alarm="1h", show_waitlist=True)


def _remove(world: World) -> None:
    shift_admin.remove_volunteer(
        db.session,
        actor=world.coordinator,
        shift_id=world.accompany.id,
        user_id=world.volunteer.id,
        now=utcnow(),
        rules=RULES,
    )


# (done first and committed, the change, which feeds must show it). Other feeds may refetch
# too; with FEED_STAMP_VERIFY on, none may keep an ETag that a fresh stamp query disagrees with.
CHANGES = {
    "claim": (None, _claim, {"other", "coordinator"}),
    "drop": (None, _drop, {"volunteer", "coordinator", "open_seats"}),
    "removed by coordinator": (None, _remove, {"volunteer", "coordinator", "open_seats"}),
    "reschedule": (None, _reschedule, {"volunteer", "teammate", "coordinator"}),
    "cancel": (None, _cancel, {"volunteer", "teammate", "coordinator"}),
    "details": (None, _details, {"volunteer", "teammate", "coordinator"}),
    "team lead": (None, _lead, {"volunteer"}),
    "lead renamed": (_lead, _rename, {"volunteer"}),
    "court edited": (None, _court_edited, {"volunteer", "teammate", "coordinator"}),
    "capacity": (None, _capacity, {"coordinator", "open_seats"}),
    "import": (None, _imported, {"coordinator", "open_seats"}),
    "feed setting": (None, _alarm, {"volunteer"}),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_each_change_reaches_the_feeds_that_show_it(client, world, change):
    setup, apply, must_change = CHANGES[change]
    if setup is not None:
        setup(world)
        db.session.commit()
    before = _etags(client, world)
    apply(world)
    db.session.commit()
    assert must_change <= _changed(client, world, before)


@pytest.mark.committed  # counts statements: the test harness's SAVEPOINTs must not be among them
def test_a_change_elsewhere_leaves_other_feeds_answered_from_memory(app, client, world):
    app.config["FEED_STAMP_VERIFY"] = False  # count what production runs
    before = _etags(client, world)
    shifts.claim_shift(
        db.session, actor=world.other, shift_id=world.elsewhere.shifts[0].id, now=utcnow(), rules=RULES
    )
    db.session.commit()
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        response = _poll(client, world.tokens["volunteer"], before["volunteer"])
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert response.status_code == 304
    assert len(statements) == 1  # the token with its journal counts; no stamp query
    assert _poll(client, world.tokens["coordinator"], before["coordinator"]).status_code == 304
    assert _poll(client, world.tokens["other"], before["other"]).status_code == 200


def test_a_write_that_bypasses_the_journal_is_caught_by_the_check(client, world, caplog):
    """The safety net can fail: a raw SQL update the ORM never saw makes the reused ETag stale."""
    _etags(client, world)
    db.session.execute(
        text("UPDATE hearings SET courtroom = '99', updated_at = :now WHERE id = :id"),
        {"now": utcnow() + timedelta(seconds=5), "id": world.hearing.id},
    )
    db.session.commit()
    with caplog.at_level(logging.ERROR):
        response = client.get(f"/feeds/{world.tokens['volunteer']}.ics")
    assert response.status_code == 500
    assert StaleFeedStamp.__name__ in caplog.text


def test_journal_rows_roll_back_with_the_change(app, world):
    def journal() -> int:
        return db.session.scalar(select(func.count(FeedChange.id)))

    start = journal()
    world.hearing.courtroom = "22"
    db.session.flush()
    assert journal() > start
    db.session.rollback()
    assert journal() == start


def test_bulk_statements_mark_every_feed_and_the_claim_lock_marks_none(app, world):
    everyone = select(func.count(FeedChange.id)).where(
        FeedChange.user_id.is_(None), FeedChange.court_id.is_(None)
    )
    start = db.session.scalar(everyone)
    locking.lock_shift(db.session, world.accompany.id)
    assert db.session.scalar(everyone) == start
    db.session.execute(update(Hearing).where(Hearing.id == world.hearing.id).values(courtroom="3"))
    assert db.session.scalar(everyone) == start + 1
    db.session.execute(
        update(Shift)
        .where(Shift.id == -1)
        .values(capacity=Shift.capacity)
        .execution_options(**{FEED_NEUTRAL: True})
    )
    assert db.session.scalar(everyone) == start + 1


@pytest.mark.committed  # counts statements: the test harness's SAVEPOINTs must not be among them
def test_reused_etag_expires_after_the_configured_time(app, client, world):
    app.config["FEED_STAMP_CACHE_SECONDS"] = 0
    app.config["FEED_STAMP_VERIFY"] = False
    etag = _poll(client, world.tokens["volunteer"]).headers["ETag"]
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert _poll(client, world.tokens["volunteer"], etag).status_code == 304
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(statements) == 2  # token, then the stamp query again


def test_purge_forgets_old_journal_rows_and_feeds_stay_right(app, client, world):
    before = _etags(client, world)
    old = utcnow() - timedelta(hours=72)
    db.session.execute(update(FeedChange).values(changed_at=old))
    world.hearing.public_notes = "Bring the hearing notice"
    db.session.commit()
    result = retention.purge(db.session, now=utcnow(), feed_changes_keep=timedelta(hours=48))
    db.session.commit()
    assert result.feed_changes_removed > 0
    assert db.session.scalar(select(func.min(FeedChange.changed_at))) > old
    assert _poll(client, world.tokens["volunteer"], before["volunteer"]).status_code == 200
    assert _poll(client, world.tokens["other"], before["other"]).status_code == 304


def test_waitlist_promotion_reaches_the_promoted_person(client, world):
    full = make_hearing(court=world.denver, starts_at=_at(8), seats={ShiftRole.ACCOMPANIER: 1})
    make_signup(shift=full.shifts[0], user=world.teammate)
    make_signup(
        shift=full.shifts[0], user=world.other, status=SignupStatus.WAITLISTED, waitlisted_at=utcnow()
    )
    db.session.commit()
    before = _etags(client, world)
    shifts.drop_shift(
        db.session,
        actor=world.teammate,
        shift_id=full.shifts[0].id,
        now=utcnow(),
        cutoff=timedelta(hours=24),
        reason="",
        rules=RULES,
    )
    db.session.commit()
    assert {"teammate", "other"} <= _changed(client, world, before)


def test_cached_etag_is_the_stamp_query_etag(app, client, world):
    """Memory changes nothing a calendar app sees: the same ETag as a fresh computation."""
    first = _poll(client, world.tokens["volunteer"]).headers["ETag"]
    app.extensions["feed_stamps"].clear()
    assert _poll(client, world.tokens["volunteer"]).headers["ETag"] == first
