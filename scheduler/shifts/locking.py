"""Locks on a shift (and a person) for the rest of the transaction, and fresh reads under them.

Every change to who holds a seat starts here (scheduler.shifts.claims, handover, roster and
the day's check-in): the lock first, so two requests for the last seat, even from different
worker processes, queue instead of both seeing it free; then the reads, which see what the
lock protects.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session, aliased, contains_eager

from scheduler.models import FEED_NEUTRAL, Hearing, HearingLanguage, Shift, Signup, User
from scheduler.shifts.facts import load_shift
from scheduler.shifts.queries import is_filled_seat


def lock_shift(session: Session, shift_id: int, *, person_id: int | None = None) -> Shift | None:
    """Take the shift's write lock for the rest of the transaction, then read it fresh.

    PostgreSQL: ``SELECT ... FOR UPDATE`` on the row. SQLite has no row locks, but it has one
    writer at a time: a (no-op) UPDATE takes the database's write lock at once and holds it
    until commit, so a second claim in another process waits (busy_timeout) before it reads
    the count, instead of reading a stale count and failing later on upgrade.
    """
    if not lock_rows(session, shift_id, person_id=person_id):
        return None
    return load_shift(session, shift_id)


def lock_rows(session: Session, shift_id: int, *, person_id: int | None = None) -> bool:
    """Lock the shift, and with ``person_id`` that person too (PostgreSQL: one statement).

    The person's lock serialises one person's claims on different shifts, so two at once cannot
    both pass the overlap or cap rules. Both are taken before anything is read: a row lock taken
    in the statement that also reads the person's seats would read them as they were before the
    wait (PostgreSQL re-reads only the locked row), and two clashing claims would both pass.
    The shift is locked before the person, as everywhere. SQLite's write lock serialises all.
    False when the shift (or the person) does not exist.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.execute(
            update(Shift)
            .where(Shift.id == shift_id)
            .values(updated_at=Shift.updated_at)
            .execution_options(**{FEED_NEUTRAL: True})
        )
        return True
    if person_id is None:
        return session.scalar(select(Shift.id).where(Shift.id == shift_id).with_for_update()) is not None
    locked = session.execute(
        select(Shift.id, User.id)
        .join(User, User.id == person_id)
        .where(Shift.id == shift_id)
        .with_for_update(of=[Shift.__table__, User.__table__])
    ).first()
    return locked is not None


def lock_person(session: Session, user_id: int) -> None:
    """The person's lock alone, for a caller that already holds the shift's (see ``lock_rows``)."""
    if session.get_bind().dialect.name != "sqlite":  # SQLite's write lock already serialises
        session.execute(select(User.id).where(User.id == user_id).with_for_update())


@dataclass(frozen=True, slots=True)
class LoadedClaim:
    """A locked shift as a claim reads it: with its hearing, court and languages loaded."""

    shift: Shift
    own: Signup | None  # the person's row on it, any status
    filled: int  # seats held now


def load_claim(session: Session, *, shift_id: int, user_id: int) -> LoadedClaim | None:
    """The shift, its hearing, court and languages, the person's own row and the filled seats.

    One statement (one row per hearing language), run after the lock so that it reads fresh.
    """
    own = aliased(Signup)
    filled = (
        select(func.count(Signup.id))
        .where(Signup.shift_id == Shift.id, is_filled_seat())
        .correlate(Shift)
        .scalar_subquery()
    )
    rows = (
        session.execute(
            select(Shift, own, filled)
            .join(Shift.hearing)
            .join(Hearing.court)
            .outerjoin(Hearing.languages)
            .outerjoin(own, and_(own.shift_id == Shift.id, own.user_id == user_id))
            .where(Shift.id == shift_id)
            .options(
                contains_eager(Shift.hearing).contains_eager(Hearing.court),
                contains_eager(Shift.hearing).contains_eager(Hearing.languages),
            )
            .order_by(HearingLanguage.language)
            .execution_options(populate_existing=True)
        )
        .unique()
        .all()
    )
    if not rows:
        return None
    shift, signup, count = rows[0]
    return LoadedClaim(shift, signup, int(count))


def count_confirmed(session: Session, shift_id: int) -> int:
    return session.execute(
        select(func.count()).where(Signup.shift_id == shift_id, is_filled_seat())
    ).scalar_one()


def own_signup(session: Session, *, shift_id: int, user_id: int) -> Signup | None:
    """A person's row on a shift: always found by (shift, person), never by a signup id."""
    return session.scalar(select(Signup).where(Signup.shift_id == shift_id, Signup.user_id == user_id))
