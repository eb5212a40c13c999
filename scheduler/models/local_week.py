"""Keeps each shift's place in its court's local week (``Shift.local_week_start`` and ``_end``).

The columns let SQL test "inside one of this volunteer's weekly windows" with two integer
comparisons per window (``scheduler.matching.facts``) instead of one branch per time zone and day,
whose planning and evaluation grew with the network. They are derived from the shift's times and
its court's zone, so they are recomputed here, before every flush that changes any of those: a
new or re-timed shift, a hearing moved to another court, a court given another zone. A row
written around the ORM (a bulk insert that does not fill them) keeps NULL, which SQL treats as
"might fit" and leaves to the eligibility rules.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import chain
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from scheduler.domain.timezones import week_seconds
from scheduler.models.court import Court
from scheduler.models.hearing import Hearing, Shift

# When a court changes zone, its shifts from this long ago on are recomputed; older ones (which
# nobody is offered any more) are set to "not known" in one statement rather than re-timed.
_RETIME_FROM = timedelta(days=2)


@event.listens_for(Session, "before_flush")
def _keep_local_week(session: Session, _context: Any, _instances: Any) -> None:
    with session.no_autoflush:
        shifts: set[Shift] = set()
        rezoned: list[Court] = []
        for obj in chain(session.new, session.dirty):
            if isinstance(obj, Shift):
                if obj in session.new or _changed(obj, "starts_at", "ends_at", "hearing_id", "hearing"):
                    shifts.add(obj)
            elif isinstance(obj, Hearing):
                if obj not in session.new and _changed(obj, "court_id", "court"):
                    shifts.update(obj.shifts)
            elif isinstance(obj, Court) and obj not in session.new and _changed(obj, "timezone"):
                rezoned.append(obj)
        for shift in shifts:
            place_in_week(shift, _zone_of(session, shift))
        for court in rezoned:
            _retime_court(session, court, keep=shifts)


def place_in_week(shift: Shift, tz_name: str | None) -> None:
    """Set a shift's place in the week from its times and its court's zone (None: not known)."""
    if tz_name is None or shift.starts_at is None or shift.ends_at is None:
        shift.local_week_start = shift.local_week_end = None
    else:
        shift.local_week_start, shift.local_week_end = week_seconds(shift.starts_at, shift.ends_at, tz_name)


def week_columns(starts_at: datetime, ends_at: datetime, tz_name: str) -> dict[str, int]:
    """The same as values for a bulk insert of shifts (``insert(Shift)`` with dicts)."""
    start, end = week_seconds(starts_at, ends_at, tz_name)
    return {"local_week_start": start, "local_week_end": end}


def _changed(obj: object, *names: str) -> bool:
    attrs = sa.inspect(obj).attrs  # type: ignore[union-attr]  # mapped objects only
    return any(attrs[name].history.has_changes() for name in names)


def _zone_of(session: Session, shift: Shift) -> str | None:
    hearing = shift.hearing
    if hearing is None and shift.hearing_id is not None:
        hearing = session.get(Hearing, shift.hearing_id)
    if hearing is None:
        return None
    court = hearing.court
    if court is None and hearing.court_id is not None:
        court = session.get(Court, hearing.court_id)
    return court.timezone if court is not None else None


def _retime_court(session: Session, court: Court, *, keep: set[Shift]) -> None:
    """Recompute a re-zoned court's shifts in bulk (``keep``: set in this flush already)."""
    connection = session.connection()
    of_court = sa.select(Hearing.id).where(Hearing.court_id == court.id).scalar_subquery()
    since = datetime.now(UTC) - _RETIME_FROM
    connection.execute(
        sa.update(Shift.__table__)
        .where(Shift.__table__.c.hearing_id.in_(of_court), Shift.__table__.c.starts_at < since)
        .values(local_week_start=None, local_week_end=None)
    )
    rows = connection.execute(
        sa.select(Shift.id, Shift.starts_at, Shift.ends_at).where(
            Shift.hearing_id.in_(of_court), Shift.starts_at >= since
        )
    ).all()
    if rows:
        table = Shift.__table__
        connection.execute(
            sa.update(table)
            .where(table.c.id == sa.bindparam("shift_id"))
            .values(local_week_start=sa.bindparam("start"), local_week_end=sa.bindparam("end")),
            [
                dict(
                    zip(("start", "end"), week_seconds(starts, ends, court.timezone), strict=True),
                    shift_id=sid,
                )
                for sid, starts, ends in rows
            ],
        )
    # Shifts already in the session would otherwise keep the old values until reloaded.
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Shift) and obj not in keep:
            session.expire(obj, ["local_week_start", "local_week_end"])


def _row(shift_id: int, place: tuple[int, int]) -> dict[str, int]:
    return {"shift_id": shift_id, "start": place[0], "end": place[1]}


class BulkRetimeRefused(RuntimeError):
    """An ORM bulk UPDATE would change what a shift's place in the week derives from."""


# What each place derives from: a bulk UPDATE of these skips the flush hook above.
_DERIVED_FROM: dict[type, frozenset[str]] = {
    Shift: frozenset({"starts_at", "ends_at", "hearing_id"}),
    Hearing: frozenset({"court_id"}),
    Court: frozenset({"timezone"}),
}
_PLACE = frozenset({"local_week_start", "local_week_end"})


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_retiming(state: Any) -> None:
    """Refuse, loudly and in tests first, a bulk UPDATE that would leave places stale.

    None exists today; a future one must set the places itself (a shift's, computed with
    ``week_columns``) or go through the ORM, or volunteers would be offered seats outside
    their hours and not the ones inside.
    """
    if not state.is_update or state.bind_mapper is None:
        return
    watched = _DERIVED_FROM.get(state.bind_mapper.class_)
    if watched is None:
        return
    keys = _set_keys(state)
    if keys & watched and not (state.bind_mapper.class_ is Shift and keys >= _PLACE):
        names = ", ".join(sorted(keys & watched))
        raise BulkRetimeRefused(
            f"a bulk change of {state.bind_mapper.class_.__name__} ({names}) leaves shifts' places in "
            "the week stale: set them too (models.local_week.week_columns) or use the ORM"
        )


def _set_keys(state: Any) -> set[str]:
    """The columns an UPDATE sets: in its VALUES, or per row in a bulk update by primary key."""
    keys = {getattr(column, "key", column) for column in (getattr(state.statement, "_values", None) or {})}
    rows = state.parameters
    for row in rows if isinstance(rows, list | tuple) else [rows] if rows else []:
        keys.update(row)
    return {str(key) for key in keys}
