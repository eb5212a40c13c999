"""Write side of the feed change journal: every flush that touches what a feed shows leaves a row.

Why: a calendar app's poll with nothing new should cost about as much as the app's smallest
response, so the feed route keeps each feed's ETag in memory and reuses it while the journal
rows that concern that feed are unchanged (``scheduler.feeds.stamps``). That is only
as safe as the journal is complete, so it is written here, from the ORM itself, for every
flush and every bulk statement rather than by each service remembering to.

What a change marks (see ``scheduler.models.FeedChange``):

- a seat, shift, hearing or hearing language: every person with a seat at that hearing (a
  teammate's change can change the team lead shown) and the hearing's court (old and new);
- a person: that person, and everyone who shares a hearing they lead (the lead's name is in
  their teammates' feeds); their volunteer profile: that person (the open-seats feed);
- an edited court, any deletion of these rows, a bulk statement: everyone.

Rows are inserted through the flush's own connection, so they commit or roll back with the
change they describe.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, Select, delete, event, insert, inspect, select
from sqlalchemy.orm import ORMExecuteState, Session, aliased

from scheduler.feeds.bulk import bulk_target, known
from scheduler.models import (
    AvailabilityWindow,
    BlackoutDate,
    Court,
    FeedChange,
    Hearing,
    HearingLanguage,
    Shift,
    Signup,
    User,
    VolunteerLanguage,
    VolunteerProfile,
    VolunteerRole,
    VolunteerTraining,
)
from scheduler.types import utcnow

# Beyond this many objects in one flush, one "everyone" row is cheaper than working out who.
FAN_OUT_LIMIT = 500

_PROFILE_PARTS = (
    VolunteerProfile,
    VolunteerLanguage,
    VolunteerRole,
    VolunteerTraining,
    AvailabilityWindow,
    BlackoutDate,
)
_CONTENT = (Signup, Shift, Hearing, HearingLanguage, Court, User)
_TRACKED = (*_CONTENT, *_PROFILE_PARTS)
_TABLE = FeedChange.__table__


class _Touched:
    """What one flush touched, before it is turned into people and courts."""

    def __init__(self) -> None:
        self.everyone = False
        self.users: set[int] = set()
        self.courts: set[int] = set()
        self.hearings: set[int] = set()
        self.shifts: set[int] = set()
        self.leads: set[int] = set()  # people whose name may show in teammates' feeds

    def add_changed(self, obj: Any) -> None:
        if isinstance(obj, Signup):
            self.users.add(obj.user_id)
            self.shifts.add(obj.shift_id)
        elif isinstance(obj, Shift | HearingLanguage):
            self.hearings.add(obj.hearing_id)
        elif isinstance(obj, Hearing):
            self.hearings.add(obj.id)
            self.courts.update(_values(obj, "court_id"))
        elif isinstance(obj, User):
            self.users.add(obj.id)
            self.leads.add(obj.id)
        elif isinstance(obj, _PROFILE_PARTS):
            self.users.add(obj.user_id)
        elif isinstance(obj, Court):
            self.everyone = True

    def add_deleted(self, obj: Any) -> None:
        if isinstance(obj, _PROFILE_PARTS):
            self.users.add(obj.user_id)
        elif isinstance(obj, _CONTENT):
            self.everyone = True


def _values(obj: Any, attr: str) -> set[int]:
    """The attribute's value now and before this flush (a hearing moved to another court)."""
    history = inspect(obj).attrs[attr].history
    return {v for v in (*history.added, *history.unchanged, *history.deleted) if v is not None}


def _people_on(hearings: Any) -> Select:
    """Everyone with a row (any status) on these hearings: a list of ids or a subquery."""
    return (
        select(Signup.user_id)
        .join(Shift, Shift.id == Signup.shift_id)
        .where(Shift.hearing_id.in_(hearings))
        .distinct()
    )


def _people_at(session: Session, touched: _Touched) -> set[int]:
    """Everyone with a seat at the touched hearings, and everyone on a hearing a touched person leads."""
    conn = session.connection()
    hearings = set(touched.hearings)
    shifts = _split_known(session, Shift, touched.shifts, "hearing_id", into=hearings)
    if shifts:
        hearings.update(conn.scalars(select(Shift.hearing_id).where(Shift.id.in_(shifts))))
    people: set[int] = set()
    if hearings:
        unknown = _split_known(session, Hearing, hearings, "court_id", into=touched.courts)
        if unknown:
            touched.courts.update(conn.scalars(select(Hearing.court_id).where(Hearing.id.in_(unknown))))
        people.update(conn.scalars(_people_on(hearings)))
    if touched.leads:
        led, led_shift = aliased(Signup), aliased(Shift)
        led_hearings = (
            select(led_shift.hearing_id)
            .join(led, led.shift_id == led_shift.id)
            .where(led.user_id.in_(touched.leads), led.team_lead.is_(True))
        )
        people.update(conn.scalars(_people_on(led_hearings)))
    return people


def _split_known(session: Session, cls: type, ids: Iterable[int], attr: str, *, into: set[int]) -> set[int]:
    """Add to ``into`` the ``attr`` of each row the session holds; return the ids it does not."""
    unknown = set()
    for ident in ids:
        value = known(session, cls, ident, attr)
        if value is None:
            unknown.add(ident)
        else:
            into.add(value)
    return unknown


def _write(
    session: Session, *, users: Iterable[int] = (), courts: Iterable[int] = (), everyone: bool
) -> None:
    now = utcnow()
    rows = [{"user_id": u, "court_id": None, "changed_at": now} for u in sorted(set(users))]
    rows += [{"user_id": None, "court_id": c, "changed_at": now} for c in sorted(set(courts))]
    if everyone:
        rows.append({"user_id": None, "court_id": None, "changed_at": now})
    if rows:
        session.connection().execute(insert(_TABLE), rows)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: Any) -> None:
    touched = _Touched()
    count = 0
    for obj in session.new:
        if isinstance(obj, _TRACKED):
            touched.add_changed(obj)
            count += 1
    for obj in session.dirty:
        if isinstance(obj, _TRACKED) and session.is_modified(obj):
            touched.add_changed(obj)
            count += 1
    for obj in session.deleted:
        if isinstance(obj, _TRACKED):
            touched.add_deleted(obj)
            count += 1
    if count == 0:
        return
    if touched.everyone or count > FAN_OUT_LIMIT:
        _write(session, everyone=True)
        return
    people = _people_at(session, touched)
    _write(session, users=touched.users | people, courts=touched.courts, everyone=False)


@event.listens_for(Session, "do_orm_execute")
def _bulk_statement(state: ORMExecuteState) -> None:
    """An ORM ``insert()``/``update()``/``delete()`` bypasses the flush: mark every feed."""
    if bulk_target(state, _TRACKED) is not None:
        _write(state.session, everyone=True)


def prune(session: Session, *, now: datetime, keep: timedelta) -> int:
    """Forget rows older than ``keep``: a cached stamp that old is recomputed anyway."""
    result = session.execute(
        delete(FeedChange)
        .where(FeedChange.changed_at < now - keep)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)  # what an UPDATE or DELETE gives back
    return result.rowcount or 0
