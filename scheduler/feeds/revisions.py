"""Each calendar event's revision, raised in the same flush as any change to what it shows.

Why: a calendar app replaces an event it already has only when SEQUENCE goes up. The hearing's
version alone does not move when a seat is dropped, a court renamed, a shift fills up or a
meeting point changes, so each event also has a stored counter (``FeedRevision``) and
SEQUENCE = hearing version + the event's revision + its owner's revision (a sum of counters
that only go up, in the database, so every worker and every restart agree). Not a hash: a
hash can go down. The change journal is pruned after 48 hours, so it cannot hold this.

Raised from the ORM itself, like the change journal (``scheduler.feeds.changes``),
so no service has to remember to. Raising an event that did not really change is harmless (a
calendar app re-reads it); missing one is the bug, so when in doubt this raises.

What a change raises:

- a seat (status, lead, shift): its own event, its shift's open-seat event and its hearing's
  coverage event (the fill); if it is or was the team lead, every seat at the hearing (the
  lead's name is in teammates' events);
- a shift (times, role, capacity, status): its seats' events, itself, its hearing's coverage;
- a hearing (anything but the coordinators' private fields): every event made from it;
- a court (anything but notes, code and other fields no feed shows): every event at it;
- a person: their language or alarm setting raises their own revision (all their feeds'
  events); their name raises every seat at the hearings they lead;
- a bulk ``update()``/``delete()``: the rows it is about to touch, found by its own WHERE.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Delete, Table, Update, and_, event, func, inspect, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import ORMExecuteState, Session, aliased

from scheduler.feeds.bulk import bulk_target, known
from scheduler.models import Court, FeedRevision, Hearing, Shift, Signup, User

SIGNUP, SHIFT, HEARING, USER = "signup", "shift", "hearing", "user"

# Columns no feed shows: changing only these raises nothing.
_HIDDEN = {
    Signup: {
        "waitlisted_at",
        "status_changed_at",
        "handover_offered_at",
        "drop_reason",
        "dropped_late",
        "attendance",
        "assigned_by_id",
        "override_reason",
        "seen_status",
        "seen_version",
        "seen_starts_at",
        "seen_court_id",
        "created_at",
        "updated_at",
    },
    Shift: {"created_at", "updated_at"},
    Hearing: {
        "judge",
        "respondent_ref",
        "private_notes",
        "outcome_note",
        "date_confirmed",
        "case_key",
        "previous_hearing_id",
        "cancel_reason",
        "created_by_id",
        "created_at",
        "updated_at",
    },
    Court: {"code", "city", "state", "kind", "notes", "active", "created_at", "updated_at"},
}
# A person's columns that change the events of their own feeds, and of their teammates'.
_OWNER = ("locale", "feed_alarm")
_LEAD = ("display_name",)


class _Raise:
    """What one flush or statement touched, before it is turned into event keys."""

    def __init__(self) -> None:
        self.signups: set[int] = set()
        self.shifts: set[int] = set()
        self.hearings: set[int] = set()
        self.users: set[int] = set()
        self.shift_seats: set[int] = set()  # every seat on these shifts
        self.lead_shifts: set[int] = set()  # every seat at these shifts' hearings
        self.hearing_seats: set[int] = set()  # every seat at these hearings
        self.whole_hearings: set[int] = set()  # every event made from these hearings
        self.courts: set[int] = set()  # every event at these courts
        self.leads: set[int] = set()  # people whose name shows in teammates' events

    def __bool__(self) -> bool:
        return any(vars(self).values())

    def signup(self, *, signup_id: int | None, shift_id: int | None, lead: bool) -> None:
        if signup_id is not None:
            self.signups.add(signup_id)
        if shift_id is not None:
            self.shifts.add(shift_id)  # the fill, in open seats and coverage
            if lead:
                self.lead_shifts.add(shift_id)

    def shift(self, *, shift_id: int, hearing_id: int | None) -> None:
        self.shifts.add(shift_id)
        self.shift_seats.add(shift_id)
        if hearing_id is not None:
            self.hearings.add(hearing_id)


def _changed(obj: Any, names: Iterable[str] | None = None) -> bool:
    """Whether a column a feed shows changed in this flush (all shown ones when ``names`` is None)."""
    state = inspect(obj)
    hidden = _HIDDEN.get(type(obj), set())
    for attr in state.mapper.column_attrs:
        if names is None and attr.key in hidden:
            continue
        if names is not None and attr.key not in names:
            continue
        if state.attrs[attr.key].history.has_changes():
            return True
    return False


def _was_lead(obj: Signup) -> bool:
    history = inspect(obj).attrs["team_lead"].history
    return any(history.added) or any(history.unchanged) or any(history.deleted)


def _note(touched: _Raise, obj: Any, *, new: bool = False, deleted: bool = False) -> None:
    note = _NOTES.get(type(obj))
    if note is not None:
        note(touched, obj, new or deleted, new)


def _note_signup(touched: _Raise, obj: Signup, gone_or_new: bool, _new: bool) -> None:
    if gone_or_new or _changed(obj):
        touched.signup(signup_id=None if gone_or_new else obj.id, shift_id=obj.shift_id, lead=_was_lead(obj))


def _note_shift(touched: _Raise, obj: Shift, gone_or_new: bool, _new: bool) -> None:
    if gone_or_new:
        touched.hearings.add(obj.hearing_id)  # the coverage's capacity
    elif _changed(obj):
        touched.shift(shift_id=obj.id, hearing_id=obj.hearing_id)


def _note_hearing(touched: _Raise, obj: Hearing, gone_or_new: bool, _new: bool) -> None:
    if not gone_or_new and _changed(obj):
        touched.whole_hearings.add(obj.id)


def _note_court(touched: _Raise, obj: Court, gone_or_new: bool, _new: bool) -> None:
    if not gone_or_new and _changed(obj):
        touched.courts.add(obj.id)


def _note_user(touched: _Raise, obj: User, gone_or_new: bool, _new: bool) -> None:
    if gone_or_new:
        return
    if _changed(obj, _OWNER):
        touched.users.add(obj.id)
    if _changed(obj, _LEAD):
        touched.leads.add(obj.id)


_NOTES: dict[type, Callable[[_Raise, Any, bool, bool], None]] = {
    Signup: _note_signup,
    Shift: _note_shift,
    Hearing: _note_hearing,
    Court: _note_court,
    User: _note_user,
}


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: Any) -> None:
    touched = _Raise()
    for obj in session.new:
        _note(touched, obj, new=True)
    for obj in session.dirty:
        if session.is_modified(obj):
            _note(touched, obj)
    for obj in session.deleted:
        _note(touched, obj, deleted=True)
    if touched:
        _apply(session, touched)


_BULK = (Signup, Shift, Hearing, Court, User)


@event.listens_for(Session, "do_orm_execute")
def _bulk_statement(state: ORMExecuteState) -> None:
    """A bulk statement bypasses the flush: raise what it is about to touch, found by its WHERE."""
    cls = bulk_target(state, _BULK)
    if cls is None:
        return
    touched = _Raise()
    if state.is_insert:
        _note_inserted(touched, cls, state.parameters)
    else:
        _note_matched(touched, cls, state)
    if touched:
        _apply(state.session, touched)


def _note_inserted(touched: _Raise, cls: type, parameters: Any) -> None:
    for row in parameters if isinstance(parameters, list) else [parameters or {}]:
        if cls is Shift and row.get("hearing_id") is not None:
            touched.hearings.add(row["hearing_id"])
        elif cls is Signup and row.get("shift_id") is not None:
            touched.signup(signup_id=None, shift_id=row["shift_id"], lead=bool(row.get("team_lead")))


def _note_matched(touched: _Raise, cls: type, state: ORMExecuteState) -> None:
    """The rows an update or delete is about to touch, found by running its WHERE first."""
    mapper = state.bind_mapper
    assert mapper is not None  # bulk_target found the class through it
    table = mapper.local_table
    assert isinstance(table, Table)
    found = _MATCHED[cls] if cls in _MATCHED else select(*table.primary_key.columns)
    statement = state.statement
    assert isinstance(statement, Update | Delete)  # not an insert: the caller took those
    where = statement.whereclause
    if where is not None:
        found = found.where(where)
    for row in state.session.connection().execute(found, state.parameters or {}).all():
        if cls is Signup:
            touched.signup(signup_id=row[0], shift_id=row[1], lead=True)
        elif cls is Shift:
            touched.shift(shift_id=row[0], hearing_id=row[1])
        elif cls is Hearing:
            touched.whole_hearings.add(row[0])
        elif cls is Court:
            touched.courts.add(row[0])
        else:
            touched.users.add(row[0])
            touched.leads.add(row[0])


_MATCHED = {Signup: select(Signup.id, Signup.shift_id), Shift: select(Shift.id, Shift.hearing_id)}


def _apply(session: Session, touched: _Raise) -> None:
    """Turn what was touched into event keys and raise each by one, in this transaction."""
    conn = session.connection()
    shifts = touched.shifts | touched.lead_shifts
    hearing_of = {s: h for s in shifts if (h := known(session, Shift, s, "hearing_id")) is not None}
    unknown = shifts - hearing_of.keys()
    if unknown:
        hearing_of.update(
            conn.execute(select(Shift.id, Shift.hearing_id).where(Shift.id.in_(unknown))).tuples().all()
        )
    hearings = set(touched.hearings) | {hearing_of[s] for s in touched.shifts if s in hearing_of}
    hearing_seats = set(touched.hearing_seats) | {
        hearing_of[s] for s in touched.lead_shifts if s in hearing_of
    }
    whole = set(touched.whole_hearings)
    if touched.courts:
        whole.update(conn.scalars(select(Hearing.id).where(Hearing.court_id.in_(touched.courts))))
    if touched.leads:
        hearing_seats.update(
            conn.scalars(
                select(Shift.hearing_id)
                .join(Signup, Signup.shift_id == Shift.id)
                .where(Signup.user_id.in_(touched.leads), Signup.team_lead.is_(True))
            )
        )
    signups = set(touched.signups)
    open_seats = set(touched.shifts)
    if whole:
        hearings |= whole
        hearing_seats |= whole
        open_seats.update(conn.scalars(select(Shift.id).where(Shift.hearing_id.in_(whole))))
    seat_shifts = touched.shift_seats
    if hearing_seats or seat_shifts:
        signups.update(
            conn.scalars(
                select(Signup.id)
                .join(Shift, Shift.id == Signup.shift_id)
                .where(or_(Shift.hearing_id.in_(hearing_seats), Shift.id.in_(seat_shifts)))
            )
        )
    keys = sorted(
        [(SIGNUP, i) for i in signups]
        + [(SHIFT, i) for i in open_seats]
        + [(HEARING, i) for i in hearings]
        + [(USER, i) for i in touched.users]
    )
    if keys:
        _raise(session, keys)


def _raise(session: Session, keys: list[tuple[str, int]]) -> None:
    """Upsert ``revision = revision + 1`` for each key (sorted: concurrent writers lock in order)."""
    conn = session.connection()
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    table = FeedRevision.__table__
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        stmt = insert(table).values([{"kind": k, "object_id": i, "revision": 1} for k, i in chunk])
        stmt = stmt.on_conflict_do_update(
            index_elements=[table.c.kind, table.c.object_id],
            set_={"revision": table.c.revision + 1},
        )
        conn.execute(stmt)


# Read side ------------------------------------------------------------------------------------


def owner_revision(session: Session, user_id: int) -> int:
    """The person's own revision, added to the SEQUENCE of every event in their feeds."""
    value = session.scalar(
        select(func.coalesce(func.max(FeedRevision.revision), 0)).where(
            FeedRevision.kind == USER, FeedRevision.object_id == user_id
        )
    )
    return int(value or 0)


def seat_sequence(session: Session, signup_id: int) -> int:
    """A seat's SEQUENCE as its owner's feed shows it (for a one-event calendar made elsewhere)."""
    seat, owner = aliased(FeedRevision), aliased(FeedRevision)
    value = session.scalar(
        select(Hearing.version + func.coalesce(seat.revision, 0) + func.coalesce(owner.revision, 0))
        .select_from(Signup)
        .join(Shift, Shift.id == Signup.shift_id)
        .join(Hearing, Hearing.id == Shift.hearing_id)
        .outerjoin(seat, and_(seat.kind == SIGNUP, seat.object_id == Signup.id))
        .outerjoin(owner, and_(owner.kind == USER, owner.object_id == Signup.user_id))
        .where(Signup.id == signup_id)
    )
    return int(value or 0)
